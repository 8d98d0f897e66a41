using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>BackendKeyData ('K'): the process id and secret a CancelRequest must quote.</summary>
public static class BackendKeyData
{
    public static void Write(PgWriteBuffer buffer, int processId, int secretKey)
    {
        buffer.StartMessage(BackendMessageCode.BackendKeyData);
        buffer.WriteInt32(processId);
        buffer.WriteInt32(secretKey);
        buffer.EndMessage();
    }
}
