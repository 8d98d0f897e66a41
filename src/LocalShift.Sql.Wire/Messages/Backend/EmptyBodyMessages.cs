using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>The backend messages that carry nothing but their type byte.</summary>
public static class EmptyBodyMessages
{
    public static void ParseComplete(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.ParseComplete);
    public static void BindComplete(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.BindComplete);
    public static void CloseComplete(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.CloseComplete);
    public static void NoData(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.NoData);
    public static void PortalSuspended(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.PortalSuspended);
    public static void EmptyQueryResponse(PgWriteBuffer buffer) => Write(buffer, BackendMessageCode.EmptyQueryResponse);

    private static void Write(PgWriteBuffer buffer, byte code)
    {
        buffer.StartMessage(code);
        buffer.EndMessage();
    }
}
