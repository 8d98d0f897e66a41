using System.Net;
using System.Text;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>A server with a second account, for cross-account S3 checks.</summary>
public sealed class TwoAccountServerFixture : IAsyncLifetime
{
    public const string OtherAccount = "222222222222";
    public const string OtherKey = "OTHERACCOUNTKEY";
    public const string OtherSecret = "other-secret";
    public LocalShiftServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await LocalShiftServer.StartAsync(null, "--account", $"{OtherAccount}={OtherKey}:{OtherSecret}");
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>S3 decisions through the policy engine: identity policies, bucket policies, anonymous and cross-account callers.</summary>
public class S3AuthorizationTests(TwoAccountServerFixture fixture) : IClassFixture<TwoAccountServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private async Task<string> BucketWithObjectsAsync()
    {
        var b = "auth-" + Guid.NewGuid().ToString("N")[..16];
        File.WriteAllText(_file, "content");
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "pub/a.txt", "--body", _file)).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "priv/b.txt", "--body", _file)).EnsureSuccess();
        return b;
    }

    private Task<CommandResult> Other(params string[] args) =>
        Server.AwsAsAsync(TwoAccountServerFixture.OtherKey, TwoAccountServerFixture.OtherSecret, null, args);

    private async Task<(string Key, string Secret)> UserWithPolicyAsync(string policy)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..10];
        (await Server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "s3", "--policy-document", policy)).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    [Fact]
    public async Task An_iam_user_reads_only_what_its_policy_allows_with_prefix_conditions_on_listing()
    {
        var b = await BucketWithObjectsAsync();
        var (key, secret) = await UserWithPolicyAsync("""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/pub/*"},
              {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{"StringLike":{"s3:prefix":"pub/*"}}}]}
            """.Replace("BUCKET", b));
        var outFile = _file + ".out";

        var allowed = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "pub/a.txt", outFile);
        var denied = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "priv/b.txt", outFile);
        var missing = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "pub/none.txt", outFile);
        var listPub = await Server.AwsAsAsync(key, secret, null, "s3api", "list-objects-v2", "--bucket", b, "--prefix", "pub/");
        var listAll = await Server.AwsAsAsync(key, secret, null, "s3api", "list-objects-v2", "--bucket", b);
        var put = await Server.AwsAsAsync(key, secret, null, "s3api", "put-object", "--bucket", b, "--key", "pub/new.txt", "--body", _file);

        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains("An error occurred (AccessDenied) when calling the GetObject operation", denied.Stderr);
        Assert.Contains("s3:GetObject", denied.Stderr);
        Assert.Contains("(AccessDenied)", missing.Stderr); // no s3:ListBucket on "" prefix: S3 hides whether the key exists
        Assert.Equal(0, listPub.ExitCode);
        Assert.Contains("(AccessDenied)", listAll.Stderr);
        Assert.Contains("(AccessDenied)", put.Stderr);
    }

    [Fact]
    public async Task An_explicit_deny_in_the_bucket_policy_wins_over_an_identity_allow()
    {
        var b = await BucketWithObjectsAsync();
        var (key, secret) = await UserWithPolicyAsync("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""");
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/priv/*"}]}
            """)).EnsureSuccess();

        var pub = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "pub/a.txt", _file + ".o");
        var priv = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "priv/b.txt", _file + ".o");

        Assert.Equal(0, pub.ExitCode);
        Assert.Contains("(AccessDenied)", priv.Stderr);
        Assert.Contains("explicit deny in a resource-based policy", priv.Stderr);
    }

    [Fact]
    public async Task Anonymous_reads_need_a_public_bucket_policy()
    {
        var b = await BucketWithObjectsAsync();
        using var http = new HttpClient();

        var before = await http.GetAsync($"{Server.Endpoint}/{b}/pub/a.txt");
        // New buckets block public policies, as AWS's do: a public bucket is made public on purpose.
        (await Server.AwsAsync("s3api", "delete-public-access-block", "--bucket", b)).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/pub/*"}]}
            """)).EnsureSuccess();
        var after = await http.GetAsync($"{Server.Endpoint}/{b}/pub/a.txt");
        var priv = await http.GetAsync($"{Server.Endpoint}/{b}/priv/b.txt");
        var missing = await http.GetAsync($"{Server.Endpoint}/{b}/pub/none.txt");
        var list = await http.GetAsync($"{Server.Endpoint}/{b}?list-type=2");
        using var vhost = new HttpRequestMessage(HttpMethod.Get, $"{Server.Endpoint}/pub/a.txt");
        vhost.Headers.Host = $"{b}.s3.localhost:{Server.Port}";
        var virtualHosted = await http.SendAsync(vhost);

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await before.Content.ReadAsStringAsync());
        Assert.Equal("content", await after.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, priv.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal("content", await virtualHosted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Another_account_needs_the_bucket_policy_and_cannot_take_the_bucket_name()
    {
        var b = await BucketWithObjectsAsync();
        var outFile = _file + ".x";

        var before = await Other("s3api", "get-object", "--bucket", b, "--key", "pub/a.txt", outFile);
        var taken = await Other("s3api", "create-bucket", "--bucket", b);
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{TwoAccountServerFixture.OtherAccount}}:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{{b}}","arn:aws:s3:::{{b}}/*"]}]}
            """)).EnsureSuccess();
        var after = await Other("s3api", "get-object", "--bucket", b, "--key", "pub/a.txt", outFile);
        var list = await Other("s3", "ls", $"s3://{b}/pub/");
        var write = await Other("s3api", "put-object", "--bucket", b, "--key", "pub/x", "--body", _file);
        var ownList = (await Other("s3api", "list-buckets")).Json();

        Assert.Contains("(AccessDenied)", before.Stderr);
        Assert.Contains("An error occurred (BucketAlreadyExists) when calling the CreateBucket operation", taken.Stderr);
        Assert.Equal(0, after.ExitCode);
        Assert.Contains("a.txt", list.Stdout);
        Assert.Contains("(AccessDenied)", write.Stderr);
        Assert.DoesNotContain(b, ownList.ToString());
    }

    /// <summary>https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html: the bucket owner's root can
    /// always run GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy, even when the policy explicitly denies it.</summary>
    [Fact]
    public async Task A_policy_denying_everyone_everything_cannot_lock_the_owning_root_out_of_the_policy()
    {
        var b = await BucketWithObjectsAsync();
        var (userKey, userSecret) = await UserWithPolicyAsync("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""");
        var lockOut = $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"LockOut","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{{b}}","arn:aws:s3:::{{b}}/*"]}]}
            """;
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", lockOut)).EnsureSuccess();

        var objectWhileLocked = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "pub/new.txt", "--body", _file);
        var userReads = await Server.AwsAsAsync(userKey, userSecret, null, "s3api", "get-bucket-policy", "--bucket", b);
        var userDeletes = await Server.AwsAsAsync(userKey, userSecret, null, "s3api", "delete-bucket-policy", "--bucket", b);
        var otherAccountReads = await Other("s3api", "get-bucket-policy", "--bucket", b);
        var rootReads = await Server.AwsAsync("s3api", "get-bucket-policy", "--bucket", b);
        var rootReplaces = await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", lockOut.Replace("LockOut", "StillLockedOut"));
        var afterReplace = (await Server.AwsAsync("s3api", "get-bucket-policy", "--bucket", b)).Json().GetProperty("Policy").GetString();
        var rootDeletes = await Server.AwsAsync("s3api", "delete-bucket-policy", "--bucket", b);
        var objectAfterDelete = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "pub/new.txt", "--body", _file);

        Assert.Contains("(AccessDenied) when calling the PutObject operation", objectWhileLocked.Stderr); // the rule covers only the policy
        Assert.Contains("(AccessDenied) when calling the GetBucketPolicy operation", userReads.Stderr); // and only the root
        Assert.Contains("(AccessDenied) when calling the DeleteBucketPolicy operation", userDeletes.Stderr);
        Assert.Contains("(AccessDenied) when calling the GetBucketPolicy operation", otherAccountReads.Stderr); // of the owning account
        Assert.Contains("\"LockOut\"", rootReads.Json().GetProperty("Policy").GetString());
        Assert.Equal(0, rootReplaces.ExitCode);
        Assert.Contains("StillLockedOut", afterReplace);
        Assert.Equal(0, rootDeletes.ExitCode);
        Assert.Equal(0, objectAfterDelete.ExitCode);
    }

    /// <summary>
    /// A caller without the permission is AccessDenied before its document is read, as in S3; a caller with it learns that
    /// the document is malformed. Each operation's document is replaced by malformed bytes after botocore builds it.
    /// </summary>
    [Fact]
    public async Task A_malformed_bucket_document_from_a_caller_without_permission_is_access_denied()
    {
        var b = await BucketWithObjectsAsync();
        var (key, secret) = await UserWithPolicyAsync("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""");

        var denied = await MalformedDocumentsAsync(key, secret, b);
        var root = await MalformedDocumentsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, b);

        string[] operations = ["PutBucketTagging", "PutBucketVersioning", "PutBucketEncryption", "PutBucketOwnershipControls", "PutPublicAccessBlock"];
        Assert.Equal(operations.Select(o => $"{o} 403 AccessDenied"), denied);
        Assert.Equal(operations.Select(o => $"{o} 400 MalformedXML"), root);
    }

    private async Task<List<string>> MalformedDocumentsAsync(string key, string secret, string bucket)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "LocalShift.E2E.Tests", "S3", "s3_malformed_documents.py");
        var env = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = key, ["AWS_SECRET_ACCESS_KEY"] = secret, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null,
            ["AWS_CONFIG_FILE"] = "/dev/null", ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        };
        var run = await ProcessRunner.RunAsync(RepoPaths.AwsCliPython, [script], env, timeout: TimeSpan.FromMinutes(2),
            stdin: System.Text.Json.JsonSerializer.Serialize(new { endpoint = Server.Endpoint, bucket }));
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(run.Stdout);
        return doc.RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("operation").GetString()} {e.GetProperty("status").GetInt32()} {e.GetProperty("code").GetString()}")
            .ToList();
    }
}
