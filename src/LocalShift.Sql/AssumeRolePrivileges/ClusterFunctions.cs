using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.AssumeRolePrivileges;

/// <summary>
/// Redshift's functions about the cluster's IAM roles: <c>default_iam_role()</c>, <c>has_assumerole_privilege([user,]
/// iam_role_arn, cmd_type)</c> and <c>pg_get_iam_role_by_user(user_name)</c>. They answer from the same ASSUMEROLE
/// grants, users, groups and roles the role path checks (tables of the hidden schema), and from the cluster's default
/// role. A statement that names one of them gets session functions first (the session's user and the cluster's current
/// default role are written into them), so statements that do not use them pay nothing.
/// </summary>
public static class ClusterFunctions
{
    private const string Grantees = "__localshift_assumerole_grantees";
    private const string RolesList = "__localshift_iam_roles_by_user";
    private const string RolesTable = "__localshift_iam_roles_by_user_rows";

    /// <summary>What Redshift's <c>default_iam_role()</c> answers when the cluster has no default role.</summary>
    public const string NoDefaultRole = "none";

    /// <summary>True when the statement calls one of the functions (a cheap scan; most statements answer false).</summary>
    public static bool Mentioned(IReadOnlyList<SqlToken> significant)
    {
        for (var i = 0; i < significant.Count; i++)
        {
            var t = significant[i];
            if (t.Kind != SqlTokenKind.Word || t.Text.Length < 16) continue;
            if (t.Is("default_iam_role") || t.Is("has_assumerole_privilege") || t.Is("pg_get_iam_role_by_user")) return true;
        }
        return false;
    }

    /// <summary>
    /// Creates the session functions and returns the statement as the engine runs it (pg_get_iam_role_by_user is a set
    /// returning function in Redshift: in a select list it becomes an unnest, in FROM with a column definition list a
    /// table function).
    /// </summary>
    public static string Prepare(RedshiftStatementContext context, string sql, string? defaultRoleArn)
    {
        AssumeRoleGrants.Ensure(context.Engine);
        context.Engine.DefineFunctions(Functions(context, defaultRoleArn));
        return Rewrite(sql);
    }

    private static IReadOnlyList<EngineFunction> Functions(RedshiftStatementContext context, string? defaultRoleArn)
    {
        var schema = UserDirectory.Schema;
        var caller = QuoteLiteral(context.User);
        var defaultRole = defaultRoleArn is { Length: > 0 } arn ? QuoteLiteral(arn) : "NULL";
        var commands = "('copy', 'unload', 'external function', 'create model')";
        string Has(string user) => $"""
            CASE
              WHEN lower(trim(CAST(cmd AS VARCHAR))) NOT IN {commands}
                THEN error('invalid cmd_type "' || CAST(cmd AS VARCHAR) || '": expected COPY, UNLOAD, EXTERNAL FUNCTION or CREATE MODEL')
              WHEN NOT EXISTS (SELECT 1 FROM {schema}.users WHERE name = {user})
                THEN error('user "' || {user} || '" does not exist')
              WHEN NOT {(context.Superuser ? "true" : "false")} AND {user} <> {caller}
                THEN error('permission denied: only superusers can check the ASSUMEROLE privileges of other users')
              WHEN (SELECT superuser FROM {schema}.users WHERE name = {user}) THEN true
              ELSE EXISTS (SELECT 1 FROM {AssumeRoleGrants.Table} g
                WHERE (g.role IN (CAST(arn AS VARCHAR), '{AssumeRoleGrants.All}') OR (CAST(arn AS VARCHAR) = 'default' AND g.role = {defaultRole})
                       OR (CAST(arn AS VARCHAR) = {defaultRole} AND g.role = 'default'))
                  AND g.purpose IN (lower(trim(CAST(cmd AS VARCHAR))), '{AssumeRoleGrants.All}')
                  AND g.grantee IN (SELECT grantee FROM {Grantees}({user})))
            END
            """;
        static EngineFunction Session(string name, string parameters, string body) => EngineFunction.Of(name, parameters, body) with { Session = true };
        return
        [
            Session("default_iam_role", "", $"CAST({(defaultRoleArn is { Length: > 0 } ? defaultRole : QuoteLiteral(NoDefaultRole))} AS VARCHAR)"),
            Session(Grantees, "u", $"""
                WITH RECURSIVE direct(grantee) AS (
                  SELECT CAST(u AS VARCHAR) UNION ALL SELECT 'public'
                  UNION ALL SELECT 'group ' || group_name FROM {schema}.group_members WHERE user_name = u),
                held(grantee) AS (
                  SELECT grantee FROM direct
                  UNION SELECT 'role ' || m.role_name FROM {schema}.role_members m JOIN held h ON m.member = h.grantee)
                SELECT grantee FROM held
                """) with { ReturnsRows = true },
            new EngineFunction("has_assumerole_privilege",
                [FunctionOverload.Of("u, arn, cmd", $"({Has("CAST(u AS VARCHAR)")})"), FunctionOverload.Of("arn, cmd", $"({Has(caller)})")]) { Session = true },
            Session(RolesTable, "u", $"""
                SELECT CAST(u AS VARCHAR) AS username, CASE WHEN g.role = '{AssumeRoleGrants.All}' THEN 'default' ELSE g.role END AS iam_role,
                       CASE WHEN bool_or(g.purpose = '{AssumeRoleGrants.All}') THEN 'COPY|UNLOAD|EXTERNAL FUNCTION|CREATE MODEL'
                            ELSE string_agg(upper(g.purpose), '|' ORDER BY CASE g.purpose WHEN 'copy' THEN 1 WHEN 'unload' THEN 2 WHEN 'external function' THEN 3 ELSE 4 END) END AS cmd
                FROM {AssumeRoleGrants.Table} g
                WHERE CASE WHEN NOT {(context.Superuser ? "true" : "false")} THEN error('permission denied: pg_get_iam_role_by_user is only available to superusers')
                           WHEN NOT EXISTS (SELECT 1 FROM {schema}.users WHERE name = u) THEN error('user "' || CAST(u AS VARCHAR) || '" does not exist')
                           ELSE true END
                  AND g.grantee IN (SELECT grantee FROM {Grantees}(u))
                GROUP BY 1, 2
                ORDER BY 2
                """) with { ReturnsRows = true },
            Session(RolesList, "u", $"(SELECT coalesce(list('(' || username || ',' || iam_role || ',' || cmd || ')' ORDER BY iam_role), []) FROM {RolesTable}(u))"),
        ];
    }

