using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's reader of delimited text and CSV, with and without ESCAPE.</summary>
public sealed partial class CopyRunner
{
    /// <summary>Text and CSV (ESCAPE text through its own readers): the reader's fields c0, c1, … as VARCHAR unless <paramref name="readAs"/> types them.</summary>
    private Source DelimitedText(List<string> paths, FileCompression compression, int width, Func<int, string>? readAs, List<string>? emptyAsNull)
    {
        if (_escapedAsCsv is not null) return EscapedTextAsCsv(width);
        var csv = copy.Format == CopyFormat.Csv;
        var quote = csv || copy.RemoveQuotes ? copy.Quote : "";
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
        // Redshift's default NULL AS is \N for CSV too: an empty unquoted field is an empty string for CHAR/VARCHAR
        // (NULL only with EMPTYASNULL or NULL AS '') and NULL for other types.
        // With FILLRECORD the reader pads missing fields with NULL, and NULL AS is matched in SQL (Field), so
        // that a missing CHAR/VARCHAR field can load as '' while a \N field loads as NULL.
        var nulls = NullsInSql ? "\0\u0001" : copy.NullAs ?? "\\N";
        var scan = new DelimitedScan(paths, names.Select((n, i) => new ScanColumn(n, readAs?.Invoke(i) ?? "VARCHAR")).ToList())
        {
            Delimiter = copy.Delimiter ?? (csv ? "," : "|"),
            Quote = quote,
            Escape = csv ? copy.Quote : copy.Escape && quote.Length > 0 ? "\\" : quote,
            SkipLines = copy.IgnoreHeader,
            NullStrings = emptyAsNull is null ? [nulls] : [nulls, ""],
            NeverNull = emptyAsNull ?? [],
            Compression = compression,
            PadMissingFields = copy.FillRecord,
            FileNames = true,
        };
        return new Source(new FileRecords(scan), names);
    }

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
        if (StagedCompression != FileCompression.None) return null;
        var needle = System.Text.Encoding.UTF8.GetBytes(nulls);
        return files.Any(f => _holdsNullString.TryGetValue(f.Path, out var holds) ? holds : Contains(f.Path, needle)) ? null : keep;
    }

    /// <summary>The rewritten files of <see cref="RewriteEscapedText"/>: every value quoted, NULL an unquoted empty field,
    /// each row named by its original staged file (so load errors name its object).</summary>
    private Source EscapedTextAsCsv(int width)
    {
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToList();
        var scan = new DelimitedScan(_escapedAsCsv!.Select(f => f.Csv).ToList(),
            [new ScanColumn("__line", "BIGINT"), new ScanColumn("__fault", "INTEGER"), .. names.Select(n => new ScanColumn(n, "VARCHAR"))])
        {
            Delimiter = ",", Quote = "\"", Escape = "\"", NullStrings = [""], QuotedNulls = false, FileNames = true,
        };
        var originals = _escapedAsCsv!.ToDictionary(f => f.Csv, f => f.Original, StringComparer.Ordinal);
        return new Source(new CheckedRecords(scan, originals, LineColumn: "__line", FaultColumn: "__fault"), names);
    }
}
