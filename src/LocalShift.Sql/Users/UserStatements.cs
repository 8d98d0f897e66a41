using LocalShift.Engine;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Users;

/// <summary>
/// CREATE/ALTER/DROP USER, CREATE/ALTER/DROP GROUP, GRANT and REVOKE on schemas and tables, in Redshift's syntax.
/// Only superusers manage users and groups; grants on a table are given by a superuser or its owner.
/// </summary>
internal sealed class UserStatements(UserDirectory directory, DbUser caller)
{
    private List<SqlToken> _t = [];
    private int _i;

    /// <summary>
    /// Registers the statements this runs (<see cref="Syntax.CommandKind.UserDdl"/>, <see cref="Syntax.CommandKind.Grant"/>)
    /// with the cluster's handlers, for the caller the statement's context names.
    /// </summary>
    public static void Register(Routing.StatementHandlers handlers, UserDirectory directory)
    {
        string Run(Routing.RedshiftStatementContext context, Syntax.CommandStatement statement) =>
            new UserStatements(directory, new DbUser(context.User, null, context.Superuser)).Run([.. statement.Tokens]);
        handlers.Register(Syntax.CommandKind.UserDdl, Run).Register(Syntax.CommandKind.Grant, Run);
    }

    /// <summary>Runs the statement; returns the command tag.</summary>
    public string Run(List<SqlToken> significant)
    {
        _t = significant;
        _i = 0;
        var verb = Next().Text.ToUpperInvariant();
        if (verb is "GRANT" or "REVOKE" && IsRoleGrant()) return GrantOrRevokeRole(verb == "GRANT");
        if (verb is "GRANT" or "REVOKE") return GrantOrRevoke(verb == "GRANT");
        var noun = Next().Text.ToUpperInvariant();
        RequireSuperuser(verb, noun);
        return (verb, noun) switch
        {
            ("CREATE", "USER") => CreateUser(),
            ("ALTER", "USER") => AlterUser(),
            ("DROP", "USER") => DropUser(),
            ("CREATE", "GROUP") => CreateGroup(),
            ("ALTER", "GROUP") => AlterGroup(),
            ("CREATE", "ROLE") => CreateRole(),
            ("DROP", "ROLE") => DropRole(),
            ("ALTER", "ROLE") => throw new PgException(SqlState.FeatureNotSupported, "ALTER ROLE is not supported by LocalShift"),
            _ => DropGroup(),
        };
    }

    private void RequireSuperuser(string verb, string noun)
    {
        if (caller.Superuser) return;
        // A user may change their own password.
        if (verb == "ALTER" && noun == "USER" && Peek()?.Identifier == caller.Name && _t.Count > 3 && _t[3].Is("PASSWORD")) return;
        throw UserDirectory.Denied($"permission denied to {verb.ToLowerInvariant()} {noun.ToLowerInvariant()}");
    }

    private string CreateUser()
    {
        var name = Name();
        if (directory.Find(name) is not null)
            throw new PgException(SqlState.DuplicateObject, $"user \"{name}\" already exists");
        var user = Options(new DbUser(name, null, false));
        directory.Save(user);
        return "CREATE USER";
    }

    private string AlterUser()
    {
        var name = Name();
        var user = directory.Find(name) ?? throw new PgException(SqlState.UndefinedObject, $"user \"{name}\" does not exist");
        if (Peek()?.Is("RENAME") == true)
        {
            _i += 2;
            var renamed = Name();
            var settings = directory.SettingsOf(name);
            directory.Drop(name);
            // Redshift: the user name salts the password's hash, so a renamed user has no password until one is set.
            directory.Save(user with { Name = renamed, Secret = null });
            foreach (var (parameter, value) in settings) directory.SetUserSetting(renamed, parameter, value);
            return "ALTER USER";
        }
        if (Peek()?.IsAny("SET", "RESET") == true) return AlterUserSetting(name);
        directory.Save(Options(user));
        return "ALTER USER";
    }

