using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Policy.Evaluation;
using Microsoft.Extensions.Logging;

namespace LocalShift.Services.Authorization;

/// <summary>
/// Authorizes every operation through the policy engine: gathers the caller's identity policies, boundary and
/// session policies, the resource's policy, and the request's condition keys; records the decision; throws the
/// service's AccessDenied with AWS's text on denial.
/// </summary>
public sealed class PolicyAuthorizer(
    IIdentityPolicySource identities,
    IEnumerable<IResourcePolicySource> resourcePolicies,
    DecisionLog log,
    ILogger<PolicyAuthorizer> logger) : IAuthorizer
{
    private readonly Dictionary<string, IResourcePolicySource> _resources =
        resourcePolicies.ToDictionary(r => r.Service, StringComparer.OrdinalIgnoreCase);

    public void Authorize(AuthorizationCheck check)
    {
        var call = check.Call;
        var decision = Decide(call.Caller, check.Action, check.Resource, check.Keys, check.ResourceAccount,
            RequestKeys.Global(call.Caller, call.Time, call.SourceIp, call.SecureTransport, call.Region));
        var message = decision.IsAllowed ? null : decision.DenialMessage(call.Caller.Arn, check.Action, check.Resource);
        Record(decision, call.Caller.Arn, check.Action, check.Resource, call.Time, call.RequestId, message);
        if (!decision.IsAllowed) throw new AwsException("AccessDenied", message!, 403);
    }

    /// <summary>Decides a request without throwing; for the role path and Simulate* callers that build their own context.</summary>
    public Decision Decide(Principal caller, string action, string resource,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? keys, string? resourceAccount, RequestContext context)
    {
        if (keys is not null)
            foreach (var (k, v) in keys) context.Set(k, v);

        var request = EvaluationRequest.For(caller, action, resource) with
        {
            ResourceAccount = resourceAccount,
            Context = context,
        };
        if (caller.Kind is PrincipalKind.User or PrincipalKind.AssumedRole)
        {
            var policies = identities.GetPolicies(caller);
            request = request with
            {
                IdentityPolicies = policies.Identity.Select(p => Compile(p, PolicyKind.Identity)).ToArray(),
                PermissionsBoundary = policies.PermissionsBoundary is { } b ? Compile(b, PolicyKind.Identity) : null,
            };
        }
        var service = action.Split(':', 2)[0];
        if (_resources.TryGetValue(service, out var source) && source.Find(resource) is { } rp)
        {
            request = request with
            {
                ResourcePolicy = Compile(rp.Policy, PolicyKind.Resource),
                ResourceAccount = resourceAccount ?? rp.OwnerAccount,
            };
        }
        return PolicyEvaluator.Evaluate(request);
    }

    public void Record(Decision decision, string principal, string action, string resource, DateTimeOffset time, string? requestId,
        string? message, string? note = null)
    {
        var r = log.Add(decision, principal, action, resource, time, requestId, message, note);
        if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("{Decision} {Principal} {Action} {Resource} [{Statements}] {Note}", r.Decision, principal, action, resource,
                string.Join(", ", r.Statements), note);
    }

    private static AttachedPolicy Compile(NamedPolicy p, PolicyKind kind) => AttachedPolicy.From(p.Source, p.Document, kind);
}
