using System.Text.Json;
using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>The smaller differences from AWS that issue 19 lists (item 7), each through the client a user would use.</summary>
public class S3SmallerDifferencesTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-s3-small-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private AmazonS3Client Client() => new(
        new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret),
        new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static string NewBucket() => "small-" + Guid.NewGuid().ToString("N")[..16];

    private static async Task<string> ReadAsync(AmazonS3Client s3, string bucket, string key)
    {
        using var get = await s3.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(get.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    private static PutObjectRequest Put(string bucket, string key, string body, string? ifMatch = null) =>
        new() { BucketName = bucket, Key = key, ContentBody = body, IfMatch = ifMatch };

    [Fact]
    public async Task Put_object_with_if_match_replaces_only_the_object_with_that_etag()
    {
        using var s3 = Client();
        var b = NewBucket();
        await s3.PutBucketAsync(b);
        var first = await s3.PutObjectAsync(Put(b, "k", "first"));

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(Put(b, "k", "lost update", "\"0123456789abcdef0123456789abcdef\"")));
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(Put(b, "absent", "x", first.ETag)));
        var second = await s3.PutObjectAsync(Put(b, "k", "second", first.ETag));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("PreconditionFailed", stale.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("second", await ReadAsync(s3, b, "k"));
    }

    [Fact]
    public async Task Complete_multipart_upload_honours_if_match_and_a_repeat_gets_the_same_answer()
    {
        using var s3 = Client();
        var b = NewBucket();
        await s3.PutBucketAsync(b);
        var old = await s3.PutObjectAsync(Put(b, "mp", "old"));
        var init = await s3.InitiateMultipartUploadAsync(b, "mp");
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = b, Key = "mp", UploadId = init.UploadId, PartNumber = 1, InputStream = new MemoryStream(Encoding.UTF8.GetBytes("new by parts")),
        });
        CompleteMultipartUploadRequest Complete(string? ifMatch) => new()
        {
            BucketName = b, Key = "mp", UploadId = init.UploadId, IfMatch = ifMatch,
            PartETags = [new PartETag { PartNumber = 1, ETag = part.ETag }],
        };

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.CompleteMultipartUploadAsync(Complete("\"0123456789abcdef0123456789abcdef\"")));
        var done = await s3.CompleteMultipartUploadAsync(Complete(old.ETag));
        // An SDK retrying after a lost answer sends the same request again.
        var again = await s3.CompleteMultipartUploadAsync(Complete(old.ETag));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("PreconditionFailed", stale.ErrorCode);
        Assert.EndsWith("-1\"", done.ETag);
        Assert.Equal(done.ETag, again.ETag);
        Assert.Equal(done.Location, again.Location);
        Assert.Equal(done.Key, again.Key);
        Assert.Equal("new by parts", await ReadAsync(s3, b, "mp"));
        // Once the object is replaced, the old upload id is gone for good.
        await s3.PutObjectAsync(Put(b, "mp", "replaced"));
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.CompleteMultipartUploadAsync(Complete(null)));
        Assert.Equal("NoSuchUpload", gone.ErrorCode);
    }

    [Fact]
    public async Task Upload_part_copy_refuses_a_range_past_the_end_of_the_source()
    {
        var b = "small-cli-" + Guid.NewGuid().ToString("N")[..12];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        var src = Path.Combine(_dir, "src.txt");
        File.WriteAllText(src, "0123456789");
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "src", "--body", src)).EnsureSuccess();
        var uploadId = (await Server.AwsAsync("s3api", "create-multipart-upload", "--bucket", b, "--key", "dst")).Json().GetProperty("UploadId").GetString()!;

        string[] Copy(string range) => ["s3api", "upload-part-copy", "--bucket", b, "--key", "dst", "--upload-id", uploadId, "--part-number", "1",
            "--copy-source", $"{b}/src", "--copy-source-range", range];
        var pastEnd = await Server.AwsAsync(Copy("bytes=5-10"));
        var inside = await Server.AwsAsync(Copy("bytes=5-9"));

        Assert.Contains("An error occurred (InvalidArgument) when calling the UploadPartCopy operation: Range specified is not valid for source object of size: 10", pastEnd.Stderr);
        Assert.Equal(0, inside.ExitCode);
    }

    [Fact]
    public async Task Content_encoding_is_answered_as_it_was_sent()
    {
        var b = "small-cli-" + Guid.NewGuid().ToString("N")[..12];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        var src = Path.Combine(_dir, "enc.bin");
        File.WriteAllBytes(src, [1, 2, 3]);

        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "enc", "--body", src, "--content-encoding", "gzip, br")).EnsureSuccess();
        var head = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "enc")).Json();

        Assert.Equal("gzip, br", head.GetProperty("ContentEncoding").GetString());
    }

    [Fact]
    public async Task Non_ascii_metadata_is_stored_and_answered_rfc_2047_encoded()
    {
        var b = "small-raw-" + Guid.NewGuid().ToString("N")[..12];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "delete-public-access-block", "--bucket", b)).EnsureSuccess(); // the policy below is public
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::{{b}}/*"}]}
            """)).EnsureSuccess();
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);

        // What curl or a hand-made request sends: the value's UTF-8 bytes, raw.
        await conn.SendAsync([.. Encoding.ASCII.GetBytes($"PUT /{b}/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nx-amz-meta-city: "),
            .. Encoding.UTF8.GetBytes("Zürich €"), .. Encoding.ASCII.GetBytes("\r\n\r\nhi")]);
        var put = await conn.ReadResponseAsync();
        await conn.SendAsync($"GET /{b}/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var get = await conn.ReadResponseAsync();
        var cliHead = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "meta")).Json();

        Assert.Equal(200, put.Status);
        Assert.Equal(200, get.Status);
        Assert.Equal("hi", get.Body);
        Assert.Equal("=?UTF-8?Q?Z=C3=BCrich_=E2=82=AC?=", get.Headers["x-amz-meta-city"].Single());
        Assert.Equal("=?UTF-8?Q?Z=C3=BCrich_=E2=82=AC?=", cliHead.GetProperty("Metadata").GetProperty("city").GetString());
    }

    [Fact]
    public async Task Metadata_bytes_that_are_not_utf8_are_refused_as_a_bad_request_and_store_nothing()
    {
        var b = "small-raw-" + Guid.NewGuid().ToString("N")[..12];
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "delete-public-access-block", "--bucket", b)).EnsureSuccess(); // the policy below is public
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::{{b}}/*"}]}
            """)).EnsureSuccess();
        using var conn = await RawHttpConnection.OpenAsync(Server.Port);

        // boto3 sends header values in Latin-1 (the AWS CLI refuses non-ASCII metadata before sending): 'è' arrives as
        // the lone byte 0xE8. Kestrel refuses header bytes that are not UTF-8 before LocalShift sees the request.
        await conn.SendAsync([.. Encoding.ASCII.GetBytes($"PUT /{b}/latin1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nx-amz-meta-city: Gen"),
            0xE8, .. Encoding.ASCII.GetBytes("ve\r\n\r\nhi")]);
        var put = await conn.ReadResponseAsync();
        var head = await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "latin1");

        Assert.Equal(400, put.Status);
        Assert.Contains("(404)", head.Stderr);
    }

    [Fact]
    public async Task List_buckets_pages_with_max_buckets_and_the_continuation_token()
    {
        using var s3 = Client();
        var prefix = "page-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var names = Enumerable.Range(1, 5).Select(i => $"{prefix}{i}").ToList();
        foreach (var n in names) await s3.PutBucketAsync(n);

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = prefix, MaxBuckets = 2, ContinuationToken = token });
            seen.AddRange(page.Buckets.Select(x => x.BucketName));
            Assert.Equal(prefix, page.Prefix);
            token = page.ContinuationToken;
            pages++;
        } while (token is not null);

        Assert.Equal(names, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Cli_reads_a_part_lists_v1_with_a_raw_prefix_tags_buckets_and_needs_get_object_attributes()
    {
        var b = NewBucket();
        var big = Path.Combine(_dir, "big.bin");
        var data = new byte[9 * 1024 * 1024]; // over the CLI's 8 MB threshold: two parts, 8 MB and 1 MB
        new Random(5).NextBytes(data);
        File.WriteAllBytes(big, data);
        var user = "u" + Guid.NewGuid().ToString("N")[..10];
        var results = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            ["s3", "mb", $"s3://{b}"],
            ["s3", "cp", big, $"s3://{b}/big.bin"],
            ["s3api", "head-object", "--bucket", b, "--key", "big.bin", "--part-number", "2"],
            ["s3api", "head-object", "--bucket", b, "--key", "big.bin", "--part-number", "3"],
            ["s3api", "put-object", "--bucket", b, "--key", "a b+c/k", "--body", big],
            ["s3api", "list-objects", "--bucket", b, "--prefix", "a b+c/", "--no-paginate"],
            ["s3api", "get-bucket-tagging", "--bucket", b],
            ["s3api", "put-bucket-tagging", "--bucket", b, "--tagging", "TagSet=[{Key=team,Value=data},{Key=env,Value=ci}]"],
            ["s3api", "get-bucket-tagging", "--bucket", b],
            ["s3api", "delete-bucket-tagging", "--bucket", b],
            ["s3api", "get-bucket-tagging", "--bucket", b],
            ["iam", "create-user", "--user-name", user],
            ["iam", "put-user-policy", "--user-name", user, "--policy-name", "read", "--policy-document",
                $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/*"}]}"""],
            ["iam", "create-access-key", "--user-name", user],
        ]);
        var key = JsonDocument.Parse(results[^1].EnsureSuccess().Stdout).RootElement.GetProperty("AccessKey");
        var asUser = await Server.AwsBatchAsAsync(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!, null,
        [
            ["s3api", "head-object", "--bucket", b, "--key", "big.bin"],
            ["s3api", "get-object-attributes", "--bucket", b, "--key", "big.bin", "--object-attributes", "ObjectSize"],
        ]);

        var part2 = JsonDocument.Parse(results[2].EnsureSuccess().Stdout).RootElement;
        Assert.Equal(2, part2.GetProperty("PartsCount").GetInt32());
        Assert.Equal(1024 * 1024, part2.GetProperty("ContentLength").GetInt64());
        Assert.Contains("(416)", results[3].Stderr);
        // botocore asks for encoding-type=url and decodes a v1 listing's keys, but not its Prefix: S3 answers Prefix as sent.
        var listing = JsonDocument.Parse(results[5].EnsureSuccess().Stdout).RootElement;
        Assert.Equal("a b+c/", listing.GetProperty("Prefix").GetString());
        Assert.Equal("a b+c/k", listing.GetProperty("Contents")[0].GetProperty("Key").GetString());
        Assert.Contains("An error occurred (NoSuchTagSet) when calling the GetBucketTagging operation: The TagSet does not exist", results[6].Stderr);
        results[7].EnsureSuccess();
        var tags = JsonDocument.Parse(results[8].EnsureSuccess().Stdout).RootElement.GetProperty("TagSet");
        Assert.Equal(["team=data", "env=ci"], tags.EnumerateArray().Select(t => $"{t.GetProperty("Key").GetString()}={t.GetProperty("Value").GetString()}"));
        results[9].EnsureSuccess();
        Assert.Contains("(NoSuchTagSet)", results[10].Stderr);
        // GetObjectAttributes needs s3:GetObjectAttributes besides s3:GetObject.
        asUser[0].EnsureSuccess();
        Assert.Contains("An error occurred (AccessDenied) when calling the GetObjectAttributes operation", asUser[1].Stderr);
    }
}
