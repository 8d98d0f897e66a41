using System.Globalization;
using System.Text;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Storage.State;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

/// <summary>
/// AWS IAM as typed operations of the IAM model. The edge has already checked every request against the model's
/// constraints (AWS's ValidationError texts); each operation checks what the model cannot say (policy grammar, trust
/// principals, managed policy ARNs), authorizes <c>iam:&lt;Action&gt;</c> on the resource, acts on the
/// <see cref="IamStore"/> within the caller's account and returns the model's response.
/// Operations live in partial files by entity: roles, users, groups, managed policies, access keys, simulation.
/// </summary>
public sealed partial class IamService : AwsService
{
    public IamStore Store { get; }

    /// <summary>The role directory and identity-policy source other services and the authorizer read.</summary>
    public IamPolicySource PolicySource { get; }

    public IamService(IamStore store) : base("iam")
    {
        Store = store;
        PolicySource = new IamPolicySource(store);
        RegisterRoles();
        RegisterUsers();
        RegisterGroups();
        RegisterPolicies();
        RegisterAccessKeys();
        RegisterSimulate();
    }

    /// <summary>The composition root's entry point: migrates IAM's tables and returns the service.</summary>
    public static IamService Create(IStateStore store, TimeProvider clock) => new(new IamStore(store, clock));

    // ---- shared pieces ----

    private static string Account(AwsCall call) => call.Caller.AccountId;

    private static string Action(string operation) => "iam:" + operation;

    /// <summary>A managed policy ARN must at least look like one (iam service, policy/ resource); IAM answers InvalidInput otherwise.</summary>
    private static void CheckArn(string arn)
    {
        if (!Arn.TryParse(arn, out var parsed) || parsed.Service != "iam" || !parsed.Resource.StartsWith("policy/", StringComparison.Ordinal))
            throw IamErrors.InvalidArn(arn);
    }

    /// <summary>Checks an identity (permissions) policy document's grammar; sizes are checked where the quota applies.</summary>
    private static void CheckIdentityDocument(string document) => PolicyDocuments.Validate(document, PolicyKind.Identity);

    /// <summary>
    /// A trust policy must be a valid trust document within 2,048 characters whose "AWS" principals are accounts, roots,
    /// users, roles or sessions. (That the users and roles exist is checked when the store saves the policy.)
    /// </summary>
    private static void CheckTrustDocument(string document)
    {
        PolicyDocuments.Validate(document, PolicyKind.Trust);
        PolicyDocuments.CheckTrustSize(document);
        foreach (var principal in PolicyDocuments.AwsPrincipals(document))
            if (PolicyDocuments.Classify(principal, out _) == PolicyDocuments.PrincipalShape.Invalid)
                throw PolicyDocuments.InvalidPrincipal(principal);
    }

    private const int DefaultMaxItems = 100;

    /// <summary>One page of a listing: the items, whether more follow, and the marker to continue from.</summary>
    private readonly record struct Page<T>(List<T> Items, bool IsTruncated, string? Marker);

    /// <summary>
    /// One page of a list sorted by name. The marker is the next item's name, base64-encoded so clients treat it as opaque.
    /// </summary>
    private static Page<T> NamePage<T>(IEnumerable<T> items, Func<T, string> key, string? marker, int? maxItems)
    {
        var sorted = items.OrderBy(key, StringComparer.OrdinalIgnoreCase).ThenBy(key, StringComparer.Ordinal).ToList();
        var start = 0;
        if (marker is not null)
        {
            string from;
            try { from = Encoding.UTF8.GetString(Convert.FromBase64String(marker)); }
            catch (FormatException) { throw IamErrors.InvalidInput("Invalid Marker."); }
            while (start < sorted.Count && string.Compare(key(sorted[start]), from, StringComparison.OrdinalIgnoreCase) < 0) start++;
        }
        var page = sorted.Skip(start).Take(maxItems ?? DefaultMaxItems).ToList();
        var truncated = start + page.Count < sorted.Count;
        return new(page, truncated, truncated ? Convert.ToBase64String(Encoding.UTF8.GetBytes(key(sorted[start + page.Count]))) : null);
    }

