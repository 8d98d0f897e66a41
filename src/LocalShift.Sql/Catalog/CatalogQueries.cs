
using LocalShift.Engine.Types;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Recognizes catalog queries that clients send on their own (Npgsql's type loading, psql's meta-commands) and
/// answers them with queries DuckDB can run. Returns null for any other statement.
/// </summary>
internal static class CatalogQueries
{
    /// <summary>The built-in types the endpoint speaks, as Npgsql's type loader expects them.</summary>
    private static readonly (int Oid, string Name, char Type)[] BuiltInTypes =
    [
        (PgTypeOid.Bool, "bool", 'b'), (PgTypeOid.Bytea, "bytea", 'b'), (PgTypeOid.Char, "char", 'b'), (PgTypeOid.Name, "name", 'b'),
        (PgTypeOid.Int8, "int8", 'b'), (PgTypeOid.Int2, "int2", 'b'), (PgTypeOid.Int4, "int4", 'b'), (PgTypeOid.Text, "text", 'b'),
        (PgTypeOid.Oid, "oid", 'b'), (PgTypeOid.Json, "json", 'b'), (PgTypeOid.Float4, "float4", 'b'), (PgTypeOid.Float8, "float8", 'b'),
        (PgTypeOid.Unknown, "unknown", 'p'), (PgTypeOid.Bpchar, "bpchar", 'b'), (PgTypeOid.Varchar, "varchar", 'b'),
        (PgTypeOid.Date, "date", 'b'), (PgTypeOid.Time, "time", 'b'), (PgTypeOid.Timestamp, "timestamp", 'b'),
        (PgTypeOid.TimestampTz, "timestamptz", 'b'), (PgTypeOid.Interval, "interval", 'b'), (PgTypeOid.TimeTz, "timetz", 'b'),
        (PgTypeOid.Numeric, "numeric", 'b'), (PgTypeOid.Uuid, "uuid", 'b'), (2249, "record", 'p'), (2278, "void", 'p'),
    ];

    public static string? Rewrite(string sql, string master, string database, LocalShift.Engine.IEngineCatalog catalog)
    {
        if (Contains(sql, "typreceive") && Contains(sql, "elemtypoid") && Contains(sql, "pg_type"))
            return TypeList();
        if (Contains(sql, "pg_attribute") && Contains(sql, "atttypid") && Contains(sql, "typrelid") && Contains(sql, "relkind='c'"))
            return "SELECT CAST(NULL AS INTEGER) AS oid, CAST(NULL AS VARCHAR) AS attname, CAST(NULL AS INTEGER) AS atttypid WHERE FALSE";
        if (Contains(sql, "pg_enum") && Contains(sql, "enumlabel"))
            return "SELECT CAST(NULL AS INTEGER) AS oid, CAST(NULL AS VARCHAR) AS enumlabel WHERE FALSE";
        return PsqlMetaCommands.Rewrite(sql, master, database, catalog);
    }

    /// <summary>
    /// Whether <paramref name="sql"/> is a client catalog query <see cref="Rewrite"/> answers. Which query it is
    /// depends on the text alone; the catalog only names relations in the answer, so a names-only one serves here.
    /// </summary>
    public static bool Recognizes(string sql) => Rewrite(sql, "", "", NamesOnly.Instance) is not null;

    private sealed class NamesOnly : LocalShift.Engine.IEngineCatalog
    {
        public static readonly NamesOnly Instance = new();
        public string Relation(LocalShift.Engine.CatalogRelation relation) => relation.ToString();
        public bool HasTable(string schema, string table) => throw new NotSupportedException();
        public bool HasView(string schema, string view) => throw new NotSupportedException();
        public bool HasFunction(string schema, string function) => throw new NotSupportedException();
        public IReadOnlyList<string> Columns(string schema, string table) => throw new NotSupportedException();
        public long? TableId(string schema, string table, bool temporary) => throw new NotSupportedException();
        public bool IsEngineFunction(string name) => throw new NotSupportedException();
        public bool IsEngineRelation(string name) => throw new NotSupportedException();
    }

    private static string TypeList() =>
        "SELECT * FROM (VALUES " +
        string.Join(", ", BuiltInTypes.Select(t => $"('pg_catalog', {t.Oid}, '{t.Name}', '{t.Type}', FALSE, CAST(NULL AS INTEGER))")) +
        ") AS t(nspname, oid, typname, typtype, typnotnull, elemtypoid)";

    internal static bool Contains(string sql, string text) => sql.Contains(text, StringComparison.OrdinalIgnoreCase);
}
