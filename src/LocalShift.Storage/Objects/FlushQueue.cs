using System.Collections.Concurrent;
using System.Diagnostics;

namespace LocalShift.Storage.Objects;

/// <summary>
/// Flushes staged files to the device on threads of their own, for writers that await the flush instead of blocking
/// in it. A blocking fsync on a thread-pool thread holds that thread for the device's round trip (10–20 ms on a virtual
/// disk), and with a pool sized to the cores, 16 concurrent PUTs starved every other request of threads. Here the
/// files that arrive while a flush runs wait for the next free flusher: one fsync's journal commit carries the metadata
/// of every file written before it (ext4, xfs), so the fsyncs after it find little left to do — concurrent writes share
/// the device's round trip, a group commit of the data.
/// The promise is unchanged: the caller goes on only once its file is on the device.
/// </summary>
internal sealed class FlushQueue
{
    /// <summary>Two passes at once, so one large file's flush does not hold up the small ones queued behind it.</summary>
    private const int Flushers = 2;

    public static readonly FlushQueue Shared = new();

    private readonly BlockingCollection<(FileStream File, TaskCompletionSource<long> Done)> _queue = new();

    private FlushQueue()
    {
        for (var i = 0; i < Flushers; i++)
            new Thread(Run) { IsBackground = true, Name = "LocalShift blob flush" }.Start();
    }

    /// <summary>
    /// Completes once <paramref name="file"/>'s bytes are on the device, with the <see cref="Stopwatch"/> timestamp at
    /// which they were (for <see cref="DigestSchedule"/>); faults with the flush's error.
    /// </summary>
    public Task<long> FlushAsync(FileStream file)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((file, done));
        return done.Task;
    }

    private void Run()
    {
        foreach (var (file, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                file.Flush(flushToDisk: true);
                done.SetResult(Stopwatch.GetTimestamp());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }
}
