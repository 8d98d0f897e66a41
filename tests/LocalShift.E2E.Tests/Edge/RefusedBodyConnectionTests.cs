using System.Text;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>
/// A request answered before its body was read must not desynchronize its keep-alive connection (issue 19, item 1):
/// with <c>Expect: 100-continue</c> the client holds its body back, so the answer carries no <c>100 Continue</c> and
/// closes the connection; a small body the client did send is drained and the connection serves the next request.
/// </summary>
public class RefusedBodyConnectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-refused-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private async Task<string> BucketAsync()
    {
        var b = "keep-" + Guid.NewGuid().ToString("N")[..16];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        return b;
    }

    private static string Put(string path, long contentLength, bool expectContinue) =>
        $"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: {contentLength}\r\n"
        + (expectContinue ? "Expect: 100-continue\r\n" : "") + "\r\n";

    private static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    [Fact]
    public async Task A_refused_put_with_expect_100_continue_gets_no_continue_and_a_closed_connection()
    {
        var b = await BucketAsync();
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);

        // An anonymous upload: refused before its body matters. The body is held back, as every SDK does.
        await conn.SendAsync(Put($"/{b}/held-back.bin", 10 * 1024 * 1024, expectContinue: true));
        var refused = await conn.ReadResponseAsync();

        Assert.Equal(403, refused.Status);
        Assert.Contains("<Code>AccessDenied</Code>", refused.Body);
        Assert.Empty(refused.Interim);
        Assert.True(refused.ClosesConnection, "the answer must say Connection: close");
        Assert.True(await conn.IsClosedByServerAsync());

        // The client reconnects and goes on.
        using var next = await RawHttpConnection.OpenAsync(Server.Port);
        await next.SendAsync(Get("/no-such-bucket-after-refusal/k"));
        var answer = await next.ReadResponseAsync();
        Assert.Equal(404, answer.Status);
        Assert.Contains("<BucketName>no-such-bucket-after-refusal</BucketName>", answer.Body);
    }

    [Fact]
    public async Task A_refused_small_put_whose_body_was_sent_keeps_the_connection_for_the_next_request()
    {
        var b = await BucketAsync();
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);

        await conn.SendAsync(Put($"/{b}/sent.bin", 10, expectContinue: false) + "0123456789");
        var refused = await conn.ReadResponseAsync();
        await conn.SendAsync(Get("/no-such-bucket-next/k"));
        var next = await conn.ReadResponseAsync();

        Assert.Equal(403, refused.Status);
        Assert.False(refused.ClosesConnection);
        Assert.Equal(404, next.Status);
        Assert.Contains("<BucketName>no-such-bucket-next</BucketName>", next.Body);
    }

    [Fact]
    public async Task A_refused_put_with_a_large_body_on_the_way_is_answered_and_the_connection_closed()
    {
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);

        await conn.SendAsync(Put("/no-such-bucket-large/big.bin", 200L * 1024 * 1024, expectContinue: false));
        await conn.SendAsync(new byte[64 * 1024]);
        var refused = await conn.ReadResponseAsync();

        Assert.Equal(404, refused.Status);
        Assert.Contains("<Code>NoSuchBucket</Code>", refused.Body);
        Assert.True(refused.ClosesConnection, "the answer must say Connection: close rather than read 200 MB nobody wants");
        Assert.True(await conn.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_query_call_refused_before_its_body_with_expect_100_continue_closes_the_connection()
    {
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);
        const string form = "Action=ListUsers&Version=2010-05-08";

        // No signature: refused before the body is read.
        await conn.SendAsync($"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {form.Length}\r\nExpect: 100-continue\r\n\r\n");
        var refused = await conn.ReadResponseAsync();

        Assert.Equal(403, refused.Status);
        Assert.Contains("MissingAuthenticationToken", refused.Body);
        Assert.Empty(refused.Interim);
        Assert.True(refused.ClosesConnection);
        Assert.True(await conn.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_query_call_refused_with_its_body_sent_keeps_the_connection()
    {
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);
        const string form = "Action=ListUsers&Version=2010-05-08";

        await conn.SendAsync($"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {form.Length}\r\n\r\n{form}");
        var refused = await conn.ReadResponseAsync();
        await conn.SendAsync(Get("/no-such-bucket-after-query/k"));
        var next = await conn.ReadResponseAsync();

        Assert.Equal(403, refused.Status);
        Assert.False(refused.ClosesConnection);
        Assert.Equal(404, next.Status);
        Assert.Contains("<BucketName>no-such-bucket-after-query</BucketName>", next.Body);
    }

    /// <summary>Node never reuses a socket whose request body it did not send, so this passed before the fix too; botocore (next test) is the client that broke.</summary>
    [Fact]
    public async Task Js_sdk_denied_put_object_then_the_same_client_puts_and_gets()
    {
        var b = await BucketAsync();
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{{b}}/denied/*"}]}
            """)).EnsureSuccess();

        var r = await Server.NodeAsync("s3-refused-upload", new { bucket = b });

        Assert.False(r.TryGetProperty("error", out _), r.ToString());
        // 3 MB: the SDK's default sends Expect: 100-continue; the small ones force it on and off.
        foreach (var denied in new[] { "deniedLarge", "deniedSmallExpect", "deniedSmallNoExpect" })
        {
            Assert.Equal("AccessDenied", r.GetProperty(denied).GetProperty("error").GetProperty("code").GetString());
            Assert.Equal(403, r.GetProperty(denied).GetProperty("error").GetProperty("status").GetInt32());
        }
        foreach (var after in new[] { "afterLarge", "afterSmallExpect", "afterSmallNoExpect" })
            Assert.Equal("allowed " + after, r.GetProperty(after).GetString());
    }

    [Fact]
    public async Task Cli_recursive_upload_with_one_connection_goes_on_after_a_denied_file()
    {
        var b = await BucketAsync();
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{{b}}/denied/*"}]}
            """)).EnsureSuccess();
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "denied"));
        File.WriteAllText(Path.Combine(tree, "a.txt"), "first");
        File.WriteAllBytes(Path.Combine(tree, "denied", "b.bin"), new byte[256 * 1024]);
        File.WriteAllText(Path.Combine(tree, "denied", "c.txt"), "refused too");
        File.WriteAllText(Path.Combine(tree, "x.txt"), "after the refusals");
        File.WriteAllText(Path.Combine(tree, "y.txt"), "and more");
        // One request at a time, so each upload after a refused one goes on the refused one's pooled connection.
        var config = Path.Combine(_dir, "config");
        File.WriteAllText(config, "[default]\ns3 =\n  max_concurrent_requests = 1\n");

        var upload = await ProcessRunner.RunAsync(RepoPaths.AwsCli, ["--endpoint-url", Server.Endpoint, "s3", "cp", tree, $"s3://{b}/", "--recursive"],
            new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = LocalShiftServer.RootKey, ["AWS_SECRET_ACCESS_KEY"] = LocalShiftServer.RootSecret,
                ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null, ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = config, ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null", ["AWS_PAGER"] = "",
            });
        var keys = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b)).Json().GetProperty("Contents")
            .EnumerateArray().Select(o => o.GetProperty("Key").GetString()).ToList();

        Assert.Equal(1, upload.ExitCode);
        Assert.Contains("upload failed", upload.Stderr);
        Assert.Contains("AccessDenied", upload.Stderr);
        Assert.DoesNotContain("BadRequest", upload.Stderr);
        Assert.Equal(["a.txt", "x.txt", "y.txt"], keys);
    }
}
