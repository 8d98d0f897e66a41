using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>
/// Runs a COPY: opens each S3 object (one authorized GetObject each) and lets DuckDB read the store's file in place where
/// it can (Linux), else stages a streamed temporary copy; then loads them all with one
/// <c>INSERT ... SELECT ... FROM read_csv/read_json/read_parquet(...)</c> — a single statement, so a failed load leaves
/// the table as it was. With MAXERROR, a failed fast load is redone through a staging table that sorts out the rejects.
/// </summary>
public sealed class CopyRunner(RedshiftStatementContext context, CopyStatement copy, S3Session s3)
{
    private sealed record TargetColumn(string Name, string Type)
    {
        public bool IsText => Type.StartsWith("VARCHAR", StringComparison.OrdinalIgnoreCase) || Type.StartsWith("CHAR", StringComparison.OrdinalIgnoreCase)
            || Type.Equals("TEXT", StringComparison.OrdinalIgnoreCase);
    }

    private sealed record StagedFile(string Path, string Url);

    private string DisplayName => copy.Table;

    /// <summary>Object bodies DuckDB reads in place; open until the load is done.</summary>
    private readonly List<Stream> _held = [];

    public async Task<long> RunAsync(CancellationToken ct = default)
    {
        var schema = copy.Schema ?? "public";
        var columns = TargetColumns(schema);
        LoadErrors.Ensure(context.Engine);
        if (!context.Superuser && context.Users is { } users && !users.Holds(context.User, "table", schema, copy.Table, "insert"))
            throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for relation {copy.Table}");
        if (copy.Format is CopyFormat.Avro or CopyFormat.Orc or CopyFormat.FixedWidth)
            throw new PgException(SqlState.FeatureNotSupported, $"COPY with {copy.Format.ToString().ToUpperInvariant()} is not supported by LocalShift");
        if (copy.Compression is Compression.Bzip2 or Compression.Lzop)
            throw new PgException(SqlState.FeatureNotSupported, $"COPY with {copy.Compression.ToString().ToUpperInvariant()} is not supported by LocalShift; use GZIP or ZSTD");
        if (copy.Format == CopyFormat.Json && !copy.Json.StartsWith("auto", StringComparison.OrdinalIgnoreCase))
            throw new PgException(SqlState.FeatureNotSupported, "COPY with a JSONPaths file is not supported by LocalShift yet; use JSON 'auto' or 'auto ignorecase'");

        var folder = Path.Combine(Path.GetTempPath(), "localshift-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var files = await StageAsync(folder, ct);
            var source = SourceRelation(files);
            var expressions = Expressions(columns, source, tryCast: false);
            var target = $"{QuoteIdentifier(schema)}.{QuoteIdentifier(copy.Table)} ({string.Join(", ", columns.Select(c => QuoteIdentifier(c.Name)))})";
            long Load(List<string> select, Source from) => copy.NoLoad
                ? Count($"SELECT count(*) FROM (SELECT {string.Join(", ", select)} FROM {from.Sql})") * 0
                : context.Engine.Execute($"INSERT INTO {target} SELECT {string.Join(", ", select)} FROM {from.Sql}");
            // Text and CSV: first DuckDB's reader converts the plainly typed fields itself, as fast as read_csv can.
            // Where it succeeds its values are the casts' values; a field only the exact conversions accept (a field
            // of blanks, for one) fails that statement, which changed nothing, and the exact one runs. Inside a
            // transaction block a failed statement would abort the transaction, so there only the exact one runs.
            var typed = copy.Format is CopyFormat.Text or CopyFormat.Csv && !(copy.Escape && copy.Format == CopyFormat.Text) && !context.InTransactionBlock
                && columns.Any(ReaderConverts);
            long loaded;
            try
            {
                if (!typed) loaded = Load(expressions, source);
                else
                {
                    try
                    {
                        loaded = Load(columns.Select((c, i) => ReaderConverts(c) ? $"c{i}" : expressions[i]).ToList(),
                            SourceRelation(files, i => ReaderConverts(columns[i]) ? columns[i].Type : "VARCHAR"));
                    }
                    catch (PgException e) when (e.SqlState != SqlState.QueryCanceled) { loaded = Load(expressions, source); }
                }
            }
            catch (PgException e) when (e.SqlState != SqlState.QueryCanceled)
            {
                if (copy.MaxError > 0 && copy.Format is CopyFormat.Text or CopyFormat.Csv && !copy.NoLoad && !copy.Escape)
                    loaded = LoadSkippingRejects(columns, source, target, files);
                else
                {
                    LoadErrors.Record(context.Engine, copy.Table, [new LoadError(files[0].Url, 0, "", "", "", "", 1200, e.Message)]);
                    throw LoadFailed(e.Message);
                }
            }
            LoadErrors.SetLastCount(context.Engine, loaded);
            context.Notice(new PgNotice("INFO", $"Load into table '{DisplayName}' completed, {loaded} record(s) loaded successfully."));
            return loaded;
        }
        finally
        {
            foreach (var body in _held) await body.DisposeAsync();
            _held.Clear();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private PgException LoadFailed(string reason)
    {
        var e = LoadErrors.LoadFailed(DisplayName);
        return new PgException(e.SqlState, e.Message, detail: $"\n  -----------------------------------------------\n  error:  {reason}\n  code:      1200\n  context:   table {DisplayName}\n  -----------------------------------------------");
    }

    private List<TargetColumn> TargetColumns(string schema)
    {
        var all = new List<TargetColumn>();
        using (var result = context.Engine.Query(
            $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(copy.Table)} ORDER BY ordinal_position"))
            while (result.Read()) all.Add(new TargetColumn((string)result.GetValue(0)!, (string)result.GetValue(1)!));
        if (all.Count == 0) throw new PgException(SqlState.UndefinedTable, $"relation \"{(copy.Schema is null ? "" : copy.Schema + ".")}{copy.Table}\" does not exist");
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
        var extension = copy.Compression switch { Compression.Gzip => ".gz", Compression.Zstd => ".zst", _ => "" };
        var staged = new List<StagedFile>();
        foreach (var (bucket, key) in sources)
        {
            var body = await s3.OpenReadAsync(bucket, key, ct);
            var path = Path.Combine(folder, $"{staged.Count:D6}{(copy.Format == CopyFormat.Parquet ? ".parquet" : ".data")}{extension}");
            if (OpenBlobPath(body) is { } open)
            {
                // The store's own file, read in place through this process's descriptor: no copy, and the bytes are the
                // version this GetObject authorized even if the object is replaced or deleted during the load. DuckDB
                // opens it through a link in this COPY's own folder, so no two loads ever name different bytes alike.
                _held.Add(body);
                if (body.Length == 0) continue;
                File.CreateSymbolicLink(path, open);
                staged.Add(new StagedFile(path, $"s3://{bucket}/{key}"));
                continue;
            }
            await using (body)
            await using (var file = File.Create(path))
                await body.CopyToAsync(file, ct);
            if (new FileInfo(path).Length == 0) { File.Delete(path); continue; }
            staged.Add(new StagedFile(path, $"s3://{bucket}/{key}"));
        }
        if (staged.Count == 0) throw new PgException(SqlState.InternalError, $"Load into table '{DisplayName}' failed: every source object is empty");
        return staged;
    }

    /// <summary>
    /// A path DuckDB can open for an object body that is a file of the store: <c>/proc/self/fd/N</c> on Linux, which
    /// reopens the very file this process holds open (even if it has since been unlinked). Null elsewhere: copy instead.
    /// </summary>
    private static string? OpenBlobPath(Stream body)
    {
        if (body is not FileStream file || !OperatingSystem.IsLinux() || file.SafeFileHandle.IsInvalid) return null;
        var path = $"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}";
        return File.Exists(path) ? path : null;
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

    /// <param name="readAs">For text and CSV: the type the reader gives field i (VARCHAR when not given).</param>
    private Source SourceRelation(List<StagedFile> files, Func<int, string>? readAs = null)
    {
        var paths = "[" + string.Join(", ", files.Select(f => QuoteLiteral(f.Path))) + "]";
        var compression = copy.Compression switch { Compression.Gzip => "gzip", Compression.Zstd => "zstd", _ => "none" };
        var width = copy.Columns?.Count ?? ColumnsCount();
        switch (copy.Format)
        {
            case CopyFormat.Parquet:
                return new Source($"read_parquet({paths})", Describe($"SELECT * FROM read_parquet({paths})"));
            case CopyFormat.Json:
                var json = $"read_json({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}')";
                return new Source(json, Describe($"SELECT * FROM {json}"));
            default:
                if (copy.Escape && copy.Format == CopyFormat.Text) return EscapedText(paths, compression, width);
                var csv = copy.Format == CopyFormat.Csv;
                var quote = csv || copy.RemoveQuotes ? copy.Quote : "";
                var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
                var spec = "{" + string.Join(", ", names.Select((n, i) => $"'{n}': {QuoteLiteral(readAs?.Invoke(i) ?? "VARCHAR")}")) + "}";
                var nulls = copy.NullAs ?? (csv ? "" : "\\N");
                var sql = $"read_csv({paths}, delim = {QuoteLiteral(copy.Delimiter ?? (csv ? "," : "|"))}, quote = {QuoteLiteral(quote)}, " +
                    $"escape = {QuoteLiteral(csv ? copy.Quote : copy.Escape && quote.Length > 0 ? "\\" : quote)}, header = false, skip = {copy.IgnoreHeader}, " +
                    $"auto_detect = false, columns = {spec}, nullstr = {QuoteLiteral(nulls)}, compression = '{compression}', " +
                    $"null_padding = {(copy.FillRecord ? "true" : "false")}, filename = true)";
                return new Source(sql, names);
        }
    }

    /// <summary>
    /// Text with ESCAPE: a backslash makes the next character literal (so <c>\|</c> is not a delimiter). DuckDB's reader
    /// only knows escapes inside quotes, so each line is read whole and split here.
    /// </summary>
    private Source EscapedText(string paths, string compression, int width)
    {
        var delimiter = copy.Delimiter ?? "|";
        var nulls = copy.NullAs ?? "\\N";
        var lines = $"read_csv({paths}, delim = chr(30), quote = '', escape = '', header = false, skip = {copy.IgnoreHeader}, auto_detect = false, " +
            $"columns = {{'line': 'VARCHAR'}}, compression = '{compression}', filename = true)";
        var split = $"string_split(replace(replace(line, '\\\\', chr(2)), {QuoteLiteral("\\" + delimiter)}, chr(1)), {QuoteLiteral(delimiter)})";
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
        var fields = names.Select((n, i) =>
            $"CASE WHEN p[{i + 1}] = {QuoteLiteral(nulls)} THEN NULL ELSE replace(regexp_replace(replace(p[{i + 1}], chr(1), {QuoteLiteral(delimiter)}), '\\\\(.)', '\\1', 'g'), chr(2), '\\') END AS {n}");
        return new Source($"(SELECT filename, {string.Join(", ", fields)} FROM (SELECT filename, {split} AS p FROM {lines}))", names);
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

    private List<string> Expressions(List<TargetColumn> columns, Source source, bool tryCast)
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
                    list.Add($"CAST({QuoteIdentifier(source.Columns[i])} AS {column.Type})");
                    break;
                case CopyFormat.Json:
                    var ignoreCase = copy.Json.Contains("ignorecase", StringComparison.OrdinalIgnoreCase);
                    var key = source.Columns.FirstOrDefault(k => string.Equals(k, column.Name, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                    list.Add(key is null ? $"CAST(NULL AS {column.Type})" : $"CAST({QuoteIdentifier(key)} AS {column.Type})");
                    break;
                default:
                    list.Add(TextExpression(source.Columns[i], column, tryCast));
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

    private string TextExpression(string raw, TargetColumn column, bool tryCast)
    {
        var cast = tryCast ? "TRY_CAST" : "CAST";
        var strptime = tryCast ? "try_strptime" : "strptime";
        var v = raw;
        if (column.IsText)
        {
            if (copy.TrimBlanks) v = $"rtrim({v})";
            if (copy.BlanksAsNull) v = $"CASE WHEN trim({v}) = '' THEN NULL ELSE {v} END";
            if (copy.EmptyAsNull) v = $"NULLIF({v}, '')";
            return v;
        }
        v = $"NULLIF(trim({v}), '')";
        var type = column.Type.ToUpperInvariant();
        if (type == "DATE" && !copy.DateFormat.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return $"CAST({strptime}({v}, {QuoteLiteral(RedshiftDateFormat.ToStrptime(copy.DateFormat))}) AS DATE)";
        if (type.StartsWith("TIMESTAMP", StringComparison.Ordinal) && !copy.TimeFormat.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return copy.TimeFormat.ToLowerInvariant() switch
            {
                "epochsecs" => $"CAST(to_timestamp({cast}({v} AS DOUBLE)) AS {column.Type})",
                "epochmillisecs" => $"CAST(epoch_ms({cast}({v} AS BIGINT)) AS {column.Type})",
                _ => $"CAST({strptime}({v}, {QuoteLiteral(RedshiftDateFormat.ToStrptime(copy.TimeFormat))}) AS {column.Type})",
            };
        return $"{cast}({v} AS {column.Type})";
    }

    /// <summary>
    /// MAXERROR: reads into a staging table with every value kept raw beside its converted form, counts the records
    /// whose conversion failed, and loads the rest if there are few enough.
    /// </summary>
    private long LoadSkippingRejects(List<TargetColumn> columns, Source source, string target, List<StagedFile> files)
    {
        var stage = "__localshift_copy_stage";
        // Malformed lines (too many or too few fields) are set aside by DuckDB into a rejects table and count as rejects too.
        var relaxed = source.Sql[..^1] + ", store_rejects = true, rejects_table = '__localshift_copy_rejects', rejects_scan = '__localshift_copy_scans')";
        var converted = Expressions(columns, source, tryCast: true);
        var engine = context.Engine;
        engine.Execute($"DROP TABLE IF EXISTS {stage}");
        engine.Execute($"CREATE TEMP TABLE {stage} AS SELECT filename, row_number() OVER () + {copy.IgnoreHeader} AS line, " +
            string.Join(", ", source.Columns.Select(QuoteIdentifier)) + ", " +
            string.Join(", ", converted.Select((e, i) => $"{e} AS t{i}")) + $" FROM {relaxed}");
        try
        {
            var errors = new List<LoadError>();
            var urls = files.ToDictionary(f => f.Path, f => f.Url);
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].IsText) continue;
                using var bad = engine.Query($"SELECT filename, line, c{i} FROM {stage} WHERE NULLIF(trim(c{i}), '') IS NOT NULL AND t{i} IS NULL ORDER BY line LIMIT 1000");
                while (bad.Read())
                {
                    var value = (string?)bad.GetValue(2) ?? "";
                    errors.Add(new LoadError(urls.GetValueOrDefault((string)bad.GetValue(0)!, ""), Convert.ToInt64(bad.GetValue(1)), columns[i].Name,
                        columns[i].Type.ToLowerInvariant(), value, value, columns[i].Type.Contains("DATE") || columns[i].Type.Contains("TIME") ? 1205 : 1207,
                        $"Invalid {columns[i].Type.ToLowerInvariant()} value '{value}'"));
                }
            }
            var conditions = Enumerable.Range(0, columns.Count).Where(i => !columns[i].IsText)
                .Select(i => $"(NULLIF(trim(c{i}), '') IS NOT NULL AND t{i} IS NULL)").ToList();
            var rejectFilter = conditions.Count == 0 ? "FALSE" : string.Join(" OR ", conditions);
            var rejected = Count($"SELECT count(*) FROM {stage} WHERE {rejectFilter}");
            using (var malformed = engine.Query("SELECT s.file_path, e.line, coalesce(e.csv_line, ''), e.error_message FROM __localshift_copy_rejects e " +
                "JOIN __localshift_copy_scans s USING (scan_id, file_id) ORDER BY e.line LIMIT 1000"))
                while (malformed.Read())
                {
                    rejected++;
                    errors.Add(new LoadError(urls.GetValueOrDefault((string)malformed.GetValue(0)!, ""), Convert.ToInt64(malformed.GetValue(1)), "", "",
                        (string)malformed.GetValue(2)!, "", 1214, (string)malformed.GetValue(3)!));
                }
            LoadErrors.Record(engine, copy.Table, errors);
            if (rejected > copy.MaxError) throw LoadFailed($"{rejected} record(s) could not be loaded, more than MAXERROR {copy.MaxError}");
            var loaded = engine.Execute($"INSERT INTO {target} SELECT {string.Join(", ", Enumerable.Range(0, columns.Count).Select(i => $"t{i}"))} FROM {stage} WHERE NOT ({rejectFilter})");
            if (rejected > 0)
                context.Notice(new PgNotice("INFO",
                    $"Load into table '{DisplayName}' completed, {rejected} record(s) could not be loaded.  Check 'stl_load_errors' system table for details."));
            return loaded;
        }
        finally
        {
            engine.Execute($"DROP TABLE IF EXISTS {stage}; DROP TABLE IF EXISTS __localshift_copy_rejects; DROP TABLE IF EXISTS __localshift_copy_scans");
        }
    }
}
