using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>CommandComplete ('C') with the command tag ("SELECT 3", "INSERT 0 1", "CREATE TABLE").</summary>
public static class CommandComplete
{
    public static void Write(PgWriteBuffer buffer, string tag)
    {
        buffer.StartMessage(BackendMessageCode.CommandComplete);
        buffer.WriteCString(tag);
        buffer.EndMessage();
    }
}
