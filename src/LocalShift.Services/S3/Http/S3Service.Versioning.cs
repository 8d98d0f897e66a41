using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// S3 versioning: the bucket's versioning configuration, ListObjectVersions, and the pieces the object operations share to
/// read a <c>versionId</c> and answer <c>x-amz-version-id</c>. The versions themselves live in the store
/// (<see cref="ObjectStore.Delete"/>, <see cref="ObjectStore.ListVersions"/>).
/// </summary>
public sealed partial class S3Service
{
    private Task ListObjectVersions(S3Request r, AwsCall call)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(r);
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:ListBucketVersions", S3Access.Keys(
            ("s3:prefix", prefix ?? ""), ("s3:delimiter", delimiter), ("s3:max-keys", r.Q("max-keys"))));
        var keyMarker = r.Q("key-marker") is { Length: > 0 } k ? k : null;
        var versionIdMarker = r.Q("version-id-marker") is { Length: > 0 } v ? v : null;
        if (versionIdMarker is not null && keyMarker is null)
            throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
        if (versionIdMarker is not null && !ObjectStore.IsWellFormedVersionId(versionIdMarker))
            throw S3Errors.InvalidVersionId("version-id-marker", versionIdMarker);

        // The marker version may have been deleted since the last page (tools delete each page before asking for the next).
        var page = Store.ListVersions(bucket.Name, prefix, delimiter, keyMarker, versionIdMarker, maxKeys);

        return S3Xml.WriteAsync(r.Http, "ListVersionsResult", w =>
        {
            w.El("Name", bucket.Name);
            w.El("Prefix", Enc(prefix ?? "", url));
            w.El("KeyMarker", Enc(keyMarker ?? "", url));
            w.El("VersionIdMarker", versionIdMarker ?? "");
            if (page.IsTruncated)
            {
                var last = page.Entries[^1];
                w.El("NextKeyMarker", Enc(last.Version?.Info.Key ?? last.CommonPrefix!, url));
                if (last.Version is { } lv) w.El("NextVersionIdMarker", lv.Info.VersionId ?? ObjectStore.NullVersionId);
            }
            w.El("MaxKeys", maxKeys);
            if (delimiter is not null) w.El("Delimiter", Enc(delimiter, url));
            if (url) w.El("EncodingType", "url");
            w.El("IsTruncated", page.IsTruncated);
            foreach (var e in page.Entries)
            {
                if (e.Version is not { } version) continue;
                var o = version.Info;
                w.WriteStartElement(version.IsDeleteMarker ? "DeleteMarker" : "Version");
                w.El("Key", Enc(o.Key, url));
                w.El("VersionId", o.VersionId ?? ObjectStore.NullVersionId);
                w.El("IsLatest", version.IsLatest);
                w.El("LastModified", o.LastModified);
                if (!version.IsDeleteMarker)
                {
                    w.El("ETag", S3Xml.Quote(o.ETag));
                    if (o.Attributes.ChecksumAlgorithm is { } alg) w.El("ChecksumAlgorithm", alg);
                    w.El("Size", o.Size);
                    w.El("StorageClass", "STANDARD");
                }
                w.Owner("Owner", bucket.OwnerAccount);
                w.WriteEndElement();
            }
            foreach (var e in page.Entries)
            {
                if (e.CommonPrefix is null) continue;
                w.WriteStartElement("CommonPrefixes");
                w.El("Prefix", Enc(e.CommonPrefix, url));
                w.WriteEndElement();
            }
        });
    }

    /// <summary>The request's <c>versionId</c>, or null without one; a value that cannot be a version id is InvalidArgument.</summary>
    private static string? VersionIdOption(S3Request r) => S3Operations.VersionIdOption(r.Q("versionId"), "versionId");

    private static (string Action, IReadOnlyDictionary<string, IReadOnlyList<string>>? Keys) ObjectAction(string action, string versionAction, string? versionId) =>
        S3Operations.ObjectAction(action, versionAction, versionId);

    /// <summary>
    /// Answers <c>x-amz-version-id</c> (or another header naming a version): the id, or "null" for the null version of a
    /// bucket that has versioning enabled or suspended. A bucket that never had versioning answers no version header.
    /// unverified: that a suspended bucket's writes answer <c>x-amz-version-id: null</c> rather than no header.
    /// </summary>
    private void WriteVersionId(S3Request r, string bucket, string? versionId, string header = "x-amz-version-id")
    {
        if (versionId is not null) r.Http.Response.Headers[header] = versionId;
        else if (Store.GetVersioning(bucket) != BucketVersioning.Unversioned) r.Http.Response.Headers[header] = ObjectStore.NullVersionId;
    }

    /// <summary>A version that is not there: NoSuchVersion for callers who may list the bucket, AccessDenied for the others (as for keys).</summary>
    private Exception MissingVersion(AwsCall call, BucketInfo bucket, string key, string versionId)
    {
        var missing = access.MissingKey(call, bucket, key);
        return missing is S3Exception { Code: "NoSuchKey" } ? S3Errors.NoSuchVersion(key, versionId) : missing;
    }

    /// <summary>
    /// The object a read names: the current one, or the version <paramref name="versionId"/>. A key hidden by a delete marker
    /// is NoSuchKey with <c>x-amz-delete-marker: true</c>; a version that is a delete marker is MethodNotAllowed (405) with
    /// the marker's headers, as S3 answers GET and HEAD (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
    /// </summary>
    /// <summary>
    /// An object — its current version, or the version a request names — opened before the request is authorized, so
    /// that <c>s3:ExistingObjectTag/&lt;key&gt;</c> can be read from its tags. Nothing about it reaches the caller
    /// until authorization passed. Disposing closes its body.
    /// </summary>
    private sealed class OpenedObject(string? versionId, (ObjectInfo Info, FileStream Body)? current,
        (ObjectVersion Version, FileStream? Body)? version) : IAsyncDisposable
    {
        public string? VersionId => versionId;
        public (ObjectInfo Info, FileStream Body)? Current => current;
        public (ObjectVersion Version, FileStream? Body)? Version => version;

        /// <summary>The object whose tags the condition keys read: none when it is missing or a delete marker.</summary>
        public ObjectInfo? Readable => current?.Info ?? (version is { Body: not null } v ? v.Version.Info : null);

        public async ValueTask DisposeAsync()
        {
            if (current?.Body is { } a) await a.DisposeAsync();
            if (version?.Body is { } b) await b.DisposeAsync();
        }
    }

    private OpenedObject OpenBeforeAuthorizing(string bucket, string key, string? versionId) =>
        versionId is null ? new(null, Store.OpenObject(bucket, key), null) : new(versionId, null, Store.OpenVersion(bucket, key, versionId));

    /// <summary>
    /// Authorizes reading an object: <c>s3:GetObject</c>, or <c>s3:GetObjectVersion</c> with <c>s3:versionid</c> when a
    /// version is named, with the object's tags as <c>s3:ExistingObjectTag/&lt;key&gt;</c>.
    /// </summary>
    private BucketInfo AuthorizeRead(AwsCall call, string bucket, string key, OpenedObject found)
    {
        var (action, versionKeys) = ObjectAction("s3:GetObject", "s3:GetObjectVersion", found.VersionId);
        var keys = S3ConditionKeys.ExistingTags(found.Readable);
        if (versionKeys is not null)
            foreach (var (name, values) in versionKeys) keys[name] = values;
        return access.AuthorizeObject(call, bucket, key, action, keys);
    }

    /// <summary>The authorized object to read, or S3's answer for a missing key, a missing version or a delete marker.</summary>
    private (ObjectInfo Info, FileStream Body) OpenForRead(S3Request r, AwsCall call, BucketInfo bucket, string key, OpenedObject found)
    {
        if (found.VersionId is null)
        {
            if (found.Current is { } current) return current;
            var missing = access.MissingKey(call, bucket, key);
            if (missing is S3Exception { Code: "NoSuchKey" } noSuchKey && Store.FindLatestDeleteMarker(bucket.Name, key) is { } marker)
                AddMarkerHeaders(noSuchKey, marker.Info, withLastModified: false);
            throw missing;
        }
        var opened = found.Version ?? throw MissingVersion(call, bucket, key, found.VersionId);
        if (opened.Body is null)
        {
            var e = S3Errors.MethodNotAllowed(r.Method.ToUpperInvariant(), "DeleteMarker");
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

    /// <summary>The copy source, opened before authorizing (its tags are condition keys); its version if one is named.</summary>
    private OpenedObject OpenCopySourceBeforeAuthorizing(S3Request r, string srcBucket, string srcKey) =>
        OpenBeforeAuthorizing(srcBucket, srcKey, CopySourceVersionId(r));

    /// <summary>The authorized copy source; a missing one is S3's answer, a version that is a delete marker is refused.</summary>
    private (ObjectInfo Info, FileStream Body, string? VersionId) OpenCopySource(AwsCall call, BucketInfo bucket, string srcKey, OpenedObject found)
    {
        if (found.VersionId is null)
        {
            var opened = found.Current ?? throw access.MissingKey(call, bucket, srcKey);
            return (opened.Info, opened.Body, null);
        }
        var version = found.Version ?? throw MissingVersion(call, bucket, srcKey, found.VersionId);
        // unverified: AWS's text for a copy source naming a delete marker (its documented status is 400).
        if (version.Body is null) throw S3Errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.");
        return (version.Version.Info, version.Body, found.VersionId);
    }

    /// <summary>The <c>versionId</c> of <c>x-amz-copy-source</c> ("bucket/key?versionId=…"), or null.</summary>
    private static string? CopySourceVersionId(S3Request r)
    {
        var raw = r.Header("x-amz-copy-source")!;
        var q = raw.IndexOf('?');
        if (q < 0) return null;
        foreach (var part in raw[(q + 1)..].Split('&'))
            if (part.StartsWith("versionId=", StringComparison.Ordinal))
            {
                var id = Uri.UnescapeDataString(part["versionId=".Length..]);
                return ObjectStore.IsWellFormedVersionId(id) ? id : throw S3Errors.InvalidVersionId("x-amz-copy-source", id);
            }
        return null;
    }
}
