namespace LocalShift.E2E.Tests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The repository root: the folder holding LocalShift.slnx above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string ServerDll
    {
        get
        {
#if DEBUG
            const string config = "Debug";
#else
            const string config = "Release";
#endif
            var dll = Path.Combine(Root, "src", "LocalShift.Server", "bin", config, "net10.0", "localshift.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException($"The server was not built: {dll}");
            return dll;
        }
    }

    public static string JsDir => Path.Combine(Root, "tests", "js");

    /// <summary>Debian's awscli; another `aws` may come first on PATH, so tests always use this one.</summary>
    public const string AwsCli = "/usr/bin/aws";

    /// <summary>The interpreter /usr/bin/aws names on its first line, so Python code importing awscli runs the same CLI.</summary>
    public static string AwsCliPython { get; } = File.ReadLines(AwsCli).First().TrimStart('#', '!').Trim();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalShift.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LocalShift.slnx not found above " + AppContext.BaseDirectory);
    }
}
