using System.Text.RegularExpressions;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>
/// CHAR(n) values as Redshift returns them: blank-padded to n, typed <c>bpchar</c> with n's typmod. The engine keeps
/// CHAR columns as VARCHAR without the blanks (so that comparisons ignore trailing blanks, as Redshift's do), so a
/// query's result is padded where its column is a CHAR column read as it is: <c>SELECT c, * FROM t</c> from one
/// table. An expression over a CHAR column (<c>max(c)</c>, <c>c || 'x'</c>) and a join's columns are not padded.
/// </summary>
internal sealed partial class SqlSession
{
    /// <summary>The width of each result column that is a CHAR(n) column read as it is (null: none), or null when no column is.</summary>
    private int?[]? CharWidths(StatementAnalysis analysis)
    {
        if (analysis.Tree is not QueryStatement { Query: { With.Count: 0, Body: SelectCore { From: [TableFrom table], Into: null } core } }) return null;
        var version = _database.SchemaVersion;
        if (analysis.CharPadding is { } known && known.SchemaVersion == version) return known.Widths;
        var name = table.Name;
        var schema = name.Schema ?? SchemaOf?.Invoke(name.Name) ?? "public";
        var declared = new List<(string Column, int? Width)>();
        using (var result = _engine.Query("SELECT column_name, type_name FROM main.ls_column_defs WHERE table_schema = " +
                                          $"{TokenCursor.QuoteLiteral(schema)} AND table_name = {TokenCursor.QuoteLiteral(name.Name)} ORDER BY ordinal_position"))
            while (result.Read())
                declared.Add(((string)result.GetValue(0)!, result.GetValue(1) is string type && CharType().Match(type) is { Success: true } m ? int.Parse(m.Groups[1].Value) : null));
        var widths = new List<int?>();
        var alias = table.Alias?.Name ?? name.Name;
        foreach (var item in core.Items)
            switch (item.Expression)
            {
                case StarExpr:
                case ColumnExpr { Parts: [var qualifier, "*"] } when qualifier == alias:
                    widths.AddRange(declared.Select(d => d.Width));
                    break;
                case ColumnExpr { Parts: [.., var column] } reference when reference.Parts.Count == 1 || reference.Parts[^2] == alias:
                    widths.Add(declared.FirstOrDefault(d => d.Column == column).Width);
                    break;
                default:
                    widths.Add(null);
                    break;
            }
        var answer = widths.Any(w => w is not null) ? widths.ToArray() : null;
        analysis.CharPadding = (version, answer);
        return answer;
    }

    /// <summary>The result's columns with CHAR(n) ones typed bpchar(n).</summary>
    private static IReadOnlyList<PgColumn> CharColumns(IReadOnlyList<PgColumn> columns, int?[] widths) =>
        columns.Select((c, i) => i < widths.Length && widths[i] is { } n && c.TypeOid is PgTypeOid.Varchar or PgTypeOid.Text
            ? c with { TypeOid = PgTypeOid.Bpchar, TypeModifier = n + 4 } : c).ToList();

    [GeneratedRegex(@"^character\((\d+)\)$")]
    private static partial Regex CharType();

    /// <summary>A result whose CHAR(n) columns are padded with blanks to n characters.</summary>
    private sealed class CharPaddedResult(IPgResult inner, int?[] widths) : IPgResult
    {
        private readonly IReadOnlyList<PgColumn>? _columns = inner.Columns is { } columns ? CharColumns(columns, widths) : null;
        public IReadOnlyList<PgColumn>? Columns => _columns;
        public bool Read() => inner.Read();

        public object? GetValue(int ordinal)
        {
            var value = inner.GetValue(ordinal);
            return value is string text && ordinal < widths.Length && widths[ordinal] is { } n && _columns![ordinal].TypeOid == PgTypeOid.Bpchar
                ? text.PadRight(n) : value;
        }

        public string CommandTag => inner.CommandTag;
        public void Dispose() => inner.Dispose();
    }
}
