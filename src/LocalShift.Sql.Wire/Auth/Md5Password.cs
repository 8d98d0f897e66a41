using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>PostgreSQL's MD5 password answer: "md5" + md5hex(md5hex(password + user) + salt).</summary>
public static class Md5Password
{
    public static string Expected(string user, string password, ReadOnlySpan<byte> salt)
    {
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = Encoding.UTF8.GetBytes(inner).Concat(salt.ToArray()).ToArray();
        return "md5" + Convert.ToHexStringLower(MD5.HashData(outer));
    }
}
