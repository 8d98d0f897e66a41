namespace LocalShift.Policy.Evaluation;

/// <summary>
/// AWS's AccessDenied texts ("User: arn is not authorized to perform: action on resource: res because ...").
/// Source: IAM User Guide, "Troubleshoot access denied error messages".
/// </summary>
public static class DenialMessage
{
    public static string For(Decision decision, string principalArn, string action, string resource)
    {
        var head = $"User: {principalArn} is not authorized to perform: {action} on resource: {resource}";
        var policyType = decision.DeniedBy switch
        {
            PolicyLayer.Resource => "resource-based policy",
            PolicyLayer.PermissionsBoundary => "permissions boundary",
            PolicyLayer.Session => "session policy",
            _ => "identity-based policy",
        };
        return decision.Kind switch
        {
            DecisionKind.ExplicitDeny => decision.DeniedBy is PolicyLayer.PermissionsBoundary
                ? $"{head} with an explicit deny in a permissions boundary"
                : $"{head} with an explicit deny in {Article(policyType)} {policyType}",
            DecisionKind.ImplicitDeny => decision.DeniedBy is PolicyLayer.PermissionsBoundary
                ? $"{head} because no permissions boundary allows the {action} action"
                : $"{head} because no {policyType} allows the {action} action",
            _ => head,
        };
    }

    private static string Article(string noun) => noun[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a";
}
