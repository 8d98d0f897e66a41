using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// Writing objects as a typed call: PutObject, for the edge's clients and for COPY's, UNLOAD's and external tables'
/// writes alike. Authorized before the body is read (s3:PutObject with the write's condition keys), with S3's
/// conditional writes checked before the upload and again just before the commit.
/// </summary>
public sealed partial class S3Operations
{
    private async Task<PutObjectOutput> PutObject(AwsCall call, PutObjectRequest request, CancellationToken ct)
    {
        var (bucket, key) = (request.Bucket, request.Key);
        ObjectKeys.Encode(key);
        var bucketInfo = _access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.ObjectWrite(request, call.Time));
        CheckAcl(request.ACL, [request.GrantFullControl, request.GrantRead, request.GrantReadACP, request.GrantWriteACP], bucketInfo);
        // Checked before the body is read, so a refused write costs no upload, and again just before the commit.
        var conditional = request.IfMatch is not null || request.IfNoneMatch is not null;
        if (conditional) Conditions.CheckWrite(request.IfMatch, request.IfNoneMatch, key, Store.FindObject(bucket, key));

        var attributes = ObjectEncryption.Apply(request, ObjectHeaders.Read(request), BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region);
        using var payload = request.Body ?? throw S3Errors.IncompleteBody();
        using var staged = await payload.StageAsync(Store, ct);
        if (payload.Checksum is { } c) attributes = attributes with { ChecksumAlgorithm = c.Algorithm, ChecksumValue = c.Value, ChecksumType = FullObject };
        if (conditional) Conditions.CheckWrite(request.IfMatch, request.IfNoneMatch, key, Store.FindObject(bucket, key));
        var info = Store.Commit(bucket, key, staged, attributes);

        var a = info.Attributes;
        var output = new PutObjectOutput(ETag: Quote(info.ETag), VersionId: VersionIdAnswer(bucket, info.VersionId));
        output = a.CustomerAlgorithm is not null
            ? output with { SSECustomerAlgorithm = a.CustomerAlgorithm, SSECustomerKeyMD5 = a.CustomerKeyMd5 }
            : output with
            {
                ServerSideEncryption = a.ServerSideEncryption ?? "AES256", SSEKMSKeyId = a.KmsKeyId, BucketKeyEnabled = a.BucketKeyEnabled ? true : null,
            };
        if (payload.Checksum is not { } sum) return output;
        output = sum.Algorithm switch
        {
            S3Checksum.Crc32 => output with { ChecksumCRC32 = sum.Value },
            S3Checksum.Crc32C => output with { ChecksumCRC32C = sum.Value },
            S3Checksum.Crc64Nvme => output with { ChecksumCRC64NVME = sum.Value },
            S3Checksum.Sha1 => output with { ChecksumSHA1 = sum.Value },
            S3Checksum.Sha256 => output with { ChecksumSHA256 = sum.Value },
            _ => output,
        };
        return output with { ChecksumType = FullObject };
    }

    /// <summary>
    /// ACLs on a write (PutObject, CopyObject, CreateMultipartUpload). With BucketOwnerEnforced, only the
    /// bucket-owner-full-control canned ACL is accepted; anything else is AccessControlListNotSupported
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html). With ACLs enabled, a public ACL
    /// is refused when the bucket blocks public ACLs. LocalShift keeps no ACLs either way: an accepted one grants nothing.
    /// </summary>
    internal void CheckAcl(string? acl, IEnumerable<string?> grantValues, BucketInfo bucket)
    {
        var grants = grantValues.Where(g => g is not null).ToList();
        if (acl is null && grants.Count == 0) return;
        if (Ownership(bucket.Name) == BucketOwnerEnforced)
        {
            if ((acl is not null && acl != "bucket-owner-full-control") || grants.Count > 0)
                throw new S3Exception("AccessControlListNotSupported", "The bucket does not allow ACLs", 400);
            return;
        }
        if (PublicAccessBlock(bucket.Name) is { BlockPublicAcls: true }
            && (acl is "public-read" or "public-read-write" or "authenticated-read"
                || grants.Any(g => g!.Contains("acs.amazonaws.com/groups/global/", StringComparison.OrdinalIgnoreCase))))
            throw S3Errors.AccessDenied();
    }
}
