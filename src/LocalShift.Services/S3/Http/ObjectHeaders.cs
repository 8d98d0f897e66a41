using System.Globalization;
using System.Net;
using System.Text;
using LocalShift.Storage.Objects;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>Object attributes to and from HTTP headers: Content-*, Cache-Control, Expires, x-amz-meta-*, x-amz-tagging.</summary>
public static class ObjectHeaders
{
    private const string MetaPrefix = "x-amz-meta-";

    public static ObjectAttributes Read(S3Request r)
    {
        var h = r.Http.Request.Headers;
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in h)
            if (name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
                meta[name[MetaPrefix.Length..].ToLowerInvariant()] = value.ToString();
        return new ObjectAttributes
        {
            ContentType = r.Header("Content-Type"),
            ContentEncoding = StripAwsChunked(r.Header("Content-Encoding")),
            ContentDisposition = r.Header("Content-Disposition"),
            ContentLanguage = r.Header("Content-Language"),
            CacheControl = r.Header("Cache-Control"),
            Expires = r.Header("Expires"),
            Metadata = meta,
            Tags = ParseTagging(r.Header("x-amz-tagging")),
        };
    }

    /// <summary>
    /// aws-chunked describes the transfer, not the object; S3 stores what is left of the header, otherwise as sent
    /// (<c>gzip, br</c> stays <c>gzip, br</c>).
    /// </summary>
    private static string? StripAwsChunked(string? encoding)
    {
        if (encoding is null) return null;
        var tokens = encoding.Split(',');
        if (!tokens.Any(IsAwsChunked)) return encoding;
        var joined = string.Join(",", tokens.Where(t => !IsAwsChunked(t))).Trim();
        return joined.Length == 0 ? null : joined;

        static bool IsAwsChunked(string token) => token.Trim().Equals("aws-chunked", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The x-amz-tagging header: a URL query string of tags.</summary>
    public static IReadOnlyDictionary<string, string> ParseTagging(string? header)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(header)) return tags;
        foreach (var part in header.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            tags[WebUtility.UrlDecode(eq < 0 ? part : part[..eq])] = eq < 0 ? "" : WebUtility.UrlDecode(part[(eq + 1)..]);
        }
        return tags;
    }

    /// <summary>Writes the headers GET and HEAD answer with; response-* query parameters override the stored values.</summary>
    /// <param name="partNumber">The part a <c>?partNumber=</c> read asked for: its checksum is answered instead of the object's.</param>
    public static void Write(HttpResponse response, S3Request r, ObjectInfo o, bool withChecksum, int? partNumber = null)
    {
        var h = response.Headers;
        var a = o.Attributes;
        h.ETag = S3Xml.Quote(o.ETag);
        h.LastModified = S3Xml.HttpDate(o.LastModified);
        h.AcceptRanges = "bytes";
        h.ContentType = r.Q("response-content-type") ?? a.ContentType ?? "binary/octet-stream";
        Set(h, "Content-Encoding", r.Q("response-content-encoding") ?? a.ContentEncoding);
        Set(h, "Content-Disposition", r.Q("response-content-disposition") ?? a.ContentDisposition);
        Set(h, "Content-Language", r.Q("response-content-language") ?? a.ContentLanguage);
        Set(h, "Cache-Control", r.Q("response-cache-control") ?? a.CacheControl);
        Set(h, "Expires", r.Q("response-expires") ?? a.Expires);
        foreach (var (k, v) in a.Metadata) h[MetaPrefix + k] = MailSafe(v);
        if (a.Tags.Count > 0) h["x-amz-tagging-count"] = a.Tags.Count.ToString(CultureInfo.InvariantCulture);
        if (withChecksum && a.ChecksumAlgorithm is not null && a.ChecksumValue is not null)
        {
            if (partNumber is null)
            {
                h["x-amz-checksum-" + a.ChecksumAlgorithm.ToLowerInvariant()] = a.ChecksumValue;
                h["x-amz-checksum-type"] = a.ChecksumType ?? "FULL_OBJECT";
            }
            else if (a.PartChecksums is { } sums && partNumber <= sums.Count)
            {
                h["x-amz-checksum-" + a.ChecksumAlgorithm.ToLowerInvariant()] = sums[partNumber.Value - 1];
                h["x-amz-checksum-type"] = a.ChecksumType ?? "COMPOSITE";
            }
        }
        if (partNumber is not null && a.PartSizes is { Count: var count }) h["x-amz-mp-parts-count"] = count.ToString(CultureInfo.InvariantCulture);
    }

    private static void Set(IHeaderDictionary h, string name, string? value)
    {
        if (value is not null) h[name] = MailSafe(value);
    }

    /// <summary>
    /// A stored value as a header can carry it. S3 accepts non-ASCII metadata and answers it RFC 2047-encoded
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html: "encoded as per RFC 2047 to make them
    /// mail-safe before returning"); plain printable ASCII is answered as is. AWS's choice between the B and Q encodings
    /// is not verified; Q is what the Ceph S3 conformance suite expects for a control character (<c>=?UTF-8?Q?=04mymeta?=</c>).
    /// </summary>
    public static string MailSafe(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~' or '\t')) return value;
        var q = new StringBuilder("=?UTF-8?Q?");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b == ' ') q.Append('_');
            else if (b is > 32 and < 127 && b is not (byte)'=' and not (byte)'?' and not (byte)'_') q.Append((char)b);
            else q.Append('=').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return q.Append("?=").ToString();
    }
}
