using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's source relations: the staged files as the engine reads them, one reader per format (Parquet and JSON here).</summary>
public sealed partial class CopyRunner
{
    /// <param name="Sql">The relation: <c>filename</c> (for text formats) and the fields <see cref="Columns"/>.</param>
    /// <param name="Reader">The engine's reader call inside <paramref name="Sql"/>, to which the record-by-record sorting
    /// adds its rejects options (null: <paramref name="Sql"/> is the reader call).</param>
    /// <param name="Fault">A column of <paramref name="Sql"/> holding a record's own load error code, NULL when the record
    /// is whole (FIXEDWIDTH lines too long, ESCAPE records with too many or too few fields or invalid UTF-8).</param>
    /// <param name="Line">A column of <paramref name="Sql"/> holding the record's first line in its file (null: the
    /// reader's rows are counted).</param>
    /// <param name="SetsAside">The reader is DuckDB's CSV reader, which can set malformed lines aside (store_rejects).</param>
    private sealed record Source(string Sql, IReadOnlyList<string> Columns, string? Reader = null, string? Fault = null, string? Line = null, bool SetsAside = true)
    {
        /// <summary>Redshift's reason for a record's own fault (<see cref="Fault"/>).</summary>
        public static string FaultReason(int code) => code switch
        {
            1202 => "Extra column(s) found",
            1214 => "Delimiter not found",
            1220 => InvalidUtf8Exception.RedshiftReason.TrimEnd(':', ' ').Replace(". Bad UTF8 hex sequence", "", StringComparison.Ordinal),
            _ => "Invalid input line",
        };

        /// <summary>The rows with a fault fail the statement (a load that is not sorted record by record).</summary>
        public string Guard => Fault is { } f
            ? $" WHERE CASE WHEN {f} IS NULL THEN true ELSE error(CASE {f} WHEN 1202 THEN {QuoteLiteral(FaultReason(1202))} WHEN 1214 THEN {QuoteLiteral(FaultReason(1214))} ELSE {QuoteLiteral(FaultReason(1220))} END) END"
            : "";
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
                return new Source($"read_parquet({paths})", Describe($"SELECT * FROM read_parquet({paths})"), SetsAside: false);
            case CopyFormat.Json when _jsonPaths is not null || copy.NoShred:
                return new Source($"read_json_objects({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}', filename = true)", ["json"], SetsAside: false);
            case CopyFormat.Json:
                var json = $"read_json({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}')";
                return new Source(json, Describe($"SELECT * FROM {json}"), SetsAside: false);
            case CopyFormat.FixedWidth:
                return FixedWidth(paths, compression);
            default:
                return DelimitedText(paths, compression, width, readAs, emptyAsNull);
        }
    }

    private List<string> Describe(string sql)
    {
        var names = new List<string>();
        using var result = context.Engine.Query("DESCRIBE " + sql);
        while (result.Read()) names.Add((string)result.GetValue(0)!);
        return names;
    }
}
