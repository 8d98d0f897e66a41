using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>
/// What the server keeps of a user's password: only forms a login can be checked against, never the password.
/// A password given in clear yields the MD5 hash and a SCRAM-SHA-256 verifier; one given as Redshift's
/// <c>md5…</c> hash yields only the MD5 hash, and one given as <c>sha256|digest|salt</c> only that digest.
/// </summary>
public sealed record PgPasswordSecret(string? Md5, ScramSha256Secret? Scram, RedshiftSha256Password? Sha256)
{
    /// <summary>The forms of <paramref name="password"/> for <paramref name="user"/> (the name the MD5 hash is salted with).</summary>
    public static PgPasswordSecret FromPassword(string user, string password) =>
        new(Md5Password.Hash(user, password), ScramSha256Secret.Create(password), null);

    /// <summary>
    /// Checks a password sent in clear: against the SCRAM verifier when there is one, else the MD5 hash (salted with
    /// <paramref name="user"/>, the stored user name), else the SHA-256 digest.
    /// </summary>
    public bool Matches(string user, string password)
    {
        if (Scram is not null) return Scram.Matches(password);
        if (Md5 is not null)
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Md5.ToLowerInvariant()), Encoding.ASCII.GetBytes(Md5Password.Hash(user, password)));
        return Sha256?.Matches(password) == true;
    }

    /// <summary>The stored text: each known form, space-separated (no form contains a space).</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Md5, Scram?.ToString(), Sha256?.ToString() }.OfType<string>());

    /// <summary>Reads what <see cref="ToString"/> wrote; throws <see cref="FormatException"/> on anything else.</summary>
    public static PgPasswordSecret Parse(string text)
    {
        string? md5 = null;
        ScramSha256Secret? scram = null;
        RedshiftSha256Password? sha256 = null;
        foreach (var form in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Md5Password.IsHash(form)) md5 = form.ToLowerInvariant();
            else if (ScramSha256Secret.TryParse(form) is { } s) scram = s;
            else if (RedshiftSha256Password.TryParse(form) is { } d) sha256 = d;
            else throw new FormatException("not a stored password secret");
        }
        if (md5 is null && scram is null && sha256 is null) throw new FormatException("not a stored password secret");
        return new(md5, scram, sha256);
    }
}
