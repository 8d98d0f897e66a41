using DuckDB.NET.Data;
using DuckDB.NET.Native;
using LocalShift.Engine.Types;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// One DuckDB database file. The root connection keeps the database instance open; DuckDB.NET shares that
/// instance (and its buffer pool) with every further connection to the same path, each with its own
/// transaction and settings.
/// </summary>
/// <remarks>
/// The engine is sealed when it opens: it reads and writes no file but its own and those in its staging folder, loads
/// no extension, and no statement can change its configuration afterwards. Whatever SQL text reaches DuckDB, it cannot
/// touch the host. DuckDB itself keeps its own files reachable (the database file, its .wal files and its spill folder
/// <c>&lt;database&gt;.tmp/</c>): it lets no setting take them away, so keeping statements off those is the SQL
/// layer's job.
/// </remarks>
public sealed class DuckDbEngine : ISqlEngine
{
    private readonly DuckDBConnection _root;
    private readonly bool _ownsStaging;
    private readonly string _path;

    /// <param name="path">The database file, or ":memory:".</param>
    /// <param name="stagingDirectory">
    /// The one folder besides its own files that the engine may read and write: where COPY stages what it loads and
    /// UNLOAD has DuckDB write. Created if missing; its leftovers from an earlier process are removed. Null: a
    /// temporary folder of this engine's own, removed with it.
    /// </param>
    /// <param name="sharedSettings">
    /// SET statements for settings every session shares (such as <c>SET GLOBAL TimeZone = 'UTC'</c>), run before the
    /// configuration is locked; once it is, no session can change them.
    /// </param>
    /// <param name="memoryLimitBytes">
    /// How much memory the engine's buffer manager may hold for all its sessions together (DuckDB's
    /// <c>memory_limit</c>); a statement that needs more than it can spill fails with an out-of-memory error instead of
    /// growing the process. Null: DuckDB's own default (80% of the machine's memory).
    /// </param>
    public DuckDbEngine(string path, string? stagingDirectory = null, string? sharedSettings = null, long? memoryLimitBytes = null)
    {
        if (memoryLimitBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(memoryLimitBytes), memoryLimitBytes, "must be positive");
        _ownsStaging = stagingDirectory is null;
        _path = path;
        StagingDirectory = Path.GetFullPath(stagingDirectory ?? Path.Combine(Path.GetTempPath(), "localshift-engine-" + Guid.NewGuid().ToString("N")));
        _root = new DuckDBConnection($"DataSource={path}");
        try
        {
            _root.Open();
            Seal(path, sharedSettings, memoryLimitBytes);
        }
        catch (DuckDBException e)
        {
            _root.Dispose();
            throw DuckDbErrorMapping.Map(e.Message);
        }
        catch
        {
            _root.Dispose();
            throw;
        }
    }

    /// <summary>The one folder besides its own files that the engine reads and writes files in (full path).</summary>
    public string StagingDirectory { get; }

    /// <summary>
    /// Shuts DuckDB's doors to the host. External access off makes every file function, COPY TO/FROM, EXPORT/IMPORT,
    /// ATTACH of a file, INSTALL and LOAD fail with a Permission Error, except on the allowed folder (and DuckDB's own
    /// files, which it always allows itself). The extension switches keep a missing function from fetching or loading
    /// an extension; persistent secrets would be files in the user's home. The lock comes last: after it, every SET or
    /// PRAGMA of an engine setting fails, in any session, while per-session state that is not a setting
    /// (<c>search_path</c>, <c>SET VARIABLE</c>, an in-memory ATTACH) keeps working.
    /// </summary>
    private void Seal(string path, string? sharedSettings, long? memoryLimitBytes)
    {
        ReturnFreedMemory(_root);
        if (Setting("lock_configuration") == "true")
        {
            // DuckDB.NET handed back an instance an earlier engine on this path sealed and has not yet let go of.
            if (Setting("enable_external_access") != "false") throw new InvalidOperationException($"DuckDB database {path} is open unsealed elsewhere");
            return;
        }
        if (Directory.Exists(StagingDirectory))
            foreach (var leftover in new DirectoryInfo(StagingDirectory).EnumerateFileSystemInfos())
            {
                if (leftover is DirectoryInfo folder) folder.Delete(recursive: true);
                else leftover.Delete();
            }
        Directory.CreateDirectory(StagingDirectory);
        var staging = Literal(Path.TrimEndingDirectorySeparator(StagingDirectory) + Path.DirectorySeparatorChar);
        var statements = new List<string>();
        if (!string.IsNullOrWhiteSpace(sharedSettings)) statements.Add(sharedSettings);
        // In KiB, DuckDB's smallest unit that keeps a byte count exact enough; at least 1 MiB.
        if (memoryLimitBytes is { } limit) statements.Add($"SET memory_limit = '{Math.Max(limit / 1024, 1024)}KiB'");
        // An in-memory database would spill into ".tmp" under the process's working directory.
        if (path == ":memory:") statements.Add($"SET temp_directory = {Literal(Path.Combine(StagingDirectory, ".spill"))}");
        statements.AddRange(
        [
            $"SET allowed_directories = [{staging}]",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            "SET allow_community_extensions = false",
            "SET allow_persistent_secrets = false",
            "SET enable_external_access = false",
            "SET lock_configuration = true",
        ]);
        using var command = _root.CreateCommand();
        command.CommandText = string.Join(";\n", statements);
        command.ExecuteNonQuery();
    }

