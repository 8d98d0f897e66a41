using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's source relations: the staged files as the engine reads them, one reader per format (Parquet and JSON here).</summary>
public sealed partial class CopyRunner
{
    private sealed record Source(string Sql, IReadOnlyList<string> Columns);

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
            case CopyFormat.Json when _jsonPaths is not null || copy.NoShred:
                return new Source($"read_json_objects({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}', filename = true)", ["json"]);
            case CopyFormat.Json:
                var json = $"read_json({paths}, format = 'auto', compression = '{(compression == "none" ? "uncompressed" : compression)}')";
                return new Source(json, Describe($"SELECT * FROM {json}"));
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
