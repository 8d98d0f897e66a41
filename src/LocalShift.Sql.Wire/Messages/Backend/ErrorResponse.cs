using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>ErrorResponse ('E') and NoticeResponse ('N'): the same field list (S, V, C, M, D, H, P).</summary>
public static class ErrorResponse
{
    public static void Write(PgWriteBuffer buffer, PgException error) =>
        WriteFields(buffer, BackendMessageCode.ErrorResponse, error.Severity, error.SqlState, error.Message,
            error.Detail, error.Hint, error.Position);

    public static void WriteNotice(PgWriteBuffer buffer, PgNotice notice) =>
        WriteFields(buffer, BackendMessageCode.NoticeResponse, notice.Severity, notice.SqlState, notice.Message,
            notice.Detail, null, null);

    private static void WriteFields(PgWriteBuffer buffer, byte code, string severity, string sqlState, string message,
        string? detail, string? hint, int? position)
    {
        buffer.StartMessage(code);
        Field(buffer, 'S', severity);
        Field(buffer, 'V', severity);
        Field(buffer, 'C', sqlState);
        Field(buffer, 'M', message);
        if (detail is not null) Field(buffer, 'D', detail);
        if (hint is not null) Field(buffer, 'H', hint);
        if (position is not null) Field(buffer, 'P', position.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        buffer.WriteByte(0);
        buffer.EndMessage();
    }

    private static void Field(PgWriteBuffer buffer, char field, string value)
    {
        buffer.WriteByte((byte)field);
        buffer.WriteCString(value);
    }
}
