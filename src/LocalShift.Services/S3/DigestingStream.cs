using System.Security.Cryptography;

namespace LocalShift.Services.S3;

/// <summary>
/// Passes a request body through while computing the digests the request asked to be checked: the SigV4 payload SHA-256
/// and the additional checksum (CRC32, CRC32C, SHA1, SHA256). Read once, so bodies are never held in memory.
/// </summary>
public sealed class DigestingStream : LocalShift.Core.ForwardReadStream
{
    private readonly Stream _inner;
    private readonly IncrementalHash? _payloadSha256;
    private readonly IncrementalHash? _checksumHash;
    private readonly Crc32? _checksumCrc;

    public DigestingStream(Stream inner, bool payloadSha256, string? checksumAlgorithm)
    {
        _inner = inner;
        if (payloadSha256) _payloadSha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ChecksumAlgorithm = checksumAlgorithm?.ToUpperInvariant();
        switch (ChecksumAlgorithm)
        {
            case null: break;
            case "CRC32": _checksumCrc = Crc32.Ieee(); break;
            case "CRC32C": _checksumCrc = Crc32.Castagnoli(); break;
            case "SHA1": _checksumHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1); break;
            case "SHA256": _checksumHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); break;
            default: throw S3Errors.InvalidRequest($"Value for x-amz-checksum-algorithm header is invalid.");
        }
    }

    public string? ChecksumAlgorithm { get; }
    public long BytesRead { get; private set; }

    /// <summary>Hex SHA-256 of everything read.</summary>
    public string? PayloadSha256Hex => _payloadSha256 is null ? null : Convert.ToHexStringLower(_payloadSha256.GetCurrentHash());

    /// <summary>Base64 of the additional checksum, as S3 headers carry it.</summary>
    public string? ChecksumBase64 =>
        _checksumCrc is not null ? Convert.ToBase64String(_checksumCrc.Hash())
        : _checksumHash is not null ? Convert.ToBase64String(_checksumHash.GetCurrentHash())
        : null;

    public static IReadOnlyList<string> Algorithms { get; } = ["CRC32", "CRC32C", "SHA1", "SHA256"];

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await _inner.ReadAsync(buffer, ct);
        var data = buffer.Span[..n];
        _payloadSha256?.AppendData(data);
        _checksumHash?.AppendData(data);
        _checksumCrc?.Append(data);
        BytesRead += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _payloadSha256?.Dispose();
            _checksumHash?.Dispose();
        }
        base.Dispose(disposing);
    }
}
