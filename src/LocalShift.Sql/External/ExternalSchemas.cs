using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>An external schema: a name in the cluster standing for a data catalog database, reached with an IAM role.</summary>
public sealed record ExternalSchema(string Name, string Database, string Region, string IamRole, string Owner);

/// <summary>
/// The cluster's external schemas, kept in its hidden schema so they survive restarts. Each also exists as an (empty)
/// engine schema of the same name, so USAGE grants, <c>\dn</c> and name resolution treat it like any schema; its
/// tables live in the catalog and are read per statement (<see cref="ExternalScan"/>).
/// </summary>
public static class ExternalSchemas
{
    public const string Table = UserDirectory.Schema + ".external_schemas";

    public static void Ensure(IEngineSession engine) =>
        engine.Execute($"CREATE SCHEMA IF NOT EXISTS {UserDirectory.Schema}; " +
                       $"CREATE TABLE IF NOT EXISTS {Table}(schema_name VARCHAR PRIMARY KEY, database_name VARCHAR NOT NULL, " +
                       "region VARCHAR NOT NULL, iam_role VARCHAR NOT NULL, owner VARCHAR NOT NULL)");

    public static IReadOnlyList<ExternalSchema> List(IEngineSession engine)
    {
        using (var exists = engine.Query($"SELECT count(*) FROM duckdb_tables() WHERE schema_name = '{UserDirectory.Schema}' AND table_name = 'external_schemas'"))
        {
            exists.Read();
            if (Convert.ToInt64(exists.GetValue(0)) == 0) return [];
        }
        var list = new List<ExternalSchema>();
        using var result = engine.Query($"SELECT schema_name, database_name, region, iam_role, owner FROM {Table} ORDER BY schema_name");
        while (result.Read())
            list.Add(new ExternalSchema((string)result.GetValue(0)!, (string)result.GetValue(1)!, (string)result.GetValue(2)!,
                (string)result.GetValue(3)!, (string)result.GetValue(4)!));
        return list;
    }

    public static ExternalSchema? Find(IEngineSession engine, string schema) =>
        List(engine).FirstOrDefault(s => s.Name == schema);

    public static void Add(IEngineSession engine, ExternalSchema schema)
    {
        Ensure(engine);
        engine.Execute($"INSERT INTO {Table} VALUES ({QuoteLiteral(schema.Name)}, {QuoteLiteral(schema.Database)}, " +
                       $"{QuoteLiteral(schema.Region)}, {QuoteLiteral(schema.IamRole)}, {QuoteLiteral(schema.Owner)})");
    }

    public static void Remove(IEngineSession engine, string schema)
    {
        Ensure(engine);
        engine.Execute($"DELETE FROM {Table} WHERE schema_name = {QuoteLiteral(schema)}");
    }
}
