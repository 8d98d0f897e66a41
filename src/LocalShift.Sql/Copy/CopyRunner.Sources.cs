using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's source relations: the staged files as the engine reads them, one reader per format (Parquet and JSON here).</summary>
public sealed partial class CopyRunner
{
    /// <param name="Sql">The relation: <c>filename</c> (for text formats) and the fields <see cref="Columns"/>.</param>
    /// <param name="Scan">The files as the engine reads them, whose relation <paramref name="Sql"/> is or selects from;
    /// the record-by-record sorting reads them again with rejects set aside or file names (<see cref="Rescan"/>).</param>
    /// <param name="Fault">A column of <paramref name="Sql"/> holding a record's own load error code, NULL when the record
    /// is whole (FIXEDWIDTH lines too long, ESCAPE records with too many or too few fields or invalid UTF-8).</param>
    /// <param name="Line">A column of <paramref name="Sql"/> holding the record's first line in its file (null: the
    /// reader's rows are counted).</param>
    /// <param name="SetsAside">The reader can set malformed lines aside (<see cref="DelimitedScan.Rejects"/>).</param>
    private sealed record Source(string Sql, IReadOnlyList<string> Columns, FileScan Scan, string? Fault = null, string? Line = null, bool SetsAside = true)
    {
        /// <summary>This relation over the same files read as <paramref name="other"/> says.</summary>
        public string Rescan(IEngineSession engine, FileScan other) =>
            Sql.Replace(engine.FileRelation(Scan), engine.FileRelation(other), StringComparison.Ordinal);

        /// <summary>Redshift's reason for a record's own fault (<see cref="Fault"/>).</summary>
        public static string FaultReason(int code) => code switch
        {
            1202 => "Extra column(s) found",
            1214 => "Delimiter not found",
            1220 => InvalidUtf8Exception.RedshiftReason.TrimEnd(':', ' ').Replace(". Bad UTF8 hex sequence", "", StringComparison.Ordinal),
            _ => "Invalid input line",
        };

        /// <summary>The rows with a fault fail the statement (a load that is not sorted record by record).</summary>
        public string Guard(ILoadExpressions expressions) => Fault is { } f
            ? $" WHERE CASE WHEN {f} IS NULL THEN true ELSE {expressions.Fail($"CASE {f} WHEN 1202 THEN {QuoteLiteral(FaultReason(1202))} WHEN 1214 THEN {QuoteLiteral(FaultReason(1214))} ELSE {QuoteLiteral(FaultReason(1220))} END")} END"
            : "";
    }

    /// <param name="readAs">For text and CSV: the type the reader gives field i (VARCHAR when not given).</param>
    /// <param name="emptyAsNull">For text and CSV: an empty field is NULL too, except in these fields (see <see cref="EmptyFieldsAsNull"/>).</param>
    private Source SourceRelation(List<StagedFile> files, Func<int, string>? readAs = null, List<string>? emptyAsNull = null)
    {
        var paths = files.Select(f => f.Path).ToList();
        var compression = StagedCompression;
        var width = copy.Columns?.Count ?? ColumnsCount();
        switch (copy.Format)
        {
            case CopyFormat.Parquet:
                var parquet = new ParquetScan(paths);
                return new Source(context.Engine.FileRelation(parquet), Describe($"SELECT * FROM {context.Engine.FileRelation(parquet)}"), parquet, SetsAside: false);
            case CopyFormat.Json when _jsonPaths is not null || copy.NoShred:
                var documents = new JsonScan(paths, Whole: true, compression) { FileNames = true };
                return new Source(context.Engine.FileRelation(documents), ["json"], documents, SetsAside: false);
            case CopyFormat.Json:
                var json = new JsonScan(paths, Whole: false, compression);
                return new Source(context.Engine.FileRelation(json), Describe($"SELECT * FROM {context.Engine.FileRelation(json)}"), json, SetsAside: false);
            case CopyFormat.FixedWidth:
                return FixedWidth(paths, compression);
            default:
                return DelimitedText(paths, compression, width, readAs, emptyAsNull);
        }
    }

    private List<string> Describe(string sql) => context.Engine.Describe(sql).Select(c => c.Name).ToList();
}
