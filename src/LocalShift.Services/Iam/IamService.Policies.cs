using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

// Customer managed policies and their versions (AWS managed ones can be read and attached, never changed).
public sealed partial class IamService
{
    private void RegisterPolicies()
    {
        Operation<Api.CreatePolicyRequest, Api.CreatePolicyResponse>("CreatePolicy", CreatePolicy);
        Operation<Api.GetPolicyRequest, Api.GetPolicyResponse>("GetPolicy", GetPolicy);
        Operation<Api.ListPoliciesRequest, Api.ListPoliciesResponse>("ListPolicies", ListPolicies);
        Operation<Api.DeletePolicyRequest>("DeletePolicy", DeletePolicy);
        Operation<Api.CreatePolicyVersionRequest, Api.CreatePolicyVersionResponse>("CreatePolicyVersion", CreatePolicyVersion);
        Operation<Api.GetPolicyVersionRequest, Api.GetPolicyVersionResponse>("GetPolicyVersion", GetPolicyVersion);
        Operation<Api.ListPolicyVersionsRequest, Api.ListPolicyVersionsResponse>("ListPolicyVersions", ListPolicyVersions);
        Operation<Api.DeletePolicyVersionRequest>("DeletePolicyVersion", DeletePolicyVersion);
        Operation<Api.SetDefaultPolicyVersionRequest>("SetDefaultPolicyVersion", SetDefaultPolicyVersion);
        Operation<Api.ListEntitiesForPolicyRequest, Api.ListEntitiesForPolicyResponse>("ListEntitiesForPolicy", ListEntitiesForPolicy);
    }

    /// <summary>A managed policy as responses carry it: listings omit the description and tags.</summary>
    private static Api.Policy ToPolicy(PolicyUsage usage, bool full)
    {
        var p = usage.Policy;
        return new Api.Policy(p.PolicyName, p.PolicyId, p.Arn, p.Path, p.DefaultVersionId, usage.AttachmentCount,
            usage.PermissionsBoundaryUsageCount, IsAttachable: true,
            Description: full ? p.Description : null,
            CreateDate: p.CreateDate, UpdateDate: p.UpdateDate,
            Tags: full ? TagsOrNull(p.Tags) : null);
    }

    /// <summary>A version as responses carry it; only GetPolicyVersion includes the (URL-encoded) document.</summary>
    private static Api.PolicyVersion ToVersion(PolicyVersionRow v, bool withDocument) =>
        new(withDocument ? PolicyDocuments.Encode(v.Document) : null, v.VersionId, v.IsDefaultVersion, v.CreateDate);

    private Api.CreatePolicyResponse CreatePolicy(AwsCall call, Api.CreatePolicyRequest p)
    {
        var path = p.Path ?? "/";
        call.Authorize(Action("CreatePolicy"), Arn.Iam(Account(call), $"policy{path}{p.PolicyName}"));
        CheckIdentityDocument(p.PolicyDocument);
        PolicyDocuments.CheckManagedSize(p.PolicyDocument);
        var policy = Store.CreatePolicy(Account(call), p.PolicyName, path, p.PolicyDocument, p.Description, ReadTags(p.Tags));
        return new(ToPolicy(policy, full: true));
    }

