using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Query ('Q'): a simple-protocol query string, possibly several statements.</summary>
public sealed record Query(string Sql)
{
    public static Query Read(FrontendMessage message) => new(message.Reader().ReadCString());
}
