using LocalShift.Engine;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Users;

/// <summary>
/// The privilege check of a statement, decided on its tree (<see cref="StatementAccess"/>): every relation it
/// reads or writes, in any position, and every function it calls. System catalogs are exempt by schema
/// (pg_catalog, information_schema and the views LocalShift defines), never by a name's prefix: a user table named
/// <c>pg_secret</c> is an ordinary table. The hidden catalog of users and grants, and the engine's own views of
/// itself, do not exist for any user.
/// </summary>
internal sealed class StatementPrivileges(UserDirectory directory, SystemRelations system)
{
    /// <summary>Functions that may stand in FROM: the set-returning functions Redshift answers.</summary>
    private static readonly HashSet<string> TableFunctions = new(StringComparer.Ordinal) { "generate_series", "unnest", "pg_get_iam_role_by_user" };

    /// <summary>
    /// LocalShift's own host functions, refused as if they did not exist (the engine's functions over its configuration
    /// and the host are the engine's to name: <see cref="SystemRelations.IsEngineFunction"/>). Table functions need no
    /// list: only <see cref="TableFunctions"/> may stand in FROM.
    /// </summary>
    private static readonly HashSet<string> HostFunctions = new(StringComparer.Ordinal)
    {
        // LocalShift's own host functions behind pg_cancel_backend/pg_terminate_backend: they take the caller's pid, which
        // only the macros may pass.
        Routing.BackendSignals.CancelFunction, Routing.BackendSignals.TerminateFunction,
        // COPY's date and time conversion: harmless, but an engine detail no Redshift user can call.
        Copy.DateTimeConversion.HostFunction,
        // The host function external-function calls are rewritten to: it runs a statement's Lambda calls by its token.
        External.ExternalFunctionCalls.HostFunction,
    };

