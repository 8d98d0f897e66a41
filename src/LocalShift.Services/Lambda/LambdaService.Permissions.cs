using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws;
using LocalShift.Services.Lambda.Shapes;

namespace LocalShift.Services.Lambda;

// The function's resource policies: AddPermission writes statements as Lambda writes them, and the authorizer reads the
// policy back (LambdaStore is the lambda resource-policy source), so lambda:InvokeFunction is decided as AWS decides it.
// The function, each version and each alias have a policy of their own, which covers only their own ARN.
public sealed partial class LambdaService
{
    public AddPermissionResponse AddPermission(AwsCall call, AddPermissionRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:AddPermission", target);
        if (target.Qualifier == "$LATEST") throw LambdaErrors.LatestPolicy();
        _ = LoadQualified(target);

        var statement = new JsonObject
        {
            ["Sid"] = p.StatementId,
            ["Effect"] = "Allow",
            ["Principal"] = PolicyPrincipal(p.Principal),
            ["Action"] = p.Action,
            ["Resource"] = target.QualifiedArn,
        };
        var condition = new JsonObject();
        if (p.SourceAccount is not null) Add(condition, "StringEquals", "AWS:SourceAccount", p.SourceAccount);
        if (p.PrincipalOrgID is not null) Add(condition, "StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID);
        if (p.FunctionUrlAuthType is not null) Add(condition, "StringEquals", "lambda:FunctionUrlAuthType", p.FunctionUrlAuthType);
        if (p.EventSourceToken is not null) Add(condition, "StringEquals", "lambda:EventSourceToken", p.EventSourceToken);
        if (p.SourceArn is not null) Add(condition, "ArnLike", "AWS:SourceArn", p.SourceArn);
        if (condition.Count > 0) statement["Condition"] = condition;
        var text = statement.ToJsonString();

        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            var (current, revision) = PolicyOf(f, target.Qualifier);
            if (p.RevisionId is not null && p.RevisionId != revision) throw LambdaErrors.RevisionMismatch();
            var policy = current is null
                ? new JsonObject { ["Version"] = "2012-10-17", ["Id"] = "default", ["Statement"] = new JsonArray() }
                : JsonNode.Parse(current)!.AsObject();
            var statements = policy["Statement"]!.AsArray();
            if (statements.Any(s => s?["Sid"]?.GetValue<string>() == p.StatementId)) throw LambdaErrors.StatementExists();
            statements.Add(JsonNode.Parse(text));
            return WithPolicy(f, target.Qualifier, policy.ToJsonString());
        });
        return new AddPermissionResponse(text);
    }

    public void RemovePermission(AwsCall call, RemovePermissionRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:RemovePermission", target);
        _ = LoadQualified(target);
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            var (current, revision) = PolicyOf(f, target.Qualifier);
            if (p.RevisionId is not null && p.RevisionId != revision) throw LambdaErrors.RevisionMismatch();
            if (current is null) throw LambdaErrors.NoPolicy();
            var policy = JsonNode.Parse(current)!.AsObject();
            var statements = policy["Statement"]!.AsArray();
            var found = statements.FirstOrDefault(s => s?["Sid"]?.GetValue<string>() == p.StatementId) ?? throw LambdaErrors.StatementNotFound(p.StatementId);
            statements.Remove(found);
            return WithPolicy(f, target.Qualifier, statements.Count == 0 ? null : policy.ToJsonString());
        });
    }

    public GetPolicyResponse GetPolicy(AwsCall call, GetPolicyRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:GetPolicy", target);
        var r = LoadQualified(target);
        var (policy, revision) = PolicyOf(r.Function, target.Qualifier);
        return new GetPolicyResponse(policy ?? throw LambdaErrors.NoPolicy(), revision);
    }

    /// <summary>The policy of the function, a version or an alias, with the revision a RevisionId is checked against.</summary>
    private static (string? Policy, string RevisionId) PolicyOf(StoredFunction f, string? qualifier) => qualifier switch
    {
        null => (f.Policy, f.RevisionId),
        "$LATEST" => (null, f.RevisionId),
        var q when IsVersionNumber(q) => f.Version(q) is { } v ? (v.Config.Policy, v.Config.RevisionId) : throw LambdaErrors.FunctionNotFound(VersionArn(f.Arn, q)),
        var q => f.Alias(q) is { } a ? (a.Policy, a.RevisionId) : throw LambdaErrors.FunctionNotFound(VersionArn(f.Arn, q)),
    };

    /// <summary>
    /// The function with a new policy on the function, a version or an alias. The function's change makes a new
    /// revision, as Lambda's does; a version's or alias's keeps its revision (its instances and routing stay).
    /// </summary>
    private static StoredFunction WithPolicy(StoredFunction f, string? qualifier, string? policy)
    {
        if (qualifier is null) return f with { Policy = policy, RevisionId = Guid.NewGuid().ToString() };
        if (IsVersionNumber(qualifier))
            return f with { Versions = f.Versions!.Select(v => v.Name == qualifier ? v with { Config = v.Config with { Policy = policy } } : v).ToList() };
        return f with { Aliases = WithAlias(f, f.Alias(qualifier)! with { Policy = policy }) };
    }

    /// <summary>
    /// A principal as AddPermission takes it — <c>*</c>, an account id, an ARN, or a service — in the policy grammar.
    /// </summary>
    private static JsonNode PolicyPrincipal(string principal)
    {
        if (principal == "*") return JsonValue.Create("*");
        if (principal.Length == 12 && principal.All(char.IsAsciiDigit)) return new JsonObject { ["AWS"] = $"arn:aws:iam::{principal}:root" };
        if (principal.StartsWith("arn:", StringComparison.Ordinal)) return new JsonObject { ["AWS"] = principal };
        if (principal.Contains('.')) return new JsonObject { ["Service"] = principal };
        // unverified: AWS's text for a principal it cannot read.
        throw LambdaErrors.InvalidParameter($"The provided principal was invalid. Please check the principal and try again. Principal: {principal}");
    }

    private static void Add(JsonObject condition, string op, string key, string value)
    {
        if (condition[op] is not JsonObject o) condition[op] = o = new JsonObject();
        o[key] = value;
    }

    internal static string Serialize(object value) => JsonSerializer.Serialize(value);
}
