using LocalShift.Engine;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's record accounting: every record of a text or CSV load is loaded, or rejected with a row in stl_load_errors.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// Sorts every record into loaded or rejected (MAXERROR, and the diagnosis of a failed load): reads into a staging
    /// table with each field kept raw beside its converted value; a record is rejected when a field did not convert,
    /// is longer than its column or holds a multibyte character for CHAR, or when the reader set the line aside
    /// (too many or too few fields). Each rejected record gets one row in stl_load_errors with its first fault (the
    /// first 1000, as Redshift keeps); more than MAXERROR of them fail the load, otherwise the rest load.
    /// </summary>
    private long LoadSortingRejects(List<TargetColumn> columns, Source source, string target, List<StagedFile> files)
    {
        const string stage = "__localshift_copy_stage";
        // Malformed lines (too many or too few fields) are set aside by the reader into a rejects table and count as rejects too.
        // Parquet and JSON readers name each row's file only when asked (the fast load does not ask).
        var relaxed = source.SetsAside && source.Scan is DelimitedScan delimited
            ? source.Rescan(context.Engine, delimited with { Rejects = new RejectedLines("__localshift_copy_rejects", "__localshift_copy_scans") })
            : source.Rescan(context.Engine, source.Scan with { FileNames = true });
        var converted = Expressions(columns, source, tryCast: true, check: false);
        var engine = context.Engine;
        engine.Execute($"DROP TABLE IF EXISTS {stage}");
        // A record's own fault and line, where the source knows them (FIXEDWIDTH, ESCAPE text).
        var fault = source.Fault is null ? "CAST(NULL AS INTEGER)" : "__fault";
        var ownLine = source.Line is null ? "CAST(NULL AS BIGINT)" : "__line";
        engine.Execute($"CREATE TEMP TABLE {stage} AS SELECT filename, row_number() OVER () AS n, {fault} AS __fault, {ownLine} AS __line, " +
            string.Join(", ", columns.Select((_, i) => $"{RawField(columns, source, i)} AS c{i}")) + ", " +
            string.Join(", ", converted.Select((e, i) => $"{e} AS t{i}")) + $" FROM {relaxed}");
        try
        {
            // Each column's fault as a boolean that is never NULL (a NULL here once dropped records without a trace).
            var loads = LoadColumns(columns, source);
            var faults = columns.Select((c, i) => Fault(loads[i], c.NotNull, i)).ToList();
            var rejectFilter = string.Join(" OR ", faults.Where(f => f is not null).Prepend("__fault IS NOT NULL"));
            var urls = files.ToDictionary(f => f.Path, f => f.Url);
            // Record numbers per file: the reader's rows are numbered in file order; a line it set aside has no row.
            var firstRow = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var starts = engine.Query($"SELECT filename, min(n) FROM {stage} GROUP BY filename"))
                while (starts.Read()) firstRow[(string)starts.GetValue(0)!] = Convert.ToInt64(starts.GetValue(1));
            var malformed = new List<LoadError>();
            var setAside = new Dictionary<string, List<long>>(StringComparer.Ordinal);
            if (source.SetsAside)
            {
                using (var rejects = engine.Query("SELECT s.file_path, e.line, any_value(coalesce(e.csv_line, '')), any_value(e.error_type), any_value(e.error_message) " +
                    "FROM __localshift_copy_rejects e JOIN __localshift_copy_scans s USING (scan_id, file_id) GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line"))
                    while (rejects.Read())
                    {
                        var path = (string)rejects.GetValue(0)!;
                        var line = Convert.ToInt64(rejects.GetValue(1));
                        (setAside.TryGetValue(path, out var list) ? list : setAside[path] = []).Add(line);
                        var type = rejects.GetValue(3)?.ToString() ?? "";
                        if ((rejects.GetValue(4)?.ToString() ?? "").Contains("unicode", StringComparison.OrdinalIgnoreCase) || type.Contains("ENCODING", StringComparison.Ordinal))
                            type = "INVALID UNICODE";
                        var (code, reason) = type switch
                        {
                            "TOO MANY COLUMNS" => (1202, "Extra column(s) found"),
                            "MISSING COLUMNS" => (1214, "Delimiter not found"),
                            "INVALID UNICODE" => (1220, InvalidUtf8Exception.RedshiftReason.TrimEnd(':', ' ').Replace(". Bad UTF8 hex sequence", "", StringComparison.Ordinal)),
                            // unverified: Redshift's text for a CSV field whose quotes do not close.
                            _ => (1216, "Invalid quote formatting for CSV"),
                        };
                        var rawLine = (string)rejects.GetValue(2)!;
                        // unverified: Redshift's code and text for a REMOVEQUOTES field whose quote never closes (the page says
                        // only that the row is not loaded); its parser looks for the closing quote and then the delimiter.
                        if (_unclosedQuotes.TryGetValue(path, out var unclosed) && unclosed.TryGetValue(line, out var text))
                            (code, reason, rawLine) = (1214, "Delimiter not found", text);
                        malformed.Add(new LoadError(urls.GetValueOrDefault(path, path), line, "", "", rawLine, "", code, reason));
                    }
            }
            var rejected = Count($"SELECT count(*) FROM {stage} WHERE {rejectFilter}") + malformed.Count;
            var errors = new List<LoadError>(malformed.Take(1000));
            var conversions = columns.Select(Temporal).ToList();
            using (var bad = engine.Query($"SELECT filename, n, {string.Join(", ", faults.Select(f => f ?? "false"))}, __fault, __line, " +
                string.Join(", ", columns.Select((_, i) => $"CAST(c{i} AS VARCHAR)")) + ", " +
                string.Join(", ", columns.Select((_, i) => $"CAST(t{i} AS VARCHAR)")) + $" FROM {stage} WHERE {rejectFilter} ORDER BY n LIMIT 1000"))
                while (bad.Read())
                {
                    var path = (string)bad.GetValue(0)!;
                    var line = bad.GetValue(3 + columns.Count) is { } own ? Convert.ToInt64(own)
                        : LineOf(Convert.ToInt64(bad.GetValue(1)) - firstRow.GetValueOrDefault(path, 1) + 1, setAside.GetValueOrDefault(path));
                    if (bad.GetValue(2 + columns.Count) is { } ownFault)
                    {
                        errors.Add(new LoadError(urls.GetValueOrDefault(path, path), line, "", "", "", "", Convert.ToInt32(ownFault), Source.FaultReason(Convert.ToInt32(ownFault))));
                        continue;
                    }
                    var i = Enumerable.Range(0, columns.Count).First(k => bad.GetValue(2 + k) is true);
                    var raw = bad.GetValue(4 + columns.Count + i) as string ?? "";
                    var column = columns[i];
                    LoadError error;
                    if (column.NotNull && bad.GetValue(4 + 2 * columns.Count + i) is null && (column.IsText || raw.Trim().Length == 0 || conversions[i] is { AcceptAnyDate: true }))
                        // unverified: Redshift's reason text for 1213 (the load error reference gives only "A field specified as NOT NULL contained no data").
                        error = new LoadError("", 0, column.Name, column.Width?.Type ?? FieldErrors.TypeName(column.Type), "", raw, 1213, "Missing data for not-null field", column.Width?.Width.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0");
                    else if (column.IsText && column.Width is { } width)
                    {
                        var value = bad.GetValue(4 + 2 * columns.Count + i) as string ?? raw;
                        var length = width.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        error = width.Type == "char" && value.EnumerateRunes().Any(r => r.Value > 0x7F)
                            ? new LoadError("", 0, column.Name, width.Type, "", value, 1220, MultibyteReason(value), length)
                            : new LoadError("", 0, column.Name, width.Type, "", value, 1204, StringTooLong, length);
                    }
                    else
                    {
                        var (code, reason, position) = FieldErrors.Describe(column.Type, raw, conversions[i]);
                        error = new LoadError("", 0, column.Name, FieldErrors.TypeName(column.Type), "", raw, code, reason) { Position = position };
                    }
                    errors.Add(error with { Filename = urls.GetValueOrDefault(path, path), LineNumber = line });
                }
            errors = RawLines(errors.OrderBy(e => e.Filename, StringComparer.Ordinal).ThenBy(e => e.LineNumber).Take(1000).ToList(), files);
            RecordErrors(errors);
            if (rejected > copy.MaxError)
                throw LoadFailed(errors.FirstOrDefault() ?? new LoadError("", 0, "", "", "", "", 1200, $"{rejected} record(s) could not be loaded"));
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

    /// <summary>
    /// Whether column i's field makes its record a reject, as SQL over the staging table that is never NULL; null when
    /// no value of the column can (text under TRUNCATECOLUMNS, dates under ACCEPTANYDATE).
    /// </summary>
    private string? Fault(LoadColumn column, bool notNull, int i)
    {
        var other = context.Engine.Expressions.Fault(column, LoadOptions, $"c{i}", $"t{i}");
        // A NOT NULL column without a value (a NULL field, an empty one that loads as NULL, a date ACCEPTANYDATE let
        // through as NULL): Redshift rejects the record with 1213 rather than failing the load on the constraint.
        if (notNull) return other is null ? $"(t{i} IS NULL)" : $"(t{i} IS NULL OR {other})";
        return other;
    }

    /// <summary>
    /// The line of a file's n-th record (1-based): after the header lines, and after every line the reader set aside
    /// before it (<paramref name="setAside"/>, ascending).
    /// </summary>
    private long LineOf(long record, List<long>? setAside)
    {
        var line = copy.IgnoreHeader + record;
        if (setAside is null) return line;
        foreach (var skipped in setAside)
        {
            if (skipped > line) break;
            line++;
        }
        return line;
    }

    /// <summary>
    /// The errors with raw_line filled from the staged files (read again only for these lines, on this error path);
    /// a line the reader already gave keeps its text. Files only DuckDB can decompress (ZSTD) keep the field value.
    /// </summary>
    private List<LoadError> RawLines(List<LoadError> errors, List<StagedFile> files)
    {
        if (copy.Format == CopyFormat.Parquet) return errors.Select(e => e.RawLine.Length > 0 ? e : e with { RawLine = e.RawFieldValue }).ToList();
        var result = new List<LoadError>(errors.Count);
        foreach (var group in errors.GroupBy(e => e.Filename))
        {
            var wanted = group.Where(e => e.RawLine.Length == 0).Select(e => e.LineNumber).ToHashSet();
            var lines = new Dictionary<long, string>();
            if (wanted.Count > 0 && files.FirstOrDefault(f => f.Url == group.Key) is { } file)
            {
                using var reader = new StreamReader(OpenStaged(file.Path), System.Text.Encoding.UTF8);
                var last = wanted.Max();
                long number = 0;
                while (number < last && reader.ReadLine() is { } text)
                    if (wanted.Contains(++number)) lines[number] = text.Length > 1024 ? text[..1024] : text;
            }
            result.AddRange(group.Select(e => e.RawLine.Length > 0 ? e : e with { RawLine = lines.GetValueOrDefault(e.LineNumber, e.RawFieldValue) }));
        }
        return result;
    }
}
