using LocalShift.Core;
using LocalShift.Policy.Documents;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Tests;

/// <summary>The entry points callers wire enforcement, STS and Simulate* to.</summary>
public sealed class EvaluatorApiTests
{
    private const string Account = "111111111111";
    private const string ReadData = """{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}""";
    private const string AllowAll = """{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}""";

    private static Principal Session(params string[] sessionPolicies) => new()
    {
        Kind = PrincipalKind.AssumedRole,
        AccountId = Account,
        Arn = Arn.AssumedRole(Account, "etl", "s1"),
        UserId = "AROAEXAMPLE:s1",
        Name = "etl",
        RoleArn = Arn.Role(Account, "/", "etl"),
        SessionName = "s1",
        SessionPolicies = sessionPolicies,
    };

    [Fact]
    public void For_principal_carries_session_policies_that_intersect_the_role()
    {
        var request = EvaluationRequest.For(Session(ReadData), "s3:PutObject", "arn:aws:s3:::data/k") with
        {
            IdentityPolicies = [AttachedPolicy.From("role/etl inline All", AllowAll)],
        };
        var decision = PolicyEvaluator.Evaluate(request);
        Assert.Equal(DecisionKind.ImplicitDeny, decision.Kind);
        Assert.Equal(PolicyLayer.Session, decision.DeniedBy);
        Assert.Equal("implicitDeny", decision.EvalDecision);
    }

    [Fact]
    public void Allow_names_the_deciding_statements_with_policy_labels()
    {
        var request = EvaluationRequest.For(Session(ReadData), "s3:GetObject", "arn:aws:s3:::data/k") with
        {
            IdentityPolicies = [AttachedPolicy.From("role/etl inline All", AllowAll)],
        };
        var decision = PolicyEvaluator.Evaluate(request);
        Assert.True(decision.IsAllowed);
        Assert.Equal(["role/etl inline All#All", "session policy 1#Read"], decision.Statements.Select(s => s.ToString()));
        Assert.Equal("allowed", decision.EvalDecision);
    }

    [Fact]
    public void Trust_evaluation_lets_a_service_assume_through_the_same_path()
    {
        var trust = AttachedPolicy.From("trust policy of role/etl",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", PolicyKind.Trust);
        var request = EvaluationRequest.For(Principal.ServicePrincipal("redshift.amazonaws.com"), "sts:AssumeRole", Arn.Role(Account, "/", "etl"))
            with { ResourceAccount = Account };
        Assert.True(PolicyEvaluator.EvaluateTrust(trust, request).IsAllowed);
    }

    [Theory]
    [InlineData(DecisionKind.ImplicitDeny, PolicyLayer.Identity, "because no identity-based policy allows the s3:GetObject action")]
    [InlineData(DecisionKind.ImplicitDeny, PolicyLayer.Resource, "because no resource-based policy allows the s3:GetObject action")]
    [InlineData(DecisionKind.ImplicitDeny, PolicyLayer.PermissionsBoundary, "because no permissions boundary allows the s3:GetObject action")]
    [InlineData(DecisionKind.ImplicitDeny, PolicyLayer.Session, "because no session policy allows the s3:GetObject action")]
    [InlineData(DecisionKind.ExplicitDeny, PolicyLayer.Identity, "with an explicit deny in an identity-based policy")]
    [InlineData(DecisionKind.ExplicitDeny, PolicyLayer.Resource, "with an explicit deny in a resource-based policy")]
    [InlineData(DecisionKind.ExplicitDeny, PolicyLayer.PermissionsBoundary, "with an explicit deny in a permissions boundary")]
    [InlineData(DecisionKind.ExplicitDeny, PolicyLayer.Session, "with an explicit deny in a session policy")]
    public void Denial_messages_follow_AWS(DecisionKind kind, PolicyLayer layer, string tail)
    {
        var decision = new Decision(kind, [], layer, []);
        Assert.Equal($"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k {tail}",
            decision.DenialMessage("arn:aws:iam::111111111111:user/alice", "s3:GetObject", "arn:aws:s3:::b/k"));
    }

    [Fact]
    public void Evaluation_is_safe_from_many_threads()
    {
        var policies = new[] { AttachedPolicy.From("p", ReadData), AttachedPolicy.From("d",
            """{"Version":"2012-10-17","Statement":[{"Sid":"No","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::data/secret/*"}]}""") };
        EvaluationRequest Request(int i) => new()
        {
            PrincipalArn = "arn:aws:iam::111111111111:user/u",
            PrincipalAccount = Account,
            Action = i % 3 == 0 ? "s3:PutObject" : "s3:GetObject",
            Resource = i % 2 == 0 ? "arn:aws:s3:::data/secret/x" : "arn:aws:s3:::data/k",
            IdentityPolicies = policies,
        };
        var expected = Enumerable.Range(0, 6).Select(i => PolicyEvaluator.Evaluate(Request(i)).ToString()).ToArray();
        var mismatches = 0;
        Parallel.For(0, 20_000, i =>
        {
            if (PolicyEvaluator.Evaluate(Request(i)).ToString() != expected[i % 6]) Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Missing_context_keys_are_reported_for_simulation()
    {
        var request = new EvaluationRequest
        {
            PrincipalArn = "arn:aws:iam::111111111111:user/u",
            PrincipalAccount = Account,
            Action = "s3:GetObject",
            Resource = "arn:aws:s3:::b/k",
            IdentityPolicies = [AttachedPolicy.From("p",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}""")],
        };
        Assert.Equal(["aws:SourceIp"], PolicyEvaluator.Evaluate(request).MissingContextKeys);
    }

    [Fact]
    public void Statement_labels_use_sid_or_index()
    {
        var doc = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}""", PolicyKind.Identity);
        Assert.Equal(["A", "Statement[1]"], doc.Statements.Select(s => s.Label));
    }
}
