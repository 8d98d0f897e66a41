using System.Globalization;

namespace LocalShift.Server;

/// <summary>
/// One server per data dir: <c>&lt;data-dir&gt;/localshift.pid</c> holds the owner's process id under an OS lock kept
/// for the life of the server. A second server on the same dir would otherwise answer as if it were alone while its
/// start-up sweep deleted the first one's in-flight uploads. The lock is the kernel's, so a server killed with
/// <c>kill -9</c> leaves a file but no lock, and the next start takes it over.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    public const string FileName = "localshift.pid";

    private readonly FileStream _file;

    private DataDirLock(FileStream file) => _file = file;

    /// <summary>Takes the data dir, or throws a <see cref="StartupException"/> naming the process that has it.</summary>
    public static DataDirLock Acquire(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        // On Linux and Windows: a shared opening, then a record lock (fcntl on Unix), so the file stays readable and
        // the server refused can say whose it is. A record lock is dropped when its process closes any handle on the
        // file, so this one handle is the only one the owner ever opens. macOS has no record lock in .NET: there the
        // opening itself is exclusive (flock), and the refused server cannot read the pid.
        var exclusive = OperatingSystem.IsMacOS();
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = exclusive ? FileShare.None : FileShare.ReadWrite,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException e) when (exclusive)
        {
            throw InUse(dataDir, path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"the data dir '{dataDir}' is not usable: cannot open {FileName}: {e.Message}", e);
        }
        if (!exclusive)
        {
            try
            {
                if (!OperatingSystem.IsMacOS()) file.Lock(0, 1);
            }
            catch (IOException e)
            {
                file.Dispose();
                throw InUse(dataDir, path, e);
            }
        }
        file.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        file.Write(pid);
        file.Flush(flushToDisk: true);
        return new DataDirLock(file);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static StartupException InUse(string dataDir, string path, Exception e) =>
        new($"data dir {dataDir} is in use by process {ReadOwner(path)}. Stop that server, or choose another data dir with --data-dir or LOCALSHIFT_DATA_DIR.", e);

    /// <summary>The pid the owner wrote, or "unknown" if it has not written it yet.</summary>
    private static string ReadOwner(string path)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var text = reader.ReadToEnd().Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid.ToString(CultureInfo.InvariantCulture) : "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    public void Dispose() => _file.Dispose();
}
