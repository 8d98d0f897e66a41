using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's staging: the S3 objects (or a manifest's) into the engine's staging folder, decoded and rewritten where the engine's readers need it.</summary>
public sealed partial class CopyRunner
{
    /// <summary>The SQL/JSON paths of a JSONPaths file, in column order (null for JSON 'auto').</summary>
    private List<string>? _jsonPaths;

    /// <summary>
    /// BZIP2 and ZSTD (and GZIP with ACCEPTINVCHARS or another encoding) are decompressed here while staging, so every
    /// reader and the sorting of rejects see the text itself; DuckDB reads plain GZIP itself, and the staged file is
    /// decompressed again only to sort rejects or find blanks around quotes.
    /// </summary>
    private bool DecodesInProcess => copy.Compression is Compression.Bzip2 or Compression.Zstd
        || copy.Compression == Compression.Gzip && (copy.AcceptInvChars is not null || copy.Encoding != SourceEncoding.Utf8);

    /// <summary>
    /// DuckDB may read the object's bytes as they are: nothing to decompress here, and no UTF-8 repair asked for (DuckDB
    /// checks UTF-8 itself; a failure is then located by <see cref="LocateInvalidUtf8"/>).
    /// </summary>
    private bool StagesAsIs => !DecodesInProcess && (copy.Format == CopyFormat.Parquet || copy.AcceptInvChars is null && copy.Encoding == SourceEncoding.Utf8);

    /// <summary>How the engine's reader is to decompress the staged files (only GZIP left as it came is its to decompress).</summary>
    private FileCompression StagedCompression => !DecodesInProcess && !_quotesRewritten && copy.Compression == Compression.Gzip ? FileCompression.Gzip : FileCompression.None;

    /// <summary>Streams every object of the prefix (or the manifest) into a local file.</summary>
    private async Task<List<StagedFile>> StageAsync(string folder, CancellationToken ct)
    {
        var sources = new List<(string Bucket, string Key)>();
        if (copy.Manifest)
        {
            foreach (var (url, mandatory) in await ManifestAsync(ct))
            {
                var location = S3Location.Parse(url);
                var present = (await s3.ListAsync(location, ct)).Any(o => o.Key == location.Key);
                if (present) sources.Add((location.Bucket, location.Key));
                else if (mandatory)
                    throw new PgException(SqlState.InternalError, $"Manifest file is not valid: mandatory entry {url} does not exist in S3");
            }
        }
        else
        {
            var objects = await s3.ListAsync(copy.Source, ct);
            sources.AddRange(objects.Where(o => !(o.Key.EndsWith('/') && o.Size == 0)).Select(o => (o.Bucket, o.Key)));
            if (sources.Count == 0)
                throw new PgException(SqlState.InternalError, $"The specified S3 prefix '{copy.Source.Key}' does not exist",
                    detail: $"\n  -----------------------------------------------\n  error:  The specified S3 prefix '{copy.Source.Key}' does not exist\n  code:      8001\n  context:   {copy.Source}\n  localshift: no object of bucket {copy.Source.Bucket} has a key starting with '{copy.Source.Key}'\n  -----------------------------------------------");
        }
        var extension = StagedCompression == FileCompression.Gzip ? ".gz" : "";
        var staged = new List<StagedFile>();
        foreach (var (bucket, key) in sources)
        {
            var body = await s3.OpenReadAsync(bucket, key, ct);
            var path = Path.Combine(folder, $"{staged.Count:D6}{(copy.Format == CopyFormat.Parquet ? ".parquet" : ".data")}{extension}");
            if (StagesAsIs && ObjectStaging.OpenBlobPath(body) is not null)
            {
                // The store's own file, hard-linked into this COPY's folder (no copy: a 300 MB copy costs about a tenth
                // of the load); see ObjectStaging for why this is safe.
                await using (body)
                {
                    if (body.Length == 0) continue;
                    ObjectStaging.Stage(body, path, ct);
                }
                staged.Add(new StagedFile(path, $"s3://{bucket}/{key}"));
                continue;
            }
            try
            {
                await using var decoded = Decoded(body, $"s3://{bucket}/{key}");
                await using var file = File.Create(path);
                await decoded.CopyToAsync(file, ct);
            }
            catch (Exception e) when (copy.Compression != Compression.None
                && e is InvalidDataException or EndOfStreamException or ZstdSharp.ZstdException or ICSharpCode.SharpZipLib.SharpZipBaseException)
            {
                // unverified: Redshift's code and text for an object that is not in the COPY's compression format.
                var reason = $"Failed to decompress the {copy.Compression.ToString().ToUpperInvariant()} object: {e.Message}";
                RecordErrors([new LoadError($"s3://{bucket}/{key}", 0, "", "", "", "", 1200, reason)]);
                throw LoadFailed(reason);
            }
            if (new FileInfo(path).Length == 0) { File.Delete(path); continue; }
            staged.Add(new StagedFile(path, $"s3://{bucket}/{key}"));
        }
        if (staged.Count == 0) throw new PgException(SqlState.InternalError, $"Load into table '{DisplayName}' failed: every source object is empty");
        return staged;
    }

