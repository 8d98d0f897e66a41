using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>
/// Redshift's Lambda UDFs: CREATE [OR REPLACE] EXTERNAL FUNCTION and DROP FUNCTION, and, for a statement that calls
/// external functions, the role path of each (purpose EXTERNAL FUNCTION) before the engine runs it. The calls
/// themselves go through <paramref name="invoker"/> (LocalShift's Lambda) as the role session; without one, a call
/// fails with a clear "Lambda is not available".
/// </summary>
public sealed class ExternalFunctions(RolePathResolver roles, IFunctionInvoker? invoker)
{
    private const string Purpose = "external function";

    /// <summary>The privilege of USAGE ON LANGUAGE exfunc, kept in the user directory as a grant on that language.</summary>
    public const string Language = "exfunc";

    public string Create(RedshiftStatementContext context, IReadOnlyList<SqlToken> tokens)
    {
        var statement = ExternalFunctionStatements.ParseCreate(tokens);
        var engine = context.Engine;
        var schema = statement.Schema ?? "public";
        CheckCreate(context, schema, statement.OrReplace);
        using (var exists = engine.Query($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = {QuoteLiteral(schema)}"))
            if (exists.Read() && Convert.ToInt64(exists.GetValue(0)) == 0)
                throw new PgException(SqlState.InvalidSchemaName, $"schema \"{schema}\" does not exist");
        var signature = ExternalFunction.SignatureOf(statement.Name, statement.Arguments);
        var existing = ExternalFunctionCatalog.Find(engine, schema, statement.Name).FirstOrDefault(f => f.Signature == signature);
        if (existing is not null)
        {
            if (!statement.OrReplace)
                throw new PgException(SqlState.DuplicateFunction, $"function \"{statement.Name}\" already exists with same argument types");
            if (existing.Returns.SignatureName != statement.Returns.SignatureName)
                throw new PgException(SqlState.InvalidFunctionDefinition, "cannot change return type of existing function",
                    hint: $"Use DROP FUNCTION {signature} first.");
        }
        ExternalFunctionCatalog.Save(engine, new ExternalFunction(schema, statement.Name, statement.Arguments, statement.Returns, statement.Volatility,
            statement.Lambda, statement.Role.Text, statement.RetryTimeoutMs, statement.MaxBatchRows, statement.MaxBatchSizeBytes,
            existing?.Owner ?? context.User));
        // As in PostgreSQL: a new function may be executed by PUBLIC until that is revoked; a replaced one keeps its grants.
        if (existing is null) context.Users?.Grant("function", schema, signature, "execute", "public");
        return "CREATE EXTERNAL FUNCTION";
    }

    public string Drop(RedshiftStatementContext context, IReadOnlyList<SqlToken> tokens)
    {
        var statement = ExternalFunctionStatements.ParseDrop(tokens);
        var schema = statement.Schema ?? "public";
        var signature = ExternalFunction.SignatureOf(statement.Name, statement.Arguments);
        var existing = ExternalFunctionCatalog.Find(context.Engine, schema, statement.Name).FirstOrDefault(f => f.Signature == signature);
        if (existing is null)
        {
            if (statement.IfExists)
            {
                context.Notice(new PgNotice("NOTICE", $"function {signature} does not exist, skipping", SqlState.UndefinedFunction));
                return "DROP FUNCTION";
            }
            throw new PgException(SqlState.UndefinedFunction, $"function {signature} does not exist");
        }
        if (!context.Superuser && existing.Owner != context.User)
            throw new PgException(SqlState.InsufficientPrivilege, $"must be owner of function {statement.Name}");
        ExternalFunctionCatalog.Remove(context.Engine, schema, statement.Name, statement.Arguments);
        context.Users?.ForgetGrantsOn("function", schema, signature);
        return "DROP FUNCTION";
    }

    /// <summary>
    /// Redshift: a superuser, a user holding USAGE ON LANGUAGE exfunc (directly, through a group or PUBLIC) or a role
    /// holding CREATE [OR REPLACE] EXTERNAL FUNCTION may create one, in a schema it may create in; only a superuser may
    /// replace one.
    /// </summary>
    private static void CheckCreate(RedshiftStatementContext context, string schema, bool orReplace)
    {
        if (context.Superuser) return;
        var users = context.Users;
        var mayCreate = users is not null && (users.Holds(context.User, "language", "", Language, "usage")
                                               || users.Holds(context.User, "system", "", "create or replace external function", "usage"));
        if (!mayCreate) throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for language {Language}");
        if (orReplace)
            // unverified: Redshift's text; its page says only a superuser may replace a function.
            throw new PgException(SqlState.InsufficientPrivilege, "must be superuser to use CREATE OR REPLACE EXTERNAL FUNCTION",
                hint: "Drop the function and create it again, or ask a superuser.");
        if (!users!.Holds(context.User, "schema", schema, "", "create"))
            throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for schema {schema}");
    }

    /// <summary>
    /// Before a statement that calls these functions runs: the role path of each function's IAM_ROLE (association,
    /// in-sync, ASSUMEROLE … FOR EXTERNAL FUNCTION, trust with the db user as ExternalId), once per statement.
    /// </summary>
    public StatementCalls Prepare(RedshiftStatementContext context, IReadOnlyList<ExternalFunction> functions, bool describeOnly)
    {
        var callers = new List<Principal?>();
        var headers = new List<BatchHeader>();
        var resolved = new Dictionary<string, Principal>(StringComparer.Ordinal);
        var cluster = Arn.Cluster(context.Region, context.AccountId, context.ClusterIdentifier);
        foreach (var function in functions)
        {
            headers.Add(new BatchHeader(cluster, context.User, context.Database, function.QualifiedName, context.QueryId));
            if (describeOnly) { callers.Add(null); continue; }
            if (!resolved.TryGetValue(function.IamRole, out var caller))
            {
                try
                {
                    caller = roles.Resolve(context, AuthorizationClause.ParseChain(function.IamRole), Purpose);
                }
                catch (PgException e)
                {
                    throw RolePathErrors.WithQuery(e, context.QueryId);
                }
                resolved[function.IamRole] = caller;
            }
            callers.Add(invoker is null ? null : caller);
        }
        return new StatementCalls(functions, callers, headers, context.Region, invoker, context.Cancellation);
    }
}