    /// <summary>
    /// <c>ALTER USER u SET parameter { TO | = } { value | DEFAULT }</c> and <c>ALTER USER u RESET { parameter | ALL }</c>:
    /// the user's own default for a session parameter, which every later session of the user starts with (a session
    /// already open keeps its values, as in Redshift and PostgreSQL).
    /// </summary>
    private string AlterUserSetting(string user)
    {
        var reset = Next().Is("RESET");
        var nameToken = Next();
        var parameter = nameToken.Identifier;
        if (parameter == "time" && Peek()?.Is("ZONE") == true) { _i++; parameter = "timezone"; }
        if (reset && parameter.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            directory.SetUserSetting(user, "all", null);
            return "ALTER USER";
        }
        if (!Routing.SqlSession.IsSessionParameter(parameter))
            throw new PgException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{parameter}\"");
        if (reset)
        {
            directory.SetUserSetting(user, parameter, null);
            return "ALTER USER";
        }
        if (Peek() is { } to && (to.Is("TO") || to.Text == "=")) _i++;
        var values = new List<string>();
        while (Peek() is { } token)
        {
            _i++;
            if (token.Kind == SqlTokenKind.Comma) continue;
            values.Add(token.Kind == SqlTokenKind.String ? token.StringValue : token.Kind == SqlTokenKind.QuotedIdentifier ? token.Identifier : token.Text);
        }
        if (values.Count == 0) throw new PgException(SqlState.SyntaxError, "syntax error at end of input");
        if (values is [var only] && only.Equals("DEFAULT", StringComparison.OrdinalIgnoreCase))
        {
            directory.SetUserSetting(user, parameter, null);
            return "ALTER USER";
        }
        var value = string.Join(", ", values);
        // A value the session would refuse is refused now, with the text SET gives.
        if (parameter.Equals("statement_timeout", StringComparison.OrdinalIgnoreCase))
            value = ((long)Routing.StatementDeadline.Parse(value).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        directory.SetUserSetting(user, parameter, value);
        return "ALTER USER";
    }

    private DbUser Options(DbUser user)
    {
        while (Peek() is { } token)
        {
            _i++;
            if (token.Is("WITH")) continue;
            if (token.Is("PASSWORD"))
            {
                var value = Next();
                user = user with { Secret = value.Is("DISABLE") ? null : RedshiftPassword.ToSecret(user.Name, value.StringValue) };
            }
            else if (token.Is("CREATEUSER")) user = user with { Superuser = true };
            else if (token.Is("NOCREATEUSER")) user = user with { Superuser = false };
            else if (token.IsAny("CONNECTION", "VALID", "SYSLOG", "SESSION", "EXTERNALID")) _i++;
            else if (token.Is("IN") && Peek()?.Is("GROUP") == true)
            {
                _i++;
                foreach (var group in NameList())
                {
                    if (!directory.GroupExists(group)) throw new PgException(SqlState.UndefinedObject, $"group \"{group}\" does not exist");
                    directory.Save(user);
                    directory.AddMembers(group, [user.Name]);
                }
            }
            // CREATEDB, NOCREATEDB, LIMIT values, RESTRICTED/UNRESTRICTED and the like change nothing here.
        }
        return user;
    }

    private string DropUser()
    {
        var ifExists = TakeIfExists();
        foreach (var name in NameList())
        {
            if (directory.Find(name) is null)
            {
                if (ifExists) continue;
                throw new PgException(SqlState.UndefinedObject, $"user \"{name}\" does not exist");
            }
            if (name == caller.Name) throw new PgException("55006", "current user cannot be dropped");
            directory.Drop(name);
        }
        return "DROP USER";
    }

    private string CreateGroup()
    {
        var name = Name();
        if (directory.GroupExists(name)) throw new PgException(SqlState.DuplicateObject, $"group \"{name}\" already exists");
        var members = new List<string>();
        if (Peek()?.Is("WITH") == true) _i++;
        if (Peek()?.Is("USER") == true)
        {
            _i++;
            members.AddRange(NameList());
        }
        foreach (var member in members) RequireUser(member);
        directory.CreateGroup(name, members);
        return "CREATE GROUP";
    }

    private string AlterGroup()
    {
        var name = Name();
        if (!directory.GroupExists(name)) throw new PgException(SqlState.UndefinedObject, $"group \"{name}\" does not exist");
        var action = Next();
        if (Peek()?.Is("USER") == true) _i++;
        var members = NameList();
        foreach (var member in members) RequireUser(member);
        if (action.Is("ADD")) directory.AddMembers(name, members);
        else directory.RemoveMembers(name, members);
        return "ALTER GROUP";
    }

