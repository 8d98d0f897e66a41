using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>
/// The cluster's external functions, kept in its hidden schema (inside the client's transaction, so a rolled-back
/// CREATE leaves nothing) so they survive restarts. Argument types are kept as their full text, one per line.
/// </summary>
public static class ExternalFunctionCatalog
{
    public const string Table = UserDirectory.Schema + ".external_functions";

    public static void Ensure(IEngineSession engine) =>
        engine.Execute($"CREATE SCHEMA IF NOT EXISTS {UserDirectory.Schema}; " +
                       $"CREATE TABLE IF NOT EXISTS {Table}(schema_name VARCHAR NOT NULL, function_name VARCHAR NOT NULL, argument_types VARCHAR NOT NULL, " +
                       "return_type VARCHAR NOT NULL, volatility VARCHAR NOT NULL, lambda_function VARCHAR NOT NULL, iam_role VARCHAR NOT NULL, " +
                       "retry_timeout BIGINT NOT NULL, max_batch_rows BIGINT NOT NULL, max_batch_size BIGINT NOT NULL, owner VARCHAR NOT NULL, " +
                       "created TIMESTAMP)");

    /// <summary>Every (schema, name) that has an external function, for telling a statement's calls apart cheaply.</summary>
    public static HashSet<(string Schema, string Name)> Names(IEngineSession engine)
    {
        var names = new HashSet<(string, string)>();
        using var result = engine.Query($"SELECT DISTINCT schema_name, function_name FROM {Table}");
        while (result.Read()) names.Add(((string)result.GetValue(0)!, (string)result.GetValue(1)!));
        return names;
    }

    /// <summary>The functions of that name (its overloads), or every function when <paramref name="name"/> is null.</summary>
    public static List<ExternalFunction> Find(IEngineSession engine, string? schema, string? name)
    {
        var where = name is null ? "" : $" WHERE schema_name = {QuoteLiteral(schema ?? "public")} AND function_name = {QuoteLiteral(name)}";
        var list = new List<ExternalFunction>();
        using var result = engine.Query($"SELECT schema_name, function_name, argument_types, return_type, volatility, lambda_function, iam_role, " +
                                        $"retry_timeout, max_batch_rows, max_batch_size, owner FROM {Table}{where} ORDER BY schema_name, function_name, created");
        while (result.Read())
        {
            var arguments = ((string)result.GetValue(2)!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(LambdaType.Parse).ToList();
            list.Add(new ExternalFunction((string)result.GetValue(0)!, (string)result.GetValue(1)!, arguments, LambdaType.Parse((string)result.GetValue(3)!),
                (string)result.GetValue(4)!, (string)result.GetValue(5)!, (string)result.GetValue(6)!, Long(result.GetValue(7)), Long(result.GetValue(8)),
                Long(result.GetValue(9)), (string)result.GetValue(10)!));
        }
        return list;
    }

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>Adds the function, or replaces the one of the same signature.</summary>
    public static void Save(IEngineSession engine, ExternalFunction f)
    {
        Remove(engine, f.Schema, f.Name, f.Arguments);
        engine.Execute($"INSERT INTO {Table} VALUES ({QuoteLiteral(f.Schema)}, {QuoteLiteral(f.Name)}, " +
                       $"{QuoteLiteral(string.Join('\n', f.Arguments.Select(a => a.Text)))}, {QuoteLiteral(f.Returns.Text)}, {QuoteLiteral(f.Volatility)}, " +
                       $"{QuoteLiteral(f.Lambda)}, {QuoteLiteral(f.IamRole)}, {f.RetryTimeoutMs}, {f.MaxBatchRows}, {f.MaxBatchSizeBytes}, " +
                       $"{QuoteLiteral(f.Owner)}, CAST(current_timestamp AS TIMESTAMP))");
    }

    public static void Remove(IEngineSession engine, string schema, string name, IReadOnlyList<LambdaType> arguments)
    {
        foreach (var existing in Find(engine, schema, name))
            if (existing.Signature == ExternalFunction.SignatureOf(name, arguments))
                engine.Execute($"DELETE FROM {Table} WHERE schema_name = {QuoteLiteral(schema)} AND function_name = {QuoteLiteral(name)} " +
                               $"AND argument_types = {QuoteLiteral(string.Join('\n', existing.Arguments.Select(a => a.Text)))}");
    }
}