    /// <summary>
    /// <c>FROM pg_get_iam_role_by_user('u') alias(username text, iam_role text, cmd text)</c> becomes the table function with
    /// a plain column alias list; any other call becomes <c>unnest(...)</c> of the rows as Redshift prints them.
    /// </summary>
    internal static string Rewrite(string sql)
    {
        var tokens = SqlLexer.Tokenize(sql);
        var changed = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!tokens[i].Is("pg_get_iam_role_by_user")) continue;
            var open = NextSignificant(tokens, i);
            if (open < 0 || tokens[open].Kind != SqlTokenKind.LeftParen) continue;
            var close = MatchParen(tokens, open);
            if (close < 0) continue;
            var previous = PreviousSignificant(tokens, i);
            var inFrom = previous >= 0 && (tokens[previous].IsAny("FROM", "JOIN") || tokens[previous].Kind == SqlTokenKind.Comma && IsFromList(tokens, previous));
            changed = true;
            if (inFrom)
            {
                tokens[i] = new SqlToken(SqlTokenKind.Word, RolesTable);
                // alias(name type, ...) → alias(name, ...)
                var alias = NextSignificant(tokens, close);
                if (alias >= 0 && tokens[alias].Is("AS")) alias = NextSignificant(tokens, alias);
                if (alias < 0 || tokens[alias].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) continue;
                var list = NextSignificant(tokens, alias);
                if (list < 0 || tokens[list].Kind != SqlTokenKind.LeftParen) continue;
                var end = MatchParen(tokens, list);
                if (end < 0) continue;
                var names = SplitTopLevel(tokens, list + 1, end).Select(part => part.FirstOrDefault(t => !t.IsTrivia).Text ?? "").ToList();
                tokens.RemoveRange(list, end - list + 1);
                tokens.Insert(list, new SqlToken(SqlTokenKind.Word, "(" + string.Join(", ", names) + ")"));
            }
            else
            {
                var next = NextSignificant(tokens, close);
                var named = next >= 0 && (tokens[next].Is("AS") || tokens[next].Kind is SqlTokenKind.QuotedIdentifier
                    || tokens[next].Kind == SqlTokenKind.Word && !tokens[next].IsAny("FROM", "WHERE", "UNION", "ORDER", "LIMIT", "GROUP", "HAVING"));
                tokens.Insert(close + 1, new SqlToken(SqlTokenKind.Word, named ? ")" : ") AS pg_get_iam_role_by_user"));
                tokens[i] = new SqlToken(SqlTokenKind.Word, "unnest(" + RolesList);
            }
        }
        return changed ? SqlLexer.Join(tokens) : sql;
    }

    private static bool IsFromList(List<SqlToken> tokens, int comma)
    {
        for (var i = comma - 1; i >= 0; i--)
        {
            if (tokens[i].Kind == SqlTokenKind.RightParen) { var depth = 1; while (--i >= 0 && depth > 0) depth += tokens[i].Kind switch { SqlTokenKind.RightParen => 1, SqlTokenKind.LeftParen => -1, _ => 0 }; i++; continue; }
            if (tokens[i].Is("FROM")) return true;
            if (tokens[i].IsAny("SELECT", "WHERE", "ON", "GROUP", "ORDER") || tokens[i].Kind == SqlTokenKind.LeftParen) return false;
        }
        return false;
    }
}
