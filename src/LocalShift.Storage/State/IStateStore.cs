using Microsoft.Data.Sqlite;

namespace LocalShift.Storage.State;

/// <summary>
/// Control-plane state: each component owns its tables, brings its own numbered migrations, reads on a connection of
/// its own and writes in one serialized transaction that is durable when <see cref="Write{T}"/> returns. The embedded
/// implementation is <see cref="StateStore"/> (one SQLite file); the contract speaks SQLite's ADO.NET types, so another
/// engine (PostgreSQL, ARCHITECTURE §8) comes with the components' SQL ported, not only a new class.
/// </summary>
public interface IStateStore
{
    /// <summary>Where the state lives (a file path for SQLite), for messages.</summary>
    string Path { get; }

    /// <summary>Applies the component's migrations that have not run yet, in order, each in its own transaction.</summary>
    void Migrate(string component, params string[] steps);

    /// <summary>Runs a read on a connection of its own; it sees every write that returned before it began.</summary>
    T Read<T>(Func<SqliteConnection, T> read);

    /// <summary>Runs a write in one transaction; writers are serialized. The transaction commits when the delegate returns.</summary>
    T Write<T>(Func<SqliteConnection, SqliteTransaction, T> write);

    /// <summary><see cref="Write{T}"/> without a result.</summary>
    void Write(Action<SqliteConnection, SqliteTransaction> write);
}
