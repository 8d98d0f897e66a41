using System.Text.Json;
using LocalShift.Aws.Operations;
using LocalShift.Services.Authorization;
using LocalShift.Storage.State;
using Microsoft.Data.Sqlite;

namespace LocalShift.Services.Lambda;

/// <summary>
/// A function as stored: its configuration, where its code is (a zip under the data dir, by SHA-256), its resource
/// policy and tags. <see cref="RevisionId"/> changes with every change, as Lambda's does.
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
    string TracingMode)
{
    public string Arn => LambdaService.FunctionArn(AccountId, Region, Name);
}

/// <summary>
/// Lambda's functions in the state store, one JSON document per function keyed by account, region and name. The
/// resource policies are served to the authorizer from here (<see cref="IResourcePolicySource"/> for <c>lambda</c>).
/// </summary>
public sealed class LambdaStore : IResourcePolicySource
{
    private readonly StateStore _state;

    public LambdaStore(StateStore state)
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
        _state.Write((c, tx) =>
        {
            if (Load(c, tx, f.AccountId, f.Region, f.Name) is not null) throw LambdaErrors.FunctionExists(f.Name);
            c.Exec(tx, "INSERT INTO lambda_functions VALUES($a, $r, $n, $d)",
                ("$a", f.AccountId), ("$r", f.Region), ("$n", f.Name), ("$d", Json(f)));
        });

    public StoredFunction? Find(string account, string region, string name) => _state.Read(c => Load(c, null, account, region, name));

    /// <summary>The region's functions of the account, ordered by name.</summary>
    public List<StoredFunction> List(string account, string region) =>
        _state.Read(c => c.Query(null, "SELECT document FROM lambda_functions WHERE account_id=$a AND region=$r ORDER BY name",
            r => Parse(r.GetString(0)), ("$a", account), ("$r", region)));

    /// <summary>Changes a function in one transaction: <paramref name="change"/> sees the current one (and may throw).</summary>
    public StoredFunction Update(string account, string region, string name, Func<StoredFunction, StoredFunction> change) =>
        _state.Write((c, tx) =>
        {
            var current = Load(c, tx, account, region, name) ?? throw LambdaErrors.FunctionNotFound(LambdaService.FunctionArn(account, region, name));
            var updated = change(current);
            c.Exec(tx, "UPDATE lambda_functions SET document=$d WHERE account_id=$a AND region=$r AND name=$n",
                ("$d", Json(updated)), ("$a", account), ("$r", region), ("$n", name));
            return updated;
        });

    /// <summary>Deletes a function; false when there was none.</summary>
    public bool Delete(string account, string region, string name) =>
        _state.Write((c, tx) => c.Exec(tx, "DELETE FROM lambda_functions WHERE account_id=$a AND region=$r AND name=$n",
            ("$a", account), ("$r", region), ("$n", name)) > 0);

    /// <summary>Whether any function still uses this code (so its zip may go).</summary>
    public bool CodeInUse(string sha256) =>
        _state.Read(c => c.Query(null, "SELECT document FROM lambda_functions", r => Parse(r.GetString(0)).CodeSha256 == sha256).Any(x => x));

    // ---- Resource policies ----

    public string Service => "lambda";

    public ResourcePolicy? Find(string resourceArn)
    {
        if (FunctionRef.TryParseArn(resourceArn) is not { } r) return null;
        var f = Find(r.Account!, r.Region!, r.Name);
        return f?.Policy is null ? null : new ResourcePolicy(new NamedPolicy("default", null, f.Policy, $"resource policy of function {f.Name}"), f.AccountId);
    }

    private static StoredFunction? Load(SqliteConnection c, SqliteTransaction? tx, string account, string region, string name) =>
        c.Query(tx, "SELECT document FROM lambda_functions WHERE account_id=$a AND region=$r AND name=$n",
            r => Parse(r.GetString(0)), ("$a", account), ("$r", region), ("$n", name)).SingleOrDefault();

    private static string Json(StoredFunction f) => JsonSerializer.Serialize(f, OperationBinding.Options);
    private static StoredFunction Parse(string json) => JsonSerializer.Deserialize<StoredFunction>(json, OperationBinding.Options)!;
}
