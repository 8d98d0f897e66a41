using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>
/// A function's resource policy decides for callers of another account: without a statement for them they are refused
/// even though their own account allows everything; AddPermission lets them in and RemovePermission shuts them out.
/// </summary>
public sealed class LambdaResourcePolicyTests : IAsyncLifetime
{
    private const string Other = "210987654321";
    private const string OtherKey = "AKIDLAMBDAOTHER";
    private const string OtherSecret = "othersecret";
    private LocalShiftServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalShiftServer.StartAsync(null, "--account", $"{Other}={OtherKey}:{OtherSecret}");
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Another_account_invokes_only_what_add_permission_allowed_it()
    {
        var role = await FunctionPackage.RoleAsync(_server, "shared-fn-role");
        var zip = await FunctionPackage.ZipAsync(("index.js", "exports.handler = async (e) => ({ ok: e.n });"));
        (await _server.AwsAsync("lambda", "create-function", "--function-name", "shared", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", role, "--zip-file", "fileb://" + zip)).EnsureSuccess();
        var arn = $"arn:aws:lambda:us-east-1:{LocalShiftServer.AccountId}:function:shared";
        string[] invoke = ["lambda", "invoke", "--function-name", arn, "--cli-binary-format", "raw-in-base64-out", "--payload", """{"n":7}""", "/dev/stdout"];

        var refused = await _server.AwsAsAsync(OtherKey, OtherSecret, null, invoke);
        Assert.Equal(254, refused.ExitCode);
        Assert.Contains($"(AccessDeniedException) when calling the Invoke operation: User: arn:aws:iam::{Other}:root is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no resource-based policy allows the lambda:InvokeFunction action",
            refused.Stderr);
        var noPolicy = await _server.AwsAsync("lambda", "get-policy", "--function-name", "shared");
        Assert.Contains("(ResourceNotFoundException) when calling the GetPolicy operation: The resource you requested does not exist.", noPolicy.Stderr);

        var added = (await _server.AwsAsync("lambda", "add-permission", "--function-name", "shared", "--statement-id", "other-account",
            "--action", "lambda:InvokeFunction", "--principal", Other)).EnsureSuccess().Json();
        using (var statement = JsonDocument.Parse(added.GetProperty("Statement").GetString()!))
        {
            Assert.Equal($"arn:aws:iam::{Other}:root", statement.RootElement.GetProperty("Principal").GetProperty("AWS").GetString());
            Assert.Equal(arn, statement.RootElement.GetProperty("Resource").GetString());
        }
        var allowed = (await _server.AwsAsAsync(OtherKey, OtherSecret, null, invoke)).EnsureSuccess();
        Assert.Contains("{\"ok\":7}", allowed.Stdout);

        var policy = (await _server.AwsAsync("lambda", "get-policy", "--function-name", "shared")).EnsureSuccess().Json();
        using (var doc = JsonDocument.Parse(policy.GetProperty("Policy").GetString()!))
            Assert.Equal("other-account", doc.RootElement.GetProperty("Statement")[0].GetProperty("Sid").GetString());
        var duplicate = await _server.AwsAsync("lambda", "add-permission", "--function-name", "shared", "--statement-id", "other-account",
            "--action", "lambda:InvokeFunction", "--principal", Other);
        Assert.Contains("(ResourceConflictException) when calling the AddPermission operation: The statement id (sid) provided already exists.", duplicate.Stderr);

        // The other account may invoke, not read the function.
        var get = await _server.AwsAsAsync(OtherKey, OtherSecret, null, "lambda", "get-function", "--function-name", arn);
        Assert.Contains("(AccessDeniedException) when calling the GetFunction operation", get.Stderr);

        (await _server.AwsAsync("lambda", "remove-permission", "--function-name", "shared", "--statement-id", "other-account")).EnsureSuccess();
        var again = await _server.AwsAsAsync(OtherKey, OtherSecret, null, invoke);
        Assert.Contains("because no resource-based policy allows the lambda:InvokeFunction action", again.Stderr);
    }
}
