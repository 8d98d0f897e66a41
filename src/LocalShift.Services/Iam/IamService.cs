using System.Text;
using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Storage.State;

namespace LocalShift.Services.Iam;

/// <summary>
/// AWS IAM over the query protocol. Each handler reads and checks its input, authorizes <c>iam:&lt;Action&gt;</c> on the
/// resource, acts on the <see cref="IamStore"/> within the caller's account, and writes the children of its Result element.
/// Handlers live in partial files by entity: roles, users, groups, managed policies, access keys.
/// </summary>
public sealed partial class IamService : QueryService
{
    public override string SigningName => "iam";
    public override string Version => "2010-05-08";
    public override string XmlNamespace => "https://iam.amazonaws.com/doc/2010-05-08/";

    public IamStore Store { get; }

    /// <summary>The role directory and identity-policy source other services and the authorizer read.</summary>
    public IamPolicySource PolicySource { get; }

    public IamService(IamStore store)
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
    public static IamService Create(StateStore store, TimeProvider clock) => new(new IamStore(store, clock));

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

    /// <summary>Marker and page size of a list request.</summary>
    private readonly record struct Paging(string? Marker, int MaxItems);

    private static Paging ReadPaging(IamInput input) => new(input.Marker(), input.MaxItems());

    /// <summary>
    /// Writes one page of a list sorted by name, then IsTruncated and (when truncated) the Marker to continue from.
    /// The marker is the next item's name, base64-encoded so clients treat it as opaque.
    /// </summary>
    private static void WritePage<T>(XmlWriter w, string listName, IEnumerable<T> items, Func<T, string> key, Paging paging, Action<XmlWriter, T> write)
    {
        var sorted = items.OrderBy(key, StringComparer.OrdinalIgnoreCase).ThenBy(key, StringComparer.Ordinal).ToList();
        var start = 0;
        if (paging.Marker is not null)
        {
            string from;
            try { from = Encoding.UTF8.GetString(Convert.FromBase64String(paging.Marker)); }
            catch (FormatException) { throw IamErrors.InvalidInput("Invalid Marker."); }
            while (start < sorted.Count && string.Compare(key(sorted[start]), from, StringComparison.OrdinalIgnoreCase) < 0) start++;
        }
        var page = sorted.Skip(start).Take(paging.MaxItems).ToList();
        var truncated = start + page.Count < sorted.Count;
        w.List(listName, page, write);
        w.El("IsTruncated", truncated);
        if (truncated) w.El("Marker", Convert.ToBase64String(Encoding.UTF8.GetBytes(key(sorted[start + page.Count]))));
    }

    /// <summary>Tags keep the order they were added in, so their marker is a position rather than a name.</summary>
    private static void WriteTagPage(XmlWriter w, IReadOnlyList<IamTag> tags, Paging paging)
    {
        var start = paging.Marker is not null && int.TryParse(paging.Marker, out var m) && m >= 0 ? m : 0;
        var page = tags.Skip(start).Take(paging.MaxItems).ToList();
        var truncated = start + page.Count < tags.Count;
        w.List("Tags", page, (x, t) => x.El("Key", t.Key).El("Value", t.Value));
        w.El("IsTruncated", truncated);
        if (truncated) w.El("Marker", (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void WriteTags(XmlWriter w, IReadOnlyList<IamTag> tags)
    {
        if (tags.Count == 0) return;
        w.List("Tags", tags, (x, t) => x.El("Key", t.Key).El("Value", t.Value));
    }

    private static void WriteBoundary(XmlWriter w, string? arn)
    {
        if (arn is null) return;
        w.Struct("PermissionsBoundary", x => x.El("PermissionsBoundaryType", "PermissionsBoundaryPolicy").El("PermissionsBoundaryArn", arn));
    }

    // The inline-policy and attachment operations are the same for roles, users and groups.

    private void PutInline(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var policyName = input.PolicyName();
        var document = input.Document("PolicyDocument");
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        CheckIdentityDocument(document);
        Store.PutInlinePolicy(Account(call), kind, entity, policyName, document);
    }

    private void GetInline(AwsCall call, IamInput input, XmlWriter w, IamEntityKind kind, string entity, string nameElement, Func<string> entityArn)
    {
        var policyName = input.PolicyName();
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        var (name, policy) = Store.GetInlinePolicy(Account(call), kind, entity, policyName);
        w.El(nameElement, name).El("PolicyName", policy.PolicyName).El("PolicyDocument", PolicyDocuments.Encode(policy.Document));
    }

    private void DeleteInline(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var policyName = input.PolicyName();
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        Store.DeleteInlinePolicy(Account(call), kind, entity, policyName);
    }

    private void ListInline(AwsCall call, IamInput input, XmlWriter w, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        var names = Store.ListInlinePolicies(Account(call), kind, entity).Select(p => p.PolicyName);
        WritePage(w, "PolicyNames", names, n => n, paging, (x, n) => x.WriteString(n));
    }

    private void Attach(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var policyArn = input.Arn("PolicyArn");
        input.Check();
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn());
        Store.AttachPolicy(Account(call), kind, entity, policyArn);
    }

    private void Detach(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var policyArn = input.Arn("PolicyArn");
        input.Check();
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn());
        Store.DetachPolicy(Account(call), kind, entity, policyArn);
    }

    private void ListAttached(AwsCall call, IamInput input, XmlWriter w, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var prefix = input.PolicyPath("PathPrefix");
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        var attached = Store.ListAttachedPolicies(Account(call), kind, entity)
            .Where(a => a.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Select(a => a.Policy);
        WritePage(w, "AttachedPolicies", attached, a => a.PolicyName, paging,
            (x, a) => x.El("PolicyName", a.PolicyName).El("PolicyArn", a.PolicyArn));
    }

    private void PutBoundary(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        var policyArn = input.Arn("PermissionsBoundary");
        input.Check();
        CheckArn(policyArn);
        call.Authorize(Action(call.Operation), entityArn());
        Store.SetPermissionsBoundary(Account(call), kind, entity, policyArn);
    }

    private void DeleteBoundary(AwsCall call, IamInput input, IamEntityKind kind, string entity, Func<string> entityArn)
    {
        input.Check();
        call.Authorize(Action(call.Operation), entityArn());
        Store.SetPermissionsBoundary(Account(call), kind, entity, null);
    }
}
