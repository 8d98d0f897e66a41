using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>NegotiateProtocolVersion ('v'): tells a client asking for 3.x (x &gt; 0) that we speak 3.0.</summary>
public static class NegotiateProtocolVersion
{
    public static void Write(PgWriteBuffer buffer, int newestMinor, IReadOnlyList<string> unrecognizedOptions)
    {
        buffer.StartMessage(BackendMessageCode.NegotiateProtocolVersion);
        buffer.WriteInt32(newestMinor);
        buffer.WriteInt32(unrecognizedOptions.Count);
        foreach (var option in unrecognizedOptions) buffer.WriteCString(option);
        buffer.EndMessage();
    }
}
