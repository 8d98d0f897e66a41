using System.Text;

namespace LocalShift.Storage.Objects;

/// <summary>
/// Object keys as S3 defines them: up to 1024 bytes of UTF-8, any characters. The store keeps keys as UTF-8 byte
/// strings (SQLite BLOBs compare with memcmp), which gives S3's listing order, and never uses a key as a path.
/// </summary>
public static class ObjectKeys
{
    public const int MaxKeyBytes = 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static byte[] Encode(string key)
    {
        byte[] bytes;
        try { bytes = StrictUtf8.GetBytes(key); }
        catch (EncoderFallbackException) { throw new ObjectStoreException(ObjectStoreError.InvalidKey, "The key is not valid UTF-8."); }
        if (bytes.Length == 0) throw new ObjectStoreException(ObjectStoreError.InvalidKey, "The key must not be empty.");
        if (bytes.Length > MaxKeyBytes) throw new ObjectStoreException(ObjectStoreError.KeyTooLong, "Your key is too long");
        return bytes;
    }

    /// <summary>Encodes a prefix or marker, which may be empty.</summary>
    public static byte[] EncodeLoose(string? text) => string.IsNullOrEmpty(text) ? [] : StrictUtf8.GetBytes(text);

    public static string Decode(byte[] bytes) => StrictUtf8.GetString(bytes);

    /// <summary>The smallest byte string greater than every string starting with <paramref name="prefix"/>; null when unbounded.</summary>
    public static byte[]? UpperBound(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF) end--;
        if (end == 0) return null;
        var upper = prefix[..end].ToArray();
        upper[end - 1]++;
        return upper;
    }

    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);
}
