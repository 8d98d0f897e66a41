using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>
/// Runs a COPY: opens each S3 object (one authorized GetObject each) and stages it in the engine's staging folder (the
/// one place DuckDB may read files): the store's file copied by the kernel where it can (Linux), else a streamed copy;
/// then loads them all with one
/// <c>INSERT ... SELECT ... FROM read_csv/read_json/read_parquet(...)</c> — a single statement, so a failed load leaves
/// the table as it was. With MAXERROR, a failed fast load is redone through a staging table that sorts out the rejects.
/// </summary>
public sealed partial class CopyRunner(RedshiftStatementContext context, CopyStatement copy, S3Session s3)
{
    private sealed record TargetColumn(string Name, string Type, ColumnWidth? Width = null)
    {
        public bool IsText => Type.StartsWith("VARCHAR", StringComparison.OrdinalIgnoreCase) || Type.StartsWith("CHAR", StringComparison.OrdinalIgnoreCase)
            || Type.Equals("TEXT", StringComparison.OrdinalIgnoreCase);
    }

    private sealed record StagedFile(string Path, string Url);

    /// <summary>
    /// A record with too few or too many fields: logged under the file and line the engine's message names (the first
    /// file when it names none), and the load fails with Redshift's error 1214.
    /// </summary>
    private PgException FieldCountFailure(List<StagedFile> files, PgException e)
    {
        var line = System.Text.RegularExpressions.Regex.Match(e.Message, @"\(line (\d+):");
        var file = (e.SourceFile is { } path ? files.FirstOrDefault(f => f.Path == path || System.IO.Path.GetFullPath(f.Path) == path) : null) ?? files[0];
        RecordErrors([new LoadError(file.Url, line.Success ? long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
            "", "", "", "", 1214, e.Message)]);
        return LoadFailed(e.Message, 1214);
    }

    private const string StringTooLong = "String length exceeds DDL length";

    private string DisplayName => copy.Table;

    /// <summary>The DuckDB paths of a JSONPaths file, in column order (null for JSON 'auto').</summary>
    private List<string>? _jsonPaths;

    /// <summary>BZIP2 (and GZIP with ACCEPTINVCHARS) is decompressed here while staging; DuckDB reads GZIP and ZSTD itself.</summary>
    private bool DecodesInProcess => copy.Compression == Compression.Bzip2 || copy.Compression == Compression.Gzip && copy.AcceptInvChars is not null;

    /// <summary>
    /// DuckDB may read the object's bytes as they are: nothing to decompress here, and no UTF-8 repair asked for (DuckDB
    /// checks UTF-8 itself; a failure is then located by <see cref="LocateInvalidUtf8"/>).
    /// </summary>
    private bool StagesAsIs => !DecodesInProcess && (copy.Format == CopyFormat.Parquet || copy.AcceptInvChars is null);

    private string DuckDbCompression => DecodesInProcess ? "none" : copy.Compression switch { Compression.Gzip => "gzip", Compression.Zstd => "zstd", _ => "none" };

    public async Task<long> RunAsync(CancellationToken ct = default)
    {
        try
        {
            return await LoadAsync(ct);
        }
        catch (PgException e) when (e.SqlState != SqlState.QueryCanceled && context.Recover is { } recover)
        {
            // A failed load is the session's last COPY too (pg_last_copy_id() finds its rows in stl_load_errors).
            try
            {
                recover();
                LoadErrors.SetLastCount(context.Engine, 0, context.QueryId);
            }
            catch (PgException)
            {
                // The engine cannot take the macros now; the failure itself is what the client needs.
            }
            throw;
        }
    }

