using System.Text;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>Lambda through Debian's AWS CLI: real zips, real node and python processes, the role's own calls.</summary>
public sealed class LambdaCliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;
    private const string Account = LocalShiftServer.AccountId;

    private const string NodeHandler = """
        exports.handler = async (event, context) => {
          console.log('event', JSON.stringify(event));
          if (event.fail) throw new TypeError('it failed: ' + event.fail);
          if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
          const env = {};
          for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_REGION',
                           'AWS_DEFAULT_REGION', '_HANDLER', 'TZ', 'GREETING', 'AWS_ENDPOINT_URL']) env[k] = process.env[k];
          return {
            echo: event, pid: process.pid, name: context.functionName, arn: context.invokedFunctionArn, env,
            keyPrefix: (process.env.AWS_ACCESS_KEY_ID || '').slice(0, 4), hasToken: !!process.env.AWS_SESSION_TOKEN,
            inTaskRoot: process.env.LAMBDA_TASK_ROOT === process.cwd(),
          };
        };
        """;

    private const string PythonHandler = """
        import os

        def handler(event, context):
            if not event.get("quiet"):
                print("python got", event)
            if event.get("fail"):
                raise ValueError("python failed: " + event["fail"])
            return {"echo": event, "name": context.function_name, "handler": os.environ["_HANDLER"], "pid": os.getpid()}
        """;

    private async Task<(JsonElement Response, JsonElement Payload)> InvokeAsync(string function, string payload, params string[] extra)
    {
        var outFile = Path.Combine(Path.GetTempPath(), "lambda-out-" + Guid.NewGuid().ToString("N") + ".json");
        var r = (await Server.AwsAsync(["lambda", "invoke", "--function-name", function, "--cli-binary-format", "raw-in-base64-out",
            "--payload", payload, .. extra, outFile])).EnsureSuccess();
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(outFile));
        File.Delete(outFile);
        return (r.Json(), doc.RootElement.Clone());
    }

    private static string Log(JsonElement response) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(response.GetProperty("LogResult").GetString()!));

    [Fact]
    public async Task Node_and_python_functions_run_with_logs_errors_timeouts_updates_and_delete()
    {
        var role = await FunctionPackage.RoleAsync(Server, "cli-fn-role");
        var zip = await FunctionPackage.ZipAsync(("index.js", NodeHandler));
        var created = (await Server.AwsAsync("lambda", "create-function", "--function-name", "cli-node", "--runtime", "nodejs20.x",
            "--handler", "index.handler", "--role", role, "--zip-file", "fileb://" + zip, "--timeout", "1",
            "--environment", "Variables={GREETING=hello}")).EnsureSuccess().Json();
        Assert.Equal("Pending", created.GetProperty("State").GetString());
        Assert.Equal($"arn:aws:lambda:us-east-1:{Account}:function:cli-node", created.GetProperty("FunctionArn").GetString());
        (await Server.AwsAsync("lambda", "wait", "function-active-v2", "--function-name", "cli-node")).EnsureSuccess();
        var config = (await Server.AwsAsync("lambda", "get-function-configuration", "--function-name", "cli-node")).EnsureSuccess().Json();
        Assert.Equal("Active", config.GetProperty("State").GetString());
        Assert.Equal("Successful", config.GetProperty("LastUpdateStatus").GetString());

        // A first invocation starts the instance: the log has its init and Lambda's START/END/REPORT lines.
        var (first, payload) = await InvokeAsync("cli-node", """{"a":1}""", "--log-type", "Tail");
        Assert.Equal(200, first.GetProperty("StatusCode").GetInt32());
        Assert.Equal("$LATEST", first.GetProperty("ExecutedVersion").GetString());
        Assert.False(first.TryGetProperty("FunctionError", out _));
        Assert.Equal(1, payload.GetProperty("echo").GetProperty("a").GetInt32());
        Assert.Equal("cli-node", payload.GetProperty("name").GetString());
        Assert.Equal($"arn:aws:lambda:us-east-1:{Account}:function:cli-node", payload.GetProperty("arn").GetString());
        var env = payload.GetProperty("env");
        Assert.Equal("cli-node", env.GetProperty("AWS_LAMBDA_FUNCTION_NAME").GetString());
        Assert.Equal("$LATEST", env.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString());
        Assert.Equal("128", env.GetProperty("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").GetString());
        Assert.Equal("us-east-1", env.GetProperty("AWS_REGION").GetString());
        Assert.Equal("index.handler", env.GetProperty("_HANDLER").GetString());
        Assert.Equal(":UTC", env.GetProperty("TZ").GetString());
        Assert.Equal("hello", env.GetProperty("GREETING").GetString());
        Assert.Equal(Server.Endpoint, env.GetProperty("AWS_ENDPOINT_URL").GetString());
        Assert.Equal("ASIA", payload.GetProperty("keyPrefix").GetString());
        Assert.True(payload.GetProperty("hasToken").GetBoolean());
        Assert.True(payload.GetProperty("inTaskRoot").GetBoolean());
        var log = Log(first);
        Assert.Matches(@"^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n", log);
        Assert.Matches("\tINFO\tevent {\"a\":1}\n", log);
        Assert.Contains("\nEND RequestId: ", log);
        Assert.Matches(@"\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [0-9.]+ ms", log);
        var pid = payload.GetProperty("pid").GetInt32();

        // The warm instance answers the next one, without an init.
        var (second, again) = await InvokeAsync("cli-node", """{"a":2}""", "--log-type", "Tail");
        Assert.Equal(pid, again.GetProperty("pid").GetInt32());
        Assert.DoesNotContain("Init Duration", Log(second));

        // The function's own error: 200 with X-Amz-Function-Error and Lambda's error document.
        var (failed, error) = await InvokeAsync("cli-node", """{"fail":"x"}""", "--log-type", "Tail");
        Assert.Equal("Unhandled", failed.GetProperty("FunctionError").GetString());
        Assert.Equal("TypeError", error.GetProperty("errorType").GetString());
        Assert.Equal("it failed: x", error.GetProperty("errorMessage").GetString());
        Assert.Contains("\tERROR\tInvoke Error", Log(failed));

        // Past its Timeout the instance is killed and the invocation answers Lambda's time-out.
        var (timedOut, timeout) = await InvokeAsync("cli-node", """{"sleep":4000}""", "--log-type", "Tail");
        Assert.Equal("Unhandled", timedOut.GetProperty("FunctionError").GetString());
        Assert.EndsWith("Error: Task timed out after 1.00 seconds", timeout.GetProperty("errorMessage").GetString());
        Assert.Contains("Task timed out after 1.00 seconds", Log(timedOut));
        Assert.True(await FunctionPackage.ProcessGoneAsync(pid, TimeSpan.FromSeconds(10)), "the timed-out instance still runs");

        // New code (an ES module now) replaces the instances.
        var v2 = await FunctionPackage.ZipAsync(("index.mjs", "export const handler = async (event) => ({ version: 2, pid: process.pid });"));
        var updated = (await Server.AwsAsync("lambda", "update-function-code", "--function-name", "cli-node", "--zip-file", "fileb://" + v2))
            .EnsureSuccess().Json();
        Assert.Equal("InProgress", updated.GetProperty("LastUpdateStatus").GetString());
        (await Server.AwsAsync("lambda", "wait", "function-updated", "--function-name", "cli-node")).EnsureSuccess();
        var (quiet, v2Payload) = await InvokeAsync("cli-node", "{}", "--log-type", "Tail");
        Assert.Equal(2, v2Payload.GetProperty("version").GetInt32());
        // A function that prints nothing posts its result without a log flush marker: its log is Lambda's lines alone.
        Assert.Matches(@"^START RequestId: [0-9a-f-]{36} Version: \$LATEST\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [^\n]*\n$", Log(quiet));
        var v2Pid = v2Payload.GetProperty("pid").GetInt32();

        // A python function beside it.
        var py = await FunctionPackage.ZipAsync(("app.py", PythonHandler));
        (await Server.AwsAsync("lambda", "create-function", "--function-name", "cli-python", "--runtime", "python3.11",
            "--handler", "app.handler", "--role", role, "--zip-file", "fileb://" + py)).EnsureSuccess();
        var (pyResponse, pyPayload) = await InvokeAsync("cli-python", """{"b":"x"}""", "--log-type", "Tail");
        Assert.Equal("x", pyPayload.GetProperty("echo").GetProperty("b").GetString());
        Assert.Equal("cli-python", pyPayload.GetProperty("name").GetString());
        Assert.Equal("app.handler", pyPayload.GetProperty("handler").GetString());
        Assert.Contains("python got {'b': 'x'}\n", Log(pyResponse));
        // Quiet and printing invocations in turn: each log holds its own lines, none of another's.
        var (pyQuiet, _) = await InvokeAsync("cli-python", """{"quiet":1}""", "--log-type", "Tail");
        Assert.DoesNotContain("python got", Log(pyQuiet));
        Assert.Matches(@"^START RequestId: [0-9a-f-]{36} Version: \$LATEST\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [^\n]*\n$", Log(pyQuiet));
        var (pyLoud, _) = await InvokeAsync("cli-python", """{"c":3}""", "--log-type", "Tail");
        Assert.Contains("python got {'c': 3}\n", Log(pyLoud));
        var (pyFailed, pyError) = await InvokeAsync("cli-python", """{"fail":"y"}""");
        Assert.Equal("Unhandled", pyFailed.GetProperty("FunctionError").GetString());
        Assert.Equal("ValueError", pyError.GetProperty("errorType").GetString());
        Assert.Equal("python failed: y", pyError.GetProperty("errorMessage").GetString());

        // Deleting the function stops its instance; it is then not found, by Lambda's text.
        (await Server.AwsAsync("lambda", "delete-function", "--function-name", "cli-node")).EnsureSuccess();
        Assert.True(await FunctionPackage.ProcessGoneAsync(v2Pid, TimeSpan.FromSeconds(10)), "the deleted function's instance still runs");
        var missing = await Server.AwsAsync("lambda", "get-function", "--function-name", "cli-node");
        Assert.Equal(254, missing.ExitCode);
        Assert.Contains($"(ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:{Account}:function:cli-node",
            missing.Stderr);
    }

    [Fact]
    public async Task Creating_a_function_passes_its_role_and_the_role_must_trust_lambda()
    {
        var zip = await FunctionPackage.ZipAsync(("index.js", "exports.handler = async () => 1;"));
        var redshiftOnly = await FunctionPackage.RoleAsync(Server, "trusts-redshift", trust:
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
        var refused = await Server.AwsAsync("lambda", "create-function", "--function-name", "untrusted", "--runtime", "nodejs22.x",
            "--handler", "index.handler", "--role", redshiftOnly, "--zip-file", "fileb://" + zip);
        Assert.Equal(254, refused.ExitCode);
        Assert.Contains("(InvalidParameterValueException) when calling the CreateFunction operation: The role defined for the function cannot be assumed by Lambda.",
            refused.Stderr);

        // A user who may create functions but not pass the role.
        var role = await FunctionPackage.RoleAsync(Server, "passable");
        (await Server.AwsAsync("iam", "create-user", "--user-name", "deployer")).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", "deployer", "--policy-name", "lambda", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}""")).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", "deployer")).EnsureSuccess().Json().GetProperty("AccessKey");
        var (id, secret) = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        string[] create = ["lambda", "create-function", "--function-name", "passed", "--runtime", "nodejs22.x", "--handler", "index.handler",
            "--role", role, "--zip-file", "fileb://" + zip];
        var noPass = await Server.AwsAsAsync(id, secret, null, create);
        Assert.Equal(254, noPass.ExitCode);
        Assert.Contains($"(AccessDeniedException) when calling the CreateFunction operation: User: arn:aws:iam::{Account}:user/deployer is not authorized to perform: iam:PassRole on resource: {role}",
            noPass.Stderr);

        // PassRole only to Lambda is enough.
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", "deployer", "--policy-name", "pass", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"ROLE","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}}]}""".Replace("ROLE", role))).EnsureSuccess();
        (await Server.AwsAsAsync(id, secret, null, create)).EnsureSuccess();
        var again = await Server.AwsAsAsync(id, secret, null, create);
        Assert.Contains("(ResourceConflictException) when calling the CreateFunction operation: Function already exist: passed", again.Stderr);
    }

    [Fact]
    public async Task A_function_calls_s3_and_sts_as_its_execution_role()
    {
        (await Server.AwsAsync("s3api", "create-bucket", "--bucket", "fn-data")).EnsureSuccess();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "readable");
        (await Server.AwsAsync("s3", "cp", file, "s3://fn-data/allowed/a.txt")).EnsureSuccess();
        (await Server.AwsAsync("s3", "cp", file, "s3://fn-data/secret/b.txt")).EnsureSuccess();
        var role = await FunctionPackage.RoleAsync(Server, "fn-s3-role",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::fn-data/allowed/*"}]}""");
        // The SDK comes with the function as it does in Lambda's Node.js runtimes: here from the test's own node_modules.
        var zip = await FunctionPackage.ZipAsync(("index.js", """
            const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
            const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
            exports.handler = async () => {
              const s3 = new S3Client({ forcePathStyle: true });
              const read = async (Key) => {
                try { return { body: await (await s3.send(new GetObjectCommand({ Bucket: 'fn-data', Key }))).Body.transformToString() }; }
                catch (e) { return { error: e.name }; }
              };
              const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
              return { allowed: await read('allowed/a.txt'), denied: await read('secret/b.txt'), arn: me.Arn };
            };
            """));
        (await Server.AwsAsync("lambda", "create-function", "--function-name", "fn-s3", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", role, "--zip-file", "fileb://" + zip, "--timeout", "30",
            "--environment", $"Variables={{NODE_PATH={Path.Combine(RepoPaths.JsDir, "node_modules")}}}")).EnsureSuccess();

        var (response, payload) = await InvokeAsync("fn-s3", "{}");
        Assert.False(response.TryGetProperty("FunctionError", out _), payload.ToString());
        Assert.Equal($"arn:aws:sts::{Account}:assumed-role/fn-s3-role/fn-s3", payload.GetProperty("arn").GetString());
        Assert.Equal("readable", payload.GetProperty("allowed").GetProperty("body").GetString());
        Assert.Equal("AccessDenied", payload.GetProperty("denied").GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_function_without_its_handler_and_a_runtime_the_host_cannot_run_fail_with_what_to_do()
    {
        var role = await FunctionPackage.RoleAsync(Server, "fn-misc-role");
        var zip = await FunctionPackage.ZipAsync(("index.js", "exports.other = async () => 1;"));
        (await Server.AwsAsync("lambda", "create-function", "--function-name", "no-handler", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", role, "--zip-file", "fileb://" + zip)).EnsureSuccess();
        var (response, error) = await InvokeAsync("no-handler", "{}");
        Assert.Equal("Unhandled", response.GetProperty("FunctionError").GetString());
        Assert.Equal("Runtime.HandlerNotFound", error.GetProperty("errorType").GetString());
        Assert.Equal("index.handler is undefined or not exported", error.GetProperty("errorMessage").GetString());

        (await Server.AwsAsync("lambda", "create-function", "--function-name", "java-fn", "--runtime", "java21", "--handler", "a.B::handle",
            "--role", role, "--zip-file", "fileb://" + zip)).EnsureSuccess();
        var java = await Server.AwsAsync("lambda", "invoke", "--function-name", "java-fn", "/dev/null");
        Assert.Equal(254, java.ExitCode);
        // 502, as the model has it: the CLI retries it before it reports it.
        Assert.Contains("(InvalidRuntimeException) when calling the Invoke operation", java.Stderr);
        Assert.Contains("LocalShift does not run java21 functions", java.Stderr);

        var old = await Server.AwsAsync("lambda", "create-function", "--function-name", "old", "--runtime", "nodejs12.x", "--handler", "index.handler",
            "--role", role, "--zip-file", "fileb://" + zip);
        Assert.Contains("(InvalidParameterValueException) when calling the CreateFunction operation: The runtime parameter of nodejs12.x is no longer supported",
            old.Stderr);
    }
}
