using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Sql.Users;

/// <summary>
/// The value of CREATE/ALTER USER ... PASSWORD as Redshift reads it, turned into what is stored: a clear-text
/// password, <c>'md5' + md5hex(password + user)</c>, <c>'sha256|password'</c> or <c>'sha256|digest|salt'</c>.
/// </summary>
public static class RedshiftPassword
{
    /// <summary>The secret <paramref name="value"/> stands for, for the user <paramref name="user"/> (the stored name).</summary>
    public static PgPasswordSecret ToSecret(string user, string value)
    {
        // The user's own MD5 of password + user name: MD5 and clear-text logins can be checked, SCRAM cannot.
        if (Md5Password.IsHash(value)) return new PgPasswordSecret(value.ToLowerInvariant(), null, null);
        if (value.StartsWith(RedshiftSha256Password.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            // A digest and its salt: only a password sent in clear can be checked against them.
            if (RedshiftSha256Password.TryParse(value) is { } digest) return new PgPasswordSecret(null, null, digest);
            // 'sha256|password': Redshift salts and hashes the password itself; here it gets every form a clear one gets.
            return PgPasswordSecret.FromPassword(user, value[RedshiftSha256Password.Prefix.Length..]);
        }
        return PgPasswordSecret.FromPassword(user, value);
    }
}
