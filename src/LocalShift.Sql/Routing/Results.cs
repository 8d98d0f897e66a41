using LocalShift.Engine;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>A statement without rows: just its command tag.</summary>
internal sealed class CommandResult(string tag) : IPgResult
{
    public IReadOnlyList<PgColumn>? Columns => null;
    public bool Read() => false;
    public object? GetValue(int ordinal) => null;
    public string CommandTag => tag;
    public void Dispose() { }
}

/// <summary>Rows the session produces itself (SHOW, a cursor's FETCH), with their command tag ("SELECT": counted by the wire).</summary>
internal sealed class RowsResult(IReadOnlyList<PgColumn> columns, IReadOnlyList<object?[]> rows, string tag = "SELECT") : IPgResult
{
    private int _index = -1;
    public IReadOnlyList<PgColumn>? Columns => columns;
    public bool Read() => ++_index < rows.Count;
    public object? GetValue(int ordinal) => rows[_index][ordinal];
    public string CommandTag => tag;
    public void Dispose() { }
}

/// <summary>Rows streamed from the engine; an engine error mid-stream marks the session's transaction failed.</summary>
internal sealed class EngineRowsResult(IEngineResult inner, Action onError) : IPgResult
{
    public IReadOnlyList<PgColumn>? Columns => inner.Columns;

    public bool Read()
    {
        try { return inner.Read(); }
        catch (PgException) { onError(); throw; }
    }

    public object? GetValue(int ordinal) => inner.GetValue(ordinal);
    public string CommandTag => "SELECT";
    public void Dispose() => inner.Dispose();
}
