using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's source relations: the staged files as the engine reads them, one reader per format (Parquet and JSON here).</summary>
public sealed partial class CopyRunner
{
    /// <param name="Load">The records as the engine reads them (<see cref="LoadSource"/>).</param>
    /// <param name="Columns">The names of their fields.</param>
    private sealed record Source(LoadSource Load, IReadOnlyList<string> Columns)
    {
        /// <summary>Redshift's reason for a record's own fault (<see cref="FixedWidthRecords"/>, <see cref="CheckedRecords"/>).</summary>
        public static string FaultReason(int code) => code switch
        {
            1202 => "Extra column(s) found",
            1214 => "Delimiter not found",
            1220 => InvalidUtf8Exception.RedshiftReason.TrimEnd(':', ' ').Replace(". Bad UTF8 hex sequence", "", StringComparison.Ordinal),
            _ => "Invalid input line",
        };

        /// <summary>The reasons an unsorted load fails with for a record's own fault, by code.</summary>
        public static readonly IReadOnlyDictionary<int, string> FaultReasons = new Dictionary<int, string>
        {
            [1202] = FaultReason(1202), [1214] = FaultReason(1214), [1220] = FaultReason(1220),
        };
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
                return new Source(new FileRecords(parquet), Describe(parquet));
            case CopyFormat.Json when _jsonPaths is not null || copy.NoShred:
                var documents = new JsonScan(paths, Whole: true, compression) { FileNames = true };
                return new Source(new FileRecords(documents), ["json"]);
            case CopyFormat.Json:
                var json = new JsonScan(paths, Whole: false, compression);
                return new Source(new FileRecords(json), Describe(json));
            case CopyFormat.FixedWidth:
                return FixedWidth(paths, compression);
            default:
                return DelimitedText(paths, compression, width, readAs, emptyAsNull);
        }
    }

    private List<string> Describe(FileScan scan) => context.Engine.Describe(scan).Select(c => c.Name).ToList();
}
