using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>S3 through the AWS SDK for .NET (AWSSDK.S3) and the AWS SDK for JavaScript v3.</summary>
public class S3SdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private AmazonS3Client Client(string secret = LocalShiftServer.RootSecret) => new(
        new BasicAWSCredentials(LocalShiftServer.RootKey, secret),
        new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static string NewBucket() => "sdk-" + Guid.NewGuid().ToString("N")[..16];

    [Fact]
    public async Task Dotnet_sdk_put_with_aws_chunked_trailers_then_get_list_and_delete()
    {
        using var s3 = Client();
        var b = NewBucket();
        await s3.PutBucketAsync(b);
        var content = new byte[300 * 1024];
        Random.Shared.NextBytes(content);

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = b, Key = "data/blob.bin", InputStream = new MemoryStream(content), ContentType = "application/x-test" });
        using var get = await s3.GetObjectAsync(b, "data/blob.bin");
        var back = new MemoryStream();
        await get.ResponseStream.CopyToAsync(back);
        var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = b, Prefix = "data/" });
        await s3.DeleteObjectAsync(b, "data/blob.bin");
        var afterDelete = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = b });

        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"", put.ETag);
        Assert.Equal(content, back.ToArray());
        Assert.Equal("application/x-test", get.Headers.ContentType);
        Assert.Equal(["data/blob.bin"], list.S3Objects.Select(o => o.Key));
        Assert.True(afterDelete.S3Objects is null || afterDelete.S3Objects.Count == 0);
    }

    [Fact]
    public async Task Dotnet_sdk_transfer_utility_uploads_in_parts()
    {
        using var s3 = Client();
        var b = NewBucket();
        await s3.PutBucketAsync(b);
        var content = new byte[20 * 1024 * 1024];
        Random.Shared.NextBytes(content);

        using var transfer = new TransferUtility(s3);
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = b, Key = "big.bin", InputStream = new MemoryStream(content), PartSize = 5 * 1024 * 1024 });
        var meta = await s3.GetObjectMetadataAsync(b, "big.bin");
        using var get = await s3.GetObjectAsync(b, "big.bin");
        var back = new MemoryStream();
        await get.ResponseStream.CopyToAsync(back);

        Assert.EndsWith("-4\"", meta.ETag);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(back.ToArray()));
    }

    [Fact]
    public async Task Dotnet_sdk_presigned_url_serves_the_object()
    {
        using var s3 = Client();
        var b = NewBucket();
        await s3.PutBucketAsync(b);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = b, Key = "p.txt", ContentBody = "presigned by .NET" });

        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = b, Key = "p.txt", Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP });
        using var http = new HttpClient();

        Assert.Equal("presigned by .NET", await http.GetStringAsync(url));
    }

    [Fact]
    public async Task Dotnet_sdk_with_a_wrong_secret_is_refused()
    {
        using var s3 = Client("wrong-secret");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.ListBucketsAsync());
        Assert.Equal("SignatureDoesNotMatch", e.ErrorCode);
    }

    [Fact]
    public async Task Js_sdk_put_get_copy_list_multipart_and_delete()
    {
        var b = NewBucket();
        var r = await Server.NodeAsync("s3-objects", new { bucket = b });

        Assert.False(r.TryGetProperty("error", out _), r.ToString());
        Assert.Equal("hello from js", r.GetProperty("body").GetString());
        Assert.Equal("text/plain", r.GetProperty("contentType").GetString());
        Assert.Equal("js", r.GetProperty("metadata").GetProperty("origin").GetString());
        Assert.Equal(r.GetProperty("expectedStreamedSha").GetString(), r.GetProperty("streamedSha").GetString());
        Assert.Equal(r.GetProperty("expectedMultipartSha").GetString(), r.GetProperty("multipartSha").GetString());
        Assert.EndsWith("-2\"", r.GetProperty("multipartETag").GetString());
        Assert.Equal(13, r.GetProperty("copyLength").GetInt32());
        Assert.Equal(["copy.txt", "multi.bin", "streamed.bin"], r.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(["dir/"], r.GetProperty("prefixes").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("NoSuchKey", r.GetProperty("missing").GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(404, r.GetProperty("missing").GetProperty("error").GetProperty("status").GetInt32());
    }
}
