using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>Lambda through the AWS SDK for JavaScript v3 (@aws-sdk/client-lambda).</summary>
public sealed class LambdaSdkTests : IAsyncLifetime
{
    // A server of its own: the listing below must see only this test's functions.
    private LocalShiftServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalShiftServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_sdk_creates_waits_invokes_lists_tags_and_deletes_functions()
    {
        var role = await FunctionPackage.RoleAsync(_server, "sdk-fn-role");
        var zip = await FunctionPackage.ZipAsync(
            ("index.js", """
                exports.handler = async (event) => {
                  if (event.fail) throw new Error('sdk failure');
                  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
                  console.log('x is', event.x);
                  return { pid: process.pid, x: event.x };
                };
                """),
            ("cb.js", "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { cb: event.n * 2 }), 10); };"));
        var r = await _server.NodeAsync("lambda-functions", new { zip = Convert.ToBase64String(await File.ReadAllBytesAsync(zip)), role, name = "sdk-fn" });
        Assert.False(r.TryGetProperty("error", out var error), error.ToString());

        Assert.Equal("Pending", r.GetProperty("createdState").GetString());
        Assert.Equal("SUCCESS", r.GetProperty("waited").GetString());
        var plain = r.GetProperty("plain");
        Assert.Equal(200, plain.GetProperty("status").GetInt32());
        Assert.Equal(1, JsonDocument.Parse(plain.GetProperty("payload").GetString()!).RootElement.GetProperty("x").GetInt32());
        Assert.Contains("\tINFO\tx is 1\n", plain.GetProperty("log").GetString());
        Assert.Equal("""{"cb":10}""", r.GetProperty("callback").GetProperty("payload").GetString());
        var failed = r.GetProperty("failed");
        Assert.Equal("Unhandled", failed.GetProperty("functionError").GetString());
        var doc = JsonDocument.Parse(failed.GetProperty("payload").GetString()!).RootElement;
        Assert.Equal("Error", doc.GetProperty("errorType").GetString());
        Assert.Equal("sdk failure", doc.GetProperty("errorMessage").GetString());
        Assert.Equal(202, r.GetProperty("event").GetInt32());
        Assert.Equal(204, r.GetProperty("dryRun").GetInt32());

        // Three at once need three instances.
        Assert.Equal(3, r.GetProperty("concurrentPids").EnumerateArray().Select(p => p.GetInt32()).Distinct().Count());

        var tooLarge = r.GetProperty("tooLarge").GetProperty("error");
        Assert.Equal("RequestEntityTooLargeException", tooLarge.GetProperty("name").GetString());
        Assert.Equal(413, tooLarge.GetProperty("status").GetInt32());
        Assert.Equal("Request must be smaller than 6291456 bytes for the InvokeFunction operation", tooLarge.GetProperty("message").GetString());

        Assert.Equal(["sdk-fn", "sdk-fn-cb"], r.GetProperty("listed").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(2, r.GetProperty("pages").GetInt32());
        Assert.Equal("data", r.GetProperty("tags").GetProperty("team").GetString());
        var notFound = r.GetProperty("notFound").GetProperty("error");
        Assert.Equal("ResourceNotFoundException", notFound.GetProperty("name").GetString());
        Assert.Equal($"Function not found: arn:aws:lambda:us-east-1:{LocalShiftServer.AccountId}:function:sdk-fn", notFound.GetProperty("message").GetString());
    }
}
