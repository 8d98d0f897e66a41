using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// The condition keys each S3 operation hands the authorizer, and the SSE-C checks the SDKs never let a test reach (they
/// compute the key's MD5 themselves).
/// </summary>
public sealed class S3ConditionKeyServiceTests : IDisposable
{
    private readonly S3Harness _s3 = new();

    public S3ConditionKeyServiceTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private IReadOnlyDictionary<string, IReadOnlyList<string>> KeysOf(string action) =>
        _s3.Authorizer.Checks.Last(c => c.Action == action).Keys!;

    [Fact]
    public async Task PutObject_hands_the_authorizer_its_header_tag_and_resource_keys()
    {
        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("body"), new()
        {
            ["x-amz-server-side-encryption"] = "aws:kms",
            ["x-amz-server-side-encryption-aws-kms-key-id"] = "key-1",
            ["x-amz-tagging"] = "project=blue&team=data",
            ["x-amz-storage-class"] = "STANDARD_IA",
            ["x-amz-acl"] = "bucket-owner-full-control",
            ["x-amz-object-lock-mode"] = "GOVERNANCE",
        });

        Assert.Equal(200, r.Status);
        var keys = KeysOf("s3:PutObject");
        Assert.Equal(["aws:kms"], keys["s3:x-amz-server-side-encryption"]);
        Assert.Equal(["key-1"], keys["s3:x-amz-server-side-encryption-aws-kms-key-id"]);
        Assert.Equal(["blue"], keys["s3:RequestObjectTag/project"]);
        Assert.Equal(["project", "team"], keys["s3:RequestObjectTagKeys"]);
        Assert.Equal(["STANDARD_IA"], keys["s3:x-amz-storage-class"]);
        Assert.Equal(["bucket-owner-full-control"], keys["s3:x-amz-acl"]);
        Assert.Equal(["GOVERNANCE"], keys["s3:object-lock-mode"]);
        Assert.Equal([S3Harness.Account], keys["s3:ResourceAccount"]);
        Assert.False(keys.ContainsKey("s3:x-amz-server-side-encryption-customer-algorithm"));
        Assert.False(keys.ContainsKey("s3:authType")); // an unsigned request carries no signature keys
        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/key-1", r.Headers["x-amz-server-side-encryption-aws-kms-key-id"].ToString());
    }

    [Fact]
    public async Task Reads_and_tagging_see_the_existing_object_tags()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("body"), new() { ["x-amz-tagging"] = "classification=public" });

        await _s3.SendAsync("GET", "/b/k");
        await _s3.SendAsync("GET", "/b/k?tagging");
        await _s3.SendAsync("PUT", "/b/k?tagging", Utf8("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"));

        Assert.Equal(["public"], KeysOf("s3:GetObject")["s3:ExistingObjectTag/classification"]);
        Assert.Equal(["public"], KeysOf("s3:GetObjectTagging")["s3:ExistingObjectTag/classification"]);
        var put = KeysOf("s3:PutObjectTagging");
        Assert.Equal(["public"], put["s3:ExistingObjectTag/classification"]);
        Assert.Equal(["b"], put["s3:RequestObjectTag/a"]);
        Assert.Equal(["a"], put["s3:RequestObjectTagKeys"]);
    }

    [Fact]
    public async Task Parts_carry_the_encryption_of_their_upload_and_part_copies_their_source()
    {
        await _s3.SendAsync("PUT", "/b/src", Utf8("source"));
        var created = await _s3.SendAsync("POST", "/b/mp?uploads", null, new() { ["x-amz-server-side-encryption"] = "AES256" });
        var uploadId = System.Xml.Linq.XDocument.Parse(created.Body).Root!.Elements().First(e => e.Name.LocalName == "UploadId").Value;

        await _s3.SendAsync("PUT", $"/b/mp?partNumber=1&uploadId={uploadId}", Utf8("part"));
        var part = KeysOf("s3:PutObject");
        await _s3.SendAsync("PUT", $"/b/mp?partNumber=2&uploadId={uploadId}", null, new() { ["x-amz-copy-source"] = "/b/src" });
        var copy = KeysOf("s3:PutObject");

        Assert.Equal(["AES256"], part["s3:x-amz-server-side-encryption"]);
        Assert.Equal(["b/src"], copy["s3:x-amz-copy-source"]);
    }

    [Theory]
    [InlineData("AES256", true, true, "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided.")]
    [InlineData("AES256", false, false, "InvalidArgument", "The secret key was invalid for the specified algorithm.")]
    [InlineData(null, true, false, "InvalidArgument", "must provide a valid encryption algorithm")]
    [InlineData("AES512", true, false, "InvalidEncryptionAlgorithmError", "Supported value: AES256")]
    public async Task Malformed_sse_c_headers_are_refused_before_anything_is_stored(string? algorithm, bool goodKey, bool wrongMd5, string code, string message)
    {
        var key = goodKey ? new byte[32] : new byte[16];
        var headers = new Dictionary<string, string>
        {
            ["x-amz-server-side-encryption-customer-key"] = Convert.ToBase64String(key),
            ["x-amz-server-side-encryption-customer-key-MD5"] = Convert.ToBase64String(MD5.HashData(wrongMd5 ? new byte[32].Append((byte)1).ToArray() : key)),
        };
        if (algorithm is not null) headers["x-amz-server-side-encryption-customer-algorithm"] = algorithm;

        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("body"), headers);

        Assert.Equal(400, r.Status);
        Assert.Contains($"<Code>{code}</Code>", r.Body);
        Assert.Contains(message, r.Body);
        Assert.Null(_s3.Store.FindObject("b", "k"));
    }
}
