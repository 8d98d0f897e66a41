using System.Security.Cryptography;
using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Services.Redshift.DbCredentials;

/// <summary>
/// One temporary database login issued by GetClusterCredentials(WithIAM): the name the client logs in with
/// (<c>IAM:alice</c>), the database user the session runs as, whether that user is created at login, the groups it
/// joins for the session, and when the password stops working. Only the password's hashes are kept.
/// </summary>
public sealed record TemporaryDbLogin(
    string AccountId,
    string Region,
    string ClusterIdentifier,
    string LoginName,
    string DbUser,
    string? DbName,
    bool AutoCreate,
    IReadOnlyList<string> DbGroups,
    PgPasswordSecret Secret,
    DateTimeOffset Expiration);

/// <summary>
/// The live temporary database passwords of every cluster, in memory: they last at most an hour, and a restart ends
/// them (a client asks again, as it would after they expire). Each password is kept as its hashes only; the passwords of
/// one login name share a SCRAM salt so that one exchange can be checked against all of them (a connection pool
/// asks for a password per connection, and each stays valid until it expires).
/// </summary>
public sealed class TemporaryDbCredentials(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, string Region, string Cluster, string Login), List<TemporaryDbLogin>> _logins = new();
    private readonly Dictionary<(string Account, string Region, string Cluster, string Login), byte[]> _salts = new();

    public TimeProvider Clock => clock;

    /// <summary>A fresh random password (what the client gets in clear, once).</summary>
    public static string NewPassword() =>
        // 30 random bytes: 40 characters of base64, no padding; '+' and '/' kept out for command lines.
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', 'A').Replace('/', 'z');

    /// <summary>Records a login for <paramref name="password"/> (hashed here; the clear password is not kept).</summary>
    public TemporaryDbLogin Issue(string account, string region, string cluster, string loginName, string dbUser, string? dbName,
        bool autoCreate, IReadOnlyList<string> groups, string password, DateTimeOffset expiration)
    {
        var key = (account, region, cluster, Normalize(loginName));
        byte[] salt;
        lock (_lock)
        {
            if (!_salts.TryGetValue(key, out salt!)) _salts[key] = salt = RandomNumberGenerator.GetBytes(16);
        }
        // Hashed outside the lock: the SCRAM verifier takes 4096 rounds of PBKDF2.
        var secret = new PgPasswordSecret(Md5Password.Hash(loginName, password), ScramSha256Secret.Create(password, salt), null);
        var login = new TemporaryDbLogin(account, region, cluster, loginName, dbUser, dbName, autoCreate, groups, secret, expiration);
        lock (_lock)
        {
            if (!_logins.TryGetValue(key, out var list)) _logins[key] = list = [];
            list.RemoveAll(l => l.Expiration <= clock.GetUtcNow());
            list.Add(login);
        }
        return login;
    }

    /// <summary>The unexpired logins of a login name on a cluster, newest first.</summary>
    public IReadOnlyList<TemporaryDbLogin> Find(string account, string region, string cluster, string loginName)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_logins.TryGetValue((account, region, cluster, Normalize(loginName)), out var list)) return [];
            list.RemoveAll(l => l.Expiration <= now);
            return list.AsEnumerable().Reverse().ToList();
        }
    }

    /// <summary>Forgets every login of a cluster (deleted).</summary>
    public void Forget(string account, string region, string cluster)
    {
        lock (_lock)
        {
            foreach (var key in _logins.Keys.Where(k => k.Account == account && k.Region == region && k.Cluster == cluster).ToList())
            {
                _logins.Remove(key);
                _salts.Remove(key);
            }
        }
    }

    /// <summary>Whether a login name is one of the IAM forms (<c>IAM:</c>, <c>IAMA:</c>, <c>IAMR:</c>).</summary>
    public static bool IsIamLoginName(string name) =>
        name.StartsWith("IAM:", StringComparison.Ordinal) || name.StartsWith("IAMA:", StringComparison.Ordinal)
        || name.StartsWith("IAMR:", StringComparison.Ordinal);

    /// <summary>Database user names fold to lower case; the prefix keeps its case.</summary>
    private static string Normalize(string loginName)
    {
        var colon = loginName.IndexOf(':');
        return colon < 0 ? loginName.ToLowerInvariant() : loginName[..(colon + 1)] + loginName[(colon + 1)..].ToLowerInvariant();
    }
}