    private async Task<long> LoadAsync(CancellationToken ct)
    {
        var schema = copy.Schema ?? "public";
        // An unqualified name finds a temporary table first, as the session's search path does (a staging table of
        // the standard upsert: CREATE TEMP TABLE stage (LIKE t); COPY stage …; MERGE …).
        _temp = copy.Schema is null && IsTemporary(copy.Table);
        // Before anything about the table is read: INSERT on it, USAGE on its schema, and never a catalog's table.
        if (context.AuthorizeLoad is { } authorize) authorize(copy.Schema, copy.Table);
        else if (!context.Superuser && context.Users is { } users && !users.Holds(context.User, "table", schema, copy.Table, "insert"))
            throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for relation {copy.Table}");
        var columns = TargetColumns(schema);
        (_tableId, _session) = TableAndSession(schema);
        // With a user directory the load logs were made when the database opened.
        if (context.Users is null) LoadErrors.Ensure(context.Engine);
        if (copy.Format is CopyFormat.Avro or CopyFormat.Orc)
            throw new PgException(SqlState.FeatureNotSupported, $"COPY with {copy.Format.ToString().ToUpperInvariant()} is not supported by LocalShift");
        if (copy.Compression is Compression.Lzop)
            throw new PgException(SqlState.FeatureNotSupported, "COPY with LZOP is not supported by LocalShift; use GZIP, BZIP2 or ZSTD");
        if (copy.Format == CopyFormat.FixedWidth && copy.FixedWidths.Count != columns.Count)
            throw new PgException(SqlState.InvalidParameterValue,
                $"FIXEDWIDTH specification has {copy.FixedWidths.Count} columns; the table or column list has {columns.Count}");
        if (copy.JsonPaths is { } jsonPathsFile) _jsonPaths = await JsonPathsAsync(jsonPathsFile, columns.Count, ct);

        // In the engine's staging folder: the one place it may read files from.
        var folder = Path.Combine(context.Engine.StagingDirectory, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            List<StagedFile> files;
            try { files = await StageAsync(folder, ct); }
            catch (InvalidUtf8Exception e)
            {
                RecordErrors([new LoadError(e.Url, e.Line, "", "", "", "", 1220, e.Reason)]);
                throw LoadFailed(e.Reason, 1220);
            }
            if (copy.Escape && copy.Format == CopyFormat.Text && DuckDbCompression != "zstd") RewriteEscapedText(files, ct);
            // A cancel that came while staging stops here; one that comes during the load interrupts the engine.
            ct.ThrowIfCancellationRequested();
            var source = SourceRelation(files);
            var expressions = Expressions(columns, source, tryCast: false);
            var target = $"{(_temp ? "temp.main" : QuoteIdentifier(schema))}.{QuoteIdentifier(copy.Table)} ({string.Join(", ", columns.Select(c => QuoteIdentifier(c.Name)))})";
            long Load(List<string> select, Source from) => copy.NoLoad
                ? Count($"SELECT count(*) FROM (SELECT {string.Join(", ", select)} FROM {from.Sql})") * 0
                : context.Engine.Execute($"INSERT INTO {target} SELECT {string.Join(", ", select)} FROM {from.Sql}");
            // Text and CSV: first DuckDB's reader converts the plainly typed fields itself, as fast as read_csv can.
            // Where it succeeds its values are the casts' values; a field only the exact conversions accept (a field
            // of blanks, for one) fails that statement, which changed nothing, and the exact one runs. A failed
            // statement aborts the engine's transaction, so the first attempt is only made where the session can
            // recover from that without losing the client's work (not inside BEGIN ... COMMIT).
            var typed = copy.Format is CopyFormat.Text or CopyFormat.Csv && !(copy.Escape && copy.Format == CopyFormat.Text) && context.Recover is not null
                && columns.Any(ReaderConverts);
            // Text and CSV read by the CSV reader can be sorted record by record into loaded and rejected ones; inside
            // BEGIN ... COMMIT, where a failed statement would abort the client's transaction, that is done from the start.
            var sorts = copy.Format is CopyFormat.Text or CopyFormat.Csv && !copy.NoLoad && _escapedAsCsv is null && !copy.Escape;
            long loaded;
            try
            {
                if (!typed) loaded = sorts && context.Recover is null ? LoadSortingRejects(columns, source, target, files) : Load(expressions, source);
                else
                {
                    try
                    {
                        loaded = Load(columns.Select((c, i) => ReaderConverts(c) ? $"c{i}" : expressions[i]).ToList(),
                            SourceRelation(files, i => ReaderConverts(columns[i]) ? columns[i].Type : "VARCHAR", EmptyFieldsAsNull(columns, files)));
                    }
                    catch (PgException e) when (e.SqlState != SqlState.QueryCanceled)
                    {
                        context.Recover!();
                        loaded = Load(expressions, source);
                    }
                }
            }
            catch (PgException e) when (e.SqlState != SqlState.QueryCanceled && !ReferenceEquals(e, _failure))
            {
                // The diagnosis needs a usable engine; in a transaction block the failure has aborted it, so the
                // engine's message is recorded as it is (stl_load_errors is written outside transactions, as in Redshift).
                if (context.Recover is { } recover) recover();
                else if (e.SqlState == SqlState.BadCopyFileFormat)
                {
                    throw FieldCountFailure(files, e);
                }
                else
                {
                    RecordErrors([new LoadError(files[0].Url, 0, "", "", "", "", 1200, e.Message)]);
                    throw LoadFailed(e.Message);
                }
                // Invalid UTF-8 fails the load whatever MAXERROR says, as it did when staging found it.
                if (StagesAsIs && LocateInvalidUtf8(files) is { } found)
                {
                    RecordErrors([new LoadError(found.Url, found.Line, "", "", "", "", 1220, found.Reason)]);
                    throw LoadFailed(found.Reason, 1220);
                }
                if (sorts) loaded = LoadSortingRejects(columns, source, target, files);
                else if ((e.Message.Contains(StringTooLong, StringComparison.Ordinal) || e.Message.Contains(MultibyteChar, StringComparison.Ordinal))
                         && DiagnoseWidth(columns, source, files) is { } tooLong)
                {
                    RecordErrors([tooLong]);
                    throw LoadFailed(tooLong.Reason, tooLong.ErrCode);
                }
                else if (e.Message.Contains("Invalid unicode", StringComparison.OrdinalIgnoreCase))
                {
                    var reason = InvalidUtf8Exception.RedshiftReason + " (found by the engine; its position is not known)";
                    RecordErrors([new LoadError(files[0].Url, 0, "", "", "", "", 1220, reason)]);
                    throw LoadFailed(reason, 1220);
                }
                else if (e.SqlState == SqlState.BadCopyFileFormat)
                {
                    throw FieldCountFailure(files, e);
                }
                else
                {
                    RecordErrors([new LoadError(files[0].Url, 0, "", "", "", "", 1200, e.Message)]);
                    throw LoadFailed(e.Message);
                }
            }
            if (!copy.NoLoad)
            {
                // One row per file; lines scanned are known per file only when there is one (records plus header lines).
                var format = copy.Format switch { CopyFormat.Parquet => "Parquet", CopyFormat.Json => "JSON", _ => "Text" };
                LoadErrors.Commit(context.Engine, context.QueryId, copy.Table,
                    files.Select(f => (f.Url, files.Count == 1 ? loaded + copy.IgnoreHeader : (long?)null)), format);
            }
            LoadErrors.SetLastCount(context.Engine, loaded, context.QueryId);
            context.Notice(new PgNotice("INFO", $"Load into table '{DisplayName}' completed, {loaded} record(s) loaded successfully."));
            return loaded;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// After a load of files staged as they are failed: the object and line of the first invalid UTF-8 bytes, if any, read
    /// again through the same check staging uses (only on this failure path, so loads that succeed pay nothing).
    /// Null when the files are compressed, as DuckDB decompresses those itself.
    /// </summary>
    private InvalidUtf8Exception? LocateInvalidUtf8(List<StagedFile> files)
    {
        if (DuckDbCompression != "none" || copy.Format == CopyFormat.Parquet) return null;
        foreach (var file in files)
        {
            try
            {
                using var check = new Utf8CheckingStream(File.OpenRead(file.Path), null, file.Url);
                check.CopyTo(Stream.Null);
            }
            catch (InvalidUtf8Exception found) { return found; }
            catch (IOException) { return null; }
        }
        return null;
    }

    /// <summary>Rows of stl_load_errors, written outside the client's transaction (which the failure may have ended).</summary>
    private void RecordErrors(IEnumerable<LoadError> errors)
    {
        if (context.Users is { } users) users.OutsideTransactions(system => LoadErrors.Record(system, copy.Table, errors, context.QueryId, _tableId, _session));
        else LoadErrors.Record(context.Engine, copy.Table, errors, context.QueryId, _tableId, _session);
    }

    /// <summary>The target's table id (stl_load_errors.tbl, svv_table_info.table_id) and the session's process id.</summary>
    private long _tableId;
    private int _session;

    private (long Table, int Session) TableAndSession(string schema)
    {
        using var result = context.Engine.Query(
            $"SELECT (SELECT max(table_oid) FROM duckdb_tables() WHERE {(_temp ? "database_name = 'temp'" : $"schema_name = {QuoteLiteral(schema)} AND NOT temporary")} " +
            $"AND table_name = {QuoteLiteral(copy.Table)}), TRY_CAST(getvariable('localshift_pid') AS INTEGER)");
        result.Read();
        return (result.GetValue(0) is { } oid ? Convert.ToInt64(oid) : 0, result.GetValue(1) is { } pid ? Convert.ToInt32(pid) : 0);
    }

    private PgException LoadFailed(string reason, int code = 1200) => LoadFailed(new LoadError("", 0, "", "", "", "", code, reason));

    /// <summary>The exception of a failed load, which the load's own catch clauses let through.</summary>
    private PgException? _failure;

    /// <summary>
    /// Redshift's failed load: the message names stl_load_errors, the DETAIL block the first rejected record as its row
    /// there shows it — error, code, context (the field's value, else the table), query and location (the object and
    /// line; Redshift names its own source file there, so that field is LocalShift's).
    /// </summary>
    private PgException LoadFailed(LoadError error)
    {
        var e = LoadErrors.LoadFailed(DisplayName);
        var shown = error.RawFieldValue.Length > 0 ? error.RawFieldValue : $"table {DisplayName}";
        var location = error.Filename.Length > 0 ? $"{error.Filename}{(error.LineNumber > 0 ? $" line {error.LineNumber}" : "")}" : DisplayName;
        _failure = new PgException(e.SqlState, e.Message, detail:
            $"\n  -----------------------------------------------\n  error:  {error.Reason}\n  code:      {error.ErrCode}\n  context:   {shown}\n" +
            $"  query:     {context.QueryId}\n  location:  {location}\n  -----------------------------------------------");
        return _failure;
    }

    /// <summary>The load's target is a temporary table of the session (an unqualified name that one holds).</summary>
    private bool _temp;

    private bool IsTemporary(string table)
    {
        using var result = context.Engine.Query($"SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'temp' AND table_name = {QuoteLiteral(table)}");
        result.Read();
        return Convert.ToInt64(result.GetValue(0)) > 0;
    }

    private List<TargetColumn> TargetColumns(string schema)
    {
        var all = new List<TargetColumn>();
        using (var result = context.Engine.Query(
            $"SELECT column_name, data_type FROM information_schema.columns WHERE {(_temp ? "table_catalog = 'temp'" : $"table_schema = {QuoteLiteral(schema)}")} AND table_name = {QuoteLiteral(copy.Table)} ORDER BY ordinal_position"))
            while (result.Read()) all.Add(new TargetColumn((string)result.GetValue(0)!, (string)result.GetValue(1)!));
        if (all.Count == 0) throw new PgException(SqlState.UndefinedTable, $"relation \"{(copy.Schema is null ? "" : copy.Schema + ".")}{copy.Table}\" does not exist");
        var widths = ColumnWidths.Of(context.Engine, schema, copy.Table);
        all = all.Select(c => c.IsText && widths.TryGetValue(c.Name, out var w) ? c with { Width = w } : c).ToList();
        if (copy.Columns is null) return all;
        return copy.Columns.Select(name => all.FirstOrDefault(c => c.Name == name)
            ?? throw new PgException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{copy.Table}\" does not exist")).ToList();
    }

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
        var extension = DuckDbCompression switch { "gzip" => ".gz", "zstd" => ".zst", _ => "" };
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
            await using (var decoded = Decoded(body, $"s3://{bucket}/{key}"))
            await using (var file = File.Create(path))
                await decoded.CopyToAsync(file, ct);
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
        else if (copy.Compression == Compression.Gzip && DecodesInProcess) body = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
        if (copy.Format == CopyFormat.Parquet || DuckDbCompression != "none") return body;
        return new Utf8CheckingStream(body, copy.AcceptInvChars, url);
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
            var paths = array.EnumerateArray().Select(e => JsonPathExpression.ToDuckDb(e.GetString()!)).ToList();
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

    private sealed record Source(string Sql, IReadOnlyList<string> Columns);

    /// <summary>
    /// For the typed first attempt: whether the reader may take an empty field as NULL too, and which fields it must then
    /// keep as '' (null when it may not). Redshift loads an empty field as NULL into a number, date or boolean but as ''
    /// into CHAR/VARCHAR (unless EMPTYASNULL or BLANKSASNULL); the reader has one list of NULL strings for every field,
    /// and its <c>force_not_null</c> reads a text field matching any of them as ''. So that is only exact when no field
    /// can be the NULL AS string: checked by a scan of the uncompressed files for its bytes (far cheaper than the exact
    /// conversions it spares). Otherwise empty numeric fields fail the typed attempt and the exact one runs.
    /// </summary>
    private List<string>? EmptyFieldsAsNull(List<TargetColumn> columns, List<StagedFile> files)
    {
        var nulls = copy.NullAs ?? "\\N";
        if (nulls.Length == 0 || copy.FillRecord) return null;
        var keep = Enumerable.Range(0, columns.Count).Where(i => columns[i].IsText && !copy.EmptyAsNull && !copy.BlanksAsNull).Select(i => $"c{i}").ToList();
        if (keep.Count == 0) return keep;
        if (DuckDbCompression != "none") return null;
        var needle = System.Text.Encoding.UTF8.GetBytes(nulls);
        return files.Any(f => Contains(f.Path, needle)) ? null : keep;
    }

    /// <summary>Whether a file holds these bytes anywhere (a vectorized search over 1 MiB blocks).</summary>
    private static bool Contains(string path, byte[] needle)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[(1 << 20) + needle.Length];
        var carried = 0;
        int read;
        while ((read = file.Read(buffer, carried, buffer.Length - carried)) > 0)
        {
            var filled = carried + read;
            if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0) return true;
            carried = Math.Min(needle.Length - 1, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
        }
        return false;
    }

