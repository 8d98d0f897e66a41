using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's reader of FIXEDWIDTH text.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// FIXEDWIDTH: each line is cut into fields of the spec's widths (characters), in column order. A line shorter than
    /// the spec fails the load unless FILLRECORD is given; a field equal to NULL AS (after trimming blanks) is NULL.
    /// </summary>
    private Source FixedWidth(string paths, string compression)
    {
        var nulls = copy.NullAs ?? "\\N";
        var total = copy.FixedWidths.Sum(w => w.Width);
        var lines = $"read_csv({paths}, delim = chr(30), quote = '', escape = '', header = false, skip = {copy.IgnoreHeader}, auto_detect = false, " +
            $"columns = {{'line': 'VARCHAR'}}, compression = '{compression}', filename = true, null_padding = true)";
        var checkedLine = copy.FillRecord ? "coalesce(line, '')"
            : $"CASE WHEN length(coalesce(line, '')) < {total} THEN error('Line is shorter than the FIXEDWIDTH specification (' || length(coalesce(line, '')) || ' of {total} characters): ' || coalesce(line, '')) ELSE line END";
        var names = Enumerable.Range(0, copy.FixedWidths.Count).Select(i => $"c{i}").ToList();
        var start = 1;
        var fields = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var field = $"substr(l, {start}, {copy.FixedWidths[i].Width})";
            fields.Add($"CASE WHEN trim({field}) = {NullLiteral} THEN NULL ELSE {field} END AS {names[i]}");
            start += copy.FixedWidths[i].Width;
        }
        return new Source($"(SELECT filename, {string.Join(", ", fields)} FROM (SELECT filename, {checkedLine} AS l FROM {lines}))", names);
    }
}
