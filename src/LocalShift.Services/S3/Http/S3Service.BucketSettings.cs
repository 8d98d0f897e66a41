using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// The bucket settings that shape every write: default encryption, object ownership (which decides whether ACLs are
/// accepted) and the public access block (which decides whether a public bucket policy is).
/// </summary>
public sealed partial class S3Service
{
    private const string BucketOwnerEnforced = "BucketOwnerEnforced";
    private static readonly string[] Ownerships = ["BucketOwnerPreferred", "ObjectWriter", BucketOwnerEnforced];

    // ---- default encryption (s3:GetEncryptionConfiguration, s3:PutEncryptionConfiguration) ----

    private Task GetBucketEncryption(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetEncryptionConfiguration");
        var e = BucketEncryption.Of(Store, bucket.Name);
        return S3Xml.WriteAsync(r.Http, "ServerSideEncryptionConfiguration", w => ObjectEncryption.WriteConfiguration(w, e));
    }

    private async Task PutBucketEncryption(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutEncryptionConfiguration");
        using var payload = new RequestPayload(r);
        var e = ObjectEncryption.ParseConfiguration(S3Xml.Parse(await payload.ReadSmallAsync(64 * 1024, r.Http.RequestAborted)));
        Store.SetBucketSetting(bucket.Name, BucketSetting.Encryption, JsonSerializer.Serialize(e));
        r.Http.Response.StatusCode = 200;
    }

