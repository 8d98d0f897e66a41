using System.Security.Cryptography;
using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Storage.State;

namespace LocalShift.Services.Sts;

/// <summary>A role session issued by AssumeRole: its temporary keys and who it is.</summary>
public sealed record RoleSession(
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    DateTimeOffset Expiration,
    Principal Principal,
    /// <summary>True when the session was obtained by a role session (role chaining: at most one hour).</summary>
    bool Chained);

/// <summary>Temporary credentials in SQLite, so sessions survive a restart like AWS's do; resolves ASIA keys.</summary>
public sealed class SessionStore : ICredentialResolver
{
    private readonly IStateStore _store;

    public SessionStore(IStateStore store)
    {
        _store = store;
        store.Migrate("sts", """
            CREATE TABLE sts_sessions(
              access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, token TEXT NOT NULL, expiration TEXT NOT NULL,
              account_id TEXT NOT NULL, arn TEXT NOT NULL, user_id TEXT NOT NULL, role_arn TEXT NOT NULL, role_name TEXT NOT NULL,
              session_name TEXT NOT NULL, session_policies TEXT NOT NULL, tags TEXT NOT NULL, source_arn TEXT, chained INTEGER NOT NULL);
            CREATE INDEX sts_sessions_expiration ON sts_sessions(expiration);
            """);
    }

    public RoleSession Issue(Principal principal, DateTimeOffset expiration, bool chained)
    {
        var session = new RoleSession(AwsIds.TemporaryAccessKeyId(), AwsIds.SecretAccessKey(),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(192)), expiration, principal, chained);
        _store.Write((c, tx) =>
        {
            // Expired sessions stay a day so their keys answer ExpiredToken rather than InvalidClientTokenId.
            c.Exec(tx, "DELETE FROM sts_sessions WHERE expiration < $cut", ("$cut", AwsTime.Iso(expiration.AddDays(-2))));
            c.Exec(tx, """
                INSERT INTO sts_sessions VALUES($k, $s, $t, $e, $acct, $arn, $uid, $role, $rname, $sname, $pol, $tags, $src, $ch)
                """,
                ("$k", session.AccessKeyId), ("$s", session.SecretAccessKey), ("$t", session.SessionToken), ("$e", AwsTime.Iso(expiration)),
                ("$acct", principal.AccountId), ("$arn", principal.Arn), ("$uid", principal.UserId), ("$role", principal.RoleArn),
                ("$rname", principal.Name), ("$sname", principal.SessionName),
                ("$pol", JsonSerializer.Serialize(principal.SessionPolicies)), ("$tags", JsonSerializer.Serialize(principal.Tags)),
                ("$src", principal.SourceIdentityArn), ("$ch", chained ? 1 : 0));
        });
        return session;
    }

    public ResolvedCredential? Find(string accessKeyId)
    {
        if (!accessKeyId.StartsWith("ASIA", StringComparison.Ordinal)) return null;
        return _store.Read(c => c.Query(null, "SELECT * FROM sts_sessions WHERE access_key_id=$k", r =>
        {
            var principal = new Principal
            {
                Kind = PrincipalKind.AssumedRole,
                AccountId = r.GetString(4),
                Arn = r.GetString(5),
                UserId = r.GetString(6),
                RoleArn = r.GetString(7),
                Name = r.GetString(8),
                SessionName = r.GetString(9),
                SessionPolicies = JsonSerializer.Deserialize<string[]>(r.GetString(10)) ?? [],
                Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(11)) ?? [],
                SourceIdentityArn = r.StringOrNull(12),
            };
            return new ResolvedCredential(r.GetString(0), r.GetString(1), principal, r.GetString(2), DateTimeOffset.Parse(r.GetString(3)));
        }, ("$k", accessKeyId)).FirstOrDefault());
    }

    /// <summary>Whether the session behind this key was itself obtained by a role session.</summary>
    public bool IsChained(string accessKeyId) =>
        _store.Read(c => c.Query(null, "SELECT chained FROM sts_sessions WHERE access_key_id=$k", r => r.GetInt64(0) == 1, ("$k", accessKeyId)).FirstOrDefault());
}
