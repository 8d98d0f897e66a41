using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Core;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Tests;

/// <summary>
/// Runs every scenario of Corpus/*.json. A file has "policies" (name → document), optional "defaults" (scenario
/// fields applied to each scenario) and "scenarios". Each scenario names its principal, action, resource, context
/// and the policies per layer, and states the expected decision, deciding statements ("policy#Sid"), denying
/// layer, missing keys and message.
/// </summary>
public sealed class CorpusTests
{
    public static IEnumerable<object[]> Scenarios() =>
        CorpusFiles.Load().SelectMany(f => f.Scenarios.Select(s => new object[] { $"{f.Name}: {s["name"]}" }));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_decides_as_expected(string id)
    {
        var (file, scenario) = CorpusFiles.Find(id);
        var request = CorpusFiles.BuildRequest(file, scenario, out var trust);
        var decision = trust is null ? PolicyEvaluator.Evaluate(request) : PolicyEvaluator.EvaluateTrust(trust, request);

        Assert.Equal((string)scenario["expect"]!, decision.Kind.ToString());
        if (scenario["statements"] is JsonArray expected)
        {
            var actual = decision.Statements.Select(s => s.ToString()).Order().ToArray();
            Assert.Equal(expected.Select(e => (string)e!).Order().ToArray(), actual);
        }
        if (scenario["deniedBy"] is JsonValue layer)
            Assert.Equal((string)layer!, decision.DeniedBy.ToString());
        if (scenario["missing"] is JsonArray missing)
            Assert.Equal(missing.Select(m => (string)m!).Order(StringComparer.OrdinalIgnoreCase), decision.MissingContextKeys.Order(StringComparer.OrdinalIgnoreCase));
        if (scenario["message"] is JsonValue message)
            Assert.Equal((string)message!, decision.DenialMessage(request.PrincipalArn, request.Action, request.Resource));
    }

    [Fact]
    public void Corpus_has_at_least_200_scenarios_with_unique_names()
    {
        var ids = CorpusFiles.Load().SelectMany(f => f.Scenarios.Select(s => $"{f.Name}: {s["name"]}")).ToArray();
        Assert.True(ids.Length >= 200, $"only {ids.Length} scenarios");
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }
}

internal sealed record CorpusFile(string Name, JsonObject Policies, JsonObject Defaults, IReadOnlyList<JsonObject> Scenarios);

internal static class CorpusFiles
{
    private static readonly Lazy<IReadOnlyList<CorpusFile>> Files = new(() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.json").Order().Select(path =>
        {
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var defaults = root["defaults"]?.AsObject() ?? [];
            var scenarios = root["scenarios"]!.AsArray().Select(s =>
            {
                var merged = defaults.DeepClone().AsObject();
                foreach (var (k, v) in s!.AsObject()) merged[k] = v?.DeepClone();
                return merged;
            }).ToArray();
            return new CorpusFile(Path.GetFileNameWithoutExtension(path), root["policies"]?.AsObject() ?? [], defaults, scenarios);
        }).ToArray());

    public static IReadOnlyList<CorpusFile> Load() => Files.Value;

    public static (CorpusFile, JsonObject) Find(string id)
    {
        var colon = id.IndexOf(": ", StringComparison.Ordinal);
        var file = Load().Single(f => f.Name == id[..colon]);
        return (file, file.Scenarios.Single(s => (string)s["name"]! == id[(colon + 2)..]));
    }

    private static AttachedPolicy Policy(CorpusFile file, JsonNode node, PolicyKind kind)
    {
        if (node is JsonValue v)
        {
            var name = (string)v!;
            var doc = file.Policies[name] ?? throw new InvalidOperationException($"unknown policy {name}");
            return AttachedPolicy.From(name, doc is JsonValue text ? (string)text! : doc.ToJsonString(), kind);
        }
        return AttachedPolicy.From("inline", node.ToJsonString(), kind);
    }

    private static IReadOnlyList<AttachedPolicy> Policies(CorpusFile file, JsonNode? node, PolicyKind kind) => node switch
    {
        null => [],
        JsonArray a => a.Select(n => Policy(file, n!, kind)).ToArray(),
        _ => [Policy(file, node, kind)],
    };

    public static EvaluationRequest BuildRequest(CorpusFile file, JsonObject s, out AttachedPolicy? trust)
    {
        var principal = (string?)s["principal"] ?? "arn:aws:iam::111111111111:user/alice";
        var kind = s["kind"] is JsonValue k ? Enum.Parse<PrincipalKind>((string)k!) : KindOf(principal);
        var account = (string?)s["account"] ?? (Arn.TryParse(principal, out var arn) ? arn.Account : "");
        var context = new RequestContext();
        if (s["context"] is JsonObject ctx)
            foreach (var (key, value) in ctx)
                context.Set(key, value is JsonArray arr ? arr.Select(x => Scalar(x!)).ToArray() : [Scalar(value!)]);
        trust = s["trust"] is { } t ? Policy(file, t, PolicyKind.Trust) : null;
        return new EvaluationRequest
        {
            PrincipalArn = principal,
            PrincipalAccount = account,
            PrincipalKind = kind,
            SessionRoleArn = (string?)s["roleArn"],
            Action = (string)s["action"]!,
            Resource = (string?)s["resource"] ?? "*",
            ResourceAccount = (string?)s["resourceAccount"],
            Context = context,
            IdentityPolicies = Policies(file, s["identity"], PolicyKind.Identity),
            PermissionsBoundary = s["boundary"] is { } b ? Policy(file, b, PolicyKind.Identity) : null,
            SessionPolicies = Policies(file, s["session"], PolicyKind.Identity),
            ResourcePolicy = s["resourcePolicy"] is { } r ? Policy(file, r, PolicyKind.Resource) : null,
        };
    }

    private static string Scalar(JsonNode n) => n.GetValueKind() switch
    {
        JsonValueKind.String => (string)n!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => n.ToJsonString(),
    };

    private static PrincipalKind KindOf(string principal)
    {
        if (principal == "*") return PrincipalKind.Anonymous;
        if (!Arn.TryParse(principal, out var arn)) return PrincipalKind.Service;
        if (arn.Resource == "root") return PrincipalKind.Root;
        return arn.Resource.StartsWith("assumed-role/", StringComparison.Ordinal) ? PrincipalKind.AssumedRole : PrincipalKind.User;
    }
}
