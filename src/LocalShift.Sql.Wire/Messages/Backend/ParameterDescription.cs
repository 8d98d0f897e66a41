using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>ParameterDescription ('t'): the type OID of each parameter of a prepared statement.</summary>
public static class ParameterDescription
{
    public static void Write(PgWriteBuffer buffer, IReadOnlyList<int> typeOids)
    {
        buffer.StartMessage(BackendMessageCode.ParameterDescription);
        buffer.WriteInt16((short)typeOids.Count);
        foreach (var oid in typeOids) buffer.WriteInt32(oid);
        buffer.EndMessage();
    }
}
