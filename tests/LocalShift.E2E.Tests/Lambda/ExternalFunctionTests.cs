using System.IO.Compression;
using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>
/// CREATE EXTERNAL FUNCTION through LocalShift's own Lambda, as a user does it: a zipped Node.js handler made with
/// aws lambda create-function, the cluster's role allowed to invoke it, SQL with psql. Ready for when the Lambda
/// service is wired to the SQL side.
/// </summary>
public class ExternalFunctionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Handler = """
        exports.handler = async (event) => {
          const results = event.arguments.map(([a, b]) => (a === null || b === null) ? null : a * b);
          return JSON.stringify({ success: true, num_records: event.num_records, results });
        };
        """;

    private const string LambdaTrust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task A_zipped_node_handler_made_with_aws_lambda_multiplies_thousands_of_rows_through_the_cluster_role()
    {
        var story = new RoleStory(Server);
        var invokePolicy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Allow", Action = "lambda:InvokeFunction", Resource = $"arn:aws:lambda:us-east-1:{RoleStory.Account}:function:exf-multiply" } },
        });
        var role = await story.CreateRoleAsync("ExternalFunctionRole", policy: invokePolicy);
        var execution = await story.CreateRoleAsync("ExfMultiplyExecution", trust: LambdaTrust);
        var port = await story.CreateClusterAsync("exfunc", [role]);

        var zip = Path.Combine(Path.GetTempPath(), "exf-" + Guid.NewGuid().ToString("N") + ".zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(archive.CreateEntry("index.js").Open()))
            await writer.WriteAsync(Handler);
        try
        {
            (await Server.AwsAsync("lambda", "create-function", "--function-name", "exf-multiply", "--runtime", "nodejs20.x", "--handler", "index.handler",
                "--role", execution, "--zip-file", "fileb://" + zip)).EnsureSuccess();
            (await Server.AwsAsync("lambda", "wait", "function-active", "--function-name", "exf-multiply")).EnsureSuccess();
        }
        finally
        {
            File.Delete(zip);
        }

        var r = await story.PsqlAsync(port,
            $"create external function f_multiply(int, int) returns int stable lambda 'exf-multiply' iam_role '{role}' max_batch_rows 500",
            "create table t(a int, b int)",
            "insert into t select i, case when i % 10 = 0 then null else 2 end from generate_series(1, 3000) s(i)",
            "select count(*), count(f_multiply(a, b)), sum(f_multiply(a, b)) from t");
        Assert.True(r.ExitCode == 0, r.ToString());
        var expected = Enumerable.Range(1, 3000).Where(i => i % 10 != 0).Sum(i => 2L * i);
        Assert.Equal($"3000|2700|{expected}", r.Stdout.Trim().Split('\n')[^1]);

        // Without lambda:InvokeFunction the role's session is refused by Lambda, and the statement fails.
        (await Server.AwsAsync("iam", "delete-role-policy", "--role-name", "ExternalFunctionRole", "--policy-name", "s3")).EnsureSuccess();
        var denied = await story.PsqlAsync(port, "select f_multiply(2, 3)");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDeniedException", denied.Stderr);
        Assert.Contains("lambda:InvokeFunction", denied.Stderr);
    }

    [Fact]
    public async Task LAMBDA_with_an_alias_or_a_qualified_arn_invokes_that_version_under_the_grant_for_that_arn()
    {
        var story = new RoleStory(Server);
        var fn = $"arn:aws:lambda:us-east-1:{RoleStory.Account}:function:exf-versioned";
        // The role may invoke the alias and version 1; a grant on a qualified ARN does not cover the unqualified one.
        var role = await story.CreateRoleAsync("ExternalVersionsRole", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Allow", Action = "lambda:InvokeFunction", Resource = new[] { fn + ":live", fn + ":1" } } },
        }));
        var execution = await story.CreateRoleAsync("ExfVersionedExecution", trust: LambdaTrust);
        var port = await story.CreateClusterAsync("exfver", [role]);

        // Version 1 multiplies by 10, version 2 (behind the alias) by 100.
        string Code(int factor) =>
            $$"""exports.handler = async (e) => JSON.stringify({ success: true, num_records: e.num_records, results: e.arguments.map(([a]) => a === null ? null : a * {{factor}}) });""";
        var one = await FunctionPackage.ZipAsync(("index.js", Code(10)));
        var two = await FunctionPackage.ZipAsync(("index.js", Code(100)));
        var r = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            ["lambda", "create-function", "--function-name", "exf-versioned", "--runtime", "nodejs20.x", "--handler", "index.handler",
             "--role", execution, "--zip-file", "fileb://" + one, "--publish"],
            ["lambda", "update-function-code", "--function-name", "exf-versioned", "--zip-file", "fileb://" + two, "--publish"],
            ["lambda", "create-alias", "--function-name", "exf-versioned", "--name", "live", "--function-version", "2"],
        ]);
        foreach (var x in r) x.EnsureSuccess();

        var q = await story.PsqlAsync(port,
            $"create external function f_live(int) returns int stable lambda 'exf-versioned:live' iam_role '{role}'",
            $"create external function f_v1(int) returns int stable lambda '{fn}:1' iam_role '{role}'",
            $"create external function f_latest(int) returns int stable lambda 'exf-versioned' iam_role '{role}'",
            "select f_live(i), f_v1(i) from generate_series(1, 3) s(i) order by i");
        Assert.True(q.ExitCode == 0, q.ToString());
        Assert.Equal(["100|10", "200|20", "300|30"], q.Stdout.Trim().Split('\n')[^3..]);

        var denied = await story.PsqlAsync(port, "select f_latest(1)");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDeniedException", denied.Stderr);
        Assert.Contains($"lambda:InvokeFunction on resource: {fn} ", denied.Stderr);
    }
}
