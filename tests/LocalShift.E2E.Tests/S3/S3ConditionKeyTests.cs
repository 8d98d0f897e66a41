using System.Net;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>
/// S3's own condition keys in bucket policies, and encryption, ownership and public access as AWS's defaults are today
/// (issue 19, items 2 and 6), through /usr/bin/aws and the JS SDK v3. Keys per action as
/// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html lists them.
/// </summary>
public class S3ConditionKeyTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _file = Path.GetTempFileName();

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".out");
    }

    private static string NewBucket() => "keys-" + Guid.NewGuid().ToString("N")[..16];

    [Fact]
    public async Task Bucket_policy_matrix_over_the_s3_condition_keys_with_the_js_sdk()
    {
        var b = NewBucket();
        var userName = "keys" + Guid.NewGuid().ToString("N")[..8];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        var (key, secret) = await Server.UserKeysAsync(userName, policy: null);

        var r = await Server.NodeAsync("s3-condition-keys", new
        {
            bucket = b, account = LocalShiftServer.AccountId, userKey = key, userSecret = secret,
            userArn = $"arn:aws:iam::{LocalShiftServer.AccountId}:user/{userName}",
        });

        var expected = new Dictionary<string, string>
        {
            ["existingTag.getTagged"] = "ok",
            ["existingTag.getUntagged"] = "AccessDenied",
            ["existingTag.taggingOfTagged"] = "ok",
            ["requestTag.blue"] = "ok",
            ["requestTag.red"] = "AccessDenied",
            ["requestTag.extraKey"] = "AccessDenied",
            ["requestTag.none"] = "AccessDenied",
            ["requestTag.putTagging"] = "ok",
            ["requestTag.putTaggingRed"] = "AccessDenied",
            ["sse.none"] = "AccessDenied",
            ["sse.aes256"] = "ok",
            ["sse.kms"] = "ok",
            ["sse.dsse"] = "AccessDenied",
            ["sse.multipartNone"] = "AccessDenied",
            ["sse.multipartAes256"] = "AES256",
            ["kmsKey.good"] = "ok",
            ["kmsKey.other"] = "AccessDenied",
            ["kmsKey.absent"] = "AccessDenied", // ...IfExists is true when the key is absent, so the Deny applies
            ["ssec.denied"] = "AccessDenied",
            ["ssec.plain"] = "ok",
            ["copySource.pub"] = "ok",
            ["copySource.priv"] = "AccessDenied",
            ["copySource.plainPut"] = "ok",
            ["metadataDirective.copy"] = "ok",
            ["metadataDirective.replace"] = "AccessDenied",
            ["storageClass.standard"] = "ok",
            ["storageClass.ia"] = "AccessDenied",
            ["acl.ownerFullControl"] = "ok",
            ["acl.absent"] = "AccessDenied",
            ["contentSha256.unsigned"] = "AccessDenied",
            ["contentSha256.signed"] = "ok",
            ["signature.tagging"] = "ok",
            ["signature.list"] = "ok",
            ["resourceAccount.get"] = "AccessDenied",
            ["maxKeys.5"] = "ok",
            ["maxKeys.50"] = "AccessDenied",
            ["objectLock.compliance"] = "AccessDenied",
        };
        var actual = r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    /// <summary>
    /// The policy AWS's examples give for "deny unencrypted uploads"
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html), with the CLI: a plain upload is
    /// denied, --sse AES256 and --sse aws:kms pass, and each object reports its encryption.
    /// </summary>
    [Fact]
    public async Task Deny_unencrypted_uploads_denies_a_plain_put_and_allows_sse_s3_and_sse_kms_with_the_cli()
    {
        var b = NewBucket();
        File.WriteAllText(_file, "payload");
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"DenyIncorrectEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::BUCKET/*",
               "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]}}},
              {"Sid":"DenyUnencryptedObjectUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::BUCKET/*",
               "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}
            """.Replace("BUCKET", b))).EnsureSuccess();

        var plain = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "plain.txt", "--body", _file);
        var aes = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "aes.txt", "--body", _file, "--server-side-encryption", "AES256");
        var kms = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "kms.txt", "--body", _file, "--server-side-encryption", "aws:kms");
        var cp = await Server.AwsAsync("s3", "cp", _file, $"s3://{b}/cp.txt", "--sse", "AES256");
        var cpPlain = await Server.AwsAsync("s3", "cp", _file, $"s3://{b}/cp-plain.txt");
        var headKms = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "kms.txt")).Json();

        Assert.Contains("An error occurred (AccessDenied) when calling the PutObject operation", plain.Stderr);
        Assert.Contains("explicit deny in a resource-based policy", plain.Stderr);
        Assert.Equal("AES256", aes.Json().GetProperty("ServerSideEncryption").GetString());
        Assert.Equal("aws:kms", kms.Json().GetProperty("ServerSideEncryption").GetString());
        Assert.StartsWith($"arn:aws:kms:us-east-1:{LocalShiftServer.AccountId}:key/", kms.Json().GetProperty("SSEKMSKeyId").GetString());
        Assert.Equal(0, cp.ExitCode);
        Assert.Contains("AccessDenied", cpPlain.Stderr);
        Assert.Equal("aws:kms", headKms.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal(kms.Json().GetProperty("SSEKMSKeyId").GetString(), headKms.GetProperty("SSEKMSKeyId").GetString());
    }

    /// <summary>s3:ExistingObjectTag in an Allow (a user with no identity policy reads only tagged objects) and s3:authType
    /// (a bucket that refuses presigned URLs, https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html), with the CLI.</summary>
    [Fact]
    public async Task Existing_object_tag_allows_tagged_reads_and_auth_type_refuses_presigned_urls_with_the_cli()
    {
        var b = NewBucket();
        var userName = "tagreader" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(_file, "payload");
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "tagged.txt", "--body", _file, "--tagging", "team=data")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "other.txt", "--body", _file, "--tagging", "team=web")).EnsureSuccess();
        var (key, secret) = await Server.UserKeysAsync(userName, policy: null);
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:user/USER"},"Action":"s3:GetObject",
               "Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"data"}}},
              {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*",
               "Condition":{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}}]}
            """.Replace("BUCKET", b).Replace("ACCOUNT", LocalShiftServer.AccountId).Replace("USER", userName))).EnsureSuccess();

        var tagged = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "tagged.txt", _file + ".out");
        var other = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "other.txt", _file + ".out");
        var byHeader = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "other.txt", _file + ".out");
        var url = (await Server.AwsAsync("s3", "presign", $"s3://{b}/other.txt")).Stdout.Trim();
        using var http = new HttpClient();
        var presigned = await http.GetAsync(url);

        Assert.Equal(0, tagged.ExitCode);
        Assert.Contains("(AccessDenied) when calling the GetObject operation", other.Stderr);
        Assert.Equal(0, byHeader.ExitCode);
        Assert.Equal(HttpStatusCode.Forbidden, presigned.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await presigned.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Encryption_ownership_and_public_access_behave_as_aws_defaults_with_the_js_sdk()
    {
        var b = NewBucket();
        var account = LocalShiftServer.AccountId;
        var r = await Server.NodeAsync("s3-encryption", new { bucket = b, account });
        string Sse(string name) => r.GetProperty(name).GetProperty("sse").ToString();
        string? Key(string name) => r.GetProperty(name).GetProperty("key").GetString();

        Assert.Equal("AES256", Sse("putDefault"));
        Assert.Equal("AES256", Sse("headDefault"));
        Assert.Null(Key("putDefault"));
        Assert.Equal("aws:kms", Sse("putKms"));
        Assert.Matches($"^arn:aws:kms:us-east-1:{account}:key/[0-9a-f-]{{36}}$", Key("putKms"));
        Assert.Equal(Key("putKms"), Key("getKms"));
        Assert.Equal($"arn:aws:kms:us-east-1:{account}:key/0f0f0f0f-1111-2222-3333-444444444444", Key("putKmsKey"));
        Assert.True(r.GetProperty("putKmsKey").GetProperty("bucketKey").GetBoolean());
        Assert.Equal("AES256", Sse("copyOfKms"));
        Assert.Equal("InvalidArgument:400", r.GetProperty("badAlgorithm").GetString());
        Assert.Equal("aws:kms", Sse("multipart"));

        Assert.Equal("""{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":false}""", r.GetProperty("bucketDefault").GetRawText());
        Assert.Equal("aws:kms", r.GetProperty("bucketKms").GetProperty("ApplyServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.Equal("aws:kms", Sse("putUnderKmsDefault"));
        Assert.Equal($"arn:aws:kms:us-east-1:{account}:key/bucket-key-1", Key("putUnderKmsDefault"));
        Assert.True(r.GetProperty("putUnderKmsDefault").GetProperty("bucketKey").GetBoolean());
        Assert.Equal("AES256", Sse("putAesUnderKmsDefault"));
        Assert.Equal(r.GetProperty("bucketDefault").GetRawText(), r.GetProperty("bucketAfterDelete").GetRawText());
        Assert.Equal("AES256", Sse("putAfterDelete"));

        var ssecPut = r.GetProperty("ssecPut");
        Assert.Equal("AES256", ssecPut.GetProperty("algorithm").GetString());
        Assert.Equal(ssecPut.GetProperty("expectedMd5").GetString(), ssecPut.GetProperty("md5").GetString());
        Assert.Equal(JsonValueKind.Null, ssecPut.GetProperty("sse").ValueKind);
        Assert.Equal("InvalidRequest:400", r.GetProperty("ssecGetWithoutKey").GetString());
        Assert.EndsWith(":400", r.GetProperty("ssecHeadWithoutKey").GetString());
        Assert.Equal("AccessDenied:403", r.GetProperty("ssecGetOtherKey").GetString());
        Assert.Equal("secret", r.GetProperty("ssecGet").GetProperty("body").GetString());
        Assert.Equal("InvalidRequest:400", r.GetProperty("ssecOnPlainObject").GetString());
        Assert.Equal("InvalidRequest:400", r.GetProperty("ssecCopyWithoutSourceKey").GetString());
        Assert.Equal("ok", r.GetProperty("ssecCopyWithSourceKey").GetString());

        Assert.Equal("BucketOwnerEnforced", r.GetProperty("ownership").GetString());
        Assert.Equal("AccessControlListNotSupported:400", r.GetProperty("aclPublicRead").GetString());
        Assert.Equal("AccessControlListNotSupported:400", r.GetProperty("aclGrant").GetString());
        Assert.Equal("ok", r.GetProperty("aclOwnerFullControl").GetString());
        Assert.Equal("InvalidBucketAclWithObjectOwnership:400", r.GetProperty("aclOnCreateBucket").GetString());
        Assert.Equal("ok", r.GetProperty("aclWithObjectWriter").GetString());

        Assert.Equal("ok", r.GetProperty("pabBefore").GetString());
        Assert.True(r.GetProperty("pabDefault").GetProperty("BlockPublicPolicy").GetBoolean());
        Assert.Equal("""{"BlockPublicAcls":true,"IgnorePublicAcls":false,"BlockPublicPolicy":true,"RestrictPublicBuckets":false}""", r.GetProperty("pab").GetRawText());
        Assert.Equal("AccessDenied:403", r.GetProperty("publicPolicyBlocked").GetString());
        Assert.Contains("because public policies are blocked by the BlockPublicPolicy block public access setting", r.GetProperty("publicPolicyBlockedMessage").GetString());
        Assert.Equal("ok", r.GetProperty("accountPolicy").GetString());
        Assert.False(r.GetProperty("statusAccountPolicy").GetBoolean());
        Assert.Equal("AccessDenied:403", r.GetProperty("aclPublicReadBlocked").GetString());
        Assert.Equal("NoSuchPublicAccessBlockConfiguration:404", r.GetProperty("pabAfterDelete").GetString());
        Assert.Equal("ok", r.GetProperty("publicPolicyAfterDelete").GetString());
        Assert.True(r.GetProperty("statusPublicPolicy").GetBoolean());
    }

    [Fact]
    public async Task Bucket_encryption_ownership_and_public_access_block_with_the_cli()
    {
        var b = NewBucket();
        File.WriteAllText(_file, "payload");
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();

        var encryption = (await Server.AwsAsync("s3api", "get-bucket-encryption", "--bucket", b)).Json();
        var ownership = (await Server.AwsAsync("s3api", "get-bucket-ownership-controls", "--bucket", b)).Json();
        var acl = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "a.txt", "--body", _file, "--acl", "public-read");
        var defaultBlock = (await Server.AwsAsync("s3api", "get-public-access-block", "--bucket", b)).Json();
        var blockedByDefault = await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/*"}]}
            """);
        (await Server.AwsAsync("s3api", "delete-public-access-block", "--bucket", b)).EnsureSuccess();
        var noBlock = await Server.AwsAsync("s3api", "get-public-access-block", "--bucket", b);
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "a.txt", "--body", _file)).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/*"}]}
            """)).EnsureSuccess();
        using var http = new HttpClient();
        var anonymousBefore = await http.GetAsync($"{Server.Endpoint}/{b}/a.txt");
        (await Server.AwsAsync("s3api", "put-public-access-block", "--bucket", b, "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")).EnsureSuccess();
        var block = (await Server.AwsAsync("s3api", "get-public-access-block", "--bucket", b)).Json();
        var anonymousRestricted = await http.GetAsync($"{Server.Endpoint}/{b}/a.txt");
        var ownerRestricted = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "a.txt", _file + ".out");
        var publicPolicy = await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/*"}]}
            """);

        Assert.Equal("AES256", encryption.GetProperty("ServerSideEncryptionConfiguration").GetProperty("Rules")[0]
            .GetProperty("ApplyServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.Equal("BucketOwnerEnforced", ownership.GetProperty("OwnershipControls").GetProperty("Rules")[0].GetProperty("ObjectOwnership").GetString());
        Assert.Contains("An error occurred (AccessControlListNotSupported) when calling the PutObject operation: The bucket does not allow ACLs", acl.Stderr);
        // New buckets block public access with all four settings, as AWS's have since April 2023.
        var defaults = defaultBlock.GetProperty("PublicAccessBlockConfiguration");
        Assert.All(["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], s => Assert.True(defaults.GetProperty(s).GetBoolean()));
        Assert.Contains("An error occurred (AccessDenied) when calling the PutBucketPolicy operation", blockedByDefault.Stderr);
        Assert.Contains("(NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock operation: The public access block configuration was not found", noBlock.Stderr);
        Assert.True(block.GetProperty("PublicAccessBlockConfiguration").GetProperty("RestrictPublicBuckets").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, anonymousBefore.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, anonymousRestricted.StatusCode); // RestrictPublicBuckets: the public policy no longer lets others in
        Assert.Equal(0, ownerRestricted.ExitCode);
        Assert.Contains("An error occurred (AccessDenied) when calling the PutBucketPolicy operation", publicPolicy.Stderr);
    }
}
