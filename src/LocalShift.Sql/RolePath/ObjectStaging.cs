namespace LocalShift.Sql.RolePath;

/// <summary>
/// An S3 object body made a file of the engine's staging folder without copying its bytes: the store keeps each
/// object as a file, and the body a GetObject returns is that file opened by this process, so a hard link to it
/// (through <c>/proc/self/fd/N</c>) gives the engine the very version the call authorized, even if the object is
/// replaced or deleted meanwhile. COPY and the external-table scan stage objects this way.
/// </summary>
public static class ObjectStaging
{
    /// <summary>
    /// Stages <paramref name="body"/> at <paramref name="path"/>: a hard link to the store's file, else (another
    /// filesystem, a file already unlinked) a kernel copy of it, else a streamed copy. DuckDB refuses symbolic links
    /// out of its staging folder, hence no symlink. A hard link shares the store's file, so a statement writing into the
    /// staging folder could write into it: no user statement can (the parser admits no engine statement that writes
    /// files, and UNLOAD writes only fresh names in a folder of its own), and the link is gone when the statement ends.
    /// </summary>
    /// <returns>Whether the bytes were linked rather than copied.</returns>
    public static bool Stage(Stream body, string path, CancellationToken ct = default)
    {
        if (OpenBlobPath(body) is { } open)
        {
            if (HardLink(open, path)) return true;
            File.Copy(open, path);
            return false;
        }
        using var file = File.Create(path);
        body.CopyToAsync(file, ct).GetAwaiter().GetResult();
        return false;
    }

    /// <summary>
    /// A path for an object body that is a file of the store: <c>/proc/self/fd/N</c> on Linux, which reopens the very
    /// file this process holds open (even if it has since been unlinked). Null elsewhere: stream it instead.
    /// </summary>
    public static string? OpenBlobPath(Stream body)
    {
        if (body is not FileStream file || !OperatingSystem.IsLinux() || file.SafeFileHandle.IsInvalid) return null;
        var path = $"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}";
        return File.Exists(path) ? path : null;
    }

    /// <summary>A hard link at <paramref name="path"/> to the file <paramref name="open"/> (a /proc/self/fd path) names; false if one cannot be made.</summary>
    public static bool HardLink(string open, string path) =>
        OperatingSystem.IsLinux() && LinkAt(AtFdCwd, open, AtFdCwd, path, AtSymlinkFollow) == 0;

    private const int AtFdCwd = -100;
    private const int AtSymlinkFollow = 0x400;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "linkat", SetLastError = true)]
    private static extern int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);
}
