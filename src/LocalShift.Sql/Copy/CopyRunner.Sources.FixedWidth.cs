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
    private Source FixedWidth(List<string> paths, FileCompression compression)
    {
        // Whole lines: a delimiter no text line holds (the record separator), no quotes.
        var scan = new DelimitedScan(paths, [new ScanColumn("line", "VARCHAR")])
        {
            Delimiter = "\u001e", SkipLines = copy.IgnoreHeader, Compression = compression, FileNames = true, PadMissingFields = true,
        };
        var names = Enumerable.Range(0, copy.FixedWidths.Count).Select(i => $"c{i}").ToList();
        return new Source(new FixedWidthRecords(scan, copy.FixedWidths.Select(w => w.Width).ToList(), copy.NullAs ?? "\\N", TooLongFault: 1202), names);
    }
}
