using System.Collections.Concurrent;
using System.Text.Json;
using LocalShift.Aws.Operations;
using LocalShift.Services.Authorization;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Lambda;

/// <summary>
/// A function as stored: its configuration (<c>$LATEST</c>), where its code is (a zip under the data dir, by SHA-256),
/// its resource policy and tags, its published versions and its aliases. <see cref="RevisionId"/> changes with every
/// change, as Lambda's does. A published version is a <see cref="StoredFunction"/> too (a frozen copy, without versions,
/// aliases or tags; its <see cref="Policy"/> is the version's own resource policy).
/// </summary>
public sealed record StoredFunction(
    string AccountId,
    string Region,
    string Name,
    string? Runtime,
    string? Handler,
    string Role,
    string? Description,
    int Timeout,
    int MemorySize,
    Dictionary<string, string>? Variables,
    string CodeSha256,
    long CodeSize,
    DateTimeOffset LastModified,
    string RevisionId,
    string? Policy,
    Dictionary<string, string> Tags,
    List<string> Architectures,
    int EphemeralStorageSize,
    string TracingMode,
    List<StoredVersion>? Versions = null,
    Dictionary<string, StoredAlias>? Aliases = null,
    int LastVersion = 0)
{
    public string Arn => LambdaService.FunctionArn(AccountId, Region, Name);

    /// <summary>The published version of this number, or null.</summary>
    public StoredVersion? Version(string number) => Versions?.FirstOrDefault(v => v.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == number);

    /// <summary>The alias of this name, or null.</summary>
    public StoredAlias? Alias(string name) => Aliases is not null && Aliases.TryGetValue(name, out var a) ? a : null;

    /// <summary>The SHA-256 of every package this function still uses ($LATEST's and its versions').</summary>
    public IEnumerable<string> Packages() => Versions is null ? [CodeSha256] : Versions.Select(v => v.Config.CodeSha256).Prepend(CodeSha256);
}

/// <summary>A published version: its number and the function's configuration and code as they were when it was published.</summary>
public sealed record StoredVersion(int Number, StoredFunction Config)
{
    public string Name => Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// An alias: the version it points to (a number or <c>$LATEST</c>), at most one additional version with its weight, and
/// its own resource policy and revision.
/// </summary>
public sealed record StoredAlias(
    string Name, string FunctionVersion, string? Description, Dictionary<string, double>? Weights, string RevisionId, string? Policy = null);

/// <summary>
/// Lambda's functions in the state store, one JSON document per function keyed by account, region and name. The
/// resource policies are served to the authorizer from here (<see cref="IResourcePolicySource"/> for <c>lambda</c>).
/// Functions read by name are kept parsed in memory until this store changes them (every invocation reads its function
/// and, for the authorizer, its policy: two reads and parses of the document otherwise).
/// </summary>
public sealed class LambdaStore : IResourcePolicySource
{
    private readonly IStateStore _state;
    private readonly ConcurrentDictionary<(string Account, string Region, string Name), StoredFunction?> _cache = new();
    private readonly Lock _cacheGate = new();
    private long _generation;

    public LambdaStore(IStateStore state)
    {
        _state = state;
        _state.Migrate("lambda",
            """
            CREATE TABLE lambda_functions(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              name TEXT NOT NULL,
              document TEXT NOT NULL,
              PRIMARY KEY(account_id, region, name));
            """);
    }

    public void Create(StoredFunction f) =>
        Changing(f.AccountId, f.Region, f.Name, () => _state.Write((c, tx) =>
        {
            if (Load(c, tx, f.AccountId, f.Region, f.Name) is not null) throw LambdaErrors.FunctionExists(f.Name);
            c.Exec(tx, "INSERT INTO lambda_functions VALUES($a, $r, $n, $d)",
                ("$a", f.AccountId), ("$r", f.Region), ("$n", f.Name), ("$d", Json(f)));
            return true;
        }));

