using System.Globalization;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// DuckDB's readers and writer of files, as SQL: <c>read_csv</c>, <c>read_parquet</c>, <c>read_json</c> for a
/// <see cref="FileScan"/> (COPY's sources, an external table's objects), <c>COPY (…) TO … (FORMAT …)</c> for a
/// <see cref="FileWrite"/> (UNLOAD, an external table's writes). The one place their names and options are written.
/// </summary>
internal static class DuckDbFileSql
{
    public static string Relation(FileScan scan)
    {
        var paths = "[" + string.Join(", ", scan.Paths.Select(Literal)) + "]";
        var options = scan switch
        {
            DelimitedScan text => DelimitedOptions(text),
            JsonScan json => JsonOptions(json),
            ParquetScan { UnionByName: true } => ["union_by_name = true"],
            _ => [],
        };
        if (scan.FileNames) options.Add("filename = true");
        var reader = scan switch
        {
            DelimitedScan => "read_csv",
            ParquetScan => "read_parquet",
            JsonScan { Whole: true } => "read_json_objects",
            JsonScan => "read_json",
            _ => throw new NotSupportedException($"no reader for {scan.GetType().Name}"),
        };
        return $"{reader}({string.Join(", ", options.Prepend(paths))})";
    }

    private static List<string> JsonOptions(JsonScan json)
    {
        var options = new List<string> { json.OneDocumentPerLine ? "format = 'newline_delimited'" : "format = 'auto'" };
        if (json.Columns is { } columns) options.Add($"columns = {Columns(columns)}");
        // By extension: the reader's own default, which goes by the file's name.
        if (json.Compression != FileCompression.ByExtension)
            options.Add($"compression = '{(json.Compression == FileCompression.None ? "uncompressed" : Compression(json.Compression))}'");
        return options;
    }

    private static string Columns(IReadOnlyList<ScanColumn> columns) =>
        "{" + string.Join(", ", columns.Select(c => $"{Literal(c.Name)}: {Literal(c.Type)}")) + "}";

    private static List<string> DelimitedOptions(DelimitedScan text)
    {
        // Without columns the reader detects the fields itself and reads them all as text.
        if (text.Columns is null)
            return [$"header = {Bool(text.Header)}", "all_varchar = true", $"delim = {Literal(text.Delimiter)}"];
        var columns = Columns(text.Columns);
        var options = new List<string>
        {
            $"delim = {Literal(text.Delimiter)}", $"quote = {Literal(text.Quote)}", $"escape = {Literal(text.Escape)}",
            $"header = {Bool(text.Header)}", $"skip = {text.SkipLines.ToString(CultureInfo.InvariantCulture)}", "auto_detect = false",
            $"columns = {columns}",
        };
        // None given: the reader's own default, an empty field.
        if (text.NullStrings.Count == 1) options.Add($"nullstr = {Literal(text.NullStrings[0])}");
        else if (text.NullStrings.Count > 1) options.Add($"nullstr = [{string.Join(", ", text.NullStrings.Select(Literal))}]");
        if (text.NeverNull.Count > 0) options.Add($"force_not_null = [{string.Join(", ", text.NeverNull.Select(Literal))}]");
        if (!text.QuotedNulls) options.Add("allow_quoted_nulls = false");
        if (text.Compression != FileCompression.ByExtension) options.Add($"compression = '{Compression(text.Compression)}'");
        options.Add($"null_padding = {Bool(text.PadMissingFields)}");
        if (text.Rejects is { } rejects)
            options.Add($"store_rejects = true, rejects_table = {Literal(rejects.Table)}, rejects_scan = {Literal(rejects.Scans)}");
        return options;
    }

    public static string CopyTo(string query, string path, FileWrite write) =>
        $"COPY ({query}) TO {Literal(path)} ({string.Join(", ", CopyOptions(write))})";

    private static IEnumerable<string> CopyOptions(FileWrite write)
    {
        switch (write.Format)
        {
            case FileFormat.Parquet:
                yield return "FORMAT parquet";
                break;
            case FileFormat.Json:
                yield return "FORMAT json";
                break;
            default:
                yield return "FORMAT csv";
                yield return $"DELIMITER {Literal(write.Delimiter)}";
                yield return $"HEADER {Bool(write.Header)}";
                yield return $"NULLSTR {Literal(write.NullString)}";
                if (write.Unquoted && !write.QuoteAll)
                {
                    yield return "QUOTE '', ESCAPE ''";
                    break;
                }
                if (write.Quote is { } quote) yield return $"QUOTE {Literal(quote)}";
                if (write.QuoteEscape is { } escape) yield return $"ESCAPE {Literal(escape)}";
                if (write.QuoteAll) yield return "FORCE_QUOTE *";
                break;
        }
        if (write.Format != FileFormat.Parquet) yield return "COMPRESSION " + Compression(write.Compression);
        if (write.PartitionBy.Count > 0)
        {
            yield return $"PARTITION_BY ({string.Join(", ", write.PartitionBy.Select(Identifier))})";
            if (write.PartitionColumnsWritten) yield return "WRITE_PARTITION_COLUMNS true";
        }
        if (write.MaxFileBytes is { } size) yield return $"FILE_SIZE_BYTES {size.ToString(CultureInfo.InvariantCulture)}";
        if (write.PartitionBy.Count > 0 || write.MaxFileBytes is not null) yield return "OVERWRITE_OR_IGNORE true";
        if (write.FilePerThread) yield return $"PER_THREAD_OUTPUT true, FILENAME_PATTERN '{ThreadFilePrefix}{{i}}', FILE_EXTENSION 'out'";
    }

    private const string ThreadFilePrefix = "slice_";

    /// <summary>The name DuckDB gives thread <paramref name="thread"/>'s file under the options above (it adds the compression's extension).</summary>
    public static string ThreadFile(int thread, FileWrite write) =>
        $"{ThreadFilePrefix}{thread.ToString(CultureInfo.InvariantCulture)}.out" + write.Compression switch
        {
            FileCompression.Gzip when write.Format != FileFormat.Parquet => ".gz",
            FileCompression.Zstd when write.Format != FileFormat.Parquet => ".zst",
            _ => "",
        };

    private static string Compression(FileCompression compression) => compression switch
    {
        FileCompression.Gzip => "gzip",
        FileCompression.Zstd => "zstd",
        FileCompression.ByExtension => throw new ArgumentException("a file written is compressed as asked, not by its name", nameof(compression)),
        _ => "none",
    };

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A string literal; a NUL character, which SQL text cannot hold, as <c>chr(0)</c> joined on.</summary>
    internal static string Literal(string text)
    {
        var quoted = "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
        return text.Contains('\0', StringComparison.Ordinal) ? "(" + quoted.Replace("\0", "' || chr(0) || '", StringComparison.Ordinal) + ")" : quoted;
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
