using System.Buffers.Text;
using System.Text;
using LocalShift.Aws;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>The listings as typed calls: ListBuckets, ListObjectsV2, ListObjects (v1) and ListObjectVersions.</summary>
public sealed partial class S3Operations
{
    private const string FullObject = "FULL_OBJECT";

    /// <summary>
    /// ListBuckets in name order, optionally paged (<c>max-buckets</c> 1–10000, <c>continuation-token</c>) and filtered
    /// (<c>prefix</c>, <c>bucket-region</c>). The token is LocalShift's own: the last name of the page, base64url-encoded.
    /// </summary>
    private ListBucketsOutput ListBuckets(AwsCall call, ListBucketsRequest request)
    {
        call.Authorize("s3:ListAllMyBuckets", "*", null, call.Caller.AccountId);
        var prefix = request.Prefix;
        var region = request.BucketRegion;
        var after = request.ContinuationToken is { Length: > 0 } token ? BucketToken(token) : null;
        if (request.MaxBuckets is < 1 or > 10000)
            throw S3Errors.InvalidArgument("Argument max-buckets must be an integer between 1 and 10000.", "max-buckets",
                request.MaxBuckets.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var max = request.MaxBuckets ?? 10000;
        var matching = Store.ListBuckets(call.Caller.AccountId)
            .Where(b => (prefix is null || b.Name.StartsWith(prefix, StringComparison.Ordinal))
                        && (region is null || b.Region == region)
                        && (after is null || string.CompareOrdinal(b.Name, after) > 0))
            .ToList();
        var buckets = matching.Take(max).ToList();
        var next = matching.Count > buckets.Count ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(buckets[^1].Name)) : null;
        return new ListBucketsOutput(
            buckets.Select(b => new Bucket(b.Name, b.Created, b.Region)).ToList(), OwnerOf(call.Caller.AccountId), next, prefix);
    }