    private Api.GetPolicyResponse GetPolicy(AwsCall call, Api.GetPolicyRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("GetPolicy"), p.PolicyArn);
        var policy = Store.GetPolicy(Account(call), p.PolicyArn) ?? throw IamErrors.NoSuchPolicy(p.PolicyArn);
        return new(ToPolicy(policy, full: true));
    }

    private Api.ListPoliciesResponse ListPolicies(AwsCall call, Api.ListPoliciesRequest p)
    {
        var scope = p.Scope ?? "All";
        var onlyAttached = p.OnlyAttached ?? false;
        var prefix = p.PathPrefix ?? "/";
        call.Authorize(Action("ListPolicies"), "*");
        var policies = Store.ListPolicies(Account(call), local: scope != "AWS", aws: scope != "Local")
            .Where(x => x.Policy.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Where(x => !onlyAttached || p.PolicyUsageFilter switch
            {
                "PermissionsPolicy" => x.AttachmentCount > 0,
                "PermissionsBoundary" => x.PermissionsBoundaryUsageCount > 0,
                _ => x.AttachmentCount > 0 || x.PermissionsBoundaryUsageCount > 0,
            });
        var page = NamePage(policies, x => x.Policy.PolicyName, p.Marker, p.MaxItems);
        return new(page.Items.Select(u => ToPolicy(u, full: false)).ToList(), page.IsTruncated, page.Marker);
    }

    private void DeletePolicy(AwsCall call, Api.DeletePolicyRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("DeletePolicy"), p.PolicyArn);
        Store.DeletePolicy(Account(call), p.PolicyArn);
    }

    private Api.CreatePolicyVersionResponse CreatePolicyVersion(AwsCall call, Api.CreatePolicyVersionRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("CreatePolicyVersion"), p.PolicyArn);
        if (Store.GetPolicy(Account(call), p.PolicyArn) is null) throw IamErrors.NoSuchPolicy(p.PolicyArn);
        CheckIdentityDocument(p.PolicyDocument);
        PolicyDocuments.CheckManagedSize(p.PolicyDocument);
        var version = Store.CreatePolicyVersion(Account(call), p.PolicyArn, p.PolicyDocument, p.SetAsDefault ?? false);
        return new(ToVersion(version, withDocument: false));
    }

    private Api.GetPolicyVersionResponse GetPolicyVersion(AwsCall call, Api.GetPolicyVersionRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("GetPolicyVersion"), p.PolicyArn);
        return new(ToVersion(Store.GetPolicyVersion(Account(call), p.PolicyArn, p.VersionId), withDocument: true));
    }

    private Api.ListPolicyVersionsResponse ListPolicyVersions(AwsCall call, Api.ListPolicyVersionsRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("ListPolicyVersions"), p.PolicyArn);
        // Newest first, as IAM lists them; the marker is the position of the next version.
        var page = PositionPage(Store.ListPolicyVersions(Account(call), p.PolicyArn), p.Marker, p.MaxItems);
        return new(page.Items.Select(v => ToVersion(v, withDocument: false)).ToList(), page.IsTruncated, page.Marker);
    }

    private void DeletePolicyVersion(AwsCall call, Api.DeletePolicyVersionRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("DeletePolicyVersion"), p.PolicyArn);
        Store.DeletePolicyVersion(Account(call), p.PolicyArn, p.VersionId);
    }

    private void SetDefaultPolicyVersion(AwsCall call, Api.SetDefaultPolicyVersionRequest p)
    {
        CheckArn(p.PolicyArn);
        call.Authorize(Action("SetDefaultPolicyVersion"), p.PolicyArn);
        Store.SetDefaultPolicyVersion(Account(call), p.PolicyArn, p.VersionId);
    }

    private Api.ListEntitiesForPolicyResponse ListEntitiesForPolicy(AwsCall call, Api.ListEntitiesForPolicyRequest p)
    {
        var prefix = p.PathPrefix ?? "/";
        CheckArn(p.PolicyArn);
        call.Authorize(Action("ListEntitiesForPolicy"), p.PolicyArn);
        var (attached, boundaries) = Store.ListEntitiesForPolicy(Account(call), p.PolicyArn);
        var entities = p.PolicyUsageFilter switch
        {
            "PermissionsPolicy" => attached,
            "PermissionsBoundary" => boundaries,
            _ => attached.Concat(boundaries).Distinct().ToList(),
        };
        // The whole answer fits one page: an account has few entities per policy.
        List<PolicyEntity> Of(IamEntityKind kind, string filterName) =>
            p.EntityFilter is null || p.EntityFilter == filterName
                ? entities.Where(e => e.Kind == kind && e.Path.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList()
                : [];
        return new(
            Of(IamEntityKind.Group, "Group").Select(e => new Api.PolicyGroup(e.Name, e.Id)).ToList(),
            Of(IamEntityKind.User, "User").Select(e => new Api.PolicyUser(e.Name, e.Id)).ToList(),
            Of(IamEntityKind.Role, "Role").Select(e => new Api.PolicyRole(e.Name, e.Id)).ToList(),
            IsTruncated: false);
    }
}
