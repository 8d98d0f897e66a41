using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>ReadyForQuery ('Z') with the transaction status: idle, in a transaction block, or in a failed one.</summary>
public static class ReadyForQuery
{
    public static void Write(PgWriteBuffer buffer, TransactionStatus status)
    {
        buffer.StartMessage(BackendMessageCode.ReadyForQuery);
        buffer.WriteByte(status switch
        {
            TransactionStatus.InBlock => (byte)'T',
            TransactionStatus.Failed => (byte)'E',
            _ => (byte)'I',
        });
        buffer.EndMessage();
    }
}
