namespace LocalShift.E2E.Tests.Infrastructure;

/// <summary>
/// Files the tests hand to the CLI (policy documents, deployment packages) live in one folder per test process,
/// <c>/tmp/localshift-e2e-files-&lt;pid&gt;</c>. The test host is killed when a run ends, so nothing at exit can be relied
/// on to delete it: each run first deletes the folders of runs whose process is gone, so at most one run's files are
/// ever left behind.
/// </summary>
public static class TestFiles
{
    private const string Prefix = "localshift-e2e-files-";
    private static readonly Lazy<string> RootFolder = new(Create);

    /// <summary>A fresh path in this run's folder: <paramref name="prefix"/>, a unique part, then <paramref name="extension"/>.</summary>
    public static string NewPath(string prefix, string extension = "") =>
        Path.Combine(RootFolder.Value, prefix + Guid.NewGuid().ToString("N")[..12] + extension);

    private static string Create()
    {
        foreach (var old in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(old)[Prefix.Length..], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                try { Directory.Delete(old, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        var root = Path.Combine(Path.GetTempPath(), Prefix + Environment.ProcessId);
        Directory.CreateDirectory(root);
        return root;
    }
}
