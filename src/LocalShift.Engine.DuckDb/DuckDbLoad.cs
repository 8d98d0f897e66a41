using System.Globalization;
using LocalShift.Engine.Types;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// <see cref="IEngineSession.Load"/> in DuckDB's SQL: <c>INSERT INTO … SELECT … FROM</c> the files' reader (with a
/// guard that fails a record's own fault), and, for a sorted load, a temporary staging table holding each field raw
/// beside its tried value, the reader's rejects tables (<c>store_rejects</c>), and the insert of the records not at
/// fault. Also UNLOAD's row projections (<see cref="FileWrite.BooleansAsLetters"/>, <see cref="FileWrite.FixedWidths"/>,
/// <see cref="FileWrite.EscapeCharacters"/>) around the query a write runs.
/// </summary>
internal static class DuckDbLoad
{
    private const string Stage = "__localshift_copy_stage";
    private const string RejectsTable = "__localshift_copy_rejects";
    private const string ScansTable = "__localshift_copy_scans";

    private static DuckDbLoadSql X => DuckDbLoadSql.Instance;

    /// <summary>The source as a relation: its SQL, and the columns holding a record's own fault and first line (null: none).</summary>
    private static (string Sql, string? Fault, string? Line) Relation(LoadSource source)
    {
        switch (source)
        {
            case FixedWidthRecords fixedWidth:
            {
                var lines = DuckDbFileSql.Relation(fixedWidth.Lines);
                var nulls = fixedWidth.NullString == "\0" ? "chr(0)" : Literal(fixedWidth.NullString);
                var start = 1;
                var fields = new List<string>();
                for (var i = 0; i < fixedWidth.Widths.Count; i++)
                {
                    var field = $"substr(l, {start}, {fixedWidth.Widths[i]})";
                    fields.Add($"CASE WHEN trim({field}) = {nulls} THEN NULL ELSE {field} END AS c{i}");
                    start += fixedWidth.Widths[i];
                }
                var total = fixedWidth.Widths.Sum();
                return ($"(SELECT filename, CASE WHEN length(l) > {total} THEN {fixedWidth.TooLongFault} END AS __fault, {string.Join(", ", fields)} " +
                        $"FROM (SELECT filename, coalesce(line, '') AS l FROM {lines}))", "__fault", null);
            }
            case CheckedRecords records:
            {
                var read = DuckDbFileSql.Relation(records.Records);
                var original = "CASE filename " + string.Join(" ", records.Originals.Select(o => $"WHEN {Literal(o.Key)} THEN {Literal(o.Value)}")) + " END";
                var columns = (records.Records.Columns ?? []).Select(c => Identifier(c.Name));
                return ($"(SELECT {original} AS filename, {string.Join(", ", columns)} FROM {read})", Identifier(records.FaultColumn), Identifier(records.LineColumn));
            }
            default:
                return (DuckDbFileSql.Relation(source.Scan), null, null);
        }
    }

    /// <summary>The rows with a fault of their own fail the statement (a load that is not sorted record by record).</summary>
    private static string Guard(string? fault, IReadOnlyDictionary<int, string> reasons) => fault is { } f
        ? $" WHERE CASE WHEN {f} IS NULL THEN true ELSE {X.Fail($"CASE {f} {string.Join(" ", reasons.Select(r => $"WHEN {r.Key.ToString(CultureInfo.InvariantCulture)} THEN {Literal(r.Value)}"))} ELSE CAST({f} AS VARCHAR) END")} END"
        : "";

    private static string Target(LoadTarget target) =>
        $"{(target.Temporary ? "temp.main" : Identifier(target.Schema))}.{Identifier(target.Table)} ({string.Join(", ", target.Columns.Select(Identifier))})";

    public static LoadResult Load(DuckDbSession session, LoadPlan plan)
    {
        if (plan.Rejects is { } sorting) return Sorted(session, plan, sorting);
        var (sql, fault, _) = Relation(plan.Source);
        var select = string.Join(", ", plan.Columns.Select(c => X.Value(c, plan.Options, tryConvert: false, check: true)));
        var from = $"{sql}{Guard(fault, plan.FaultReasons)}";
        if (plan.CheckOnly)
        {
            Count(session, $"SELECT count(*) FROM (SELECT {select} FROM {from})");
            return new LoadResult(0);
        }
        return new LoadResult(session.Execute($"INSERT INTO {Target(plan.Target)} SELECT {select} FROM {from}"));
    }

