using System.Text.Json.Nodes;
using LocalShift.Core;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Tests.Differential;

/// <summary>One generated request with its policies, convertible to both engines' inputs.</summary>
public sealed record DiffCase(
    int Number, string Principal, PrincipalKind Kind, string Account, string? RoleArn,
    string Action, string Resource, string ResourceAccount, Dictionary<string, string[]> Context,
    List<JsonObject> Identity, JsonObject? Boundary, JsonObject? Session, JsonObject? ResourcePolicy, bool Trust)
{
    public bool CrossAccount => ResourceAccount != Account;

    public JsonObject ToOracle()
    {
        var ctx = new JsonObject();
        foreach (var (k, v) in Context)
            ctx[k] = CaseGenerator.MultiValued(k) ? new JsonArray(v.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()) : JsonValue.Create(v[0]);
        var o = new JsonObject
        {
            ["principal"] = Principal,
            ["action"] = Action,
            ["resource"] = Resource,
            ["resourceAccount"] = ResourceAccount,
            ["context"] = ctx,
            ["identityPolicies"] = new JsonArray(Identity.Select((p, i) => (JsonNode)new JsonObject { ["name"] = $"p{i}", ["policy"] = p.DeepClone() }).ToArray()),
        };
        if (Boundary is not null) o["permissionBoundaryPolicies"] = new JsonArray(new JsonObject { ["name"] = "boundary", ["policy"] = Boundary.DeepClone() });
        if (Session is not null) o["sessionPolicy"] = Session.DeepClone();
        if (ResourcePolicy is not null) o["resourcePolicy"] = ResourcePolicy.DeepClone();
        return o;
    }

    public Decision Evaluate()
    {
        var context = new RequestContext();
        foreach (var (k, v) in Context) context.Set(k, v);
        var request = new EvaluationRequest
        {
            PrincipalArn = Principal,
            PrincipalAccount = Account,
            PrincipalKind = Kind,
            SessionRoleArn = RoleArn,
            Action = Action,
            Resource = Resource,
            ResourceAccount = ResourceAccount,
            Context = context,
            IdentityPolicies = Identity.Select((p, i) => AttachedPolicy.From($"p{i}", p.ToJsonString())).ToArray(),
            PermissionsBoundary = Boundary is null ? null : AttachedPolicy.From("boundary", Boundary.ToJsonString()),
            SessionPolicies = Session is null ? [] : [AttachedPolicy.From("session", Session.ToJsonString())],
        };
        if (Trust) return PolicyEvaluator.EvaluateTrust(AttachedPolicy.From("trust", ResourcePolicy!.ToJsonString(), PolicyKind.Trust), request);
        if (ResourcePolicy is not null) request = request with { ResourcePolicy = AttachedPolicy.From("resource", ResourcePolicy.ToJsonString(), PolicyKind.Resource) };
        return PolicyEvaluator.Evaluate(request);
    }

    public string Describe() => ToOracle().ToJsonString();
}

/// <summary>
/// Seeded generator of valid policy/request combinations over a small universe (two accounts, users, a role session,
/// real actions with matching resource ARNs, typed global condition keys), so that matches are frequent and every
/// rule gets exercised: wildcards, NotAction/NotResource, every operator family, IfExists, Null, set qualifiers,
/// variables, 2008 documents, boundaries, session policies, resource and trust policies, cross-account.
/// </summary>
public sealed class CaseGenerator(int seed)
{
    public const string A = "111111111111";
    public const string B = "222222222222";
    private readonly Random rng = new(seed);

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
    private bool Chance(double p) => rng.NextDouble() < p;

    private static readonly string[] MultiValuedKeys = ["aws:CalledVia", "aws:PrincipalServiceNamesList", "aws:PrincipalOrgPaths"];
    public static bool MultiValued(string key) => MultiValuedKeys.Contains(key, StringComparer.OrdinalIgnoreCase);

    private sealed record Target(string Service, string Action, Func<string, string, string> Resource, bool HasResourcePolicy);

    private static readonly string[] Buckets = ["data", "logs"];
    private static readonly string[] Keys = ["alice/report.csv", "bob/x.txt", "public/readme", "team-red/a.csv", "data.csv"];