    /// <summary>One page of a list kept in its own order (tags as added, versions newest first): the marker is a position.</summary>
    private static Page<T> PositionPage<T>(IReadOnlyList<T> items, string? marker, int? maxItems, int defaultMaxItems = DefaultMaxItems)
    {
        var start = marker is not null && int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var page = items.Skip(start).Take(maxItems ?? defaultMaxItems).ToList();
        var truncated = start + page.Count < items.Count;
        return new(page, truncated, truncated ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null);
    }

    private static List<IamTag> ReadTags(List<Api.Tag>? tags) => tags?.Select(t => new IamTag(t.Key, t.Value)).ToList() ?? [];

    private static List<Api.Tag> ToTags(IReadOnlyList<IamTag> tags) => tags.Select(t => new Api.Tag(t.Key, t.Value)).ToList();

    /// <summary>Tags as an entity's description carries them: absent when there are none.</summary>
    private static List<Api.Tag>? TagsOrNull(IReadOnlyList<IamTag> tags) => tags.Count == 0 ? null : ToTags(tags);

    private static Api.AttachedPermissionsBoundary? Boundary(string? arn) =>
        arn is null ? null : new Api.AttachedPermissionsBoundary("PermissionsBoundaryPolicy", arn);

    // The inline-policy and attachment operations are the same for roles, users and groups.

    private void PutInline(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyName, string document)
    {
        call.Authorize(Action(call.Operation), entityArn);
        CheckIdentityDocument(document);
        Store.PutInlinePolicy(Account(call), kind, entity, policyName, document);
    }

    /// <summary>The entity's name as stored, the policy's name and its URL-encoded document.</summary>
    private (string Entity, string PolicyName, string PolicyDocument) GetInline(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyName)
    {
        call.Authorize(Action(call.Operation), entityArn);
        var (name, policy) = Store.GetInlinePolicy(Account(call), kind, entity, policyName);
        return (name, policy.PolicyName, PolicyDocuments.Encode(policy.Document));
    }

    private void DeleteInline(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyName)
    {
        call.Authorize(Action(call.Operation), entityArn);
        Store.DeleteInlinePolicy(Account(call), kind, entity, policyName);
    }

    private Page<string> ListInline(AwsCall call, IamEntityKind kind, string entity, string entityArn, string? marker, int? maxItems)
    {
        call.Authorize(Action(call.Operation), entityArn);
        var names = Store.ListInlinePolicies(Account(call), kind, entity).Select(p => p.PolicyName);
        return NamePage(names, n => n, marker, maxItems);
    }

    private void Attach(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyArn)
    {
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn);
        Store.AttachPolicy(Account(call), kind, entity, policyArn);
    }

    private void Detach(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyArn)
    {
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn);
        Store.DetachPolicy(Account(call), kind, entity, policyArn);
    }

    private Page<Api.AttachedPolicy> ListAttached(AwsCall call, IamEntityKind kind, string entity, string entityArn, string? pathPrefix, string? marker, int? maxItems)
    {
        var prefix = pathPrefix ?? "/";
        call.Authorize(Action(call.Operation), entityArn);
        var attached = Store.ListAttachedPolicies(Account(call), kind, entity)
            .Where(a => a.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Select(a => new Api.AttachedPolicy(a.Policy.PolicyName, a.Policy.PolicyArn));
        return NamePage(attached, a => a.PolicyName!, marker, maxItems);
    }

    private void PutBoundary(AwsCall call, IamEntityKind kind, string entity, string entityArn, string policyArn)
    {
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn);
        Store.SetPermissionsBoundary(Account(call), kind, entity, policyArn);
    }

    private void DeleteBoundary(AwsCall call, IamEntityKind kind, string entity, string entityArn)
    {
        call.Authorize(Action(call.Operation), entityArn);
        Store.SetPermissionsBoundary(Account(call), kind, entity, null);
    }
}
