using LocalShift.Core;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Iam;

// Inline policies, customer managed policies and their versions, attachments, permissions boundaries.
public sealed partial class IamStore
{
    private static string KindKey(IamEntityKind kind) => kind switch
    {
        IamEntityKind.Role => "role",
        IamEntityKind.User => "user",
        _ => "group",
    };

    // ---- inline policies ----

    private static bool HasInline(DbConnection c, DbTransaction? tx, string accountId, IamEntityKind kind, string entity) =>
        c.Query(tx, "SELECT 1 FROM iam_inline_policies WHERE account_id=$a AND entity_kind=$k AND entity_name=$e LIMIT 1", r => 1,
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", entity)).Count > 0;

    private static List<InlinePolicyRow> InlineOf(DbConnection c, DbTransaction? tx, string accountId, IamEntityKind kind, string entity) =>
        c.Query(tx, "SELECT policy_name, document FROM iam_inline_policies WHERE account_id=$a AND entity_kind=$k AND entity_name=$e",
            r => new InlinePolicyRow(r.GetString(0), r.GetString(1)), ("$a", accountId), ("$k", KindKey(kind)), ("$e", entity));

    /// <summary>
    /// Adds or replaces an inline policy. The size quota covers all of the entity's inline policies together
    /// (role 10,240, user 2,048, group 5,120 characters without white space).
    /// </summary>
    public void PutInlinePolicy(string accountId, IamEntityKind kind, string entity, string policyName, string document) => Change((c, tx) =>
    {
        var name = RequireEntity(c, tx, kind, accountId, entity);
        var others = InlineOf(c, tx, accountId, kind, name)
            .Where(p => !p.PolicyName.Equals(policyName, StringComparison.OrdinalIgnoreCase))
            .Sum(p => PolicyDocuments.Size(p.Document));
        var max = PolicyDocuments.InlineTotalMax(kind);
        if (others + PolicyDocuments.Size(document) > max)
            throw IamErrors.LimitExceeded($"Maximum policy size of {max} bytes exceeded for {IamErrors.Noun(kind)} {name}");
        c.Exec(tx, "DELETE FROM iam_inline_policies WHERE account_id=$a AND entity_kind=$k AND entity_name=$e AND policy_name=$p",
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", name), ("$p", policyName));
        c.Exec(tx, "INSERT INTO iam_inline_policies(account_id, entity_kind, entity_name, policy_name, document) VALUES($a,$k,$e,$p,$d)",
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", name), ("$p", policyName), ("$d", document));
    });

    /// <summary>The inline policy; throws NoSuchEntity for a missing entity or policy.</summary>
    public (string EntityName, InlinePolicyRow Policy) GetInlinePolicy(string accountId, IamEntityKind kind, string entity, string policyName) => _store.Read(c =>
    {
        var name = RequireEntity(c, null, kind, accountId, entity);
        var policy = InlineOf(c, null, accountId, kind, name).FirstOrDefault(p => p.PolicyName.Equals(policyName, StringComparison.OrdinalIgnoreCase))
            ?? throw IamErrors.NoSuchInlinePolicy(kind, policyName);
        return (name, policy);
    });

    public void DeleteInlinePolicy(string accountId, IamEntityKind kind, string entity, string policyName) => Change((c, tx) =>
    {
        var name = RequireEntity(c, tx, kind, accountId, entity);
        if (c.Exec(tx, "DELETE FROM iam_inline_policies WHERE account_id=$a AND entity_kind=$k AND entity_name=$e AND policy_name=$p",
                ("$a", accountId), ("$k", KindKey(kind)), ("$e", name), ("$p", policyName)) == 0)
            throw IamErrors.NoSuchInlinePolicy(kind, policyName);
    });

    public List<InlinePolicyRow> ListInlinePolicies(string accountId, IamEntityKind kind, string entity) => _store.Read(c =>
        InlineOf(c, null, accountId, kind, RequireEntity(c, null, kind, accountId, entity)));

    // ---- managed policies ----

    private const string PolicyColumns = "account_id, name, path, policy_id, arn, default_version, description, tags, create_date, update_date";

    private static ManagedPolicyRow ReadPolicy(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.StringOrNull(6),
        Tags(r.GetString(7)), Time(r.GetString(8)), Time(r.GetString(9)));

    /// <summary>A customer managed policy of this account, or an AWS managed policy; null for anything else.</summary>
    private static ManagedPolicyRow? PolicyFor(DbConnection c, DbTransaction? tx, string accountId, string arn)
    {
        if (AwsManagedPolicies.Find(arn) is { } aws) return aws.Row;
        if (!Arn.TryParse(arn, out var parsed) || parsed.Account != accountId) return null;
        return c.Query(tx, $"SELECT {PolicyColumns} FROM iam_managed_policies WHERE arn=$arn", ReadPolicy, ("$arn", arn)).FirstOrDefault();
    }

    private static ManagedPolicyRow RequireAttachable(DbConnection c, DbTransaction? tx, string accountId, string arn) =>
        PolicyFor(c, tx, accountId, arn) ?? throw IamErrors.NoSuchAttachablePolicy(arn);

    private static PolicyUsage Usage(DbConnection c, DbTransaction? tx, string accountId, ManagedPolicyRow policy)
    {
        var attached = c.Query(tx, "SELECT COUNT(*) FROM iam_attachments WHERE account_id=$a AND policy_arn=$p", r => r.GetInt32(0),
            ("$a", accountId), ("$p", policy.Arn))[0];
        var boundaries = c.Query(tx,
            "SELECT (SELECT COUNT(*) FROM iam_roles WHERE account_id=$a AND boundary_arn=$p) + (SELECT COUNT(*) FROM iam_users WHERE account_id=$a AND boundary_arn=$p)",
            r => r.GetInt32(0), ("$a", accountId), ("$p", policy.Arn))[0];
        return new PolicyUsage(policy, attached, boundaries);
    }

    public PolicyUsage? GetPolicy(string accountId, string arn) => _store.Read(c =>
        PolicyFor(c, null, accountId, arn) is { } p ? Usage(c, null, accountId, p) : null);

    /// <summary>Managed policies visible to the account: its own (Local) and AWS's.</summary>
    public List<PolicyUsage> ListPolicies(string accountId, bool local, bool aws) => _store.Read(c =>
    {
        var rows = new List<ManagedPolicyRow>();
        if (local) rows.AddRange(c.Query(null, $"SELECT {PolicyColumns} FROM iam_managed_policies WHERE account_id=$a", ReadPolicy, ("$a", accountId)));
        if (aws) rows.AddRange(AwsManagedPolicies.All.Select(p => p.Row));
        return rows.Select(p => Usage(c, null, accountId, p)).ToList();
    });

    public PolicyUsage CreatePolicy(string accountId, string name, string path, string document, string? description, IReadOnlyList<IamTag> tags) =>
        Change((c, tx) =>
        {
            if (c.Query(tx, "SELECT 1 FROM iam_managed_policies WHERE account_id=$a AND name=$n", r => 1, ("$a", accountId), ("$n", name)).Count > 0)
                throw IamErrors.PolicyExists(name);
            if (tags.Count > MaxTags) throw IamErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTags}.");
            var now = Now();
            var policy = new ManagedPolicyRow(accountId, name, path, AwsIds.PolicyId(), Arn.Iam(accountId, $"policy{path}{name}"), "v1",
                description, tags, now, now);
            c.Exec(tx, $"INSERT INTO iam_managed_policies({PolicyColumns}, next_version) VALUES($a,$n,$p,$id,$arn,'v1',$d,$t,$cd,$cd,2)",
                ("$a", accountId), ("$n", name), ("$p", path), ("$id", policy.PolicyId), ("$arn", policy.Arn), ("$d", description),
                ("$t", TagsJson(tags)), ("$cd", Time(now)));
            c.Exec(tx, "INSERT INTO iam_policy_versions(policy_arn, version_id, document, create_date) VALUES($arn,'v1',$doc,$cd)",
                ("$arn", policy.Arn), ("$doc", document), ("$cd", Time(now)));
            return new PolicyUsage(policy, 0, 0);
        });

    private static ManagedPolicyRow RequireOwnPolicy(DbConnection c, DbTransaction? tx, string accountId, string arn)
    {
        var policy = PolicyFor(c, tx, accountId, arn) ?? throw IamErrors.NoSuchPolicy(arn);
        if (policy.IsAwsManaged) throw IamErrors.InvalidInput($"Policy {arn} is an AWS managed policy and cannot be changed.");
        return policy;
    }

    public void DeletePolicy(string accountId, string arn) => Change((c, tx) =>
    {
        var policy = RequireOwnPolicy(c, tx, accountId, arn);
        var usage = Usage(c, tx, accountId, policy);
        if (usage.AttachmentCount > 0 || usage.PermissionsBoundaryUsageCount > 0)
            throw IamErrors.DeleteConflict("Cannot delete a policy attached to entities.");
        if (c.Query(tx, "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn=$p", r => r.GetInt32(0), ("$p", arn))[0] > 1)
            throw IamErrors.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
        c.Exec(tx, "DELETE FROM iam_policy_versions WHERE policy_arn=$p", ("$p", arn));
        c.Exec(tx, "DELETE FROM iam_managed_policies WHERE arn=$p", ("$p", arn));
    });

    // ---- versions ----

    private static List<PolicyVersionRow> VersionsOf(DbConnection c, DbTransaction? tx, ManagedPolicyRow policy)
    {
        if (policy.IsAwsManaged)
            return [new PolicyVersionRow(policy.Arn, policy.DefaultVersionId, AwsManagedPolicies.Find(policy.Arn)!.Document, true, policy.CreateDate)];
        return c.Query(tx, "SELECT version_id, document, create_date FROM iam_policy_versions WHERE policy_arn=$p", r =>
                new PolicyVersionRow(policy.Arn, r.GetString(0), r.GetString(1), r.GetString(0) == policy.DefaultVersionId, Time(r.GetString(2))),
                ("$p", policy.Arn))
            .OrderByDescending(v => int.Parse(v.VersionId.AsSpan(1)))
            .ToList();
    }

    public List<PolicyVersionRow> ListPolicyVersions(string accountId, string arn) => _store.Read(c =>
        VersionsOf(c, null, PolicyFor(c, null, accountId, arn) ?? throw IamErrors.NoSuchPolicy(arn)));

    public PolicyVersionRow GetPolicyVersion(string accountId, string arn, string versionId) => _store.Read(c =>
    {
        var policy = PolicyFor(c, null, accountId, arn) ?? throw IamErrors.NoSuchPolicy(arn);
        return VersionsOf(c, null, policy).FirstOrDefault(v => v.VersionId == versionId) ?? throw IamErrors.NoSuchPolicyVersion(arn, versionId);
    });

    /// <summary>The document of the policy's default version, or null when the policy is not visible to the account.</summary>
    public string? DefaultDocument(string accountId, string arn) => _store.Read(c =>
        PolicyFor(c, null, accountId, arn) is { } p ? VersionsOf(c, null, p).First(v => v.IsDefaultVersion).Document : null);

    public PolicyVersionRow CreatePolicyVersion(string accountId, string arn, string document, bool setAsDefault) => Change((c, tx) =>
    {
        var policy = RequireOwnPolicy(c, tx, accountId, arn);
        if (VersionsOf(c, tx, policy).Count >= MaxPolicyVersions)
            throw IamErrors.LimitExceeded($"A managed policy can have up to {MaxPolicyVersions} versions. Before you create a new version, you must delete an existing version.");
        var next = c.Query(tx, "SELECT next_version FROM iam_managed_policies WHERE arn=$p", r => r.GetInt32(0), ("$p", arn))[0];
        var versionId = $"v{next}";
        var now = Now();
        c.Exec(tx, "INSERT INTO iam_policy_versions(policy_arn, version_id, document, create_date) VALUES($p,$v,$d,$cd)",
            ("$p", arn), ("$v", versionId), ("$d", document), ("$cd", Time(now)));
        c.Exec(tx, "UPDATE iam_managed_policies SET next_version=$n, update_date=$u" + (setAsDefault ? ", default_version=$v" : "") + " WHERE arn=$p",
            ("$n", next + 1), ("$u", Time(now)), ("$v", versionId), ("$p", arn));
        return new PolicyVersionRow(arn, versionId, document, setAsDefault, now);
    });

    public void DeletePolicyVersion(string accountId, string arn, string versionId) => Change((c, tx) =>
    {
        var policy = RequireOwnPolicy(c, tx, accountId, arn);
        if (policy.DefaultVersionId == versionId) throw IamErrors.DeleteConflict("Cannot delete the default version of a policy.");
        if (c.Exec(tx, "DELETE FROM iam_policy_versions WHERE policy_arn=$p AND version_id=$v", ("$p", arn), ("$v", versionId)) == 0)
            throw IamErrors.NoSuchPolicyVersion(arn, versionId);
    });

    public void SetDefaultPolicyVersion(string accountId, string arn, string versionId) => Change((c, tx) =>
    {
        var policy = RequireOwnPolicy(c, tx, accountId, arn);
        if (VersionsOf(c, tx, policy).All(v => v.VersionId != versionId)) throw IamErrors.NoSuchPolicyVersion(arn, versionId);
        c.Exec(tx, "UPDATE iam_managed_policies SET default_version=$v, update_date=$u WHERE arn=$p",
            ("$v", versionId), ("$u", Time(Now())), ("$p", arn));
    });

    // ---- attachments ----

    private static bool HasAttached(DbConnection c, DbTransaction? tx, string accountId, IamEntityKind kind, string entity) =>
        c.Query(tx, "SELECT 1 FROM iam_attachments WHERE account_id=$a AND entity_kind=$k AND entity_name=$e LIMIT 1", r => 1,
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", entity)).Count > 0;

    private static List<string> AttachedArns(DbConnection c, DbTransaction? tx, string accountId, IamEntityKind kind, string entity) =>
        c.Query(tx, "SELECT policy_arn FROM iam_attachments WHERE account_id=$a AND entity_kind=$k AND entity_name=$e", r => r.GetString(0),
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", entity));

    public void AttachPolicy(string accountId, IamEntityKind kind, string entity, string policyArn) => Change((c, tx) =>
    {
        var name = RequireEntity(c, tx, kind, accountId, entity);
        RequireAttachable(c, tx, accountId, policyArn);
        var attached = AttachedArns(c, tx, accountId, kind, name);
        if (attached.Contains(policyArn)) return;
        if (attached.Count >= MaxManagedPoliciesPerEntity)
            throw IamErrors.Quota($"PoliciesPer{char.ToUpperInvariant(KindKey(kind)[0])}{KindKey(kind)[1..]}", MaxManagedPoliciesPerEntity);
        c.Exec(tx, "INSERT INTO iam_attachments(account_id, entity_kind, entity_name, policy_arn) VALUES($a,$k,$e,$p)",
            ("$a", accountId), ("$k", KindKey(kind)), ("$e", name), ("$p", policyArn));
    });

    public void DetachPolicy(string accountId, IamEntityKind kind, string entity, string policyArn) => Change((c, tx) =>
    {
        var name = RequireEntity(c, tx, kind, accountId, entity);
        if (c.Exec(tx, "DELETE FROM iam_attachments WHERE account_id=$a AND entity_kind=$k AND entity_name=$e AND policy_arn=$p",
                ("$a", accountId), ("$k", KindKey(kind)), ("$e", name), ("$p", policyArn)) == 0)
            throw IamErrors.NoSuchPolicy(policyArn);
    });

    /// <summary>The managed policies attached to an entity, with their names and paths; throws NoSuchEntity for a missing entity.</summary>
    public List<(AttachedPolicy Policy, string Path)> ListAttachedPolicies(string accountId, IamEntityKind kind, string entity) => _store.Read(c =>
    {
        var name = RequireEntity(c, null, kind, accountId, entity);
        return AttachedArns(c, null, accountId, kind, name)
            .Select(arn => PolicyFor(c, null, accountId, arn))
            .Where(p => p is not null)
            .Select(p => (new AttachedPolicy(p!.PolicyName, p.Arn), p.Path))
            .ToList();
    });

    /// <summary>The users, groups and roles of the account the policy is attached to, or is the permissions boundary of.</summary>
    public (List<PolicyEntity> Attached, List<PolicyEntity> Boundaries) ListEntitiesForPolicy(string accountId, string policyArn) => _store.Read(c =>
    {
        if (PolicyFor(c, null, accountId, policyArn) is null) throw IamErrors.NoSuchPolicy(policyArn);
        var attached = new List<PolicyEntity>();
        foreach (var (kind, name) in c.Query(null, "SELECT entity_kind, entity_name FROM iam_attachments WHERE account_id=$a AND policy_arn=$p",
                     r => (r.GetString(0), r.GetString(1)), ("$a", accountId), ("$p", policyArn)))
        {
            var entity = kind switch
            {
                "role" => RoleIn(c, null, accountId, name) is { } role ? new PolicyEntity(IamEntityKind.Role, role.RoleName, role.RoleId, role.Path) : null,
                "user" => UserIn(c, null, accountId, name) is { } user ? new PolicyEntity(IamEntityKind.User, user.UserName, user.UserId, user.Path) : null,
                _ => GroupIn(c, null, accountId, name) is { } group ? new PolicyEntity(IamEntityKind.Group, group.GroupName, group.GroupId, group.Path) : null,
            };
            if (entity is not null) attached.Add(entity);
        }
        var boundaries = c.Query(null, "SELECT name, role_id, path FROM iam_roles WHERE account_id=$a AND boundary_arn=$p",
                r => new PolicyEntity(IamEntityKind.Role, r.GetString(0), r.GetString(1), r.GetString(2)), ("$a", accountId), ("$p", policyArn))
            .Concat(c.Query(null, "SELECT name, user_id, path FROM iam_users WHERE account_id=$a AND boundary_arn=$p",
                r => new PolicyEntity(IamEntityKind.User, r.GetString(0), r.GetString(1), r.GetString(2)), ("$a", accountId), ("$p", policyArn)))
            .ToList();
        return (attached, boundaries);
    });

    // ---- permissions boundaries ----

    public void SetPermissionsBoundary(string accountId, IamEntityKind kind, string entity, string? policyArn) => Change((c, tx) =>
    {
        var name = RequireEntity(c, tx, kind, accountId, entity);
        if (policyArn is not null) RequireAttachable(c, tx, accountId, policyArn);
        var table = kind == IamEntityKind.Role ? "iam_roles" : "iam_users";
        c.Exec(tx, $"UPDATE {table} SET boundary_arn=$b WHERE account_id=$a AND name=$n", ("$b", policyArn), ("$a", accountId), ("$n", name));
    });
}
