using System.Collections.Concurrent;

namespace LocalShift.Storage.Objects;

/// <summary>
/// Blobs that a committed record stopped naming (an overwrite's previous bytes, a deleted object's, an upload's parts)
/// are deleted only once that record is durable. The state store's commits survive a process crash at once but an
/// operating-system crash only after the store syncs them (<see cref="State.IStateStore.MakeDurable"/>; SQLite at
/// <c>synchronous=NORMAL</c>: its checkpoints): deleted at the commit, an overwrite whose record an OS crash rolled back
/// would leave the key naming bytes that are gone. So a retired blob waits here until a pass (every
/// <see cref="ReapInterval"/>, on the store's <see cref="TimeProvider"/>) has made every record committed before it
/// durable; then it is deleted. A blob still waiting when the process stops is unnamed at the next start and swept
/// there, after the same sync.
/// </summary>
public sealed partial class ObjectStore
{
    /// <summary>How often retired blobs are made deletable; they take up disk space until then.</summary>
    public static readonly TimeSpan ReapInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<string> _retired = new();
    private readonly ITimer _reaper;
    private int _reaping;

    /// <summary>Blobs no record names since a write that has committed: deleted once that write is durable.</summary>
    private void Retire(IEnumerable<string> blobs)
    {
        foreach (var b in blobs) _retired.Enqueue(b);
    }

    /// <summary>Makes the records durable, then deletes the blobs retired before; on failure they wait for the next pass.</summary>
    private void Reap()
    {
        if (_retired.IsEmpty || Interlocked.Exchange(ref _reaping, 1) == 1) return;
        try
        {
            // Every blob counted here was retired after its record committed, so before this sync began.
            var count = _retired.Count;
            if (!_state.MakeDurable()) return;
            for (var i = 0; i < count && _retired.TryDequeue(out var blob); i++) Files.Delete(blob);
        }
        catch (Exception)
        {
            // A failed sync (a full disk, a busy database) leaves the blobs for the next pass; nothing is lost.
        }
        finally
        {
            Volatile.Write(ref _reaping, 0);
        }
    }
}
