using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;

namespace LocalShift.Sql.AssumeRolePrivileges;

/// <summary>
/// <c>GRANT|REVOKE ASSUMEROLE ON {'arn'[,...] | default | ALL} TO|FROM {user | PUBLIC | ROLE r | GROUP g}[,...]
/// FOR {ALL | COPY | UNLOAD | EXTERNAL FUNCTION | CREATE MODEL}[,...]</c>. Only superusers run it.
/// </summary>
public static class AssumeRoleStatement
{
    public static string Run(RedshiftStatementContext context, IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        var grant = r.Next().Is("GRANT");
        r.Expect("ASSUMEROLE");
        r.Expect("ON");
        var roles = new List<string>();
        do
        {
            if (r.Accept("ALL")) roles.Add(AssumeRoleGrants.All);
            else if (r.Accept("DEFAULT")) roles.Add("default");
            else if (r.Peek().Kind == SqlTokenKind.String) roles.Add(AuthorizationClause.ParseChain(r.Next().StringValue).Text);
            else throw r.SyntaxError();
        } while (r.Accept(SqlTokenKind.Comma));
        r.Expect(grant ? "TO" : "FROM");
        var grantees = new List<string>();
        do
        {
            if (r.Accept("PUBLIC")) grantees.Add("public");
            else if (r.Accept("GROUP")) grantees.Add("group " + Name(r));
            else if (r.Accept("ROLE")) grantees.Add("role " + Name(r));
            else grantees.Add(Name(r));
        } while (r.Accept(SqlTokenKind.Comma));
        r.Expect("FOR");
        var purposes = new List<string>();
        do
        {
            if (r.Accept("ALL")) purposes.Add(AssumeRoleGrants.All);
            else if (r.Accept("COPY")) purposes.Add("copy");
            else if (r.Accept("UNLOAD")) purposes.Add("unload");
            else if (r.Accept("EXTERNAL")) { r.Expect("FUNCTION"); purposes.Add("external function"); }
            else if (r.Accept("CREATE")) { r.Expect("MODEL"); purposes.Add("create model"); }
            else throw r.SyntaxError();
        } while (r.Accept(SqlTokenKind.Comma));
        if (!r.AtEnd) throw r.SyntaxError();

        if (!context.Superuser)
            throw new PgException(SqlState.InsufficientPrivilege, "permission denied: only superusers can grant or revoke ASSUMEROLE");
        foreach (var grantee in grantees)
        {
            if (grantee.StartsWith("group ", StringComparison.Ordinal) && context.Users is { } users && !users.GroupExists(grantee[6..]))
                throw new PgException(SqlState.UndefinedObject, $"group \"{grantee[6..]}\" does not exist");
            if (grantee.StartsWith("role ", StringComparison.Ordinal) && context.Users is { } directory && directory.FindRole(grantee[5..]) is null)
                throw new PgException(SqlState.UndefinedObject, $"role \"{grantee[5..]}\" does not exist");
            if (!grantee.Contains(' ') && grantee != "public" && context.Users is { } u && u.Find(grantee) is null)
                throw new PgException(SqlState.UndefinedObject, $"user \"{grantee}\" does not exist");
        }
        foreach (var role in roles)
            foreach (var grantee in grantees)
                foreach (var purpose in purposes)
                {
                    if (grant) AssumeRoleGrants.Grant(context.Engine, role, grantee, purpose);
                    else AssumeRoleGrants.Revoke(context.Engine, role, grantee, purpose);
                }
        return grant ? "GRANT" : "REVOKE";
    }

    private static string Name(StatementReader r)
    {
        var token = r.Next();
        if (token.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw StatementReader.SyntaxError(token);
        return token.Identifier;
    }
}
