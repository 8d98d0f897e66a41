using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// A bare protocol-v3 client for the message sequences no driver exposes (row limits, PortalSuspended,
/// Describe of a statement). It writes the bytes the PostgreSQL documentation specifies, independently of the server code.
/// </summary>
internal sealed class RawProtocolClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;

    public static Task<RawProtocolClient> ConnectAsync(ClusterEndpoint endpoint) => ConnectAsync(endpoint.Endpoint);

    /// <summary>Logs in as the master user to any endpoint that asks for a cleartext password.</summary>
    public static async Task<RawProtocolClient> ConnectAsync(IPEndPoint endpoint, string user = ClusterEndpoint.Master, string password = ClusterEndpoint.Password)
    {
        var client = await SendStartupAsync(endpoint, user);
        var auth = await client.ReadAsync();
        if (auth.Type != 'R' || BinaryPrimitives.ReadInt32BigEndian(auth.Body) != 3) throw new InvalidOperationException("expected cleartext password request");
        await client.SendAsync('p', CString(password));
        await client.ReadUntilReadyAsync();
        return client;
    }

    /// <summary>Connects and sends the startup message of the master user, without reading the answer.</summary>
    public static Task<RawProtocolClient> SendStartupAsync(ClusterEndpoint endpoint) => SendStartupAsync(endpoint.Endpoint);

    public static async Task<RawProtocolClient> SendStartupAsync(IPEndPoint endpoint, string user = ClusterEndpoint.Master)
    {
        var client = await OpenAsync(endpoint);
        var startup = new List<byte>();
        startup.AddRange(Int32(196608));
        foreach (var s in new[] { "user", user, "database", ClusterEndpoint.Database }) startup.AddRange(CString(s));
        startup.Add(0);
        await client._stream.WriteAsync(Int32(startup.Count + 4).Concat(startup).ToArray());
        return client;
    }

    /// <summary>Connects without sending anything.</summary>
    public static async Task<RawProtocolClient> OpenAsync(IPEndPoint endpoint)
    {
        var client = new RawProtocolClient();
        await client._tcp.ConnectAsync(endpoint);
        client._stream = client._tcp.GetStream();
        return client;
    }

    /// <summary>Sends bytes as they are, for messages no well-behaved client would send.</summary>
    public Task WriteRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>True once the server has closed the connection (after reading and dropping anything it sent).</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan within)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0) { }
            return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>Closes the socket without a Terminate message, as a client that crashes or loses its network.</summary>
    public void Drop() => _tcp.Dispose();

    public Task SendAsync(char type, IEnumerable<byte> body)
    {
        var bytes = body.ToArray();
        return _stream.WriteAsync(new[] { (byte)type }.Concat(Int32(bytes.Length + 4)).Concat(bytes).ToArray()).AsTask();
    }

    public Task ParseAsync(string name, string sql, params int[] oids) =>
        SendAsync('P', CString(name).Concat(CString(sql)).Concat(Int16(oids.Length)).Concat(oids.SelectMany(Int32)));

    public Task BindAsync(string portal, string statement, params string?[] textParameters) =>
        SendAsync('B', CString(portal).Concat(CString(statement)).Concat(Int16(0)).Concat(Int16(textParameters.Length))
            .Concat(textParameters.SelectMany(p => p is null ? Int32(-1) : Int32(Encoding.UTF8.GetByteCount(p)).Concat(Encoding.UTF8.GetBytes(p))))
            .Concat(Int16(0)));

    public Task DescribeAsync(char kind, string name) => SendAsync('D', new[] { (byte)kind }.Concat(CString(name)));
    public Task ExecuteAsync(string portal, int maxRows) => SendAsync('E', CString(portal).Concat(Int32(maxRows)));
    public Task CloseAsync(char kind, string name) => SendAsync('C', new[] { (byte)kind }.Concat(CString(name)));
    public Task SyncAsync() => SendAsync('S', []);
    public Task FlushAsync() => SendAsync('H', []);
    public Task QueryAsync(string sql) => SendAsync('Q', CString(sql));

    public async Task<(char Type, byte[] Body)> ReadAsync()
    {
        var header = new byte[5];
        await _stream.ReadExactlyAsync(header);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        await _stream.ReadExactlyAsync(body);
        return ((char)header[0], body);
    }

    /// <summary>Messages up to and including ReadyForQuery.</summary>
    public async Task<List<(char Type, byte[] Body)>> ReadUntilReadyAsync()
    {
        var messages = new List<(char, byte[])>();
        while (true)
        {
            var message = await ReadAsync();
            messages.Add(message);
            if (message.Type == 'Z') return messages;
        }
    }

    public static string Types(IEnumerable<(char Type, byte[] Body)> messages) => string.Concat(messages.Select(m => m.Type));

    /// <summary>The fields of an ErrorResponse or NoticeResponse by their one-letter code.</summary>
    public static Dictionary<char, string> Fields(byte[] body)
    {
        var fields = new Dictionary<char, string>();
        var i = 0;
        while (i < body.Length && body[i] != 0)
        {
            var code = (char)body[i++];
            var end = Array.IndexOf(body, (byte)0, i);
            fields[code] = Encoding.UTF8.GetString(body, i, end - i);
            i = end + 1;
        }
        return fields;
    }

    /// <summary>The values of a DataRow in text format (null for SQL NULL).</summary>
    public static List<string?> TextValues(byte[] body)
    {
        var values = new List<string?>();
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var i = 2;
        for (var n = 0; n < count; n++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(i));
            i += 4;
            values.Add(length < 0 ? null : Encoding.UTF8.GetString(body, i, length));
            if (length > 0) i += length;
        }
        return values;
    }

    public static string CommandTag(byte[] body) => Encoding.UTF8.GetString(body, 0, body.Length - 1);

    public static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value);
        return bytes;
    }

    public static byte[] CString(string value) => Encoding.UTF8.GetBytes(value).Append((byte)0).ToArray();

    public async ValueTask DisposeAsync()
    {
        try { await SendAsync('X', []); }
        catch (IOException) { }
        _tcp.Dispose();
    }
}