    /// <param name="readAs">For text and CSV: the type the reader gives field i (VARCHAR when not given).</param>
    /// <param name="emptyAsNull">For text and CSV: an empty field is NULL too, except in these fields (see <see cref="EmptyFieldsAsNull"/>).</param>
    private Source SourceRelation(List<StagedFile> files, Func<int, string>? readAs = null, List<string>? emptyAsNull = null)
    {
        var paths = "[" + string.Join(", ", files.Select(f => QuoteLiteral(f.Path))) + "]";
        var compression = DuckDbCompression;
        var width = copy.Columns?.Count ?? ColumnsCount();
        switch (copy.Format)
        {
            case CopyFormat.Parquet:
                return new Source($"read_parquet({paths})", Describe($"SELECT * FROM read_parquet({paths})"));
            case CopyFormat.Json when _jsonPaths is not null:
                return new Source($"read_json_objects({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}', filename = true)", ["json"]);
            case CopyFormat.Json:
                var json = $"read_json({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}')";
                return new Source(json, Describe($"SELECT * FROM {json}"));
            case CopyFormat.FixedWidth:
                return FixedWidth(paths, compression);
            default:
                if (_escapedAsCsv is not null) return EscapedTextAsCsv(width);
                if (copy.Escape && copy.Format == CopyFormat.Text) return EscapedTextWithSentinels(paths, compression, width);
                var csv = copy.Format == CopyFormat.Csv;
                var quote = csv || copy.RemoveQuotes ? copy.Quote : "";
                var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
                var spec = "{" + string.Join(", ", names.Select((n, i) => $"'{n}': {QuoteLiteral(readAs?.Invoke(i) ?? "VARCHAR")}")) + "}";
                // Redshift's default NULL AS is \N for CSV too: an empty unquoted field is an empty string for CHAR/VARCHAR
                // (NULL only with EMPTYASNULL or NULL AS '') and NULL for other types.
                var nulls = QuoteLiteral(copy.NullAs ?? "\\N");
                if (emptyAsNull is not null)
                    nulls = $"[{nulls}, '']" + (emptyAsNull.Count > 0 ? $", force_not_null = [{string.Join(", ", emptyAsNull.Select(QuoteLiteral))}]" : "");
                var sql = $"read_csv({paths}, delim = {QuoteLiteral(copy.Delimiter ?? (csv ? "," : "|"))}, quote = {QuoteLiteral(quote)}, " +
                    $"escape = {QuoteLiteral(csv ? copy.Quote : copy.Escape && quote.Length > 0 ? "\\" : quote)}, header = false, skip = {copy.IgnoreHeader}, " +
                    $"auto_detect = false, columns = {spec}, nullstr = {nulls}, compression = '{compression}', " +
                    $"null_padding = {(copy.FillRecord ? "true" : "false")}, filename = true)";
                return new Source(sql, names);
        }
    }

