using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>RowDescription ('T'): name, type and format of each result column.</summary>
public static class RowDescription
{
    public static void Write(PgWriteBuffer buffer, IReadOnlyList<PgColumn> columns, IReadOnlyList<short> formats)
    {
        buffer.StartMessage(BackendMessageCode.RowDescription);
        buffer.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            buffer.WriteCString(column.Name);
            buffer.WriteInt32(column.TableOid);
            buffer.WriteInt16(column.ColumnNumber);
            buffer.WriteInt32(column.TypeOid);
            buffer.WriteInt16(PgTypeOid.SizeOf(column.TypeOid));
            buffer.WriteInt32(column.TypeModifier);
            buffer.WriteInt16(formats[i]);
        }
        buffer.EndMessage();
    }
}
