namespace LocalShift.Core;

public enum PrincipalKind { Root, User, AssumedRole, Service, Anonymous }

/// <summary>Who is making a request, as resolved from its credentials.</summary>
public sealed record Principal
{
    public required PrincipalKind Kind { get; init; }
    public required string AccountId { get; init; }
    /// <summary>arn:aws:iam::acct:root, arn:aws:iam::acct:user/path/name, arn:aws:sts::acct:assumed-role/role/session, or the service name.</summary>
    public required string Arn { get; init; }
    /// <summary>aws:userid: the account id for roots, AIDA… for users, AROA…:session for sessions.</summary>
    public required string UserId { get; init; }
    /// <summary>User name for users; role name for sessions.</summary>
    public string? Name { get; init; }
    /// <summary>For sessions: the role's ARN (arn:aws:iam::acct:role/path/name).</summary>
    public string? RoleArn { get; init; }
    public string? SessionName { get; init; }
    /// <summary>For sessions: the session policies' JSON documents, intersected with the role's identity policies.</summary>
    public IReadOnlyList<string> SessionPolicies { get; init; } = [];
    /// <summary>For sessions: the principal that assumed the role (for chained sessions).</summary>
    public string? SourceIdentityArn { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public static Principal Root(string account) => new()
    {
        Kind = PrincipalKind.Root, AccountId = account, Arn = Core.Arn.Root(account), UserId = account,
    };

    public static Principal ServicePrincipal(string service) => new()
    {
        Kind = PrincipalKind.Service, AccountId = "", Arn = service, UserId = service, Name = service,
    };

    /// <summary>aws:PrincipalType values: Account, User, AssumedRole, FederatedUser, Anonymous.</summary>
    public string PrincipalTypeKey => Kind switch
    {
        PrincipalKind.Root => "Account",
        PrincipalKind.User => "User",
        PrincipalKind.AssumedRole => "AssumedRole",
        PrincipalKind.Service => "Service",
        _ => "Anonymous",
    };
}
