using System.Buffers.Binary;
using LocalShift.Engine;

namespace LocalShift.Sql.Wire.Buffers;

/// <summary>
/// Reads frontend messages (a type byte, a 4-byte length, a body) from the client's stream. Reads take whatever
/// the socket has, so the several messages a client sends together (Parse, Bind, Describe, Execute, Sync) cost
/// one read. With <c>blocking</c> the stream is read synchronously: the connection has a thread of its own, and
/// a blocking read wakes that thread directly when the client's bytes arrive.
/// </summary>
public sealed class PgReadBuffer(Stream stream, bool blocking = false)
{
    /// <summary>Messages larger than this are a protocol violation rather than a reason to run out of memory.</summary>
    public const int MaxMessageSize = 256 * 1024 * 1024;

    /// <summary>
    /// The most a message may claim before authentication: PostgreSQL's limit for the startup packet, applied here to
    /// the password and SASL messages too, so that an unauthenticated client cannot make the server reserve memory
    /// (a claim is refused before anything is allocated for it).
    /// </summary>
    public const int MaxUnauthenticatedMessageSize = 10_000;

    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Bytes read from the stream but not yet consumed (none may be left when TLS starts).</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>
    /// Reads a typed message; null when the client closed the connection. The body is valid until the next read.
    /// A message claiming more than <paramref name="maxLength"/> bytes is a FATAL protocol violation.
    /// </summary>
    public async ValueTask<FrontendMessage?> ReadMessageAsync(CancellationToken cancellationToken, int maxLength = MaxMessageSize)
    {
        if (!await EnsureAsync(5, cancellationToken)) return null;
        var code = _buffer[_start];
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 1)) - 4;
        if (length < 0 || length > maxLength)
            throw new PgException(SqlState.ProtocolViolation, "invalid message length") { Severity = "FATAL" };
        if (!await EnsureAsync(5 + length, cancellationToken)) return null;
        var body = _buffer.AsMemory(_start + 5, length);
        _start += 5 + length;
        return new FrontendMessage(code, body);
    }

    /// <summary>Reads the untyped startup packet (length, then body); null when the client closed the connection.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadStartupPacketAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(4, cancellationToken)) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start)) - 4;
        if (length < 0 || length > MaxUnauthenticatedMessageSize) throw new PgException(SqlState.ProtocolViolation, "invalid length of startup packet") { Severity = "FATAL" };
        if (!await EnsureAsync(4 + length, cancellationToken)) return null;
        var body = _buffer.AsMemory(_start + 4, length);
        _start += 4 + length;
        return body;
    }

    /// <summary>Makes <paramref name="count"/> unread bytes available from <c>_start</c>; false at the end of the stream.</summary>
    private async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count) return true;
        if (_start + count > _buffer.Length)
        {
            // Move the unread bytes to the front, into a larger buffer when the message needs one.
            var target = count > _buffer.Length ? new byte[Math.Max(count, _buffer.Length * 2)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            var free = _buffer.AsMemory(_end);
            int n;
            try { n = blocking ? stream.Read(free.Span) : await stream.ReadAsync(free, cancellationToken); }
            catch (Exception e) when (e is not ClientConnectionLostException && ClientConnectionLostException.IsTransportFailure(e))
            {
                throw new ClientConnectionLostException(e);
            }
            if (n == 0) return false;
            _end += n;
        }
        return true;
    }
}

/// <summary>One frontend message; the body is valid until the next read.</summary>
public readonly record struct FrontendMessage(byte Code, ReadOnlyMemory<byte> Body)
{
    public MessageReader Reader() => new(Body.Span);
}
