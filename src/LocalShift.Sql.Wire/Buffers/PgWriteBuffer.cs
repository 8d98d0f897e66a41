using System.Buffers.Binary;
using System.Text;

namespace LocalShift.Sql.Wire.Buffers;

/// <summary>
/// Collects backend messages in memory and sends them in large writes. A message is opened with
/// <see cref="StartMessage"/>, filled, and closed with <see cref="EndMessage"/>, which patches its length.
/// With <c>blocking</c> the stream is written synchronously (the connection has a thread of its own).
/// </summary>
public sealed class PgWriteBuffer(Stream stream, bool blocking = false)
{
    /// <summary>Past this many buffered bytes a row stream flushes, so large results never sit in memory whole.</summary>
    public const int FlushThreshold = 64 * 1024;

    private byte[] _buffer = new byte[16 * 1024];
    private int _length;
    private int _messageStart = -1;

    public int BufferedBytes => _length;

    public void StartMessage(byte code)
    {
        EnsureCapacity(5);
        _buffer[_length++] = code;
        _messageStart = _length;
        _length += 4;
    }

    public void EndMessage()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart), _length - _messageStart);
        _messageStart = -1;
    }

    public void WriteByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    public void WriteInt16(short value)
    {
        EnsureCapacity(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void WriteInt32(int value)
    {
        EnsureCapacity(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Writes a string without terminator; returns the byte count.</summary>
    public int WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        EnsureCapacity(max);
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _length += written;
        return written;
    }

    public void WriteCString(string value)
    {
        WriteString(value);
        WriteByte(0);
    }

    /// <summary>Reserves room for a 4-byte length, returning its offset for <see cref="PatchLength"/>.</summary>
    public int ReserveLength()
    {
        EnsureCapacity(4);
        var at = _length;
        _length += 4;
        return at;
    }

    /// <summary>Writes at the reserved offset the number of bytes written since it.</summary>
    public void PatchLength(int at) =>
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _length - at - 4);

    /// <summary>A span of <paramref name="size"/> bytes to fill directly; commit with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        EnsureCapacity(size);
        return _buffer.AsSpan(_length, size);
    }

    public void Advance(int count) => _length += count;

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_length == 0) return;
        try
        {
            if (blocking) stream.Write(_buffer, 0, _length);
            else
            {
                await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not ClientConnectionLostException && ClientConnectionLostException.IsTransportFailure(e))
        {
            throw new ClientConnectionLostException(e);
        }
        _length = 0;
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        var size = _buffer.Length;
        while (size < _length + extra) size *= 2;
        Array.Resize(ref _buffer, size);
    }
}
