using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Aws.SigV4;

/// <summary>The pure pieces of AWS Signature Version 4: canonical request, string to sign, signing key, signature.</summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>
    /// Builds the canonical request. <paramref name="canonicalUri"/> and <paramref name="canonicalQuery"/> are already
    /// canonical (see <see cref="CanonicalUri"/> and <see cref="CanonicalQueryString"/>); headers are (lower-case name, raw values).
    /// </summary>
    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery,
        IReadOnlyList<(string Name, string Value)> signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder(256);
        sb.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signedHeaders) sb.Append(name).Append(':').Append(TrimHeaderValue(value)).Append('\n');
        sb.Append('\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            if (i > 0) sb.Append(';');
            sb.Append(signedHeaders[i].Name);
        }
        sb.Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(canonicalRequest)}";

    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var kDate = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), date);
        var kRegion = Hmac(kDate, region);
        var kService = Hmac(kRegion, service);
        return Hmac(kService, "aws4_request");
    }

    public static string Signature(byte[] signingKey, string stringToSign) => Convert.ToHexStringLower(Hmac(signingKey, stringToSign));

    public static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    public static string HexSha256(string data) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)));

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Header values are trimmed and runs of spaces collapse to one, as SigV4 requires.</summary>
    public static string TrimHeaderValue(string value)
    {
        var v = value.Trim();
        if (!v.Contains("  ", StringComparison.Ordinal)) return v;
        var sb = new StringBuilder(v.Length);
        var prevSpace = false;
        foreach (var ch in v)
        {
            if (ch == ' ')
            {
                if (!prevSpace) sb.Append(ch);
                prevSpace = true;
            }
            else
            {
                sb.Append(ch);
                prevSpace = false;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The canonical URI of a raw (percent-encoded, as sent) path. S3 encodes the path once; every other service
    /// encodes the already-encoded path a second time.
    /// </summary>
    public static string CanonicalUri(string rawPath, bool doubleEncode)
    {
        if (string.IsNullOrEmpty(rawPath)) return "/";
        var segments = rawPath.Split('/');
        var sb = new StringBuilder(rawPath.Length + 16);
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0) sb.Append('/');
            var once = UriEncode(Uri.UnescapeDataString(segments[i]), encodeSlash: true);
            sb.Append(doubleEncode ? UriEncode(once, encodeSlash: true) : once);
        }
        return sb.ToString();
    }

    /// <summary>Sorted, encoded <c>k=v</c> pairs joined with '&amp;'; <paramref name="exclude"/> names a parameter to leave out (X-Amz-Signature).</summary>
    public static string CanonicalQueryString(IEnumerable<(string Key, string Value)> decodedPairs, string? exclude = null)
    {
        var pairs = new List<(string K, string V)>();
        foreach (var (k, v) in decodedPairs)
        {
            if (exclude is not null && k == exclude) continue;
            pairs.Add((UriEncode(k, true), UriEncode(v, true)));
        }
        pairs.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.K, b.K);
            return c != 0 ? c : string.CompareOrdinal(a.V, b.V);
        });
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(k).Append('=').Append(v);
        }
        return sb.ToString();
    }

    /// <summary>Percent-encodes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~ (and '/' when asked).</summary>
    public static string UriEncode(string value, bool encodeSlash)
    {
        var needs = false;
        foreach (var ch in value)
            if (!IsUnreserved(ch) && (encodeSlash || ch != '/')) { needs = true; break; }
        if (!needs) return value;
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            var ch = (char)b;
            if (b < 0x80 && (IsUnreserved(ch) || (!encodeSlash && ch == '/'))) sb.Append(ch);
            else sb.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
        }
        return sb.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static bool IsUnreserved(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~';

    /// <summary>Constant-time comparison of two hex signatures.</summary>
    public static bool SignaturesEqual(string a, string b) =>
        a.Length == b.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