    private readonly Target[] targets =
    [
        new("s3", "s3:GetObject", (acct, n) => $"arn:aws:s3:::{n}", true),
        new("s3", "s3:PutObject", (acct, n) => $"arn:aws:s3:::{n}", true),
        new("sqs", "sqs:SendMessage", (acct, n) => $"arn:aws:sqs:us-east-1:{acct}:{n}", true),
        new("sqs", "sqs:ReceiveMessage", (acct, n) => $"arn:aws:sqs:us-east-1:{acct}:{n}", true),
        new("lambda", "lambda:InvokeFunction", (acct, n) => $"arn:aws:lambda:us-east-1:{acct}:function:{n}", true),
        new("iam", "iam:GetRole", (acct, n) => $"arn:aws:iam::{acct}:role/{n}", false),
        new("iam", "iam:DeleteRole", (acct, n) => $"arn:aws:iam::{acct}:role/{n}", false),
        new("dynamodb", "dynamodb:GetItem", (acct, n) => $"arn:aws:dynamodb:us-east-1:{acct}:table/{n}", false),
        new("sts", "sts:AssumeRole", (acct, n) => $"arn:aws:iam::{acct}:role/{n}", true),
    ];

    private string ResourceName(Target t) => t.Service switch
    {
        "s3" => $"{Pick(Buckets)}/{Pick(Keys)}",
        "sqs" => Pick(["jobs", "events", "alice"]),
        "lambda" => Pick(["etl", "report", "alice"]),
        "dynamodb" => Pick(["orders", "alice"]),
        _ => Pick(["app", "admin", "alice"]),
    };

    public DiffCase Next(int number)
    {
        // Principal
        var who = rng.Next(6);
        string principal, account;
        PrincipalKind kind;
        string? roleArn = null, userName = null;
        switch (who)
        {
            case 0 or 1:
                userName = who == 0 ? "alice" : "bob";
                account = A;
                principal = $"arn:aws:iam::{A}:user/{userName}";
                kind = PrincipalKind.User;
                break;
            case 2:
                userName = "carol";
                account = B;
                principal = $"arn:aws:iam::{B}:user/carol";
                kind = PrincipalKind.User;
                break;
            case 5:
                account = "";
                principal = Pick(["redshift.amazonaws.com", "sns.amazonaws.com"]);
                kind = PrincipalKind.Service;
                break;
            default:
                account = who == 3 ? A : B;
                principal = $"arn:aws:sts::{account}:assumed-role/app/s1";
                roleArn = $"arn:aws:iam::{account}:role/app";
                kind = PrincipalKind.AssumedRole;
                break;
        }
        var target = Pick(targets);
        var resourceAccount = kind == PrincipalKind.Service ? Pick([A, B]) : Chance(0.7) ? account : (account == A ? B : A);
        var resource = target.Resource(resourceAccount, ResourceName(target));
        var trust = target.Action == "sts:AssumeRole";

        var context = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (kind == PrincipalKind.Service) context["aws:PrincipalServiceName"] = [principal];
        else
        {
            context["aws:PrincipalArn"] = [roleArn ?? principal];
            context["aws:PrincipalAccount"] = [account];
            context["aws:PrincipalType"] = [kind == PrincipalKind.User ? "User" : "AssumedRole"];
        }
        if (userName is not null) context["aws:username"] = [userName];
        if (Chance(0.7)) context["aws:PrincipalTag/team"] = [Pick(["red", "blue", "Red", "green"])];
        if (Chance(0.5)) context["aws:PrincipalTag/owner"] = [Pick(["alice", "bob", "carol"])];
        if (Chance(0.8)) context["aws:SourceIp"] = [Pick(["10.1.2.3", "10.200.0.1", "192.168.1.1", "172.16.0.5", "2001:db8::1"])];
        if (Chance(0.8)) context["aws:CurrentTime"] = [Pick(["2024-06-01T12:00:00Z", "2023-01-01T00:00:00Z", "2026-11-28T04:00:00Z"])];
        if (Chance(0.6)) context["aws:SecureTransport"] = [Pick(["true", "false"])];
        if (Chance(0.5)) context["aws:MultiFactorAuthAge"] = [Pick(["5", "100", "3600", "86400"])];
        if (Chance(0.5)) context["aws:RequestedRegion"] = [Pick(["us-east-1", "eu-west-1", "us-west-2"])];
        if (Chance(0.4)) context["aws:SourceArn"] = [Pick(["arn:aws:s3:::data", "arn:aws:lambda:us-east-1:111111111111:function:etl", "arn:aws:sqs:us-east-1:222222222222:jobs"])];
        foreach (var key in MultiValuedKeys)
            if (Chance(0.5))
                context[key] = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Pick(["a.amazonaws.com", "b.amazonaws.com", "ou-1", "x"])).Distinct().ToArray();

