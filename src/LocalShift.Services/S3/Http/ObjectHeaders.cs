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

    /// <summary>The object's attributes from PutObject's members.</summary>
    public static ObjectAttributes Read(Shapes.PutObjectRequest p) => new()
    {
        ContentType = p.ContentType,
        ContentEncoding = StripAwsChunked(p.ContentEncoding),
        ContentDisposition = p.ContentDisposition,
        ContentLanguage = p.ContentLanguage,
        CacheControl = p.CacheControl,
        Expires = p.Expires,
        Metadata = p.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
        Tags = ParseTagging(p.Tagging),
    };

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
}
