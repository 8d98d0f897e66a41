using System.Threading.Channels;

namespace LocalShift.Storage.Objects;

/// <summary>
/// One hashing worker for the MD5s (ETags) of all bodies being staged at once (<see cref="BlobFiles.StageAsync"/>):
/// bodies hand it their pooled chunks (<see cref="DigestPipeline.Chunk"/>) in order, and at each step it takes the next
/// waiting chunk of up to <see cref="Md5Lanes.Width"/> bodies — whatever is there, it never waits for lanes to fill —
/// and hashes them side by side in the lanes of <see cref="Md5Lanes"/>. One MD5 is a serial chain that leaves most of
/// a core idle; sixteen concurrent PUTs give eight lanes work. Each chunk goes back to its body's pool once hashed; a
/// body's digest is complete once its last chunk is, and is then what <c>MD5.HashData</c> gives for the whole body.
/// </summary>
internal sealed class SharedMd5
{
    public static readonly SharedMd5 Shared = new();

    private readonly Channel<(Body Body, DigestPipeline.Chunk? Chunk)> _inbox =
        Channel.CreateUnbounded<(Body, DigestPipeline.Chunk?)>(new UnboundedChannelOptions { SingleReader = true });

    private SharedMd5()
    {
        _ = Task.Run(RunAsync);
        if (Environment.GetEnvironmentVariable("LOCALSHIFT_MD5_LANES_STATS") == "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.Error.WriteLine(
                $"SharedMd5: {_steps} steps, {_lanesUsed} chunks, {(double)_lanesUsed / Math.Max(1, _steps):F2} lanes per step; per lane count: {string.Join(" ", _byLanes.Select((n, i) => $"{i}:{n}"))}");
    }

    private long _steps, _lanesUsed;

    /// <summary>How many chunks the lanes have hashed since start (for tests and the stats line).</summary>
    internal long ChunksHashed => Volatile.Read(ref _lanesUsed);
    private readonly long[] _byLanes = new long[Md5Lanes.Width + 1];

    /// <summary>A body to hash; give it its chunks in order, then <see cref="Body.CompleteAsync"/> or <see cref="Body.Abandon"/>.</summary>
    public Body Open() => new(this);

    public sealed class Body(SharedMd5 owner)
    {
        internal readonly Md5State State = new();
        internal readonly Queue<DigestPipeline.Chunk?> Pending = new(); // the worker's only; null: the end
        internal volatile bool Abandoned;
        internal bool Listed;
        private readonly TaskCompletionSource<byte[]?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _ended, _submitted;

        /// <summary>Hands the chunk's bytes over: the chunk gets one more holder, released once it is hashed.</summary>
        public void Submit(DigestPipeline.Chunk chunk)
        {
            if (_ended) throw new InvalidOperationException("The body has ended.");
            _submitted = true;
            Interlocked.Increment(ref chunk.Holders);
            owner._inbox.Writer.TryWrite((this, chunk));
        }

        /// <summary>The MD5 of every byte submitted, once all of it is hashed.</summary>
        public Task<byte[]?> CompleteAsync()
        {
            End();
            return _done.Task;
        }

        /// <summary>
        /// Stops hashing (a failed or cancelled body): chunks not yet hashed are released unread. The returned task ends
        /// once the worker holds none of this body's chunks.
        /// </summary>
        public Task Abandon()
        {
            Abandoned = true;
            End();
            return _done.Task;
        }

        private void End()
        {
            if (_ended) return;
            _ended = true;
            // Nothing submitted: nothing for the worker to finish or drop.
            if (!_submitted) _done.TrySetResult(Abandoned ? null : Md5Lanes.Finish(State));
            else owner._inbox.Writer.TryWrite((this, null));
        }

        internal void Finish(byte[]? digest) => _done.TrySetResult(digest);
        internal void Fail(Exception e) => _done.TrySetException(e);
    }

    private async Task RunAsync()
    {
        var ready = new List<Body>();
        var step = new List<Body>(Md5Lanes.Width);
        var states = new Md5State[Md5Lanes.Width];
        var data = new ReadOnlyMemory<byte>[Md5Lanes.Width];
        var reader = _inbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (true)
            {
                while (reader.TryRead(out var item))
                {
                    item.Body.Pending.Enqueue(item.Chunk);
                    if (!item.Body.Listed)
                    {
                        item.Body.Listed = true;
                        ready.Add(item.Body);
                    }
                }
                if (ready.Count == 0) break;
                // The next chunk of up to Width bodies, oldest listed first; ended or abandoned bodies leave here.
                step.Clear();
                for (var i = 0; i < ready.Count && step.Count < Md5Lanes.Width;)
                {
                    var body = ready[i];
                    if (body.Abandoned)
                    {
                        while (body.Pending.TryDequeue(out var c))
                            if (c is null) body.Finish(null);
                            else c.Release();
                    }
                    else if (body.Pending.TryPeek(out var head) && head is null)
                    {
                        body.Pending.Dequeue();
                        try { body.Finish(Md5Lanes.Finish(body.State)); }
                        catch (Exception e) { body.Fail(e); }
                    }
                    else if (body.Pending.Count > 0)
                    {
                        step.Add(body);
                        i++;
                        continue;
                    }
                    if (body.Pending.Count == 0)
                    {
                        body.Listed = false;
                        ready.RemoveAt(i);
                    }
                    else i++;
                }
                if (step.Count == 0) continue;
                for (var i = 0; i < step.Count; i++)
                {
                    states[i] = step[i].State;
                    data[i] = step[i].Pending.Peek()!.Memory;
                }
                _steps++;
                Volatile.Write(ref _lanesUsed, _lanesUsed + step.Count);
                _byLanes[step.Count]++;
                Exception? fault = null;
                try
                {
                    Md5Lanes.Update(states.AsSpan(0, step.Count), data.AsSpan(0, step.Count));
                }
                catch (Exception e)
                {
                    fault = e;
                }
                foreach (var body in step)
                {
                    body.Pending.Dequeue()!.Release();
                    if (fault is not null)
                    {
                        body.Fail(new InvalidOperationException("A digest of the body failed.", fault));
                        body.Abandoned = true; // its other chunks are released unread
                    }
                    // Served bodies go to the back: a body with many chunks waiting does not hold a lane for ever.
                    ready.Remove(body);
                    ready.Add(body);
                }
                Array.Clear(data);
            }
        }
    }
}