    /// <summary>Since 2023 every bucket is encrypted: deleting the configuration returns the bucket to SSE-S3 (AES256).</summary>
    private Task DeleteBucketEncryption(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutEncryptionConfiguration");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Encryption, null);
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    // ---- object ownership (s3:GetBucketOwnershipControls, s3:PutBucketOwnershipControls) ----

    /// <summary>
    /// The bucket's object ownership: BucketOwnerEnforced unless set otherwise (AWS's default for new buckets since April
    /// 2023); null once the controls were deleted, which behaves as ObjectWriter.
    /// </summary>
    private string? Ownership(string bucket) => Store.GetBucketSetting(bucket, BucketSetting.OwnershipControls) switch
    {
        null => BucketOwnerEnforced,
        "" => null,
        var v => v,
    };

    private Task GetBucketOwnershipControls(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketOwnershipControls");
        var ownership = Ownership(bucket.Name)
            ?? throw new S3Exception("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404, ("BucketName", bucket.Name));
        return S3Xml.WriteAsync(r.Http, "OwnershipControls", w =>
        {
            w.WriteStartElement("Rule");
            w.El("ObjectOwnership", ownership);
            w.WriteEndElement();
        });
    }

    private async Task PutBucketOwnershipControls(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketOwnershipControls");
        using var payload = new RequestPayload(r);
        var doc = S3Xml.Parse(await payload.ReadSmallAsync(64 * 1024, r.Http.RequestAborted));
        var ownership = doc.Children("Rule").FirstOrDefault()?.Child("ObjectOwnership");
        if (ownership is null || !Ownerships.Contains(ownership, StringComparer.Ordinal)) throw S3Errors.MalformedXml();
        Store.SetBucketSetting(bucket.Name, BucketSetting.OwnershipControls, ownership);
        r.Http.Response.StatusCode = 200;
    }

    private Task DeleteBucketOwnershipControls(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketOwnershipControls");
        Store.SetBucketSetting(bucket.Name, BucketSetting.OwnershipControls, "");
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    /// <summary>
    /// ACL headers on a write (PutObject, CopyObject, CreateMultipartUpload). With BucketOwnerEnforced, only the
    /// bucket-owner-full-control canned ACL is accepted; anything else is AccessControlListNotSupported
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html). With ACLs enabled, a public ACL
    /// is refused when the bucket blocks public ACLs. LocalShift keeps no ACLs either way: an accepted one grants nothing.
    /// </summary>
    private void CheckAclHeaders(S3Request r, BucketInfo bucket)
    {
        var acl = r.Header("x-amz-acl");
        var grants = r.Http.Request.Headers.Keys.Where(k => k.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)).ToList();
        if (acl is null && grants.Count == 0) return;
        if (Ownership(bucket.Name) == BucketOwnerEnforced)
        {
            if ((acl is not null && acl != "bucket-owner-full-control") || grants.Count > 0)
                throw new S3Exception("AccessControlListNotSupported", "The bucket does not allow ACLs", 400);
            return;
        }
        if (PublicAccessBlock(bucket.Name) is { BlockPublicAcls: true }
            && (acl is "public-read" or "public-read-write" or "authenticated-read"
                || grants.Any(g => r.Header(g) is { } v && v.Contains("acs.amazonaws.com/groups/global/", StringComparison.OrdinalIgnoreCase))))
            throw S3Errors.AccessDenied();
    }

    // ---- public access block (s3:GetBucketPublicAccessBlock, s3:PutBucketPublicAccessBlock) ----

    private sealed record PublicAccessBlockConfiguration(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets);

    private PublicAccessBlockConfiguration? PublicAccessBlock(string bucket) =>
        Store.GetBucketSetting(bucket, BucketSetting.PublicAccessBlock) is { } json
            ? JsonSerializer.Deserialize<PublicAccessBlockConfiguration>(json)
            : null;

    private Task GetPublicAccessBlock(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketPublicAccessBlock");
        var c = PublicAccessBlock(bucket.Name) ?? throw new S3Exception("NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found", 404, ("BucketName", bucket.Name));
        return S3Xml.WriteAsync(r.Http, "PublicAccessBlockConfiguration", w =>
        {
            w.El("BlockPublicAcls", c.BlockPublicAcls);
            w.El("IgnorePublicAcls", c.IgnorePublicAcls);
            w.El("BlockPublicPolicy", c.BlockPublicPolicy);
            w.El("RestrictPublicBuckets", c.RestrictPublicBuckets);
        });
    }

    private async Task PutPublicAccessBlock(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketPublicAccessBlock");
        using var payload = new RequestPayload(r);
        var doc = S3Xml.Parse(await payload.ReadSmallAsync(64 * 1024, r.Http.RequestAborted));
        bool Flag(string name) => doc.Child(name) switch
        {
            null => false,
            var v when bool.TryParse(v, out var b) => b,
            _ => throw S3Errors.MalformedXml(),
        };
        var c = new PublicAccessBlockConfiguration(Flag("BlockPublicAcls"), Flag("IgnorePublicAcls"), Flag("BlockPublicPolicy"), Flag("RestrictPublicBuckets"));
        Store.SetBucketSetting(bucket.Name, BucketSetting.PublicAccessBlock, JsonSerializer.Serialize(c));
        r.Http.Response.StatusCode = 200;
    }

    private Task DeletePublicAccessBlock(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketPublicAccessBlock");
        Store.SetBucketSetting(bucket.Name, BucketSetting.PublicAccessBlock, null);
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    /// <summary>RestrictPublicBuckets with a public bucket policy: only the bucket's own account gets in.</summary>
    private bool RestrictsPublicAccess(string bucket) =>
        PublicAccessBlock(bucket) is { RestrictPublicBuckets: true } && Store.FindBucket(bucket)?.Policy is { } policy && BucketPolicyStatus.IsPublic(policy);

    /// <summary>
    /// BlockPublicPolicy: a policy that would make the bucket public is refused
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html). The message follows
    /// AWS's explicit-denial form with the block named as the reason; its exact wording is unverified.
    /// </summary>
    private void CheckPublicPolicy(AwsCall call, BucketInfo bucket, string policy)
    {
        if (PublicAccessBlock(bucket.Name) is not { BlockPublicPolicy: true } || !BucketPolicyStatus.IsPublic(policy)) return;
        throw new S3Exception("AccessDenied",
            $"User: {call.Caller.Arn} is not authorized to perform: s3:PutBucketPolicy on resource: \"{S3Access.BucketArn(bucket.Name)}\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
            403);
    }
}
