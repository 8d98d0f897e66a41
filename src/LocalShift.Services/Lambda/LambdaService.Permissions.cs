using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws;
using LocalShift.Services.Lambda.Shapes;

namespace LocalShift.Services.Lambda;

// The function's resource policy: AddPermission writes statements as Lambda writes them, and the authorizer reads the
// policy back (LambdaStore is the lambda resource-policy source), so lambda:InvokeFunction is decided as AWS decides it.
public sealed partial class LambdaService
{
    public AddPermissionResponse AddPermission(AwsCall call, AddPermissionRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false) with { Qualifier = p.Qualifier };
        Authorize(call, "lambda:AddPermission", target);
        var current = Load(target);
        CheckRevision(current, p.RevisionId);

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
            CheckRevision(f, p.RevisionId);
            var policy = f.Policy is null
                ? new JsonObject { ["Version"] = "2012-10-17", ["Id"] = "default", ["Statement"] = new JsonArray() }
                : JsonNode.Parse(f.Policy)!.AsObject();
            var statements = policy["Statement"]!.AsArray();
            if (statements.Any(s => s?["Sid"]?.GetValue<string>() == p.StatementId)) throw LambdaErrors.StatementExists();
            statements.Add(JsonNode.Parse(text));
            return f with { Policy = policy.ToJsonString(), RevisionId = Guid.NewGuid().ToString() };
        });
        return new AddPermissionResponse(text);
    }

    public void RemovePermission(AwsCall call, RemovePermissionRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false) with { Qualifier = p.Qualifier };
        Authorize(call, "lambda:RemovePermission", target);
        _ = Load(target);
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            CheckRevision(f, p.RevisionId);
            if (f.Policy is null) throw LambdaErrors.NoPolicy();
            var policy = JsonNode.Parse(f.Policy)!.AsObject();
            var statements = policy["Statement"]!.AsArray();
            var found = statements.FirstOrDefault(s => s?["Sid"]?.GetValue<string>() == p.StatementId) ?? throw LambdaErrors.StatementNotFound(p.StatementId);
            statements.Remove(found);
            return f with { Policy = statements.Count == 0 ? null : policy.ToJsonString(), RevisionId = Guid.NewGuid().ToString() };
        });
    }

    public GetPolicyResponse GetPolicy(AwsCall call, GetPolicyRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: true);
        Authorize(call, "lambda:GetPolicy", target);
        var f = Load(target);
        return new GetPolicyResponse(f.Policy ?? throw LambdaErrors.NoPolicy(), f.RevisionId);
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