    /// <summary>Text with ESCAPE: each staged file rewritten as CSV (see <see cref="EscapedText"/>), beside it.</summary>
    private List<(string Csv, string Original)>? _escapedAsCsv;

    private void RewriteEscapedText(List<StagedFile> files, CancellationToken ct)
    {
        var rewrite = new EscapedText(copy.Delimiter ?? "|", copy.NullAs ?? "\\N", copy.Columns?.Count ?? ColumnsCount(), copy.IgnoreHeader);
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

    /// <summary>A staged file's bytes as DuckDB would read them (GZIP left for DuckDB is decompressed here).</summary>
    private Stream OpenStaged(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return DuckDbCompression == "gzip" ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
    }

    /// <summary>The rewritten files of <see cref="RewriteEscapedText"/>: every value quoted, NULL an unquoted empty field,
    /// each row named by its original staged file (so load errors name its object).</summary>
    private Source EscapedTextAsCsv(int width)
    {
        var paths = "[" + string.Join(", ", _escapedAsCsv!.Select(f => QuoteLiteral(f.Csv))) + "]";
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
        var spec = "{" + string.Join(", ", names.Select(n => $"'{n}': 'VARCHAR'")) + "}";
        var read = $"read_csv({paths}, delim = ',', quote = '\"', escape = '\"', header = false, auto_detect = false, columns = {spec}, " +
            "nullstr = '', allow_quoted_nulls = false, filename = true)";
        var original = "CASE filename " + string.Join(" ", _escapedAsCsv!.Select(f => $"WHEN {QuoteLiteral(f.Csv)} THEN {QuoteLiteral(f.Original)}")) + " END";
        return new Source($"(SELECT {original} AS filename, {string.Join(", ", names)} FROM {read})", names);
    }

    /// <summary>
    /// Text with ESCAPE from ZSTD files, which only DuckDB decompresses: each line is read whole (split on chr(30)),
    /// lines joined where one ends in an escaped newline, and records split with chr(1) and chr(2) standing for an
    /// escaped delimiter and an escaped backslash, so values holding those three control characters do not load
    /// exactly. Every other ESCAPE load goes through <see cref="EscapedText"/>, which has no such characters.
    /// </summary>
    private Source EscapedTextWithSentinels(string paths, string compression, int width)
    {
        var delimiter = copy.Delimiter ?? "|";
        var nulls = copy.NullAs ?? "\\N";
        var physical = $"read_csv({paths}, delim = chr(30), quote = '', escape = '', header = false, skip = {copy.IgnoreHeader}, auto_detect = false, " +
            $"columns = {{'line': 'VARCHAR'}}, compression = '{compression}', filename = true)";
        // A line ending in an odd number of backslashes ends in an escaped newline: the record goes on in the next line.
        var continues = $"regexp_matches(coalesce(line, ''), {QuoteLiteral(@"(^|[^\\])(\\\\)*\\$")})";
        var lines = "(SELECT filename, string_agg(line, chr(10) ORDER BY n) AS line FROM (" +
            "SELECT filename, line, n, sum(CASE WHEN after_escape THEN 0 ELSE 1 END) OVER (ORDER BY n) AS record FROM (" +
            $"SELECT filename, line, n, coalesce(lag({continues}) OVER (ORDER BY n), false) AS after_escape FROM (" +
            $"SELECT filename, line, row_number() OVER () AS n FROM {physical}))) GROUP BY filename, record ORDER BY min(n))";
        var split = $"string_split(replace(replace(line, '\\\\', chr(2)), {QuoteLiteral("\\" + delimiter)}, chr(1)), {QuoteLiteral(delimiter)})";
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
        var fields = names.Select((n, i) =>
            $"CASE WHEN p[{i + 1}] = {QuoteLiteral(nulls)} THEN NULL ELSE replace(regexp_replace(replace(p[{i + 1}], chr(1), {QuoteLiteral(delimiter)}), '\\\\(.)', '\\1', 'gs'), chr(2), '\\') END AS {n}");
        return new Source($"(SELECT filename, {string.Join(", ", fields)} FROM (SELECT filename, {split} AS p FROM {lines}))", names);
    }

    /// <summary>
    /// FIXEDWIDTH: each line is cut into fields of the spec's widths (characters), in column order. A line shorter than
    /// the spec fails the load unless FILLRECORD is given; a field equal to NULL AS (after trimming blanks) is NULL.
    /// </summary>
    private Source FixedWidth(string paths, string compression)
    {
        var nulls = copy.NullAs ?? "\\N";
        var total = copy.FixedWidths.Sum(w => w.Width);
        var lines = $"read_csv({paths}, delim = chr(30), quote = '', escape = '', header = false, skip = {copy.IgnoreHeader}, auto_detect = false, " +
            $"columns = {{'line': 'VARCHAR'}}, compression = '{compression}', filename = true, null_padding = true)";
        var checkedLine = copy.FillRecord ? "coalesce(line, '')"
            : $"CASE WHEN length(coalesce(line, '')) < {total} THEN error('Line is shorter than the FIXEDWIDTH specification (' || length(coalesce(line, '')) || ' of {total} characters): ' || coalesce(line, '')) ELSE line END";
        var names = Enumerable.Range(0, copy.FixedWidths.Count).Select(i => $"c{i}").ToList();
        var start = 1;
        var fields = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var field = $"substr(l, {start}, {copy.FixedWidths[i].Width})";
            fields.Add($"CASE WHEN trim({field}) = {QuoteLiteral(nulls)} THEN NULL ELSE {field} END AS {names[i]}");
            start += copy.FixedWidths[i].Width;
        }
        return new Source($"(SELECT filename, {string.Join(", ", fields)} FROM (SELECT filename, {checkedLine} AS l FROM {lines}))", names);
    }

