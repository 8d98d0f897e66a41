using DuckDB.NET.Data;
using DuckDB.NET.Native;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// One DuckDB database file. The root connection keeps the database instance open; DuckDB.NET shares that
/// instance (and its buffer pool) with every further connection to the same path, each with its own
/// transaction and settings.
/// </summary>
public sealed class DuckDbEngine : ISqlEngine
{
    private readonly DuckDBConnection _root;

    /// <param name="path">The database file, or ":memory:".</param>
    public DuckDbEngine(string path)
    {
        _root = new DuckDBConnection($"DataSource={path}");
        try { _root.Open(); }
        catch (DuckDBException e) { throw DuckDbErrorMapping.Map(e.Message); }
        ReturnFreedMemory(_root);
    }

    /// <summary>
    /// Has DuckDB's allocator (jemalloc, on Linux) hand freed memory back to the system from a background thread
    /// instead of keeping it for the next allocation: a server that sits idle between loads should not stay at the
    /// size of its largest one (after a 342 MB CSV load and a DROP, about 240 MB stayed resident; with this, about
    /// 80 MB within a few seconds). Process-wide; where the allocator has no such thread the setting is refused, and
    /// nothing changes.
    /// </summary>
    private static void ReturnFreedMemory(DuckDBConnection connection)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SET allocator_background_threads = true";
            command.ExecuteNonQuery();
        }
        catch (DuckDBException)
        {
        }
    }

    public IEngineSession OpenSession()
    {
        lock (_root)
        {
            var connection = _root.DataSource == ":memory:" ? _root.Duplicate() : new DuckDBConnection(_root.ConnectionString);
            try
            {
                if (connection.State != System.Data.ConnectionState.Open) connection.Open();
            }
            catch (DuckDBException e)
            {
                connection.Dispose();
                throw DuckDbErrorMapping.Map(e.Message);
            }
            return new DuckDbSession(connection);
        }
    }

    public void Dispose()
    {
        lock (_root) _root.Dispose();
    }
}

internal sealed class DuckDbSession(DuckDBConnection connection) : IEngineSession
{
    private DuckDBCommand? _running;

    public IEngineResult Query(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        _running = command;
        try
        {
            return new DuckDbResult(command, command.ExecuteReader());
        }
        catch (DuckDBException e)
        {
            command.Dispose();
            throw DuckDbErrorMapping.Map(e.Message);
        }
        catch (Exception e) when (e is not PgException)
        {
            command.Dispose();
            throw Unexpected(e);
        }
    }

    public long Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        _running = command;
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (DuckDBException e)
        {
            throw DuckDbErrorMapping.Map(e.Message);
        }
        catch (Exception e) when (e is not PgException)
        {
            throw Unexpected(e);
        }
        finally
        {
            _running = null;
        }
    }

    /// <summary>An interrupted statement surfaces as a cancellation; anything else is an internal error with its text.</summary>
    internal static PgException Unexpected(Exception e) => e is OperationCanceledException
        ? new PgException(SqlState.QueryCanceled, "canceling statement due to user request")
        : new PgException(SqlState.InternalError, e.Message);

    public void Check(string sql, bool bind)
    {
        // DuckDB.NET's DbCommand.Prepare does not reach DuckDB, so the C API is called directly.
        string? error = null;
        if (bind)
        {
            var state = NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out var prepared);
            using (prepared)
                if (state != DuckDBState.Success) error = NativeMethods.PreparedStatements.DuckDBPrepareError(prepared);
        }
        else
        {
            var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(connection.NativeConnection, sql, out var extracted);
            using (extracted)
                if (count == 0) error = NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted);
        }
        if (error is not null) throw DuckDbErrorMapping.Map(error);
    }

    public IReadOnlyList<PgColumn> Describe(string sql)
    {
        using var result = Query("DESCRIBE " + sql);
        var columns = new List<PgColumn>();
        while (result.Read())
            columns.Add(new PgColumn((string)result.GetValue(0)!, DuckDbTypeMapping.FromSqlTypeName((string)result.GetValue(1)!)));
        return columns;
    }

    public void Interrupt()
    {
        try { _running?.Cancel(); }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or DuckDBException)
        {
            // The statement finished meanwhile; nothing to interrupt.
        }
    }

    public void Dispose() => connection.Dispose();
}

internal sealed class DuckDbResult : IEngineResult
{
    private readonly DuckDBCommand _command;
    private readonly DuckDBDataReader _reader;

    public DuckDbResult(DuckDBCommand command, DuckDBDataReader reader)
    {
        _command = command;
        _reader = reader;
        var columns = new PgColumn[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
            columns[i] = new PgColumn(reader.GetName(i), DuckDbTypeMapping.FromReaderTypeName(reader.GetDataTypeName(i)));
        Columns = columns;
    }

    public IReadOnlyList<PgColumn> Columns { get; }

    public bool Read()
    {
        try { return _reader.Read(); }
        catch (DuckDBException e) { throw DuckDbErrorMapping.Map(e.Message); }
        catch (Exception e) when (e is not PgException) { throw DuckDbSession.Unexpected(e); }
    }

    public object? GetValue(int ordinal)
    {
        if (_reader.IsDBNull(ordinal)) return null;
        try
        {
            if (Columns[ordinal].TypeOid == PgTypeOid.Interval)
            {
                // DuckDB.NET's TimeSpan cannot hold months; PostgreSQL's interval keeps them apart.
                var interval = _reader.GetFieldValue<DuckDBInterval>(ordinal);
                return new PgInterval(interval.Months, interval.Days, unchecked((long)interval.Micros));
            }
            return _reader.GetValue(ordinal);
        }
        catch (DuckDBException e) { throw DuckDbErrorMapping.Map(e.Message); }
        catch (Exception e) when (e is not PgException) { throw DuckDbSession.Unexpected(e); }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }
}
