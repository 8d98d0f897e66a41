using LocalShift.Engine;
using LocalShift.Engine.DuckDb;

namespace LocalShift.Sql.Tests;

/// <summary>
/// A DuckDB engine of its own in a temporary folder, with one session, for the tests of the engine's capabilities
/// (<see cref="EngineFileTests"/>, <see cref="EngineLoadTests"/>): files staged in its staging folder, rows read back as text.
/// </summary>
public abstract class EngineTestBase : IDisposable
{
    private readonly string _dir;
    protected readonly DuckDbEngine _engine;
    protected readonly IEngineSession _session;

    protected EngineTestBase(string name)
    {
        _dir = Path.Combine(Path.GetTempPath(), $"localshift-{name}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _engine = new DuckDbEngine(Path.Combine(_dir, "warehouse.duckdb"), Path.Combine(_dir, "staging"));
        _session = _engine.OpenSession();
    }

    public void Dispose()
    {
        _session.Dispose();
        _engine.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>A file of <paramref name="text"/> in the engine's staging folder; its path.</summary>
    protected string Staged(string name, string text)
    {
        var path = Path.Combine(_session.StagingDirectory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A query's rows, each value as text (NULL as null).</summary>
    protected List<string?[]> Rows(string sql)
    {
        var rows = new List<string?[]>();
        using var result = _session.Query(sql);
        while (result.Read()) rows.Add(Enumerable.Range(0, result.Columns.Count).Select(i => result.GetValue(i)?.ToString()).ToArray());
        return rows;
    }
}
