using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Policy;

/// <summary>STS through the AWS SDK for .NET (AWSSDK.SecurityToken), and its session credentials used by AWSSDK.S3.</summary>
public class StsSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = Server.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private AmazonS3Client S3(AWSCredentials credentials) =>
        new(credentials, new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    [Fact]
    public async Task Dotnet_sdk_assumes_a_role_with_its_external_id_and_the_session_is_held_to_the_role_policy()
    {
        var root = new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret);
        const string account = LocalShiftServer.AccountId;
        (await Server.AwsAsync("iam", "create-role", "--role-name", "SdkReader", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]}""".Replace("ACCOUNT", account))).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-role-policy", "--role-name", "SdkReader", "--policy-name", "read", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sts-sdk-data/public/*"}]}""")).EnsureSuccess();
        using (var s3Root = S3(root))
        {
            await s3Root.PutBucketAsync("sts-sdk-data");
            await s3Root.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "sts-sdk-data", Key = "public/a.txt", ContentBody = "readable" });
            await s3Root.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "sts-sdk-data", Key = "private/b.txt", ContentBody = "secret" });
        }

        using var sts = Sts(root);
        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(account, me.Account);
        Assert.Equal($"arn:aws:iam::{account}:root", me.Arn);

        var roleArn = $"arn:aws:iam::{account}:role/SdkReader";
        // AWS refuses AssumeRole to root credentials, whatever the trust policy says.
        var rootDenied = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk-session", ExternalId = "ext-42" }));
        Assert.Equal("AccessDenied", rootDenied.ErrorCode);
        Assert.Equal("Roles may not be assumed by root accounts.", rootDenied.Message);

        var (userKey, userSecret) = await Server.UserKeysAsync("sdk-assumer");
        using var asUser = Sts(new BasicAWSCredentials(userKey, userSecret));
        var denied = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            asUser.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk-session" }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Equal(403, (int)denied.StatusCode);
        Assert.Equal($"User: arn:aws:iam::{account}:user/sdk-assumer is not authorized to perform: sts:AssumeRole on resource: {roleArn}", denied.Message);

        var assumed = await asUser.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk-session", ExternalId = "ext-42", DurationSeconds = 900 });
        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId);
        Assert.Equal($"arn:aws:sts::{account}:assumed-role/SdkReader/sdk-session", assumed.AssumedRoleUser.Arn);
        Assert.InRange(assumed.Credentials.Expiration!.Value, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));

        var session = new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
        using (var asSession = Sts(session))
            Assert.Equal(assumed.AssumedRoleUser.Arn, (await asSession.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);

        using var s3 = S3(session);
        using (var readable = await s3.GetObjectAsync("sts-sdk-data", "public/a.txt"))
            Assert.Equal("readable", await new StreamReader(readable.ResponseStream).ReadToEndAsync());
        var forbidden = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectAsync("sts-sdk-data", "private/b.txt"));
        Assert.Equal("AccessDenied", forbidden.ErrorCode);
        Assert.Equal(403, (int)forbidden.StatusCode);

        // A forged session token is refused by the edge, not treated as anonymous.
        var forged = new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken + "x");
        using var forgedSts = Sts(forged);
        var invalid = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => forgedSts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("InvalidClientTokenId", invalid.ErrorCode);
    }
}
