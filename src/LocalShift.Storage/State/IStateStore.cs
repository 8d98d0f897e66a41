using System.Data.Common;

namespace LocalShift.Storage.State;

/// <summary>
/// Control-plane state: each component owns its tables, brings its own numbered migrations, reads on a connection of
/// its own and writes in one serialized transaction that is durable when <see cref="Write{T}"/> returns. The embedded
/// implementation is <see cref="StateStore"/> (one SQLite file). The contract speaks ADO.NET's provider-neutral types
/// (<see cref="DbConnection"/>, <see cref="DbTransaction"/>, and <see cref="DbDataReader"/> through
/// <see cref="StateCommands"/>), which every ADO.NET provider implements (Npgsql's among them), so no caller names
/// an engine's types. The components' SQL is still SQLite's dialect with <c>$name</c> parameters: another engine
/// (PostgreSQL, ARCHITECTURE §8) comes with that SQL ported, or with its parameters and functions rewritten.
/// </summary>
public interface IStateStore
{
    /// <summary>Where the state lives (a file path for SQLite), for messages.</summary>
    string Path { get; }

    /// <summary>Applies the component's migrations that have not run yet, in order, each in its own transaction.</summary>
    void Migrate(string component, params string[] steps);

    /// <summary>Runs a read on a connection of its own; it sees every write that returned before it began.</summary>
    T Read<T>(Func<DbConnection, T> read);

    /// <summary>Runs a write in one transaction; writers are serialized. The transaction commits when the delegate returns.</summary>
    T Write<T>(Func<DbConnection, DbTransaction, T> write);

    /// <summary><see cref="Write{T}"/> without a result.</summary>
    void Write(Action<DbConnection, DbTransaction> write);

    /// <summary>
    /// Makes every write that returned before this call durable against an operating-system crash or power loss, not
    /// only against a process crash (which is what <see cref="Write{T}"/> promises). False when that could not be done
    /// now (a reader held it back): the caller tries again later. An engine whose commits are durable returns true.
    /// </summary>
    bool MakeDurable();
}
