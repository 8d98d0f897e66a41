using LocalShift.Aws;
using LocalShift.Core;

namespace LocalShift.Services.Redshift.DbCredentials;

/// <summary>
/// The authorization and naming rules of IAM database authentication, shared by GetClusterCredentials(WithIAM) and the
/// Data API (which takes the same credential step before it runs a statement): the <c>dbuser</c>, <c>dbname</c> and
/// <c>dbgroup</c> resources, the <c>redshift:DbUser</c>/<c>redshift:DbName</c> condition keys, and the database user an
/// IAM identity maps to (<c>IAM:&lt;user&gt;</c>, <c>IAMR:&lt;role&gt;</c>).
/// </summary>
public static class DbCredentialRules
{
    /// <summary>The principal tag whose colon-separated value lists the database groups an IAM identity joins.</summary>
    public const string DbGroupsTag = "RedshiftDbGroups";

    public static string DbUserArn(string region, string account, string cluster, string user) => Arn.DbUser(region, account, cluster, user);
    public static string DbNameArn(string region, string account, string cluster, string db) => $"arn:aws:redshift:{region}:{account}:dbname:{cluster}/{db}";
    public static string DbGroupArn(string region, string account, string cluster, string group) => $"arn:aws:redshift:{region}:{account}:dbgroup:{cluster}/{group}";

    /// <summary>
    /// GetClusterCredentials' checks, in AWS's order: <c>redshift:GetClusterCredentials</c> on the dbuser and (when named)
    /// the dbname, <c>redshift:CreateClusterUser</c> on the dbuser for AutoCreate, <c>redshift:JoinGroup</c> on each group.
    /// </summary>
    public static void AuthorizeGetClusterCredentials(AwsCall call, string region, string cluster, string dbUser, string? dbName,
        bool autoCreate, IReadOnlyList<string> groups)
    {
        var account = call.Caller.AccountId;
        var keys = Keys(dbUser, dbName);
        call.Authorize("redshift:GetClusterCredentials", DbUserArn(region, account, cluster, dbUser), keys);
        if (dbName is not null) call.Authorize("redshift:GetClusterCredentials", DbNameArn(region, account, cluster, dbName), keys);
        if (autoCreate) call.Authorize("redshift:CreateClusterUser", DbUserArn(region, account, cluster, dbUser), keys);
        foreach (var group in groups) call.Authorize("redshift:JoinGroup", DbGroupArn(region, account, cluster, group), keys);
    }

    /// <summary>
    /// GetClusterCredentialsWithIAM's checks: <c>redshift:GetClusterCredentialsWithIAM</c> on the dbname (the cluster's
    /// database when none is named), then <c>redshift:JoinGroup</c> on each group of the caller's tag.
    /// </summary>
    public static void AuthorizeWithIam(AwsCall call, string region, string cluster, string dbName, IamDbIdentity identity)
    {
        var account = call.Caller.AccountId;
        var keys = Keys(identity.DbUser, dbName);
        call.Authorize("redshift:GetClusterCredentialsWithIAM", DbNameArn(region, account, cluster, dbName), keys);
        foreach (var group in identity.Groups) call.Authorize("redshift:JoinGroup", DbGroupArn(region, account, cluster, group), keys);
    }

    private static Dictionary<string, IReadOnlyList<string>> Keys(string dbUser, string? dbName)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>> { ["redshift:DbUser"] = [dbUser] };
        if (dbName is not null) keys["redshift:DbName"] = [dbName];
        return keys;
    }

    /// <summary>The groups of the caller's <c>RedshiftDbGroups</c> tag (colon-separated), or none.</summary>
    public static IReadOnlyList<string> TagGroups(Principal caller) =>
        caller.Tags.FirstOrDefault(t => t.Key.Equals(DbGroupsTag, StringComparison.OrdinalIgnoreCase)).Value is { } value
            ? value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => g.ToLowerInvariant()).Distinct().ToList()
            : [];

    /// <summary>
    /// DbUser's rules (the model's documentation): 1 to 64 characters, a letter first, then letters, digits and
    /// <c>_ + . @ -</c>; no colon or slash; not PUBLIC.
    /// </summary>
    public static void ValidateDbUser(string dbUser)
    {
        var ok = dbUser.Length is >= 1 and <= 64 && char.IsAsciiLetter(dbUser[0])
            && dbUser.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '.' or '@' or '-')
            && !dbUser.Equals("public", StringComparison.OrdinalIgnoreCase);
        if (!ok)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue(
                $"DbUser {dbUser} is not valid. It must be 1 to 64 characters, begin with a letter, contain only letters, digits and the characters _ + . @ -, and must not be PUBLIC.");
    }

    /// <summary>DurationSeconds: 900 to 3600, 900 when not given.</summary>
    public static TimeSpan Duration(int? seconds)
    {
        var value = seconds ?? 900;
        if (value is < 900 or > 3600)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"DurationSeconds must be between 900 and 3600 seconds, but was {value}.");
        return TimeSpan.FromSeconds(value);
    }
}

/// <summary>The database user an IAM identity is mapped to 1:1, and the groups its tag names.</summary>
public sealed record IamDbIdentity(string DbUser, IReadOnlyList<string> Groups)
{
    /// <summary>
    /// <c>IAM:&lt;user name&gt;</c> for an IAM user, <c>IAMR:&lt;role name&gt;</c> for a role session. The account root has
    /// no IAM identity to map.
    /// </summary>
    public static IamDbIdentity Of(Principal caller) => caller.Kind switch
    {
        PrincipalKind.User when caller.Name is { } name => new("IAM:" + name, DbCredentialRules.TagGroups(caller)),
        PrincipalKind.AssumedRole when caller.RoleArn is { } role => new("IAMR:" + role[(role.LastIndexOf('/') + 1)..], DbCredentialRules.TagGroups(caller)),
        // unverified: AWS's answer for the root user (LocalShift's wording).
        _ => throw new AwsException("UnsupportedOperation",
            "The account's root user has no IAM identity to map to a database user; call as an IAM user or role, or name a DbUser.", 400),
    };
}
