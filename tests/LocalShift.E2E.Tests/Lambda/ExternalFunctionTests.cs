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
}
