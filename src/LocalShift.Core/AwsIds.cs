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
    public static string RequestId() => Guid.NewGuid().ToString();

    public static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, alpha) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alpha[RandomNumberGenerator.GetInt32(alpha.Length)];
        });
}
