using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalShift.Aws.Edge;

/// <summary>
/// Keeps a kept-alive HTTP/1.1 connection in step when a request is answered before its body was read to the end: a
/// refused upload, a call turned away before its body mattered. Wraps every request (every service and the admin
/// paths), so no answer can leave body bytes that the next request would be parsed from.
/// </summary>
/// <remarks>
/// <para>Kestrel, after the answer, drains whatever is left of the body of a kept-alive request. That is right for a
/// body the client is sending, and wrong for one the client holds back: a client that sent <c>Expect: 100-continue</c>
/// and got a final status instead of <c>100 Continue</c> does not send its body (RFC 9110 §10.1.1; boto3, the JS SDK,
/// .NET's HttpClient and curl all skip it), so the drain would swallow the client's next request as the old body, and
/// for a large <c>Content-Length</c> wait on it. Kestrel sends <c>100 Continue</c> only when the body is first read,
/// so a request answered before any read gets no <c>100 Continue</c>, and this guard then answers
/// <c>Connection: close</c>, which tells the client not to reuse the connection and stops Kestrel from draining
/// (it drains only kept-alive connections) — as AWS closes the connection after refusing a held-back upload.</para>
/// <para>A body the client is sending (no <c>Expect</c>, or <c>100 Continue</c> went out) is drained by Kestrel if
/// at most <see cref="DrainLimit"/> bytes are left, so a small refused PUT keeps its connection; a larger or chunked
/// (length unknown) rest closes the connection instead of making the client send megabytes nobody reads.</para>
/// </remarks>
public static class UnreadBodyGuard
{
    /// <summary>The most unread body bytes Kestrel is left to drain so the connection can be reused.</summary>
    public const long DrainLimit = 1024 * 1024;

    public static Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        if (!(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            || http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
            return next(http);

        var body = new ObservedBody(request.Body);
        request.Body = body;
        var expectsContinue = request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        http.Response.OnStarting(() =>
        {
            if (MustClose(request.ContentLength, expectsContinue, body.ReadStarted, body.BytesRead, body.SawEnd))
                http.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        });
        return next(http);
    }

    /// <summary>Whether the answer must close the connection, given what was read of the request body when it starts.</summary>
    public static bool MustClose(long? contentLength, bool expectsContinue, bool readStarted, long bytesRead, bool sawEnd)
    {
        if (sawEnd || contentLength is { } n && bytesRead >= n) return false;
        // No read, so no 100 Continue: the client holds its body back and its next bytes are its next request.
        if (expectsContinue && !readStarted) return true;
        return contentLength is not { } length || length - bytesRead > DrainLimit;
    }

    /// <summary>The request body, counting what the handler read of it.</summary>
    private sealed class ObservedBody(Stream inner) : Stream
    {
        public bool ReadStarted { get; private set; }
        public long BytesRead { get; private set; }
        public bool SawEnd { get; private set; }

        private int Count(int n, int asked)
        {
            if (n > 0) BytesRead += n;
            else if (asked > 0) SawEnd = true;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ReadStarted = true;
            return Count(inner.Read(buffer, offset, count), count);
        }

        public override int Read(Span<byte> buffer)
        {
            ReadStarted = true;
            return Count(inner.Read(buffer), buffer.Length);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadStarted = true;
            return Count(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
