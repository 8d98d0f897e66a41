using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>A deployment package built the way a user builds one: files in a folder, then <c>zip</c>.</summary>
public static class FunctionPackage
{
    public const string LambdaTrust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>Zips the files (name → content) and returns the zip's path, in the run's folder of <see cref="TestFiles"/>.</summary>
    public static async Task<string> ZipAsync(params (string Name, string Content)[] files)
    {
        var dir = TestFiles.NewPath("fn-");
        Directory.CreateDirectory(dir);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content);
            if (name == "bootstrap" && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
        var zip = Path.Combine(dir, "function.zip");
        (await ProcessRunner.RunAsync("zip", ["-q", "-r", zip, .. files.Select(f => f.Name)], null, dir)).EnsureSuccess();
        return zip;
    }

    /// <summary>Creates a role that trusts Lambda, with an inline policy when given; returns its ARN.</summary>
    public static async Task<string> RoleAsync(LocalShiftServer server, string name, string? policy = null, string trust = LambdaTrust)
    {
        (await server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)).EnsureSuccess();
        if (policy is not null)
            (await server.AwsAsync("iam", "put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", policy)).EnsureSuccess();
        return $"arn:aws:iam::{LocalShiftServer.AccountId}:role/{name}";
    }

    /// <summary>Polls until the process is gone or the deadline passes.</summary>
    public static async Task<bool> ProcessGoneAsync(int pid, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z") return true;
            await Task.Delay(50);
        }
        return false;
    }
}
