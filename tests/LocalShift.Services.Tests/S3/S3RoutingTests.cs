using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Services.S3.Http;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// S3's routing is derived from its model (<see cref="S3Router"/>); these are the hand-checked cases it must agree with:
/// requests as <c>/usr/bin/aws s3api</c> (botocore, read from <c>--debug</c>), the JS SDK v3 (<c>?x-id=</c>) and presigned
/// URLs send them, each with the operation it names.
/// </summary>
public sealed class S3RoutingTests : IDisposable
{
    private static S3Router Router => S3Service.Router;
    private readonly S3Harness _s3 = new();

    public S3RoutingTests() => _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");

    public void Dispose() => _s3.Dispose();

    [Theory]
    // aws s3api (botocore), as --debug shows the prepared request
    [InlineData("GET", "/", "", "ListBuckets")]
    [InlineData("GET", "/b?list-type=2&encoding-type=url", "", "ListObjectsV2")]
    [InlineData("GET", "/b?encoding-type=url", "", "ListObjects")]
    [InlineData("GET", "/b?location", "", "GetBucketLocation")]
    [InlineData("GET", "/b/k", "", "GetObject")]
    [InlineData("PUT", "/b/k", "Content-MD5", "PutObject")]
    [InlineData("PUT", "/b/k", "x-amz-copy-source", "CopyObject")]
    [InlineData("PUT", "/b/k?partNumber=1&uploadId=U", "Content-MD5", "UploadPart")]
    [InlineData("PUT", "/b/k?partNumber=1&uploadId=U", "x-amz-copy-source", "UploadPartCopy")]
    [InlineData("GET", "/b?metrics&id=i", "", "GetBucketMetricsConfiguration")]
    [InlineData("GET", "/b?metrics", "", "ListBucketMetricsConfigurations")]
    [InlineData("DELETE", "/b?analytics&id=i", "", "DeleteBucketAnalyticsConfiguration")]
    [InlineData("GET", "/b?lifecycle", "", "GetBucketLifecycleConfiguration")]
    [InlineData("GET", "/b?notification", "", "GetBucketNotificationConfiguration")]
    [InlineData("GET", "/b/k?attributes", "x-amz-object-attributes", "GetObjectAttributes")]
    [InlineData("POST", "/b?delete", "Content-MD5", "DeleteObjects")]
    [InlineData("POST", "/b/k?uploads", "", "CreateMultipartUpload")]
    [InlineData("POST", "/b/k?uploadId=U", "", "CompleteMultipartUpload")]
    [InlineData("GET", "/b/k?uploadId=U", "", "ListParts")]
    [InlineData("DELETE", "/b/k?uploadId=U", "", "AbortMultipartUpload")]
    [InlineData("GET", "/b?cors", "", "GetBucketCors")]
    [InlineData("HEAD", "/b/k", "x-amz-expected-bucket-owner", "HeadObject")]
    [InlineData("POST", "/b/k?select&select-type=2", "", "SelectObjectContent")]
    [InlineData("GET", "/b?versions&encoding-type=url", "", "ListObjectVersions")]
    [InlineData("PUT", "/b/k?tagging", "Content-MD5", "PutObjectTagging")]
    [InlineData("GET", "/b/k?versionId=v&partNumber=2", "", "GetObject")]
    [InlineData("GET", "/b?uploads", "", "ListMultipartUploads")]
    [InlineData("DELETE", "/b/a/b%20c?versionId=v", "", "DeleteObject")]
    [InlineData("GET", "/b?policyStatus", "", "GetBucketPolicyStatus")]
    [InlineData("GET", "/b?policy", "", "GetBucketPolicy")]
    [InlineData("PUT", "/b", "", "CreateBucket")]
    [InlineData("HEAD", "/b", "", "HeadBucket")]
    [InlineData("DELETE", "/b", "", "DeleteBucket")]
    [InlineData("PUT", "/b?versioning", "Content-MD5", "PutBucketVersioning")]
    [InlineData("DELETE", "/b?publicAccessBlock", "", "DeletePublicAccessBlock")]
    [InlineData("GET", "/b/k?tagging&versionId=v", "", "GetObjectTagging")]
    [InlineData("GET", "/b/k?acl", "", "GetObjectAcl")]
    [InlineData("PUT", "/b?acl", "", "PutBucketAcl")]
    [InlineData("POST", "/b/k?restore", "", "RestoreObject")]
    // the JS SDK v3 names the operation in x-id, which is not a sub-resource
    [InlineData("GET", "/b/k?x-id=GetObject", "", "GetObject")]
    [InlineData("PUT", "/b/k?x-id=PutObject", "", "PutObject")]
    [InlineData("PUT", "/b/k?x-id=CopyObject", "x-amz-copy-source", "CopyObject")]
    [InlineData("PUT", "/b/k?partNumber=2&uploadId=U&x-id=UploadPart", "", "UploadPart")]
    [InlineData("GET", "/b?list-type=2&max-keys=1000&prefix=", "", "ListObjectsV2")]
    [InlineData("GET", "/b?x-id=ListObjectVersions&versions", "", "ListObjectVersions")]
    // presigned URLs carry SigV4 in the query
    [InlineData("GET", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Date=d&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=s", "", "GetObject")]
    // a parameter with a value that nothing binds is ignored, as S3 does (a cache buster)
    [InlineData("GET", "/b/k?v=2", "", "GetObject")]
    public void A_request_routes_to_the_operation_it_names(string method, string target, string header, string operation)
    {
        var route = Match(method, target, header);
        Assert.Equal(operation, route.Operation?.Name);
    }

    [Theory]
    [InlineData("DELETE", "/b?foo", "foo")]       // never DeleteBucket
    [InlineData("PUT", "/b/k?foo", "foo")]        // never PutObject
    [InlineData("GET", "/b/k?versioning", "versioning")] // a bucket sub-resource on an object
    [InlineData("POST", "/b", "")]                // a browser form upload (PostObject is not in the model)
    public void A_sub_resource_no_operation_binds_is_not_run_as_the_plain_operation(string method, string target, string unknown)
    {
        var route = Match(method, target, "");
        Assert.Null(route.Operation);
        Assert.True(route.MethodAllowed);
        Assert.Equal(unknown, route.UnknownSubresource);
    }

    [Theory]
    [InlineData("PUT", "/")]
    [InlineData("OPTIONS", "/b/k")]
    [InlineData("PATCH", "/b")]
    public void A_method_s3_has_not_for_the_path_is_not_allowed(string method, string target) =>
        Assert.False(Match(method, target, "").MethodAllowed);

    [Fact]
    public void Every_operation_of_the_model_can_be_reached()
    {
        // Each operation routes to itself from its own request URI, with its literal query parts and required members.
        var model = ServiceModel.Get("s3");
        var unreachable = new List<string>();
        foreach (var op in model.Operations.Values)
        {
            var uri = op.RequestUri.Replace("{Bucket}", "b").Replace("{Key+}", "k");
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            var q = uri.IndexOf('?');
            if (q >= 0)
            {
                foreach (var part in uri[(q + 1)..].Split('&'))
                    query[part.Split('=')[0]] = part.Contains('=') ? part.Split('=')[1] : "";
                uri = uri[..q];
            }
            var headers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var m in op.Input?.Members ?? [])
            {
                if (!op.Input!.Required.Contains(m.Name)) continue;
                if (m.Location == MemberLocation.Header) headers.Add(m.WireName);
                if (m.Location == MemberLocation.QueryString) query[m.WireName] = "1";
            }
            var parts = uri.Trim('/').Split('/', 2);
            var bucket = parts[0].Length == 0 ? null : parts[0];
            var key = parts.Length > 1 ? parts[1] : null;
            var headerDictionary = new Microsoft.AspNetCore.Http.HeaderDictionary();
            foreach (var h in headers) headerDictionary[h] = "x";
            var route = Router.Match(op.HttpMethod, bucket, key, query, headerDictionary);
            if (route.Operation?.Name != op.Name) unreachable.Add($"{op.Name} -> {route.Operation?.Name ?? "none"}");
        }
        // The ones that share method, URI and required members with another operation, which wins on AWS's terms.
        Assert.Equal(
            ["GetBucketLifecycle -> GetBucketLifecycleConfiguration", "GetBucketNotification -> GetBucketNotificationConfiguration",
             "ListDirectoryBuckets -> ListBuckets", "PutBucketLifecycle -> PutBucketLifecycleConfiguration",
             "PutBucketNotification -> PutBucketNotificationConfiguration"],
            unreachable.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_operation_of_the_model_that_is_not_emulated_answers_NotImplemented_naming_it()
    {
        var r = await _s3.SendAsync("GET", "/b?cors");

        Assert.Equal(501, r.Status);
        Assert.Contains("<Code>NotImplemented</Code><Message>The operation GetBucketCors of service s3 is not implemented by LocalShift.</Message>", r.Body);
    }

    /// <summary>
    /// WriteGetObjectResponse is sent to <c>{RequestRoute}.</c> + the endpoint's host (its model's host prefix), so the
    /// host's first label is the route, not a bucket; path-style, <c>/b/WriteGetObjectResponse</c> stays an object key.
    /// </summary>
    [Fact]
    public async Task Write_get_object_response_sent_virtual_hosted_routes_to_the_operation()
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary { ["x-amz-request-route"] = "route1", ["x-amz-request-token"] = "t" };
        var empty = new Dictionary<string, string>();
        Assert.Equal("WriteGetObjectResponse", Router.Match("POST", "route1", "WriteGetObjectResponse", empty, headers, virtualHosted: true).Operation?.Name);
        // Path-style, or another key: a POST on an object of bucket route1, as before (CompleteMultipartUpload's, without its uploadId).
        Assert.Equal("CompleteMultipartUpload", Router.Match("POST", "route1", "WriteGetObjectResponse", empty, headers).Operation?.Name);
        Assert.Equal("CompleteMultipartUpload", Router.Match("POST", "route1", "other", empty, headers, virtualHosted: true).Operation?.Name);

        var r = await _s3.SendAsync("POST", "/WriteGetObjectResponse", "x"u8.ToArray(),
            new() { ["x-amz-request-route"] = "route1", ["x-amz-request-token"] = "t" }, host: "route1.localhost:4566");
        Assert.Equal(501, r.Status);
        Assert.Contains("<Code>NotImplemented</Code><Message>The operation WriteGetObjectResponse of service s3 is not implemented by LocalShift.</Message>", r.Body);
    }

    [Fact]
    public async Task A_method_s3_does_not_have_for_an_object_is_MethodNotAllowed()
    {
        var r = await _s3.SendAsync("PATCH", "/b/k");

        Assert.Equal(405, r.Status);
        Assert.Contains("<Code>MethodNotAllowed</Code>", r.Body);
        Assert.Contains("<ResourceType>OBJECT</ResourceType>", r.Body);
    }

    private static S3Route Match(string method, string target, string header)
    {
        var q = target.IndexOf('?');
        var path = Uri.UnescapeDataString(q < 0 ? target : target[..q]).TrimStart('/');
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (q >= 0)
            foreach (var part in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                query.TryAdd(part.Split('=')[0], part.Contains('=') ? part[(part.IndexOf('=') + 1)..] : "");
        var slash = path.IndexOf('/');
        var bucket = path.Length == 0 ? null : slash < 0 ? path : path[..slash];
        var key = slash < 0 ? null : path[(slash + 1)..];
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        if (header.Length > 0) headers[header] = "v";
        return Router.Match(method, bucket, key, query, headers);
    }
}

/// <summary>The bucket owner condition: x-amz-expected-bucket-owner and, on copies, x-amz-source-expected-bucket-owner.</summary>
public sealed class S3ExpectedBucketOwnerTests : IDisposable
{
    private const string Other = "210987654321";
    private readonly S3Harness _s3 = new();

    public S3ExpectedBucketOwnerTests()
    {
        _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");
        _s3.Store.CreateBucket("theirs", Other, "us-east-1");
    }

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task A_put_naming_another_owner_is_AccessDenied_and_writes_nothing()
    {
        var denied = await _s3.SendAsync("PUT", "/b/k", "x"u8.ToArray(), new() { ["x-amz-expected-bucket-owner"] = Other });
        Assert.Equal(403, denied.Status);
        Assert.Contains("<Code>AccessDenied</Code><Message>Access Denied</Message>", denied.Body);
        Assert.Null(_s3.Store.FindObject("b", "k"));

        var ok = await _s3.SendAsync("PUT", "/b/k", "x"u8.ToArray(), new() { ["x-amz-expected-bucket-owner"] = S3Harness.Account });
        Assert.Equal(200, ok.Status);
        Assert.NotNull(_s3.Store.FindObject("b", "k"));
    }

    [Theory]
    [InlineData("GET", "/b?list-type=2")]
    [InlineData("GET", "/b?versioning")]
    [InlineData("HEAD", "/b")]
    [InlineData("DELETE", "/b")]
    [InlineData("GET", "/b/k?tagging")]
    public async Task Every_bucket_and_object_operation_checks_it(string method, string target)
    {
        await _s3.SendAsync("PUT", "/b/k", "x"u8.ToArray());
        var r = await _s3.SendAsync(method, target, null, new() { ["x-amz-expected-bucket-owner"] = Other });
        Assert.Equal(403, r.Status);
        Assert.NotNull(_s3.Store.FindBucket("b"));

        // The same request naming the right owner is not refused (DELETE /b then answers BucketNotEmpty).
        var right = await _s3.SendAsync(method, target, null, new() { ["x-amz-expected-bucket-owner"] = S3Harness.Account });
        Assert.NotEqual(403, right.Status);
    }

    [Fact]
    public async Task A_copy_checks_the_source_bucket_owner_too()
    {
        await _s3.SendAsync("PUT", "/b/src", "data"u8.ToArray());
        var wrongSource = await _s3.SendAsync("PUT", "/b/copy", null, new()
        {
            ["x-amz-copy-source"] = "/b/src", ["x-amz-source-expected-bucket-owner"] = Other,
        });
        var right = await _s3.SendAsync("PUT", "/b/copy", null, new()
        {
            ["x-amz-copy-source"] = "b/src", ["x-amz-source-expected-bucket-owner"] = S3Harness.Account,
            ["x-amz-expected-bucket-owner"] = S3Harness.Account,
        });

        Assert.Equal(403, wrongSource.Status);
        Assert.Contains("<Code>AccessDenied</Code>", wrongSource.Body);
        Assert.Equal(200, right.Status);
        Assert.NotNull(_s3.Store.FindObject("b", "copy"));
    }

    [Fact]
    public async Task A_missing_bucket_is_still_NoSuchBucket()
    {
        var r = await _s3.SendAsync("GET", "/nobucket/k", null, new() { ["x-amz-expected-bucket-owner"] = Other });
        Assert.Equal(404, r.Status);
        Assert.Contains("<Code>NoSuchBucket</Code>", r.Body);
    }
}