    private string Setting(string name)
    {
        using var command = _root.CreateCommand();
        command.CommandText = $"SELECT CAST(current_setting({Literal(name)}) AS VARCHAR)";
        return (command.ExecuteScalar() as string ?? "").ToLowerInvariant();
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Has DuckDB's allocator (jemalloc, on Linux) hand freed memory back to the system from a background thread
    /// instead of keeping it for the next allocation: a server that sits idle between loads should not stay at the
    /// size of its largest one (after a 342 MB CSV load and a DROP, about 240 MB stayed resident; with this, about
    /// 80 MB within a few seconds). Process-wide; where the allocator has no such thread the setting is refused, and
    /// nothing changes. Also refused once the configuration is locked, by which time it was set already.
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

    public void DefineHostFunction(string name, Func<int, int, int> body)
    {
        lock (_root)
        {
#pragma warning disable DuckDBNET001 // DuckDB.NET marks its scalar-function registration experimental.
            _root.RegisterScalarFunction<int, int, int>(name, (readers, writer, rows) =>
            {
                for (ulong row = 0; row < rows; row++)
                {
                    int value;
                    try { value = body(readers[0].GetValue<int>(row), readers[1].GetValue<int>(row)); }
                    catch (PgException e) { throw HostErrors.Raise(e); }
                    writer.WriteValue(value, row);
                }
            }, new ScalarFunctionOptions { IsPureFunction = false });
#pragma warning restore DuckDBNET001
        }
    }

    public void DefineHostFunction(string name, Func<string, string, long?> body)
    {
        lock (_root)
        {
#pragma warning disable DuckDBNET001 // DuckDB.NET marks its scalar-function registration experimental.
            _root.RegisterScalarFunction<string, string, long>(name, (readers, writer, rows) =>
            {
                for (ulong row = 0; row < rows; row++)
                {
                    long? value = null;
                    if (readers[0].IsValid(row) && readers[1].IsValid(row))
                    {
                        try { value = body(readers[0].GetValue<string>(row), readers[1].GetValue<string>(row)); }
                        catch (PgException e) { throw HostErrors.Raise(e); }
                    }
                    if (value is { } v) writer.WriteValue(v, row);
                    else writer.WriteNull(row);
                }
            }, new ScalarFunctionOptions { IsPureFunction = true, HandlesNulls = true });
#pragma warning restore DuckDBNET001
        }
    }

    public void DefineBatchHostFunction(string name, int arity, Func<string?[][], string?[]> body)
    {
        void Run(IReadOnlyList<DuckDB.NET.Data.DataChunk.Reader.IDuckDBDataReader> readers, DuckDB.NET.Data.DataChunk.Writer.IDuckDBDataWriter writer, ulong rows)
        {
            var columns = new string?[readers.Count][];
            for (var c = 0; c < columns.Length; c++)
            {
                var column = columns[c] = new string?[rows];
                var reader = readers[c];
                for (ulong row = 0; row < rows; row++)
                    column[row] = reader.IsValid(row) ? reader.GetValue<string>(row) : null;
            }
            string?[] values;
            try { values = body(columns); }
            catch (PgException e) { throw HostErrors.Raise(e); }
            for (ulong row = 0; row < rows; row++)
            {
                if (values[row] is { } value) writer.WriteValue(value, row);
                else writer.WriteNull(row);
            }
        }

        lock (_root)
        {
            var options = new ScalarFunctionOptions { IsPureFunction = false };
#pragma warning disable DuckDBNET001 // DuckDB.NET marks its scalar-function registration experimental.
            switch (arity)
            {
                case 1: _root.RegisterScalarFunction<string, string>(name, Run, options); break;
                case 2: _root.RegisterScalarFunction<string, string, string>(name, Run, options); break;
                case 3: _root.RegisterScalarFunction<string, string, string, string>(name, Run, options); break;
                case 4: _root.RegisterScalarFunction<string, string, string, string, string>(name, Run, options); break;
                default: throw new ArgumentOutOfRangeException(nameof(arity), arity, "a host function takes one to four arguments");
            }
#pragma warning restore DuckDBNET001
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
            return new DuckDbSession(connection, StagingDirectory);
        }
    }

    /// <remarks>
    /// DuckDB changes its file only when it checkpoints: committed changes wait in the .wal file until then. So the copy
    /// is taken right after a CHECKPOINT (which moves every commit into the file), while a transaction of this engine
    /// holds a catalog change open: DuckDB never checkpoints while another write transaction is open, so the file cannot
    /// change under the copy. The pin's change (a table no one sees) is rolled back, leaving nothing behind.
    /// </remarks>
    public void CopyTo(string destination)
    {
        if (_path == ":memory:") throw new InvalidOperationException("An in-memory database has no file to copy.");
        DuckDBConnection connection;
        lock (_root) connection = new DuckDBConnection(_root.ConnectionString);
        using var owned = connection;
        connection.Open();
        using var command = connection.CreateCommand();
        // A CHECKPOINT is refused while a session has a write transaction open; those end quickly, or the copy goes
        // without them (they were not committed when the copy was asked for).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                command.CommandText = "CHECKPOINT";
                command.ExecuteNonQuery();
                break;
            }
            catch (DuckDBException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
            catch (DuckDBException)
            {
                break;
            }
        }
        command.CommandText = $"BEGIN TRANSACTION; CREATE TABLE main.\"localshift_copy_pin_{Guid.NewGuid():N}\"(x INTEGER)";
        command.ExecuteNonQuery();
        try
        {
            var temporary = destination + ".partial";
            File.Copy(_path, temporary, overwrite: true);
            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            command.CommandText = "ROLLBACK";
            command.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_root) _root.Dispose();
        if (_ownsStaging)
        {
            try { Directory.Delete(StagingDirectory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}

internal sealed class DuckDbSession(DuckDBConnection connection, string stagingDirectory) : IEngineSession
{
    public string StagingDirectory => stagingDirectory;

    public string FileRelation(FileScan scan) => DuckDbFileSql.Relation(scan);

    public ILoadExpressions Expressions => DuckDbLoadSql.Instance;

    private DuckDbCatalog? _catalog;

    public IEngineCatalog Catalog => _catalog ??= new DuckDbCatalog(this);

    public long WriteFiles(string query, string path, FileWrite write) => Execute(DuckDbFileSql.CopyTo(DuckDbLoad.Projected(this, query, write), path, write));

    public IReadOnlyList<PgColumn> Describe(FileScan scan) => Describe($"SELECT * FROM {DuckDbFileSql.Relation(scan)}");

    public long CountRows(FileScan scan)
    {
        using var result = Query($"SELECT count(*) FROM {DuckDbFileSql.Relation(scan)}");
        result.Read();
        return Convert.ToInt64(result.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
    }

    public LoadResult Load(LoadPlan plan) => DuckDbLoad.Load(this, plan);

    public WidthFault? FirstWidthFault(LoadPlan plan, int column) => DuckDbLoad.FirstWidthFault(this, plan, column);

    public string ThreadFile(int thread, FileWrite write) => DuckDbFileSql.ThreadFile(thread, write);

    public void DefineFunctions(IReadOnlyList<EngineFunction> functions)
    {
        if (functions.Count > 0) Execute(DuckDbFunctionSql.Define(functions));
    }

    public void Checkpoint() => Execute("CHECKPOINT");

    public int Threads()
    {
        using var result = Query("SELECT current_setting('threads')");
        return result.Read() ? Convert.ToInt32(result.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) : 1;
    }

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
            throw Failure(e);
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
            throw Failure(e);
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

    /// <summary>
    /// An engine error in PostgreSQL's terms; a host function's own error (<see cref="ISqlEngine.DefineHostFunction"/>)
    /// as it raised it.
    /// </summary>
    internal static PgException Failure(DuckDBException e) => HostErrors.Take(e) ?? DuckDbErrorMapping.Map(e.Message);

    /// <summary>An interrupted statement surfaces as a cancellation; anything else is an internal error with its text.</summary>
    internal static PgException Unexpected(Exception e) => e is OperationCanceledException
        ? new PgException(SqlState.QueryCanceled, "canceling statement due to user request")
        : new PgException(SqlState.InternalError, e.Message);

    public IEnginePreparedQuery? Prepare(string sql)
    {
        if (PreparedReader.Create is null) return null;
        var state = NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out var prepared);
        if (state == DuckDBState.Success) return new DuckDbPreparedQuery(this, prepared);
        prepared.Dispose();
        return null;
    }

    /// <summary>Runs a statement this session prepared, as <see cref="Query"/> runs a text.</summary>
    internal IEngineResult Run(DuckDBPreparedStatement prepared)
    {
        var command = connection.CreateCommand();
        _running = command;
        var state = NativeMethods.PreparedStatements.DuckDBExecutePreparedStreaming(prepared, out var result);
        if (state != DuckDBState.Success)
        {
            var message = NativeMethods.Query.DuckDBResultError(ref result);
            var type = NativeMethods.Query.DuckDBResultErrorType(ref result);
            result.Close();
            command.Dispose();
            if (type == DuckDBErrorType.Interrupt) throw Unexpected(new OperationCanceledException());
            throw HostErrors.Take(message) ?? DuckDbErrorMapping.Map(string.IsNullOrEmpty(message) ? "DuckDB execution failed" : message);
        }
        try
        {
            return new DuckDbResult(command, PreparedReader.Create!(command, [result], System.Data.CommandBehavior.Default));
        }
        catch (DuckDBException e)
        {
            command.Dispose();
            throw Failure(e);
        }
        catch (Exception e) when (e is not PgException)
        {
            command.Dispose();
            throw Unexpected(e);
        }
    }

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
        {
            var type = (string)result.GetValue(1)!;
            columns.Add(new PgColumn((string)result.GetValue(0)!, DuckDbTypeMapping.FromSqlTypeName(type), DuckDbTypeMapping.TypeModifierFromSqlTypeName(type)));
        }
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

/// <summary>A query this session parsed, bound and planned once; DuckDB binds it again by itself when a table it reads changed.</summary>
internal sealed class DuckDbPreparedQuery(DuckDbSession session, DuckDBPreparedStatement prepared) : IEnginePreparedQuery
{
    public IEngineResult Query() => session.Run(prepared);

    public void Dispose() => prepared.Dispose();
}

/// <summary>
/// DuckDB.NET reads a prepared statement's result only through its data reader, whose constructor is internal (its own
/// commands prepare each text anew and keep nothing). Found once; null when this DuckDB.NET version has no such
/// constructor, and then nothing is kept prepared and every query takes <see cref="DuckDbSession.Query"/>'s path.
/// </summary>
internal static class PreparedReader
{
    public static readonly Func<DuckDBCommand, IEnumerable<DuckDBResult>, System.Data.CommandBehavior, DuckDBDataReader>? Create = Find();

    private static Func<DuckDBCommand, IEnumerable<DuckDBResult>, System.Data.CommandBehavior, DuckDBDataReader>? Find()
    {
        var constructor = typeof(DuckDBDataReader).GetConstructor(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance,
            [typeof(DuckDBCommand), typeof(IEnumerable<DuckDBResult>), typeof(System.Data.CommandBehavior)]);
        if (constructor is null) return null;
        var command = System.Linq.Expressions.Expression.Parameter(typeof(DuckDBCommand));
        var results = System.Linq.Expressions.Expression.Parameter(typeof(IEnumerable<DuckDBResult>));
        var behavior = System.Linq.Expressions.Expression.Parameter(typeof(System.Data.CommandBehavior));
        return System.Linq.Expressions.Expression.Lambda<Func<DuckDBCommand, IEnumerable<DuckDBResult>, System.Data.CommandBehavior, DuckDBDataReader>>(
            System.Linq.Expressions.Expression.New(constructor, command, results, behavior), command, results, behavior).Compile();
    }
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
        var decimals = false;
        for (var i = 0; i < columns.Length; i++)
        {
            var type = reader.GetDataTypeName(i);
            decimals |= type == "Decimal";
            _hugeInts |= type == "HugeInt";
            columns[i] = new PgColumn(reader.GetName(i), DuckDbTypeMapping.FromReaderTypeName(type));
        }
        if (decimals)
        {
            // Only a result with a DECIMAL column pays for the schema table: its precision and scale are the typmod
            // RowDescription carries (numeric(38,2) for a SUM of DECIMAL(10,2)), and the scale its text keeps.
            _scales = DecimalScales(reader, columns.Length, out var precisions);
            _scalesRead = true;
            if (_scales is { } scales && precisions is not null)
                for (var i = 0; i < columns.Length; i++)
                    if (scales[i] >= 0) columns[i] = columns[i] with { TypeModifier = DuckDbTypeMapping.NumericTypeModifier(precisions[i], scales[i]) };
        }
        Columns = columns;
    }

    /// <summary>The result has a HUGEINT column, whose values are sent as the BIGINT its type says (<see cref="DuckDbTypeMapping"/>).</summary>
    private readonly bool _hugeInts;

    /// <summary>
    /// The declared scale of each DECIMAL column (-1 for others). A wide decimal (a SUM's DECIMAL(38,s)) comes back
    /// from the reader without its trailing zeros; PostgreSQL and Redshift show numeric(p,s) with exactly s digits.
    /// </summary>
    private int[]? _scales;
    private bool _scalesRead;

    private static int[]? DecimalScales(DuckDBDataReader reader, int count, out int[]? precisions)
    {
        precisions = null;
        try
        {
            using var schema = reader.GetSchemaTable();
            if (schema is null || !schema.Columns.Contains("NumericScale")) return null;
            var scales = Enumerable.Repeat(-1, count).ToArray();
            var widths = Enumerable.Repeat(-1, count).ToArray();
            for (var i = 0; i < count && i < schema.Rows.Count; i++)
                if (schema.Rows[i]["NumericScale"] is IConvertible scale and not DBNull && reader.GetFieldType(i) == typeof(decimal))
                {
                    scales[i] = Convert.ToInt32(scale, System.Globalization.CultureInfo.InvariantCulture);
                    if (schema.Columns.Contains("NumericPrecision") && schema.Rows[i]["NumericPrecision"] is IConvertible precision and not DBNull)
                        widths[i] = Convert.ToInt32(precision, System.Globalization.CultureInfo.InvariantCulture);
                }
            precisions = widths;
            return scales;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or InvalidCastException)
        {
            return null;
        }
    }

    public IReadOnlyList<PgColumn> Columns { get; }

    public bool Read()
    {
        try { return _reader.Read(); }
        catch (DuckDBException e) { throw DuckDbSession.Failure(e); }
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
            var value = _reader.GetValue(ordinal);
            // Read once per result, and only once a decimal value is read (the schema table costs a DataTable).
            if (value is decimal && !_scalesRead) { _scales = DecimalScales(_reader, Columns.Count, out _); _scalesRead = true; }
            if (_hugeInts && value is System.Numerics.BigInteger big)
                return big >= long.MinValue && big <= long.MaxValue ? (long)big
                    // PostgreSQL's text for a bigint past its range (unverified against Redshift).
                    : throw new PgException(SqlState.NumericValueOutOfRange, "bigint out of range");
            if (value is decimal d && _scales is { } scales && scales[ordinal] is > 0 and <= 28 and var scale && d.Scale < scale)
                // Adding a zero of the declared scale keeps the value and gives it that many digits.
                return d + new decimal(0, 0, 0, false, (byte)scale);
            return value;
        }
        catch (DuckDBException e) { throw DuckDbSession.Failure(e); }
        catch (Exception e) when (e is not PgException) { throw DuckDbSession.Unexpected(e); }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }
}

/// <summary>
/// A host function's own error, carried through the engine. DuckDB keeps only the text of an error raised in a scalar
/// function, and whether DuckDB.NET attaches the .NET exception depends on the thread the engine ran the function on;
/// so the text carries a token that finds the error again, whichever way it comes back.
/// </summary>
internal static class HostErrors
{
    private const string Marker = "localshift-host-error:";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PgException> Pending = new();
    private static readonly System.Text.RegularExpressions.Regex Token = new(Marker + "([0-9a-f]{32})");

    public static Exception Raise(PgException error)
    {
        var token = Guid.NewGuid().ToString("N");
        Pending[token] = error;
        return new InvalidOperationException(Marker + token, error);
    }

    /// <summary>The host function's error behind an engine error, or null when the engine raised it itself.</summary>
    /// <summary>The host function's error behind an engine error's text, or null when the engine raised it itself.</summary>
    public static PgException? Take(string message) =>
        Token.Match(message) is { Success: true } match && Pending.TryRemove(match.Groups[1].Value, out var error) ? error : null;

    public static PgException? Take(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (Token.Match(inner.Message) is { Success: true } match && Pending.TryRemove(match.Groups[1].Value, out var error)) return error;
            if (inner is PgException direct) return direct;
        }
        return null;
    }
}
