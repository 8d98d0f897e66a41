using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.RedshiftData;

/// <summary>
/// The Redshift Data API through `aws redshift-data` and @aws-sdk/client-redshift-data: statements run asynchronously
/// on the cluster, COPY through the cluster's role, typed results with paging, failures, batches, cancel, and the
/// authorization of each call and of its credential step.
/// </summary>
public sealed class DataApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Account = LocalShiftServer.AccountId;
    private RoleStory Story => new(fixture.Server);
    private LocalShiftServer Server => fixture.Server;

    /// <summary>Polls describe-statement until the statement is no longer active; returns the last answer.</summary>
    private async Task<JsonElement> WaitAsync(string id, string accessKey = LocalShiftServer.RootKey, string secret = LocalShiftServer.RootSecret)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var d = (await Server.AwsAsAsync(accessKey, secret, null, "redshift-data", "describe-statement", "--id", id)).Json();
            if (d.GetProperty("Status").GetString() is "FINISHED" or "FAILED" or "ABORTED" || DateTime.UtcNow > deadline) return d;
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> RunAsync(string cluster, string sql, params string[] extra)
    {
        var id = (await Server.AwsAsync(["redshift-data", "execute-statement", "--cluster-identifier", cluster, "--database", "dev",
            "--db-user", "admin", "--sql", sql, .. extra])).Json().GetProperty("Id").GetString()!;
        return await WaitAsync(id);
    }

    [Fact]
    public async Task The_cli_creates_copies_and_selects_with_parameters_and_sees_failures_as_Redshift_errors()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("DataApiLoads", policy: RoleStory.S3Policy("dataapi-cli", "s3:GetObject", "s3:ListBucket"));
        await story.CreateClusterAsync("dataapicli", [role]);
        await story.MakeBucketAsync("dataapi-cli", ("people.csv", "1,ann,10.5\n2,bo,20.25\n3,cy,\n"));

        var create = await RunAsync("dataapicli", "CREATE TABLE people(id INTEGER, name VARCHAR(10), score DECIMAL(6,2))");
        Assert.Equal("FINISHED", create.GetProperty("Status").GetString());
        Assert.False(create.GetProperty("HasResultSet").GetBoolean());

        var copy = await RunAsync("dataapicli", $"COPY people FROM 's3://dataapi-cli/people.csv' IAM_ROLE '{role}' CSV");
        Assert.True(copy.GetProperty("Status").GetString() == "FINISHED", copy.ToString());
        Assert.Equal(3, copy.GetProperty("ResultRows").GetInt64());

        var select = await RunAsync("dataapicli", "SELECT id, name, score FROM people WHERE id >= :min ORDER BY id",
            "--parameters", "name=min,value=2");
        Assert.Equal("FINISHED", select.GetProperty("Status").GetString());
        Assert.Equal(2, select.GetProperty("ResultRows").GetInt64());
        Assert.Equal("SELECT id, name, score FROM people WHERE id >= :min ORDER BY id", select.GetProperty("QueryString").GetString());
        var result = (await Server.AwsAsync("redshift-data", "get-statement-result", "--id", select.GetProperty("Id").GetString()!)).Json();
        Assert.Equal("""[[{"longValue":2},{"stringValue":"bo"},{"stringValue":"20.25"}],[{"longValue":3},{"stringValue":"cy"},{"isNull":true}]]""",
            result.GetProperty("Records").GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Equal(["int4", "varchar", "numeric"], result.GetProperty("ColumnMetadata").EnumerateArray().Select(c => c.GetProperty("typeName").GetString()));
        Assert.Equal(2, result.GetProperty("TotalNumRows").GetInt64());

        var failing = await RunAsync("dataapicli", "SELECT * FROM nosuch");
        Assert.Equal("FAILED", failing.GetProperty("Status").GetString());
        Assert.Equal("ERROR: relation \"nosuch\" does not exist", failing.GetProperty("Error").GetString());

        // The CLI pages GetStatementResult itself; --no-paginate shows the first page and its token.
        var big = await RunAsync("dataapicli", "SELECT i, repeat('y', 200) AS pad FROM generate_series(1, 12000) AS g(i)");
        var first = (await Server.AwsAsync("redshift-data", "get-statement-result", "--id", big.GetProperty("Id").GetString()!, "--no-paginate")).Json();
        Assert.True(first.TryGetProperty("NextToken", out _));
        Assert.InRange(first.GetProperty("Records").GetArrayLength(), 1, 11999);
        var all = (await Server.AwsAsync("redshift-data", "get-statement-result", "--id", big.GetProperty("Id").GetString()!)).Json();
        Assert.Equal(12000, all.GetProperty("Records").GetArrayLength());

        var batchId = (await Server.AwsAsync("redshift-data", "batch-execute-statement", "--cluster-identifier", "dataapicli", "--database", "dev",
            "--db-user", "admin", "--sqls", "INSERT INTO people VALUES (4, 'di', 1)", "SELECT * FROM nosuch", "INSERT INTO people VALUES (5, 'ed', 1)")).Json()
            .GetProperty("Id").GetString()!;
        var batch = await WaitAsync(batchId);
        Assert.Equal("FAILED", batch.GetProperty("Status").GetString());
        Assert.Equal(["FINISHED", "FAILED", "ABORTED"], batch.GetProperty("SubStatements").EnumerateArray().Select(s => s.GetProperty("Status").GetString()));
        // One transaction: the first insert is rolled back with the failure.
        var count = await RunAsync("dataapicli", "SELECT count(*) FROM people");
        var counted = (await Server.AwsAsync("redshift-data", "get-statement-result", "--id", count.GetProperty("Id").GetString()!)).Json();
        Assert.Equal(3, counted.GetProperty("Records")[0][0].GetProperty("longValue").GetInt64());

        var cancel = await Server.AwsAsync("redshift-data", "cancel-statement", "--id", count.GetProperty("Id").GetString()!);
        Assert.Contains("(ValidationException) when calling the CancelStatement operation: Could not cancel a query that is already in FINISHED state.", cancel.Stderr);
        var noCluster = await Server.AwsAsync("redshift-data", "execute-statement", "--cluster-identifier", "nosuch", "--database", "dev", "--db-user", "admin", "--sql", "select 1");
        Assert.Contains("(ValidationException) when calling the ExecuteStatement operation: Redshift endpoint doesn't exist in this region.", noCluster.Stderr);
        var secret = await Server.AwsAsync("redshift-data", "execute-statement", "--cluster-identifier", "dataapicli", "--database", "dev",
            "--secret-arn", $"arn:aws:secretsmanager:us-east-1:{Account}:secret:s", "--sql", "select 1");
        Assert.Contains("(ValidationException)", secret.Stderr);
        Assert.Contains("SecretArn is not supported by LocalShift", secret.Stderr);

        var tables = (await Server.AwsAsync("redshift-data", "list-tables", "--cluster-identifier", "dataapicli", "--database", "dev", "--db-user", "admin")).Json();
        Assert.Equal(["public.people"], tables.GetProperty("Tables").EnumerateArray().Select(t => t.GetProperty("schema").GetString() + "." + t.GetProperty("name").GetString()));
        var described = (await Server.AwsAsync("redshift-data", "describe-table", "--cluster-identifier", "dataapicli", "--database", "dev", "--db-user", "admin", "--table", "people")).Json();
        Assert.Equal(["id:int4", "name:varchar", "score:numeric"], described.GetProperty("ColumnList").EnumerateArray().Select(c => c.GetProperty("name").GetString() + ":" + c.GetProperty("typeName").GetString()));
        var schemas = (await Server.AwsAsync("redshift-data", "list-schemas", "--cluster-identifier", "dataapicli", "--database", "dev", "--db-user", "admin")).Json();
        Assert.Contains("public", schemas.GetProperty("Schemas").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain("__localshift", schemas.GetProperty("Schemas").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task An_IAM_user_without_DbUser_runs_as_IAM_user_and_needs_the_credential_permission_its_statements_are_its_own()
    {
        await Story.CreateClusterAsync("dataapiiam", []);
        async Task<(string Id, string Secret)> UserAsync(string name, object[] statements)
        {
            (await Server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
            (await Server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document",
                JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements }))).EnsureSuccess();
            var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
            return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        }
        var dataOnly = new { Effect = "Allow", Action = "redshift-data:*", Resource = "*" };
        var (analystId, analystSecret) = await UserAsync("analyst", [dataOnly,
            new { Effect = "Allow", Action = "redshift:GetClusterCredentialsWithIAM", Resource = $"arn:aws:redshift:us-east-1:{Account}:dbname:dataapiiam/dev" }]);
        var (plainId, plainSecret) = await UserAsync("plain", [dataOnly]);

        var id = (await Server.AwsAsAsync(analystId, analystSecret, null, "redshift-data", "execute-statement", "--cluster-identifier", "dataapiiam",
            "--database", "dev", "--sql", "SELECT current_user")).Json().GetProperty("Id").GetString()!;
        var done = await WaitAsync(id, analystId, analystSecret);
        Assert.True(done.GetProperty("Status").GetString() == "FINISHED", done.ToString());
        var who = (await Server.AwsAsAsync(analystId, analystSecret, null, "redshift-data", "get-statement-result", "--id", id)).Json();
        Assert.Equal("IAM:analyst", who.GetProperty("Records")[0][0].GetProperty("stringValue").GetString());

        // Another identity does not see the statement at all.
        var foreign = await Server.AwsAsAsync(plainId, plainSecret, null, "redshift-data", "describe-statement", "--id", id);
        Assert.Contains("(ResourceNotFoundException) when calling the DescribeStatement operation", foreign.Stderr);
        var listed = (await Server.AwsAsAsync(plainId, plainSecret, null, "redshift-data", "list-statements")).Json();
        Assert.Equal(0, listed.GetProperty("Statements").GetArrayLength());

        var user = $"arn:aws:iam::{Account}:user/plain";
        var noCreds = await Server.AwsAsAsync(plainId, plainSecret, null, "redshift-data", "execute-statement", "--cluster-identifier", "dataapiiam",
            "--database", "dev", "--sql", "SELECT 1");
        Assert.Contains($"(AccessDeniedException) when calling the ExecuteStatement operation: User: {user} is not authorized to perform: redshift:GetClusterCredentialsWithIAM on resource: arn:aws:redshift:us-east-1:{Account}:dbname:dataapiiam/dev", noCreds.Stderr);
        var asAdmin = await Server.AwsAsAsync(plainId, plainSecret, null, "redshift-data", "execute-statement", "--cluster-identifier", "dataapiiam",
            "--database", "dev", "--db-user", "admin", "--sql", "SELECT 1");
        Assert.Contains($"is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:us-east-1:{Account}:dbuser:dataapiiam/admin", asAdmin.Stderr);
    }

    [Fact]
    public async Task The_js_sdk_runs_create_copy_parameters_paging_failure_batch_and_cancel()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("DataApiSdkLoads", policy: RoleStory.S3Policy("dataapi-sdk", "s3:GetObject", "s3:ListBucket"));
        await story.CreateClusterAsync("dataapisdk", [role]);
        await story.MakeBucketAsync("dataapi-sdk", ("events.csv", "1,a,1.50,true,2024-01-01\n2,b,2.25,false,2024-01-02\n3,c,,true,2024-01-03\n4,d,4.00,,2024-01-04\n"));

        var r = await Server.NodeAsync("redshift-data", new { cluster = "dataapisdk", role, bucket = "dataapi-sdk" });
        Assert.False(r.TryGetProperty("error", out _), r.ToString());
        Assert.Equal("FINISHED", r.GetProperty("create").GetString());
        Assert.Equal("FINISHED", r.GetProperty("copy").GetProperty("status").GetString());
        Assert.Equal(4, r.GetProperty("copy").GetProperty("rows").GetInt64());
        Assert.Equal(2, r.GetProperty("select").GetProperty("rows").GetInt64());
        Assert.Equal("""[[{"longValue":2},{"stringValue":"b"},{"stringValue":"2.25"},{"booleanValue":false},{"stringValue":"2024-01-02"},{"isNull":true}],[{"longValue":4},{"stringValue":"d"},{"stringValue":"4.00"},{"isNull":true},{"stringValue":"2024-01-04"},{"isNull":true}]]""",
            r.GetProperty("records").GetRawText());
        Assert.Equal(["id:int4", "kind:varchar", "score:numeric", "ok:bool", "day:date", "nothing:int4"],
            r.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var pages = r.GetProperty("pages").EnumerateArray().ToList();
        Assert.True(pages.Count > 1, r.GetProperty("pages").ToString());
        Assert.Equal(12000, pages.Sum(p => p.GetProperty("rows").GetInt32()));
        Assert.Equal(2, pages[0].GetProperty("columns").GetInt32());
        Assert.Equal("FAILED", r.GetProperty("failing").GetProperty("status").GetString());
        Assert.Equal("ERROR: relation \"no_such_table\" does not exist", r.GetProperty("failing").GetProperty("error").GetString());
        Assert.Equal("ResourceNotFoundException", r.GetProperty("noResult").GetString());
        Assert.Equal("FINISHED", r.GetProperty("batch").GetProperty("status").GetString());
        Assert.Equal(5, r.GetProperty("batch").GetProperty("count").GetInt64());
        var cancel = r.GetProperty("cancel");
        Assert.Equal("STARTED", cancel.GetProperty("started").GetString());
        Assert.True(cancel.GetProperty("answer").GetBoolean());
        Assert.Equal("ABORTED", cancel.GetProperty("status").GetString());
        Assert.Equal("ValidationException", cancel.GetProperty("again").GetString());
        Assert.Equal(["sdk-select"], r.GetProperty("listed").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["public.events"], r.GetProperty("tables").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("ResourceNotFoundException", r.GetProperty("missing").GetString());
    }
}
