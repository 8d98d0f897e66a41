using System.Text.RegularExpressions;
using LocalShift.Aws.SigV4;
using LocalShift.Storage.Objects;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// A request body as S3 checks it. The edge verified the signature over the headers, taking
/// <c>x-amz-content-sha256</c> on trust; here the body is held to that claim: a hex digest is recomputed,
/// <c>STREAMING-*</c> bodies are decoded from aws-chunked with every chunk signature checked, and <c>Content-MD5</c> and
/// <c>x-amz-checksum-*</c> (in a header or a trailer) are compared with what arrived. Everything is computed while the
/// bytes stream to a staged file, each digest on a core of its own (<see cref="StageAsync"/>), and verified before the
/// staged file is handed out, so nothing unverified is ever committed.
/// </summary>
public sealed partial class RequestPayload : IDisposable
{
    private const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private readonly S3Request _request;
    private readonly string? _claimedSha256;
    private readonly ChunkedPayloadStream? _chunked;
    private readonly Stream _body;
    private readonly IncrementalDigest? _payloadSha256;
    private readonly S3Checksum? _checksum;
    private readonly string? _checksumAlgorithm;
    private readonly string? _checksumHeaderValue;
    private readonly bool _checksumInTrailer;

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexSha256();

    /// <param name="expectedAlgorithm">The checksum algorithm the body must have (a part of an upload created with one).</param>
    /// <param name="requireClaim">Whether the client must send that checksum (parts of a COMPOSITE upload).</param>
    /// <param name="checksumHeadersDescribeBody">
    /// False where <c>x-amz-checksum-*</c> headers describe something else (CompleteMultipartUpload's: the whole object).
    /// </param>
    public RequestPayload(S3Request request, string? expectedAlgorithm = null, bool requireClaim = false, bool checksumHeadersDescribeBody = true)
    {
        _request = request;
        var http = request.Http;
        var context = http.Items.TryGetValue(typeof(SignatureContext), out var c) ? c as SignatureContext : null;
        var contentSha256 = request.Header("x-amz-content-sha256") ?? context?.PayloadHash;

        Stream body = http.Request.Body;
        if (contentSha256 is StreamingSigned or StreamingSignedTrailer)
        {
            if (context is null) throw ChunkedPayloadStream.SignatureMismatch();
            body = _chunked = new ChunkedPayloadStream(body, ChunkSigning.From(context));
        }
        else if (contentSha256 == StreamingUnsignedTrailer)
        {
            body = _chunked = new ChunkedPayloadStream(body, null);
        }
        else if (contentSha256 is not null && HexSha256().IsMatch(contentSha256))
        {
            _claimedSha256 = contentSha256.ToLowerInvariant();
        }

        string? algorithm = null;
        foreach (var a in checksumHeadersDescribeBody ? S3Checksum.Algorithms : [])
        {
            var v = request.Header("x-amz-checksum-" + a.ToLowerInvariant());
            if (v is null) continue;
            if (algorithm is not null) throw S3Errors.MultipleChecksums();
            algorithm = a;
            _checksumHeaderValue = v;
        }
        var trailer = request.Header("x-amz-trailer");
        if (algorithm is null && trailer is not null && trailer.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = S3Checksum.Canonical(trailer["x-amz-checksum-".Length..]) ?? throw S3Errors.InvalidChecksumAlgorithm();
            _checksumInTrailer = true;
        }
        if (algorithm is null && checksumHeadersDescribeBody && request.Header("x-amz-sdk-checksum-algorithm") is { } sdk)
            algorithm = S3Checksum.Canonical(sdk) ?? throw S3Errors.InvalidChecksumAlgorithm();
        if (expectedAlgorithm is not null)
        {
            // A part of an upload with a checksum algorithm: its checksum is of that algorithm. A COMPOSITE upload needs
            // every part's checksum from the client; for FULL_OBJECT S3 computes what the client did not send.
            if (algorithm is not null && algorithm != expectedAlgorithm) throw S3Errors.ChecksumTypeMismatch(expectedAlgorithm, algorithm);
            if (algorithm is null && requireClaim) throw S3Errors.ChecksumTypeMismatch(expectedAlgorithm, null);
            algorithm = expectedAlgorithm;
        }
        _body = body;
        if (_claimedSha256 is not null) _payloadSha256 = new IncrementalDigest(System.Security.Cryptography.HashAlgorithmName.SHA256);
        if (algorithm is null) return;
        _checksumAlgorithm = S3Checksum.Canonical(algorithm) ?? throw S3Errors.InvalidChecksumAlgorithm();
        _checksum = S3Checksum.Create(_checksumAlgorithm);
    }

