using System.Runtime.Versioning;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>
/// The data dir holds IAM secrets and session tokens in clear, password hashes, objects and tables: nothing in it may
/// be readable by other users of the machine. Folders are 0700, files 0600.
/// </summary>
[UnsupportedOSPlatform("windows")]
public class DataDirPermissionTests
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Nothing_the_server_writes_is_readable_by_other_users()
    {
        // A data dir that exists already, open to everyone, as an older version or a user's mkdir left it.
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-modes-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            await using (var server = await LocalShiftServer.StartAsync(dataDir))
            {
                var story = new RoleStory(server);
                await story.MakeBucketAsync("modes", ("secret.txt", "hello"));
                Assert.Equal(0, (await server.AwsAsync("iam", "create-user", "--user-name", "modes")).ExitCode);
                Assert.Equal(0, (await server.AwsAsync("iam", "create-access-key", "--user-name", "modes")).ExitCode);
                var port = await story.CreateClusterAsync("modes", []);
                var created = await story.PsqlAsync(port, "create table t(a int)", "insert into t values (1)");
                Assert.True(created.ExitCode == 0, created.ToString());

                Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(dataDir));
                var files = Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories);
                Assert.Contains(files, f => Path.GetFileName(f) == "state.db");
                Assert.Contains(files, f => f.EndsWith(".duckdb", StringComparison.Ordinal));
                Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}s3{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
                var open = files.Concat(Directory.GetDirectories(dataDir, "*", SearchOption.AllDirectories))
                    .Where(f => (File.GetUnixFileMode(f) & Others) != 0)
                    .Select(f => $"{Path.GetRelativePath(dataDir, f)} {File.GetUnixFileMode(f)}")
                    .ToList();
                Assert.Empty(open);
            }
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }
}
