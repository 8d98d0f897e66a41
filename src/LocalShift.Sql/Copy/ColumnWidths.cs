using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>A character column's declared type: VARCHAR or CHAR, and its width in bytes as Redshift counts it.</summary>
public sealed record ColumnWidth(string Type, int Width)
{
    public string TypeName => $"{Type}({Width})";
}

/// <summary>
/// The declared widths of CHAR/VARCHAR columns. DuckDB keeps no length for VARCHAR(n), so CREATE TABLE records them in
/// the hidden schema (inside the same transaction as the table), and COPY enforces them as Redshift does: a value longer
/// than the column fails the load (error 1204) unless TRUNCATECOLUMNS is given. Widths are bytes of UTF-8, as in Redshift.
/// </summary>
public static class ColumnWidths
{
    public const string Table = UserDirectory.Schema + ".column_widths";

    /// <summary>The table, created with the user directory's tables when the cluster's database opens.</summary>
    public const string CreateTable =
        $"CREATE TABLE IF NOT EXISTS {Table}(schema_name VARCHAR NOT NULL, table_name VARCHAR NOT NULL, column_name VARCHAR NOT NULL, type VARCHAR NOT NULL, width INTEGER NOT NULL)";
    public const int MaxVarchar = 65535;
    public const int MaxChar = 4096;

    /// <summary>
    /// Keeps the widths in step with DDL: CREATE TABLE records its column list (CREATE TABLE ... AS records none),
    /// DROP TABLE forgets them, ALTER TABLE ... RENAME TO / RENAME COLUMN / ADD COLUMN / DROP COLUMN follow along.
    /// Anything else returns at once.
    /// </summary>
    public static void Record(IEngineSession engine, List<SqlToken> s, string defaultSchema = "public")
    {
        if (s.Count < 3 || !s[0].IsAny("CREATE", "DROP", "ALTER")) return;
        var i = 1;
        while (i < s.Count && s[i].IsAny("LOCAL", "TEMP", "TEMPORARY")) i++;
        // Temporary tables live outside the recorded schemas.
        if (i >= s.Count || !s[i].Is("TABLE") || i > 1) return;
        i++;
        var ifNotExists = false;
        while (i < s.Count && s[i].IsAny("IF", "NOT", "EXISTS")) { ifNotExists |= s[i].Is("NOT"); i++; }
        if (s[0].Is("DROP"))
        {
            while (i < s.Count && Name(s, ref i, defaultSchema) is var (schema, table))
            {
                engine.Execute($"DELETE FROM {Table} WHERE {Where(schema, table)}");
                if (i >= s.Count || s[i].Kind != SqlTokenKind.Comma) break;
                i++;
            }
            return;
        }
        if (Name(s, ref i, defaultSchema) is not var (tableSchema, tableName)) return;
        if (s[0].Is("ALTER"))
        {
            Alter(engine, s, i, tableSchema, tableName);
            return;
        }
        if (ifNotExists && Of(engine, tableSchema, tableName).Count > 0) return;
        var widths = new List<(string Column, ColumnWidth Width)>();
        if (i < s.Count && s[i].Kind == SqlTokenKind.LeftParen && MatchParen(s, i) is var close and >= 0 && !(close + 1 < s.Count && s[close + 1].Is("AS")))
        {
            foreach (var element in SplitTopLevel(s, i + 1, close))
            {
                if (element.Count < 2 || element[0].IsAny("PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT", "CHECK", "LIKE", "DISTKEY", "SORTKEY")) continue;
                if (Parse(element, 1) is { } width) widths.Add((element[0].Identifier, width));
            }
        }
        var sql = $"DELETE FROM {Table} WHERE {Where(tableSchema, tableName)}";
        if (widths.Count > 0) sql += "; " + Insert(tableSchema, tableName, widths);
        engine.Execute(sql);
    }

