using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>The steps of the user story, through the real clients: IAM roles and clusters with /usr/bin/aws, SQL with psql.</summary>
public sealed class RoleStory(LocalShiftServer server)
{
    public const string Account = LocalShiftServer.AccountId;
    public const string Password = "Passw0rdLocal";
    public const string RedshiftTrust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    public LocalShiftServer Server => server;

    public static string RoleArn(string name) => $"arn:aws:iam::{Account}:role/{name}";

    public static string S3Policy(string bucket, params string[] actions) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new object[]
        {
            new { Effect = "Allow", Action = actions, Resource = new[] { $"arn:aws:s3:::{bucket}", $"arn:aws:s3:::{bucket}/*" } },
        },
    });

    public async Task<string> CreateRoleAsync(string name, string? trust = null, string? policy = null)
    {
        (await server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust ?? RedshiftTrust)).EnsureSuccess();
        if (policy is not null)
            (await server.AwsAsync("iam", "put-role-policy", "--role-name", name, "--policy-name", "s3", "--policy-document", policy)).EnsureSuccess();
        return RoleArn(name);
    }

    /// <summary>Creates a cluster and waits until it is available (and, when asked, every role in-sync); returns its SQL port.</summary>
    public async Task<int> CreateClusterAsync(string id, string[] roles, string? defaultRole = null, bool waitRoles = true)
    {
        var args = new List<string> { "redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password, "--cluster-type", "single-node" };
        if (roles.Length > 0) { args.Add("--iam-roles"); args.AddRange(roles); }
        if (defaultRole is not null) { args.Add("--default-iam-role-arn"); args.Add(defaultRole); }
        (await server.AwsAsync([.. args])).EnsureSuccess();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var c = (await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id)).Json().GetProperty("Clusters")[0];
            var ready = c.GetProperty("ClusterStatus").GetString() == "available"
                && (!waitRoles || c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"));
            if (ready) return c.GetProperty("Endpoint").GetProperty("Port").GetInt32();
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster {id} not ready: {c}");
            await Task.Delay(200);
        }
    }

    public async Task MakeBucketAsync(string bucket, params (string Key, string Body)[] objects)
    {
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).EnsureSuccess();
        foreach (var (key, body) in objects)
        {
            var file = Path.Combine(Path.GetTempPath(), "localshift-e2e-" + Guid.NewGuid().ToString("N"));
            await File.WriteAllTextAsync(file, body);
            try { (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/{key}")).EnsureSuccess(); }
            finally { File.Delete(file); }
        }
    }

    public async Task PutAsync(string bucket, string key, byte[] body)
    {
        var file = Path.Combine(Path.GetTempPath(), "localshift-e2e-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, body);
        try { (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/{key}")).EnsureSuccess(); }
        finally { File.Delete(file); }
    }

    public async Task<string> ReadAsync(string bucket, string key) =>
        (await server.AwsAsync("s3", "cp", $"s3://{bucket}/{key}", "-")).EnsureSuccess().Stdout.Replace("\r", "");

    /// <summary>An object's bytes, through aws s3 cp to a scratch file.</summary>
    public async Task<byte[]> ReadBytesAsync(string bucket, string key)
    {
        var file = Path.Combine(Path.GetTempPath(), "localshift-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            (await server.AwsAsync("s3", "cp", $"s3://{bucket}/{key}", file)).EnsureSuccess();
            return await File.ReadAllBytesAsync(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The keys under a prefix (the CLI prints nothing at all for an empty listing).</summary>
    public async Task<List<string>> KeysAsync(string bucket, string prefix)
    {
        var r = (await server.AwsAsync("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix)).EnsureSuccess();
        if (r.Stdout.Trim().Length == 0) return [];
        return r.Json() is var j && j.TryGetProperty("Contents", out var c)
            ? c.EnumerateArray().Select(o => o.GetProperty("Key").GetString()!).ToList() : [];
    }

    /// <summary>psql -c for each statement, stopping at the first error; unaligned tuples-only output.</summary>
    public Task<CommandResult> PsqlAsync(int port, params string[] statements) => PsqlAsAsync(port, "admin", Password, statements);

    public Task<CommandResult> PsqlAsAsync(int port, string user, string password, params string[] statements)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(), "-U", user, "-d", "dev", "-v", "ON_ERROR_STOP=1", "-At", "-X" };
        foreach (var s in statements) { args.Add("-c"); args.Add(s); }
        return ProcessRunner.RunAsync("/usr/bin/psql", args, new Dictionary<string, string?> { ["PGPASSWORD"] = password, ["PGCONNECT_TIMEOUT"] = "10" });
    }
}
