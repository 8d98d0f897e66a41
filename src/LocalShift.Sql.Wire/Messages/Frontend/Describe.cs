using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Describe ('D') and Close ('C') share a shape: 'S' for a statement or 'P' for a portal, and its name.</summary>
public sealed record Describe(char Kind, string Name)
{
    public static Describe Read(FrontendMessage message)
    {
        var reader = message.Reader();
        var kind = (char)reader.ReadByte();
        if (kind is not ('S' or 'P'))
            throw new PgException(SqlState.ProtocolViolation, $"invalid DESCRIBE message subtype {(int)kind}");
        return new Describe(kind, reader.ReadCString());
    }
}
