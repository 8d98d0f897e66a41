using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

// Customer managed policies and their versions (AWS managed ones can be read and attached, never changed).
public sealed partial class IamService
{
    private void RegisterPolicies()
    {
        Operation("CreatePolicy", CreatePolicy);
        Operation("GetPolicy", GetPolicy);
        Operation("ListPolicies", ListPolicies);
        Operation("DeletePolicy", DeletePolicy, hasResult: false);
        Operation("CreatePolicyVersion", CreatePolicyVersion);
        Operation("GetPolicyVersion", GetPolicyVersion);
        Operation("ListPolicyVersions", ListPolicyVersions);
        Operation("DeletePolicyVersion", DeletePolicyVersion, hasResult: false);
        Operation("SetDefaultPolicyVersion", SetDefaultPolicyVersion, hasResult: false);
        Operation("ListEntitiesForPolicy", ListEntitiesForPolicy);
    }

    private static void WritePolicy(XmlWriter w, PolicyUsage usage, bool full)
    {
        var p = usage.Policy;
        w.El("PolicyName", p.PolicyName).El("PolicyId", p.PolicyId).El("Arn", p.Arn).El("Path", p.Path)
            .El("DefaultVersionId", p.DefaultVersionId).El("AttachmentCount", usage.AttachmentCount)
            .El("PermissionsBoundaryUsageCount", usage.PermissionsBoundaryUsageCount).El("IsAttachable", true);
        if (full) w.El("Description", p.Description);
        w.El("CreateDate", p.CreateDate).El("UpdateDate", p.UpdateDate);
        if (full) WriteTags(w, p.Tags);
    }

    private static void WriteVersion(XmlWriter w, PolicyVersionRow v, bool withDocument)
    {
        if (withDocument) w.El("Document", PolicyDocuments.Encode(v.Document));
        w.El("VersionId", v.VersionId).El("IsDefaultVersion", v.IsDefaultVersion).El("CreateDate", v.CreateDate);
    }

    private string PolicyArnInput(IamInput input)
    {
        var arn = input.Arn("PolicyArn");
        input.Check();
        CheckArn(arn);
        return arn;
    }

