using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>S3 as Debian's AWS CLI sees it: the high-level `aws s3` commands and the `aws s3api` operations.</summary>
public class S3CliTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-s3-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string NewBucket() => "b-" + Guid.NewGuid().ToString("N")[..16];

    private async Task<string> MakeBucketAsync()
    {
        var b = NewBucket();
        (await Server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        return b;
    }

    private string File(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public async Task Expected_bucket_owner_refuses_a_bucket_of_another_account_and_lets_the_right_one_through()
    {
        var b = await MakeBucketAsync();
        var src = File("owner.txt", Encoding.UTF8.GetBytes("owned"));
        const string other = "210987654321";

        var wrongPut = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k", "--body", src, "--expected-bucket-owner", other);
        var rightPut = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k", "--body", src, "--expected-bucket-owner", LocalShiftServer.AccountId);
        var wrongHead = await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "k", "--expected-bucket-owner", other);
        var wrongList = await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--expected-bucket-owner", other);
        var wrongSource = await Server.AwsAsync("s3api", "copy-object", "--bucket", b, "--key", "copy", "--copy-source", $"{b}/k",
            "--expected-source-bucket-owner", other);
        var rightCopy = await Server.AwsAsync("s3api", "copy-object", "--bucket", b, "--key", "copy", "--copy-source", $"{b}/k",
            "--expected-source-bucket-owner", LocalShiftServer.AccountId, "--expected-bucket-owner", LocalShiftServer.AccountId);

        Assert.Contains("An error occurred (AccessDenied) when calling the PutObject operation: Access Denied", wrongPut.Stderr);
        rightPut.EnsureSuccess();
        Assert.Equal(254, wrongHead.ExitCode);
        Assert.Contains("(403) when calling the HeadObject operation: Forbidden", wrongHead.Stderr);
        Assert.Contains("An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied", wrongList.Stderr);
        Assert.Contains("An error occurred (AccessDenied) when calling the CopyObject operation: Access Denied", wrongSource.Stderr);
        rightCopy.EnsureSuccess();
    }

    [Fact]
    public async Task An_s3_operation_of_the_model_that_is_not_emulated_answers_not_implemented_naming_it()
    {
        var b = await MakeBucketAsync();
        var r = await Server.AwsAsync("s3api", "get-bucket-cors", "--bucket", b);

        Assert.Equal(254, r.ExitCode);
        Assert.Contains("An error occurred (NotImplemented) when calling the GetBucketCors operation: The operation GetBucketCors of service s3 is not implemented by LocalShift.", r.Stderr);
    }

    [Fact]
    public async Task Mb_cp_ls_and_cp_back_round_trip_a_file()
    {
        var b = await MakeBucketAsync();
        var src = File("hello.txt", Encoding.UTF8.GetBytes("hello, world\n"));

        (await Server.AwsAsync("s3", "cp", src, $"s3://{b}/dir/hello.txt")).EnsureSuccess();
        var ls = (await Server.AwsAsync("s3", "ls", $"s3://{b}/")).EnsureSuccess().Stdout;
        var lsDir = (await Server.AwsAsync("s3", "ls", $"s3://{b}/dir/")).EnsureSuccess().Stdout;
        var buckets = (await Server.AwsAsync("s3", "ls")).EnsureSuccess().Stdout;
        var back = Path.Combine(_dir, "back.txt");
        (await Server.AwsAsync("s3", "cp", $"s3://{b}/dir/hello.txt", back)).EnsureSuccess();

        Assert.Contains("PRE dir/", ls);
        Assert.Contains("13 hello.txt", lsDir);
        Assert.Contains(b, buckets);
        Assert.Equal("hello, world\n", System.IO.File.ReadAllText(back));
    }

    [Fact]
    public async Task A_50_MB_file_goes_up_as_multipart_and_comes_back_byte_for_byte()
    {
        var b = await MakeBucketAsync();
        var content = new byte[50 * 1024 * 1024];
        Random.Shared.NextBytes(content);
        var src = File("big.bin", content);

        (await Server.AwsAsync("s3", "cp", src, $"s3://{b}/big.bin", "--only-show-errors")).EnsureSuccess();
        var head = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "big.bin")).Json();
        var back = Path.Combine(_dir, "big.back");
        (await Server.AwsAsync("s3", "cp", $"s3://{b}/big.bin", back, "--only-show-errors")).EnsureSuccess();

        Assert.Equal(content.Length, head.GetProperty("ContentLength").GetInt64());
        Assert.Matches("^\"[0-9a-f]{32}-7\"$", head.GetProperty("ETag").GetString());
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(System.IO.File.ReadAllBytes(back)));
    }

    [Fact]
    public async Task Sync_uploads_once_then_mv_and_rm_recursive_empty_the_prefix()
    {
        var b = await MakeBucketAsync();
        File("tree/one.txt", [1]);
        File("tree/sub/two with space+plus%.txt", [2, 2]);
        File("tree/sub/ünïcødé.txt", [3, 3, 3]);
        var tree = Path.Combine(_dir, "tree");

        var first = (await Server.AwsAsync("s3", "sync", tree, $"s3://{b}/t/")).EnsureSuccess().Stdout;
        var second = (await Server.AwsAsync("s3", "sync", tree, $"s3://{b}/t/")).EnsureSuccess().Stdout;
        (await Server.AwsAsync("s3", "mv", $"s3://{b}/t/one.txt", $"s3://{b}/moved/one.txt")).EnsureSuccess();
        (await Server.AwsAsync("s3", "rm", "--recursive", $"s3://{b}/t/")).EnsureSuccess();
        var left = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b)).Json();

        Assert.Equal(3, first.Split("upload:").Length - 1);
        Assert.DoesNotContain("upload:", second);
        Assert.Equal(["moved/one.txt"], left.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()));
    }

    [Fact]
    public async Task Keys_with_unicode_spaces_plus_percent_dots_and_1024_bytes_are_stored_faithfully()
    {
        var b = await MakeBucketAsync();
        string[] keys = ["a b+c%d.txt", "../../escape", "dir/./x/../y", "日本語/ファイル", "emoji😀", new string('k', 1024)];
        var src = File("k.bin", [42]);
        foreach (var k in keys)
            (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", k, "--body", src)).EnsureSuccess();
        var tooLong = await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", new string('k', 1025), "--body", src);

        var listed = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b)).Json()
            .GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()!).ToList();
        var ordered = keys.OrderBy(k => k, Comparer<string>.Create((x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)))).ToList();
        Assert.Equal(ordered, listed);
        foreach (var k in keys)
        {
            var outFile = Path.Combine(_dir, "out.bin");
            (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", k, outFile)).EnsureSuccess();
            Assert.Equal([42], System.IO.File.ReadAllBytes(outFile));
        }
        Assert.Contains("(KeyTooLongError)", tooLong.Stderr);
        Assert.Empty(Directory.EnumerateFiles(Server.DataDir, "*escape*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Bucket_errors_have_s3_codes()
    {
        var b = await MakeBucketAsync();
        var src = File("x", [1]);
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "x", "--body", src)).EnsureSuccess();

        var invalid = await Server.AwsAsync("s3api", "create-bucket", "--bucket", "Not_Valid");
        var notEmpty = await Server.AwsAsync("s3api", "delete-bucket", "--bucket", b);
        var missing = await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", NewBucket());
        var noKey = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "nope", Path.Combine(_dir, "o"));
        var again = await Server.AwsAsync("s3api", "create-bucket", "--bucket", b);
        var location = (await Server.AwsAsync("s3api", "get-bucket-location", "--bucket", b)).Json();

        Assert.Contains("An error occurred (InvalidBucketName) when calling the CreateBucket operation: The specified bucket is not valid.", invalid.Stderr);
        Assert.Contains("An error occurred (BucketNotEmpty) when calling the DeleteBucket operation: The bucket you tried to delete is not empty", notEmpty.Stderr);
        Assert.Contains("An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist", missing.Stderr);
        Assert.Contains("An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.", noKey.Stderr);
        Assert.Equal(0, again.ExitCode); // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds
        Assert.Equal(JsonValueKind.Null, location.GetProperty("LocationConstraint").ValueKind);
    }

    [Fact]
    public async Task Get_object_honours_range_and_preconditions()
    {
        var b = await MakeBucketAsync();
        var src = File("digits", Encoding.ASCII.GetBytes("0123456789"));
        var put = (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "d", "--body", src)).Json();
        var etag = put.GetProperty("ETag").GetString()!;
        var outFile = Path.Combine(_dir, "part");

        var ranged = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--range", "bytes=2-5", outFile)).Json();
        var rangedText = System.IO.File.ReadAllText(outFile);
        var suffix = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--range", "bytes=-3", outFile)).Json();
        var suffixText = System.IO.File.ReadAllText(outFile);
        var beyond = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--range", "bytes=20-30", outFile);
        var match = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--if-match", etag, outFile);
        var mismatch = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--if-match", "\"0000\"", outFile);
        var notModified = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--if-none-match", etag, outFile);
        var unmodifiedSince = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "d", "--if-unmodified-since", "2000-01-01T00:00:00Z", outFile);

        Assert.Equal("2345", rangedText);
        Assert.Equal("bytes 2-5/10", ranged.GetProperty("ContentRange").GetString());
        Assert.Equal("789", suffixText);
        Assert.Equal(3, suffix.GetProperty("ContentLength").GetInt64());
        Assert.Contains("(InvalidRange)", beyond.Stderr);
        Assert.Equal(0, match.ExitCode);
        Assert.Contains("(PreconditionFailed)", mismatch.Stderr);
        Assert.Contains("(304)", notModified.Stderr);
        Assert.Contains("(PreconditionFailed)", unmodifiedSince.Stderr);
    }

    [Fact]
    public async Task Metadata_and_content_headers_survive_and_copy_follows_the_metadata_directive()
    {
        var b = await MakeBucketAsync();
        var src = File("m", [1, 2, 3]);
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "orig", "--body", src, "--content-type", "text/csv",
            "--content-disposition", "attachment; filename=\"x.csv\"", "--content-encoding", "identity", "--metadata", "team=data,stage=raw")).EnsureSuccess();

        var head = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "orig")).Json();
        (await Server.AwsAsync("s3api", "copy-object", "--bucket", b, "--key", "copy", "--copy-source", $"{b}/orig")).EnsureSuccess();
        var copied = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "copy")).Json();
        (await Server.AwsAsync("s3api", "copy-object", "--bucket", b, "--key", "replaced", "--copy-source", $"{b}/orig",
            "--metadata-directive", "REPLACE", "--metadata", "team=ml", "--content-type", "application/json")).EnsureSuccess();
        var replaced = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "replaced")).Json();
        var self = await Server.AwsAsync("s3api", "copy-object", "--bucket", b, "--key", "orig", "--copy-source", $"{b}/orig");
        var overridden = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "orig", "--response-content-type", "text/plain", Path.Combine(_dir, "o"))).Json();

        Assert.Equal("text/csv", head.GetProperty("ContentType").GetString());
        Assert.Equal("attachment; filename=\"x.csv\"", head.GetProperty("ContentDisposition").GetString());
        Assert.Equal("identity", head.GetProperty("ContentEncoding").GetString());
        Assert.Equal("data", head.GetProperty("Metadata").GetProperty("team").GetString());
        Assert.Equal("raw", copied.GetProperty("Metadata").GetProperty("stage").GetString());
        Assert.Equal("text/csv", copied.GetProperty("ContentType").GetString());
        Assert.Equal(head.GetProperty("ETag").GetString(), copied.GetProperty("ETag").GetString());
        Assert.Equal("ml", replaced.GetProperty("Metadata").GetProperty("team").GetString());
        Assert.False(replaced.GetProperty("Metadata").TryGetProperty("stage", out _));
        Assert.Equal("application/json", replaced.GetProperty("ContentType").GetString());
        Assert.Contains("(InvalidRequest)", self.Stderr);
        Assert.Equal("text/plain", overridden.GetProperty("ContentType").GetString());
    }

    [Fact]
    public async Task List_objects_pages_with_delimiters_tokens_start_after_and_v1_markers()
    {
        var b = await MakeBucketAsync();
        var src = File("e", []);
        foreach (var k in new[] { "a/1", "a/2", "b/1", "c", "d", "e" })
            (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", k, "--body", src)).EnsureSuccess();

        var delim = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--delimiter", "/")).Json();
        var page1 = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--max-keys", "2", "--no-paginate")).Json();
        var page2 = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--max-keys", "2", "--no-paginate",
            "--continuation-token", page1.GetProperty("NextContinuationToken").GetString()!)).Json();
        var after = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--start-after", "c")).Json();
        var all = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--page-size", "1")).Json();
        var v1 = (await Server.AwsAsync("s3api", "list-objects", "--bucket", b, "--marker", "b/1", "--prefix", "")).Json();
        var owner = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b, "--fetch-owner", "--max-items", "1")).Json();

        static IEnumerable<string?> Keys(JsonElement e) => e.TryGetProperty("Contents", out var c) ? c.EnumerateArray().Select(o => o.GetProperty("Key").GetString()) : [];
        Assert.Equal(["c", "d", "e"], Keys(delim));
        Assert.Equal(["a/", "b/"], delim.GetProperty("CommonPrefixes").EnumerateArray().Select(p => p.GetProperty("Prefix").GetString()));
        Assert.Equal(["a/1", "a/2"], Keys(page1));
        Assert.True(page1.GetProperty("IsTruncated").GetBoolean());
        Assert.Equal(["b/1", "c"], Keys(page2));
        Assert.Equal(["d", "e"], Keys(after));
        Assert.Equal(6, Keys(all).Count());
        Assert.Equal(["c", "d", "e"], Keys(v1));
        Assert.True(owner.GetProperty("Contents")[0].TryGetProperty("Owner", out _));
    }

    [Fact]
    public async Task Delete_objects_removes_a_batch_and_reports_each_key()
    {
        var b = await MakeBucketAsync();
        var src = File("e", [1]);
        foreach (var k in new[] { "x1", "x2", "x3" })
            (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", k, "--body", src)).EnsureSuccess();

        var result = (await Server.AwsAsync("s3api", "delete-objects", "--bucket", b, "--delete", "{\"Objects\":[{\"Key\":\"x1\"},{\"Key\":\"x3\"},{\"Key\":\"never\"}]}")).Json();
        var left = (await Server.AwsAsync("s3api", "list-objects-v2", "--bucket", b)).Json();

        Assert.Equal(["x1", "x3", "never"], result.GetProperty("Deleted").EnumerateArray().Select(d => d.GetProperty("Key").GetString()));
        Assert.Equal(["x2"], left.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()));
    }

    [Fact]
    public async Task Low_level_multipart_lists_parts_completes_and_refuses_bad_part_lists()
    {
        var b = await MakeBucketAsync();
        var p1 = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(p1);
        var f1 = File("p1", p1);
        var f2 = File("p2", Encoding.ASCII.GetBytes("tail"));
        var create = (await Server.AwsAsync("s3api", "create-multipart-upload", "--bucket", b, "--key", "mp", "--content-type", "text/plain")).Json();
        var id = create.GetProperty("UploadId").GetString()!;
        var e1 = (await Server.AwsAsync("s3api", "upload-part", "--bucket", b, "--key", "mp", "--upload-id", id, "--part-number", "1", "--body", f1)).Json().GetProperty("ETag").GetString();
        var e2 = (await Server.AwsAsync("s3api", "upload-part", "--bucket", b, "--key", "mp", "--upload-id", id, "--part-number", "2", "--body", f2)).Json().GetProperty("ETag").GetString();

        var uploads = (await Server.AwsAsync("s3api", "list-multipart-uploads", "--bucket", b)).Json();
        var parts = (await Server.AwsAsync("s3api", "list-parts", "--bucket", b, "--key", "mp", "--upload-id", id)).Json();
        var wrongOrder = await Server.AwsAsync("s3api", "complete-multipart-upload", "--bucket", b, "--key", "mp", "--upload-id", id,
            "--multipart-upload", $"{{\"Parts\":[{{\"PartNumber\":2,\"ETag\":{JsonSerializer.Serialize(e2)}}},{{\"PartNumber\":1,\"ETag\":{JsonSerializer.Serialize(e1)}}}]}}");
        var wrongEtag = await Server.AwsAsync("s3api", "complete-multipart-upload", "--bucket", b, "--key", "mp", "--upload-id", id,
            "--multipart-upload", $"{{\"Parts\":[{{\"PartNumber\":1,\"ETag\":{JsonSerializer.Serialize(e2)}}}]}}");
        var done = (await Server.AwsAsync("s3api", "complete-multipart-upload", "--bucket", b, "--key", "mp", "--upload-id", id,
            "--multipart-upload", $"{{\"Parts\":[{{\"PartNumber\":1,\"ETag\":{JsonSerializer.Serialize(e1)}}},{{\"PartNumber\":2,\"ETag\":{JsonSerializer.Serialize(e2)}}}]}}")).Json();
        var head = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "mp")).Json();
        var gone = await Server.AwsAsync("s3api", "list-parts", "--bucket", b, "--key", "mp", "--upload-id", id);

        var small = (await Server.AwsAsync("s3api", "create-multipart-upload", "--bucket", b, "--key", "small")).Json().GetProperty("UploadId").GetString()!;
        var s1 = (await Server.AwsAsync("s3api", "upload-part", "--bucket", b, "--key", "small", "--upload-id", small, "--part-number", "1", "--body", f2)).Json().GetProperty("ETag").GetString();
        var s2 = (await Server.AwsAsync("s3api", "upload-part", "--bucket", b, "--key", "small", "--upload-id", small, "--part-number", "2", "--body", f2)).Json().GetProperty("ETag").GetString();
        var tooSmall = await Server.AwsAsync("s3api", "complete-multipart-upload", "--bucket", b, "--key", "small", "--upload-id", small,
            "--multipart-upload", $"{{\"Parts\":[{{\"PartNumber\":1,\"ETag\":{JsonSerializer.Serialize(s1)}}},{{\"PartNumber\":2,\"ETag\":{JsonSerializer.Serialize(s2)}}}]}}");
        (await Server.AwsAsync("s3api", "abort-multipart-upload", "--bucket", b, "--key", "small", "--upload-id", small)).EnsureSuccess();
        var aborted = await Server.AwsAsync("s3api", "upload-part", "--bucket", b, "--key", "small", "--upload-id", small, "--part-number", "3", "--body", f2);

        Assert.Equal(id, uploads.GetProperty("Uploads")[0].GetProperty("UploadId").GetString());
        Assert.Equal([5 * 1024 * 1024L, 4L], parts.GetProperty("Parts").EnumerateArray().Select(p => p.GetProperty("Size").GetInt64()));
        Assert.Contains("(InvalidPartOrder)", wrongOrder.Stderr);
        Assert.Contains("(InvalidPart)", wrongEtag.Stderr);
        Assert.EndsWith("-2\"", done.GetProperty("ETag").GetString());
        Assert.Equal(p1.Length + 4, head.GetProperty("ContentLength").GetInt64());
        Assert.Equal("text/plain", head.GetProperty("ContentType").GetString());
        Assert.Contains("(NoSuchUpload)", gone.Stderr);
        Assert.Contains("(EntityTooSmall)", tooSmall.Stderr);
        Assert.Contains("(NoSuchUpload)", aborted.Stderr);
    }

    [Fact]
    public async Task Gets_of_a_few_MiB_whole_ranged_and_empty_answer_exactly_their_bytes()
    {
        // The server sends a GET's body in 256 KiB reads flushed once per MiB, its head written first: a whole object and
        // ranges that start and end off those boundaries must come back byte for byte, with their lengths.
        var b = await MakeBucketAsync();
        var content = new byte[3 * 1024 * 1024 + 12345];
        Random.Shared.NextBytes(content);
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "obj", "--body", File("obj", content))).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "empty", "--body", File("empty", []))).EnsureSuccess();
        var whole = Path.Combine(_dir, "whole");
        var part = Path.Combine(_dir, "ranged");
        var none = Path.Combine(_dir, "none");

        var wholeGet = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "obj", whole)).Json();
        var wholeBytes = System.IO.File.ReadAllBytes(whole);
        var (from, to) = (262_100, 2_100_000);
        var rangedGet = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "obj", "--range", $"bytes={from}-{to}", part)).Json();
        var rangedBytes = System.IO.File.ReadAllBytes(part);
        var emptyGet = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "empty", none)).Json();

        Assert.Equal(content.Length, wholeGet.GetProperty("ContentLength").GetInt64());
        Assert.Equal(content, wholeBytes);
        Assert.Equal(to - from + 1, rangedGet.GetProperty("ContentLength").GetInt64());
        Assert.Equal($"bytes {from}-{to}/{content.Length}", rangedGet.GetProperty("ContentRange").GetString());
        Assert.Equal(content[from..(to + 1)], rangedBytes);
        Assert.Equal(0, emptyGet.GetProperty("ContentLength").GetInt64());
        Assert.Empty(System.IO.File.ReadAllBytes(none));
    }

    [Fact]
    public async Task Upload_part_copy_copies_a_byte_range_of_another_object()
    {
        var b = await MakeBucketAsync();
        var content = new byte[6 * 1024 * 1024];
        Random.Shared.NextBytes(content);
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "src", "--body", File("src", content))).EnsureSuccess();
        var id = (await Server.AwsAsync("s3api", "create-multipart-upload", "--bucket", b, "--key", "dst")).Json().GetProperty("UploadId").GetString()!;

        var c1 = (await Server.AwsAsync("s3api", "upload-part-copy", "--bucket", b, "--key", "dst", "--upload-id", id, "--part-number", "1",
            "--copy-source", $"{b}/src", "--copy-source-range", "bytes=0-5242879")).Json().GetProperty("CopyPartResult").GetProperty("ETag").GetString();
        var c2 = (await Server.AwsAsync("s3api", "upload-part-copy", "--bucket", b, "--key", "dst", "--upload-id", id, "--part-number", "2",
            "--copy-source", $"{b}/src", "--copy-source-range", $"bytes=5242880-{content.Length - 1}")).Json().GetProperty("CopyPartResult").GetProperty("ETag").GetString();
        (await Server.AwsAsync("s3api", "complete-multipart-upload", "--bucket", b, "--key", "dst", "--upload-id", id,
            "--multipart-upload", $"{{\"Parts\":[{{\"PartNumber\":1,\"ETag\":{JsonSerializer.Serialize(c1)}}},{{\"PartNumber\":2,\"ETag\":{JsonSerializer.Serialize(c2)}}}]}}")).EnsureSuccess();
        var outFile = Path.Combine(_dir, "dst");
        (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "dst", outFile)).EnsureSuccess();

        Assert.Equal(content, System.IO.File.ReadAllBytes(outFile));
    }

    [Fact]
    public async Task Bucket_policy_and_object_tagging_are_stored_and_served()
    {
        var b = await MakeBucketAsync();
        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{b}}/*"}]}""";
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "t", "--body", File("t", [1]))).EnsureSuccess();

        var noPolicy = await Server.AwsAsync("s3api", "get-bucket-policy", "--bucket", b);
        var malformed = await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", "not json");
        (await Server.AwsAsync("s3api", "delete-public-access-block", "--bucket", b)).EnsureSuccess(); // the policy is public
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", b, "--policy", policy)).EnsureSuccess();
        var got = (await Server.AwsAsync("s3api", "get-bucket-policy", "--bucket", b)).Json();
        var status = (await Server.AwsAsync("s3api", "get-bucket-policy-status", "--bucket", b)).Json();
        (await Server.AwsAsync("s3api", "delete-bucket-policy", "--bucket", b)).EnsureSuccess();
        var deleted = await Server.AwsAsync("s3api", "get-bucket-policy", "--bucket", b);
        (await Server.AwsAsync("s3api", "put-object-tagging", "--bucket", b, "--key", "t", "--tagging", "{\"TagSet\":[{\"Key\":\"stage\",\"Value\":\"raw\"}]}")).EnsureSuccess();
        var tags = (await Server.AwsAsync("s3api", "get-object-tagging", "--bucket", b, "--key", "t")).Json();

        Assert.Contains("(NoSuchBucketPolicy)", noPolicy.Stderr);
        Assert.Contains("(MalformedPolicy)", malformed.Stderr);
        Assert.Equal(policy, got.GetProperty("Policy").GetString());
        Assert.True(status.GetProperty("PolicyStatus").GetProperty("IsPublic").GetBoolean());
        Assert.Contains("(NoSuchBucketPolicy)", deleted.Stderr);
        Assert.Equal("raw", tags.GetProperty("TagSet")[0].GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Presigned_get_url_works_and_a_tampered_one_is_refused()
    {
        var b = await MakeBucketAsync();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "p q.txt", "--body", File("p", Encoding.ASCII.GetBytes("presigned")))).EnsureSuccess();
        var url = (await Server.AwsAsync("s3", "presign", $"s3://{b}/p q.txt", "--expires-in", "300")).EnsureSuccess().Stdout.Trim();

        using var http = new HttpClient();
        var ok = await http.GetAsync(url);
        var tampered = await http.GetAsync(url.Replace("p%20q.txt", "other.txt", StringComparison.Ordinal));

        Assert.Equal("presigned", await ok.Content.ReadAsStringAsync());
        Assert.Equal(403, (int)tampered.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await tampered.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Virtual_hosted_style_addresses_the_bucket_by_host_name()
    {
        var b = await MakeBucketAsync();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "v/h.txt", "--body", File("vh", Encoding.ASCII.GetBytes("vhost")))).EnsureSuccess();
        var url = (await Server.AwsAsync("s3", "presign", $"s3://{b}/v/h.txt")).EnsureSuccess().Stdout.Trim();

        // The same object, asked for anonymously through the virtual host: the bucket has no policy, so S3 says AccessDenied
        // (the default authorizer may allow it; either way the request reached the bucket, not a missing one).
        using var http = new HttpClient();
        foreach (var host in new[] { $"{b}.localhost:{Server.Port}", $"{b}.s3.localhost:{Server.Port}" })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, $"{Server.Endpoint}/v/h.txt");
            req.Headers.Host = host;
            var resp = await http.SendAsync(req);
            var body = await resp.Content.ReadAsStringAsync();
            Assert.True(body == "vhost" || body.Contains("<Code>AccessDenied</Code>"), body);
        }
        Assert.Contains(b, url);
    }

    [Fact]
    public async Task A_crash_during_a_large_put_leaves_the_old_object_whole()
    {
        var server = await LocalShiftServer.StartAsync();
        await using var _ = server;
        var b = NewBucket();
        (await server.AwsAsync("s3", "mb", $"s3://{b}")).EnsureSuccess();
        var old = Encoding.ASCII.GetBytes("the old object");
        (await server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k", "--body", File("old", old))).EnsureSuccess();
        var big = new byte[40 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        var bigFile = File("new", big);

        var put = server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k", "--body", bigFile);
        await WaitForTempFileAsync(server.DataDir, put);
        await server.CrashAsync();
        await put;
        await server.RestartAsync();

        var outFile = Path.Combine(_dir, "after");
        (await server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k", outFile)).EnsureSuccess();
        var after = System.IO.File.ReadAllBytes(outFile);
        Assert.True(after.AsSpan().SequenceEqual(old) || after.AsSpan().SequenceEqual(big), $"got {after.Length} bytes");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDir, "s3", "tmp")));
    }

    /// <summary>Polls (with a deadline) until the upload is being written, so the crash lands mid-body when it can.</summary>
    private static async Task WaitForTempFileAsync(string dataDir, Task upload)
    {
        var tmp = Path.Combine(dataDir, "s3", "tmp");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !upload.IsCompleted)
        {
            if (Directory.Exists(tmp) && Directory.EnumerateFiles(tmp).Any()) return;
            await Task.Delay(10);
        }
    }
}
