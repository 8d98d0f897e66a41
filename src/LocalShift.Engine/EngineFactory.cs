namespace LocalShift.Engine;

/// <summary>
/// Opens a cluster's engine. The composition root (LocalShift.Server) chooses the implementation and hands it to the
/// SQL layer, which never names one.
/// </summary>
public interface ISqlEngineFactory
{
    /// <summary>The name of a cluster's database file in its folder (an existing data folder keeps opening the same file).</summary>
    string DatabaseFileName { get; }

    /// <summary>
    /// What is appended to the database file's name to name each file of a database at rest (the empty string for the
    /// file itself, then such as its write-ahead log): copying them all copies the database.
    /// </summary>
    IReadOnlyList<string> DatabaseFileSuffixes { get; }

    /// <summary>Opens (or creates) the database; a failure is a <see cref="PgException"/>.</summary>
    ISqlEngine Open(EngineOptions options);
}

/// <summary>How a cluster's engine is opened: its file, its folder for files, its memory, and the settings every session shares.</summary>
public sealed record EngineOptions(string DatabasePath)
{
    /// <summary>":memory:": a database that lives only as long as the engine.</summary>
    public const string InMemory = ":memory:";

    /// <summary>
    /// The one folder besides its own files that the engine may read and write (COPY's staged input, UNLOAD's output):
    /// created if missing, its leftovers from an earlier process removed. Null: a temporary folder of the engine's own.
    /// </summary>
    public string? StagingDirectory { get; init; }

    /// <summary>How much memory the engine may hold for all its sessions together; null: the engine's own default.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>The time zone every session works in (a session's own SET TIME ZONE is kept above the engine).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>An integer divided by an integer is an integer, rounded toward zero (PostgreSQL's and Redshift's <c>/</c>).</summary>
    public bool IntegerDivision { get; init; } = true;
}
