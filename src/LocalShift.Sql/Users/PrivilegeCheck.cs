using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Users;

/// <summary>The target a DDL statement's tokens name (the statement's privileges are decided on its tree: <see cref="StatementPrivileges"/>).</summary>
internal static class PrivilegeCheck
{
    /// <summary>The schema and name following the object keyword (after IF [NOT] EXISTS).</summary>
    public static (string Schema, string Name) TargetName(List<SqlToken> s, SqlToken kind, string defaultSchema)
    {
        var i = s.IndexOf(kind) + 1;
        while (i < s.Count && s[i].IsAny("IF", "NOT", "EXISTS")) i++;
        if (i >= s.Count) return (defaultSchema, "");
        if (i + 2 < s.Count && s[i + 1].Kind == SqlTokenKind.Dot) return (s[i].Identifier, s[i + 2].Identifier);
        return (defaultSchema, s[i].Identifier);
    }
}