    private string DropGroup()
    {
        var ifExists = TakeIfExists();
        var name = Name();
        if (!directory.GroupExists(name))
        {
            if (ifExists) return "DROP GROUP";
            throw new PgException(SqlState.UndefinedObject, $"group \"{name}\" does not exist");
        }
        directory.DropGroup(name);
        return "DROP GROUP";
    }

    /// <summary><c>CREATE ROLE r [EXTERNALID 'id']</c>.</summary>
    private string CreateRole()
    {
        var name = Name();
        if (directory.FindRole(name) is not null) throw new PgException(SqlState.DuplicateObject, $"role \"{name}\" already exists");
        string? externalId = null;
        if (Peek()?.Is("EXTERNALID") == true)
        {
            _i++;
            externalId = Next().StringValue;
        }
        if (Peek() is { } extra) throw new PgException(SqlState.SyntaxError, $"syntax error at or near \"{extra.Text}\"");
        directory.CreateRole(name, caller.Name, externalId);
        return "CREATE ROLE";
    }

    /// <summary><c>DROP ROLE r [FORCE | RESTRICT]</c>: a role granted to anyone, or holding another role, needs FORCE.</summary>
    private string DropRole()
    {
        var ifExists = TakeIfExists();
        var name = Name();
        var force = Peek()?.Is("FORCE") == true;
        if (Peek()?.IsAny("FORCE", "RESTRICT") == true) _i++;
        if (directory.FindRole(name) is null)
        {
            if (ifExists) return "DROP ROLE";
            throw new PgException(SqlState.UndefinedObject, $"role \"{name}\" does not exist");
        }
        if (!force && directory.RoleInUse(name) is { } reason) throw new PgException("2BP01", reason);
        directory.DropRole(name);
        return "DROP ROLE";
    }

    /// <summary>GRANT ROLE r[, ROLE r2] TO ... or REVOKE [ADMIN OPTION FOR] ROLE r FROM ...</summary>
    private bool IsRoleGrant()
    {
        var at = _i;
        if (at < _t.Count && _t[at].Is("ADMIN")) at += 3;
        return at < _t.Count && _t[at].Is("ROLE");
    }

    /// <summary>
    /// <c>GRANT ROLE r [, ROLE r2 ...] TO {user | ROLE r3}[, ...] [WITH ADMIN OPTION]</c> and its REVOKE. Only superusers
    /// and the role's owner grant a role.
    /// </summary>
    private string GrantOrRevokeRole(bool grant)
    {
        if (!grant && Peek()?.Is("ADMIN") == true) _i += 3; // REVOKE ADMIN OPTION FOR
        var roles = new List<string>();
        do
        {
            Expect("ROLE");
            var role = Name();
            if (directory.FindRole(role) is not { } found) throw new PgException(SqlState.UndefinedObject, $"role \"{role}\" does not exist");
            if (!caller.Superuser && found.Owner != caller.Name) throw UserDirectory.Denied($"permission denied to grant role {role}");
            roles.Add(role);
        } while (TakeComma());
        Expect(grant ? "TO" : "FROM");
        var members = new List<string>();
        do
        {
            if (Peek()?.Is("ROLE") == true)
            {
                _i++;
                var role = Name();
                if (directory.FindRole(role) is null) throw new PgException(SqlState.UndefinedObject, $"role \"{role}\" does not exist");
                members.Add("role " + role);
            }
            else
            {
                var user = Name();
                RequireUser(user);
                members.Add(user);
            }
        } while (TakeComma());
        var admin = false;
        if (grant && Peek()?.Is("WITH") == true)
        {
            _i++;
            Expect("ADMIN");
            Expect("OPTION");
            admin = true;
        }
        if (Peek() is { } extra) throw new PgException(SqlState.SyntaxError, $"syntax error at or near \"{extra.Text}\"");
        foreach (var role in roles)
            foreach (var member in members)
            {
                if (grant && member == "role " + role) throw new PgException("0LP01", $"role \"{role}\" cannot be granted to itself");
                if (grant && member.StartsWith("role ", StringComparison.Ordinal) && directory.GranteesOf("role " + role).Contains(member))
                    throw new PgException("0LP01", $"granting role \"{role}\" to role \"{member[5..]}\" would create a cycle");
                if (grant) directory.GrantRole(role, member, admin);
                else directory.RevokeRole(role, member);
            }
        return grant ? "GRANT" : "REVOKE";
    }

