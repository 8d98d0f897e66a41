using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// Reading objects as typed calls: GetObject and HeadObject, with S3's conditions (If-Match, If-None-Match,
/// If-Modified-Since, If-Unmodified-Since: 304 or 412), ranges and parts (206, 416), versions and delete markers,
/// SSE-C keys and the object's checksum (ChecksumMode). The edge, COPY, UNLOAD, Spectrum and Lambda's code all read
/// through <see cref="GetObject"/>.
/// </summary>
public sealed partial class S3Operations
{
    private GetObjectOutput GetObject(AwsCall call, GetObjectRequest request) => Read(call, request, "GET", withBody: true);

    private GetObjectOutput HeadObject(AwsCall call, GetObjectRequest request) => Read(call, request, "HEAD", withBody: false);

    private GetObjectOutput Read(AwsCall call, GetObjectRequest request, string method, bool withBody)
    {
        var (bucket, key) = (request.Bucket, request.Key);
        var bucketInfo = _access.Bucket(bucket);
        // Opened before authorizing: s3:ExistingObjectTag/<key> needs the object's tags.
        var found = OpenBeforeAuthorizing(bucket, key, VersionIdOption(request.VersionId, "versionId"));
        var handedOut = false;
        try
        {
            AuthorizeRead(call, bucket, key, found);
            var (info, file) = OpenForRead(method, call, bucketInfo, key, found);
            var versionId = VersionIdAnswer(bucket, info.VersionId);
            ObjectEncryption.CheckRead(request.SSECustomerAlgorithm, request.SSECustomerKey, request.SSECustomerKeyMD5, info.Attributes);

            if (Conditions.Check(request.IfMatch, request.IfNoneMatch, request.IfModifiedSince, request.IfUnmodifiedSince, info) is not null)
            {
                var notModified = S3Errors.NotModified();
                notModified.Headers.Add(("ETag", Quote(info.ETag)));
                notModified.Headers.Add(("Last-Modified", S3Xml.HttpDate(info.LastModified)));
                if (versionId is not null) notModified.Headers.Add(("x-amz-version-id", versionId));
                throw notModified;
            }

            var part = PartRange(request, info);
            var range = part is { } p ? (p.Start, p.Length) : Conditions.Range(request.Range, info.Size);
            var (start, length) = range ?? (0, info.Size);
            var output = Describe(request, info, versionId,
                withChecksum: (range is null || part is not null) && request.ChecksumMode == "ENABLED", part?.Number) with
            {
                ContentLength = length,
                // A part read answers 206 with the part's Content-Range, also part 1 of an object that has no parts (unverified).
                ContentRange = range is null ? null : $"bytes {start}-{start + length - 1}/{info.Size}",
            };
            if (!withBody) return output;
            handedOut = true;
            return output with { Body = new ObjectBody(file, start, length) };
        }
        finally
        {
            if (!handedOut) found.Dispose();
        }
    }

