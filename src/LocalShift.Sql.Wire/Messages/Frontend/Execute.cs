using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Execute ('E'): a portal and the most rows to return (0 = all).</summary>
public sealed record Execute(string PortalName, int MaxRows)
{
    public static Execute Read(FrontendMessage message)
    {
        var reader = message.Reader();
        return new Execute(reader.ReadCString(), reader.ReadInt32());
    }
}
