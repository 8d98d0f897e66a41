using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace LocalShift.Services.Tests.Iam;

/// <summary>Every IAM operation LocalShift serves is registered and exercised by at least one test in this folder.</summary>
public sealed partial class OperationCoverageTests
{
    // The operations issue 2 asks for; the service may serve more.
    private static readonly string[] Required =
    [
        "CreateRole", "GetRole", "ListRoles", "DeleteRole", "UpdateRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole", "ListRoleTags",
        "PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies", "CreatePolicy", "GetPolicy", "GetPolicyVersion",
        "CreatePolicyVersion", "ListPolicyVersions", "DeletePolicyVersion", "ListPolicies", "DeletePolicy", "AttachRolePolicy",
        "DetachRolePolicy", "ListAttachedRolePolicies", "CreateUser", "GetUser", "ListUsers", "DeleteUser", "CreateAccessKey",
        "DeleteAccessKey", "ListAccessKeys", "UpdateAccessKey", "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy", "ListUserPolicies",
        "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies", "CreateGroup", "GetGroup", "ListGroups", "DeleteGroup",
        "AddUserToGroup", "RemoveUserFromGroup", "ListGroupsForUser", "PutGroupPolicy", "GetGroupPolicy", "DeleteGroupPolicy",
        "ListGroupPolicies", "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies", "PutRolePermissionsBoundary",
        "DeleteRolePermissionsBoundary", "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
    ];

    [Fact]
    public void Every_required_operation_is_registered()
    {
        using var iam = new IamHarness();
        Assert.Empty(Required.Except(iam.Service.Operations.Keys));
    }

    [Fact]
    public void Every_registered_operation_is_called_by_a_test()
    {
        using var iam = new IamHarness();
        var sources = string.Join("\n", Directory.GetFiles(ThisFolder(), "*.cs")
            .Where(f => Path.GetFileName(f) != "OperationCoverageTests.cs").Select(File.ReadAllText));
        var called = QuotedName().Matches(sources).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Empty(iam.Service.Operations.Keys.Where(op => !called.Contains(op)).Order());
    }

    private static string ThisFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [GeneratedRegex("\"([A-Z][A-Za-z]+)\"")]
    private static partial Regex QuotedName();
}
