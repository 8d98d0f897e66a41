using System.Net.Sockets;
using System.Text;

namespace LocalShift.E2E.Tests.Infrastructure;

/// <summary>One HTTP/1.1 connection driven byte by byte, for what clients hide: <c>100 Continue</c>, keep-alive, closing.</summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>A safety net against a server that hangs: a read that gets nothing for this long fails the test. No test asserts on time.</summary>
    private static CancellationToken Patience() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static async Task<RawHttpConnection> OpenAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawHttpConnection(tcp);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads one response: every interim (1xx) response before it, then the final one with its body.</summary>
    public async Task<RawResponse> ReadResponseAsync()
    {
        var interim = new List<string>();
        while (true)
        {
            var head = await ReadHeadAsync() ?? throw new IOException("The server closed the connection instead of answering.");
            var lines = head.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1]);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            if (status is >= 100 and < 200)
            {
                interim.Add(lines[0]);
                continue;
            }
            var length = headers["Content-Length"].Select(int.Parse).FirstOrDefault();
            var body = await ReadExactlyAsync(length);
            return new RawResponse(status, headers, Encoding.UTF8.GetString(body), interim);
        }
    }

    /// <summary>True once the server has closed its side: nothing more will come.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        if (_pending.Count > 0) return false;
        var buffer = new byte[1];
        try
        {
            return await _stream.ReadAsync(buffer, Patience()) == 0;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return true;
        }
    }

    private async Task<string?> ReadHeadAsync()
    {
        while (true)
        {
            var end = IndexOfHeadEnd();
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end + 4);
                return head;
            }
            if (!await FillAsync()) return null;
        }
    }

    private int IndexOfHeadEnd()
    {
        for (var i = 0; i + 3 < _pending.Count; i++)
            if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n') return i;
        return -1;
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_pending.Count < count)
            if (!await FillAsync()) throw new IOException("The server closed the connection in the middle of a response body.");
        var bytes = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return bytes;
    }

    private async Task<bool> FillAsync()
    {
        var buffer = new byte[64 * 1024];
        var n = await _stream.ReadAsync(buffer, Patience());
        if (n == 0) return false;
        _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}

public sealed record RawResponse(int Status, ILookup<string, string> Headers, string Body, IReadOnlyList<string> Interim)
{
    public bool ClosesConnection => Headers["Connection"].Any(v => v.Contains("close", StringComparison.OrdinalIgnoreCase));
}
