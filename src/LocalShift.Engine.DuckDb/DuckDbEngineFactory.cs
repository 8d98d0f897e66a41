namespace LocalShift.Engine.DuckDb;

/// <summary>Opens DuckDB engines, one database file per cluster (named as every data folder so far has named it).</summary>
public sealed class DuckDbEngineFactory : ISqlEngineFactory
{
    public string DatabaseFileName => "warehouse.duckdb";

    /// <summary>The file and its write-ahead log (changes committed since the last checkpoint).</summary>
    public IReadOnlyList<string> DatabaseFileSuffixes { get; } = ["", ".wal"];

    public ISqlEngine Open(EngineOptions options) =>
        new DuckDbEngine(options.DatabasePath, options.StagingDirectory, SharedSettings(options), options.MemoryLimitBytes);

    /// <summary>The settings every session shares, set before the engine locks its configuration.</summary>
    internal static string SharedSettings(EngineOptions options) =>
        $"SET GLOBAL TimeZone = {DuckDbFileSql.Literal(options.TimeZone)}; SET GLOBAL integer_division = {(options.IntegerDivision ? "true" : "false")}";
}