    /// <summary>The digests the body must be fed to be verified: the payload's SHA-256 and the additional checksum.</summary>
    private IReadOnlyList<IBodyDigest> Digests =>
        (_payloadSha256, _checksum) switch
        {
            (null, null) => [],
            ({ } sha, null) => [sha],
            (null, { } sum) => [sum],
            ({ } sha, { } sum) => [sha, sum],
        };

    /// <summary>
    /// Writes the decoded body to a staged file of <paramref name="store"/>, digesting it on the way, and verifies it
    /// (<see cref="Verify(byte[])"/>): a body that fails a check throws its S3 error and leaves nothing staged.
    /// </summary>
    public async Task<StagedBlob> StageAsync(IObjectStore store, CancellationToken ct)
    {
        var staged = await store.StageAsync(_body, Digests, ct, DeclaredLength());
        try
        {
            Verify(staged.Md5);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>The decoded body's length as the request declares it (x-amz-decoded-content-length for aws-chunked), if it does.</summary>
    private long? DeclaredLength()
    {
        if (_chunked is null) return _request.Http.Request.ContentLength;
        return long.TryParse(_request.Header("x-amz-decoded-content-length"), out var n) && n >= 0 ? n : null;
    }

    /// <summary>
    /// The additional checksum, for storing and echoing back: the one the client sent (verified), or the one computed for
    /// an algorithm it named without a value.
    /// </summary>
    public (string Algorithm, string Value)? Checksum { get; private set; }

    /// <summary>Checks every claim about the body against what was read. Throws the S3 error of the first that fails.</summary>
    private void Verify(byte[] md5)
    {
        if (_claimedSha256 is not null && Convert.ToHexStringLower(_payloadSha256!.Hash()) is var sha256 && sha256 != _claimedSha256)
            throw S3Errors.ContentSha256Mismatch(_claimedSha256, sha256);

        var decodedLength = _request.Header("x-amz-decoded-content-length");
        if (_chunked is not null && decodedLength is not null && long.TryParse(decodedLength, out var expected) && expected != _chunked.DecodedLength)
            throw S3Errors.IncompleteBody();

        var contentMd5 = _request.Header("Content-MD5");
        if (contentMd5 is not null)
        {
            byte[] claimed;
            try { claimed = Convert.FromBase64String(contentMd5.Trim()); }
            catch (FormatException) { throw S3Errors.InvalidDigest(); }
            if (claimed.Length != 16) throw S3Errors.InvalidDigest();
            if (!claimed.AsSpan().SequenceEqual(md5)) throw S3Errors.BadDigest();
        }

        if (_checksumAlgorithm is { } algorithm)
        {
            var computed = Convert.ToBase64String(_checksum!.Hash());
            var claimedChecksum = _checksumInTrailer
                ? _chunked?.Trailers.GetValueOrDefault("x-amz-checksum-" + algorithm.ToLowerInvariant())
                : _checksumHeaderValue;
            if (claimedChecksum is not null)
            {
                if (!IsBase64(claimedChecksum, S3Checksum.Length(algorithm))) throw S3Errors.InvalidChecksum(algorithm);
                if (claimedChecksum != computed) throw S3Errors.ChecksumMismatch(algorithm);
            }
            Checksum = (algorithm, computed);
        }
    }

    /// <summary>Reads a small body (an XML request document) whole, verified; refuses bodies over <paramref name="limit"/> bytes.</summary>
    public async Task<byte[]> ReadSmallAsync(int limit, CancellationToken ct)
    {
        var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await _body.ReadAsync(buffer, ct)) > 0)
        {
            foreach (var d in Digests) d.Append(buffer.AsSpan(0, n));
            ms.Write(buffer, 0, n);
            if (ms.Length > limit) throw S3Errors.MalformedXml();
        }
        var bytes = ms.ToArray();
        Verify(System.Security.Cryptography.MD5.HashData(bytes));
        return bytes;
    }

    private static bool IsBase64(string s, int length)
    {
        Span<byte> scratch = stackalloc byte[64];
        return Convert.TryFromBase64String(s, scratch, out var n) && n == length;
    }

    public void Dispose()
    {
        _payloadSha256?.Dispose();
        _checksum?.Dispose();
        _chunked?.Dispose();
    }
}

/// <summary>
/// A request's body as a typed operation receives it: the <see cref="RequestPayload"/> is made, and its headers
/// (x-amz-checksum-*, x-amz-trailer…) judged, only when the operation stages the body, after it has authorized the call,
/// so that a caller without permission is AccessDenied whatever its checksum headers say.
/// </summary>
public sealed class DeferredRequestPayload(S3Request request) : Shapes.IObjectPayload
{
    private RequestPayload? _payload;

    public (string Algorithm, string Value)? Checksum => _payload?.Checksum;

    public Task<StagedBlob> StageAsync(IObjectStore store, CancellationToken ct)
    {
        _payload ??= new RequestPayload(request);
        return _payload.StageAsync(store, ct);
    }

    public void Dispose() => _payload?.Dispose();
}
