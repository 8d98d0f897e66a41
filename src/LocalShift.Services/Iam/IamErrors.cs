using LocalShift.Core;

namespace LocalShift.Services.Iam;

/// <summary>IAM's error codes, HTTP statuses (from the service model) and AWS's message texts, in one table.</summary>
public static class IamErrors
{
    public static AwsException NoSuchEntity(string message) => new("NoSuchEntity", message, 404);
    public static AwsException AlreadyExists(string message) => new("EntityAlreadyExists", message, 409);
    public static AwsException DeleteConflict(string message) => new("DeleteConflict", message, 409);
    public static AwsException LimitExceeded(string message) => new("LimitExceeded", message, 409);
    public static AwsException Malformed(string message) => new("MalformedPolicyDocument", message, 400);
    public static AwsException InvalidInput(string message) => new("InvalidInput", message, 400);
    public static AwsException NotAttachable(string message) => new("PolicyNotAttachable", message, 400);

    public static AwsException NoSuchRole(string name) => NoSuchEntity($"The role with name {name} cannot be found.");
    public static AwsException NoSuchUser(string name) => NoSuchEntity($"The user with name {name} cannot be found.");
    public static AwsException NoSuchGroup(string name) => NoSuchEntity($"The group with name {name} cannot be found.");

    public static AwsException NoSuchInlinePolicy(IamEntityKind kind, string policyName) =>
        NoSuchEntity($"The {Noun(kind)} policy with name {policyName} cannot be found.");

    public static AwsException NoSuchPolicy(string arn) => NoSuchEntity($"Policy {arn} was not found.");
    public static AwsException NoSuchAttachablePolicy(string arn) => NoSuchEntity($"Policy {arn} does not exist or is not attachable.");
    public static AwsException NoSuchPolicyVersion(string arn, string versionId) =>
        NoSuchEntity($"Policy {arn} version {versionId} does not exist or is not attachable.");

    public static AwsException NoSuchAccessKey(string id) => NoSuchEntity($"The Access Key with id {id} cannot be found.");

    public static AwsException RoleExists(string name) => AlreadyExists($"Role with name {name} already exists.");
    public static AwsException UserExists(string name) => AlreadyExists($"User with name {name} already exists.");
    public static AwsException GroupExists(string name) => AlreadyExists($"Group with name {name} already exists.");
    public static AwsException PolicyExists(string name) =>
        AlreadyExists($"A policy called {name} already exists. Duplicate names are not allowed.");

    public static AwsException InvalidArn(string arn) => InvalidInput($"ARN {arn} is not valid.");

    public static AwsException Quota(string quota, int limit) => LimitExceeded($"Cannot exceed quota for {quota}: {limit}");

    public static string Noun(IamEntityKind kind) => kind switch
    {
        IamEntityKind.Role => "role",
        IamEntityKind.User => "user",
        _ => "group",
    };
}
