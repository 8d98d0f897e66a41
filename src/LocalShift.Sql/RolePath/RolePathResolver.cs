using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Policy.Evaluation;
using LocalShift.Services.Authorization;
using LocalShift.Services.Redshift;
using LocalShift.Services.Sts;
using LocalShift.Sql.AssumeRolePrivileges;
using LocalShift.Sql.Routing;

namespace LocalShift.Sql.RolePath;

/// <summary>
/// The role path of ARCHITECTURE.md §3: resolve the clause, check the association and the ASSUMEROLE grant, assume
/// the chain as redshift.amazonaws.com and then hop by hop, and hand back the principal every S3 call is made as.
/// Access keys skip the cluster's roles and act as whoever owns the key.
/// <paramref name="findCluster"/> (account, region, identifier, now) finds the statement's own cluster: the one of the
/// endpoint's region (<see cref="RedshiftStatementContext.Region"/>), which the db user ARN and aws:SourceArn also name.
/// </summary>
public sealed class RolePathResolver(
    RoleAssumer assumer,
    ICredentialResolver credentials,
    Func<string, string, string, DateTimeOffset, Cluster?> findCluster,
    PolicyAuthorizer authorizer,
    TimeProvider clock,
    Func<long>? clusterGeneration = null)
{
    public const string RedshiftService = "redshift.amazonaws.com";
    public const string SessionName = "RedshiftIamRoleSession";

    /// <summary>The cluster's DefaultIamRoleArn now, or null.</summary>
    public string? DefaultRoleArn(RedshiftStatementContext context) =>
        findCluster(context.AccountId, context.Region, context.ClusterIdentifier, clock.GetUtcNow())?.DefaultIamRoleArn is { Length: > 0 } arn ? arn : null;

    /// <summary>The cluster's slices now (see <see cref="LocalShift.Services.Redshift.ClusterRules.Slices"/>); 1 when it is gone.</summary>
    public int Slices(RedshiftStatementContext context) =>
        findCluster(context.AccountId, context.Region, context.ClusterIdentifier, clock.GetUtcNow()) is { } cluster
            ? LocalShift.Services.Redshift.ClusterRules.Slices(cluster.NodeType, cluster.NumberOfNodes) : 1;

    /// <summary>
    /// Role sessions kept for reuse (<see cref="Resolve"/> with <c>reuseSession</c>): per cluster, db user and chain,
    /// the session, the IAM generation it was decided at, and until when it may be reused.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Account, string Region, string Cluster, string DbUser, string Chain), (Principal Principal, (long Iam, long Clusters) Generation, DateTimeOffset Until)> _sessions = new();

    /// <summary>How long before its expiry a kept session stops being reused (it is assumed afresh then).</summary>
    private static readonly TimeSpan ReuseMargin = TimeSpan.FromMinutes(15);

    /// <param name="purpose">copy, unload, external function: what the ASSUMEROLE grant must cover.</param>
    /// <param name="checkGrant">false for external schemas, which Redshift's ASSUMEROLE privilege does not cover.</param>
    /// <param name="reuseSession">
    /// Reuse the session this cluster last assumed for the same db user and role clause while it is valid and nothing
    /// it was decided on changed: any change to IAM (a trust or identity policy, a role deleted or made again) or to
    /// the clusters' records (an association added or removed, the default role) makes the chain be resolved and
    /// assumed afresh (the association checked, its trust policies evaluated and the sts:AssumeRole decisions
    /// recorded again). As AWS services cache a role's credentials rather than call AssumeRole for each request;
    /// every call made with the session is still authorized as it. Only without <paramref name="checkGrant"/> (the
    /// ASSUMEROLE grants live in the cluster's database and are checked at every call).
    /// </param>
    public Principal Resolve(RedshiftStatementContext context, Authorization authorization, string purpose, bool checkGrant = true, bool reuseSession = false)
    {
        var now = clock.GetUtcNow();
        return authorization switch
        {
            AccessKeyAuthorization keys => ResolveKeys(keys),
            RoleChainAuthorization chain => AssumeChain(context, chain, purpose, now, checkGrant, reuseSession),
            _ => throw new InvalidOperationException("unknown authorization form"),
        };
    }

    private Principal AssumeChain(RedshiftStatementContext context, RoleChainAuthorization authorization, string purpose, DateTimeOffset now, bool checkGrant, bool reuseSession)
    {
        var dbUser = context.DbUserArn;
        var key = (context.AccountId, context.Region, context.ClusterIdentifier, dbUser, authorization.Default ? "default" : string.Join(",", authorization.Chain));
        // Read before anything is decided: a change while the chain is resolved makes the next statement resolve it again.
        var generation = (assumer.IamGeneration, clusterGeneration?.Invoke() ?? -1);
        reuseSession &= !checkGrant && clusterGeneration is not null;
        if (reuseSession && _sessions.TryGetValue(key, out var kept) && kept.Generation == generation && kept.Until > now) return kept.Principal;
        var cluster = findCluster(context.AccountId, context.Region, context.ClusterIdentifier, now);
        External.ScanTrace.Mark("cluster");
        IReadOnlyList<string> chain = authorization.Chain;
        if (authorization.Default)
        {
            if (cluster?.DefaultIamRoleArn is not { Length: > 0 } defaultRole) throw RolePathErrors.NoDefaultRole();
            chain = [defaultRole];
        }
        var first = chain[0];
        foreach (var (arn, hop) in chain.Select((a, i) => (a, i + 1)))
            if (!IsRoleArn(arn))
                throw Deny(dbUser, first, $"'{arn}'{(chain.Count > 1 ? $" (chain hop {hop})" : "")} is not a valid IAM role ARN: expected arn:aws:iam::<account>:role/<name>");

        var association = cluster?.Roles.FirstOrDefault(r => r.RoleArn == first);
        var refusal = association?.ApplyStatus switch
        {
            null => $"the role is not associated with cluster {context.ClusterIdentifier}; associate it with aws redshift modify-cluster-iam-roles --cluster-identifier {context.ClusterIdentifier} --add-iam-roles {first}",
            ApplyStatus.Adding => $"the role is still being associated with cluster {context.ClusterIdentifier} (ApplyStatus adding); it is usable once in-sync",
            ApplyStatus.Removing => $"the role is being removed from cluster {context.ClusterIdentifier} (ApplyStatus removing) and can no longer be used",
            _ => null,
        };
        if (refusal is not null) throw Deny(dbUser, first, refusal);

        var grantName = authorization.Default ? "default" : authorization.Text;
        var grantees = AssumeRoleGrants.GranteesOf(context.Users, context.User);
        if (checkGrant && !AssumeRoleGrants.Holds(context.Engine, context.Superuser, grantees, grantName, purpose)
            && !(authorization.Default && AssumeRoleGrants.Holds(context.Engine, context.Superuser, grantees, chain[0], purpose)))
        {
            Record(dbUser, first, now, $"ASSUMEROLE on \"{grantName}\" for {purpose.ToUpperInvariant()} is not granted to {context.User}");
            throw AssumeRoleGrants.Missing(context.User, grantName, purpose);
        }

        External.ScanTrace.Mark("grant");

        var caller = Principal.ServicePrincipal(RedshiftService);
        RoleSession? session = null;
        for (var i = 0; i < chain.Count; i++)
        {
            var input = i == 0
                ? new AssumeRoleInput(chain[i], SessionName, ExternalId: dbUser, Context: new Dictionary<string, string>
                {
                    ["aws:SourceAccount"] = context.AccountId,
                    ["aws:SourceArn"] = Arn.Cluster(context.Region, context.AccountId, context.ClusterIdentifier),
                })
                : new AssumeRoleInput(chain[i], SessionName);
            try
            {
                // The session's keys never leave LocalShift (every call is made in-process as its principal), so none
                // are written to the state store: a statement's role session costs no write transaction.
                session = assumer.Assume(session?.Principal ?? caller, null, input, Guid.NewGuid().ToString(), region: context.Region, issueKeys: false);
            }
            catch (AssumeRoleDeniedException e)
            {
                var why = i == 0
                    ? $"sts:AssumeRole by {RedshiftService} with sts:ExternalId={dbUser} was denied: {e.Note ?? "no statement of the role's trust policy allows it"}. " +
                      $"The trust policy must allow Principal {{\"Service\":\"{RedshiftService}\"}} and any sts:ExternalId condition must name this db user"
                    : $"chain hop {i + 1}: {e.Message}" + (e.Note is null ? " (the previous role's identity policy must allow sts:AssumeRole on it)" : $" ({e.Note})");
                throw Deny(dbUser, first, why);
            }
            catch (AwsException e)
            {
                throw Deny(dbUser, first, $"chain hop {i + 1}: {e.Message}");
            }
        }
        if (reuseSession) _sessions[key] = (session!.Principal, generation, session.Expiration - ReuseMargin);
        return session!.Principal;
    }

    private Principal ResolveKeys(AccessKeyAuthorization keys)
    {
        var rid = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var found = credentials.Find(keys.AccessKeyId);
        if (found is null || !found.Active)
            throw RolePathErrors.S3("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403, rid,
                $"ACCESS_KEY_ID={keys.AccessKeyId}", "no user, root or session holds this access key");
        if (!string.Equals(found.SecretAccessKey, keys.SecretAccessKey, StringComparison.Ordinal))
            throw RolePathErrors.S3("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                403, rid, $"ACCESS_KEY_ID={keys.AccessKeyId}", "the secret access key does not belong to this access key");
        if (found.SessionToken is not null && found.SessionToken != keys.SessionToken)
            throw RolePathErrors.S3("InvalidToken", "The provided token is malformed or otherwise invalid.", 400, rid,
                $"ACCESS_KEY_ID={keys.AccessKeyId}", "temporary credentials need their SESSION_TOKEN (or token= inside CREDENTIALS)");
        if (found.Expiration is { } expires && expires <= clock.GetUtcNow())
            throw RolePathErrors.S3("ExpiredToken", "The provided token has expired.", 400, rid, $"ACCESS_KEY_ID={keys.AccessKeyId}", "the session expired");
        return found.Principal;
    }

    private PgException Deny(string dbUser, string roleArn, string why)
    {
        Record(dbUser, roleArn, clock.GetUtcNow(), why);
        return RolePathErrors.NotAuthorized(dbUser, roleArn, why);
    }

    private void Record(string dbUser, string roleArn, DateTimeOffset now, string why) =>
        authorizer.Record(new Decision(DecisionKind.ImplicitDeny, [], PolicyLayer.None, []), dbUser, "redshift:AssumeClusterRole", roleArn, now, null,
            $"User {dbUser} is not authorized to assume IAM Role {roleArn}", why);

    private static bool IsRoleArn(string arn) =>
        Arn.TryParse(arn, out var parsed) && parsed.Service == "iam" && parsed.Account is { Length: 12 }
        && parsed.Resource.StartsWith("role/", StringComparison.Ordinal) && parsed.Resource.Length > 5;
}
