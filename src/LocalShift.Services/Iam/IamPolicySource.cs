using LocalShift.Core;
using LocalShift.Services.Authorization;

namespace LocalShift.Services.Iam;

/// <summary>
/// The identity-side policies of a principal, read from the IAM store: a user's own inline and attached policies and
/// those of its groups; a role session's role's inline and attached policies; plus the permissions boundary.
/// </summary>
public sealed class IamPolicySource(IamStore store) : IIdentityPolicySource
{
    private static readonly PrincipalPolicies None = new([], null);

    // Every authorized request asks; the answer only changes when IAM state does, so it is kept per principal
    // until the store's generation moves.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Generation, PrincipalPolicies Policies)> _cache = new();

    public PrincipalPolicies GetPolicies(Principal principal)
    {
        var key = principal.Kind switch
        {
            PrincipalKind.User when principal.Name is not null => $"user\n{principal.AccountId}\n{principal.Name.ToUpperInvariant()}",
            PrincipalKind.AssumedRole when principal.RoleArn is not null => $"role\n{principal.RoleArn}",
            _ => null,
        };
        if (key is null) return None;
        var generation = store.Generation;
        if (_cache.TryGetValue(key, out var hit) && hit.Generation == generation) return hit.Policies;
        var policies = principal.Kind == PrincipalKind.User ? ForUser(principal.AccountId, principal.Name!) : ForRole(principal.RoleArn!);
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[key] = (generation, policies);
        return policies;
    }

    private PrincipalPolicies ForUser(string accountId, string userName)
    {
        var user = store.GetUser(accountId, userName);
        if (user is null) return None;
        var policies = new List<NamedPolicy>();
        AddOwn(policies, accountId, IamEntityKind.User, user.UserName, $"user/{user.UserName}");
        foreach (var group in store.ListGroupsForUser(accountId, user.UserName))
            AddOwn(policies, accountId, IamEntityKind.Group, group.GroupName, $"group/{group.GroupName}");
        return new PrincipalPolicies(policies, Boundary(accountId, user.PermissionsBoundaryArn));
    }

    private PrincipalPolicies ForRole(string roleArn)
    {
        var record = store.FindByArn(roleArn);
        if (record is null) return None;
        var role = store.GetRole(record.AccountId, record.RoleName)!;
        var policies = new List<NamedPolicy>();
        AddOwn(policies, role.AccountId, IamEntityKind.Role, role.RoleName, $"role/{role.RoleName}");
        return new PrincipalPolicies(policies, Boundary(role.AccountId, role.PermissionsBoundaryArn));
    }

    private void AddOwn(List<NamedPolicy> into, string accountId, IamEntityKind kind, string name, string owner)
    {
        foreach (var inline in store.ListInlinePolicies(accountId, kind, name))
            into.Add(new NamedPolicy(inline.PolicyName, null, inline.Document, $"{owner} inline {inline.PolicyName}"));
        foreach (var (attached, _) in store.ListAttachedPolicies(accountId, kind, name))
            if (store.DefaultDocument(accountId, attached.PolicyArn) is { } document)
                into.Add(new NamedPolicy(attached.PolicyName, attached.PolicyArn, document, $"{owner} managed {attached.PolicyArn}"));
    }

    private NamedPolicy? Boundary(string accountId, string? arn) =>
        arn is not null && store.GetPolicy(accountId, arn) is { } usage && store.DefaultDocument(accountId, arn) is { } document
            ? new NamedPolicy(usage.Policy.PolicyName, arn, document, $"permissions boundary {arn}")
            : null;
}
