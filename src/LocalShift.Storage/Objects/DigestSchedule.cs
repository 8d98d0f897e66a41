namespace LocalShift.Storage.Objects;

/// <summary>
/// When a large body's additional digests (an S3 checksum, a signed payload's SHA-256) start reading it back behind the
/// writer (<see cref="BlobFiles.StageAsync"/>). The flush to the device leaves the cores idle for a while: a digest that
/// starts once the body is written is free for as many bytes as it hashes during that flush, and past them every byte
/// lengthens the PUT by its whole hashing time (SHA256 of 64 MB: ~40 ms of a core, against a flush of 30–50 ms here).
/// A digest that runs while the body arrives costs only the share of a core it takes from the receive (half its time on
/// two busy cores, nothing with an idle one). So the digests of a body with a declared length start when
/// <see cref="Lead"/> of it is still to come, and after each body the lead moves by how late the digests finished
/// against the flush (later: start earlier; earlier: start later), so that they end about with the flush as this
/// machine is loaded now. At 0 (the start, and for fast digests such as the CRCs) they start once the body is written.
/// </summary>
internal sealed class DigestSchedule
{
    /// <summary>Smaller bodies start their digests once written: their flush hides the hashing (and they give no steady timing).</summary>
    public const long EarlyStartMinimum = 8L << 20;

    /// <summary>The largest move of the lead after one body, as a fraction of the body: one noisy timing cannot swing it.</summary>
    private const double MaxStep = 0.05;

    public static readonly DigestSchedule Shared = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, Type?), DigestSchedule> _byDigests = new();
    private double _lead;

    /// <summary>
    /// The schedule of bodies with these digests: each kind learns its own lead (SHA256 outlasts a flush that hides a CRC;
    /// SHA1 and SHA256 share a type and a speed). A schedule fixed for tests is its own.
    /// </summary>
    public DigestSchedule For(IReadOnlyList<IBodyDigest> digests)
    {
        if (FixedStartFraction is not null || digests.Count == 0) return this;
        var key = (digests[0].GetType(), digests.Count > 1 ? digests[^1].GetType() : null);
        return _byDigests.GetOrAdd(key, _ => new DigestSchedule());
    }

    /// <summary>For tests: start the digests when this fraction of the declared length is written, whatever the timings.</summary>
    internal double? FixedStartFraction { get; init; }

    /// <summary>The fraction of a large body still to come when its digests start (0: once it is written).</summary>
    public double Lead => Volatile.Read(ref _lead);

    /// <summary>Whether the digests of a body declared <paramref name="length"/> bytes long, <paramref name="written"/> of them written, start now.</summary>
    public bool StartNow(long length, long written)
    {
        if (FixedStartFraction is { } fraction) return written >= fraction * length;
        return length >= EarlyStartMinimum && length - written <= Lead * length;
    }

    /// <summary>
    /// Records a large body's timing: its receive took <paramref name="receiveMs"/>, and its digests finished
    /// <paramref name="lateMs"/> after its flush (negative: before it).
    /// </summary>
    public void Record(long length, double receiveMs, double lateMs)
    {
        if (length < EarlyStartMinimum || receiveMs <= 0 || FixedStartFraction is not null) return;
        // Finishing late by x ms takes starting about x ms of the receive earlier (more with no idle core; the next
        // bodies correct what this one does not). Races between concurrent bodies only blur a heuristic.
        var step = Math.Clamp(lateMs / receiveMs, -MaxStep, MaxStep);
        Volatile.Write(ref _lead, Math.Clamp(Lead + step, 0, 1));
    }
}