    /// <summary>Settings current_setting() may read: the session's, never the engine's paths.</summary>
    private static readonly HashSet<string> ReadableSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "timezone", "datestyle", "intervalstyle", "client_encoding", "server_encoding", "server_version", "standard_conforming_strings",
        "application_name", "statement_timeout", "query_group", "enable_case_sensitive_identifier", "default_transaction_read_only",
    };

    /// <param name="schemaOf">The schema an unqualified relation name resolves to on the session's search path.</param>
    /// <param name="access">What the statement touches, when the caller already read it from the tree.</param>
    /// <param name="exists">
    /// Whether a schema (name null) or a relation of a schema exists, asked only before refusing: a relation that does
    /// not exist is reported as missing, as PostgreSQL resolves names before it checks privileges.
    /// </param>
    public void Check(Statement statement, DbUser user, Func<string, string>? schemaOf = null, StatementAccess? access = null,
        Func<string, string?, bool>? exists = null)
    {
        access ??= StatementAccess.Of(statement);
        CheckFunctions(access);
        CheckRelations(access.Relations, user, schemaOf, statement, 0, exists);
        if (statement is CreateSchemaStatement or AlterSchemaStatement && !user.Superuser)
            throw statement is CreateSchemaStatement
                ? UserDirectory.Denied("permission denied for database")
                : UserDirectory.Denied($"must be owner of schema {((AlterSchemaStatement)statement).Schema}");
        if (statement is DropStatement { ObjectKind: "SCHEMA" } drop)
            foreach (var name in drop.Names)
            {
                if (SystemRelations.IsSystemSchema(name.Name)) throw UserDirectory.Denied($"permission denied for schema {name.Name}");
                if (!user.Superuser) throw UserDirectory.Denied($"must be owner of schema {name.Name}");
            }
    }

    /// <summary>A query run on the user's behalf (UNLOAD's SELECT): what it reads and calls.</summary>
    public void CheckQuery(Query query, DbUser user, Func<string, string>? schemaOf = null, Func<string, string?, bool>? exists = null) =>
        CheckQuery(query, user, schemaOf, 0, exists);

    private void CheckQuery(Query query, DbUser user, Func<string, string>? schemaOf, int depth, Func<string, string?, bool>? exists = null)
    {
        var access = StatementAccess.OfQuery(query);
        CheckFunctions(access);
        CheckRelations(access.Relations, user, schemaOf, null, depth, exists);
    }

    /// <summary>The table a COPY loads: INSERT on it, USAGE on its schema; never a catalog's or a hidden schema's.</summary>
    public void CheckLoadTarget(string? schema, string table, DbUser user, Func<string, string?, bool>? exists = null) =>
        CheckRelations([new RelationAccess(new QualifiedName(schema is null ? [table] : [schema, table], 0), RelationUse.Insert)], user, null, null, 0, exists);

    private void CheckFunctions(StatementAccess access)
    {
        foreach (var call in access.Functions)
        {
            var name = call.Name;
            var qualifier = name.Parts.Count > 1 ? name.Parts[^2] : null;
            var unknown = name.Parts.Count > 2 || qualifier is not (null or "pg_catalog")
                || (call.Table ? !TableFunctions.Contains(name.Name) : IsEngineFunction(name.Name));
            if (unknown) throw UndefinedFunction(call);
            if (!call.Table && name.Name == "current_setting")
            {
                var setting = call.Arguments.Count > 0 && call.Arguments[0] is LiteralExpr { Kind: LiteralKind.String } literal ? literal.Text : null;
                if (setting is null || !ReadableSettings.Contains(setting))
                    throw new PgException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{setting ?? "?"}\"");
            }
        }
    }

    private bool IsEngineFunction(string name) => HostFunctions.Contains(name) || system.IsEngineFunction(name);

    /// <summary>
    /// PostgreSQL 8's text (Redshift's): <c>function read_text("unknown") does not exist</c>. Argument types are known
    /// here only for literals and casts; any other argument is written "unknown" (listed in docs/sql-security.md).
    /// </summary>
    private static PgException UndefinedFunction(FunctionAccess call)
    {
        var types = string.Join(", ", call.Arguments.Select(TypeOf));
        return new PgException(SqlState.UndefinedFunction, $"function {call.Name}({types}) does not exist",
            hint: "No function matches the given name and argument types. You may need to add explicit type casts.");
    }

    private static string TypeOf(Expr e) => e switch
    {
        LiteralExpr { Kind: LiteralKind.Integer } l => long.TryParse(l.Text, out var v) && v is >= int.MinValue and <= int.MaxValue ? "integer" : "bigint",
        LiteralExpr { Kind: LiteralKind.Decimal } => "numeric",
        LiteralExpr { Kind: LiteralKind.Boolean } => "boolean",
        CastExpr c => c.Type.Name + (c.Type.Array ? "[]" : ""),
        TypedLiteralExpr t => t.Type.Name,
        _ => "\"unknown\"",
    };

    private void CheckRelations(IEnumerable<RelationAccess> relations, DbUser user, Func<string, string>? schemaOf, Statement? statement, int depth,
        Func<string, string?, bool>? exists)
    {
        try
        {
            foreach (var relation in relations) CheckRelation(relation, user, schemaOf, statement, depth);
        }
        catch (PgException e) when (e.SqlState == SqlState.InsufficientPrivilege && exists is not null)
        {
            ThrowIfMissing(relations, schemaOf, exists);
            throw;
        }
    }

    /// <summary>
    /// Before a refusal: the first relation of the statement that does not exist, reported as missing, since
    /// PostgreSQL resolves every name before it checks any privilege. Asked only on the way to a refusal, so a
    /// permitted statement costs nothing more.
    /// </summary>
    private void ThrowIfMissing(IEnumerable<RelationAccess> relations, Func<string, string>? schemaOf, Func<string, string?, bool> exists)
    {
        foreach (var relation in relations)
        {
            var name = relation.Name;
            if (relation.Use == RelationUse.Create || name.Database is not null) continue;
            if (name.Schema is null ? system.Contains(name.Name) : SystemRelations.IsSystemSchema(name.Schema)) continue;
            var home = name.Schema ?? (schemaOf is not null ? schemaOf(name.Name) : "public");
            if (name.Schema is not null && !exists(home, null))
                throw new PgException(SqlState.InvalidSchemaName, $"schema \"{name.Schema}\" does not exist") { Position = name.Position + 1 };
            if (!exists(home, name.Name))
                throw new PgException(SqlState.UndefinedTable, $"relation \"{name}\" does not exist") { Position = name.Position + 1 };
        }
    }

    private void CheckRelation(RelationAccess relation, DbUser user, Func<string, string>? schemaOf, Statement? statement, int depth)
    {
        var name = relation.Name;
        var defaultSchema = name.Schema is null && schemaOf is not null ? schemaOf(name.Name) : "public";
        var schema = name.Schema;
        if (schema is not null && SystemRelations.IsHiddenSchema(schema) || name.Database is { } hidden && SystemRelations.IsHiddenSchema(hidden)
            || system.IsForbidden(name.Name))
            throw new PgException(SqlState.UndefinedTable, $"relation \"{name}\" does not exist") { Position = name.Position + 1 };
        if (name.Database is { } database && !system.IsCurrentDatabase(database))
            throw new PgException(SqlState.FeatureNotSupported, $"cross-database reference to database \"{database}\" is not supported");
        var isSystem = schema is null ? system.Contains(name.Name) : SystemRelations.IsSystemSchema(schema);
        switch (relation.Use)
        {
            case RelationUse.Create:
            {
                if (isSystem && schema is not null) throw UserDirectory.Denied($"permission denied for schema {schema}");
                if (isSystem) throw new PgException(SqlState.DuplicateTable, $"relation \"{name.Name}\" already exists");
                if (user.Superuser || statement is CreateTableStatement { Temporary: true } or CreateViewStatement { Temporary: true }) return;
                var target = schema ?? defaultSchema;
                if (!directory.Holds(user.Name, "schema", target, "", "create"))
                    throw UserDirectory.Denied($"permission denied for schema {target}");
                return;
            }
            case RelationUse.Truncate:
                // Redshift: the owner, a superuser, or a holder of the TRUNCATE privilege.
                if (isSystem) throw UserDirectory.Denied($"permission denied: \"{name.Name}\" is a system catalog");
                if (user.Superuser || directory.OwnerOf(schema ?? defaultSchema, name.Name) == user.Name
                    || directory.Holds(user.Name, "table", schema ?? defaultSchema, name.Name, "truncate")) return;
                throw UserDirectory.Denied($"must be owner of relation {name.Name}");
            case RelationUse.Own:
                if (isSystem) throw UserDirectory.Denied($"permission denied: \"{name.Name}\" is a system catalog");
                if (user.Superuser || directory.OwnerOf(schema ?? defaultSchema, name.Name) == user.Name) return;
                throw UserDirectory.Denied($"must be owner of relation {name.Name}");
        }
        if (isSystem)
        {
            if (relation.Use == RelationUse.Select) return;
            throw UserDirectory.Denied($"permission denied: \"{name.Name}\" is a system catalog");
        }
        var home = schema ?? defaultSchema;
        if (!user.Superuser)
        {
            if (!directory.Holds(user.Name, "schema", home, "", "usage"))
                throw UserDirectory.Denied($"permission denied for schema {home}");
            var privilege = relation.Use switch
            {
                RelationUse.Insert => "insert",
                RelationUse.Update => "update",
                RelationUse.Delete => "delete",
                RelationUse.References => "references",
                _ => "select",
            };
            if (!directory.Holds(user.Name, "table", home, name.Name, privilege))
                throw UserDirectory.Denied($"permission denied for relation {name.Name}");
        }
        if (relation.Use == RelationUse.Select) CheckViewAsOwner(home, name.Name, depth);
    }

    /// <summary>Definitions of views read lately, parsed once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Query> _views = new(StringComparer.Ordinal);

    /// <summary>
    /// A view a non-superuser created reads its base tables with its owner's privileges, whoever reads the view (as
    /// in PostgreSQL): an owner who has since lost SELECT on one no longer serves it through the view.
    /// </summary>
    private void CheckViewAsOwner(string schema, string view, int depth)
    {
        if (directory.ViewDefinition(schema, view) is not { } definition || directory.OwnerOf(schema, view) is not { } ownerName) return;
        if (depth >= 16) throw new PgException("54001", "stack depth limit exceeded");
        var owner = directory.Find(ownerName) ?? new DbUser(ownerName, null, false);
        if (owner.Superuser) return;
        var query = _views.GetOrAdd(definition, text => SqlParser.Parse(text) is CreateViewStatement created ? created.Query : throw new PgException(SqlState.InternalError, "view definition unreadable"));
        if (_views.Count > 1024) _views.Clear();
        CheckQuery(query, owner, null, depth + 1);
    }
}
