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
/// bytes stream to a staged file; <see cref="Verify"/> runs before anything is committed.
/// </summary>
public sealed partial class RequestPayload : IDisposable
{
    private const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private readonly S3Request _request;
    private readonly string? _claimedSha256;
    private readonly ChunkedPayloadStream? _chunked;
    private readonly DigestingStream _digests;
    private readonly string? _checksumHeaderValue;
    private readonly bool _checksumInTrailer;

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexSha256();

    public RequestPayload(S3Request request)
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
        foreach (var a in DigestingStream.Algorithms)
        {
            var v = request.Header("x-amz-checksum-" + a.ToLowerInvariant());
            if (v is null) continue;
            algorithm = a;
            _checksumHeaderValue = v;
            break;
        }
        var trailer = request.Header("x-amz-trailer");
        if (algorithm is null && trailer is not null && trailer.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = trailer["x-amz-checksum-".Length..].Trim().ToUpperInvariant();
            _checksumInTrailer = true;
        }
        _digests = new DigestingStream(body, _claimedSha256 is not null, algorithm);
    }

    /// <summary>The decoded object bytes, to be read once.</summary>
    public Stream Body => _digests;

    /// <summary>The additional checksum that was verified, for storing and echoing back.</summary>
    public (string Algorithm, string Value)? Checksum { get; private set; }

    /// <summary>Checks every claim about the body against what was read. Throws the S3 error of the first that fails.</summary>
    public void Verify(StagedBlob staged) => Verify(staged.Md5);

    public void Verify(byte[] md5)
    {
        if (_claimedSha256 is not null && _digests.PayloadSha256Hex != _claimedSha256)
            throw S3Errors.ContentSha256Mismatch(_claimedSha256, _digests.PayloadSha256Hex!);

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

        if (_digests.ChecksumAlgorithm is { } algorithm)
        {
            var claimedChecksum = _checksumInTrailer
                ? _chunked?.Trailers.GetValueOrDefault("x-amz-checksum-" + algorithm.ToLowerInvariant())
                : _checksumHeaderValue;
            if (claimedChecksum is null) return;
            if (!IsBase64(claimedChecksum)) throw S3Errors.InvalidChecksum(algorithm);
            if (claimedChecksum != _digests.ChecksumBase64) throw S3Errors.ChecksumMismatch(algorithm);
            Checksum = (algorithm, claimedChecksum);
        }
    }

    /// <summary>Reads a small body (an XML request document) whole, verified; refuses bodies over <paramref name="limit"/> bytes.</summary>
    public async Task<byte[]> ReadSmallAsync(int limit, CancellationToken ct)
    {
        var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await Body.ReadAsync(buffer, ct)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > limit) throw S3Errors.MalformedXml();
        }
        var bytes = ms.ToArray();
        Verify(System.Security.Cryptography.MD5.HashData(bytes));
        return bytes;
    }

    private static bool IsBase64(string s)
    {
        Span<byte> scratch = stackalloc byte[64];
        return Convert.TryFromBase64String(s, scratch, out _);
    }

    public void Dispose()
    {
        _digests.Dispose();
        _chunked?.Dispose();
    }
}