    /// <summary>
    /// An S3 object's body as it is staged: BZIP2 decompressed (GZIP too with ACCEPTINVCHARS), and for text formats
    /// checked as UTF-8 on the way (invalid bytes replaced with ACCEPTINVCHARS, or the load fails with error 1220).
    /// </summary>
    private Stream Decoded(Stream body, string url)
    {
        if (copy.Compression == Compression.Bzip2) body = new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(body) { IsStreamOwner = true };
        else if (copy.Compression == Compression.Zstd) body = new ZstdSharp.DecompressionStream(body);
        else if (copy.Compression == Compression.Gzip && DecodesInProcess) body = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
        if (copy.Format == CopyFormat.Parquet || StagedCompression != FileCompression.None) return body;
        if (copy.Encoding != SourceEncoding.Utf8) return Utf16Source.Open(body, copy.Encoding, url);
        // Under MAXERROR the reader sets each text or CSV record holding invalid UTF-8 aside (error 1220 at its line)
        // while the others load, as it does for objects staged as they are; so the bytes are staged unchecked.
        if (copy.AcceptInvChars is null && ReaderSortsInvalidUtf8) return body;
        var check = new Utf8CheckingStream(body, copy.AcceptInvChars, url);
        if (copy.AcceptInvChars is not null) _checks.Add((url, check));
        return check;
    }

    /// <summary>Invalid UTF-8 is left for the reader, which rejects its records one by one (MAXERROR on text and CSV).</summary>
    private bool ReaderSortsInvalidUtf8 => copy.MaxError > 0 && copy.Format is CopyFormat.Text or CopyFormat.Csv && !copy.NoLoad;

    /// <summary>The UTF-8 checks of the staged objects, for stl_replacements.</summary>
    private readonly List<(string Url, Utf8CheckingStream Check)> _checks = [];

    /// <summary>
    /// ACCEPTINVCHARS: one stl_replacements row per line whose invalid UTF-8 was replaced (the line as loaded), naming the
    /// column of the first field that held a replaced character (empty for JSON, whose lines are not fields).
    /// </summary>
    private void RecordReplacements(List<StagedFile> files, List<TargetColumn> columns)
    {
        var rows = new List<(string Url, long Line, string RawLine, string Column)>();
        foreach (var (url, check) in _checks)
        {
            if (check.ReplacedLines.Count == 0 || files.FirstOrDefault(f => f.Url == url) is not { } file) continue;
            var wanted = new Dictionary<long, int>();
            for (var i = 0; i < check.ReplacedLines.Count; i++) wanted[check.ReplacedLines[i]] = check.FirstReplacedAt[i];
            using var reader = new StreamReader(OpenStaged(file.Path), System.Text.Encoding.UTF8);
            long number = 0;
            while (number < check.ReplacedLines[^1] && reader.ReadLine() is { } text)
                if (wanted.TryGetValue(++number, out var at))
                    rows.Add((url, number, text, FieldAt(text, at) is { } k && k < columns.Count ? columns[k].Name : ""));
        }
        if (rows.Count > 0) LoadErrors.RecordReplacements(context.Engine, context.QueryId, _tableId, _session, rows);
    }

