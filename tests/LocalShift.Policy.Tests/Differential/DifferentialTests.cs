using System.Text.Json.Nodes;
using LocalShift.Policy.Evaluation;
using Xunit.Abstractions;

namespace LocalShift.Policy.Tests.Differential;

/// <summary>Skips, saying why, when the oracle (node + tests/oracle/node_modules) is not installed.</summary>
public sealed class OracleFactAttribute : FactAttribute
{
    public OracleFactAttribute()
    {
        if (OracleProcess.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>
/// Differential test: thousands of seeded random policy/request combinations decided by LocalShift and by
/// @cloud-copilot/iam-simulate (separate process). Every disagreement must be listed in <see cref="KnownDifferences"/>
/// with the AWS documentation that supports LocalShift's answer.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    // Fixed by default so CI is reproducible; LOCALSHIFT_DIFF_SEED / LOCALSHIFT_DIFF_COUNT explore further.
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("LOCALSHIFT_DIFF_SEED"), out var s) ? s : 20261128;
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("LOCALSHIFT_DIFF_COUNT"), out var n) ? n : 2500;

    [OracleFact]
    public void LocalShift_agrees_with_iam_simulate_on_random_cases()
    {
        var generator = new CaseGenerator(Seed);
        var cases = Enumerable.Range(0, Count).Select(generator.Next).ToArray();
        var answers = OracleProcess.Run(new JsonArray(cases.Select(c => (JsonNode)c.ToOracle()).ToArray()));

        var errors = new List<string>();
        var unexplained = new List<string>();
        var explained = new Dictionary<string, int>();
        var tally = new Dictionary<string, int>();
        var rewrites = new List<(int Index, string Reason, DiffCase Rewritten, string Ours)>();
        for (var i = 0; i < cases.Length; i++)
        {
            var oracle = (string)answers[i]!["result"]!;
            if (oracle == "Error")
            {
                errors.Add($"#{i}: {answers[i]!["detail"]} {cases[i].Describe()}");
                continue;
            }
            if (answers[i]!["ignored"] is JsonArray { Count: > 0 } ignored)
            {
                errors.Add($"#{i}: the oracle ignored context keys {ignored.ToJsonString()}");
                continue;
            }
            var ours = cases[i].Evaluate();
            var mine = ours.Kind switch
            {
                DecisionKind.Allow => "Allowed",
                DecisionKind.ExplicitDeny => "ExplicitlyDenied",
                _ => "ImplicitlyDenied",
            };
            tally[mine] = tally.GetValueOrDefault(mine) + 1;
            if (mine == oracle) continue;
            if (KnownDifferences.Explain(cases[i], ours, oracle) is { } known)
            {
                rewrites.Add((i, known.Reason, known.Rewritten, mine));
                continue;
            }
            unexplained.Add($"#{i}: LocalShift {mine} ({ours}), iam-simulate {oracle}\n    {cases[i].Describe()}");
        }

        // Each documented difference must disappear once the case is rewritten into the form AWS documents.
        if (rewrites.Count > 0)
        {
            var confirmations = OracleProcess.Run(new JsonArray(rewrites.Select(r => (JsonNode)r.Rewritten.ToOracle()).ToArray()));
            for (var k = 0; k < rewrites.Count; k++)
            {
                var (i, reason, rewritten, mine) = rewrites[k];
                var confirmed = (string)confirmations[k]!["result"]!;
                if (confirmed == mine) explained[reason] = explained.GetValueOrDefault(reason) + 1;
                else unexplained.Add($"#{i}: LocalShift {mine}, iam-simulate {confirmed} even after rewriting for [{reason}]\n    original {cases[i].Describe()}\n    rewritten {rewritten.Describe()}");
            }
        }

        output.WriteLine($"decisions: {string.Join(", ", tally.Select(t => $"{t.Key} {t.Value}"))}");
        foreach (var (reason, n) in explained) output.WriteLine($"documented difference x{n}: {reason}");
        Assert.True(errors.Count == 0, $"{errors.Count} cases the oracle rejected:\n{string.Join("\n", errors.Take(10))}");
        Assert.True(unexplained.Count == 0, $"{unexplained.Count} disagreements:\n{string.Join("\n", unexplained.Take(15))}");
        // Guard against a generator that stops exercising allows or denies.
        Assert.All(["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"], k => Assert.True(tally.GetValueOrDefault(k) > Count / 20, $"too few {k}"));
    }
}
