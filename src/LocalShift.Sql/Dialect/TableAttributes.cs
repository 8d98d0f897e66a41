using System.Text.RegularExpressions;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// What a CREATE TABLE said about distribution, sort keys, encodings and declared column types, which DuckDB has
/// no place for. Recorded in the cluster's hidden schema (in the same transaction as the table) so pg_table_def,
/// svv_table_info and svv_columns answer as Redshift would, and COPY knows the CHAR/VARCHAR widths to enforce
/// (<see cref="Copy.ColumnWidths"/>). ALTER TABLE and DROP TABLE/SCHEMA keep the record in step (<see cref="Follow"/>).
/// </summary>
internal sealed partial class TableAttributes
{
    private const string TableAttributesTable = UserDirectory.Schema + ".table_attributes";
    private const string ColumnAttributesTable = UserDirectory.Schema + ".column_attributes";

    /// <summary>
    /// Creates the record's tables when the cluster's database opens. A database written before the declared types were
    /// kept here has its CHAR/VARCHAR widths in <c>__localshift.column_widths</c>: those move over once, then that table goes.
    /// </summary>
    public static void Install(IEngineSession system)
    {
        system.Execute($"""
            CREATE TABLE IF NOT EXISTS {TableAttributesTable}(schema_name VARCHAR, table_name VARCHAR, diststyle VARCHAR, sortkey_kind VARCHAR, encode_auto BOOLEAN);
            CREATE TABLE IF NOT EXISTS {ColumnAttributesTable}(schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, type_name VARCHAR,
              encoding VARCHAR, distkey BOOLEAN, sortkey INTEGER);
            """);
        if (!system.Catalog.HasTable(UserDirectory.Schema, "column_widths")) return;
        system.Execute($"""
            BEGIN TRANSACTION;
            INSERT INTO {ColumnAttributesTable}
              SELECT w.schema_name, w.table_name, w.column_name,
                     CASE WHEN w.type = 'char' THEN 'character(' || w.width || ')' ELSE 'character varying(' || w.width || ')' END, NULL, FALSE, 0
              FROM {UserDirectory.Schema}.column_widths w
              WHERE EXISTS (SELECT 1 FROM information_schema.columns c
                            WHERE c.table_schema = w.schema_name AND c.table_name = w.table_name AND c.column_name = w.column_name)
                AND NOT EXISTS (SELECT 1 FROM {ColumnAttributesTable} a
                                WHERE a.schema_name = w.schema_name AND a.table_name = w.table_name AND a.column_name = w.column_name);
            DROP TABLE {UserDirectory.Schema}.column_widths;
            COMMIT;
            """);
    }
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

    /// <summary>
    /// Keeps the record in step with DDL that ran, as its tree names it: DROP TABLE and DROP SCHEMA forget their tables,
    /// ALTER TABLE ... RENAME TO / RENAME COLUMN / ADD COLUMN (with its ENCODE) / DROP COLUMN / ALTER COLUMN ... TYPE
    /// follow along. Any other statement returns at once.
    /// </summary>
    public static void Follow(IEngineSession engine, Statement? tree)
    {
        switch (tree)
        {
            case DropStatement { ObjectKind: "TABLE" or "SCHEMA" } drop when drop.Names.Count > 0:
                engine.Execute(string.Join("; ", drop.Names.Select(name =>
                {
                    var where = drop.ObjectKind == "SCHEMA" ? $"schema_name = {QuoteLiteral(name.Name)}" : Where(name.Schema, name.Name);
                    return $"DELETE FROM {TableAttributesTable} WHERE {where}; DELETE FROM {ColumnAttributesTable} WHERE {where}";
                })));
                return;
            case AlterTableStatement alter:
                Follow(engine, alter);
                return;
        }
    }

    private static void Follow(IEngineSession engine, AlterTableStatement alter)
    {
        var tableWhere = Where(alter.Table.Schema, alter.Table.Name);
        switch (alter)
        {
            case { Action: "RENAME", NewName: { } newName }:
                var renamed = QuoteLiteral(newName);
                engine.Execute($"UPDATE {TableAttributesTable} SET table_name = {renamed} WHERE {tableWhere}; " +
                               $"UPDATE {ColumnAttributesTable} SET table_name = {renamed} WHERE {tableWhere}");
                break;
            case { Action: "RENAME COLUMN", Column: { } column, NewName: { } newName }:
                engine.Execute($"UPDATE {ColumnAttributesTable} SET column_name = {QuoteLiteral(newName)} " +
                               $"WHERE {tableWhere} AND column_name = {QuoteLiteral(column)}");
                break;
            case { Action: "ADD COLUMN", NewName: { } column, DeclaredType: { } declared }:
                var type = RedshiftTypeName(declared);
                var encoding = alter.Clauses.FirstOrDefault(c => c.Kind == ColumnClauseKind.Encode)?.Value is { } value
                    ? QuoteLiteral(value.ToLowerInvariant())
                    : "NULL";
                engine.Execute($"DELETE FROM {ColumnAttributesTable} WHERE {tableWhere} AND column_name = {QuoteLiteral(column)}; " +
                               $"INSERT INTO {ColumnAttributesTable} VALUES ({Schema(alter.Table.Schema)}, {QuoteLiteral(alter.Table.Name)}, {QuoteLiteral(column)}, " +
                               $"{QuoteLiteral(type)}, {encoding}, FALSE, 0)");
                break;
            case { Action: "DROP COLUMN", NewName: { } column }:
                engine.Execute($"DELETE FROM {ColumnAttributesTable} WHERE {tableWhere} AND column_name = {QuoteLiteral(column)}");
                break;
            case { Action: "ALTER COLUMN TYPE", NewName: { } column, DeclaredType: { } declared }:
                // Redshift: a VARCHAR's length may grow.
                engine.Execute($"UPDATE {ColumnAttributesTable} SET type_name = {QuoteLiteral(RedshiftTypeName(declared))} " +
                               $"WHERE {tableWhere} AND column_name = {QuoteLiteral(column)}");
                break;
        }
    }

    private static string Schema(string? schema) => schema is null ? "current_schema()" : QuoteLiteral(schema);

    private static string Where(string? schema, string table) => $"schema_name = {Schema(schema)} AND table_name = {QuoteLiteral(table)}";

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
            "bpchar" => $"character({args ?? "256"})",
            "char" or "character" or "nchar" => $"character({args ?? "1"})",
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
