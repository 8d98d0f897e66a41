using System.Buffers;
using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    private async Task PutObject(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        ObjectKeys.Encode(key);
        var bucketInfo = access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.ObjectWrite(r, call.Time));
        CheckAclHeaders(r, bucketInfo);
        // Checked before the body is read, so a refused write costs no upload, and again just before the commit.
        var conditional = Conditions.IsConditionalWrite(r);
        if (conditional) Conditions.CheckWrite(r, Store.FindObject(bucket, key));

        var attributes = ObjectEncryption.Apply(r, ObjectHeaders.Read(r), BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region);
        using var payload = new RequestPayload(r);
        using var staged = await payload.StageAsync(Store, r.Http.RequestAborted);
        if (payload.Checksum is { } c) attributes = attributes with { ChecksumAlgorithm = c.Algorithm, ChecksumValue = c.Value, ChecksumType = FullObject };
        if (conditional) Conditions.CheckWrite(r, Store.FindObject(bucket, key));
        var info = Store.Commit(bucket, key, staged, attributes);

        r.Http.Response.Headers.ETag = S3Xml.Quote(info.ETag);
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, info.Attributes);
        if (payload.Checksum is { } sum)
        {
            r.Http.Response.Headers["x-amz-checksum-" + sum.Algorithm.ToLowerInvariant()] = sum.Value;
            r.Http.Response.Headers["x-amz-checksum-type"] = FullObject;
        }
        WriteVersionId(r, bucket, info.VersionId);
        r.Http.Response.StatusCode = 200;
    }

    private Task GetObject(S3Request r, AwsCall call) => ReadObject(r, call, withBody: true);

    private Task HeadObject(S3Request r, AwsCall call) => ReadObject(r, call, withBody: false);

    private async Task ReadObject(S3Request r, AwsCall call, bool withBody)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        var bucketInfo = access.Bucket(bucket);
        // Opened before authorizing: s3:ExistingObjectTag/<key> needs the object's tags.
        await using var found = OpenBeforeAuthorizing(bucket, key, VersionIdOption(r));
        AuthorizeRead(call, bucket, key, found);
        var opened = OpenForRead(r, call, bucketInfo, key, found);
        var body = opened.Body;
        var info = opened.Info;
        var response = r.Http.Response;
        WriteVersionId(r, bucket, info.VersionId);
        ObjectEncryption.CheckRead(r, info.Attributes);

        if (Conditions.Check(r, info) is { } notModified)
        {
            response.StatusCode = notModified;
            response.Headers.ETag = S3Xml.Quote(info.ETag);
            response.Headers.LastModified = S3Xml.HttpDate(info.LastModified);
            return;
        }

        var part = PartRange(r, info);
        var range = part is { } p ? (p.Start, p.Length) : Conditions.Range(r.Header("Range"), info.Size);
        ObjectHeaders.Write(response, r, info, withChecksum: (range is null || part is not null) && r.Header("x-amz-checksum-mode") == "ENABLED",
            part?.Number);
        ObjectEncryption.WriteHeaders(response.Headers, info.Attributes);
        var (start, length) = range ?? (0, info.Size);
        // A part read answers 206 with the part's Content-Range, also part 1 of an object that has no parts (unverified).
        if (range is not null)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{info.Size}";
        }
        else response.StatusCode = 200;
        response.ContentLength = length;
        if (!withBody) return;

        body.Seek(start, SeekOrigin.Begin);
        await CopyAsync(body, response.Body, length, r.Http.RequestAborted);
    }

    /// <summary>
    /// GET/HEAD <c>?partNumber=N</c>: the bytes of that part of a multipart object (answered 206 with its Content-Range and
    /// <c>x-amz-mp-parts-count</c>); part 1 of any other object is the whole object. A part past the last is
    /// <c>InvalidPartNumber</c> (416); a number that is not 1–10000 is <c>InvalidArgument</c>.
    /// </summary>
    private static (int Number, long Start, long Length)? PartRange(S3Request r, ObjectInfo info)
    {
        var text = r.Q("partNumber");
        if (text is null) return null;
        if (!int.TryParse(text, out var n) || n is < 1 or > 10000)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", text);
        if (r.Header("Range") is not null) throw S3Errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
        var sizes = info.Attributes.PartSizes ?? [info.Size];
        if (n > sizes.Count) throw S3Errors.InvalidPartNumber();
        var start = sizes.Take(n - 1).Sum();
        return (n, start, sizes[n - 1]);
    }

    /// <summary>
    /// Sends an object's bytes. The file is read synchronously: on Unix an asynchronous file read is the same read on a
    /// thread-pool thread, a hop per buffer that costs more than the read of a page-cached file it waits for.
    /// </summary>
    private static async Task CopyAsync(FileStream from, Stream to, long length, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, 1 << 20));
        try
        {
            while (length > 0)
            {
                var n = from.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length)));
                if (n == 0) break;
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
                length -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