    private static string BucketToken(string token)
    {
        try { return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)); }
        catch (FormatException) { throw S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token); }
    }

    private ListObjectsV2Output ListObjectsV2(AwsCall call, ListObjectsV2Request request)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(request.Prefix, request.Delimiter, request.MaxKeys, request.EncodingType);
        var bucket = AuthorizeList(call, request.Bucket, prefix, delimiter, request.MaxKeys);
        var token = request.ContinuationToken;
        var startAfter = request.StartAfter;
        var marker = startAfter;
        if (token is not null)
        {
            try { marker = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
            catch (FormatException) { throw S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token); }
        }
        var page = Store.List(bucket.Name, prefix, delimiter, marker, maxKeys);
        var (contents, prefixes) = Entries(page, url, request.FetchOwner == true ? OwnerOf(bucket.OwnerAccount) : null);
        return new ListObjectsV2Output(
            IsTruncated: page.IsTruncated,
            Contents: contents,
            Name: bucket.Name,
            Prefix: Enc(prefix ?? "", url),
            Delimiter: delimiter is null ? null : Enc(delimiter, url),
            MaxKeys: maxKeys,
            CommonPrefixes: prefixes,
            EncodingType: url ? "url" : null,
            KeyCount: page.Entries.Count,
            ContinuationToken: token,
            NextContinuationToken: page.IsTruncated ? Base64(page.Entries[^1].Position) : null,
            StartAfter: startAfter is null ? null : Enc(startAfter, url));
    }

    private ListObjectsOutput ListObjects(AwsCall call, ListObjectsRequest request)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(request.Prefix, request.Delimiter, request.MaxKeys, request.EncodingType);
        var bucket = AuthorizeList(call, request.Bucket, prefix, delimiter, request.MaxKeys);
        var marker = request.Marker;
        var page = Store.List(bucket.Name, prefix, delimiter, marker, maxKeys);
        var (contents, prefixes) = Entries(page, url, OwnerOf(bucket.OwnerAccount));
        return new ListObjectsOutput(
            IsTruncated: page.IsTruncated,
            Marker: Enc(marker ?? "", url),
            NextMarker: page.IsTruncated && delimiter is not null ? Enc(page.Entries[^1].Position, url) : null,
            Contents: contents,
            Name: bucket.Name,
            // ListObjects (v1) answers Prefix as sent even with encoding-type=url: botocore, which asks for url encoding
            // itself, decodes Marker, NextMarker, Delimiter, keys and common prefixes of a v1 listing, but not Prefix.
            Prefix: prefix ?? "",
            Delimiter: delimiter is null ? null : Enc(delimiter, url),
            MaxKeys: maxKeys,
            CommonPrefixes: prefixes,
            EncodingType: url ? "url" : null);
    }

    /// <summary>
    /// ListObjectVersions (<c>GET /bucket?versions</c>, <c>s3:ListBucketVersions</c>): every version and delete marker in
    /// key order, newest first within a key, paged by <c>key-marker</c>/<c>version-id-marker</c>. The marker version may
    /// have been deleted since the last page (tools delete each page before asking for the next): the page starts after
    /// where it was.
    /// </summary>
    private ListObjectVersionsOutput ListObjectVersions(AwsCall call, ListObjectVersionsRequest request)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(request.Prefix, request.Delimiter, request.MaxKeys, request.EncodingType);
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:ListBucketVersions", S3Access.Keys(
            ("s3:prefix", prefix ?? ""), ("s3:delimiter", delimiter),
            ("s3:max-keys", request.MaxKeys?.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var keyMarker = request.KeyMarker is { Length: > 0 } k ? k : null;
        var versionIdMarker = request.VersionIdMarker is { Length: > 0 } v ? v : null;
        if (versionIdMarker is not null && keyMarker is null)
            throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
        if (versionIdMarker is not null && !ObjectStore.IsWellFormedVersionId(versionIdMarker))
            throw S3Errors.InvalidVersionId("version-id-marker", versionIdMarker);

        var page = Store.ListVersions(bucket.Name, prefix, delimiter, keyMarker, versionIdMarker, maxKeys);
        var owner = OwnerOf(bucket.OwnerAccount);
        List<ListedVersion>? versions = null;
        List<DeleteMarkerEntry>? markers = null;
        List<CommonPrefix>? prefixes = null;
        var order = new List<string>(page.Entries.Count);
        foreach (var e in page.Entries)
        {
            if (e.Version is not { } version)
            {
                if (e.CommonPrefix is not null) (prefixes ??= []).Add(new CommonPrefix(Enc(e.CommonPrefix, url)));
                continue;
            }
            var o = version.Info;
            var versionId = o.VersionId ?? ObjectStore.NullVersionId;
            if (version.IsDeleteMarker)
            {
                (markers ??= []).Add(new DeleteMarkerEntry(owner, Enc(o.Key, url), versionId, version.IsLatest, o.LastModified));
                order.Add(nameof(ListObjectVersionsOutput.DeleteMarkers));
                continue;
            }
            var algorithm = o.Attributes.ChecksumAlgorithm;
            (versions ??= []).Add(new ListedVersion(
                Quote(o.ETag), algorithm is null ? null : [algorithm], algorithm is null ? null : o.Attributes.ChecksumType ?? FullObject,
                o.Size, "STANDARD", Enc(o.Key, url), versionId, version.IsLatest, o.LastModified, owner));
            order.Add(nameof(ListObjectVersionsOutput.Versions));
        }
        string? nextKeyMarker = null, nextVersionIdMarker = null;
        if (page.IsTruncated)
        {
            var last = page.Entries[^1];
            nextKeyMarker = Enc(last.Version?.Info.Key ?? last.CommonPrefix!, url);
            if (last.Version is { } lv) nextVersionIdMarker = lv.Info.VersionId ?? ObjectStore.NullVersionId;
        }
        return new ListObjectVersionsOutput(
            IsTruncated: page.IsTruncated,
            KeyMarker: Enc(keyMarker ?? "", url),
            VersionIdMarker: versionIdMarker ?? "",
            NextKeyMarker: nextKeyMarker,
            NextVersionIdMarker: nextVersionIdMarker,
            Versions: versions,
            DeleteMarkers: markers,
            Name: bucket.Name,
            Prefix: Enc(prefix ?? "", url),
            Delimiter: delimiter is null ? null : Enc(delimiter, url),
            MaxKeys: maxKeys,
            CommonPrefixes: prefixes,
            EncodingType: url ? "url" : null) { ItemOrder = order };
    }

    /// <summary>The options every listing shares; max-keys above 1000 is 1000, as in S3.</summary>
    internal static (string? Prefix, string? Delimiter, int MaxKeys, bool Url) ListOptions(string? prefix, string? delimiter, int? maxKeys, string? encoding)
    {
        if (encoding is not null && encoding != "url") throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encoding);
        if (maxKeys < 0)
            throw S3Errors.InvalidArgument("Provided max-keys not an integer or within integer range", "max-keys",
                maxKeys.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return (prefix, string.IsNullOrEmpty(delimiter) ? null : delimiter, Math.Min(maxKeys ?? 1000, 1000), encoding == "url");
    }

    private BucketInfo AuthorizeList(AwsCall call, string bucket, string? prefix, string? delimiter, int? maxKeys) =>
        _access.AuthorizeBucket(call, bucket, "s3:ListBucket", S3Access.Keys(
            ("s3:prefix", prefix ?? ""), ("s3:delimiter", delimiter),
            ("s3:max-keys", maxKeys?.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static (List<ListedObject>? Contents, List<CommonPrefix>? Prefixes) Entries(ListPage page, bool url, Owner? owner)
    {
        List<ListedObject>? contents = null;
        List<CommonPrefix>? prefixes = null;
        foreach (var e in page.Entries)
        {
            if (e.Object is { } o)
            {
                var algorithm = o.Attributes.ChecksumAlgorithm;
                (contents ??= new List<ListedObject>(page.Entries.Count)).Add(new ListedObject(
                    Enc(o.Key, url), o.LastModified, Quote(o.ETag),
                    algorithm is null ? null : [algorithm],
                    algorithm is null ? null : o.Attributes.ChecksumType ?? FullObject,
                    o.Size, "STANDARD", owner));
            }
            else if (e.CommonPrefix is not null)
                (prefixes ??= []).Add(new CommonPrefix(Enc(e.CommonPrefix, url)));
        }
        return (contents, prefixes);
    }
}
