using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Policy.Evaluation;
using LocalShift.Services.Authorization;
using Api = LocalShift.Services.Iam.Shapes;
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
        Operation<Api.SimulatePrincipalPolicyRequest, Api.SimulatePolicyResponse>("SimulatePrincipalPolicy", SimulatePrincipalPolicy);
        Operation<Api.SimulateCustomPolicyRequest, Api.SimulatePolicyResponse>("SimulateCustomPolicy", SimulateCustomPolicy);
    }

    /// <summary>What both simulations evaluate, beyond the principal and its policies.</summary>
    private sealed record Simulation(
        List<string> ActionNames,
        List<string>? ResourceArns,
        string? ResourcePolicy,
        string? ResourceOwner,
        List<Api.ContextEntry>? ContextEntries,
        int? MaxItems,
        string? Marker);

    private Api.SimulatePolicyResponse SimulatePrincipalPolicy(AwsCall call, Api.SimulatePrincipalPolicyRequest p)
    {
        var source = p.PolicySourceArn;
        call.Authorize("iam:SimulatePrincipalPolicy", source);
        if (!Arn.TryParse(source, out var arn) || arn.Service != "iam")
            throw IamErrors.InvalidArn(source);
        Principal principal;
        if (arn.Resource.StartsWith("user/", StringComparison.Ordinal))
        {
            var name = arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..];
            var user = Store.GetUser(arn.Account, name) ?? throw IamErrors.NoSuchUser(name);
            principal = new Principal
            {
                Kind = PrincipalKind.User, AccountId = user.AccountId, Arn = user.Arn, UserId = user.UserId, Name = user.UserName,
            };
        }
        else if (arn.Resource.StartsWith("role/", StringComparison.Ordinal))
        {
            var role = Store.FindByArn(source) ?? throw IamErrors.NoSuchRole(arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..]);
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
        identity.AddRange(InputPolicies(p.PolicyInputList, "PolicyInputList"));
        var boundary = InputPolicies(p.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList").FirstOrDefault()
                       ?? (policies.PermissionsBoundary is { } b ? CompiledPolicy.From(b.Source, b.Document) : null);
        return Simulate(new Simulation(p.ActionNames, p.ResourceArns, p.ResourcePolicy, p.ResourceOwner, p.ContextEntries, p.MaxItems, p.Marker),
            p.CallerArn ?? principal.Arn, principal, identity, boundary);
    }

    private Api.SimulatePolicyResponse SimulateCustomPolicy(AwsCall call, Api.SimulateCustomPolicyRequest p)
    {
        call.Authorize("iam:SimulateCustomPolicy", "*");
        var identity = InputPolicies(p.PolicyInputList, "PolicyInputList").ToList();
        if (identity.Count == 0) throw AwsException.MissingParameter("PolicyInputList");
        var boundary = InputPolicies(p.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList").FirstOrDefault();
        var callerArn = p.CallerArn ?? Arn.User(call.Caller.AccountId, "/", "simulated-user");
        var principal = new Principal
        {
            Kind = callerArn.Contains(":root", StringComparison.Ordinal) ? PrincipalKind.Root : PrincipalKind.User,
            AccountId = Arn.TryParse(callerArn, out var c) ? c.Account : call.Caller.AccountId,
            Arn = callerArn,
            UserId = "simulated",
        };
        return Simulate(new Simulation(p.ActionNames, p.ResourceArns, p.ResourcePolicy, p.ResourceOwner, p.ContextEntries, p.MaxItems, p.Marker),
            callerArn, principal, identity, boundary);
    }

    private static IEnumerable<CompiledPolicy> InputPolicies(List<string>? documents, string label)
    {
        var docs = documents ?? [];
        for (var i = 0; i < docs.Count; i++)
        {
            if (PolicyValidator.Validate(docs[i], PolicyKind.Identity) is { } error)
                throw IamErrors.Malformed($"{label}[{i + 1}]: {error}");
            yield return CompiledPolicy.From($"{label}.{i + 1}", docs[i]);
        }
    }

    private static Api.SimulatePolicyResponse Simulate(Simulation s, string callerArn, Principal principal,
        IReadOnlyList<CompiledPolicy> identity, CompiledPolicy? boundary)
    {
        var actions = s.ActionNames is { Count: > 0 } a ? a : throw AwsException.MissingParameter("ActionNames");
        var resources = s.ResourceArns is { Count: > 0 } r ? r : ["*"];
        CompiledPolicy? resourcePolicy = null;
        if (s.ResourcePolicy is { } rp)
        {
            if (PolicyValidator.Validate(rp, PolicyKind.Resource) is { } error)
                throw IamErrors.Malformed($"ResourcePolicy: {error}");
            resourcePolicy = CompiledPolicy.From("ResourcePolicy", rp, PolicyKind.Resource);
        }
        var owner = s.ResourceOwner is { } o && Arn.TryParse(o, out var ownerArn) ? ownerArn.Account : null;

        var context = new RequestContext();
        foreach (var entry in s.ContextEntries ?? [])
        {
            var key = entry.ContextKeyName ?? throw AwsException.MissingParameter("ContextEntries.member.N.ContextKeyName");
            context.Set(key, entry.ContextKeyValues ?? []);
        }

        var pairs = actions.SelectMany(action => resources.Select(resource => (action, resource))).ToList();
        var page = PositionPage(pairs, s.Marker, s.MaxItems, defaultMaxItems: 1000);
        var results = page.Items.Select(pair =>
        {
            var d = PolicyEvaluator.Evaluate(new EvaluationRequest
            {
                PrincipalArn = callerArn,
                PrincipalAccount = principal.AccountId,
                PrincipalKind = principal.Kind,
                SessionRoleArn = principal.RoleArn,
                Action = pair.action,
                Resource = pair.resource,
                ResourceAccount = owner,
                Context = context,
                IdentityPolicies = identity,
                PermissionsBoundary = boundary,
                ResourcePolicy = resourcePolicy,
            });
            return new Api.EvaluationResult(pair.action, d.EvalDecision,
                EvalResourceName: pair.resource,
                MatchedStatements: d.Statements.Select(st => new Api.Statement(st.Policy, st.Layer switch
                {
                    PolicyLayer.Resource => "resource",
                    PolicyLayer.PermissionsBoundary => "permissions-boundary",
                    _ => "user",
                })).ToList(),
                MissingContextValues: d.MissingContextKeys.ToList(),
                PermissionsBoundaryDecisionDetail: boundary is null ? null
                    : new Api.PermissionsBoundaryDecisionDetail(d.DeniedBy != PolicyLayer.PermissionsBoundary));
        }).ToList();
        return new(results, page.IsTruncated, page.Marker);
    }
}
