using System.Runtime.InteropServices;

namespace LocalShift.Server;

/// <summary>
/// The data dir holds IAM secret keys and session tokens in clear (SigV4 needs them), password hashes and every
/// object and table: nothing in it is for other users of the machine. As PostgreSQL's postmaster does, the server
/// sets its umask to 077 before it creates anything, so every file it or its libraries create (SQLite's database and
/// WAL, DuckDB's warehouses, objects, staging folders) is its owner's only; the data dir itself is made 0700, which
/// also closes files an older version left readable.
/// </summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Before the data dir is created: files and folders created from now on are 0600 and 0700.</summary>
    public static void RestrictNewFiles()
    {
        if (OperatingSystem.IsWindows()) return;
        _ = umask(0b000_111_111);
    }

    /// <summary>Creates the data dir 0700, or makes an existing one 0700.</summary>
    public static void CreateDataDir(string dataDir)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDir);
            return;
        }
        Directory.CreateDirectory(dataDir, DirectoryMode);
        if (File.GetUnixFileMode(dataDir) != DirectoryMode) File.SetUnixFileMode(dataDir, DirectoryMode);
    }

    // DllImport rather than LibraryImport: the signature is blittable, and the project allows no unsafe code.
    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint umask(uint mask);
}
