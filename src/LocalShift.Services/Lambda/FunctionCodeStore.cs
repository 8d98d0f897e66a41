using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;

namespace LocalShift.Services.Lambda;

/// <summary>A deployment package as stored: its SHA-256 (hex names the file; base64 is Lambda's CodeSha256) and size.</summary>
public sealed record StoredCode(string Sha256Hex, string Sha256Base64, long Size);

/// <summary>
/// Deployment packages under <c>&lt;data-dir&gt;/lambda/code/&lt;sha256&gt;.zip</c> (content-addressed, written to a
/// temporary file and renamed), and each package unpacked once into a task folder
/// (<c>&lt;data-dir&gt;/lambda/tasks/&lt;sha256&gt;/</c>) that the function's instances run in.
/// </summary>
public sealed class FunctionCodeStore
{
    private readonly string _codeDir;
    private readonly string _taskDir;
    private readonly ConcurrentDictionary<string, Lazy<string>> _unpacked = new(StringComparer.Ordinal);

    public FunctionCodeStore(string lambdaDir)
    {
        _codeDir = Path.Combine(lambdaDir, "code");
        _taskDir = Path.Combine(lambdaDir, "tasks");
        Directory.CreateDirectory(_codeDir);
        Directory.CreateDirectory(_taskDir);
    }

    /// <summary>Checks that <paramref name="zip"/> is a zip archive and stores it; throws Lambda's unzip error when it is not.</summary>
    public StoredCode Save(byte[] zip)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            _ = archive.Entries.Count;
        }
        catch (InvalidDataException)
        {
            throw LambdaErrors.UnzipFailed();
        }
        var hash = SHA256.HashData(zip);
        var hex = Convert.ToHexStringLower(hash);
        var path = ZipPath(hex);
        if (!File.Exists(path))
        {
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, zip);
            File.Move(temp, path, overwrite: true);
        }
        return new StoredCode(hex, Convert.ToBase64String(hash), zip.Length);
    }

    /// <summary>The folder the package is unpacked in, unpacking it the first time.</summary>
    public string TaskFolder(string sha256Hex) =>
        _unpacked.GetOrAdd(sha256Hex, h => new Lazy<string>(() => Unpack(h))).Value;

    /// <summary>Removes a package nothing uses any more.</summary>
    public void Remove(string sha256Hex)
    {
        _unpacked.TryRemove(sha256Hex, out _);
        try
        {
            File.Delete(ZipPath(sha256Hex));
            var folder = Path.Combine(_taskDir, sha256Hex);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private string ZipPath(string hex) => Path.Combine(_codeDir, hex + ".zip");

    private string Unpack(string hex)
    {
        var folder = Path.Combine(_taskDir, hex);
        if (Directory.Exists(folder)) return folder;
        var staging = folder + "." + Guid.NewGuid().ToString("N") + ".tmp";
        // ZipFile refuses entries that would land outside the folder and restores the Unix permissions the zip recorded.
        ZipFile.ExtractToDirectory(ZipPath(hex), staging);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            Directory.Delete(staging, recursive: true);
        }
        return folder;
    }
}