        var service = kind == PrincipalKind.Service;
        var identity = service ? [] : Enumerable.Range(0, rng.Next(0, 4)).Select(_ => Policy(target, resourceAccount, false, false)).ToList();
        var boundary = !service && Chance(0.2) ? Policy(target, resourceAccount, false, false) : null;
        var session = kind == PrincipalKind.AssumedRole && Chance(0.25) ? Policy(target, resourceAccount, false, false) : null;
        JsonObject? resourcePolicy = null;
        if (trust) resourcePolicy = Policy(target, resourceAccount, true, true);
        else if (target.HasResourcePolicy && Chance(service ? 0.9 : 0.5)) resourcePolicy = Policy(target, resourceAccount, true, false);

        return new DiffCase(number, principal, kind, account, roleArn, target.Action, resource, resourceAccount, context,
            identity, boundary, session, resourcePolicy, trust);
    }

    private JsonObject Policy(Target target, string resourceAccount, bool withPrincipal, bool trust)
    {
        var modern = Chance(0.9);
        var statements = new JsonArray();
        var n = rng.Next(1, 4);
        for (var i = 0; i < n; i++) statements.Add(Statement(target, resourceAccount, withPrincipal, trust, modern, i));
        var doc = new JsonObject();
        if (modern || Chance(0.5)) doc["Version"] = modern ? "2012-10-17" : "2008-10-17";
        doc["Statement"] = statements;
        return doc;
    }

    private JsonObject Statement(Target target, string resourceAccount, bool withPrincipal, bool trust, bool modern, int index)
    {
        var s = new JsonObject();
        if (Chance(0.5)) s["Sid"] = $"S{index}";
        s["Effect"] = Chance(0.25) ? "Deny" : "Allow";
        if (withPrincipal)
        {
            var principal = PrincipalElement();
            s[Chance(trust ? 0.0 : 0.08) ? "NotPrincipal" : "Principal"] = principal;
        }
        s[Chance(0.15) ? "NotAction" : "Action"] = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => ActionPattern(target)));
        if (!trust)
            s[Chance(0.15) ? "NotResource" : "Resource"] = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => ResourcePattern(target, resourceAccount, modern)));
        if (Chance(0.5))
        {
            var condition = new JsonObject();
            for (var c = rng.Next(1, 3); c > 0; c--) AddCondition(condition, modern);
            s["Condition"] = condition;
        }
        return s;
    }

    private static JsonNode Strings(IEnumerable<string> items)
    {
        var list = items.Distinct().ToArray();
        return list.Length == 1 ? JsonValue.Create(list[0])! : new JsonArray(list.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
    }

    private JsonNode PrincipalElement()
    {
        if (Chance(0.12)) return JsonValue.Create("*")!;
        if (Chance(0.15)) return new JsonObject { ["Service"] = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick(["redshift.amazonaws.com", "sns.amazonaws.com", "glue.amazonaws.com"]))) };
        var values = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick([
            "*", A, B, $"arn:aws:iam::{A}:root", $"arn:aws:iam::{B}:root",
            $"arn:aws:iam::{A}:user/alice", $"arn:aws:iam::{A}:user/bob", $"arn:aws:iam::{B}:user/carol",
            $"arn:aws:iam::{A}:role/app", $"arn:aws:iam::{B}:role/app", $"arn:aws:sts::{A}:assumed-role/app/s1",
        ]));
        return new JsonObject { ["AWS"] = Strings(values) };
    }

    private string ActionPattern(Target t)
    {
        var name = t.Action[(t.Action.IndexOf(':') + 1)..];
        return rng.Next(10) switch
        {
            0 => "*",
            1 => $"{t.Service}:*",
            2 => $"{t.Service}:{name[..3]}*",
            3 => $"{t.Service}:*{name[^3..]}",
            4 => $"{t.Service}:{name[..^1]}?",
            5 => t.Action.ToUpperInvariant(),
            6 => t.Service == "sts" ? "sts:TagSession" : Pick(targets).Action,
            7 => $"{t.Service}:{name}Xyz",
            _ => t.Action,
        };
    }

    private string ResourcePattern(Target t, string acct, bool modern)
    {
        var vars = modern;
        return (t.Service, rng.Next(9)) switch
        {
            (_, 0) => "*",
            ("s3", 1) => $"arn:aws:s3:::{Pick(Buckets)}/*",
            ("s3", 2) => vars ? "arn:aws:s3:::data/${aws:username}/*" : "arn:aws:s3:::data/*/*",
            ("s3", 3) => vars ? "arn:aws:s3:::*/team-${aws:PrincipalTag/team, 'none'}/*" : "arn:aws:s3:::*/team-*",
            ("s3", 4) => $"arn:aws:s3:::data/{Pick(Keys)}",
            ("s3", 5) => "arn:aws:s3:::log?/*",
            ("s3", 6) => "arn:aws:s3:::DATA/*",
            ("s3", _) => $"arn:aws:s3:::{Pick(Buckets)}/{Pick(Keys)}",
            (_, 1) => t.Resource("*", "*"),
            (_, 2) => t.Resource(acct, "*"),
            // iam-simulate mis-resolves variables in SQS queue ARNs, so SQS gets none (covered by s3/iam/lambda/dynamodb).
            (_, 3) => vars && t.Service != "sqs" ? t.Resource(acct, "${aws:username}") : t.Resource(acct, "a*"),
            (_, 4) => t.Resource(Pick([A, B]), ResourceName(t)),
            (_, 5) => t.Resource(acct, ResourceName(t)[..2] + "*"),
            (_, 6) => t.Resource(acct, "?" + ResourceName(t)[1..]),
            _ => t.Resource(acct, ResourceName(t)),
        };
    }

    private void AddCondition(JsonObject condition, bool modern)
    {
        string op, key;
        JsonNode values;
        switch (rng.Next(11))
        {
            case 0 or 1:
                op = Pick(["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"]);
                key = Pick(["aws:username", "aws:PrincipalTag/team", "aws:RequestedRegion", "aws:PrincipalAccount"]);
                values = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick(["alice", "bob", "Alice", "a*", "?ob", "red", "RED", "r*", "us-*", "eu-west-1", A, "*"])));
                break;
            case 2:
                op = Pick(["StringEquals", "StringLike", "StringNotEquals"]);
                key = Pick(["aws:PrincipalTag/owner", "aws:PrincipalTag/team"]);
                values = modern ? JsonValue.Create(Pick(["${aws:username}", "${aws:username}*", "${aws:PrincipalTag/team, 'red'}"]))! : JsonValue.Create("alice")!;
                break;
            case 3:
                op = Pick(["IpAddress", "NotIpAddress"]);
                key = "aws:SourceIp";
                values = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick(["10.0.0.0/8", "10.1.0.0/16", "192.168.1.1/32", "192.168.1.1", "2001:db8::/32", "172.16.0.0/12"])));
                break;
            case 4:
                op = Pick(["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"]);
                key = "aws:CurrentTime";
                values = Strings([Pick(["2024-01-01T00:00:00Z", "2024-06-01T12:00:00Z", "2025-01-01", "1700000000"])]);
                break;
            case 5:
                op = Pick(["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"]);
                key = "aws:MultiFactorAuthAge";
                values = Strings([Pick(["5", "100", "3600", "99.5"])]);
                break;
            case 6:
                op = "Bool";
                key = Pick(["aws:SecureTransport", "aws:MultiFactorAuthPresent"]);
                values = Strings([Pick(["true", "false"])]);
                break;
            case 7:
                op = Pick(["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"]);
                key = Pick(["aws:PrincipalArn", "aws:SourceArn"]);
                values = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick([
                    $"arn:aws:iam::{A}:user/alice", $"arn:aws:iam::{A}:user/*", "arn:aws:iam::*:role/app", "arn:aws:s3:::data",
                    "arn:aws:lambda:*:*:function:*", "arn:aws:sqs:us-east-1:*:j*"])));
                break;
            case 8:
                op = "Null";
                key = Pick(["aws:PrincipalTag/team", "aws:SourceIp", "aws:username", "aws:CalledVia", "aws:SourceArn"]);
                values = Strings([Pick(["true", "false"])]);
                break;
            default:
                op = Pick(["ForAllValues:StringEquals", "ForAnyValue:StringEquals", "ForAllValues:StringLike", "ForAnyValue:StringLike",
                    "ForAllValues:StringNotEquals", "ForAnyValue:StringNotEquals", "ForAnyValue:StringNotLike", "ForAllValues:StringNotLike"]);
                key = Pick(MultiValuedKeys);
                values = Strings(Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick(["a.amazonaws.com", "b.amazonaws.com", "*.amazonaws.com", "ou-*", "x"])));
                break;
        }
        if (op != "Null" && Chance(0.2)) op += "IfExists";
        if (condition[op] is not JsonObject block)
        {
            block = new JsonObject();
            condition[op] = block;
        }
        block[key] = values;
    }
}