    /// <summary>GRANT privs ON [TABLE] t,... | SCHEMA s,... | ALL TABLES IN SCHEMA s TO grantee,... (REVOKE ... FROM).</summary>
    private string GrantOrRevoke(bool grant)
    {
        if (!grant && Peek()?.Is("GRANT") == true) _i += 2; // REVOKE GRANT OPTION FOR
        if (IsExternalFunctionPrivilege()) return GrantOrRevokeExternalFunctionPrivilege(grant);
        var privileges = new List<string>();
        while (Peek() is { } token && !token.Is("ON"))
        {
            _i++;
            if (token.Kind == SqlTokenKind.Comma || token.Is("PRIVILEGES")) continue;
            privileges.Add(token.Text.ToLowerInvariant());
        }
        Expect("ON");
        string type;
        var objects = new List<(string Schema, string Name)>();
        if (Peek()?.Is("SCHEMA") == true)
        {
            _i++;
            type = "schema";
            foreach (var schema in NameList()) objects.Add((schema, ""));
        }
        else if (Peek()?.Is("ALL") == true)
        {
            _i++;
            Expect("TABLES");
            Expect("IN");
            Expect("SCHEMA");
            type = "table";
            foreach (var schema in NameList())
                foreach (var table in directory.TablesIn(schema)) objects.Add((schema, table));
        }
        else if (Peek()?.Is("LANGUAGE") == true)
        {
            _i++;
            type = "language";
            foreach (var language in NameList()) objects.Add(("", language.ToLowerInvariant()));
        }
        else if (Peek()?.Is("FUNCTION") == true)
        {
            _i++;
            type = "function";
            do objects.Add(FunctionSignature()); while (TakeComma());
        }
        else if (Peek()?.IsAny("DATABASE", "PROCEDURE") == true || Peek()?.Is("ALL") == true && _i + 1 < _t.Count && _t[_i + 1].IsAny("FUNCTIONS", "PROCEDURES"))
        {
            return grant ? "GRANT" : "REVOKE"; // Accepted; not enforced by the emulator.
        }
        else
        {
            if (Peek()?.Is("TABLE") == true) _i++;
            type = "table";
            do
            {
                var (schema, table) = QualifiedName();
                objects.Add((schema, table));
            } while (TakeComma());
        }
        Expect(grant ? "TO" : "FROM");
        var grantees = new List<string>();
        do
        {
            var token = Next();
            if (token.Is("PUBLIC")) grantees.Add("public");
            else if (token.Is("GROUP"))
            {
                var group = Next().Identifier;
                if (!directory.GroupExists(group)) throw new PgException(SqlState.UndefinedObject, $"group \"{group}\" does not exist");
                grantees.Add("group " + group);
            }
            else if (token.Is("ROLE"))
            {
                var role = Next().Identifier;
                if (directory.FindRole(role) is null) throw new PgException(SqlState.UndefinedObject, $"role \"{role}\" does not exist");
                grantees.Add("role " + role);
            }
            else
            {
                RequireUser(token.Identifier);
                grantees.Add(token.Identifier);
            }
        } while (TakeComma());

        foreach (var (schema, name) in objects)
        {
            if (!caller.Superuser && !(type == "table" && directory.OwnerOf(schema, name) == caller.Name)
                && !(type == "function" && _functionOwners.GetValueOrDefault((schema, name)) == caller.Name))
                throw UserDirectory.Denied(type switch
                {
                    "table" => $"permission denied for relation {name}",
                    "function" => $"must be owner of function {name[..name.IndexOf('(')]}",
                    "language" => $"permission denied for language {name}",
                    _ => $"permission denied for schema {schema}",
                });
            foreach (var privilege in privileges)
                foreach (var grantee in grantees)
                {
                    if (type == "schema" && schema == "public" && grantee == "public" && !grant)
                        directory.Grant("revoked-default", schema, "", privilege == "all" ? "create" : privilege, "public");
                    else if (type == "schema" && schema == "public" && grantee == "public" && grant)
                        directory.Revoke("revoked-default", schema, "", privilege == "all" ? "create" : privilege, "public");
                    if (grant) directory.Grant(type, schema, name, privilege, grantee);
                    else directory.Revoke(type, schema, name, privilege, grantee);
                }
        }
        return grant ? "GRANT" : "REVOKE";
    }

    /// <summary>The owners of the functions a GRANT … ON FUNCTION named, by (schema, signature).</summary>
    private readonly Dictionary<(string, string), string> _functionOwners = [];

