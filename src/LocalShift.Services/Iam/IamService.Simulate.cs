using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Policy.Evaluation;
using LocalShift.Services.Authorization;
using CompiledPolicy = LocalShift.Policy.Evaluation.AttachedPolicy;

namespace LocalShift.Services.Iam;

/// <summary>
/// SimulatePrincipalPolicy and SimulateCustomPolicy on the same evaluator that authorizes real requests, so a
/// simulation and the request it simulates always agree.
/// </summary>
public sealed partial class IamService
{
    private void RegisterSimulate()
    {
        Operation("SimulatePrincipalPolicy", SimulatePrincipalPolicy);
        Operation("SimulateCustomPolicy", SimulateCustomPolicy);
    }

    private void SimulatePrincipalPolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var source = p.Required("PolicySourceArn");
        call.Authorize("iam:SimulatePrincipalPolicy", source);
        if (!Arn.TryParse(source, out var arn) || arn.Service != "iam")
            throw IamErrors.InvalidArn(source);
        Principal principal;
        if (arn.Resource.StartsWith("user/", StringComparison.Ordinal))
        {
            var name = arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..];
            var user = Store.GetUser(arn.Account, name) ?? throw new AwsException("NoSuchEntity", $"The user with name {name} cannot be found.", 404);
            principal = new Principal
            {
                Kind = PrincipalKind.User, AccountId = user.AccountId, Arn = user.Arn, UserId = user.UserId, Name = user.UserName,
            };
        }
        else if (arn.Resource.StartsWith("role/", StringComparison.Ordinal))
        {
            var role = Store.FindByArn(source) ?? throw new AwsException("NoSuchEntity",
                $"The role with name {arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..]} cannot be found.", 404);
            principal = new Principal
            {
                Kind = PrincipalKind.AssumedRole, AccountId = role.AccountId, Arn = role.Arn, UserId = role.RoleId, Name = role.RoleName,
                RoleArn = role.Arn, Tags = role.Tags,
            };
        }
        else
        {
            throw new AwsException("InvalidInput",
                $"PolicySourceArn {source} must be an IAM user or role ARN; LocalShift does not simulate groups yet.", 400);
        }
        var policies = PolicySource.GetPolicies(principal);
        var identity = policies.Identity.Select(x => CompiledPolicy.From(x.Source, x.Document)).ToList();
        identity.AddRange(InputPolicies(p, "PolicyInputList", "PolicyInputList"));
        var boundary = InputPolicies(p, "PermissionsBoundaryPolicyInputList", "PermissionsBoundaryPolicyInputList").FirstOrDefault()
                       ?? (policies.PermissionsBoundary is { } b ? CompiledPolicy.From(b.Source, b.Document) : null);
        Simulate(call, p, w, p.Get("CallerArn") ?? principal.Arn, principal, identity, boundary);
    }

    private void SimulateCustomPolicy(AwsCall call, QueryParameters p, XmlWriter w)
    {
        call.Authorize("iam:SimulateCustomPolicy", "*");
        var identity = InputPolicies(p, "PolicyInputList", "PolicyInputList").ToList();
        if (identity.Count == 0) throw AwsException.MissingParameter("PolicyInputList");
        var boundary = InputPolicies(p, "PermissionsBoundaryPolicyInputList", "PermissionsBoundaryPolicyInputList").FirstOrDefault();
        var callerArn = p.Get("CallerArn") ?? Arn.User(call.Caller.AccountId, "/", "simulated-user");
        var principal = new Principal
        {
            Kind = callerArn.Contains(":root", StringComparison.Ordinal) ? PrincipalKind.Root : PrincipalKind.User,
            AccountId = Arn.TryParse(callerArn, out var c) ? c.Account : call.Caller.AccountId,
            Arn = callerArn,
            UserId = "simulated",
        };
        Simulate(call, p, w, callerArn, principal, identity, boundary);
    }

    private static IEnumerable<CompiledPolicy> InputPolicies(QueryParameters p, string prefix, string label)
    {
        var docs = p.List(prefix) ?? [];
        for (var i = 0; i < docs.Count; i++)
        {
            if (PolicyValidator.Validate(docs[i], PolicyKind.Identity) is { } error)
                throw new AwsException("MalformedPolicyDocument", $"{label}[{i + 1}]: {error}", 400);
            yield return CompiledPolicy.From($"{label}.{i + 1}", docs[i]);
        }
    }

    private static void Simulate(AwsCall call, QueryParameters p, XmlWriter w, string callerArn, Principal principal,
        IReadOnlyList<CompiledPolicy> identity, CompiledPolicy? boundary)
    {
        var actions = p.List("ActionNames") is { Count: > 0 } a ? a : throw AwsException.MissingParameter("ActionNames");
        var resources = p.List("ResourceArns") is { Count: > 0 } r ? r : ["*"];
        CompiledPolicy? resourcePolicy = null;
        if (p.Get("ResourcePolicy") is { } rp)
        {
            if (PolicyValidator.Validate(rp, PolicyKind.Resource) is { } error)
                throw new AwsException("MalformedPolicyDocument", $"ResourcePolicy: {error}", 400);
            resourcePolicy = CompiledPolicy.From("ResourcePolicy", rp, PolicyKind.Resource);
        }
        var owner = p.Get("ResourceOwner") is { } o && Arn.TryParse(o, out var ownerArn) ? ownerArn.Account : null;

        var context = new RequestContext();
        foreach (var entry in p.StructList("ContextEntries") ?? [])
        {
            var key = entry.Get("ContextKeyName") ?? throw AwsException.MissingParameter("ContextEntries.member.N.ContextKeyName");
            var values = entry.List("ContextKeyValues") ?? [];
            context.Set(key, values);
        }

        var maxItems = p.Int("MaxItems") ?? 1000;
        var start = int.TryParse(p.Get("Marker"), out var m) ? m : 0;
        var pairs = actions.SelectMany(action => resources.Select(resource => (action, resource))).ToList();
        var page = pairs.Skip(start).Take(maxItems).ToList();

        w.WriteStartElement("EvaluationResults");
        foreach (var (action, resource) in page)
        {
            var request = new EvaluationRequest
            {
                PrincipalArn = callerArn,
                PrincipalAccount = principal.AccountId,
                PrincipalKind = principal.Kind,
                SessionRoleArn = principal.RoleArn,
                Action = action,
                Resource = resource,
                ResourceAccount = owner,
                Context = context,
                IdentityPolicies = identity,
                PermissionsBoundary = boundary,
                ResourcePolicy = resourcePolicy,
            };
            var d = PolicyEvaluator.Evaluate(request);
            w.WriteStartElement("member");
            w.El("EvalActionName", action).El("EvalResourceName", resource).El("EvalDecision", d.EvalDecision);
            w.List("MatchedStatements", d.Statements, (x, s) => x
                .El("SourcePolicyId", s.Policy)
                .El("SourcePolicyType", s.Layer switch
                {
                    PolicyLayer.Resource => "resource",
                    PolicyLayer.PermissionsBoundary => "permissions-boundary",
                    _ => "user",
                }));
            w.StringList("MissingContextValues", d.MissingContextKeys);
            if (boundary is not null)
                w.Struct("PermissionsBoundaryDecisionDetail", x => x.El("AllowedByPermissionsBoundary", d.DeniedBy != PolicyLayer.PermissionsBoundary));
            w.WriteEndElement();
        }
        w.WriteEndElement();
        var truncated = start + page.Count < pairs.Count;
        w.El("IsTruncated", truncated);
        if (truncated) w.El("Marker", (start + page.Count).ToString());
    }
}
