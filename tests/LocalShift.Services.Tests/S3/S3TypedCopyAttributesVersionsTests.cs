using System.Text;
using System.Xml.Linq;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// CopyObject, GetObjectAttributes and ListObjectVersions as typed operations through the rest-xml codec: what a client
/// reads back from each (the documents' elements, the headers, the errors), and what each is authorized as.
/// </summary>
public sealed class S3TypedCopyAttributesVersionsTests : IDisposable
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly S3Harness _s3 = new();

    public S3TypedCopyAttributesVersionsTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static XElement Xml(S3Harness.Response r) => XDocument.Parse(r.Body).Root!;

    [Fact]
    public async Task Copy_keeps_metadata_and_tags_unless_the_directives_say_replace_and_answers_a_copy_object_result()
    {
        var put = await _s3.SendAsync("PUT", "/b/src", Utf8("source bytes"), new()
        {
            ["x-amz-meta-origin"] = "first", ["Content-Type"] = "text/plain", ["x-amz-tagging"] = "team=a",
        });

        var kept = await _s3.SendAsync("PUT", "/b/kept", null, new() { ["x-amz-copy-source"] = "/b/src", ["x-amz-meta-origin"] = "ignored" });
        var replaced = await _s3.SendAsync("PUT", "/b/replaced", null, new()
        {
            ["x-amz-copy-source"] = "b/src", ["x-amz-metadata-directive"] = "REPLACE", ["x-amz-meta-origin"] = "second",
            ["Content-Type"] = "application/json", ["x-amz-tagging-directive"] = "REPLACE", ["x-amz-tagging"] = "team=b",
        });
        var keptHead = await _s3.SendAsync("HEAD", "/b/kept");
        var replacedHead = await _s3.SendAsync("HEAD", "/b/replaced");
        var replacedBody = await _s3.SendAsync("GET", "/b/replaced");

        Assert.Equal(200, kept.Status);
        var result = Xml(kept);
        Assert.Equal(S3 + "CopyObjectResult", result.Name);
        Assert.Equal(put.Headers.ETag.ToString(), result.Element(S3 + "ETag")!.Value);
        Assert.True(DateTimeOffset.TryParse(result.Element(S3 + "LastModified")!.Value, out _));
        Assert.Equal("AES256", kept.Headers["x-amz-server-side-encryption"].ToString());
        Assert.Equal("first", keptHead.Headers["x-amz-meta-origin"].ToString());
        Assert.Equal("text/plain", keptHead.Headers.ContentType.ToString());
        Assert.Equal("1", keptHead.Headers["x-amz-tagging-count"].ToString());
        Assert.Equal("second", replacedHead.Headers["x-amz-meta-origin"].ToString());
        Assert.Equal("application/json", replacedHead.Headers.ContentType.ToString());
        Assert.Equal("b", _s3.Store.FindObject("b", "replaced")!.Attributes.Tags["team"]);
        Assert.Equal("source bytes", replacedBody.Body);
    }

    [Fact]
    public async Task Copy_source_conditions_answer_412_and_a_copy_onto_itself_must_change_something()
    {
        var put = await _s3.SendAsync("PUT", "/b/src", Utf8("x"));
        var etag = put.Headers.ETag.ToString();

        var ifMatch = await _s3.SendAsync("PUT", "/b/dst", null, new() { ["x-amz-copy-source"] = "b/src", ["x-amz-copy-source-if-match"] = "\"0000\"" });
        var ifNoneMatch = await _s3.SendAsync("PUT", "/b/dst", null, new() { ["x-amz-copy-source"] = "b/src", ["x-amz-copy-source-if-none-match"] = etag });
        var matching = await _s3.SendAsync("PUT", "/b/dst", null, new() { ["x-amz-copy-source"] = "b/src", ["x-amz-copy-source-if-match"] = etag });
        var ontoItself = await _s3.SendAsync("PUT", "/b/src", null, new() { ["x-amz-copy-source"] = "b/src" });
        var ontoItselfReplacing = await _s3.SendAsync("PUT", "/b/src", null, new()
        {
            ["x-amz-copy-source"] = "b/src", ["x-amz-metadata-directive"] = "REPLACE", ["x-amz-meta-new"] = "yes",
        });
        var badSource = await _s3.SendAsync("PUT", "/b/dst", null, new() { ["x-amz-copy-source"] = "just-a-bucket" });
        var missing = await _s3.SendAsync("PUT", "/b/dst", null, new() { ["x-amz-copy-source"] = "b/nothing-here" });

        Assert.Equal(412, ifMatch.Status);
        Assert.Contains("<Code>PreconditionFailed</Code>", ifMatch.Body);
        Assert.Contains("<Condition>x-amz-copy-source-If-Match</Condition>", ifMatch.Body);
        Assert.Equal(412, ifNoneMatch.Status);
        Assert.Equal(200, matching.Status);
        Assert.Equal(400, ontoItself.Status);
        Assert.Contains("<Code>InvalidRequest</Code>", ontoItself.Body);
        Assert.Equal(200, ontoItselfReplacing.Status);
        Assert.Equal("yes", _s3.Store.FindObject("b", "src")!.Attributes.Metadata["new"]);
        Assert.Equal(400, badSource.Status);
        Assert.Contains("<ArgumentName>x-amz-copy-source</ArgumentName>", badSource.Body);
        Assert.Equal(404, missing.Status);
        Assert.Contains("<Code>NoSuchKey</Code>", missing.Body);
    }

    [Fact]
    public async Task Copy_of_a_named_version_answers_both_version_ids_and_takes_a_checksum_algorithm()
    {
        _s3.Store.SetVersioning("b", BucketVersioning.Enabled);
        var first = await _s3.SendAsync("PUT", "/b/k", Utf8("first"));
        await _s3.SendAsync("PUT", "/b/k", Utf8("second"));
        var firstId = first.Headers["x-amz-version-id"].ToString();

        var copy = await _s3.SendAsync("PUT", "/b/restored", null, new()
        {
            ["x-amz-copy-source"] = "/b/k?versionId=" + firstId, ["x-amz-checksum-algorithm"] = "SHA256",
        });
        var badVersion = await _s3.SendAsync("PUT", "/b/restored", null, new() { ["x-amz-copy-source"] = "/b/k?versionId=nope" });
        var restored = await _s3.SendAsync("GET", "/b/restored");

        Assert.Equal(200, copy.Status);
        Assert.Equal(firstId, copy.Headers["x-amz-copy-source-version-id"].ToString());
        Assert.Equal(32, copy.Headers["x-amz-version-id"].ToString().Length);
        Assert.NotEqual(firstId, copy.Headers["x-amz-version-id"].ToString());
        var result = Xml(copy);
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Utf8("first"))), result.Element(S3 + "ChecksumSHA256")!.Value);
        Assert.Equal("FULL_OBJECT", result.Element(S3 + "ChecksumType")!.Value);
        Assert.Equal("first", restored.Body);
        Assert.Equal(400, badVersion.Status);
        Assert.Contains("<Message>Invalid version id specified</Message>", badVersion.Body);
    }

    [Fact]
    public async Task Copy_reads_the_source_then_writes_with_the_copy_source_and_directive_as_condition_keys()
    {
        await _s3.SendAsync("PUT", "/b/src", Utf8("x"), new() { ["x-amz-tagging"] = "class=open" });
        _s3.Authorizer.Checks.Clear();

        await _s3.SendAsync("PUT", "/b/dst", null, new()
        {
            ["x-amz-copy-source"] = "/b/s%72c", ["x-amz-metadata-directive"] = "REPLACE", ["x-amz-acl"] = "private",
        });
        _s3.Authorizer.Deny.Add("s3:GetObject");
        var denied = await _s3.SendAsync("PUT", "/b/other", null, new() { ["x-amz-copy-source"] = "b/src" });

        var read = _s3.Authorizer.Checks[0];
        var write = _s3.Authorizer.Checks[1];
        Assert.Equal("s3:GetObject", read.Action);
        Assert.Equal("arn:aws:s3:::b/src", read.Resource);
        Assert.Equal(["open"], read.Keys!["s3:ExistingObjectTag/class"]);
        Assert.Equal("s3:PutObject", write.Action);
        Assert.Equal("arn:aws:s3:::b/dst", write.Resource);
        Assert.Equal(["b/src"], write.Keys!["s3:x-amz-copy-source"]);
        Assert.Equal(["REPLACE"], write.Keys!["s3:x-amz-metadata-directive"]);
        Assert.Equal(["private"], write.Keys!["s3:x-amz-acl"]);
        Assert.Equal(403, denied.Status);
        Assert.Null(_s3.Store.FindObject("b", "other"));
    }

    [Fact]
    public async Task Object_attributes_answer_only_what_was_asked_and_page_the_parts()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("hello"), new() { ["x-amz-checksum-algorithm"] = "CRC32", ["x-amz-checksum-crc32"] = "NhCmhg==" });
        var created = await _s3.SendAsync("POST", "/b/mp?uploads");
        var uploadId = Xml(created).Element(S3 + "UploadId")!.Value;
        var part = new byte[5 * 1024 * 1024];
        var e1 = (await _s3.SendAsync("PUT", $"/b/mp?partNumber=1&uploadId={uploadId}", part)).Headers.ETag.ToString();
        var e2 = (await _s3.SendAsync("PUT", $"/b/mp?partNumber=2&uploadId={uploadId}", part)).Headers.ETag.ToString();
        var e3 = (await _s3.SendAsync("PUT", $"/b/mp?partNumber=3&uploadId={uploadId}", Utf8("tail"))).Headers.ETag.ToString();
        await _s3.SendAsync("POST", $"/b/mp?uploadId={uploadId}", Utf8(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part>" +
            $"<Part><PartNumber>3</PartNumber><ETag>{e3}</ETag></Part></CompleteMultipartUpload>"));

        var some = await _s3.SendAsync("GET", "/b/k?attributes", null, new() { ["x-amz-object-attributes"] = "ETag, ObjectSize,Checksum" });
        var parts = await _s3.SendAsync("GET", "/b/mp?attributes", null, new()
        {
            ["x-amz-object-attributes"] = "ObjectParts,StorageClass", ["x-amz-max-parts"] = "2", ["x-amz-part-number-marker"] = "1",
        });
        var unknown = await _s3.SendAsync("GET", "/b/k?attributes", null, new() { ["x-amz-object-attributes"] = "ETag,Colour" });
        var none = await _s3.SendAsync("GET", "/b/k?attributes");
        var negative = await _s3.SendAsync("GET", "/b/k?attributes", null, new() { ["x-amz-object-attributes"] = "ETag", ["x-amz-max-parts"] = "-1" });
        var notNumber = await _s3.SendAsync("GET", "/b/k?attributes", null, new() { ["x-amz-object-attributes"] = "ETag", ["x-amz-max-parts"] = "many" });

        Assert.Equal(200, some.Status);
        var a = Xml(some);
        Assert.Equal(S3 + "GetObjectAttributesResponse", a.Name);
        Assert.Equal(["ETag", "Checksum", "ObjectSize"], a.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", a.Element(S3 + "ETag")!.Value);
        Assert.Equal("5", a.Element(S3 + "ObjectSize")!.Value);
        Assert.Equal("NhCmhg==", a.Element(S3 + "Checksum")!.Element(S3 + "ChecksumCRC32")!.Value);
        Assert.Equal("FULL_OBJECT", a.Element(S3 + "Checksum")!.Element(S3 + "ChecksumType")!.Value);
        Assert.False(string.IsNullOrEmpty(some.Headers.LastModified.ToString()));

        var p = Xml(parts);
        Assert.Equal(["ObjectParts", "StorageClass"], p.Elements().Select(e => e.Name.LocalName));
        var op = p.Element(S3 + "ObjectParts")!;
        Assert.Equal("3", op.Element(S3 + "PartsCount")!.Value);
        Assert.Equal("1", op.Element(S3 + "PartNumberMarker")!.Value);
        Assert.Equal("3", op.Element(S3 + "NextPartNumberMarker")!.Value);
        Assert.Equal("2", op.Element(S3 + "MaxParts")!.Value);
        Assert.Equal("false", op.Element(S3 + "IsTruncated")!.Value);
        Assert.Equal(["2", "3"], op.Elements(S3 + "Part").Select(x => x.Element(S3 + "PartNumber")!.Value));
        Assert.Equal(["5242880", "4"], op.Elements(S3 + "Part").Select(x => x.Element(S3 + "Size")!.Value));
        Assert.Equal("STANDARD", p.Element(S3 + "StorageClass")!.Value);

        Assert.Equal(400, unknown.Status);
        Assert.Contains("<Message>Invalid attribute name specified.</Message>", unknown.Body);
        Assert.Equal(400, none.Status);
        Assert.Contains("<Code>InvalidArgument</Code>", none.Body);
        Assert.Equal(400, negative.Status);
        Assert.Contains("<ArgumentName>x-amz-max-parts</ArgumentName>", negative.Body);
        Assert.Equal(400, notNumber.Status);
        Assert.Contains("<Message>Provided x-amz-max-parts not an integer or within integer range</Message>", notNumber.Body);
    }

    [Fact]
    public async Task Object_attributes_need_the_attributes_permission_besides_the_read()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("x"));
        _s3.Authorizer.Checks.Clear();
        _s3.Authorizer.Deny.Add("s3:GetObjectAttributes");

        var denied = await _s3.SendAsync("GET", "/b/k?attributes", null, new() { ["x-amz-object-attributes"] = "ETag" });

        Assert.Equal(403, denied.Status);
        Assert.Equal(["s3:GetObject", "s3:GetObjectAttributes"], _s3.Authorizer.Checks.Select(c => c.Action));
    }

    [Fact]
    public async Task Versions_and_delete_markers_come_in_key_order_newest_first_and_page_by_key_and_version_markers()
    {
        _s3.Store.SetVersioning("b", BucketVersioning.Enabled);
        await _s3.SendAsync("PUT", "/b/a", Utf8("a1"));
        await _s3.SendAsync("DELETE", "/b/a");
        await _s3.SendAsync("PUT", "/b/a", Utf8("a2"));
        await _s3.SendAsync("PUT", "/b/c", Utf8("c1"));
        await _s3.SendAsync("DELETE", "/b/c");
        await _s3.SendAsync("PUT", "/b/dir/x", Utf8("x"));

        var all = Xml(await _s3.SendAsync("GET", "/b?versions&delimiter=/"));
        var first = Xml(await _s3.SendAsync("GET", "/b?versions&max-keys=2"));
        var keyMarker = first.Element(S3 + "NextKeyMarker")!.Value;
        var versionMarker = first.Element(S3 + "NextVersionIdMarker")!.Value;
        var second = Xml(await _s3.SendAsync("GET", $"/b?versions&max-keys=2&key-marker={keyMarker}&version-id-marker={versionMarker}"));

        Assert.Equal(S3 + "ListVersionsResult", all.Name);
        // The wire order S3 answers: Version and DeleteMarker elements interleaved, key by key, newest first.
        var entries = all.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker")
            .Select(e => e.Name.LocalName + ":" + e.Element(S3 + "Key")!.Value + ":" + e.Element(S3 + "IsLatest")!.Value).ToList();
        Assert.Equal(["Version:a:true", "DeleteMarker:a:false", "Version:a:false", "DeleteMarker:c:true", "Version:c:false"], entries);
        Assert.Equal(["dir/"], all.Elements(S3 + "CommonPrefixes").Select(e => e.Element(S3 + "Prefix")!.Value));
        Assert.Equal("false", all.Element(S3 + "IsTruncated")!.Value);
        Assert.NotNull(all.Element(S3 + "Version")!.Element(S3 + "Owner")!.Element(S3 + "ID"));

        Assert.Equal("true", first.Element(S3 + "IsTruncated")!.Value);
        Assert.Equal("a", keyMarker);
        Assert.Equal(["Version", "DeleteMarker"], first.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker").Select(e => e.Name.LocalName));
        Assert.Equal(versionMarker, first.Element(S3 + "DeleteMarker")!.Element(S3 + "VersionId")!.Value);
        Assert.Equal(keyMarker, second.Element(S3 + "KeyMarker")!.Value);
        Assert.Equal(versionMarker, second.Element(S3 + "VersionIdMarker")!.Value);
        Assert.Equal(["Version:a", "DeleteMarker:c"], second.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker")
            .Select(e => e.Name.LocalName + ":" + e.Element(S3 + "Key")!.Value));
    }

    [Fact]
    public async Task Listing_versions_is_list_bucket_versions_with_the_listing_condition_keys()
    {
        _s3.Authorizer.Deny.Add("s3:ListBucketVersions");

        var denied = await _s3.SendAsync("GET", "/b?versions&prefix=logs/&max-keys=5");
        var badEncoding = await _s3.SendAsync("GET", "/b?versions&encoding-type=base64");

        Assert.Equal(403, denied.Status);
        var check = _s3.Authorizer.Checks.Single();
        Assert.Equal("s3:ListBucketVersions", check.Action);
        Assert.Equal("arn:aws:s3:::b", check.Resource);
        Assert.Equal(["logs/"], check.Keys!["s3:prefix"]);
        Assert.Equal(["5"], check.Keys!["s3:max-keys"]);
        Assert.Equal(400, badEncoding.Status);
        Assert.Contains("<Message>Invalid Encoding Method specified in Request</Message>", badEncoding.Body);
    }

    /// <summary>
    /// HeadObject runs on GetObject's request record and answers with GetObject's response record (without its body):
    /// one definition each, which holds only while every public member of the records is a member of both model shapes
    /// (ShapeConformanceTests checks each operation's binding; this names the sharing) and the body stays out of them.
    /// </summary>
    [Fact]
    public void Head_object_shares_get_objects_request_and_response_records()
    {
        var model = LocalShift.Aws.Model.ServiceModel.Get("s3").Shapes;
        string Members(string shape) => string.Join(",", model[shape].Members.Select(m => $"{m.Name}:{m.Shape.Name}:{m.Location}:{m.WireName}"));
        Assert.Equal(Members("GetObjectRequest"), Members("HeadObjectRequest"));

        var operations = new LocalShift.Services.S3.S3Operations(null!).Operations;
        Assert.Equal(operations["GetObject"].RequestType, operations["HeadObject"].RequestType);
        Assert.Equal(operations["GetObject"].ResponseType, operations["HeadObject"].ResponseType);

        var properties = operations["HeadObject"].ResponseType.GetProperties().Where(p => p.Name != "EqualityContract").Select(p => p.Name).ToList();
        Assert.Equal(26, properties.Count);
        foreach (var shape in new[] { "GetObjectOutput", "HeadObjectOutput" })
        foreach (var property in properties)
            Assert.True(model[shape].MembersByName.ContainsKey(property), $"{property} is not a member of {shape}");
        Assert.DoesNotContain("Body", properties);
    }
}
