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
                // A thread of its own per connection (a runtime keeps one open): a request wakes the thread blocked in
                // its read, with no hand-over from the socket's event thread to the thread pool.
                new Thread(() => Serve(client)) { IsBackground = true, Name = "Lambda Runtime API" }.Start();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private void Serve(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        try
        {
            using var stream = client.GetStream();
            using var stop = _stop.Token.Register(() => client.Dispose());
            var reader = new RequestReader(stream);
            while (reader.Read() is { } request)
            {
                var pending = _handler(request, _stop.Token);
                if (pending.IsCompleted) Answer(stream, pending);
                else
                {
                    // A GET …/invocation/next waiting for an event: answered on the thread that queues the event (the
                    // invoker's, no hop), while this one goes back to reading; the runtime sends nothing before that answer.
                    pending.ContinueWith(done => Answer(stream, done), CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or FormatException) { }
    }

    private void Answer(Stream stream, Task<RuntimeReply> done)
    {
        if (!done.IsCompletedSuccessfully)
        {
            // No answer to give: the runtime sees its connection close rather than wait for ever.
            stream.Dispose();
            return;
        }
        var reply = done.Result;
        try
        {
            if (!_stop.IsCancellationRequested) Write(stream, reply);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { }
        finally
        {
            reply.After?.Invoke();
        }
    }

    private static void Write(Stream stream, RuntimeReply reply)
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
        stream.Write(buffer);
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

        public RuntimeRequest? Read()
        {
            var line = ReadLine();
            while (line is { Length: 0 }) line = ReadLine();
            if (line is null) return null;
            var parts = line.Split(' ');
            if (parts.Length < 2) throw new FormatException("bad request line");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (ReadLine() is { Length: > 0 } h)
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
                    var size = ReadLine() ?? throw new IOException("connection closed in a chunk");
                    var semi = size.IndexOf(';');
                    var n = int.Parse(semi < 0 ? size : size[..semi], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (n == 0)
                    {
                        while (ReadLine() is { Length: > 0 }) { }
                        break;
                    }
                    if (all.Length + n > MaxBody) throw new IOException("body too large");
                    all.Write(ReadExact(n));
                    ReadLine();
                }
                body = all.ToArray();
            }
            else if (headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                if (length > MaxBody) throw new IOException("body too large");
                body = ReadExact(length);
            }
            else body = [];
            var path = parts[1];
            var q = path.IndexOf('?');
            return new RuntimeRequest(parts[0], q < 0 ? path : path[..q], headers, body);
        }

        private string? ReadLine()
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
                if (!Fill()) return null;
            }
        }

        private byte[] ReadExact(int n)
        {
            var result = new byte[n];
            var have = Math.Min(n, _end - _start);
            Array.Copy(_buffer, _start, result, 0, have);
            _start += have;
            while (have < n)
            {
                var read = stream.Read(result.AsSpan(have, n - have));
                if (read == 0) throw new IOException("connection closed in a body");
                have += read;
            }
            return result;
        }

        private bool Fill()
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
            var read = stream.Read(_buffer.AsSpan(_end));
            if (read == 0) return false;
            _end += read;
            return true;
        }
    }
}
