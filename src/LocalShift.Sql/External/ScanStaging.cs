namespace LocalShift.Sql.External;

/// <summary>
/// A session's staged objects kept from one statement over external tables to the next: when a statement reads an
/// object whose GetObject (authorized and logged as the role, as at every statement) returns the very file of the
/// store the previous statement's link was made to, the link is used again instead of a new one. Only the link is
/// kept, never a decision: the object is still listed, read and decided on each time.
/// </summary>
/// <remarks>
/// The store writes each object's bytes once, under a fresh random blob name, and never writes into a blob again
/// (<c>BlobFiles</c>): the blob's name identifies its bytes. A link is kept for its object's key and blob name, so the
/// same link path always holds the same bytes, and a statement text naming only kept links can come again and be run
/// as the engine's prepared query (<see cref="ExternalScan.Repeatable"/>). A link not used by the current or the
/// previous statement is deleted (off the statement's path), so the session holds at most two statements' objects, as
/// before it held one until the next statement started; the rest go when the session ends (and the engine clears its
/// staging folder of leftovers when it starts).
/// </remarks>
public sealed class ScanStaging : IDisposable
{
    private readonly Dictionary<(string Bucket, string Key), (string Blob, string Path, long Statement)> _links = [];
    private string? _folder;
    private long _statement;

    /// <summary>How many links are kept (tests).</summary>
    public int Count => _links.Count;

    /// <summary>Starts a statement's staging: links the previous statement did not use are deleted.</summary>
    public void Begin()
    {
        _statement++;
        List<(string, string)>? stale = null;
        foreach (var (key, link) in _links)
            if (link.Statement < _statement - 1)
                (stale ??= []).Add(key);
        if (stale is null) return;
        var files = new List<string>(stale.Count);
        foreach (var key in stale)
        {
            files.Add(_links[key].Path);
            _links.Remove(key);
        }
        Delete(files);
    }

    /// <summary>The session's folder for kept links, under the engine's staging folder.</summary>
    internal string Folder(string stagingDirectory)
    {
        if (_folder is null || !Directory.Exists(_folder))
        {
            _folder = Path.Combine(stagingDirectory, "ext-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            _links.Clear();
        }
        return _folder;
    }

    /// <summary>
    /// The store's blob an object body is (the name it was opened by), or null when the body is not a file of the
    /// store opened by name (then nothing is kept).
    /// </summary>
    internal static string? BlobOf(Stream body) =>
        body is FileStream file && OperatingSystem.IsLinux() && Path.IsPathFullyQualified(file.Name) ? file.Name : null;

    /// <summary>
    /// The kept link of an object whose body is <paramref name="blob"/> (of <paramref name="size"/> bytes), marked used
    /// by this statement; null if none (or the kept file is gone or not of that size).
    /// </summary>
    internal string? Find(string bucket, string key, string blob, long size)
    {
        if (!_links.TryGetValue((bucket, key), out var link) || link.Blob != blob) return null;
        var file = new FileInfo(link.Path);
        if (!file.Exists)
        {
            _links.Remove((bucket, key));
            return null;
        }
        // Never for one blob; were it so, a new link is made and replaces this one (Add).
        if (file.Length != size) return null;
        _links[(bucket, key)] = link with { Statement = _statement };
        return link.Path;
    }

    /// <summary>Keeps a link just made to an object's blob (deleting the one kept for an older blob of the key).</summary>
    internal void Add(string bucket, string key, string blob, string path)
    {
        if (_links.TryGetValue((bucket, key), out var old) && old.Path != path) Delete([old.Path]);
        _links[(bucket, key)] = (blob, path, _statement);
    }

    private static void Delete(List<string> files) =>
        ThreadPool.UnsafeQueueUserWorkItem(static list =>
        {
            foreach (var file in list)
                try { File.Delete(file); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
        }, files, preferLocal: false);

    /// <summary>Deletes every kept link and the session's folder (off the caller's path).</summary>
    public void Dispose()
    {
        _links.Clear();
        if (_folder is not { } folder) return;
        _folder = null;
        ThreadPool.UnsafeQueueUserWorkItem(static f =>
        {
            try { Directory.Delete(f, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }, folder, preferLocal: false);
    }
}
