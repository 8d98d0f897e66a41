using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>
/// An external schema: a name in the cluster standing for a data catalog database, reached with an IAM role
/// (<paramref name="IamRole"/>: a role ARN, a chain <c>arn1,arn2</c>, or <c>default</c>); the catalog is reached with
/// <paramref name="CatalogRole"/> when the schema names one (CATALOG_ROLE), else with the IAM role too.
/// </summary>
public sealed record ExternalSchema(string Name, string Database, string Region, string IamRole, string Owner, string? CatalogRole = null)
{
    /// <summary>The role (or chain) the data catalog is called as.</summary>
    public string CatalogIamRole => CatalogRole ?? IamRole;
}

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
                       "region VARCHAR NOT NULL, iam_role VARCHAR NOT NULL, owner VARCHAR NOT NULL, catalog_role VARCHAR); " +
                       // A cluster made before CATALOG_ROLE was kept.
                       $"ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS catalog_role VARCHAR");

    public static IReadOnlyList<ExternalSchema> List(IEngineSession engine)
    {
        var columns = engine.Catalog.Columns(UserDirectory.Schema, "external_schemas");
        if (columns.Count == 0) return [];
        var catalogRoles = columns.Contains("catalog_role");
        var list = new List<ExternalSchema>();
        using var result = engine.Query($"SELECT schema_name, database_name, region, iam_role, owner, {(catalogRoles ? "catalog_role" : "NULL")} FROM {Table} ORDER BY schema_name");
        while (result.Read())
            list.Add(new ExternalSchema((string)result.GetValue(0)!, (string)result.GetValue(1)!, (string)result.GetValue(2)!,
                (string)result.GetValue(3)!, (string)result.GetValue(4)!, result.GetValue(5) as string));
        return list;
    }

    public static ExternalSchema? Find(IEngineSession engine, string schema) =>
        List(engine).FirstOrDefault(s => s.Name == schema);

    public static void Add(IEngineSession engine, ExternalSchema schema)
    {
        Ensure(engine);
        engine.Execute($"INSERT INTO {Table} (schema_name, database_name, region, iam_role, owner, catalog_role) VALUES ({QuoteLiteral(schema.Name)}, " +
                       $"{QuoteLiteral(schema.Database)}, {QuoteLiteral(schema.Region)}, {QuoteLiteral(schema.IamRole)}, {QuoteLiteral(schema.Owner)}, " +
                       $"{(schema.CatalogRole is null ? "NULL" : QuoteLiteral(schema.CatalogRole))})");
    }

    public static void Remove(IEngineSession engine, string schema)
    {
        Ensure(engine);
        engine.Execute($"DELETE FROM {Table} WHERE schema_name = {QuoteLiteral(schema)}");
    }
}
