using System.Security.Cryptography;

namespace LocalShift.Core;

/// <summary>Generates identifiers in AWS's formats: a four-letter prefix and upper-case base32 characters.</summary>
public static class AwsIds
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string UserId() => "AIDA" + Random(Base32, 17);
    public static string RoleId() => "AROA" + Random(Base32, 17);
    public static string GroupId() => "AGPA" + Random(Base32, 17);
    public static string PolicyId() => "ANPA" + Random(Base32, 17);
    public static string AccessKeyId() => "AKIA" + Random(Base32, 16);
    public static string TemporaryAccessKeyId() => "ASIA" + Random(Base32, 16);
    public static string SecretAccessKey() => Random(SecretAlphabet, 40);
    /// <summary>
    /// A request id shaped as AWS's (a version-4 GUID, lower-case, dashed). Not a secret and not a key, so its 122 random
    /// bits come from the shared pseudo-random generator: Guid.NewGuid asks the OS for secure random bytes, a
    /// measurable share of a small request's cost.
    /// </summary>
    public static string RequestId()
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the high nibble of the third group)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }

    public static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, alpha) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alpha[RandomNumberGenerator.GetInt32(alpha.Length)];
        });
}
