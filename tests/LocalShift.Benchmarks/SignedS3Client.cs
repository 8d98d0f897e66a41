using System.Net;
using LocalShift.Aws.SigV4;

namespace LocalShift.Benchmarks;

/// <summary>
/// The least an S3 client does, path-style and SigV4-signed with <c>UNSIGNED-PAYLOAD</c> (as the SDKs sign over TLS), so
/// the same requests go to LocalShift and to another S3 server in a benchmark: no retries, no SDK overhead on either.
/// </summary>
public sealed class SignedS3Client(HttpClient http, Uri endpoint, string accessKey, string secretKey)
{
    public Uri Endpoint => endpoint;

    /// <summary>Sends one request; <paramref name="read"/> consumes a 2xx response's body (discarded when null).</summary>
    public async Task SendAsync(HttpMethod method, string path, byte[]? body = null, IEnumerable<(string Key, string Value)>? query = null,
        (string Name, string Value)? header = null, Func<Stream, Task>? read = null, CancellationToken ct = default)
    {
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var canonicalQuery = query is null ? "" : SigV4Signer.CanonicalQueryString(query);
        var headers = new List<(string, string)> { ("host", endpoint.Authority), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-date", amzDate) };
        if (header is { } e) headers.Insert(0, (e.Name, e.Value));
        var canonical = SigV4Signer.CanonicalRequest(method.Method, SigV4Signer.CanonicalUri(path, doubleEncode: false), canonicalQuery, headers, "UNSIGNED-PAYLOAD");
        var scope = $"{date}/us-east-1/s3/aws4_request";
        var signature = SigV4Signer.Signature(SigV4Signer.SigningKey(secretKey, date, "us-east-1", "s3"), SigV4Signer.StringToSign(amzDate, scope, canonical));
        var uri = new UriBuilder(new Uri(endpoint, path)) { Query = canonicalQuery }.Uri;
        using var req = new HttpRequestMessage(method, uri);
        if (body is not null) req.Content = new ByteArrayContent(body);
        foreach (var (name, value) in headers)
            if (name != "host") req.Headers.TryAddWithoutValidation(name, value);
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={string.Join(';', headers.Select(h => h.Item1))}, Signature={signature}");
        using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await resp.Content.ReadAsStreamAsync(ct);
        if (resp.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NoContent))
        {
            var text = await new StreamReader(stream).ReadToEndAsync(ct);
            throw new InvalidOperationException($"{method} {path} to {endpoint} answered {(int)resp.StatusCode}: {text[..Math.Min(text.Length, 300)]}");
        }
        if (read is not null) await read(stream);
        else await stream.CopyToAsync(Stream.Null, ct);
    }
}
