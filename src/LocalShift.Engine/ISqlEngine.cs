namespace LocalShift.Engine;

/// <summary>
/// The analytic database behind one cluster. The SQL layer speaks only these interfaces (in PostgreSQL terms:
/// type OIDs and SQLSTATEs); LocalShift.Engine.DuckDb is the one implementation and the only place DuckDB is known, and
/// <see cref="ISqlEngineFactory"/> is how the server hands it to the SQL layer.
/// </summary>
public interface ISqlEngine : IDisposable
{
    /// <summary>A connection with its own transaction and settings.</summary>
    IEngineSession OpenSession();

    /// <summary>
    /// Makes a function of two integers that LocalShift answers itself (such as the signal behind pg_cancel_backend)
    /// callable in every session of the engine. It is volatile: called for every row when the statement runs, never
    /// when one is only checked or described. A <see cref="PgException"/> it throws fails the statement with that error.
    /// </summary>
    void DefineHostFunction(string name, Func<int, int, int> body);

    /// <summary>
    /// Makes a pure function of two texts answered by LocalShift (such as COPY's date and time conversion) callable in
    /// every session: NULL when either argument is NULL or the body answers null. Called on the engine's threads.
    /// </summary>
    void DefineHostFunction(string name, Func<string, string, long?> body);

    /// <summary>
    /// Makes a function of <paramref name="arity"/> text arguments returning text that LocalShift answers itself a
    /// chunk of rows at a time (up to the engine's vector size, 2048): <paramref name="body"/> gets each argument's
    /// column (<c>columns[argument][row]</c>, a NULL as null) and returns one value per row (null: NULL). Volatile, and
    /// called from any of the engine's threads, possibly at once for different chunks. A row with a NULL argument is
    /// NULL without a call. A <see cref="PgException"/> it throws fails the statement with that error.
    /// </summary>
    void DefineBatchHostFunction(string name, int arity, Func<string?[][], string?[]> body);

    /// <summary>
    /// Writes a consistent copy of the database file to <paramref name="destination"/> while sessions keep running:
    /// everything committed before the call is in it; what commits during the copy may or may not be.
    /// </summary>
    void CopyTo(string destination);
}

/// <summary>One connection to the engine. Errors are thrown as <see cref="PgException"/> with a mapped SQLSTATE.</summary>
public interface IEngineSession : IDisposable
{
    /// <summary>
    /// The one folder besides its own files where the engine may read and write files (COPY's staged input, UNLOAD's
    /// output); any other path in a statement is refused with <see cref="SqlState.InsufficientPrivilege"/>.
    /// </summary>
    string StagingDirectory { get; }

    /// <summary>Runs a statement that returns rows; the rows are pulled one at a time (streamed).</summary>
    IEngineResult Query(string sql);

    /// <summary>Runs a statement without rows; returns the affected row count (or -1).</summary>
    long Execute(string sql);

    /// <summary>
    /// Parses, binds and plans one query once, to run it many times (<see cref="IEnginePreparedQuery.Query"/>).
    /// Null when the engine cannot keep this statement prepared (several statements in the text, or an error, which
    /// <see cref="Query"/> then reports as it always does). The statement keeps the names it resolved when it was
    /// prepared: whoever keeps one must drop it when the session's search path or the schema may have changed. Dispose
    /// it before the session.
    /// </summary>
    IEnginePreparedQuery? Prepare(string sql);

    /// <summary>
    /// Checks one statement without running it: with <paramref name="bind"/> its tables, columns and types are
    /// resolved as for running it (a prepare); without, only its syntax is checked (a parse).
    /// </summary>
    void Check(string sql, bool bind);

    /// <summary>The columns a query would return, without running it.</summary>
    IReadOnlyList<PgColumn> Describe(string sql);

    /// <summary>Interrupts the running statement; callable from any thread.</summary>
    void Interrupt();

    /// <summary>
    /// The files as a relation in this engine's SQL, to select from in a statement this session runs (COPY's load:
    /// <c>INSERT INTO t SELECT … FROM</c> it). Every path lies in <see cref="StagingDirectory"/>.
    /// </summary>
    string FileRelation(FileScan scan);

    /// <summary>The columns the files have as the engine reads them, without reading their rows.</summary>
    IReadOnlyList<PgColumn> Describe(FileScan scan);

    /// <summary>How many rows the files hold as the engine reads them.</summary>
    long CountRows(FileScan scan);

    /// <summary>
    /// Loads the plan's files into its table in one statement (COPY) and returns what it did; with
    /// <see cref="LoadPlan.Rejects"/> the records are sorted into loaded and rejected first. A failed conversion (of an
    /// unsorted load) fails with a <see cref="PgException"/> and leaves the table as it was; so does an interrupt.
    /// </summary>
    LoadResult Load(LoadPlan plan);

    /// <summary>
    /// After an unsorted load failed on a value too long: the first record whose column <paramref name="column"/> is
    /// wider than its width (unless cut) or holds a multibyte character where only ASCII is accepted; null when none.
    /// </summary>
    WidthFault? FirstWidthFault(LoadPlan plan, int column);

    /// <summary>
    /// The engine's expressions for a load's columns (<see cref="LoadColumn"/>: a field converted to its column's type,
    /// checked against its width, at fault or not) and for the rows a write puts in files.
    /// </summary>
    ILoadExpressions Expressions { get; }

    /// <summary>The engine's own catalog as this session sees it: tables, views, columns and functions (<see cref="IEngineCatalog"/>).</summary>
    IEngineCatalog Catalog { get; }

    /// <summary>
    /// Runs <paramref name="query"/> and writes its rows to files at <paramref name="path"/> (in
    /// <see cref="StagingDirectory"/>) as <paramref name="write"/> says; returns the number of rows written.
    /// </summary>
    long WriteFiles(string query, string path, FileWrite write);

    /// <summary>The name of thread <paramref name="thread"/>'s file in the folder of a <see cref="FileWrite.FilePerThread"/> write.</summary>
    string ThreadFile(int thread, FileWrite write);

    /// <summary>How many threads the engine runs a statement on (at most that many files for a <see cref="FileWrite.FilePerThread"/> write).</summary>
    int Threads();

    /// <summary>
    /// Defines (or replaces) these functions, in one statement of this session: the cluster's function library, its
    /// catalog functions, and a session's own values (<see cref="EngineFunction.Session"/>).
    /// </summary>
    void DefineFunctions(IReadOnlyList<EngineFunction> functions);

    /// <summary>
    /// Writes every committed change into the database file and frees the space of dropped data. Refused with a
    /// <see cref="PgException"/> while another session has a write transaction open (the engine does not wait).
    /// </summary>
    void Checkpoint();
}

/// <summary>A query prepared once in one session (<see cref="IEngineSession.Prepare"/>).</summary>
public interface IEnginePreparedQuery : IDisposable
{
    /// <summary>Runs the prepared query; the rows are pulled one at a time (streamed).</summary>
    IEngineResult Query();
}

/// <summary>A streaming result.</summary>
public interface IEngineResult : IDisposable
{
    IReadOnlyList<PgColumn> Columns { get; }
    bool Read();
    object? GetValue(int ordinal);
}
