using System.Net;
using System.Text;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>The AWS edge as the real CLI and the JS SDK see it: identity, and every SigV4 failure with AWS's code and text.</summary>
public class EdgeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Cli_get_caller_identity_as_root_shows_the_account_root()
    {
        var id = (await Server.AwsAsync("sts", "get-caller-identity")).Json();
        Assert.Equal("123456789012", id.GetProperty("Account").GetString());
        Assert.Equal("arn:aws:iam::123456789012:root", id.GetProperty("Arn").GetString());
        Assert.Equal("123456789012", id.GetProperty("UserId").GetString());
    }

    [Fact]
    public async Task Js_sdk_get_caller_identity_as_root_shows_the_account_root()
    {
        var r = await Server.NodeAsync("sts-caller");
        var ok = r.GetProperty("ok");
        Assert.Equal("arn:aws:iam::123456789012:root", ok.GetProperty("Arn").GetString());
        Assert.Equal("123456789012", ok.GetProperty("Account").GetString());
    }

    // Every operation of every embedded model exists on the endpoint: the ones not emulated answer NotImplemented in
    // the protocol the client speaks, which the CLI can only read when the envelope is right.
    [Theory]
    [InlineData("glue", "get-crawlers", "GetCrawlers")]                     // json 1.1
    [InlineData("lambda", "list-layers", "ListLayers")]                     // rest-json, GET /2018-10-31/layers
    [InlineData("lambda", "get-provisioned-concurrency-config --function-name f1 --qualifier live", "GetProvisionedConcurrencyConfig")] // rest-json, labels in the path
    [InlineData("redshift", "describe-event-subscriptions", "DescribeEventSubscriptions")] // query
    [InlineData("iam", "list-open-id-connect-providers", "ListOpenIDConnectProviders")] // query, a service not yet typed
    public async Task An_operation_not_emulated_answers_not_implemented_in_its_protocol(string service, string command, string operation)
    {
        var r = await Server.AwsAsync([service, .. command.Split(' ')]);
        Assert.Equal(254, r.ExitCode);
        Assert.Contains($"An error occurred (NotImplemented) when calling the {operation} operation: The operation {operation} of service {service} is not implemented by LocalShift.", r.Stderr);
    }

    [Fact]
    public async Task An_action_the_model_does_not_have_is_invalid_action()
    {
        using var http = new HttpClient();
        var req = Server.SignedRequest(HttpMethod.Post, "/", "redshift", "Action=DescribeUnicorns&Version=2012-12-01", "application/x-www-form-urlencoded; charset=utf-8");
        var r = await http.SendAsync(req);
        var xml = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("<Code>InvalidAction</Code>", xml);
        Assert.Contains("Could not find operation DescribeUnicorns for version 2012-12-01", xml);
    }

    [Fact]
    public async Task A_json_target_the_model_does_not_have_is_unknown_operation_in_json()
    {
        using var http = new HttpClient();
        var req = Server.SignedRequest(HttpMethod.Post, "/", "glue", "{}", "application/x-amz-json-1.1");
        req.Headers.Add("X-Amz-Target", "AWSGlue.GetUnicorns");
        var r = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("UnknownOperationException", r.Headers.GetValues("x-amzn-ErrorType").Single());
        using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("UnknownOperationException", body.RootElement.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Wrong_secret_is_signature_does_not_match()
    {
        var r = await Server.AwsAsAsync("test", "not-the-secret", null, "sts", "get-caller-identity");
        Assert.Equal(254, r.ExitCode);
        Assert.Contains("An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.", r.Stderr);
    }

    [Fact]
    public async Task Unknown_access_key_is_invalid_client_token_id()
    {
        var r = await Server.AwsAsAsync("AKIAUNKNOWNUNKNOWN00", "x", null, "sts", "get-caller-identity");
        Assert.Contains("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.", r.Stderr);
    }

    [Fact]
    public async Task A_session_token_on_a_long_term_key_is_refused()
    {
        var r = await Server.AwsAsAsync("test", "test", "some-token", "sts", "get-caller-identity");
        Assert.Contains("(InvalidClientTokenId)", r.Stderr);
    }

    [Fact]
    public async Task A_clock_20_minutes_behind_is_request_expired()
    {
        if (!File.Exists("/usr/bin/faketime")) Assert.Fail("faketime is not installed; .ci/run installs it (apt-get install faketime).");
        var env = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test", ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        };
        var r = await ProcessRunner.RunAsync("/usr/bin/faketime",
            ["-f", "-20m", RepoPaths.AwsCli, "--endpoint-url", Server.Endpoint, "--region", "us-east-1", "sts", "get-caller-identity"], env);
        Assert.Contains("An error occurred (RequestExpired) when calling the GetCallerIdentity operation: Request has expired", r.Stderr);
    }

    [Fact]
    public async Task An_unsigned_query_request_is_missing_authentication_token()
    {
        using var http = new HttpClient();
        var body = new StringContent("Action=GetCallerIdentity&Version=2011-06-15", Encoding.UTF8, "application/x-www-form-urlencoded");
        var r = await http.PostAsync(Server.Endpoint + "/", body);
        var xml = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", xml);
        Assert.Contains("<Message>Request is missing Authentication Token</Message>", xml);
        Assert.True(r.Headers.Contains("x-amzn-RequestId"));
    }

    [Fact]
    public async Task An_authorization_header_without_signature_is_an_incomplete_signature()
    {
        using var http = new HttpClient();
        var req = new HttpRequestMessage(HttpMethod.Post, Server.Endpoint + "/")
        {
            Content = new StringContent("Action=GetCallerIdentity&Version=2011-06-15", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        req.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date");
        req.Headers.TryAddWithoutValidation("X-Amz-Date", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'"));
        var r = await http.SendAsync(req);
        var xml = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("<Code>IncompleteSignature</Code>", xml);
        Assert.Contains("Authorization header requires 'Signature' parameter.", xml);
    }

    [Fact]
    public async Task An_operation_not_emulated_answers_not_implemented_naming_it()
    {
        var r = await Server.AwsAsync("sts", "get-session-token");
        Assert.Equal(254, r.ExitCode);
        Assert.Contains("An error occurred (NotImplemented) when calling the GetSessionToken operation: The operation GetSessionToken of service sts is not implemented by LocalShift.", r.Stderr);
    }

    [Fact]
    public async Task Health_answers_json_once_ready()
    {
        using var http = new HttpClient();
        var r = await http.GetAsync(Server.Endpoint + "/_localshift/health");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("\"status\":\"ready\"", await r.Content.ReadAsStringAsync());
    }
}
