using LocalShift.Aws;
using LocalShift.Services.Redshift.DbCredentials;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>IAM database authentication: temporary database passwords for a cluster's SQL endpoint.</summary>
public sealed partial class RedshiftService
{
    private Api.ClusterCredentials GetClusterCredentials(AwsCall call, Api.GetClusterCredentialsMessage p)
    {
        var region = RegionOf(call);
        var id = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var dbName = NullIfEmpty(p.DbName);
        var autoCreate = p.AutoCreate ?? false;
        var groups = (p.DbGroups ?? []).Select(g => g.ToLowerInvariant()).Distinct().ToList();
        // Database user names fold to lower case, as CREATE USER folds them.
        var dbUser = p.DbUser.ToLowerInvariant();
        DbCredentialRules.AuthorizeGetClusterCredentials(call, region, id, dbUser, dbName, autoCreate, groups);
        DbCredentialRules.ValidateDbUser(p.DbUser);
        var duration = DbCredentialRules.Duration(p.DurationSeconds);
        RequireAvailable(call, region, id, p.ClusterIdentifier);

        // AWS answers IAM: for an existing user and IAMA: when the user is created at log on; both log in as the user.
        var loginName = (autoCreate ? "IAMA:" : "IAM:") + p.DbUser;
        var password = TemporaryDbCredentials.NewPassword();
        var login = _dbCredentials.Issue(call.Caller.AccountId, region, id, loginName, dbUser, dbName, autoCreate, groups, password,
            _time.GetUtcNow() + duration);
        return new Api.ClusterCredentials(loginName, password, login.Expiration);
    }

    private Api.ClusterExtendedCredentials GetClusterCredentialsWithIAM(AwsCall call, Api.GetClusterCredentialsWithIAMMessage p)
    {
        var region = RegionOf(call);
        var id = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var identity = IamDbIdentity.Of(call.Caller);
        var cluster = _store.Find(call.Caller.AccountId, region, id, _time.GetUtcNow());
        // Without a DbName the request is for the cluster's database (AWS: every database), authorized on that name.
        var dbName = NullIfEmpty(p.DbName) ?? cluster?.DbName ?? "dev";
        DbCredentialRules.AuthorizeWithIam(call, region, id, dbName, identity);
        var duration = DbCredentialRules.Duration(p.DurationSeconds);
        RequireAvailable(call, region, id, p.ClusterIdentifier);

        // The database user is the IAM identity itself, created at first log on.
        var password = TemporaryDbCredentials.NewPassword();
        var login = _dbCredentials.Issue(call.Caller.AccountId, region, id, identity.DbUser, identity.DbUser, NullIfEmpty(p.DbName),
            autoCreate: true, identity.Groups, password, _time.GetUtcNow() + duration);
        return new Api.ClusterExtendedCredentials(identity.DbUser, password, login.Expiration);
    }

    private void RequireAvailable(AwsCall call, string region, string id, string idParam)
    {
        var cluster = _store.Find(call.Caller.AccountId, region, id, _time.GetUtcNow()) ?? throw RedshiftErrors.ClusterNotFound(idParam);
        if (cluster.Status != ClusterStatus.Available) throw RedshiftErrors.ConcurrentOperation();
    }
}
