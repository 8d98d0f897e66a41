using System.Security.Cryptography;
using System.Text;
using LocalShift.Core;

namespace LocalShift.Aws.SigV4;

/// <summary>How the chunks of an aws-chunked body are signed: the request's signing key and seed signature.</summary>
public sealed record ChunkSigning(byte[] SigningKey, string SeedSignature, string AmzDate, string Scope)
{
    public static ChunkSigning From(SignatureContext c) => new(c.SigningKey, c.SeedSignature, c.AmzDate, c.Scope);
}

/// <summary>
/// Decodes an <c>aws-chunked</c> body (<c>size;chunk-signature=sig\r\n data \r\n ... 0;chunk-signature=sig\r\n [trailers] \r\n</c>)
/// into the object bytes as they arrive, verifying each chunk's signature (chained from the seed signature) when
/// <see cref="ChunkSigning"/> is given, and the trailer signature when trailers are signed. A bad signature surfaces as
/// <c>SignatureDoesNotMatch</c> from the read that completes the chunk, so a consumer must not commit until the stream
/// has ended without error. Bytes are never buffered beyond one read buffer.
/// </summary>
public sealed class ChunkedPayloadStream : LocalShift.Core.ForwardReadStream
{
    private const int MaxLine = 4096;
    private static readonly string EmptyHash = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    private readonly Stream _inner;
    private readonly ChunkSigning? _signing;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash? _chunkHash;
    private readonly Dictionary<string, string> _trailers = new(StringComparer.OrdinalIgnoreCase);
    private int _start, _end;
    private long _remaining;          // bytes of the current chunk's data still to give out
    private string? _chunkSignature;  // signature claimed by the current chunk's header
    private string _previousSignature;
    private bool _done;

    public ChunkedPayloadStream(Stream inner, ChunkSigning? signing)
    {
        _inner = inner;
        _signing = signing;
        _previousSignature = signing?.SeedSignature ?? "";
        if (signing is not null) _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>Trailing headers (e.g. <c>x-amz-checksum-crc32</c>), available once the stream has been read to its end.</summary>
    public IReadOnlyDictionary<string, string> Trailers => _trailers;

    public long DecodedLength { get; private set; }

    public static AwsException SignatureMismatch() => new("SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.", 403);

    private static AwsException Malformed(string why) => new("IncompleteBody", $"The request body is not valid aws-chunked encoding: {why}.");

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
    {
        if (destination.Length == 0) return 0;
        while (!_done)
        {
            if (_remaining > 0)
            {
                if (_start == _end && !await FillAsync(ct)) throw Malformed("the body ended inside a chunk");
                var n = (int)Math.Min(Math.Min(_remaining, _end - _start), destination.Length);
                var data = _buffer.AsMemory(_start, n);
                data.CopyTo(destination);
                _chunkHash?.AppendData(data.Span);
                _start += n;
                _remaining -= n;
                DecodedLength += n;
                if (_remaining == 0) await EndChunkAsync(ct);
                return n;
            }
            await BeginChunkAsync(ct);
        }
        return 0;
    }

    private async Task BeginChunkAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct) ?? throw Malformed("the body ended before the final chunk");
        var semicolon = line.IndexOf(';');
        var sizeText = semicolon < 0 ? line : line[..semicolon];
        if (!long.TryParse(sizeText.Trim(), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var size) || size < 0)
            throw Malformed($"bad chunk size '{sizeText}'");
        _chunkSignature = null;
        if (semicolon >= 0)
            foreach (var ext in line[(semicolon + 1)..].Split(';'))
            {
                var eq = ext.IndexOf('=');
                if (eq > 0 && ext[..eq].Trim() == "chunk-signature") _chunkSignature = ext[(eq + 1)..].Trim();
            }
        if (_signing is not null && _chunkSignature is null) throw SignatureMismatch();
        _remaining = size;
        if (size == 0)
        {
            VerifyChunk();
            await ReadTrailersAsync(ct);
            _done = true;
        }
    }

    private async Task EndChunkAsync(CancellationToken ct)
    {
        var crlf = await ReadLineAsync(ct);
        if (crlf is null || crlf.Length != 0) throw Malformed("a chunk's data is not followed by CRLF");
        VerifyChunk();
    }

    private void VerifyChunk()
    {
        if (_signing is null || _chunkHash is null) return;
        var stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + _signing.AmzDate + "\n" + _signing.Scope + "\n" + _previousSignature + "\n" +
                           EmptyHash + "\n" + Convert.ToHexStringLower(_chunkHash.GetHashAndReset());
        var expected = Sign(_signing.SigningKey, stringToSign);
        if (!FixedTimeEquals(expected, _chunkSignature!)) throw SignatureMismatch();
        _previousSignature = expected;
    }

    private async Task ReadTrailersAsync(CancellationToken ct)
    {
        string? trailerSignature = null;
        var signed = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line is null || line.Length == 0) break;
            var colon = line.IndexOf(':');
            if (colon <= 0) throw Malformed($"bad trailer '{line}'");
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("x-amz-trailer-signature", StringComparison.OrdinalIgnoreCase)) { trailerSignature = value; continue; }
            _trailers[name] = value;
            signed.Append(name.ToLowerInvariant()).Append(':').Append(value).Append('\n');
        }
        if (_signing is null || _trailers.Count == 0) return;
        if (trailerSignature is null) throw SignatureMismatch();
        var stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + _signing.AmzDate + "\n" + _signing.Scope + "\n" + _previousSignature + "\n" +
                           Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signed.ToString())));
        if (!FixedTimeEquals(Sign(_signing.SigningKey, stringToSign), trailerSignature)) throw SignatureMismatch();
    }

    /// <summary>Reads one CRLF-terminated line (LF alone tolerated); null at the end of the body.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(ct)) return line.Length == 0 ? null : throw Malformed("a line is not terminated");
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            var take = lf < 0 ? span : span[..lf];
            line.Append(Encoding.ASCII.GetString(take));
            _start += take.Length;
            if (line.Length > MaxLine) throw Malformed("a chunk header is too long");
            if (lf >= 0)
            {
                _start++;
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                return line.ToString();
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await _inner.ReadAsync(_buffer, ct);
        return _end > 0;
    }

    public static string Sign(byte[] key, string stringToSign) => SigV4Signer.Signature(key, stringToSign);

    private static bool FixedTimeEquals(string expected, string given) => SigV4Signer.SignaturesEqual(expected, given.ToLowerInvariant());


    protected override void Dispose(bool disposing)
    {
        if (disposing) _chunkHash?.Dispose();
        base.Dispose(disposing);
    }
}
