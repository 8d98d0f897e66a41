using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Syntax;

/// <summary>The statements LocalShift runs itself, each by the handler registered for its kind (<see cref="Routing.StatementHandlers"/>).</summary>
public enum CommandKind
{
    Copy,
    Unload,
    /// <summary>GRANT/REVOKE ASSUMEROLE.</summary>
    AssumeRoleGrant,
    CreateExternalSchema,
    CreateExternalTable,
    /// <summary>CREATE [OR REPLACE] EXTERNAL FUNCTION.</summary>
    CreateExternalFunction,
    /// <summary>DROP FUNCTION (of an external function; LocalShift has no other user functions).</summary>
    DropFunction,
    /// <summary>Any other CREATE/ALTER/DROP EXTERNAL … (external views, ALTER EXTERNAL …, DROP EXTERNAL DATABASE alone).</summary>
    OtherExternal,
    /// <summary>CREATE/ALTER/DROP USER, GROUP or ROLE: the cluster's user directory.</summary>
    UserDdl,
    /// <summary>GRANT/REVOKE of privileges on schemas, tables and functions, of roles and of system privileges (not ASSUMEROLE).</summary>
    Grant,
    /// <summary>ALTER TABLE of an external table (partitions, location, file format, table properties): the tree's <see cref="AlterExternalTableStatement"/>.</summary>
    AlterExternalTable,
    /// <summary>DROP TABLE of external tables: the tree's <see cref="DropStatement"/>.</summary>
    DropExternalTable,
    /// <summary>DROP SCHEMA of external schemas [DROP EXTERNAL DATABASE]: the tree's <see cref="DropStatement"/>.</summary>
    DropExternalSchema,
    /// <summary>CREATE, REFRESH and DROP MATERIALIZED VIEW: the tree's <see cref="CreateViewStatement"/>, <see cref="RefreshMaterializedViewStatement"/> or <see cref="DropStatement"/>.</summary>
    MaterializedView,
}

/// <summary>
/// A statement whose kind the parser reads from its first words and whose body its handler parses with its own parser
/// (COPY's options, UNLOAD's quoted query, CREATE EXTERNAL TABLE's storage clauses): the kind and the significant tokens.
/// </summary>
public sealed record CommandStatement(CommandKind Kind, IReadOnlyList<SqlToken> Tokens) : Statement
{
    /// <summary>
    /// The parser's tree of a statement the session found to be one LocalShift runs itself only once it knew the
    /// names (DROP TABLE or ALTER TABLE of an external table); null for a statement known from its first words.
    /// </summary>
    public Statement? Tree { get; init; }

    /// <summary>The statement's text, for a kind whose handler keeps or reads part of it (a materialized view's definition).</summary>
    public string? Text { get; init; }

    /// <summary>The command's kind from its first words (significant tokens), or null when it is not one LocalShift runs itself.</summary>
    public static CommandStatement? Of(IReadOnlyList<SqlToken> s)
    {
        if (s.Count == 0) return null;
        var first = s[0];
        var second = s.Count > 1 ? s[1] : default;
        if (first.Is("COPY")) return new(CommandKind.Copy, s);
        if (first.Is("UNLOAD")) return new(CommandKind.Unload, s);
        if (first.IsAny("GRANT", "REVOKE")) return new(second.Is("ASSUMEROLE") ? CommandKind.AssumeRoleGrant : CommandKind.Grant, s);
        if (first.IsAny("CREATE", "ALTER", "DROP") && second.IsAny("USER", "GROUP", "ROLE")) return new(CommandKind.UserDdl, s);
        if (first.Is("DROP") && second.Is("FUNCTION")) return new(CommandKind.DropFunction, s);
        if (first.IsAny("CREATE", "ALTER", "DROP", "REFRESH") && second.Is("MATERIALIZED")) return new(CommandKind.MaterializedView, s);
        if (first.Is("CREATE") && second.Is("OR") && s.Count > 4 && s[2].Is("REPLACE") && s[3].Is("EXTERNAL"))
            return new(s[4].Is("FUNCTION") ? CommandKind.CreateExternalFunction : CommandKind.OtherExternal, s);
        if (first.IsAny("CREATE", "ALTER", "DROP") && second.Is("EXTERNAL"))
        {
            var noun = s.Count > 2 ? s[2] : default;
            if (!first.Is("CREATE")) return new(CommandKind.OtherExternal, s);
            if (noun.Is("FUNCTION")) return new(CommandKind.CreateExternalFunction, s);
            if (noun.Is("SCHEMA")) return new(CommandKind.CreateExternalSchema, s);
            if (noun.Is("TABLE")) return new(CommandKind.CreateExternalTable, s);
            return new(CommandKind.OtherExternal, s);
        }
        return null;
    }
}
