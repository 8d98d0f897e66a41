using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    /// <summary>x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an optional "?versionId=".</summary>
    private static (string Bucket, string Key) CopySource(S3Request r)
    {
        var raw = r.Header("x-amz-copy-source")!;
        var q = raw.IndexOf('?');
        if (q >= 0) raw = raw[..q];
        var decoded = Uri.UnescapeDataString(raw).TrimStart('/');
        var slash = decoded.IndexOf('/');
        if (slash <= 0 || slash == decoded.Length - 1)
            throw S3Errors.InvalidArgument("Invalid copy source object key", "x-amz-copy-source", r.Header("x-amz-copy-source"));
        return (decoded[..slash], decoded[(slash + 1)..]);
    }

    private async Task CopyObject(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        ObjectKeys.Encode(key);
        var (srcBucket, srcKey) = CopySource(r);
        var srcBucketInfo = access.Bucket(srcBucket);
        await using var copySource = OpenCopySourceBeforeAuthorizing(r, srcBucket, srcKey);
        AuthorizeRead(call, srcBucket, srcKey, copySource);
        var bucketInfo = access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.ObjectWrite(r, call.Time));
        CheckAclHeaders(r, bucketInfo);
        var replaceMetadata = string.Equals(r.Header("x-amz-metadata-directive"), "REPLACE", StringComparison.OrdinalIgnoreCase);
        var replaceTags = string.Equals(r.Header("x-amz-tagging-directive"), "REPLACE", StringComparison.OrdinalIgnoreCase);

        var opened = OpenCopySource(call, srcBucketInfo, srcKey, copySource);
        ObjectInfo copied;
        {
            var body = opened.Body;
            Conditions.Check(r, opened.Info, "x-amz-copy-source-");
            ObjectEncryption.CheckRead(r, opened.Info.Attributes, ObjectEncryption.CopySourceCustomerPrefix);
            var source = opened.Info.Attributes;
            var requested = ObjectHeaders.Read(r);
            var attributes = replaceMetadata
                ? requested with { Tags = replaceTags ? requested.Tags : source.Tags }
                : source with { Tags = replaceTags ? requested.Tags : source.Tags, CompletedUploadId = null };
            // A copy is encrypted as its request (or the destination bucket's default) says, not as its source was.
            attributes = ObjectEncryption.Apply(r, attributes, BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region);
            // A copy is one object, not parts; it keeps its source's checksum algorithm unless the request names another
            // (x-amz-checksum-algorithm), computed over the bytes copied: a full-object source's value carries over as is.
            var checksumAlgorithm = r.Header("x-amz-checksum-algorithm") is { } asked
                ? S3Checksum.Canonical(asked) ?? throw S3Errors.InvalidChecksumAlgorithm()
                : source.ChecksumAlgorithm;
            attributes = attributes with { ChecksumAlgorithm = checksumAlgorithm, ChecksumValue = null, ChecksumType = null, PartSizes = null, PartChecksums = null };
            // Copying a named version onto its key is how S3 restores an earlier version: a copy like any other.
            var ontoItself = srcBucket == bucket && srcKey == key && opened.VersionId is null;
            if (ontoItself && !replaceMetadata && !ChangesEncryption(r))
                throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
            if (ontoItself && Store.GetVersioning(bucket) == BucketVersioning.Unversioned && checksumAlgorithm == source.ChecksumAlgorithm)
            {
                // The bytes stay where they are, and so do their checksum and parts.
                attributes = attributes with
                {
                    ChecksumValue = source.ChecksumValue, ChecksumType = source.ChecksumType,
                    PartSizes = source.PartSizes, PartChecksums = source.PartChecksums,
                };
                copied = Store.UpdateAttributes(bucket, key, _ => attributes, touch: true);
            }
            else
            {
                using var checksum = checksumAlgorithm is null ? null : S3Checksum.Create(checksumAlgorithm);
                using var staged = await Store.StageAsync(body, checksum is null ? null : [checksum], r.Http.RequestAborted);
                if (checksum is not null) attributes = attributes with { ChecksumValue = Convert.ToBase64String(checksum.Hash()), ChecksumType = FullObject };
                copied = Store.Commit(bucket, key, staged, attributes);
            }
        }
        WriteVersionId(r, bucket, copied.VersionId);
        WriteVersionId(r, srcBucket, opened.Info.VersionId, "x-amz-copy-source-version-id");
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, copied.Attributes);
        await S3Xml.WriteAsync(r.Http, "CopyObjectResult", w =>
        {
            w.El("LastModified", copied.LastModified);
            w.El("ETag", S3Xml.Quote(copied.ETag));
            WriteChecksumElements(w, copied.Attributes);
        });
    }

    /// <summary>A copy onto itself is legal when it changes the encryption, as S3's refusal text says.</summary>
    private static bool ChangesEncryption(S3Request r) =>
        r.Header(ObjectEncryption.Sse) is not null || r.Header(ObjectEncryption.CustomerPrefix + "algorithm") is not null;
}
