using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>ParameterStatus ('S'): a run-time parameter the client should know (server_version, client_encoding...).</summary>
public static class ParameterStatus
{
    public static void Write(PgWriteBuffer buffer, string name, string value)
    {
        buffer.StartMessage(BackendMessageCode.ParameterStatus);
        buffer.WriteCString(name);
        buffer.WriteCString(value);
        buffer.EndMessage();
    }
}
