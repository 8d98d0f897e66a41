using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Backend;

/// <summary>The AuthenticationXxx family ('R'): a request code and its payload.</summary>
public static class Authentication
{
    public const int Ok = 0;
    public const int CleartextPassword = 3;
    public const int Md5Password = 5;
    public const int Sasl = 10;
    public const int SaslContinue = 11;
    public const int SaslFinal = 12;

    public static void WriteOk(PgWriteBuffer buffer) => WriteCode(buffer, Ok, []);
    public static void WriteCleartextPassword(PgWriteBuffer buffer) => WriteCode(buffer, CleartextPassword, []);
    public static void WriteMd5Password(PgWriteBuffer buffer, ReadOnlySpan<byte> salt) => WriteCode(buffer, Md5Password, salt);
    public static void WriteSaslContinue(PgWriteBuffer buffer, ReadOnlySpan<byte> data) => WriteCode(buffer, SaslContinue, data);
    public static void WriteSaslFinal(PgWriteBuffer buffer, ReadOnlySpan<byte> data) => WriteCode(buffer, SaslFinal, data);

    public static void WriteSasl(PgWriteBuffer buffer, IEnumerable<string> mechanisms)
    {
        buffer.StartMessage(BackendMessageCode.Authentication);
        buffer.WriteInt32(Sasl);
        foreach (var mechanism in mechanisms) buffer.WriteCString(mechanism);
        buffer.WriteByte(0);
        buffer.EndMessage();
    }

    private static void WriteCode(PgWriteBuffer buffer, int code, ReadOnlySpan<byte> payload)
    {
        buffer.StartMessage(BackendMessageCode.Authentication);
        buffer.WriteInt32(code);
        buffer.WriteBytes(payload);
        buffer.EndMessage();
    }
}