    /// <summary><c>f(types)</c>: an external function of the cluster, by its signature; PostgreSQL's text when there is none.</summary>
    private (string Schema, string Signature) FunctionSignature()
    {
        var reader = new RolePath.StatementReader(_t, _i);
        var (schema, name, arguments) = External.ExternalFunctionStatements.ReadSignature(reader);
        _i = reader.Position;
        schema ??= "public";
        var signature = External.ExternalFunction.SignatureOf(name, arguments);
        External.ExternalFunction? found = null;
        directory.OutsideTransactions(engine => found = External.ExternalFunctionCatalog.Find(engine, schema, name).FirstOrDefault(f => f.Signature == signature));
        if (found is null) throw new PgException(SqlState.UndefinedFunction, $"function {signature} does not exist");
        _functionOwners[(schema, signature)] = found.Owner;
        return (schema, signature);
    }

    /// <summary><c>CREATE [OR REPLACE] EXTERNAL FUNCTION</c> as a privilege of Redshift's role-based access control.</summary>
    private bool IsExternalFunctionPrivilege()
    {
        var words = _t.Skip(_i).Take(5).Select(t => t.Text.ToUpperInvariant()).ToList();
        return words.Count >= 3 && words[0] == "CREATE" && (words[1..3].SequenceEqual(["EXTERNAL", "FUNCTION"])
               || words.Count == 5 && words[1..5].SequenceEqual(["OR", "REPLACE", "EXTERNAL", "FUNCTION"]));
    }

    /// <summary>
    /// <c>GRANT CREATE [OR REPLACE] EXTERNAL FUNCTION TO ROLE r</c> (and REVOKE … FROM ROLE r): system privileges go to
    /// roles only; only superusers grant them.
    /// </summary>
    private string GrantOrRevokeExternalFunctionPrivilege(bool grant)
    {
        while (Peek() is { } t && !t.Is(grant ? "TO" : "FROM")) _i++;
        Expect(grant ? "TO" : "FROM");
        if (!caller.Superuser) throw UserDirectory.Denied("permission denied: only superusers can grant system privileges");
        do
        {
            var token = Next();
            // unverified: Redshift's text for a system privilege granted to a user.
            if (!token.Is("ROLE")) throw new PgException(SqlState.SyntaxError, $"syntax error at or near \"{token.Text}\"", hint: "System privileges are granted to roles: TO ROLE name.");
            var role = Next().Identifier;
            if (directory.FindRole(role) is null) throw new PgException(SqlState.UndefinedObject, $"role \"{role}\" does not exist");
            if (grant) directory.Grant("system", "", "create or replace external function", "usage", "role " + role);
            else directory.Revoke("system", "", "create or replace external function", "usage", "role " + role);
        } while (TakeComma());
        return grant ? "GRANT" : "REVOKE";
    }

    private void RequireUser(string name)
    {
        if (directory.Find(name) is null) throw new PgException(SqlState.UndefinedObject, $"user \"{name}\" does not exist");
    }

    private (string Schema, string Name) QualifiedName()
    {
        var first = Next().Identifier;
        if (Peek()?.Kind != SqlTokenKind.Dot) return ("public", first);
        _i++;
        return (first, Next().Identifier);
    }

    private bool TakeIfExists()
    {
        if (Peek()?.Is("IF") != true) return false;
        _i += 2;
        return true;
    }

    private List<string> NameList()
    {
        var names = new List<string>();
        do names.Add(Name()); while (TakeComma());
        return names;
    }

    private bool TakeComma()
    {
        if (Peek()?.Kind != SqlTokenKind.Comma) return false;
        _i++;
        return true;
    }

    private string Name()
    {
        var token = Next();
        if (token.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier))
            throw new PgException(SqlState.SyntaxError, $"syntax error at or near \"{token.Text}\"");
        return token.Identifier;
    }

    private void Expect(string word)
    {
        var token = Next();
        if (!token.Is(word)) throw new PgException(SqlState.SyntaxError, $"syntax error at or near \"{token.Text}\"");
    }

    private SqlToken? Peek() => _i < _t.Count ? _t[_i] : null;

    private SqlToken Next() =>
        _i < _t.Count ? _t[_i++] : throw new PgException(SqlState.SyntaxError, "syntax error at end of input");
}
