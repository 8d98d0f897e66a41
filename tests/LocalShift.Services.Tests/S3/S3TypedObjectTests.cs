using System.Text;
using LocalShift.Services.S3;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// GetObject, HeadObject and PutObject as typed operations: what the rest-xml codec answers for a condition, a range and
/// stored metadata, and the in-process writer going through the same PutObject as a client's PUT.
/// </summary>
public sealed class S3TypedObjectTests : IDisposable
{
    private readonly S3Harness _s3 = new();

    public S3TypedObjectTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Conditions_answer_304_without_a_body_and_412_and_an_unreadable_date_is_ignored()
    {
        var put = await _s3.SendAsync("PUT", "/b/k", Utf8("hello"));
        var etag = put.Headers.ETag.ToString();

        var notModified = await _s3.SendAsync("GET", "/b/k", null, new() { ["If-None-Match"] = etag });
        var failed = await _s3.SendAsync("GET", "/b/k", null, new() { ["If-Match"] = "\"0123\"" });
        var headFailed = await _s3.SendAsync("HEAD", "/b/k", null, new() { ["If-Match"] = "\"0123\"" });
        var unreadable = await _s3.SendAsync("GET", "/b/k", null, new() { ["If-Modified-Since"] = "not a date" });

        Assert.Equal(304, notModified.Status);
        Assert.Equal("", notModified.Body);
        Assert.Equal(etag, notModified.Headers.ETag.ToString());
        Assert.False(string.IsNullOrEmpty(notModified.Headers.LastModified.ToString()));
        Assert.Equal(412, failed.Status);
        Assert.Contains("<Code>PreconditionFailed</Code>", failed.Body);
        Assert.Equal(412, headFailed.Status);
        Assert.Equal("", headFailed.Body);
        Assert.Equal(200, unreadable.Status);
        Assert.Equal("hello", unreadable.Body);
    }

    [Fact]
    public async Task A_range_answers_206_with_its_bytes_and_one_past_the_end_416()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("0123456789"));

        var range = await _s3.SendAsync("GET", "/b/k", null, new() { ["Range"] = "bytes=2-4" });
        var head = await _s3.SendAsync("HEAD", "/b/k", null, new() { ["Range"] = "bytes=-3" });
        var past = await _s3.SendAsync("GET", "/b/k", null, new() { ["Range"] = "bytes=10-" });

        Assert.Equal(206, range.Status);
        Assert.Equal("234", range.Body);
        Assert.Equal("bytes 2-4/10", range.Headers.ContentRange.ToString());
        Assert.Equal(3, range.Headers.ContentLength);
        Assert.Equal(206, head.Status);
        Assert.Equal("", head.Body);
        Assert.Equal("bytes 7-9/10", head.Headers.ContentRange.ToString());
        Assert.Equal(416, past.Status);
        Assert.Contains("<Code>InvalidRange</Code>", past.Body);
    }

    [Fact]
    public async Task Metadata_and_stored_headers_come_back_and_non_ascii_metadata_is_rfc2047_encoded()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("x"), new()
        {
            ["x-amz-meta-Plain"] = "v1", ["x-amz-meta-accent"] = "café", ["Content-Type"] = "text/plain",
            ["Expires"] = "Thu, 01 Dec 2039 16:00:00 GMT", ["Cache-Control"] = "no-cache",
        });

        var get = await _s3.SendAsync("GET", "/b/k?response-content-type=application%2Fjson");

        Assert.Equal(200, get.Status);
        Assert.Equal("v1", get.Headers["x-amz-meta-plain"].ToString());
        Assert.Equal("=?UTF-8?Q?caf=C3=A9?=", get.Headers["x-amz-meta-accent"].ToString());
        Assert.Equal("application/json", get.Headers.ContentType.ToString());
        Assert.Equal("Thu, 01 Dec 2039 16:00:00 GMT", get.Headers.Expires.ToString());
        Assert.Equal("no-cache", get.Headers.CacheControl.ToString());
        Assert.Equal("AES256", get.Headers["x-amz-server-side-encryption"].ToString());
    }

    /// <summary>COPY's and UNLOAD's writes are PutObject: the bucket's default encryption is recorded as for a client's PUT.</summary>
    [Fact]
    public async Task The_in_process_writer_and_reader_are_the_typed_PutObject_and_GetObject()
    {
        var objects = new S3Objects(_s3.Service.Typed);
        var call = _s3.Call();
        var file = Path.Combine(_s3.Store.CreateScratchFolder(), "part");
        await File.WriteAllTextAsync(file, "from a file");

        var fromStream = await objects.PutAsync(call, "b", "unload/0000", new MemoryStream(Utf8("1|a\n")), "text/plain");
        var fromFile = await objects.PutFileAsync(call, "b", "unload/0001", file);
        var get = await _s3.SendAsync("GET", "/b/unload/0000");
        string read;
        await using (var body = await objects.OpenReadAsync(call, "b", "unload/0001"))
            read = await new StreamReader(body).ReadToEndAsync();

        Assert.Equal(4, fromStream.Size);
        Assert.Equal(11, fromFile.Size);
        Assert.Equal("1|a\n", get.Body);
        Assert.Equal("text/plain", get.Headers.ContentType.ToString());
        Assert.Equal("AES256", get.Headers["x-amz-server-side-encryption"].ToString());
        Assert.Equal("\"" + fromStream.ETag + "\"", get.Headers.ETag.ToString());
        Assert.Equal("from a file", read);
        Assert.False(File.Exists(file));
    }
}
