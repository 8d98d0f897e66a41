using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// CopyObject as a typed call, and the copy source it shares with UploadPartCopy: <c>x-amz-copy-source</c> read (a
/// version named by <c>?versionId=</c>), opened before authorizing (its tags are condition keys), authorized as a read
/// of that object or version, and held to the <c>x-amz-copy-source-if-*</c> conditions and its SSE-C key.
/// </summary>
public sealed partial class S3Operations
{
    /// <summary>
    /// CopyObject (<c>PUT /bucket/key</c> with <c>x-amz-copy-source</c>): a read of the source and a write of the
    /// destination (<c>s3:PutObject</c>, with the write's condition keys and <c>s3:x-amz-copy-source</c>,
    /// <c>s3:x-amz-metadata-directive</c>). Metadata and tags are the source's unless the directive says REPLACE;
    /// encryption is the request's or the destination bucket's default, never the source's; the checksum algorithm is the
    /// source's unless <c>x-amz-checksum-algorithm</c> names another. The bytes stream from the source's file into a staged
    /// file, never held in memory.
    /// </summary>
    private async Task<CopyObjectOutput> CopyObject(AwsCall call, CopyObjectRequest request, CancellationToken ct)
    {
        var (bucket, key) = (request.Bucket, request.Key);
        ObjectKeys.Encode(key);
        var (srcBucket, srcKey) = CopySourceObject(request.CopySource);
        var srcBucketInfo = _access.Bucket(srcBucket);
        await using var found = OpenBeforeAuthorizing(srcBucket, srcKey, CopySourceVersion(request.CopySource));
        AuthorizeRead(call, srcBucket, srcKey, found);
        var write = request.AsWrite();
        var keys = S3ConditionKeys.ObjectWrite(write, call.Time);
        if (request.MetadataDirective is { } directive) keys["s3:x-amz-metadata-directive"] = [directive];
        keys["s3:x-amz-copy-source"] = [CopySourceConditionKey(request.CopySource)];
        var bucketInfo = _access.AuthorizeObject(call, bucket, key, "s3:PutObject", keys);
        CheckAcl(request.ACL, [request.GrantFullControl, request.GrantRead, request.GrantReadACP, request.GrantWriteACP], bucketInfo);
        var replaceMetadata = string.Equals(request.MetadataDirective, "REPLACE", StringComparison.OrdinalIgnoreCase);
        var replaceTags = string.Equals(request.TaggingDirective, "REPLACE", StringComparison.OrdinalIgnoreCase);

        var (sourceInfo, body, _) = OpenCopySource(call, srcBucketInfo, srcKey, found);
        Conditions.Check(request.CopySourceIfMatch, request.CopySourceIfNoneMatch, request.CopySourceIfModifiedSince,
            request.CopySourceIfUnmodifiedSince, sourceInfo, "x-amz-copy-source-");
        ObjectEncryption.CheckRead(request.CopySourceSSECustomerAlgorithm, request.CopySourceSSECustomerKey, request.CopySourceSSECustomerKeyMD5,
            sourceInfo.Attributes, ObjectEncryption.CopySourceCustomerPrefix);
        var source = sourceInfo.Attributes;
        var requested = ObjectHeaders.Read(write);
        var attributes = replaceMetadata
            ? requested with { Tags = replaceTags ? requested.Tags : source.Tags }
            : source with { Tags = replaceTags ? requested.Tags : source.Tags, CompletedUploadId = null };
        // A copy is encrypted as its request (or the destination bucket's default) says, not as its source was.
        attributes = ObjectEncryption.Apply(write, attributes, BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region);
        // A copy is one object, not parts; it keeps its source's checksum algorithm unless the request names another
        // (x-amz-checksum-algorithm), computed over the bytes copied: a full-object source's value carries over as is.
        var checksumAlgorithm = request.ChecksumAlgorithm is { } asked
            ? S3Checksum.Canonical(asked) ?? throw S3Errors.InvalidChecksumAlgorithm()
            : source.ChecksumAlgorithm;
        attributes = attributes with { ChecksumAlgorithm = checksumAlgorithm, ChecksumValue = null, ChecksumType = null, PartSizes = null, PartChecksums = null };
        // Copying a named version onto its key is how S3 restores an earlier version: a copy like any other.
        var ontoItself = srcBucket == bucket && srcKey == key && found.VersionId is null;
        // A copy onto itself is legal when it changes the encryption, as S3's refusal text says.
        var changesEncryption = request.ServerSideEncryption is not null || request.SSECustomerAlgorithm is not null;
        if (ontoItself && !replaceMetadata && !changesEncryption)
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        ObjectInfo copied;
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
            using var staged = await Store.StageAsync(body, checksum is null ? null : [checksum], ct);
            if (checksum is not null) attributes = attributes with { ChecksumValue = Convert.ToBase64String(checksum.Hash()), ChecksumType = FullObject };
            copied = Store.Commit(bucket, key, staged, attributes);
        }

