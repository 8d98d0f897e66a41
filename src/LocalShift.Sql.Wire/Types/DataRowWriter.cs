using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Backend;

namespace LocalShift.Sql.Wire.Types;

/// <summary>Writes DataRow ('D') messages straight from a result's current row into the send buffer.</summary>
public sealed class DataRowWriter(IReadOnlyList<PgColumn> columns, IReadOnlyList<short> formats)
{
    public void Write(PgWriteBuffer buffer, IPgResult result)
    {
        buffer.StartMessage(BackendMessageCode.DataRow);
        buffer.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var value = result.GetValue(i);
            if (value is null or DBNull)
            {
                buffer.WriteInt32(-1);
                continue;
            }
            var oid = columns[i].TypeOid;
            try
            {
                if (formats[i] == 1)
                {
                    PgBinaryFormat.Write(buffer, value, oid);
                }
                else
                {
                    var at = buffer.ReserveLength();
                    if (value is string text) buffer.WriteString(text);
                    else if (!TryWriteInteger(buffer, value)) buffer.WriteString(PgTextFormat.Format(value, oid));
                    buffer.PatchLength(at);
                }
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
            {
                throw new PgException(SqlState.DatatypeMismatch,
                    $"value of column \"{columns[i].Name}\" cannot be sent as type {oid}: {e.Message}");
            }
        }
        buffer.EndMessage();
    }

    /// <summary>An integer's text straight into the buffer, without a string in between.</summary>
    private static bool TryWriteInteger(PgWriteBuffer buffer, object value)
    {
        var span = buffer.GetSpan(20);
        int written;
        switch (value)
        {
            case int i: i.TryFormat(span, out written, default, CultureInfo.InvariantCulture); break;
            case long l: l.TryFormat(span, out written, default, CultureInfo.InvariantCulture); break;
            case short s: s.TryFormat(span, out written, default, CultureInfo.InvariantCulture); break;
            default: return false;
        }
        buffer.Advance(written);
        return true;
    }

    /// <summary>Expands the Bind result-format list: none = all text, one = all, else one per column.</summary>
    public static short[] ExpandFormats(IReadOnlyList<short> requested, int columnCount)
    {
        var formats = new short[columnCount];
        for (var i = 0; i < columnCount; i++)
            formats[i] = requested.Count switch { 0 => 0, 1 => requested[0], _ => i < requested.Count ? requested[i] : (short)0 };
        return formats;
    }
}
