using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LocalShift.Server.Lambda;

/// <summary>One HTTP request to the Runtime API, read whole (the bodies are payloads of at most 6 MB).</summary>
internal sealed record RuntimeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// The answer to a Runtime API request. <see cref="After"/> runs once the answer is written (or could not be): a posted
/// result is handed to its invocation only then, so the runtime has its 202 before LocalShift goes on with the result.
/// </summary>
internal sealed record RuntimeReply(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public Action? After { get; init; }

    public static RuntimeReply Json(int status, string json) => new(status, [], Encoding.UTF8.GetBytes(json));
}

/// <summary>
/// The Lambda Runtime API of one function instance on its own loopback port (<c>AWS_LAMBDA_RUNTIME_API</c>): a small
/// HTTP/1.1 server (keep-alive, Content-Length or chunked request bodies) for the four paths a runtime calls. A port
/// per instance is how the Runtime API tells instances apart: its paths carry no instance.
/// </summary>
internal sealed class RuntimeApiListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RuntimeRequest, CancellationToken, Task<RuntimeReply>> _handler;
    private readonly CancellationTokenSource _stop = new();

    public RuntimeApiListener(Func<RuntimeRequest, CancellationToken, Task<RuntimeReply>> handler)
    {
        _handler = handler;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        try
        {
            await using var stream = client.GetStream();
            var reader = new RequestReader(stream);
            while (await reader.ReadAsync(_stop.Token) is { } request)
            {
                var reply = await _handler(request, _stop.Token);
                try
                {
                    await WriteAsync(stream, reply, _stop.Token);
                }
                finally
                {
                    reply.After?.Invoke();
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or FormatException) { }
    }

    private static async Task WriteAsync(Stream stream, RuntimeReply reply, CancellationToken ct)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(reply.Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(reply.Status)).Append("\r\n");
        head.Append("Content-Type: application/json\r\n");
        foreach (var (k, v) in reply.Headers) head.Append(k).Append(": ").Append(v).Append("\r\n");
        head.Append("Content-Length: ").Append(reply.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var buffer = new byte[headBytes.Length + reply.Body.Length];
        headBytes.CopyTo(buffer, 0);
        reply.Body.CopyTo(buffer, headBytes.Length);
        await stream.WriteAsync(buffer, ct);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 202 => "Accepted", 400 => "Bad Request", 403 => "Forbidden", 404 => "Not Found", 413 => "Payload Too Large",
        _ => "Error",
    };

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    /// <summary>Reads requests off one connection: the request line, headers and the body.</summary>
    private sealed class RequestReader(Stream stream)
    {
        private const int MaxBody = 16 * 1024 * 1024;
        private byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<RuntimeRequest?> ReadAsync(CancellationToken ct)
        {
            var line = await ReadLineAsync(ct);
            while (line is { Length: 0 }) line = await ReadLineAsync(ct);
            if (line is null) return null;
            var parts = line.Split(' ');
            if (parts.Length < 2) throw new FormatException("bad request line");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadLineAsync(ct) is { Length: > 0 } h)
            {
                var colon = h.IndexOf(':');
                if (colon > 0) headers[h[..colon].Trim()] = h[(colon + 1)..].Trim();
            }
            byte[] body;
            if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                using var all = new MemoryStream();
                while (true)
                {
                    var size = await ReadLineAsync(ct) ?? throw new IOException("connection closed in a chunk");
                    var semi = size.IndexOf(';');
                    var n = int.Parse(semi < 0 ? size : size[..semi], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (n == 0)
                    {
                        while (await ReadLineAsync(ct) is { Length: > 0 }) { }
                        break;
                    }
                    if (all.Length + n > MaxBody) throw new IOException("body too large");
                    all.Write(await ReadExactAsync(n, ct));
                    await ReadLineAsync(ct);
                }
                body = all.ToArray();
            }
            else if (headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                if (length > MaxBody) throw new IOException("body too large");
                body = await ReadExactAsync(length, ct);
            }
            else body = [];
            var path = parts[1];
            var q = path.IndexOf('?');
            return new RuntimeRequest(parts[0], q < 0 ? path : path[..q], headers, body);
        }

        private async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (at >= 0)
                {
                    var end = at > _start && _buffer[at - 1] == '\r' ? at - 1 : at;
                    var line = Encoding.ASCII.GetString(_buffer, _start, end - _start);
                    _start = at + 1;
                    return line;
                }
                if (!await FillAsync(ct)) return null;
            }
        }

        private async Task<byte[]> ReadExactAsync(int n, CancellationToken ct)
        {
            var result = new byte[n];
            var have = Math.Min(n, _end - _start);
            Array.Copy(_buffer, _start, result, 0, have);
            _start += have;
            while (have < n)
            {
                var read = await stream.ReadAsync(result.AsMemory(have, n - have), ct);
                if (read == 0) throw new IOException("connection closed in a body");
                have += read;
            }
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= 64 * 1024) throw new IOException("header line too long");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0) return false;
            _end += read;
            return true;
        }
    }
}