        var a = copied.Attributes;
        var result = new CopyObjectResult(ETag: Quote(copied.ETag), LastModified: copied.LastModified);
        if (a.ChecksumAlgorithm is { } algorithm && a.ChecksumValue is { } value)
        {
            var c = ChecksumOf(algorithm, value);
            result = result with
            {
                ChecksumType = a.ChecksumType ?? FullObject, ChecksumCRC32 = c.ChecksumCRC32, ChecksumCRC32C = c.ChecksumCRC32C,
                ChecksumCRC64NVME = c.ChecksumCRC64NVME, ChecksumSHA1 = c.ChecksumSHA1, ChecksumSHA256 = c.ChecksumSHA256,
            };
        }
        var output = new CopyObjectOutput(result, CopySourceVersionId: VersionIdAnswer(srcBucket, sourceInfo.VersionId),
            VersionId: VersionIdAnswer(bucket, copied.VersionId));
        return a.CustomerAlgorithm is not null
            ? output with { SSECustomerAlgorithm = a.CustomerAlgorithm, SSECustomerKeyMD5 = a.CustomerKeyMd5 }
            : output with
            {
                ServerSideEncryption = a.ServerSideEncryption ?? "AES256", SSEKMSKeyId = a.KmsKeyId, BucketKeyEnabled = a.BucketKeyEnabled ? true : null,
            };
    }

    /// <summary>
    /// The object <c>x-amz-copy-source</c> names: "bucket/key" or "/bucket/key", URL-encoded, with an optional
    /// "?versionId=" (read by <see cref="CopySourceVersion"/>).
    /// </summary>
    internal static (string Bucket, string Key) CopySourceObject(string header)
    {
        var raw = header;
        var q = raw.IndexOf('?');
        if (q >= 0) raw = raw[..q];
        var decoded = Uri.UnescapeDataString(raw).TrimStart('/');
        var slash = decoded.IndexOf('/');
        if (slash <= 0 || slash == decoded.Length - 1)
            throw S3Errors.InvalidArgument("Invalid copy source object key", "x-amz-copy-source", header);
        return (decoded[..slash], decoded[(slash + 1)..]);
    }

    /// <summary>The <c>versionId</c> of <c>x-amz-copy-source</c> ("bucket/key?versionId=…"), or null; a malformed one is InvalidArgument.</summary>
    internal static string? CopySourceVersion(string header)
    {
        var q = header.IndexOf('?');
        if (q < 0) return null;
        foreach (var part in header[(q + 1)..].Split('&'))
            if (part.StartsWith("versionId=", StringComparison.Ordinal))
            {
                var id = Uri.UnescapeDataString(part["versionId=".Length..]);
                return ObjectStore.IsWellFormedVersionId(id) ? id : throw S3Errors.InvalidVersionId("x-amz-copy-source", id);
            }
        return null;
    }

    /// <summary>
    /// <c>s3:x-amz-copy-source</c>: the source as "bucket/key", decoded and without a leading slash or ?versionId, which is
    /// how AWS's examples compare it ("amzn-s3-demo-source-bucket/public/*"); whether AWS decodes it first is not verified.
    /// </summary>
    internal static string CopySourceConditionKey(string header)
    {
        var q = header.IndexOf('?');
        return Uri.UnescapeDataString(q < 0 ? header : header[..q]).TrimStart('/');
    }

    /// <summary>The authorized copy source; a missing one is S3's answer, a version that is a delete marker is refused.</summary>
    internal (ObjectInfo Info, FileStream Body, string? VersionId) OpenCopySource(AwsCall call, BucketInfo bucket, string srcKey, OpenedObject found)
    {
        if (found.VersionId is null)
        {
            var opened = found.Current ?? throw _access.MissingKey(call, bucket, srcKey);
            return (opened.Info, opened.Body, null);
        }
        var version = found.Version ?? throw MissingVersion(call, bucket, srcKey, found.VersionId);
        // unverified: AWS's text for a copy source naming a delete marker (its documented status is 400).
        if (version.Body is null) throw S3Errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.");
        return (version.Version.Info, version.Body, found.VersionId);
    }
}
