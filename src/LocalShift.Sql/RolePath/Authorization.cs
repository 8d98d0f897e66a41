
using LocalShift.Engine;

namespace LocalShift.Sql.RolePath;

/// <summary>How a COPY or UNLOAD reaches S3: through the cluster's roles or with explicit keys.</summary>
public abstract record Authorization;

/// <summary><c>IAM_ROLE default</c> (empty chain, <see cref="Default"/>) or a chain of role ARNs assumed in order.</summary>
public sealed record RoleChainAuthorization(IReadOnlyList<string> Chain, bool Default) : Authorization
{
    public const int MaxRoles = 10;

    /// <summary>The chain as written, which is also how ASSUMEROLE grants name it.</summary>
    public string Text => Default ? "default" : string.Join(',', Chain);
}

/// <summary>ACCESS_KEY_ID/SECRET_ACCESS_KEY[/SESSION_TOKEN] or the same inside CREDENTIALS.</summary>
public sealed record AccessKeyAuthorization(string AccessKeyId, string SecretAccessKey, string? SessionToken) : Authorization;

/// <summary>
/// Reads the authorization clause wherever it appears among a statement's options. Exactly one form is allowed;
/// Redshift rejects a statement that mixes IAM_ROLE, CREDENTIALS and access keys.
/// </summary>
public sealed class AuthorizationClause
{
    private const string CredentialsFormat =
        "Invalid credentials. Must be of the format: credentials 'aws_iam_role=...' or 'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'";

    private string? _form;
    private Authorization? _found;
    private string? _keyId, _secret, _token;

    /// <summary>Consumes an authorization keyword at the cursor; false when the cursor holds something else.</summary>
    public bool TryRead(StatementReader r)
    {
        var token = r.Peek();
        if (token.Is("IAM_ROLE"))
        {
            r.Next();
            Claim("IAM_ROLE");
            if (r.Accept("DEFAULT")) _found = new RoleChainAuthorization([], true);
            else _found = ParseChain(r.String("IAM_ROLE"));
            return true;
        }
        if (token.Is("WITH") && r.Peek(1).Is("CREDENTIALS")) r.Next();
        if (r.Peek().Is("CREDENTIALS"))
        {
            r.Next();
            Claim("CREDENTIALS");
            _found = ParseCredentials(r.String("CREDENTIALS"));
            return true;
        }
        if (token.IsAny("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"))
        {
            r.Next();
            if (_form is not null and not "ACCESS_KEY_ID") throw Conflict();
            _form = "ACCESS_KEY_ID";
            var value = r.String(token.Text.ToUpperInvariant());
            switch (token.Text.ToUpperInvariant())
            {
                case "ACCESS_KEY_ID": _keyId = _keyId is null ? value : throw Conflict(); break;
                case "SECRET_ACCESS_KEY": _secret = _secret is null ? value : throw Conflict(); break;
                default: _token = _token is null ? value : throw Conflict(); break;
            }
            return true;
        }
        return false;
    }

    /// <summary>The clause once every option is read; a statement without one is an error.</summary>
    public Authorization Result(string statement)
    {
        if (_form == "ACCESS_KEY_ID")
        {
            if (_keyId is null || _secret is null)
                throw new PgException(SqlState.SyntaxError, "ACCESS_KEY_ID and SECRET_ACCESS_KEY must be specified together");
            return new AccessKeyAuthorization(_keyId, _secret, _token);
        }
        return _found ?? throw new PgException(SqlState.SyntaxError,
            $"{statement} requires an authorization clause: IAM_ROLE, CREDENTIALS, or ACCESS_KEY_ID and SECRET_ACCESS_KEY");
    }

    private void Claim(string form)
    {
        if (_form is not null) throw Conflict();
        _form = form;
    }

    private static PgException Conflict() => new(SqlState.SyntaxError, "conflicting or redundant options",
        detail: "Use exactly one of IAM_ROLE, CREDENTIALS, or ACCESS_KEY_ID/SECRET_ACCESS_KEY[/SESSION_TOKEN].");

    /// <summary>A chain is one string of comma-separated ARNs without spaces, at most ten of them.</summary>
    public static RoleChainAuthorization ParseChain(string text)
    {
        if (text.Equals("default", StringComparison.OrdinalIgnoreCase)) return new RoleChainAuthorization([], true);
        if (text.Any(char.IsWhiteSpace))
            throw new PgException(SqlState.InvalidParameterValue, $"Invalid IAM_ROLE '{text}': role ARNs of a chain are separated by commas without spaces");
        var chain = text.Split(',');
        if (chain.Any(a => a.Length == 0))
            throw new PgException(SqlState.InvalidParameterValue, $"Invalid IAM_ROLE '{text}': empty role ARN in the chain");
        if (chain.Length > RoleChainAuthorization.MaxRoles)
            throw new PgException(SqlState.InvalidParameterValue,
                $"Invalid IAM_ROLE: a role chain may hold at most {RoleChainAuthorization.MaxRoles} roles, this one has {chain.Length}");
        return new RoleChainAuthorization(chain, false);
    }

    public static Authorization ParseCredentials(string text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !pairs.TryAdd(part[..eq].Trim(), part[(eq + 1)..].Trim())) throw new PgException(SqlState.InvalidParameterValue, CredentialsFormat);
        }
        if (pairs.Count == 1 && pairs.TryGetValue("aws_iam_role", out var role)) return ParseChain(role);
        if (pairs.TryGetValue("aws_access_key_id", out var key) && pairs.TryGetValue("aws_secret_access_key", out var secret)
            && pairs.Keys.All(k => k.ToLowerInvariant() is "aws_access_key_id" or "aws_secret_access_key" or "token"))
            return new AccessKeyAuthorization(key, secret, pairs.GetValueOrDefault("token"));
        throw new PgException(SqlState.InvalidParameterValue, CredentialsFormat);
    }
}
