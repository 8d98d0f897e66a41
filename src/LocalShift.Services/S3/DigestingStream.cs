using System.Security.Cryptography;

namespace LocalShift.Services.S3;

/// <summary>
/// Passes a request body through while computing the digests the request asked to be checked: the SigV4 payload SHA-256
/// and the additional checksum (<see cref="S3Checksum"/>). Read once, so bodies are never held in memory.
/// </summary>
public sealed class DigestingStream : LocalShift.Core.ForwardReadStream
{
    private readonly Stream _inner;
    private readonly IncrementalHash? _payloadSha256;
    private readonly S3Checksum? _checksum;

    public DigestingStream(Stream inner, bool payloadSha256, string? checksumAlgorithm)
    {
        _inner = inner;
        if (payloadSha256) _payloadSha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (checksumAlgorithm is null) return;
        ChecksumAlgorithm = S3Checksum.Canonical(checksumAlgorithm) ?? throw S3Errors.InvalidChecksumAlgorithm();
        _checksum = S3Checksum.Create(ChecksumAlgorithm);
    }

    public string? ChecksumAlgorithm { get; }
    public long BytesRead { get; private set; }

    /// <summary>Hex SHA-256 of everything read.</summary>
    public string? PayloadSha256Hex => _payloadSha256 is null ? null : Convert.ToHexStringLower(_payloadSha256.GetCurrentHash());

    /// <summary>Base64 of the additional checksum, as S3 headers carry it.</summary>
    public string? ChecksumBase64 => _checksum is null ? null : Convert.ToBase64String(_checksum.Hash());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await _inner.ReadAsync(buffer, ct);
        var data = buffer.Span[..n];
        _payloadSha256?.AppendData(data);
        _checksum?.Append(data);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _payloadSha256?.Dispose();
            _checksum?.Dispose();
        }
        base.Dispose(disposing);
    }
}
