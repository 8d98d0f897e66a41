using System.Security.Cryptography;
using System.Text;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using LocalShift.Services.S3;
using LocalShift.Services.S3.Http;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.Tests.S3;

public sealed class S3ServiceTests : IDisposable
{
    private readonly S3Harness _s3 = new();

    public S3ServiceTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_wrong_content_md5_is_BadDigest_and_stores_nothing()
    {
        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("body"), new() { ["Content-MD5"] = Convert.ToBase64String(MD5.HashData(Utf8("other"))) });

        Assert.Equal(400, r.Status);
        Assert.Contains("<Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message>", r.Body);
        Assert.Null(_s3.Store.FindObject("b", "k"));
    }

    [Fact]
    public async Task A_content_md5_that_is_not_an_md5_is_InvalidDigest()
    {
        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("body"), new() { ["Content-MD5"] = "not base64!" });
        Assert.Contains("<Code>InvalidDigest</Code>", r.Body);
    }

    [Fact]
    public async Task A_body_that_does_not_hash_to_x_amz_content_sha256_is_refused()
    {
        var claimed = Convert.ToHexStringLower(SHA256.HashData(Utf8("what was signed")));
        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("what was sent"), new() { ["x-amz-content-sha256"] = claimed });

        Assert.Equal(400, r.Status);
        Assert.Contains("<Code>XAmzContentSHA256Mismatch</Code>", r.Body);
        Assert.Null(_s3.Store.FindObject("b", "k"));
    }

    [Fact]
    public async Task Checksums_are_verified_stored_and_returned_when_asked()
    {
        var crc = S3Checksum.Create(S3Checksum.Crc32);
        crc.Append(Utf8("hello world"));
        var good = Convert.ToBase64String(crc.Hash());

        var bad = await _s3.SendAsync("PUT", "/b/k", Utf8("hello world"), new() { ["x-amz-checksum-crc32"] = "AAAAAA==" });
        var ok = await _s3.SendAsync("PUT", "/b/k", Utf8("hello world"), new() { ["x-amz-checksum-crc32"] = good });
        var get = await _s3.SendAsync("GET", "/b/k", null, new() { ["x-amz-checksum-mode"] = "ENABLED" });

        Assert.Contains("<Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message>", bad.Body);
        Assert.Equal(200, ok.Status);
        Assert.Equal(good, get.Headers["x-amz-checksum-crc32"].ToString());
        Assert.Equal("hello world", get.Body);
    }

    [Fact]
    public async Task A_signed_aws_chunked_put_is_decoded_and_a_tampered_one_is_refused()
    {
        var key = SigV4Signer.SigningKey("secret", "20260101", "us-east-1", "s3");
        const string date = "20260101T000000Z", scope = "20260101/us-east-1/s3/aws4_request", seed = "00000000000000000000000000000000000000000000000000000000000000aa";
        var data = Utf8("chunked content");
        string Sig(string prev, byte[] chunk) => ChunkedPayloadStream.Sign(key,
            $"AWS4-HMAC-SHA256-PAYLOAD\n{date}\n{scope}\n{prev}\n{SigV4Signer.EmptyPayloadHash}\n{Convert.ToHexStringLower(SHA256.HashData(chunk))}");
        var s1 = Sig(seed, data);
        var s2 = Sig(s1, []);
        byte[] Body(byte[] payload) => [.. Utf8($"{payload.Length:x};chunk-signature={s1}\r\n"), .. payload, .. Utf8($"\r\n0;chunk-signature={s2}\r\n\r\n")];
        var headers = new Dictionary<string, string>
        {
            ["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ["Content-Encoding"] = "aws-chunked",
            ["x-amz-decoded-content-length"] = data.Length.ToString(),
        };
        void Sign(Microsoft.AspNetCore.Http.HttpContext h) =>
            h.Items[typeof(SignatureContext)] = new SignatureContext(key, seed, date, scope, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");

        var tampered = await _s3.SendAsync("PUT", "/b/t", Body(Utf8("chunked CONTENT")), headers, prepare: Sign);
        var ok = await _s3.SendAsync("PUT", "/b/k", Body(data), headers, prepare: Sign);
        var get = await _s3.SendAsync("GET", "/b/k");

        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", tampered.Body);
        Assert.Null(_s3.Store.FindObject("b", "t"));
        Assert.Equal(200, ok.Status);
        Assert.Equal("chunked content", get.Body);
        Assert.False(get.Headers.ContainsKey("Content-Encoding")); // aws-chunked describes the transfer, not the object
    }

    [Fact]
    public async Task Unknown_sub_resources_answer_NotImplemented_in_s3_xml()
    {
        var r = await _s3.SendAsync("GET", "/b?inventory");

        Assert.Equal(501, r.Status);
        Assert.StartsWith("<?xml", r.Body);
        Assert.Contains("<Code>NotImplemented</Code>", r.Body);
        Assert.Contains("<RequestId>req-1</RequestId>", r.Body);
    }

    [Fact]
    public async Task Missing_bucket_and_key_errors_name_what_is_missing()
    {
        var bucket = await _s3.SendAsync("GET", "/nobucket/k");
        var key = await _s3.SendAsync("GET", "/b/no%20key");

        Assert.Equal(404, bucket.Status);
        Assert.Contains("<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>nobucket</BucketName>", bucket.Body);
        Assert.Equal(404, key.Status);
        Assert.Contains("<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>no key</Key>", key.Body);
    }

    [Fact]
    public async Task A_missing_key_is_AccessDenied_for_a_caller_who_may_not_list()
    {
        _s3.Authorizer.Deny.Add("s3:ListBucket");
        var r = await _s3.SendAsync("GET", "/b/none");

        Assert.Equal(403, r.Status);
        Assert.Contains("<Code>AccessDenied</Code>", r.Body);
    }

    [Fact]
    public async Task Listing_asks_for_s3_ListBucket_with_the_prefix_delimiter_and_max_keys_and_the_bucket_owner()
    {
        await _s3.SendAsync("GET", "/b?list-type=2&prefix=logs%2F&delimiter=%2F&max-keys=5");

        var check = Assert.Single(_s3.Authorizer.Checks);
        Assert.Equal("s3:ListBucket", check.Action);
        Assert.Equal("arn:aws:s3:::b", check.Resource);
        Assert.Equal(S3Harness.Account, check.ResourceAccount);
        Assert.Equal(["logs/"], check.Keys!["s3:prefix"]);
        Assert.Equal(["/"], check.Keys!["s3:delimiter"]);
        Assert.Equal(["5"], check.Keys!["s3:max-keys"]);
    }

    [Fact]
    public async Task Object_operations_ask_for_their_action_on_the_object_arn()
    {
        // bucket-owner-full-control: the one canned ACL a BucketOwnerEnforced bucket (the default) accepts.
        await _s3.SendAsync("PUT", "/b/dir/k.txt", Utf8("x"), new() { ["x-amz-acl"] = "bucket-owner-full-control" });
        await _s3.SendAsync("GET", "/b/dir/k.txt");
        await _s3.SendAsync("DELETE", "/b/dir/k.txt");

        Assert.Equal(["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], _s3.Authorizer.Checks.Select(c => c.Action));
        Assert.All(_s3.Authorizer.Checks, c => Assert.Equal("arn:aws:s3:::b/dir/k.txt", c.Resource));
        Assert.Equal(["bucket-owner-full-control"], _s3.Authorizer.Checks[0].Keys!["s3:x-amz-acl"]);
    }

    [Fact]
    public async Task A_denied_put_writes_nothing()
    {
        _s3.Authorizer.Deny.Add("s3:PutObject");
        var r = await _s3.SendAsync("PUT", "/b/k", Utf8("x"));

        Assert.Equal(403, r.Status);
        Assert.Null(_s3.Store.FindObject("b", "k"));
    }

    [Theory]
    [InlineData("mybucket.localhost", "mybucket")]
    [InlineData("mybucket.s3.localhost", "mybucket")]
    [InlineData("my.dotted.bucket.s3.us-east-1.amazonaws.com", "my.dotted.bucket")]
    [InlineData("mybucket.s3-us-west-2.amazonaws.com", "mybucket")]
    [InlineData("mybucket.s3.localhost.localstack.cloud", "mybucket")]
    [InlineData("localhost", null)]
    [InlineData("s3.localhost", null)]
    [InlineData("127.0.0.1", null)]
    [InlineData("s3.amazonaws.com", null)]
    public void Virtual_host_names_carry_the_bucket(string host, string? bucket) => Assert.Equal(bucket, S3Request.BucketFromHost(host));

    [Fact]
    public async Task Virtual_hosted_requests_reach_the_bucket_from_the_host_name()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("vh"));
        var r = await _s3.SendAsync("GET", "/k", host: "b.localhost:4566");
        Assert.Equal("vh", r.Body);
    }

    [Fact]
    public async Task Keys_come_from_the_raw_target_so_encoded_slashes_and_dot_segments_survive()
    {
        await _s3.SendAsync("PUT", "/b/a%2F..%2F..%2Fx", Utf8("1"));
        await _s3.SendAsync("PUT", "/b/sp%20ace%2Bplus", Utf8("2"));

        Assert.NotNull(_s3.Store.FindObject("b", "a/../../x"));
        Assert.NotNull(_s3.Store.FindObject("b", "sp ace+plus"));
    }

    [Fact]
    public async Task Bucket_policies_are_validated_and_served_to_the_authorizer()
    {
        var malformed = await _s3.SendAsync("PUT", "/b?policy", Utf8("[1]"));
        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}""";
        var put = await _s3.SendAsync("PUT", "/b?policy", Utf8(policy));
        var found = new S3BucketPolicies(_s3.Store).Find("arn:aws:s3:::b/some/key");

        Assert.Contains("<Code>MalformedPolicy</Code><Message>Policies must be valid JSON and the first byte must be '{'</Message>", malformed.Body);
        Assert.Equal(204, put.Status);
        Assert.Equal(policy, found!.Policy.Document);
        Assert.Equal(S3Harness.Account, found.OwnerAccount);
        Assert.Null(new S3BucketPolicies(_s3.Store).Find("arn:aws:s3:::other"));
    }

    [Fact]
    public async Task The_internal_api_reads_and_writes_with_the_same_checks()
    {
        var objects = new S3Objects(_s3.Service.Typed);
        var call = _s3.Call();

        await objects.PutAsync(call, "b", "unload/0000_part_00", new MemoryStream(Utf8("1|a\n")));
        var listed = await objects.ListAsync(call, "b", "unload/");
        await using (var read = await objects.OpenReadAsync(call, "b", "unload/0000_part_00"))
            Assert.Equal("1|a\n", await new StreamReader(read).ReadToEndAsync());
        await objects.DeleteAsync(call, "b", "unload/0000_part_00");
        _s3.Authorizer.Deny.Add("s3:GetObject");
        var denied = await Assert.ThrowsAsync<AwsException>(() => objects.OpenReadAsync(call, "b", "x"));
        var noBucket = await Assert.ThrowsAsync<S3Exception>(() => objects.ListAsync(call, "nope", ""));

        Assert.Equal(["unload/0000_part_00"], listed.Select(o => o.Key));
        Assert.Equal(["s3:PutObject", "s3:ListBucket", "s3:GetObject", "s3:DeleteObject", "s3:GetObject"], _s3.Authorizer.Checks.Select(c => c.Action));
        Assert.Equal(["unload/"], _s3.Authorizer.Checks[1].Keys!["s3:prefix"]);
        Assert.Equal("AccessDenied", denied.Code);
        Assert.Equal("NoSuchBucket", noBucket.Code);
        Assert.Empty(await objects.ListAsync(call, "b", ""));
    }

    /// <summary>The in-process listing is the edge's ListObjectsV2, page after page, each page authorized as a client's would be.</summary>
    [Fact]
    public async Task The_internal_listing_pages_through_list_objects_v2_past_a_thousand_keys()
    {
        var objects = new S3Objects(_s3.Service.Typed);
        var call = _s3.Call();
        var keys = Enumerable.Range(0, 1001).Select(i => $"p/{i:D4}").ToList();
        foreach (var k in keys) await objects.PutAsync(call, "b", k, new MemoryStream(Utf8("x")));
        _s3.Authorizer.Checks.Clear();

        var listed = await objects.ListAsync(call, "b", "p/");

        Assert.Equal(keys, listed.Select(o => o.Key));
        Assert.All(listed, o => Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Utf8("x"))), o.ETag));
        Assert.Equal(["s3:ListBucket", "s3:ListBucket"], _s3.Authorizer.Checks.Select(c => c.Action));
    }
}
