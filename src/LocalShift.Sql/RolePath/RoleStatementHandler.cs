using LocalShift.Aws;
using LocalShift.Services.S3;
using LocalShift.Sql.AssumeRolePrivileges;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Unload;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.RolePath;

/// <summary>
/// The statements that reach outside the database through IAM roles: COPY and UNLOAD, GRANT/REVOKE ASSUMEROLE, external
/// schemas and tables (through <paramref name="catalog"/>) and external functions (through <paramref name="functionInvoker"/>;
/// without one they can be created, and a call fails with "Lambda is not available").
/// </summary>
public sealed class RoleStatementHandler(RolePathResolver roles, S3Objects objects, IAuthorizer authorizer, TimeProvider clock,
    LocalShift.Sql.External.IDataCatalog? catalog = null, LocalShift.Sql.External.IFunctionInvoker? functionInvoker = null) : IRedshiftStatementHandler
{
    private readonly NotYetSupportedRedshiftStatements _later = new();

    /// <summary>External schemas and tables, through the data catalog (LocalShift's Glue); null without one.</summary>
    public LocalShift.Sql.External.ExternalTables? External { get; } =
        catalog is null ? null : new LocalShift.Sql.External.ExternalTables(roles, objects, authorizer, clock, catalog);

    /// <summary>CREATE EXTERNAL FUNCTION, DROP FUNCTION and the role path of statements that call them.</summary>
    public LocalShift.Sql.External.ExternalFunctions Functions { get; } = new(roles, functionInvoker);

    public string Execute(RedshiftStatementContext context, string sql, IReadOnlyList<SqlToken> significant)
    {
        try { return Run(context, sql, significant); }
        catch (PgException e) { throw RolePathErrors.WithQuery(e, context.QueryId); }
    }

    private string Run(RedshiftStatementContext context, string sql, IReadOnlyList<SqlToken> significant)
    {
        var first = significant[0];
        if (first.IsAny("GRANT", "REVOKE")) return AssumeRoleStatement.Run(context, significant);
        if (first.Is("COPY"))
        {
            var copy = CopyStatement.Parse(significant);
            var s3 = Session(context, copy.Authorization, "copy", copy.Region);
            var rows = new CopyRunner(context, copy, s3).RunAsync(context.Cancellation).GetAwaiter().GetResult();
            return $"COPY {rows}";
        }
        if (first.Is("UNLOAD"))
        {
            var unload = UnloadStatement.Parse(significant);
            var s3 = Session(context, unload.Authorization, "unload", unload.Region);
            new UnloadRunner(context, unload, s3, sql => PrepareFunctions(context, sql), roles.Slices(context)).RunAsync(context.Cancellation).GetAwaiter().GetResult();
            return "UNLOAD";
        }
        if (first.Is("DROP") && significant.Count > 1 && significant[1].Is("FUNCTION")) return Functions.Drop(context, significant);
        if (first.Is("CREATE") && significant.Skip(1).SkipWhile(t => t.IsAny("OR", "REPLACE")).Take(2).Select(t => t.Text.ToUpperInvariant())
                .SequenceEqual(["EXTERNAL", "FUNCTION"]))
            return Functions.Create(context, significant);
        if (first.Is("CREATE") && significant.Count > 2 && significant[1].Is("EXTERNAL") && External is { } external)
        {
            if (significant[2].Is("SCHEMA")) return external.CreateSchema(context, significant);
            if (significant[2].Is("TABLE")) return external.CreateTable(context, significant);
        }
        return _later.Execute(context, sql, significant);
    }

    public string PrepareFunctions(RedshiftStatementContext context, string sql) =>
        ClusterFunctions.Prepare(context, sql, roles.DefaultRoleArn(context));

    /// <param name="region">The statement's REGION: where its buckets are; without it, the cluster's region.</param>
    private S3Session Session(RedshiftStatementContext context, Authorization authorization, string purpose, string? region) =>
        new(objects, authorizer, roles.Resolve(context, authorization, purpose), region ?? context.Region, clock, bucketsInRegion: true);
}
