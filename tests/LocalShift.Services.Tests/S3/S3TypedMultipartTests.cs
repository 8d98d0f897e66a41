using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// CreateMultipartUpload, UploadPart, UploadPartCopy and CompleteMultipartUpload as typed operations: the documents and
/// headers the rest-xml codec answers, checksums computed here independently of LocalShift's, and authorization before
/// a completion document is judged.
/// </summary>
public sealed class S3TypedMultipartTests : IDisposable
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly S3Harness _s3 = new();

    public S3TypedMultipartTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Md5Hex(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));

    private static string Crc32(byte[] data)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(data);
        var value = crc.GetCurrentHashAsUInt32();
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Convert.ToBase64String(bytes);
    }

    private async Task<string> CreateAsync(string key, Dictionary<string, string>? headers = null)
    {
        var created = await _s3.SendAsync("POST", $"/b/{key}?uploads", null, headers);
        Assert.Equal(200, created.Status);
        return XDocument.Parse(created.Body).Root!.Element(S3 + "UploadId")!.Value;
    }

    [Fact]
    public async Task A_full_object_crc32_upload_answers_its_documents_headers_and_the_whole_objects_checksum()
    {
        var created = await _s3.SendAsync("POST", "/b/dir/a%20b?uploads", null, new()
        {
            ["x-amz-checksum-algorithm"] = "crc32", ["x-amz-checksum-type"] = "FULL_OBJECT", ["x-amz-meta-Team"] = "blue",
            ["Content-Type"] = "text/csv",
        });
        var initiate = XDocument.Parse(created.Body).Root!;
        var uploadId = initiate.Element(S3 + "UploadId")!.Value;

        var first = new byte[5 * 1024 * 1024];
        new Random(7).NextBytes(first);
        var second = Utf8("the last part");
        var part1 = await _s3.SendAsync("PUT", $"/b/dir/a%20b?partNumber=1&uploadId={uploadId}", first);
        var part2 = await _s3.SendAsync("PUT", $"/b/dir/a%20b?partNumber=2&uploadId={uploadId}", second,
            new() { ["x-amz-checksum-crc32"] = Crc32(second) });
        var complete = await _s3.SendAsync("POST", $"/b/dir/a%20b?uploadId={uploadId}", Utf8(
            $"""<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>{part1.Headers.ETag}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{part2.Headers.ETag}</ETag></Part></CompleteMultipartUpload>"""),
            prepare: http => http.Request.Scheme = "http");
        var get = await _s3.SendAsync("GET", "/b/dir/a%20b", null, new() { ["x-amz-checksum-mode"] = "ENABLED" });

        Assert.Equal(200, created.Status);
        Assert.Equal("InitiateMultipartUploadResult", initiate.Name.LocalName);
        Assert.Equal(["Bucket", "Key", "UploadId"], initiate.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("b", initiate.Element(S3 + "Bucket")!.Value);
        Assert.Equal("dir/a b", initiate.Element(S3 + "Key")!.Value);
        Assert.Equal("CRC32", created.Headers["x-amz-checksum-algorithm"].ToString());
        Assert.Equal("FULL_OBJECT", created.Headers["x-amz-checksum-type"].ToString());
        Assert.Equal("AES256", created.Headers["x-amz-server-side-encryption"].ToString());

        Assert.Equal(200, part1.Status);
        Assert.Equal("", part1.Body);
        Assert.Equal($"\"{Md5Hex(first)}\"", part1.Headers.ETag.ToString());
        Assert.Equal(Crc32(first), part1.Headers["x-amz-checksum-crc32"].ToString());
        Assert.Equal(Crc32(second), part2.Headers["x-amz-checksum-crc32"].ToString());

        Assert.Equal(200, complete.Status);
        var result = XDocument.Parse(complete.Body).Root!;
        var whole = first.Concat(second).ToArray();
        var etag = Convert.ToHexStringLower(MD5.HashData(MD5.HashData(first).Concat(MD5.HashData(second)).ToArray())) + "-2";
        Assert.Equal("CompleteMultipartUploadResult", result.Name.LocalName);
        Assert.Equal("http://127.0.0.1:4566/b/dir/a%20b", result.Element(S3 + "Location")!.Value);
        Assert.Equal("dir/a b", result.Element(S3 + "Key")!.Value);
        Assert.Equal($"\"{etag}\"", result.Element(S3 + "ETag")!.Value);
        Assert.Equal(Crc32(whole), result.Element(S3 + "ChecksumCRC32")!.Value);
        Assert.Equal("FULL_OBJECT", result.Element(S3 + "ChecksumType")!.Value);
        Assert.Equal("AES256", complete.Headers["x-amz-server-side-encryption"].ToString());

        Assert.Equal(whole.Length, get.Headers.ContentLength);
        Assert.Equal("blue", get.Headers["x-amz-meta-team"].ToString());
        Assert.Equal("text/csv", get.Headers.ContentType.ToString());
        Assert.Equal(Crc32(whole), get.Headers["x-amz-checksum-crc32"].ToString());
    }

    [Fact]
    public async Task A_part_copy_takes_its_range_and_refuses_a_range_past_the_source_end_or_a_failed_condition()
    {
        var put = await _s3.SendAsync("PUT", "/b/src", Utf8("0123456789"));
        var uploadId = await CreateAsync("dst");

        var copied = await _s3.SendAsync("PUT", $"/b/dst?partNumber=1&uploadId={uploadId}", null,
            new() { ["x-amz-copy-source"] = "/b/src", ["x-amz-copy-source-range"] = "bytes=2-4" });
        var past = await _s3.SendAsync("PUT", $"/b/dst?partNumber=2&uploadId={uploadId}", null,
            new() { ["x-amz-copy-source"] = "b/src", ["x-amz-copy-source-range"] = "bytes=5-10" });
        var failed = await _s3.SendAsync("PUT", $"/b/dst?partNumber=3&uploadId={uploadId}", null,
            new() { ["x-amz-copy-source"] = "b/src", ["x-amz-copy-source-if-none-match"] = put.Headers.ETag.ToString() });

        Assert.Equal(200, copied.Status);
        var result = XDocument.Parse(copied.Body).Root!;
        Assert.Equal("CopyPartResult", result.Name.LocalName);
        Assert.Equal($"\"{Md5Hex(Utf8("234"))}\"", result.Element(S3 + "ETag")!.Value);
        Assert.True(DateTimeOffset.TryParse(result.Element(S3 + "LastModified")!.Value, out _));
        Assert.Equal(400, past.Status);
        Assert.Contains("<Code>InvalidArgument</Code>", past.Body);
        Assert.Contains("Range specified is not valid for source object of size: 10", past.Body);
        Assert.Equal(412, failed.Status);
        Assert.Contains("<Code>PreconditionFailed</Code>", failed.Body);
        var parts = _s3.Store.ListParts(uploadId).ToList();
        Assert.Equal([1], parts.Select(p => p.PartNumber));
        Assert.Equal(3, parts[0].Size);
    }

    [Fact]
    public async Task A_part_of_a_composite_upload_without_its_checksum_is_refused_and_nothing_is_stored()
    {
        var uploadId = await CreateAsync("k", new() { ["x-amz-checksum-algorithm"] = "SHA256" });

        var refused = await _s3.SendAsync("PUT", $"/b/k?partNumber=1&uploadId={uploadId}", Utf8("data"));

        Assert.Equal(400, refused.Status);
        Assert.Contains("Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null", refused.Body);
        Assert.Empty(_s3.Store.ListParts(uploadId));
    }

    [Fact]
    public async Task Completion_asks_for_s3_PutObject_on_the_object_before_its_document_is_judged()
    {
        var uploadId = await CreateAsync("k");

        var malformed = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}", Utf8("not xml"));
        _s3.Authorizer.Checks.Clear();
        _s3.Authorizer.Deny.Add("s3:PutObject");
        var denied = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}", Utf8("not xml"));
        var missing = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}x", Utf8("<CompleteMultipartUpload/>"));

        Assert.Equal(400, malformed.Status);
        Assert.Contains("<Code>MalformedXML</Code>", malformed.Body);
        Assert.Equal(403, denied.Status);
        Assert.Contains("<Code>AccessDenied</Code>", denied.Body);
        Assert.Equal(403, missing.Status);
        var checks = _s3.Authorizer.Checks.Where(c => c.Action == "s3:PutObject").ToList();
        Assert.Equal(2, checks.Count);
        Assert.All(checks, c => Assert.Equal("arn:aws:s3:::b/k", c.Resource));
    }

    [Fact]
    public async Task The_completion_document_and_the_part_number_are_read_as_the_model_types_them()
    {
        var uploadId = await CreateAsync("k");
        var part = await _s3.SendAsync("PUT", $"/b/k?partNumber=1&uploadId={uploadId}", Utf8("x"));

        var wrongRoot = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}", Utf8(
            $"<Complete><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag}</ETag></Part></Complete>"));
        var notANumber = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}", Utf8(
            $"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>{part.Headers.ETag}</ETag></Part></CompleteMultipartUpload>"));
        var noEtag = await _s3.SendAsync("POST", $"/b/k?uploadId={uploadId}", Utf8(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>"));
        var badPartNumber = await _s3.SendAsync("PUT", $"/b/k?partNumber=abc&uploadId={uploadId}", Utf8("x"));
        var zero = await _s3.SendAsync("PUT", $"/b/k?partNumber=0&uploadId={uploadId}", Utf8("x"));

        Assert.Equal(400, wrongRoot.Status);
        Assert.Contains("<Code>MalformedXML</Code>", wrongRoot.Body);
        Assert.Equal(400, notANumber.Status);
        Assert.Contains("<Code>InvalidArgument</Code>", notANumber.Body);
        Assert.Contains("<ArgumentName>PartNumber</ArgumentName>", notANumber.Body);
        Assert.Equal(400, noEtag.Status);
        Assert.Contains("<Code>MalformedXML</Code>", noEtag.Body);
        Assert.Equal(400, badPartNumber.Status);
        Assert.Contains("Provided partNumber not an integer or within integer range", badPartNumber.Body);
        Assert.Equal(400, zero.Status);
        Assert.Contains("Part number must be an integer between 1 and 10000, inclusive", zero.Body);
        Assert.Equal([1], _s3.Store.ListParts(uploadId).Select(p => p.PartNumber));
    }
}
