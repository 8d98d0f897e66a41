using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's reader of FIXEDWIDTH text.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// FIXEDWIDTH: each line is cut into fields of the spec's widths (characters), in column order; a field equal to NULL
    /// AS (after trimming blanks) is NULL. A line shorter than the spec loads, its missing fields empty (as Redshift
    /// loads short lines); a longer one is a record at fault (1202, Extra column(s) found: unverified for FIXEDWIDTH).
    /// </summary>
    /// <summary>NULL AS as SQL: <c>chr(0)</c> for <c>NULL AS '\0'</c> (a field of the NUL character alone is NULL).</summary>
    private string NullLiteral => copy.NullAs == "\0" ? "chr(0)" : QuoteLiteral(copy.NullAs ?? "\\N");

    private Source FixedWidth(List<string> paths, FileCompression compression)
    {
        var total = copy.FixedWidths.Sum(w => w.Width);
        // Whole lines: a delimiter no text line holds (the record separator), no quotes.
        var scan = new DelimitedScan(paths, [new ScanColumn("line", "VARCHAR")])
        {
            Delimiter = "\u001e", SkipLines = copy.IgnoreHeader, Compression = compression, FileNames = true, PadMissingFields = true,
        };
        var lines = context.Engine.FileRelation(scan);
        var names = Enumerable.Range(0, copy.FixedWidths.Count).Select(i => $"c{i}").ToList();
        var start = 1;
        var fields = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var field = $"substr(l, {start}, {copy.FixedWidths[i].Width})";
            fields.Add($"CASE WHEN trim({field}) = {NullLiteral} THEN NULL ELSE {field} END AS {names[i]}");
            start += copy.FixedWidths[i].Width;
        }
        return new Source($"(SELECT filename, CASE WHEN length(l) > {total} THEN 1202 END AS __fault, {string.Join(", ", fields)} " +
            $"FROM (SELECT filename, coalesce(line, '') AS l FROM {lines}))", names, scan, Fault: "__fault");
    }
}
