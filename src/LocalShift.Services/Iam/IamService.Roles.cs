using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterRoles()
    {
        Operation("CreateRole", CreateRole);
        Operation("GetRole", GetRole);
        Operation("ListRoles", ListRoles);
        Operation("DeleteRole", DeleteRole, hasResult: false);
        Operation("UpdateRole", UpdateRole);
        Operation("UpdateRoleDescription", UpdateRoleDescription);
        Operation("UpdateAssumeRolePolicy", UpdateAssumeRolePolicy, hasResult: false);
        Operation("TagRole", TagRole, hasResult: false);
        Operation("UntagRole", UntagRole, hasResult: false);
        Operation("ListRoleTags", ListRoleTags);
        Operation("ListInstanceProfilesForRole", ListInstanceProfilesForRole);
        Operation("PutRolePolicy", (c, p, w) => OnRole(c, p, (i, name, arn) => PutInline(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
        Operation("GetRolePolicy", (c, p, w) => OnRole(c, p, (i, name, arn) => GetInline(c, i, w, IamEntityKind.Role, name, "RoleName", arn)));
        Operation("DeleteRolePolicy", (c, p, w) => OnRole(c, p, (i, name, arn) => DeleteInline(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
        Operation("ListRolePolicies", (c, p, w) => OnRole(c, p, (i, name, arn) => ListInline(c, i, w, IamEntityKind.Role, name, arn)));
        Operation("AttachRolePolicy", (c, p, w) => OnRole(c, p, (i, name, arn) => Attach(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
        Operation("DetachRolePolicy", (c, p, w) => OnRole(c, p, (i, name, arn) => Detach(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
        Operation("ListAttachedRolePolicies", (c, p, w) => OnRole(c, p, (i, name, arn) => ListAttached(c, i, w, IamEntityKind.Role, name, arn)));
        Operation("PutRolePermissionsBoundary", (c, p, w) => OnRole(c, p, (i, name, arn) => PutBoundary(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
        Operation("DeleteRolePermissionsBoundary", (c, p, w) => OnRole(c, p, (i, name, arn) => DeleteBoundary(c, i, IamEntityKind.Role, name, arn)), hasResult: false);
    }

    /// <summary>Runs an operation on the role named by RoleName; the ARN to authorize is the role's (its path included) once known.</summary>
    private void OnRole(AwsCall call, QueryParameters parameters, Action<IamInput, string, Func<string>> operation)
    {
        var input = new IamInput(parameters);
        var name = input.RoleName();
        operation(input, name, () => RoleArn(call, name));
    }

    private string RoleArn(AwsCall call, string name) =>
        Store.GetRole(Account(call), name)?.Arn ?? Arn.Role(Account(call), "/", name);

    /// <summary>How much of a role a response carries: listings omit boundary, tags and last use; CreateRole omits last use.</summary>
    private enum RoleView { Listed, Created, Full }

    private static void WriteRole(XmlWriter w, RoleRow role, RoleView view)
    {
        w.El("Path", role.Path).El("RoleName", role.RoleName).El("RoleId", role.RoleId).El("Arn", role.Arn)
            .El("CreateDate", role.CreateDate)
            .El("AssumeRolePolicyDocument", PolicyDocuments.Encode(role.AssumeRolePolicyDocument))
            .El("Description", role.Description)
            .El("MaxSessionDuration", role.MaxSessionDuration);
        if (view == RoleView.Listed) return;
        WriteBoundary(w, role.PermissionsBoundaryArn);
        WriteTags(w, role.Tags);
        if (view == RoleView.Full)
            w.Struct("RoleLastUsed", x => x.El("LastUsedDate", role.LastUsedDate).El("Region", role.LastUsedRegion));
    }

    private void CreateRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var path = input.Path();
        var name = input.RoleName();
        var trust = input.Document("AssumeRolePolicyDocument");
        var description = input.Description();
        var maxSession = input.Int("MaxSessionDuration", 3600, 43200) ?? 3600;
        var boundary = input.OptionalArn("PermissionsBoundary");
        var tags = input.Tags() ?? [];
        input.Check();
        if (boundary is not null) CheckArn(boundary);
        call.Authorize(Action("CreateRole"), Arn.Role(Account(call), path, name));
        CheckTrustDocument(trust);
        var role = Store.CreateRole(Account(call), name, path, trust, description, maxSession, boundary, tags);
        w.Struct("Role", x => WriteRole(x, role, RoleView.Created));
    }

    private void GetRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        input.Check();
        call.Authorize(Action("GetRole"), RoleArn(call, name));
        var role = Store.GetRole(Account(call), name) ?? throw IamErrors.NoSuchRole(name);
        w.Struct("Role", x => WriteRole(x, role, RoleView.Full));
    }

    private void ListRoles(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var prefix = input.PathPrefix();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListRoles"), "*");
        WritePage(w, "Roles", Store.ListRoles(Account(call), prefix), r => r.RoleName, paging, (x, r) => WriteRole(x, r, RoleView.Listed));
    }

    private void DeleteRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        input.Check();
        call.Authorize(Action("DeleteRole"), RoleArn(call, name));
        Store.DeleteRole(Account(call), name);
    }

    private void UpdateRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var description = input.Description();
        var maxSession = input.Int("MaxSessionDuration", 3600, 43200);
        input.Check();
        call.Authorize(Action("UpdateRole"), RoleArn(call, name));
        Store.UpdateRole(Account(call), name, description, maxSession);
    }

    private void UpdateRoleDescription(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var description = input.Description() ?? "";
        input.Check();
        call.Authorize(Action("UpdateRoleDescription"), RoleArn(call, name));
        var role = Store.UpdateRole(Account(call), name, description, null);
        w.Struct("Role", x => WriteRole(x, role, RoleView.Full));
    }

    private void UpdateAssumeRolePolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var document = input.Document("PolicyDocument");
        input.Check();
        call.Authorize(Action("UpdateAssumeRolePolicy"), RoleArn(call, name));
        if (Store.GetRole(Account(call), name) is null) throw IamErrors.NoSuchRole(name);
        CheckTrustDocument(document);
        Store.UpdateTrustPolicy(Account(call), name, document);
    }

    private void TagRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var tags = input.Tags();
        if (tags is null) input.TagKeys("Tags");
        input.Check();
        call.Authorize(Action("TagRole"), RoleArn(call, name));
        Store.RetagRole(Account(call), name, existing => IamStore.MergeTags(existing, tags ?? []));
    }

    private void UntagRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var keys = input.TagKeys();
        input.Check();
        call.Authorize(Action("UntagRole"), RoleArn(call, name));
        Store.RetagRole(Account(call), name, existing =>
            existing.Where(t => !keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToList());
    }

    private void ListRoleTags(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListRoleTags"), RoleArn(call, name));
        var role = Store.GetRole(Account(call), name) ?? throw IamErrors.NoSuchRole(name);
        WriteTagPage(w, role.Tags, paging);
    }

    /// <summary>LocalShift has no EC2 instance profiles; the list is always empty (tools such as Terraform ask before deleting a role).</summary>
    private void ListInstanceProfilesForRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.RoleName();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListInstanceProfilesForRole"), RoleArn(call, name));
        if (Store.GetRole(Account(call), name) is null) throw IamErrors.NoSuchRole(name);
        WritePage(w, "InstanceProfiles", Array.Empty<string>(), x => x, paging, (_, _) => { });
    }
}