    private static void Alter(IEngineSession engine, List<SqlToken> s, int i, string schema, string table)
    {
        if (i + 2 < s.Count && s[i].Is("RENAME") && s[i + 1].Is("TO"))
            engine.Execute($"UPDATE {Table} SET table_name = {QuoteLiteral(s[i + 2].Identifier)} WHERE {Where(schema, table)}");
        else if (i + 4 < s.Count && s[i].Is("RENAME") && s[i + 1].Is("COLUMN") && s[i + 3].Is("TO"))
            engine.Execute($"UPDATE {Table} SET column_name = {QuoteLiteral(s[i + 4].Identifier)} WHERE {Where(schema, table)} AND column_name = {QuoteLiteral(s[i + 2].Identifier)}");
        else if (i + 1 < s.Count && s[i].Is("ADD"))
        {
            var at = s[i + 1].Is("COLUMN") ? i + 2 : i + 1;
            if (at + 1 < s.Count && Parse(s, at + 1) is { } width)
                engine.Execute(Insert(schema, table, [(s[at].Identifier, width)]));
        }
        else if (i + 1 < s.Count && s[i].Is("DROP"))
        {
            var at = s[i + 1].Is("COLUMN") ? i + 2 : i + 1;
            if (at < s.Count)
                engine.Execute($"DELETE FROM {Table} WHERE {Where(schema, table)} AND column_name = {QuoteLiteral(s[at].Identifier)}");
        }
    }

    private static (string Schema, string Table)? Name(List<SqlToken> s, ref int i, string defaultSchema)
    {
        if (i >= s.Count || s[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) return null;
        if (i + 2 < s.Count && s[i + 1].Kind == SqlTokenKind.Dot)
        {
            var qualified = (s[i].Identifier, s[i + 2].Identifier);
            i += 3;
            return qualified;
        }
        return (defaultSchema, s[i++].Identifier);
    }

    private static string Where(string schema, string table) => $"schema_name = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(table)}";

    private static string Insert(string schema, string table, IEnumerable<(string Column, ColumnWidth Width)> widths) =>
        $"INSERT INTO {Table} VALUES " + string.Join(", ", widths.Select(w =>
            $"({QuoteLiteral(schema)}, {QuoteLiteral(table)}, {QuoteLiteral(w.Column)}, {QuoteLiteral(w.Width.Type)}, {w.Width.Width})"));

    /// <summary>The character type starting at <paramref name="at"/> with its width (Redshift's defaults when none is given).</summary>
    internal static ColumnWidth? Parse(List<SqlToken> t, int at)
    {
        if (at >= t.Count || t[at].Kind != SqlTokenKind.Word) return null;
        var name = t[at].Text.ToUpperInvariant();
        var next = at + 1;
        if (name is "CHARACTER" && next < t.Count && t[next].Is("VARYING")) { name = "VARCHAR"; next++; }
        var (type, fallback, max) = name switch
        {
            "VARCHAR" or "NVARCHAR" => ("varchar", 256, MaxVarchar),
            "TEXT" => ("varchar", 256, MaxVarchar),
            "CHAR" or "CHARACTER" or "NCHAR" => ("char", 1, MaxChar),
            "BPCHAR" => ("char", 256, MaxChar),
            _ => ((string?)null, 0, 0),
        };
        if (type is null) return null;
        if (name == "TEXT" || next >= t.Count || t[next].Kind != SqlTokenKind.LeftParen) return new ColumnWidth(type, fallback);
        var arg = next + 1 < t.Count ? t[next + 1] : default;
        if (arg.Is("MAX")) return new ColumnWidth(type, max);
        return int.TryParse(arg.Text, out var width) && width > 0 ? new ColumnWidth(type, Math.Min(width, max)) : new ColumnWidth(type, fallback);
    }

    /// <summary>The recorded widths of a table's columns, by column name.</summary>
    public static Dictionary<string, ColumnWidth> Of(IEngineSession engine, string schema, string table)
    {
        var result = new Dictionary<string, ColumnWidth>(StringComparer.Ordinal);
        using var rows = engine.Query($"SELECT column_name, type, width FROM {Table} WHERE schema_name = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(table)}");
        while (rows.Read()) result[(string)rows.GetValue(0)!] = new ColumnWidth((string)rows.GetValue(1)!, Convert.ToInt32(rows.GetValue(2)));
        return result;
    }
}
