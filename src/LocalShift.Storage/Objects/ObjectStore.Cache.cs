using System.Collections.Concurrent;

namespace LocalShift.Storage.Objects;

/// <summary>
/// What a GET or PUT reads on every request — the bucket, its settings and versioning state, the object's record — kept
/// in memory, so that a read of a hot object costs no state-store query. This process is the store's only writer, so a
/// write invalidates what it changed: the key's record after an object write, everything after a bucket-level write
/// (rare). A reader caches what it read only if no write committed while it read (<see cref="_writes"/>), so a record
/// read before a commit is never kept after it. Bounded: past <see cref="MaxCachedObjects"/> records the object cache
/// starts over. A store shared by several nodes (ARCHITECTURE §8) would need this cache off or told of other nodes' writes.
/// </summary>
public sealed partial class ObjectStore
{
    private const int MaxCachedObjects = 100_000;

    private readonly Lock _cacheLock = new();
    private readonly ConcurrentDictionary<string, BucketInfo?> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Bucket, BucketSetting Setting), string?> _settings = new();
    private readonly ConcurrentDictionary<string, BucketVersioning> _versioning = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Bucket, string Key), ObjectInfo?> _objects = new();

    /// <summary>Incremented (under <see cref="_cacheLock"/>) after every committed write that touches S3's tables.</summary>
    private long _writes;

    /// <summary>The cached value, or the one <paramref name="read"/> gives (cached unless a write committed meanwhile).</summary>
    private T Cached<TKey, T>(ConcurrentDictionary<TKey, T> cache, TKey key, Func<TKey, T> read) where TKey : notnull
    {
        if (cache.TryGetValue(key, out var hit)) return hit;
        var before = Volatile.Read(ref _writes);
        var value = read(key);
        lock (_cacheLock)
        {
            if (_writes == before) cache[key] = value;
        }
        return value;
    }

    /// <summary>After an object write committed: the key's record is read again next time.</summary>
    private void Written(string bucket, string key)
    {
        lock (_cacheLock)
        {
            _writes++;
            _objects.TryRemove((bucket, key), out _);
            if (_objects.Count > MaxCachedObjects) _objects.Clear();
        }
    }

    /// <summary>After a bucket-level write committed (a bucket made or deleted, its policy, settings or versioning): all read again.</summary>
    private void BucketWritten()
    {
        lock (_cacheLock)
        {
            _writes++;
            _buckets.Clear();
            _settings.Clear();
            _versioning.Clear();
            _objects.Clear();
        }
    }
}
