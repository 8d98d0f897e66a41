using System.Globalization;
using LocalShift.Core;
using LocalShift.Services.Accounts;

namespace LocalShift.Server;

/// <summary>The command line of <c>localshift serve</c>; every flag also reads <c>LOCALSHIFT_&lt;FLAG&gt;</c>.</summary>
public sealed class ServerOptions
{
    public string DataDir { get; set; } = ".localshift";
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 4566;
    public int SqlPortStart { get; set; } = 5439;
    public string AccountId { get; set; } = "123456789012";
    public string RootAccessKey { get; set; } = "test";
    public string RootSecretKey { get; set; } = "test";
    public List<AccountSpec> ExtraAccounts { get; } = [];
    public string Region { get; set; } = "us-east-1";
    public TimeSpan RoleApplyDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan ClusterCreateDelay { get; set; } = TimeSpan.FromSeconds(2);
    public string LogLevel { get; set; } = "info";
    public bool SqlTls { get; set; } = true;
    public string? SqlTlsCert { get; set; }
    public string? SqlTlsKey { get; set; }
    public int SqlMaxConnections { get; set; } = LocalShift.Sql.Wire.Session.PgListener.DefaultMaxConnections;
    /// <summary>Each cluster engine's memory limit in bytes; null: a quarter of the machine's memory.</summary>
    public long? SqlMemoryLimit { get; set; }
    public TimeSpan SqlStatementTimeout { get; set; } = TimeSpan.Zero;
    /// <summary>The /_localshift/* admin endpoints also answer callers that are not on this machine.</summary>
    public bool AdminFromAnywhere { get; set; }

