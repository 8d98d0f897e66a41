using LocalShift.Aws;
using LocalShift.Engine;
using LocalShift.Services.S3;
using LocalShift.Sql.AssumeRolePrivileges;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Unload;

namespace LocalShift.Sql.RolePath;

/// <summary>
/// The statements that reach outside the database through IAM roles: COPY and UNLOAD, GRANT/REVOKE ASSUMEROLE, external
/// schemas and tables (through <paramref name="catalog"/>) and external functions (through <paramref name="functionInvoker"/>;
/// without one they can be created, and a call fails with "Lambda is not available").
/// </summary>
public sealed class RoleStatementHandler(RolePathResolver roles, S3Objects objects, IAuthorizer authorizer, TimeProvider clock,
    LocalShift.Sql.External.IDataCatalog? catalog = null, LocalShift.Sql.External.IFunctionInvoker? functionInvoker = null) : IRedshiftStatementHandler
{
    /// <summary>External schemas and tables, through the data catalog (LocalShift's Glue); null without one.</summary>
    public LocalShift.Sql.External.ExternalTables? External { get; } =
        catalog is null ? null : new LocalShift.Sql.External.ExternalTables(roles, objects, authorizer, clock, catalog);

    /// <summary>CREATE EXTERNAL FUNCTION, DROP FUNCTION and the role path of statements that call them.</summary>
    public LocalShift.Sql.External.ExternalFunctions Functions { get; } = new(roles, functionInvoker);

    public void Register(StatementHandlers handlers)
    {
        handlers
            .Register(CommandKind.AssumeRoleGrant, WithQueryId((context, s) => AssumeRoleStatement.Run(context, s.Tokens)))
            .Register(CommandKind.Copy, WithQueryId(Copy))
            .Register(CommandKind.Unload, WithQueryId(Unload))
            .Register(CommandKind.CreateExternalFunction, WithQueryId((context, s) => Functions.Create(context, s.Tokens)))
            .Register(CommandKind.DropFunction, WithQueryId((context, s) => Functions.Drop(context, s.Tokens)));
        if (External is not { } external) return;
        handlers
            .Register(CommandKind.CreateExternalSchema, WithQueryId((context, s) => external.CreateSchema(context, s.Tokens)))
            .Register(CommandKind.CreateExternalTable, WithQueryId((context, s) => external.CreateTable(context, s.Tokens)))
            .Register(CommandKind.AlterExternalTable, WithQueryId((context, s) => external.Alter(context, (AlterExternalTableStatement)s.Tree!)))
            .Register(CommandKind.DropExternalTable, WithQueryId((context, s) => external.DropTables(context, (DropStatement)s.Tree!)))
            .Register(CommandKind.DropExternalSchema, WithQueryId((context, s) => external.DropSchemas(context, (DropStatement)s.Tree!)));
    }

    /// <summary>The role path's errors name the statement's query id (as Redshift's DETAIL does).</summary>
    private static Func<RedshiftStatementContext, CommandStatement, string> WithQueryId(Func<RedshiftStatementContext, CommandStatement, string> run) =>
        (context, statement) =>
        {
            try { return run(context, statement); }
            catch (PgException e) { throw RolePathErrors.WithQuery(e, context.QueryId); }
        };

    private string Copy(RedshiftStatementContext context, CommandStatement statement)
    {
        var copy = CopyStatement.Parse(statement.Tokens);
        var s3 = Session(context, copy.Authorization, "copy", copy.Region);
        var rows = new CopyRunner(context, copy, s3).RunAsync(context.Cancellation).GetAwaiter().GetResult();
        return $"COPY {rows}";
    }

    private string Unload(RedshiftStatementContext context, CommandStatement statement)
    {
        var unload = UnloadStatement.Parse(statement.Tokens);
        var s3 = Session(context, unload.Authorization, "unload", unload.Region);
        new UnloadRunner(context, unload, s3, sql => PrepareFunctions(context, sql), roles.Slices(context)).RunAsync(context.Cancellation).GetAwaiter().GetResult();
        return "UNLOAD";
    }

    public string PrepareFunctions(RedshiftStatementContext context, string sql) =>
        ClusterFunctions.Prepare(context, sql, roles.DefaultRoleArn(context));

    /// <param name="region">The statement's REGION: where its buckets are; without it, the cluster's region.</param>
    private S3Session Session(RedshiftStatementContext context, Authorization authorization, string purpose, string? region) =>
        new(objects, authorizer, roles.Resolve(context, authorization, purpose), region ?? context.Region, clock, bucketsInRegion: true);
}