    public static WidthFault? FirstWidthFault(DuckDbSession session, LoadPlan plan, int column)
    {
        var load = plan.Columns[column];
        if (load.Width is not { } width) return null;
        var (sql, _, _) = Relation(plan.Source);
        var hasFile = plan.Source.Scan.FileNames;
        var value = X.Value(load, plan.Options, tryConvert: true, check: false);
        var multibyte = load.AsciiOnly ? X.HasMultibyte("v") : "false";
        using var found = session.Query(
            $"SELECT {(hasFile ? "filename" : "NULL")}, line, v, {multibyte} FROM (SELECT {(hasFile ? "filename, " : "")}row_number() OVER () AS line, " +
            $"{value} AS v FROM {sql}) WHERE {multibyte} OR {(plan.Options.TruncateToWidth ? "false" : X.LongerThan("v", width))} ORDER BY line LIMIT 1");
        if (!found.Read()) return null;
        return new WidthFault(found.GetValue(0) as string, Convert.ToInt64(found.GetValue(1), CultureInfo.InvariantCulture), (string)found.GetValue(2)!, found.GetValue(3) is true);
    }

    /// <summary>
    /// The record-by-record sorting: the records into a staging table with each field kept raw beside its tried value
    /// (lines the reader finds malformed set aside into its rejects tables), the rejects described, and, unless there
    /// are more than allowed, the other records inserted.
    /// </summary>
    private static LoadResult Sorted(DuckDbSession session, LoadPlan plan, RejectSorting sorting)
    {
        var columns = plan.Columns;
        // Malformed lines (too many or too few fields) are set aside by the reader into a rejects table; Parquet and JSON
        // readers name each row's file only when asked (the fast load does not ask).
        var setsAside = plan.Source.Scan is DelimitedScan;
        var relaxed = plan.Source.With(plan.Source.Scan is DelimitedScan delimited
            ? delimited with { Rejects = new RejectedLines(RejectsTable, ScansTable) }
            : plan.Source.Scan with { FileNames = true });
        var (sql, ownFault, ownLine) = Relation(relaxed);
        session.Execute($"DROP TABLE IF EXISTS {Stage}");
        session.Execute($"CREATE TEMP TABLE {Stage} AS SELECT filename, row_number() OVER () AS n, {ownFault ?? "CAST(NULL AS INTEGER)"} AS __fault, " +
            $"{ownLine ?? "CAST(NULL AS BIGINT)"} AS __line, " +
            string.Join(", ", columns.Select((c, i) => $"{X.RawField(c)} AS c{i}")) + ", " +
            string.Join(", ", columns.Select((c, i) => $"{X.Value(c, plan.Options, tryConvert: true, check: false)} AS t{i}")) + $" FROM {sql}");
        try
        {
            // Each column's fault as a boolean that is never NULL (a NULL here once dropped records without a trace).
            var faults = columns.Select((c, i) => Fault(c, plan.Options, i)).ToList();
            var rejectFilter = string.Join(" OR ", faults.Where(f => f is not null).Prepend("__fault IS NOT NULL"));
            // Record numbers per file: the reader's rows are numbered in file order; a line it set aside has no row.
            var firstRow = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var starts = session.Query($"SELECT filename, min(n) FROM {Stage} GROUP BY filename"))
                while (starts.Read()) firstRow[(string)starts.GetValue(0)!] = Convert.ToInt64(starts.GetValue(1), CultureInfo.InvariantCulture);
            var malformed = new List<MalformedLine>();
            if (setsAside)
            {
                using var rejects = session.Query("SELECT s.file_path, e.line, any_value(coalesce(e.csv_line, '')), any_value(e.error_type), any_value(e.error_message) " +
                    $"FROM {RejectsTable} e JOIN {ScansTable} s USING (scan_id, file_id) GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line");
                while (rejects.Read())
                {
                    var type = rejects.GetValue(3)?.ToString() ?? "";
                    var kind = (rejects.GetValue(4)?.ToString() ?? "").Contains("unicode", StringComparison.OrdinalIgnoreCase) || type.Contains("ENCODING", StringComparison.Ordinal)
                        ? MalformedKind.InvalidUnicode
                        : type switch
                        {
                            "TOO MANY COLUMNS" => MalformedKind.TooManyFields,
                            "MISSING COLUMNS" => MalformedKind.TooFewFields,
                            _ => MalformedKind.UnclosedQuote,
                        };
                    malformed.Add(new MalformedLine((string)rejects.GetValue(0)!, Convert.ToInt64(rejects.GetValue(1), CultureInfo.InvariantCulture), (string)rejects.GetValue(2)!, kind));
                }
            }
            var rejected = Count(session, $"SELECT count(*) FROM {Stage} WHERE {rejectFilter}") + malformed.Count;
            var records = new List<RejectedRecord>();
            var n = columns.Count;
            using (var bad = session.Query($"SELECT filename, n, {string.Join(", ", faults.Select(f => f ?? "false"))}, __fault, __line, " +
                string.Join(", ", columns.Select((_, i) => $"CAST(c{i} AS VARCHAR)")) + ", " +
                string.Join(", ", columns.Select((_, i) => $"CAST(t{i} AS VARCHAR)")) +
                $" FROM {Stage} WHERE {rejectFilter} ORDER BY n LIMIT {sorting.Reported.ToString(CultureInfo.InvariantCulture)}"))
                while (bad.Read())
                {
                    var path = (string)bad.GetValue(0)!;
                    var record = Convert.ToInt64(bad.GetValue(1), CultureInfo.InvariantCulture) - firstRow.GetValueOrDefault(path, 1) + 1;
                    long? line = bad.GetValue(3 + n) is { } own ? Convert.ToInt64(own, CultureInfo.InvariantCulture) : null;
                    if (bad.GetValue(2 + n) is { } fault)
                    {
                        records.Add(new RejectedRecord(path, record, line, Convert.ToInt32(fault, CultureInfo.InvariantCulture), -1, null, null));
                        continue;
                    }
                    var i = Enumerable.Range(0, n).First(k => bad.GetValue(2 + k) is true);
                    records.Add(new RejectedRecord(path, record, line, null, i, bad.GetValue(4 + n + i) as string, bad.GetValue(4 + 2 * n + i) as string));
                }
            if (rejected > sorting.MaxErrors) return new LoadResult(0, rejected, Refused: true) { Records = records, Malformed = malformed };
            var loaded = session.Execute($"INSERT INTO {Target(plan.Target)} SELECT {string.Join(", ", Enumerable.Range(0, n).Select(i => $"t{i}"))} FROM {Stage} WHERE NOT ({rejectFilter})");
            return new LoadResult(loaded, rejected) { Records = records, Malformed = malformed };
        }
        finally
        {
            session.Execute($"DROP TABLE IF EXISTS {Stage}; DROP TABLE IF EXISTS {RejectsTable}; DROP TABLE IF EXISTS {ScansTable}");
        }
    }

    /// <summary>
    /// Whether column i's field makes its record a reject, as SQL over the staging table that is never NULL; null when
    /// no value of the column can (text under TRUNCATECOLUMNS, dates under ACCEPTANYDATE).
    /// </summary>
    private static string? Fault(LoadColumn column, LoadOptions options, int i)
    {
        var other = X.Fault(column, options, $"c{i}", $"t{i}");
        // A NOT NULL column without a value (a NULL field, an empty one that loads as NULL, a date let through as NULL).
        if (column.NotNull) return other is null ? $"(t{i} IS NULL)" : $"(t{i} IS NULL OR {other})";
        return other;
    }

    /// <summary>The query whose rows a write puts in files, with the write's projections of them (none: the query itself).</summary>
    public static string Projected(DuckDbSession session, string query, FileWrite write)
    {
        if (!write.BooleansAsLetters && write.FixedWidths.Count == 0 && write.EscapeCharacters is null) return query;
        // One description serves every projection; the boolean columns it lists hold 't'/'f' text after the first.
        var columns = session.Describe(query);
        var sql = query;
        if (write.BooleansAsLetters && columns.Any(c => c.TypeOid == PgTypeOid.Bool))
        {
            // By position, so that a query whose columns share a name still works.
            var select = columns.Select((c, i) => c.TypeOid == PgTypeOid.Bool
                ? $"CASE WHEN c{i} THEN 't' WHEN NOT c{i} THEN 'f' END AS {Identifier(c.Name)}"
                : $"c{i} AS {Identifier(c.Name)}");
            sql = $"SELECT {string.Join(", ", select)} FROM ({sql}) AS unload_query({string.Join(", ", columns.Select((_, i) => $"c{i}"))})";
        }
        if (write.FixedWidths.Count > 0)
        {
            if (columns.Count != write.FixedWidths.Count)
                throw new PgException(SqlState.InvalidParameterValue, $"the fixed widths name {write.FixedWidths.Count} columns; the query returns {columns.Count}");
            var nulls = Literal(write.NullString);
            var parts = columns.Select((c, i) =>
            {
                var w = write.FixedWidths[i];
                var v = $"coalesce(CAST({Identifier(c.Name)} AS VARCHAR), {nulls})";
                var fail = X.Fail($"{Literal(string.Format(CultureInfo.InvariantCulture, write.FixedWidthFailure, c.Name, w))} || {v}");
                return $"CASE WHEN length({v}) > {w} THEN {fail} ELSE rpad({v}, {w}, ' ') END";
            });
            return $"SELECT {string.Join(" || ", parts)} AS line FROM ({sql}) AS unload_query";
        }
        if (write.EscapeCharacters is not { } special) return sql;
        var escaped = columns.Select(c => c.TypeOid is PgTypeOid.Varchar or PgTypeOid.Text
            ? $"{X.Escaped(Identifier(c.Name), special)} AS {Identifier(c.Name)}"
            : Identifier(c.Name));
        return $"SELECT {string.Join(", ", escaped)} FROM ({sql}) AS unload_query";
    }

    private static long Count(DuckDbSession session, string sql)
    {
        using var result = session.Query(sql);
        result.Read();
        return Convert.ToInt64(result.GetValue(0), CultureInfo.InvariantCulture);
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