    /// <summary>Listening on an address other machines can reach (not loopback).</summary>
    public bool ListensBeyondLoopback =>
        Host != "localhost" && !(System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The default account still has the root keys everyone knows (test/test).</summary>
    public bool DefaultRootKeys => RootAccessKey == "test" && RootSecretKey == "test";

    public IEnumerable<AccountSpec> Accounts =>
        new[] { new AccountSpec(AccountId, RootAccessKey, RootSecretKey) }.Concat(ExtraAccounts);

    public const string Usage = """
        Usage: localshift serve [options]

          --data-dir DIR               where state, objects and warehouses live (default ./.localshift)
          --host ADDR                  address to listen on (default 127.0.0.1)
          --port N                     AWS endpoint port (default 4566)
          --sql-port-start N           first port handed to cluster SQL endpoints (default 5439)
          --account-id ID              the default account (default 123456789012)
          --root-access-key KEY        its root access key (default test)
          --root-secret-key SECRET     its root secret key (default test)
          --account ID=KEY:SECRET      another account with its root keys (repeatable)
          --region REGION              the default region (default us-east-1)
          --role-apply-delay DURATION  how long a cluster role stays 'adding'/'removing' (default 2s)
          --cluster-create-delay DURATION  how long a cluster stays 'creating' (default 2s)
          --log-level LEVEL            debug, info, warning or error (default info)
          --sql-tls on|off             offer TLS on cluster SQL endpoints (default on, with a self-signed
                                       certificate kept in DATA-DIR/tls/)
          --sql-tls-cert FILE          PEM certificate for the SQL endpoints instead (with --sql-tls-key)
          --sql-tls-key FILE           its PEM private key
          --sql-max-connections N      concurrent connections each cluster SQL endpoint takes (default 500,
                                       Redshift's limit); one more is refused with SQLSTATE 53300
          --sql-memory-limit SIZE      memory each cluster's engine may use, e.g. 512MB or 4GB (default a quarter of
                                       the machine's memory); a statement needing more fails with SQLSTATE 53200
          --admin-from-anywhere on|off the /_localshift/* admin endpoints answer callers on other machines too
                                       (default off: loopback only)
          --sql-statement-timeout DURATION  the statement_timeout every SQL session starts with (default 0, none);
                                       a statement running longer is canceled with SQLSTATE 57014

        Every flag can also be set as an environment variable: --sql-port-start is LOCALSHIFT_SQL_PORT_START.
        Durations: 500ms, 2s, 1m, or a plain number of seconds.
        """;

    /// <summary>Parses flags over environment defaults. Throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static ServerOptions Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var o = new ServerOptions();
        foreach (var flag in Flags)
        {
            var env = "LOCALSHIFT_" + flag.ToUpperInvariant().Replace('-', '_');
            if (environment.TryGetValue(env, out var value) && value.Length > 0)
            {
                if (flag == "account")
                    foreach (var a in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) o.Set(flag, a, env);
                else o.Set(flag, value, env);
            }
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!Flags.Contains(name)) throw new ArgumentException($"Unknown option '--{name}'.");
            if (value is null)
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"Option '--{name}' needs a value.");
                value = args[++i];
            }
            o.Set(name, value, "--" + name);
        }
        if ((o.SqlTlsCert is null) != (o.SqlTlsKey is null))
            throw new ArgumentException("--sql-tls-cert and --sql-tls-key go together: give both files or neither.");
        return o;
    }

    private static readonly string[] Flags =
    [
        "data-dir", "host", "port", "sql-port-start", "account-id", "root-access-key", "root-secret-key", "account",
        "region", "role-apply-delay", "cluster-create-delay", "log-level", "sql-tls", "sql-tls-cert", "sql-tls-key",
        "sql-max-connections", "sql-memory-limit", "sql-statement-timeout", "admin-from-anywhere",
    ];

    private void Set(string flag, string value, string source)
    {
        switch (flag)
        {
            case "data-dir": DataDir = value; break;
            case "host": Host = value; break;
            case "port": Port = ParsePort(value, source); break;
            case "sql-port-start": SqlPortStart = ParsePort(value, source); break;
            case "account-id":
                if (!Core.AccountId.IsValid(value)) throw new ArgumentException($"{source}: account id '{value}' must be exactly 12 digits.");
                AccountId = value;
                break;
            case "root-access-key": RootAccessKey = NonEmpty(value, source); break;
            case "root-secret-key": RootSecretKey = NonEmpty(value, source); break;
            case "account": ExtraAccounts.Add(ParseAccount(value, source)); break;
            case "region":
                if (!System.Text.RegularExpressions.Regex.IsMatch(value, "^[a-z]{2}(-[a-z]+)+-\\d$"))
                    throw new ArgumentException($"{source}: '{value}' is not a region name like us-east-1.");
                Region = value;
                break;
            case "role-apply-delay": RoleApplyDelay = ParseDuration(value, source); break;
            case "cluster-create-delay": ClusterCreateDelay = ParseDuration(value, source); break;
            case "sql-tls": SqlTls = OnOff(value, source); break;
            case "admin-from-anywhere": AdminFromAnywhere = OnOff(value, source); break;
            case "sql-tls-cert": SqlTlsCert = NonEmpty(value, source); break;
            case "sql-tls-key": SqlTlsKey = NonEmpty(value, source); break;
            case "sql-max-connections":
                SqlMaxConnections = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new ArgumentException($"{source}: '{value}' is not a number of connections (1 or more).");
                break;
            case "sql-memory-limit": SqlMemoryLimit = ParseSize(value, source); break;
            case "sql-statement-timeout": SqlStatementTimeout = ParseDuration(value, source); break;
            case "log-level":
                if (value is not ("debug" or "info" or "warning" or "error"))
                    throw new ArgumentException($"{source}: log level must be debug, info, warning or error.");
                LogLevel = value;
                break;
        }
    }

    private static bool OnOff(string value, string source) => value.ToLowerInvariant() switch
    {
        "on" or "true" or "1" => true,
        "off" or "false" or "0" => false,
        _ => throw new ArgumentException($"{source} must be 'on' or 'off', not '{value}'."),
    };

    private static string NonEmpty(string v, string source) =>
        v.Length > 0 ? v : throw new ArgumentException($"{source} must not be empty.");

    private static int ParsePort(string v, string source) =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535
            ? p
            : throw new ArgumentException($"{source}: '{v}' is not a port number (0-65535).");

    private static AccountSpec ParseAccount(string v, string source)
    {
        var eq = v.IndexOf('=');
        var colon = v.IndexOf(':', eq + 1);
        if (eq <= 0 || colon < 0)
            throw new ArgumentException($"{source}: '{v}' must look like ID=ACCESS_KEY:SECRET, e.g. 210987654321=AKIDOTHER:secret.");
        var id = v[..eq];
        if (!Core.AccountId.IsValid(id)) throw new ArgumentException($"{source}: account id '{id}' must be exactly 12 digits.");
        var key = v[(eq + 1)..colon];
        var secret = v[(colon + 1)..];
        if (key.Length == 0 || secret.Length == 0) throw new ArgumentException($"{source}: '{v}' needs both an access key and a secret.");
        return new AccountSpec(id, key, secret);
    }

    /// <summary>A size in bytes: a number with B, KB, MB, GB or TB (PostgreSQL's units, powers of 1024; KiB, MiB, GiB alike).</summary>
    public static long ParseSize(string v, string source)
    {
        var s = v.Trim();
        var digits = 0;
        while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.')) digits++;
        var unit = s[digits..].Trim().ToUpperInvariant().Replace("IB", "B", StringComparison.Ordinal);
        long factor = unit switch
        {
            "" or "B" => 1,
            "KB" or "K" => 1L << 10,
            "MB" or "M" => 1L << 20,
            "GB" or "G" => 1L << 30,
            "TB" or "T" => 1L << 40,
            _ => 0,
        };
        if (factor == 0 || !double.TryParse(s[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n * factor < 1L << 20 || n * factor > long.MaxValue / 2)
            throw new ArgumentException($"{source}: '{v}' is not a size like 512MB or 4GB (1MB at least).");
        return (long)(n * factor);
    }

    public static TimeSpan ParseDuration(string v, string source)
    {
        var s = v.Trim();
        double factor = 1000;
        if (s.EndsWith("ms", StringComparison.Ordinal)) { factor = 1; s = s[..^2]; }
        else if (s.EndsWith('s')) { s = s[..^1]; }
        else if (s.EndsWith('m')) { factor = 60_000; s = s[..^1]; }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsInfinity(n))
            throw new ArgumentException($"{source}: '{v}' is not a duration like 500ms, 2s or 1m.");
        return TimeSpan.FromMilliseconds(n * factor);
    }
}