    /// <summary>The function (from memory when nothing changed it since it was last read), or null. Treat it as read-only.</summary>
    public StoredFunction? Find(string account, string region, string name)
    {
        var key = (account, region, name);
        if (_cache.TryGetValue(key, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        var f = _state.Read(c => Load(c, null, account, region, name));
        // Kept only when no change began or ended while it was read (a change bumps the generation before and after).
        lock (_cacheGate)
            if (Interlocked.Read(ref _generation) == generation) _cache[key] = f;
        return f;
    }

    /// <summary>Runs a change of one function, forgetting what memory holds of it before and after.</summary>
    private T Changing<T>(string account, string region, string name, Func<T> change)
    {
        Forget(account, region, name);
        try
        {
            return change();
        }
        finally
        {
            Forget(account, region, name);
        }
    }

    private void Forget(string account, string region, string name)
    {
        lock (_cacheGate)
        {
            Interlocked.Increment(ref _generation);
            _cache.TryRemove((account, region, name), out _);
        }
    }

    /// <summary>The region's functions of the account, ordered by name.</summary>
    public List<StoredFunction> List(string account, string region) =>
        _state.Read(c => c.Query(null, "SELECT document FROM lambda_functions WHERE account_id=$a AND region=$r ORDER BY name",
            r => Parse(r.GetString(0)), ("$a", account), ("$r", region)));

    /// <summary>Changes a function in one transaction: <paramref name="change"/> sees the current one (and may throw).</summary>
    public StoredFunction Update(string account, string region, string name, Func<StoredFunction, StoredFunction> change) =>
        Changing(account, region, name, () => _state.Write((c, tx) =>
        {
            var current = Load(c, tx, account, region, name) ?? throw LambdaErrors.FunctionNotFound(LambdaService.FunctionArn(account, region, name));
            var updated = change(current);
            if (!ReferenceEquals(updated, current))
                c.Exec(tx, "UPDATE lambda_functions SET document=$d WHERE account_id=$a AND region=$r AND name=$n",
                    ("$d", Json(updated)), ("$a", account), ("$r", region), ("$n", name));
            return updated;
        }));

    /// <summary>Deletes a function; false when there was none.</summary>
    public bool Delete(string account, string region, string name) =>
        Changing(account, region, name, () => _state.Write((c, tx) => c.Exec(tx, "DELETE FROM lambda_functions WHERE account_id=$a AND region=$r AND name=$n",
            ("$a", account), ("$r", region), ("$n", name)) > 0));

    /// <summary>Whether any function still uses this code (so its zip may go).</summary>
    public bool CodeInUse(string sha256) =>
        _state.Read(c => c.Query(null, "SELECT document FROM lambda_functions", r => Parse(r.GetString(0)).Packages().Contains(sha256)).Any(x => x));

    // ---- Resource policies ----

    public string Service => "lambda";

    /// <summary>
    /// The policy of exactly the resource the ARN names: the function's for its unqualified ARN, a version's or an alias's
    /// for a qualified one (each has its own, as in Lambda: a permission granted on one ARN does not cover the others);
    /// <c>$LATEST</c> has none.
    /// </summary>
    public ResourcePolicy? Find(string resourceArn)
    {
        if (FunctionRef.TryParseArn(resourceArn) is not { } r) return null;
        var f = Find(r.Account!, r.Region!, r.Name);
        if (f is null) return null;
        var policy = r.Qualifier switch
        {
            null => f.Policy,
            "$LATEST" => null,
            var q when q.All(char.IsAsciiDigit) => f.Version(q)?.Config.Policy,
            var q => f.Alias(q)?.Policy,
        };
        var what = r.Qualifier is null ? $"function {f.Name}" : $"function {f.Name}:{r.Qualifier}";
        return policy is null ? null : new ResourcePolicy(new NamedPolicy("default", null, policy, $"resource policy of {what}"), f.AccountId);
    }

    private static StoredFunction? Load(DbConnection c, DbTransaction? tx, string account, string region, string name) =>
        c.Query(tx, "SELECT document FROM lambda_functions WHERE account_id=$a AND region=$r AND name=$n",
            r => Parse(r.GetString(0)), ("$a", account), ("$r", region), ("$n", name)).SingleOrDefault();

    private static string Json(StoredFunction f) => JsonSerializer.Serialize(f, OperationBinding.Options);
    private static StoredFunction Parse(string json) => JsonSerializer.Deserialize<StoredFunction>(json, OperationBinding.Options)!;
}
