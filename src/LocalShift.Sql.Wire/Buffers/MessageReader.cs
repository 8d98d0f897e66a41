using System.Buffers.Binary;
using System.Text;
using LocalShift.Engine;

namespace LocalShift.Sql.Wire.Buffers;

/// <summary>A cursor over a message body; every read past the end is a protocol violation, never a crash.</summary>
public ref struct MessageReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Remaining => _body.Length - _position;

    public byte ReadByte()
    {
        Require(1);
        return _body[_position++];
    }

    public short ReadInt16()
    {
        Require(2);
        var value = BinaryPrimitives.ReadInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public int ReadInt32()
    {
        Require(4);
        var value = BinaryPrimitives.ReadInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    public string ReadCString()
    {
        var end = _body[_position..].IndexOf((byte)0);
        if (end < 0) throw Violation();
        var value = Encoding.UTF8.GetString(_body.Slice(_position, end));
        _position += end + 1;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Require(count);
        var value = _body.Slice(_position, count);
        _position += count;
        return value;
    }

    private readonly void Require(int count)
    {
        if (count < 0 || _position + count > _body.Length) throw Violation();
    }

    private static PgException Violation() => new(SqlState.ProtocolViolation, "invalid message format");
}
