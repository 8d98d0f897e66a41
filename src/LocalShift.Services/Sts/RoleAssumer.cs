using System.Text.RegularExpressions;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Policy.Evaluation;
using LocalShift.Services.Authorization;
using LocalShift.Services.Iam;
using AttachedPolicy = LocalShift.Policy.Evaluation.AttachedPolicy;

namespace LocalShift.Services.Sts;

/// <summary>What a caller asks of AssumeRole.</summary>
public sealed record AssumeRoleInput(
    string RoleArn,
    string RoleSessionName,
    int? DurationSeconds = null,
    string? ExternalId = null,
    string? Policy = null,
    IReadOnlyList<string>? PolicyArns = null,
    /// <summary>Extra condition keys (aws:SourceAccount, aws:SourceArn when a service assumes on a user's behalf).</summary>
    IReadOnlyDictionary<string, string>? Context = null);

/// <summary>
/// STS AssumeRole as one code path for every caller: users and roots over HTTP, role sessions (chaining), and
/// service principals inside LocalShift (Redshift acting for a cluster). The role's trust policy decides; an
/// account principal in it delegates to the caller's identity policies.
/// </summary>
public sealed partial class RoleAssumer(
    IRoleDirectory roles,
    IIdentityPolicySource identities,
    IamStore iam,
    SessionStore sessions,
    PolicyAuthorizer authorizer,
    TimeProvider clock)
{
    public const int MinDuration = 900;
    public const int ChainedMaxDuration = 3600;

    /// <summary>
    /// Moves with every committed change to IAM (roles, their trust and identity policies, users): a session assumed
    /// at one generation was decided on what IAM held then.
    /// </summary>
    public long IamGeneration => iam.Generation;

    /// <param name="callerAccessKeyId">The caller's key, to tell a chained session; null for service principals.</param>
    /// <param name="issueKeys">False for a session used only inside LocalShift (Redshift's role path: every call it
    /// makes is authorized as the session's principal, and its keys are never handed to anyone): the trust policy is
    /// evaluated and the decision recorded exactly as for any AssumeRole, but no temporary keys are written to the
    /// state store (the returned session's keys are empty).</param>
    public RoleSession Assume(Principal caller, string? callerAccessKeyId, AssumeRoleInput input, string? requestId = null,
        string? sourceIp = null, string? region = null, bool issueKeys = true)
    {
        Validate(input);
        var now = clock.GetUtcNow();
        var chained = caller.Kind == PrincipalKind.AssumedRole;
        var role = Arn.TryParse(input.RoleArn, out _) ? roles.FindByArn(input.RoleArn) : null;

        var context = RequestKeys.Global(caller, now, sourceIp, false, region);
        context.Set("sts:RoleSessionName", input.RoleSessionName);
        if (input.ExternalId is not null) context.Set("sts:ExternalId", input.ExternalId);
        if (input.Context is not null)
            foreach (var (k, v) in input.Context) context.Set(k, v);

        Decision decision;
        string? note = null;
        if (caller.Kind == PrincipalKind.Root)
        {
            // AWS refuses every AssumeRole signed with an account's root credentials, whatever the trust policy says
            // (the text is the one AWS answers, as users report it).
            const string rootMessage = "Roles may not be assumed by root accounts.";
            decision = new Decision(DecisionKind.ImplicitDeny, [], PolicyLayer.Resource, []);
            authorizer.Record(decision, caller.Arn, "sts:AssumeRole", input.RoleArn, now, requestId, rootMessage, "an account's root cannot assume roles");
            throw new AssumeRoleDeniedException(rootMessage, decision, "an account's root cannot assume roles");
        }
        if (role is null)
        {
            // AWS does not reveal whether the role exists: a missing role is an AccessDenied like any other.
            decision = new Decision(DecisionKind.ImplicitDeny, [], PolicyLayer.Resource, []);
            note = $"no role {input.RoleArn} exists";
        }
        else
        {
            var request = EvaluationRequest.For(caller, "sts:AssumeRole", role.Arn) with
            {
                ResourceAccount = role.AccountId,
                Context = context,
            };
            if (caller.Kind is PrincipalKind.User or PrincipalKind.AssumedRole)
            {
                var p = identities.GetPolicies(caller);
                request = request with
                {
                    IdentityPolicies = p.Identity.Select(x => AttachedPolicy.From(x.Source, x.Document)).ToArray(),
                    PermissionsBoundary = p.PermissionsBoundary is { } b ? AttachedPolicy.From(b.Source, b.Document) : null,
                };
            }
            decision = PolicyEvaluator.EvaluateTrust(AttachedPolicy.From($"trust policy of role/{role.RoleName}", role.AssumeRolePolicyDocument, PolicyKind.Trust), request);
            if (!decision.IsAllowed) note = decision.DeniedBy == PolicyLayer.Resource ? "the role's trust policy does not allow this principal" : null;
        }

        var message = $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {input.RoleArn}";
        authorizer.Record(decision, caller.Arn, "sts:AssumeRole", input.RoleArn, now, requestId, decision.IsAllowed ? null : message, note);
        if (!decision.IsAllowed) throw new AssumeRoleDeniedException(message, decision, note);

        var duration = input.DurationSeconds ?? 3600;
        if (duration > role!.MaxSessionDuration)
            throw AwsException.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        if (chained && duration > ChainedMaxDuration)
            throw AwsException.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");

        var sessionPolicies = new List<string>();
        if (input.Policy is not null) sessionPolicies.Add(input.Policy);
        foreach (var arn in input.PolicyArns ?? [])
        {
            var document = Arn.TryParse(arn, out var parsed) ? iam.DefaultDocument(parsed.Account is { Length: > 0 } a ? a : role.AccountId, arn) : null;
            sessionPolicies.Add(document ?? throw new AwsException("InvalidParameterValue", $"Policy {arn} does not exist or is not attachable.", 400));
        }

        var principal = new Principal
        {
            Kind = PrincipalKind.AssumedRole,
            AccountId = role.AccountId,
            Arn = Arn.AssumedRole(role.AccountId, role.RoleName, input.RoleSessionName),
            UserId = $"{role.RoleId}:{input.RoleSessionName}",
            Name = role.RoleName,
            RoleArn = role.Arn,
            SessionName = input.RoleSessionName,
            SessionPolicies = sessionPolicies,
            Tags = role.Tags,
            SourceIdentityArn = caller.Arn,
        };
        iam.RecordRoleUse(role.Arn, region ?? "us-east-1", now);
        return issueKeys ? sessions.Issue(principal, now.AddSeconds(duration), chained) : new RoleSession("", "", "", now.AddSeconds(duration), principal, chained);
    }

    private static void Validate(AssumeRoleInput input)
    {
        if (input.RoleArn.Length is < 20 or > 2048)
            throw AwsException.Validation($"1 validation error detected: Value '{input.RoleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
        if (!Arn.TryParse(input.RoleArn, out var arn) || arn.Service != "iam" || !arn.Resource.StartsWith("role/", StringComparison.Ordinal))
            throw AwsException.Validation($"{input.RoleArn} is invalid");
        var name = input.RoleSessionName;
        if (name.Length < 2)
            throw AwsException.Validation($"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2");
        if (name.Length > 64)
            throw AwsException.Validation($"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64");
        if (!SessionNamePattern().IsMatch(name))
            throw AwsException.Validation($"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        if (input.DurationSeconds is < MinDuration)
            throw AwsException.Validation($"1 validation error detected: Value '{input.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
        if (input.DurationSeconds is > 43200)
            throw AwsException.Validation($"1 validation error detected: Value '{input.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200");
        if (input.ExternalId is { } ext && (ext.Length is < 2 or > 1224 || !ExternalIdPattern().IsMatch(ext)))
            throw AwsException.Validation($"1 validation error detected: Value '{ext}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224");
        if (input.Policy is { } policy)
        {
            if (PolicyValidator.Validate(policy, PolicyKind.Identity) is { } error)
                throw new AwsException("MalformedPolicyDocument", error, 400);
            if (policy.Count(c => !char.IsWhiteSpace(c)) > 2048)
                throw new AwsException("PackedPolicyTooLarge", "Packed size of the session policy exceeds the limit of 2048 characters.", 400);
        }
        if (input.PolicyArns is { Count: > 10 })
            throw AwsException.Validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
    }

    [GeneratedRegex(@"^[\w+=,.@-]*$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]*$")]
    private static partial Regex ExternalIdPattern();
}

/// <summary>AssumeRole refused: carries the decision so the role path can explain which check failed.</summary>
public sealed class AssumeRoleDeniedException(string message, Decision decision, string? note)
    : AwsException("AccessDenied", message, 403)
{
    public Decision Decision { get; } = decision;
    public string? Note { get; } = note;
}