    private void CreatePolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.PolicyName();
        var path = input.PolicyPath();
        var document = input.Document("PolicyDocument");
        var description = input.Description();
        var tags = input.Tags() ?? [];
        input.Check();
        var arn = Arn.Iam(Account(call), $"policy{path}{name}");
        call.Authorize(Action("CreatePolicy"), arn);
        CheckIdentityDocument(document);
        PolicyDocuments.CheckManagedSize(document);
        var policy = Store.CreatePolicy(Account(call), name, path, document, description, tags);
        w.Struct("Policy", x => WritePolicy(x, policy, full: true));
    }

    private void GetPolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var arn = PolicyArnInput(new IamInput(p));
        call.Authorize(Action("GetPolicy"), arn);
        var policy = Store.GetPolicy(Account(call), arn) ?? throw IamErrors.NoSuchPolicy(arn);
        w.Struct("Policy", x => WritePolicy(x, policy, full: true));
    }

    private void ListPolicies(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var scope = input.Enum("Scope", "All", "AWS", "Local") ?? "All";
        var onlyAttached = input.Bool("OnlyAttached") ?? false;
        var prefix = input.PolicyPath("PathPrefix");
        var usage = input.Enum("PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary");
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListPolicies"), "*");
        var policies = Store.ListPolicies(Account(call), local: scope != "AWS", aws: scope != "Local")
            .Where(x => x.Policy.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Where(x => !onlyAttached || usage switch
            {
                "PermissionsPolicy" => x.AttachmentCount > 0,
                "PermissionsBoundary" => x.PermissionsBoundaryUsageCount > 0,
                _ => x.AttachmentCount > 0 || x.PermissionsBoundaryUsageCount > 0,
            });
        WritePage(w, "Policies", policies, x => x.Policy.PolicyName, paging, (x, u) => WritePolicy(x, u, full: false));
    }

    private void DeletePolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var arn = PolicyArnInput(new IamInput(p));
        call.Authorize(Action("DeletePolicy"), arn);
        Store.DeletePolicy(Account(call), arn);
    }

    private void CreatePolicyVersion(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var document = input.Document("PolicyDocument");
        var setAsDefault = input.Bool("SetAsDefault") ?? false;
        var arn = PolicyArnInput(input);
        call.Authorize(Action("CreatePolicyVersion"), arn);
        if (Store.GetPolicy(Account(call), arn) is null) throw IamErrors.NoSuchPolicy(arn);
        CheckIdentityDocument(document);
        PolicyDocuments.CheckManagedSize(document);
        var version = Store.CreatePolicyVersion(Account(call), arn, document, setAsDefault);
        w.Struct("PolicyVersion", x => WriteVersion(x, version, withDocument: false));
    }

    private void GetPolicyVersion(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var versionId = input.VersionId();
        var arn = PolicyArnInput(input);
        call.Authorize(Action("GetPolicyVersion"), arn);
        var version = Store.GetPolicyVersion(Account(call), arn, versionId);
        w.Struct("PolicyVersion", x => WriteVersion(x, version, withDocument: true));
    }

    private void ListPolicyVersions(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var paging = ReadPaging(input);
        var arn = PolicyArnInput(input);
        call.Authorize(Action("ListPolicyVersions"), arn);
        // Newest first, as IAM lists them; the marker is the position of the next version.
        var versions = Store.ListPolicyVersions(Account(call), arn);
        var start = paging.Marker is not null && int.TryParse(paging.Marker, out var m) ? m : 0;
        var page = versions.Skip(start).Take(paging.MaxItems).ToList();
        var truncated = start + page.Count < versions.Count;
        w.List("Versions", page, (x, v) => WriteVersion(x, v, withDocument: false));
        w.El("IsTruncated", truncated);
        if (truncated) w.El("Marker", (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private void DeletePolicyVersion(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var versionId = input.VersionId();
        var arn = PolicyArnInput(input);
        call.Authorize(Action("DeletePolicyVersion"), arn);
        Store.DeletePolicyVersion(Account(call), arn, versionId);
    }

    private void SetDefaultPolicyVersion(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var versionId = input.VersionId();
        var arn = PolicyArnInput(input);
        call.Authorize(Action("SetDefaultPolicyVersion"), arn);
        Store.SetDefaultPolicyVersion(Account(call), arn, versionId);
    }

    private void ListEntitiesForPolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var filter = input.Enum("EntityFilter", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy");
        var prefix = input.Path("PathPrefix");
        var usage = input.Enum("PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary");
        ReadPaging(input);
        var arn = PolicyArnInput(input);
        call.Authorize(Action("ListEntitiesForPolicy"), arn);
        var (attached, boundaries) = Store.ListEntitiesForPolicy(Account(call), arn);
        var entities = usage switch
        {
            "PermissionsPolicy" => attached,
            "PermissionsBoundary" => boundaries,
            _ => attached.Concat(boundaries).Distinct().ToList(),
        };
        // The whole answer fits one page: an account has few entities per policy.
        List<PolicyEntity> Of(IamEntityKind kind, string filterName) =>
            filter is null || filter == filterName
                ? entities.Where(e => e.Kind == kind && e.Path.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList()
                : [];
        w.List("PolicyGroups", Of(IamEntityKind.Group, "Group"), (x, e) => x.El("GroupName", e.Name).El("GroupId", e.Id));
        w.List("PolicyUsers", Of(IamEntityKind.User, "User"), (x, e) => x.El("UserName", e.Name).El("UserId", e.Id));
        w.List("PolicyRoles", Of(IamEntityKind.Role, "Role"), (x, e) => x.El("RoleName", e.Name).El("RoleId", e.Id));
        w.El("IsTruncated", false);
    }
}
