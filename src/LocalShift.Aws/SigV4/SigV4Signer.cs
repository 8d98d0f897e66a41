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

    /// <summary>
    /// Whether <paramref name="givenSignature"/> is the signature of the request whose canonical parts are given (as
    /// <see cref="CanonicalRequest"/> takes them), computed without building the canonical request or the string to
    /// sign as strings: both go into pooled UTF-8 buffers, the HMAC is one reused instance per thread.
    /// </summary>
    public static bool VerifySignature(byte[] signingKey, string amzDate, string scope, string method, string canonicalUri,
        string canonicalQuery, IReadOnlyList<(string Name, string Value)> signedHeaders, string payloadHash, string givenSignature)
    {
        Span<byte> canonicalHash = stackalloc byte[32];
        HashCanonicalRequest(method, canonicalUri, canonicalQuery, signedHeaders, payloadHash, canonicalHash);

        // AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA-256(canonical request))
        var max = Algorithm.Length + 3 + Utf8.GetMaxByteCount(amzDate.Length) + Utf8.GetMaxByteCount(scope.Length) + 64;
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Utf8.GetBytes(Algorithm, buffer);
            buffer[n++] = (byte)'\n';
            n += Utf8.GetBytes(amzDate, buffer[n..]);
            buffer[n++] = (byte)'\n';
            n += Utf8.GetBytes(scope, buffer[n..]);
            buffer[n++] = (byte)'\n';
            n += HexLower(canonicalHash, buffer[n..]);
            Span<byte> mac = stackalloc byte[32];
            Hmac(signingKey, buffer[..n], mac);
            return SignatureEquals(mac, givenSignature);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>SHA-256 of the canonical request <see cref="CanonicalRequest"/> would build, written into <paramref name="hash"/>.</summary>
    public static void HashCanonicalRequest(string method, string canonicalUri, string canonicalQuery,
        IReadOnlyList<(string Name, string Value)> signedHeaders, string payloadHash, Span<byte> hash)
    {
        var count = signedHeaders.Count;
        var trimmed = new string[count];
        var chars = method.Length + canonicalUri.Length + canonicalQuery.Length + payloadHash.Length + 5;
        for (var i = 0; i < count; i++)
        {
            trimmed[i] = TrimHeaderValue(signedHeaders[i].Value);
            chars += 2 * signedHeaders[i].Name.Length + trimmed[i].Length + 3;
        }
        var max = Utf8.GetMaxByteCount(chars);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Utf8.GetBytes(method, buffer);
            buffer[n++] = (byte)'\n';
            n += Utf8.GetBytes(canonicalUri, buffer[n..]);
            buffer[n++] = (byte)'\n';
            n += Utf8.GetBytes(canonicalQuery, buffer[n..]);
            buffer[n++] = (byte)'\n';
            for (var i = 0; i < count; i++)
            {
                n += Utf8.GetBytes(signedHeaders[i].Name, buffer[n..]);
                buffer[n++] = (byte)':';
                n += Utf8.GetBytes(trimmed[i], buffer[n..]);
                buffer[n++] = (byte)'\n';
            }
            buffer[n++] = (byte)'\n';
            for (var i = 0; i < count; i++)
            {
                if (i > 0) buffer[n++] = (byte)';';
                n += Utf8.GetBytes(signedHeaders[i].Name, buffer[n..]);
            }
            buffer[n++] = (byte)'\n';
            n += Utf8.GetBytes(payloadHash, buffer[n..]);
            SHA256.HashData(buffer[..n], hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static int HexLower(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)digits[bytes[i] >> 4];
            destination[2 * i + 1] = (byte)digits[bytes[i] & 0xF];
        }
        return bytes.Length * 2;
    }

    /// <summary>Constant-time: whether <paramref name="given"/> is the lower-case hex of <paramref name="mac"/>.</summary>
    public static bool SignatureEquals(ReadOnlySpan<byte> mac, string given)
    {
        if (given.Length != mac.Length * 2) return false;
        Span<byte> expected = stackalloc byte[mac.Length * 2];
        HexLower(mac, expected);
        Span<byte> actual = stackalloc byte[given.Length];
        for (var i = 0; i < given.Length; i++) actual[i] = given[i] < 0x80 ? (byte)given[i] : (byte)'?';
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    [ThreadStatic] private static byte[]? t_hmacKey;
    [ThreadStatic] private static IncrementalHash? t_hmac;

    /// <summary>
    /// HMAC-SHA256 with one instance per thread, kept while the key stays the same (the signing-key cache hands out one
    /// key per secret, day, region and service): the one-shot API sets up a new MAC context on every call.
    /// </summary>
    public static void Hmac(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hmac = t_hmac;
        if (hmac is null || !key.AsSpan().SequenceEqual(t_hmacKey))
        {
            hmac?.Dispose();
            t_hmac = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            t_hmacKey = (byte[])key.Clone();
        }
        hmac.AppendData(data);
        hmac.GetHashAndReset(destination);
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
        // Nothing to decode or encode (the usual "/"): every segment stays as it is.
        if (!rawPath.AsSpan().ContainsAnyExcept(UnreservedOrSlash)) return rawPath;
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

    private static readonly SearchValues<char> UnreservedOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/");

    private static bool IsUnreserved(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~';

    /// <summary>Constant-time comparison of two hex signatures.</summary>
    public static bool SignaturesEqual(string a, string b) =>
        a.Length == b.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
