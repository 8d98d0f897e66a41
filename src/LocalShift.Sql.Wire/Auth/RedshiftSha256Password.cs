using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>
/// Redshift's <c>PASSWORD 'sha256|digest|salt'</c>: digest is hex(SHA-256(password bytes + salt bytes)) and the salt
/// is 256 bits in hex. Only a password given in clear can be checked against it.
/// </summary>
public sealed record RedshiftSha256Password(string Digest, string Salt)
{
    public const string Prefix = "sha256|";

    /// <summary>A digest of <paramref name="password"/> with a fresh random salt (or the given one).</summary>
    public static RedshiftSha256Password Create(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(32);
        return new(Convert.ToHexStringLower(Compute(password, salt)), Convert.ToHexStringLower(salt));
    }

    public bool Matches(string password) =>
        CryptographicOperations.FixedTimeEquals(Compute(password, Convert.FromHexString(Salt)), Convert.FromHexString(Digest));

    private static byte[] Compute(string password, byte[] salt) => SHA256.HashData([.. Encoding.UTF8.GetBytes(password), .. salt]);

    public override string ToString() => $"{Prefix}{Digest}|{Salt}";

    /// <summary>
    /// Reads <c>sha256|digest|salt</c> (64 hexadecimal digits each); null when <paramref name="text"/> is not of that form.
    /// </summary>
    public static RedshiftSha256Password? TryParse(string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var parts = text[Prefix.Length..].Split('|');
        if (parts.Length != 2 || !IsHex256(parts[0]) || !IsHex256(parts[1])) return null;
        return new(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant());
    }

    private static bool IsHex256(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigit);
}