    /// <summary>The headers GET and HEAD answer with; <c>response-*</c> query parameters override the stored values.</summary>
    /// <param name="partNumber">The part a <c>?partNumber=</c> read asked for: its checksum is answered instead of the object's.</param>
    private static GetObjectOutput Describe(GetObjectRequest request, ObjectInfo o, string? versionId, bool withChecksum, int? partNumber)
    {
        var a = o.Attributes;
        var output = new GetObjectOutput(
            AcceptRanges: "bytes", LastModified: o.LastModified, ETag: Quote(o.ETag), VersionId: versionId,
            CacheControl: request.ResponseCacheControl ?? a.CacheControl,
            ContentDisposition: request.ResponseContentDisposition ?? a.ContentDisposition,
            ContentEncoding: request.ResponseContentEncoding ?? a.ContentEncoding,
            ContentLanguage: request.ResponseContentLanguage ?? a.ContentLanguage,
            ContentType: request.ResponseContentType ?? a.ContentType ?? "binary/octet-stream",
            Expires: request.ResponseExpires is { } expires ? S3Xml.HttpDate(expires) : a.Expires,
            Metadata: a.Metadata.Count == 0 ? null : new Dictionary<string, string>(a.Metadata),
            TagCount: a.Tags.Count > 0 ? a.Tags.Count : null,
            PartsCount: partNumber is not null && a.PartSizes is { Count: var count } ? count : null);
        output = a.CustomerAlgorithm is not null
            ? output with { SSECustomerAlgorithm = a.CustomerAlgorithm, SSECustomerKeyMD5 = a.CustomerKeyMd5 }
            : output with
            {
                ServerSideEncryption = a.ServerSideEncryption ?? "AES256", SSEKMSKeyId = a.KmsKeyId, BucketKeyEnabled = a.BucketKeyEnabled ? true : null,
            };
        if (!withChecksum || a.ChecksumAlgorithm is null || a.ChecksumValue is null) return output;
        if (partNumber is null) return WithChecksum(output, a.ChecksumAlgorithm, a.ChecksumValue) with { ChecksumType = a.ChecksumType ?? FullObject };
        return a.PartChecksums is { } sums && partNumber <= sums.Count
            ? WithChecksum(output, a.ChecksumAlgorithm, sums[partNumber.Value - 1]) with { ChecksumType = a.ChecksumType ?? Composite }
            : output;
    }

    private static GetObjectOutput WithChecksum(GetObjectOutput output, string algorithm, string value) => algorithm switch
    {
        S3Checksum.Crc32 => output with { ChecksumCRC32 = value },
        S3Checksum.Crc32C => output with { ChecksumCRC32C = value },
        S3Checksum.Crc64Nvme => output with { ChecksumCRC64NVME = value },
        S3Checksum.Sha1 => output with { ChecksumSHA1 = value },
        S3Checksum.Sha256 => output with { ChecksumSHA256 = value },
        _ => output,
    };

    /// <summary>
    /// GET/HEAD <c>?partNumber=N</c>: the bytes of that part of a multipart object (answered 206 with its Content-Range and
    /// <c>x-amz-mp-parts-count</c>); part 1 of any other object is the whole object. A part past the last is
    /// <c>InvalidPartNumber</c> (416); a number that is not 1–10000 is <c>InvalidArgument</c>.
    /// </summary>
    private static (int Number, long Start, long Length)? PartRange(GetObjectRequest request, ObjectInfo info)
    {
        if (request.PartNumber is not { } n) return null;
        if (n is < 1 or > 10000)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", n.ToString(CultureInfo.InvariantCulture));
        if (request.Range is not null) throw S3Errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
        var sizes = info.Attributes.PartSizes ?? [info.Size];
        if (n > sizes.Count) throw S3Errors.InvalidPartNumber();
        var start = sizes.Take(n - 1).Sum();
        return (n, start, sizes[n - 1]);
    }

    /// <summary>
    /// What <c>x-amz-version-id</c> (or another header naming a version) answers: the id, or "null" for the null version of
    /// a bucket that has versioning enabled or suspended; nothing for a bucket that never had versioning.
    /// unverified: that a suspended bucket's writes answer <c>x-amz-version-id: null</c> rather than no header.
    /// </summary>
    internal string? VersionIdAnswer(string bucket, string? versionId) =>
        versionId ?? (Store.GetVersioning(bucket) != BucketVersioning.Unversioned ? ObjectStore.NullVersionId : null);

    /// <summary>A version that is not there: NoSuchVersion for callers who may list the bucket, AccessDenied for the others (as for keys).</summary>
    internal Exception MissingVersion(AwsCall call, BucketInfo bucket, string key, string versionId)
    {
        var missing = _access.MissingKey(call, bucket, key);
        return missing is S3Exception { Code: "NoSuchKey" } ? S3Errors.NoSuchVersion(key, versionId) : missing;
    }

