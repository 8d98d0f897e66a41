using System.Text;
using System.Xml;
using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    private Task ListObjectsV2(S3Request r, AwsCall call)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(r);
        var bucket = AuthorizeList(r, call, prefix, delimiter, maxKeys);
        var token = r.Q("continuation-token");
        var startAfter = r.Q("start-after");
        string? marker = startAfter;
        if (token is not null)
        {
            try { marker = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
            catch (FormatException) { throw S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token); }
        }
        var page = Store.List(bucket.Name, prefix, delimiter, marker, maxKeys);
        var fetchOwner = r.Q("fetch-owner") == "true";
        return S3Xml.WriteAsync(r.Http, "ListBucketResult", w =>
        {
            w.El("Name", bucket.Name);
            w.El("Prefix", Enc(prefix ?? "", url));
            if (delimiter is not null) w.El("Delimiter", Enc(delimiter, url));
            w.El("MaxKeys", maxKeys);
            if (url) w.El("EncodingType", "url");
            w.El("KeyCount", page.Entries.Count);
            w.El("IsTruncated", page.IsTruncated);
            if (token is not null) w.El("ContinuationToken", token);
            if (page.IsTruncated) w.El("NextContinuationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(page.Entries[^1].Position)));
            if (startAfter is not null) w.El("StartAfter", Enc(startAfter, url));
            WriteEntries(w, page, url, fetchOwner ? bucket.OwnerAccount : null);
        });
    }

    private Task ListObjects(S3Request r, AwsCall call)
    {
        var (prefix, delimiter, maxKeys, url) = ListOptions(r);
        var bucket = AuthorizeList(r, call, prefix, delimiter, maxKeys);
        var marker = r.Q("marker");
        var page = Store.List(bucket.Name, prefix, delimiter, marker, maxKeys);
        return S3Xml.WriteAsync(r.Http, "ListBucketResult", w =>
        {
            w.El("Name", bucket.Name);
            // ListObjects (v1) answers Prefix as sent even with encoding-type=url: botocore, which asks for url encoding
            // itself, decodes Marker, NextMarker, Delimiter, keys and common prefixes of a v1 listing, but not Prefix.
            w.El("Prefix", LocalShift.Aws.Protocols.XmlText.Safe(prefix ?? ""));
            w.El("Marker", Enc(marker ?? "", url));
            if (page.IsTruncated && delimiter is not null) w.El("NextMarker", Enc(page.Entries[^1].Position, url));
            w.El("MaxKeys", maxKeys);
            if (delimiter is not null) w.El("Delimiter", Enc(delimiter, url));
            if (url) w.El("EncodingType", "url");
            w.El("IsTruncated", page.IsTruncated);
            WriteEntries(w, page, url, bucket.OwnerAccount);
        });
    }

    private static (string? Prefix, string? Delimiter, int MaxKeys, bool Url) ListOptions(S3Request r)
    {
        var encoding = r.Q("encoding-type");
        if (encoding is not null && encoding != "url") throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encoding);
        var delimiter = r.Q("delimiter");
        return (r.Q("prefix"), string.IsNullOrEmpty(delimiter) ? null : delimiter, IntOption(r, "max-keys", 1000, 1000), encoding == "url");
    }

    private BucketInfo AuthorizeList(S3Request r, AwsCall call, string? prefix, string? delimiter, int maxKeys) =>
        access.AuthorizeBucket(call, r.Bucket!, "s3:ListBucket", S3Access.Keys(
            ("s3:prefix", prefix ?? ""), ("s3:delimiter", delimiter), ("s3:max-keys", r.Q("max-keys"))));

    private static void WriteEntries(XmlWriter w, ListPage page, bool url, string? owner)
    {
        foreach (var e in page.Entries)
        {
            if (e.Object is not { } o) continue;
            w.WriteStartElement("Contents");
            w.El("Key", Enc(o.Key, url));
            w.El("LastModified", o.LastModified);
            w.El("ETag", S3Xml.Quote(o.ETag));
            if (o.Attributes.ChecksumAlgorithm is { } alg)
            {
                w.El("ChecksumAlgorithm", alg);
                w.El("ChecksumType", o.Attributes.ChecksumType ?? FullObject);
            }
            w.El("Size", o.Size);
            if (owner is not null) w.Owner("Owner", owner);
            w.El("StorageClass", "STANDARD");
            w.WriteEndElement();
        }
        foreach (var e in page.Entries)
        {
            if (e.CommonPrefix is null) continue;
            w.WriteStartElement("CommonPrefixes");
            w.El("Prefix", Enc(e.CommonPrefix, url));
            w.WriteEndElement();
        }
    }

    /// <summary>encoding-type=url: S3 percent-encodes keys so that any character survives XML; clients decode.</summary>
    private static string Enc(string value, bool url) => url ? Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal) : value;
}