    /// <summary>
    /// The index of the field holding the byte at <paramref name="byteOffset"/> of a line (null where lines are not
    /// records of fields: JSON and Parquet). Text counts unescaped delimiters, CSV delimiters outside quotes,
    /// FIXEDWIDTH the spec's widths in characters.
    /// </summary>
    private int? FieldAt(string line, int byteOffset)
    {
        if (copy.Format is CopyFormat.Json or CopyFormat.Parquet) return null;
        var bytes = System.Text.Encoding.UTF8.GetBytes(line);
        var prefix = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(byteOffset, bytes.Length));
        if (copy.Format == CopyFormat.FixedWidth)
        {
            var end = 0;
            for (var i = 0; i < copy.FixedWidths.Count; i++)
                if (prefix.Length < (end += copy.FixedWidths[i].Width)) return i;
            return copy.FixedWidths.Count - 1;
        }
        var delimiter = copy.Delimiter ?? (copy.Format == CopyFormat.Csv ? "," : "|");
        var quote = copy.Format == CopyFormat.Csv ? copy.Quote : null;
        var field = 0;
        var quoted = false;
        for (var i = 0; i < prefix.Length; i++)
        {
            if (copy.Escape && quote is null && prefix[i] == '\\') { i++; continue; }
            if (quote is not null && prefix[i] == quote[0]) { quoted = !quoted; continue; }
            if (!quoted && string.CompareOrdinal(prefix, i, delimiter, 0, delimiter.Length) == 0)
            {
                field++;
                i += delimiter.Length - 1;
            }
        }
        return field;
    }

    /// <summary>
    /// Reads a JSONPaths file (through the same role session as the data) and turns its expressions into DuckDB paths.
    /// A file whose object has no "jsonpaths" member makes COPY map keys as with 'auto', as in Redshift.
    /// </summary>
    private async Task<List<string>?> JsonPathsAsync(S3Location file, int columns, CancellationToken ct)
    {
        JsonDocument json;
        await using (var body = await s3.OpenReadAsync(file.Bucket, file.Key, ct))
        {
            try { json = await JsonDocument.ParseAsync(body, cancellationToken: ct); }
            catch (JsonException e)
            {
                throw new PgException(SqlState.InternalError, $"Invalid JSONPath format: the JSONPaths file {file} is not valid JSON ({e.Message})");
            }
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw new PgException(SqlState.InternalError, $"Invalid JSONPath format: the JSONPaths file {file} must hold one object with a \"jsonpaths\" array");
            if (!json.RootElement.TryGetProperty("jsonpaths", out var array)) return null;
            if (array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new PgException(SqlState.InternalError, "Invalid JSONPath format: \"jsonpaths\" must be an array of JSONPath expressions");
            var paths = array.EnumerateArray().Select(e => JsonPathExpression.ToSqlJsonPath(e.GetString()!)).ToList();
            if (paths.Count != columns)
                throw new PgException(SqlState.InternalError,
                    $"Number of jsonpaths and the number of columns should match. JSONPath size: {paths.Count}, Number of columns in table or column list: {columns}");
            return paths;
        }
    }

    private async Task<List<(string Url, bool Mandatory)>> ManifestAsync(CancellationToken ct)
    {
        await using var body = await s3.OpenReadAsync(copy.Source.Bucket, copy.Source.Key, ct);
        try
        {
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            return json.RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => (e.GetProperty("url").GetString()!, e.TryGetProperty("mandatory", out var m) && m.ValueKind == JsonValueKind.True))
                .ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PgException(SqlState.InternalError, $"Manifest file is not in correct json format: {copy.Source}");
        }
    }

    /// <summary>Whether a file holds these bytes anywhere (a vectorized search over 1 MiB blocks).</summary>
    private static bool Contains(string path, byte[] needle)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return ContainsAny(file, [needle]);
    }

    /// <summary>Whether a stream holds any of these byte strings (one pass of vectorized searches over 1 MiB blocks).</summary>
    private static bool ContainsAny(Stream stream, byte[][] needles) => Find(stream, needles, needles.Length).Any(found => found);

    /// <summary>
    /// Which of these byte strings a stream holds, in one pass of vectorized searches over 1 MiB blocks; the pass ends
    /// early once one of the first <paramref name="decisive"/> of them is found (the others' answers are then partial).
    /// </summary>
    private static bool[] Find(Stream stream, byte[][] needles, int decisive)
    {
        var found = new bool[needles.Length];
        var longest = needles.Max(n => n.Length);
        var buffer = new byte[(1 << 20) + longest];
        var carried = 0;
        int read;
        while ((read = stream.Read(buffer, carried, buffer.Length - carried)) > 0)
        {
            var filled = carried + read;
            for (var i = 0; i < needles.Length; i++)
                if (!found[i] && buffer.AsSpan(0, filled).IndexOf(needles[i]) >= 0)
                {
                    found[i] = true;
                    if (i < decisive) return found;
                }
            carried = Math.Min(longest - 1, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
        }
        return found;
    }

    /// <summary>
    /// Per staged file (as DuckDB reads it, uncompressed), whether it holds the NULL AS string anywhere: learnt by
    /// <see cref="QuoteRewrite"/>'s scan, so that <see cref="EmptyFieldsAsNull"/> does not read the file again.
    /// </summary>
    private readonly Dictionary<string, bool> _holdsNullString = new(StringComparer.Ordinal);

    /// <summary>The staged files were rewritten by <see cref="QuotedFields"/> (uncompressed).</summary>
    private bool _quotesRewritten;

    /// <summary>
    /// Whether the files need <see cref="QuotedFields"/>: REMOVEQUOTES text always; CSV only when a blank touches a
    /// quote somewhere (a cheap scan, of the decompressed bytes for GZIP; ZSTD, which only the engine decompresses, is
    /// read as it is).
    /// </summary>
    private QuotedFields.Mode? QuoteRewrite(List<StagedFile> files)
    {
        var delimiter = copy.Delimiter ?? (copy.Format == CopyFormat.Csv ? "," : "|");
        if (delimiter.Length != 1 || delimiter[0] > 127 || copy.Quote.Length != 1 || copy.Quote[0] > 127) return null;
        if (copy.Format == CopyFormat.Text && copy.RemoveQuotes && !copy.Escape && copy.Quote == "\"") return QuotedFields.Mode.RemoveQuotes;
        if (copy.Format != CopyFormat.Csv) return null;
        var q = (byte)copy.Quote[0];
        byte[][] needles = delimiter == "\t" ? [[(byte)' ', q], [q, (byte)' ']] : [[(byte)' ', q], [q, (byte)' '], [(byte)'\t', q], [q, (byte)'\t']];
        // The same pass looks for the NULL AS string, which the typed first attempt asks about (EmptyFieldsAsNull).
        var nulls = copy.NullAs ?? "\\N";
        var nullNeedle = nulls.Length > 0 && !copy.FillRecord && StagedCompression == FileCompression.None ? System.Text.Encoding.UTF8.GetBytes(nulls) : null;
        return files.Any(f =>
        {
            using var staged = OpenStaged(f.Path);
            if (nullNeedle is null) return ContainsAny(staged, needles);
            var found = Find(staged, [.. needles, nullNeedle], needles.Length);
            if (found.AsSpan(0, needles.Length).Contains(true)) return true;
            _holdsNullString[f.Path] = found[^1];
            return false;
        }) ? QuotedFields.Mode.CsvBlanks : null;
    }

    private List<StagedFile> RewriteQuotes(List<StagedFile> files, QuotedFields.Mode mode, CancellationToken ct)
    {
        var delimiter = (byte)(copy.Delimiter ?? (copy.Format == CopyFormat.Csv ? "," : "|"))[0];
        var rewrite = new QuotedFields(mode, delimiter, (byte)copy.Quote[0], copy.IgnoreHeader, copy.Columns?.Count ?? ColumnsCount());
        var result = new List<StagedFile>(files.Count);
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            var path = file.Path + ".quoted.csv";
            using (var input = OpenStaged(file.Path))
            using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                rewrite.Rewrite(input, output);
            if (rewrite.Unclosed.Count > 0) _unclosedQuotes[path] = new Dictionary<long, string>(rewrite.Unclosed);
            result.Add(file with { Path = path });
        }
        _quotesRewritten = true;
        return result;
    }

    /// <summary>REMOVEQUOTES: per rewritten file, the lines whose opening quote never closes (and their text).</summary>
    private readonly Dictionary<string, Dictionary<long, string>> _unclosedQuotes = new(StringComparer.Ordinal);

    /// <summary>Text with ESCAPE: each staged file rewritten as CSV (see <see cref="EscapedText"/>), beside it.</summary>
    private List<(string Csv, string Original)>? _escapedAsCsv;

    private void RewriteEscapedText(List<StagedFile> files, CancellationToken ct)
    {
        var rewrite = new EscapedText(copy.Delimiter ?? "|", copy.NullAs ?? "\\N", copy.Columns?.Count ?? ColumnsCount(), copy.IgnoreHeader, copy.NullAs is null, copy.RemoveQuotes,
            numbered: true, fillRecord: copy.FillRecord);
        _escapedAsCsv = [];
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            var csv = file.Path + ".csv";
            using (var input = OpenStaged(file.Path))
            using (var output = new FileStream(csv, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                rewrite.Rewrite(input, output);
            _escapedAsCsv.Add((csv, file.Path));
        }
    }

    /// <summary>A staged file's bytes as the engine's reader would read them (GZIP left for it is decompressed here).</summary>
    private Stream OpenStaged(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return StagedCompression == FileCompression.Gzip ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
    }
}
