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
/// query's result is padded where its column is a CHAR column read as it is: <c>SELECT c, * FROM t</c>, through a join,
/// a subquery, a WITH query or a set operation whose sides agree on the width. An expression over a CHAR column
/// (<c>max(c)</c>, <c>c || 'x'</c>) is not padded.
/// </summary>
internal sealed partial class SqlSession
{
    /// <summary>The width of each result column that is a CHAR(n) column read as it is (null: none), or null when no column is.</summary>
    private int?[]? CharWidths(StatementAnalysis analysis)
    {
        if (analysis.Tree is not QueryStatement { Query: var query }) return null;
        var version = _database.SchemaVersion;
        if (analysis.CharPadding is { } known && known.SchemaVersion == version) return known.Widths;
        var columns = OutputColumns(query, new Dictionary<string, List<OutputColumn>?>(StringComparer.Ordinal), new Dictionary<string, List<OutputColumn>>(StringComparer.Ordinal));
        var answer = columns is not null && columns.Any(c => c.Width is not null) ? columns.Select(c => c.Width).ToArray() : null;
        analysis.CharPadding = (version, answer);
        return answer;
    }

    /// <summary>A column of a query's result or of a relation in its FROM: its name and, for a CHAR(n) column read as it is, n.</summary>
    private sealed record OutputColumn(string? Name, int? Width);

    /// <summary>
    /// The columns of a query's result with the CHAR widths they keep: a CHAR column read as it is from a table, a
    /// join, a subquery or a WITH query keeps its width; a set operation keeps a width both sides agree on; any other
    /// expression has none. Null when the columns cannot be told (a star over a relation of unknown columns).
    /// </summary>
    /// <param name="ctes">The WITH queries in scope (null columns: not known).</param>
    /// <param name="tables">The declared columns of each table read so far.</param>
    private List<OutputColumn>? OutputColumns(Query query, Dictionary<string, List<OutputColumn>?> ctes, Dictionary<string, List<OutputColumn>> tables)
    {
        if (query.With.Count > 0)
        {
            ctes = new Dictionary<string, List<OutputColumn>?>(ctes, StringComparer.Ordinal);
            foreach (var cte in query.With)
            {
                var columns = query.Recursive ? null : OutputColumns(cte.Query, ctes, tables);
                if (columns is not null && cte.Columns.Count > 0)
                    columns = cte.Columns.Count == columns.Count ? columns.Select((c, i) => c with { Name = cte.Columns[i] }).ToList() : null;
                ctes[cte.Name] = columns;
            }
        }
        return BodyColumns(query.Body, ctes, tables);
    }

    private List<OutputColumn>? BodyColumns(QueryBody body, Dictionary<string, List<OutputColumn>?> ctes, Dictionary<string, List<OutputColumn>> tables)
    {
        switch (body)
        {
            case NestedQuery nested:
                return OutputColumns(nested.Query, ctes, tables);
            case SetOperation set:
            {
                var left = BodyColumns(set.Left, ctes, tables);
                var right = BodyColumns(set.Right, ctes, tables);
                if (left is null) return null;
                if (right is null || right.Count != left.Count) return left.Select(c => c with { Width = null }).ToList();
                return left.Select((c, i) => c.Width == right[i].Width ? c : c with { Width = null }).ToList();
            }
            case SelectCore { Into: null } core:
            {
                var sources = new List<(string Alias, List<OutputColumn>? Columns)>();
                foreach (var from in core.From) Sources(from, sources, ctes, tables);
                var output = new List<OutputColumn>();
                foreach (var item in core.Items)
                    switch (item.Expression)
                    {
                        case StarExpr:
                            if (sources.Count == 0 || sources.Any(s => s.Columns is null)) return null;
                            output.AddRange(sources.SelectMany(s => s.Columns!));
                            break;
                        case ColumnExpr { Parts: [var qualifier, "*"] }:
                            if (sources.FirstOrDefault(s => s.Alias == qualifier).Columns is not { } starred) return null;
                            output.AddRange(starred);
                            break;
                        case ColumnExpr { Parts: [.., var column] } reference:
                        {
                            var candidates = sources.Where(s => reference.Parts.Count == 1 || s.Alias == reference.Parts[^2])
                                .Select(s => s.Columns?.FirstOrDefault(c => c.Name == column)).Where(c => c is not null).ToList();
                            output.Add(new OutputColumn(item.Alias ?? column, candidates.Count == 1 ? candidates[0]!.Width : null));
                            break;
                        }
                        default:
                            output.Add(new OutputColumn(item.Alias, null));
                            break;
                    }
                return output;
            }
            default:
                return null;
        }
    }

    /// <summary>The relations a FROM item brings into scope, by the name the query gives them (null columns: not known).</summary>
    private void Sources(FromItem from, List<(string Alias, List<OutputColumn>? Columns)> sources, Dictionary<string, List<OutputColumn>?> ctes,
        Dictionary<string, List<OutputColumn>> tables)
    {
        switch (from)
        {
            case TableFrom table:
            {
                var name = table.Name;
                List<OutputColumn>? columns;
                if (name.Schema is null && ctes.TryGetValue(name.Name, out var cte)) columns = cte;
                else
                {
                    var schema = name.Schema ?? SchemaOf?.Invoke(name.Name) ?? "public";
                    var key = schema + "." + name.Name;
                    if (!tables.TryGetValue(key, out var declared)) tables[key] = declared = DeclaredColumns(schema, name.Name);
                    columns = declared.Count == 0 ? null : declared;
                }
                sources.Add((table.Alias?.Name ?? name.Name, Renamed(columns, table.Alias)));
                break;
            }
            case SubqueryFrom subquery:
                sources.Add((subquery.Alias?.Name ?? "", Renamed(OutputColumns(subquery.Query, ctes, tables), subquery.Alias)));
                break;
            case JoinFrom join:
            {
                var before = sources.Count;
                Sources(join.Left, sources, ctes, tables);
                Sources(join.Right, sources, ctes, tables);
                // USING and NATURAL merge the joined columns into one: a star's columns are then not the sum of both sides.
                if (join.Using.Count > 0 || join.Natural)
                    for (var k = before; k < sources.Count; k++) sources[k] = (sources[k].Alias, null);
                break;
            }
            default:
                sources.Add(("", null));
                break;
        }
    }

    private static List<OutputColumn>? Renamed(List<OutputColumn>? columns, TableAlias? alias)
    {
        if (columns is null || alias is null || alias.Columns.Count == 0) return columns;
        return columns.Select((c, i) => i < alias.Columns.Count ? c with { Name = alias.Columns[i] } : c).ToList();
    }

    /// <summary>A table's columns as it was created, with the width of its CHAR(n) ones (none: the table is not known).</summary>
    private List<OutputColumn> DeclaredColumns(string schema, string table)
    {
        var declared = new List<OutputColumn>();
        using var result = _engine.Query("SELECT column_name, type_name FROM main.ls_column_defs WHERE table_schema = " +
                                         $"{TokenCursor.QuoteLiteral(schema)} AND table_name = {TokenCursor.QuoteLiteral(table)} ORDER BY ordinal_position");
        while (result.Read())
            declared.Add(new OutputColumn((string)result.GetValue(0)!,
                result.GetValue(1) is string type && CharType().Match(type) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null));
        return declared;
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
