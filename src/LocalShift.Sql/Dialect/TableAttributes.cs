using System.Text.RegularExpressions;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// What a CREATE TABLE said about distribution, sort keys, encodings and declared column types, which DuckDB has
/// no place for. Recorded in the cluster's hidden schema so pg_table_def, svv_table_info and svv_columns answer
/// as Redshift would.
/// </summary>
internal sealed partial class TableAttributes
{
    internal sealed class ColumnAttributes(string name, string typeName)
    {
        public string Name { get; } = name;
        public string TypeName { get; } = typeName;
        public string? Encoding { get; set; }
        public bool DistKey { get; set; }
        public int SortKey { get; set; }

        /// <summary>The byte length a character column allows.</summary>
        public int? MaxBytes => CharacterLength().Match(TypeName) is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;
    }

    private readonly List<ColumnAttributes> _columns = [];
    private string? _distKey;
    private List<string> _sortKeys = [];

    public string? DistStyle { get; set; }
    public string? SortKind { get; set; }
    public bool? EncodeAuto { get; set; }

    public ColumnAttributes Column(string name, string typeName)
    {
        var column = new ColumnAttributes(name, typeName);
        _columns.Add(column);
        return column;
    }

    public void DistKey(string? column) => _distKey = column;

    public void SortKey(List<string> columns, string? kind)
    {
        _sortKeys = columns;
        if (kind is not null) SortKind = kind;
    }

    public static List<string> KeyNames(List<SqlToken> tokens, int open) =>
        SplitTopLevel(tokens, open + 1, MatchParen(tokens, open)).Select(SqlLexer.Significant).Where(k => k.Count > 0).Select(k => k[0].Identifier).ToList();

    /// <summary>Replaces what was recorded for the table, unless the table already exists (then CREATE fails or IF NOT EXISTS keeps it).</summary>
    public IEnumerable<string> RecordStatements(string? schema, string table)
    {
        const string s = UserDirectory.Schema;
        var schemaSql = schema is null ? "current_schema()" : QuoteLiteral(schema);
        var tableSql = QuoteLiteral(table);
        var absent = $"NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = {schemaSql} AND table_name = {tableSql})";
        var where = $"schema_name = {schemaSql} AND table_name = {tableSql} AND {absent}";
        var distStyle = DistStyle switch
        {
            _ when _distKey is not null => $"KEY({_distKey})",
            null or "AUTO" => "AUTO(EVEN)",
            var style => style,
        };
        var interleaved = SortKind == "INTERLEAVED";
        for (var i = 0; i < _sortKeys.Count; i++)
        {
            var column = _columns.FirstOrDefault(c => c.Name == _sortKeys[i]);
            if (column is not null) column.SortKey = interleaved ? (i % 2 == 0 ? 1 : -1) * (i + 1) : i + 1;
        }
        foreach (var column in _columns) column.DistKey = column.Name == _distKey;
        yield return $"DELETE FROM {s}.table_attributes WHERE {where}";
        yield return $"DELETE FROM {s}.column_attributes WHERE {where}";
        yield return $"INSERT INTO {s}.table_attributes SELECT {schemaSql}, {tableSql}, {QuoteLiteral(distStyle)}, " +
                     $"{(SortKind is null ? "NULL" : QuoteLiteral(SortKind))}, {(EncodeAuto is { } auto ? auto.ToString().ToUpperInvariant() : (_columns.Any(c => c.Encoding is not null) ? "FALSE" : "NULL"))} WHERE {absent}";
        if (_columns.Count > 0)
            yield return $"INSERT INTO {s}.column_attributes SELECT * FROM (VALUES " +
                         string.Join(", ", _columns.Select(c => $"({schemaSql}, {tableSql}, {QuoteLiteral(c.Name)}, {QuoteLiteral(c.TypeName)}, " +
                                                                $"{(c.Encoding is null ? "NULL" : QuoteLiteral(c.Encoding.ToLowerInvariant()))}, {c.DistKey.ToString().ToUpperInvariant()}, {c.SortKey})")) +
                         $") WHERE {absent}";
    }

    /// <summary>Redshift's (PostgreSQL's) name of a declared type: VARCHAR(10) is character varying(10), INT is integer.</summary>
    public static string RedshiftTypeName(string declared)
    {
        var text = Regex.Replace(declared.Trim().ToLowerInvariant(), @"\s+", " ");
        var match = TypeWithLength().Match(text);
        var name = match.Success ? match.Groups[1].Value.Trim() : text;
        var args = match.Success ? match.Groups[2].Value.Replace(" ", "") : null;
        return name switch
        {
            "varchar" or "character varying" or "nvarchar" or "text" when args is null => "character varying(256)",
            "varchar" or "character varying" or "nvarchar" => args.Equals("max", StringComparison.OrdinalIgnoreCase) ? "character varying(65535)" : $"character varying({args})",
            "text" => "character varying(256)",
            "char" or "character" or "nchar" or "bpchar" => $"character({args ?? "1"})",
            "int" or "integer" or "int4" => "integer",
            "bigint" or "int8" => "bigint",
            "smallint" or "int2" => "smallint",
            "decimal" or "numeric" => args is null ? "numeric(18,0)" : args.Contains(',') ? $"numeric({args})" : $"numeric({args},0)",
            "real" or "float4" => "real",
            "float" or "float8" or "double precision" => "double precision",
            "bool" or "boolean" => "boolean",
            "date" => "date",
            "timestamp" or "timestamp without time zone" => "timestamp without time zone",
            "timestamptz" or "timestamp with time zone" => "timestamp with time zone",
            "time" or "time without time zone" => "time without time zone",
            "timetz" or "time with time zone" => "time with time zone",
            "super" => "super",
            "varbyte" or "varbinary" or "binary varying" => $"varbyte({(args is null or "max" ? "64000" : args)})",
            _ => text,
        };
    }

    [GeneratedRegex(@"^([a-z0-9_ ]+?)\s*\((.*)\)$")]
    private static partial Regex TypeWithLength();

    [GeneratedRegex(@"^character(?: varying)?\((\d+)\)$")]
    private static partial Regex CharacterLength();
}
