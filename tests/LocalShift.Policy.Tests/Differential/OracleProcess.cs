using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LocalShift.Policy.Tests.Differential;

/// <summary>
/// Runs tests/oracle/simulate.mjs (which uses @cloud-copilot/iam-simulate, AGPL) as a separate node process.
/// LocalShift never links the oracle; it only exchanges JSON with it at test time.
/// </summary>
public static class OracleProcess
{
    private static readonly Lazy<string?> OracleDir = new(Locate);

    /// <summary>Why the oracle cannot run, or null when it can.</summary>
    public static string? Unavailable
    {
        get
        {
            if (OracleDir.Value is null)
                return "oracle not installed: run `npm ci --prefix tests/oracle` (needs tests/oracle/node_modules/@cloud-copilot/iam-simulate)";
            return FindNode() is null ? "node is not on PATH" : null;
        }
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "oracle");
            if (Directory.Exists(Path.Combine(candidate, "node_modules", "@cloud-copilot", "iam-simulate")) &&
                File.Exists(Path.Combine(candidate, "simulate.mjs")))
                return candidate;
        }
        return null;
    }

    private static string? FindNode() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "node")).FirstOrDefault(File.Exists);

    /// <summary>Sends the cases, returns one result object per case.</summary>
    public static JsonArray Run(JsonArray cases)
    {
        var psi = new ProcessStartInfo(FindNode()!, ["simulate.mjs"])
        {
            WorkingDirectory = OracleDir.Value!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(cases.ToJsonString());
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            throw new TimeoutException("the oracle did not answer within 3 minutes");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"the oracle failed: {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!.AsArray();
    }
}
