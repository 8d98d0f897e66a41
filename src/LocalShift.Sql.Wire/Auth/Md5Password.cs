using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>
/// PostgreSQL's MD5 password form: the stored hash is "md5" + md5hex(password + user); the client's answer to an
/// MD5 challenge is "md5" + md5hex(md5hex(password + user) + salt), so the server checks it from the hash alone.
/// </summary>
public static class Md5Password
{
    public const string Prefix = "md5";

    /// <summary>The stored form of <paramref name="password"/> for <paramref name="user"/>.</summary>
    public static string Hash(string user, string password) =>
        Prefix + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));

    /// <summary>True for "md5" followed by 32 hexadecimal digits (either case), the form CREATE USER takes as a hash.</summary>
    public static bool IsHash(string text) =>
        text.Length == 35 && text.StartsWith(Prefix, StringComparison.Ordinal) && !text.AsSpan(Prefix.Length).ContainsAnyExcept(HexDigits);

    /// <summary>The answer a client that knows the password gives to the challenge <paramref name="salt"/>.</summary>
    public static string Expected(string storedHash, ReadOnlySpan<byte> salt)
    {
        var inner = Encoding.ASCII.GetBytes(storedHash[Prefix.Length..].ToLowerInvariant());
        return Prefix + Convert.ToHexStringLower(MD5.HashData([.. inner, .. salt]));
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");
}