    /// <summary>
    /// An object — its current version, or the version a request names — opened before the request is authorized, so
    /// that <c>s3:ExistingObjectTag/&lt;key&gt;</c> can be read from its tags. Nothing about it reaches the caller
    /// until authorization passed. Disposing closes its body.
    /// </summary>
    internal sealed class OpenedObject(string? versionId, (ObjectInfo Info, FileStream Body)? current,
        (ObjectVersion Version, FileStream? Body)? version) : IDisposable, IAsyncDisposable
    {
        public string? VersionId => versionId;
        public (ObjectInfo Info, FileStream Body)? Current => current;
        public (ObjectVersion Version, FileStream? Body)? Version => version;

        /// <summary>The object whose tags the condition keys read: none when it is missing or a delete marker.</summary>
        public ObjectInfo? Readable => current?.Info ?? (version is { Body: not null } v ? v.Version.Info : null);

        public void Dispose()
        {
            current?.Body.Dispose();
            version?.Body?.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            if (current?.Body is { } a) await a.DisposeAsync();
            if (version?.Body is { } b) await b.DisposeAsync();
        }
    }

    internal OpenedObject OpenBeforeAuthorizing(string bucket, string key, string? versionId) =>
        versionId is null ? new(null, Store.OpenObject(bucket, key), null) : new(versionId, null, Store.OpenVersion(bucket, key, versionId));

    /// <summary>
    /// Authorizes reading an object: <c>s3:GetObject</c>, or <c>s3:GetObjectVersion</c> with <c>s3:versionid</c> when a
    /// version is named, with the object's tags as <c>s3:ExistingObjectTag/&lt;key&gt;</c>.
    /// </summary>
    internal BucketInfo AuthorizeRead(AwsCall call, string bucket, string key, OpenedObject found)
    {
        var (action, versionKeys) = ObjectAction("s3:GetObject", "s3:GetObjectVersion", found.VersionId);
        var keys = S3ConditionKeys.ExistingTags(found.Readable);
        if (versionKeys is not null)
            foreach (var (name, values) in versionKeys) keys[name] = values;
        return _access.AuthorizeObject(call, bucket, key, action, keys);
    }

    /// <summary>
    /// The authorized object to read, or S3's answer for a missing key, a missing version or a delete marker: a key hidden
    /// by a delete marker is NoSuchKey with <c>x-amz-delete-marker: true</c>; a version that is a delete marker is
    /// MethodNotAllowed (405) with the marker's headers, as S3 answers GET and HEAD
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
    /// </summary>
    internal (ObjectInfo Info, FileStream Body) OpenForRead(string method, AwsCall call, BucketInfo bucket, string key, OpenedObject found)
    {
        if (found.VersionId is null)
        {
            if (found.Current is { } current) return current;
            var missing = _access.MissingKey(call, bucket, key);
            if (missing is S3Exception { Code: "NoSuchKey" } noSuchKey && Store.FindLatestDeleteMarker(bucket.Name, key) is { } marker)
                AddMarkerHeaders(noSuchKey, marker.Info, withLastModified: false);
            throw missing;
        }
        var opened = found.Version ?? throw MissingVersion(call, bucket, key, found.VersionId);
        if (opened.Body is null)
        {
            var e = S3Errors.MethodNotAllowed(method.ToUpperInvariant(), "DeleteMarker");
            AddMarkerHeaders(e, opened.Version.Info, withLastModified: true);
            throw e;
        }
        return (opened.Version.Info, opened.Body);
    }

    private static void AddMarkerHeaders(S3Exception e, ObjectInfo marker, bool withLastModified)
    {
        e.Headers.Add(("x-amz-delete-marker", "true"));
        e.Headers.Add(("x-amz-version-id", marker.VersionId ?? ObjectStore.NullVersionId));
        if (withLastModified) e.Headers.Add(("Last-Modified", S3Xml.HttpDate(marker.LastModified)));
    }
}
