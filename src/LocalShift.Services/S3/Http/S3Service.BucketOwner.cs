using System.Collections.Frozen;
using LocalShift.Aws.Model;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// S3's bucket owner condition (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html):
/// <c>x-amz-expected-bucket-owner</c> names the account the request's bucket must belong to, and on copies
/// <c>x-amz-source-expected-bucket-owner</c> the account of the source's bucket; when the bucket belongs to another
/// account the request fails with 403 AccessDenied and does nothing. Which operations take the headers comes from the
/// model (its <c>ExpectedBucketOwner</c>/<c>ExpectedSourceBucketOwner</c> members): CreateBucket and ListBuckets have none.
/// A bucket that does not exist is left to the operation (NoSuchBucket).
/// </summary>
public sealed partial class S3Service
{
    private const string ExpectedOwnerHeader = "x-amz-expected-bucket-owner";
    private const string ExpectedSourceOwnerHeader = "x-amz-source-expected-bucket-owner";

    private static readonly FrozenSet<string> TakesExpectedOwner = OperationsBinding(ExpectedOwnerHeader);
    private static readonly FrozenSet<string> TakesExpectedSourceOwner = OperationsBinding(ExpectedSourceOwnerHeader);

    private static FrozenSet<string> OperationsBinding(string header) => ServiceModel.Get("s3").Operations.Values
        .Where(o => o.Input?.Members.Any(m => m.Location == MemberLocation.Header && m.WireName.Equals(header, StringComparison.OrdinalIgnoreCase)) == true)
        .Select(o => o.Name).ToFrozenSet(StringComparer.Ordinal);

    private void CheckExpectedBucketOwners(OperationModel operation, S3Request r)
    {
        if (r.Header(ExpectedOwnerHeader) is { } expected && r.Bucket is not null && TakesExpectedOwner.Contains(operation.Name))
            RequireOwner(r.Bucket, expected);
        if (r.Header(ExpectedSourceOwnerHeader) is { } expectedSource && TakesExpectedSourceOwner.Contains(operation.Name)
            && CopySourceBucket(r.Header("x-amz-copy-source")) is { } source)
            RequireOwner(source, expectedSource);
    }

    private void RequireOwner(string bucket, string expected)
    {
        if (Store.FindBucket(bucket) is { } info && !string.Equals(info.OwnerAccount, expected.Trim(), StringComparison.Ordinal))
            throw S3Errors.AccessDenied();
    }

    /// <summary>The bucket of <c>x-amz-copy-source</c> (<c>bucket/key?versionId=…</c>, URL-encoded, maybe with a leading slash); null for an access point ARN.</summary>
    private static string? CopySourceBucket(string? copySource)
    {
        if (string.IsNullOrEmpty(copySource)) return null;
        var s = copySource.TrimStart('/');
        var q = s.IndexOf('?');
        if (q >= 0) s = s[..q];
        s = Uri.UnescapeDataString(s);
        if (s.StartsWith("arn:", StringComparison.Ordinal)) return null;
        var slash = s.IndexOf('/');
        return slash <= 0 ? null : s[..slash];
    }
}
