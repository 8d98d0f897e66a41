using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// The bucket settings that shape every write: default encryption, object ownership (which decides whether ACLs are
/// accepted) and the public access block (which decides whether a public bucket policy is).
/// </summary>
public sealed partial class S3Service
{
    private const string BucketOwnerEnforced = S3Operations.BucketOwnerEnforced;

    private string? Ownership(string bucket) => _typed.Ownership(bucket);

    /// <summary>
    /// ACL headers on a write (PutObject, CopyObject, CreateMultipartUpload). With BucketOwnerEnforced, only the
    /// bucket-owner-full-control canned ACL is accepted; anything else is AccessControlListNotSupported
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html). With ACLs enabled, a public ACL
    /// is refused when the bucket blocks public ACLs. LocalShift keeps no ACLs either way: an accepted one grants nothing.
    /// </summary>
    private void CheckAclHeaders(S3Request r, BucketInfo bucket) =>
        _typed.CheckAcl(r.Header("x-amz-acl"),
            r.Http.Request.Headers.Keys.Where(k => k.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)).Select(r.Header), bucket);

    private LocalShift.Services.S3.Shapes.PublicAccessBlockConfiguration? PublicAccessBlock(string bucket) => _typed.PublicAccessBlock(bucket);

    /// <summary>RestrictPublicBuckets with a public bucket policy: only the bucket's own account gets in.</summary>
    private bool RestrictsPublicAccess(string bucket) =>
        PublicAccessBlock(bucket) is { RestrictPublicBuckets: true } && Store.FindBucket(bucket)?.Policy is { } policy && BucketPolicyStatus.IsPublic(policy);

}