    private int ColumnsCount() => TargetColumns(copy.Schema ?? "public").Count;

    private List<string> Describe(string sql)
    {
        var names = new List<string>();
        using var result = context.Engine.Query("DESCRIBE " + sql);
        while (result.Read()) names.Add((string)result.GetValue(0)!);
        return names;
    }

    private long Count(string sql)
    {
        using var result = context.Engine.Query(sql);
        result.Read();
        return Convert.ToInt64(result.GetValue(0));
    }

    /// <param name="check">False for the values before the width check (for diagnosis and the MAXERROR staging table).</param>
    private List<string> Expressions(List<TargetColumn> columns, Source source, bool tryCast, bool check = true)
    {
        var list = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            switch (copy.Format)
            {
                case CopyFormat.Parquet:
                    if (source.Columns.Count != columns.Count)
                        throw LoadFailed($"the Parquet files have {source.Columns.Count} columns, the target has {columns.Count}; COPY maps Parquet columns by position");
                    list.Add(Width($"CAST({QuoteIdentifier(source.Columns[i])} AS {column.Type})", column, check));
                    break;
                case CopyFormat.Json when _jsonPaths is not null:
                    var extracted = $"json_extract_string(json, {QuoteLiteral(_jsonPaths[i])})";
                    list.Add(column.IsText ? Width(TextValue(extracted, column), column, check)
                        : Temporal(column) is { } temporal ? TemporalValue(extracted, column, temporal, tryCast)
                        : $"{(tryCast ? "TRY_CAST" : "CAST")}({extracted} AS {column.Type})");
                    break;
                case CopyFormat.Json:
                    var ignoreCase = copy.Json.Contains("ignorecase", StringComparison.OrdinalIgnoreCase);
                    var key = source.Columns.FirstOrDefault(k => string.Equals(k, column.Name, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                    list.Add(key is null ? $"CAST(NULL AS {column.Type})" : Width($"CAST({QuoteIdentifier(key)} AS {column.Type})", column, check));
                    break;
                default:
                    list.Add(TextExpression(source.Columns[i], column, tryCast, check));
                    break;
            }
        }
        return list;
    }

    /// <summary>
    /// A column whose text fields DuckDB's CSV reader may convert itself in the first attempt: a number, boolean, date
    /// or time whose conversion is a plain cast of the field (no DATEFORMAT or TIMEFORMAT for it).
    /// </summary>
    private bool ReaderConverts(TargetColumn column)
    {
        var type = column.Type.ToUpperInvariant();
        if (type == "DATE") return copy.DateFormat.Equals("auto", StringComparison.OrdinalIgnoreCase);
        if (type == "TIMESTAMP") return copy.TimeFormat.Equals("auto", StringComparison.OrdinalIgnoreCase);
        return type is "SMALLINT" or "INTEGER" or "BIGINT" or "REAL" or "FLOAT" or "DOUBLE" or "BOOLEAN" or "TIME"
            || type.StartsWith("DECIMAL(", StringComparison.Ordinal);
    }

    private string TextExpression(string raw, TargetColumn column, bool tryCast, bool check)
    {
        var cast = tryCast ? "TRY_CAST" : "CAST";
        var v = raw;
        if (column.IsText) return Width(TextValue(v, column), column, check);
        v = $"NULLIF(trim({v}), '')";
        if (Temporal(column) is { } temporal) return TemporalValue(v, column, temporal, tryCast);
        return $"{cast}({v} AS {column.Type})";
    }

    /// <summary>A date or time column's conversion under this COPY's DATEFORMAT, TIMEFORMAT and ACCEPTANYDATE; null for other types.</summary>
    private DateTimeConversion? Temporal(TargetColumn column) =>
        DateTimeConversion.TypeOf(column.Type) is { } type ? DateTimeConversion.For(type, copy.DateFormat, copy.TimeFormat, copy.AcceptAnyDate) : null;

    /// <summary>
    /// A field converted by LocalShift's own date and time parser (an engine host function answering microseconds):
    /// NULL stays NULL; a field that does not convert is NULL with <paramref name="tryCast"/> or ACCEPTANYDATE, else
    /// it fails the statement (and the load is then diagnosed record by record).
    /// </summary>
    private static string TemporalValue(string v, TargetColumn column, DateTimeConversion temporal, bool tryCast)
    {
        var converted = $"CAST(make_timestamp({DateTimeConversion.HostFunction}({v}, {QuoteLiteral(temporal.Spec)})) AS {column.Type})";
        if (tryCast || temporal.AcceptAnyDate) return converted;
        return $"CASE WHEN {v} IS NULL THEN NULL ELSE coalesce({converted}, error({QuoteLiteral(temporal.Reason(""))})) END";
    }

    /// <summary>A CHAR/VARCHAR value after TRIMBLANKS, BLANKSASNULL and EMPTYASNULL.</summary>
    private string TextValue(string v, TargetColumn column)
    {
        if (copy.TrimBlanks) v = $"rtrim({v})";
        if (copy.BlanksAsNull) v = $"CASE WHEN trim({v}) = '' THEN NULL ELSE {v} END";
        if (copy.EmptyAsNull) v = $"NULLIF({v}, '')";
        return v;
    }

    /// <summary>
    /// The declared width of a CHAR/VARCHAR column, in bytes: TRUNCATECOLUMNS cuts a longer value at the last whole
    /// character that fits; otherwise the value fails the load with Redshift's error 1204.
    /// </summary>
    private string Width(string v, TargetColumn column, bool check)
    {
        if (column.Width is not { } width) return v;
        var w = width.Width;
        // CHAR holds single-byte (ASCII) characters only, whatever TRUNCATECOLUMNS says (Redshift's load error 1220).
        var ascii = width.Type == "char" && check ? $"CASE WHEN regexp_matches({v}, {QuoteLiteral(NotAscii)}) THEN error({QuoteLiteral(MultibyteChar)}) ELSE {v} END" : v;
        if (copy.TruncateColumns)
            return $"CASE WHEN strlen({ascii}) <= {w} THEN {ascii} ELSE left({ascii}, list_count(list_filter(range(1, length({ascii}) + 1), lambda k: strlen(left({ascii}, k)) <= {w}))) END";
        return check ? $"CASE WHEN strlen({ascii}) > {w} THEN error({QuoteLiteral(StringTooLong)}) ELSE {ascii} END" : v;
    }

    private const string NotAscii = "[^\\x00-\\x7F]";
    private const string MultibyteChar = "Multibyte character not supported for CHAR (Hint: Try using VARCHAR)";

    /// <summary>Redshift's reason for a multibyte character in a CHAR field: the message and the character's UTF-8 bytes in hex.</summary>
    private static string MultibyteReason(string value)
    {
        var rune = value.EnumerateRunes().First(r => r.Value > 0x7F);
        Span<byte> bytes = stackalloc byte[4];
        var n = rune.EncodeToUtf8(bytes);
        return $"{MultibyteChar}. Invalid char: {Convert.ToHexStringLower(bytes[..n])}";
    }

    /// <summary>After a load failed on a value too long: the first such value, as stl_load_errors shows it.</summary>
    private LoadError? DiagnoseWidth(List<TargetColumn> columns, Source source, List<StagedFile> files)
    {
        try
        {
            var values = Expressions(columns, source, tryCast: true, check: false);
            var hasFile = source.Sql.Contains("filename = true", StringComparison.Ordinal);
            var urls = files.ToDictionary(f => f.Path, f => f.Url);
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].Width is not { } width) continue;
                var multibyte = width.Type == "char" ? $"regexp_matches(v, {QuoteLiteral(NotAscii)})" : "false";
                using var found = context.Engine.Query(
                    $"SELECT {(hasFile ? "filename" : "NULL")}, line, v, {multibyte} FROM (SELECT {(hasFile ? "filename, " : "")}row_number() OVER () + {copy.IgnoreHeader} AS line, " +
                    $"{values[i]} AS v FROM {source.Sql}) WHERE {multibyte} OR {(copy.TruncateColumns ? "false" : $"strlen(v) > {width.Width}")} ORDER BY line LIMIT 1");
                if (!found.Read()) continue;
                var value = (string)found.GetValue(2)!;
                var url = found.GetValue(0) is string path ? urls.GetValueOrDefault(path, files[0].Url) : files[0].Url;
                var length = width.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (found.GetValue(3) is true)
                    return new LoadError(url, Convert.ToInt64(found.GetValue(1)), columns[i].Name, width.Type, value, value, 1220, MultibyteReason(value), length);
                return new LoadError(url, Convert.ToInt64(found.GetValue(1)), columns[i].Name, width.Type, value, value, 1204, StringTooLong, length);
            }
        }
        catch (PgException)
        {
            // The diagnosis is best effort; the load has failed either way.
        }
        return null;
    }
}
