using System.Buffers.Binary;

namespace LocalShift.Sql.Wire.Buffers;

/// <summary>Reads frontend messages (a type byte, a 4-byte length, a body) from the client's stream.</summary>
public sealed class PgReadBuffer(Stream stream)
{
    /// <summary>Messages larger than this are a protocol violation rather than a reason to run out of memory.</summary>
    public const int MaxMessageSize = 256 * 1024 * 1024;

    private readonly byte[] _header = new byte[5];
    private byte[] _body = new byte[8 * 1024];

    /// <summary>Reads a typed message; null when the client closed the connection.</summary>
    public async ValueTask<FrontendMessage?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header, cancellationToken)) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4;
        var body = await ReadBodyAsync(length, cancellationToken);
        return body is null ? null : new FrontendMessage(_header[0], body.Value);
    }

    /// <summary>Reads the untyped startup packet (length, then body); null when the client closed the connection.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadStartupPacketAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header.AsMemory(0, 4), cancellationToken)) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(_header) - 4;
        if (length > 10_000) throw new PgException(SqlState.ProtocolViolation, "invalid length of startup packet") { Severity = "FATAL" };
        return await ReadBodyAsync(length, cancellationToken);
    }

    private async ValueTask<ReadOnlyMemory<byte>?> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        if (length < 0 || length > MaxMessageSize)
            throw new PgException(SqlState.ProtocolViolation, "invalid message length") { Severity = "FATAL" };
        if (length > _body.Length) _body = new byte[Math.Max(length, _body.Length * 2)];
        var memory = _body.AsMemory(0, length);
        if (!await FillAsync(memory, cancellationToken)) return null;
        return memory;
    }

    private async ValueTask<bool> FillAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = await stream.ReadAsync(target[read..], cancellationToken);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}

/// <summary>One frontend message; the body is valid until the next read.</summary>
public readonly record struct FrontendMessage(byte Code, ReadOnlyMemory<byte> Body)
{
    public MessageReader Reader() => new(Body.Span);
}
