using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>The first packet of a connection: a startup message, an SSL/GSS request, or a cancel request.</summary>
public sealed record StartupPacket(int Code, IReadOnlyDictionary<string, string> Parameters, int ProcessId, int SecretKey)
{
    public int MajorVersion => Code >> 16;
    public int MinorVersion => Code & 0xFFFF;

    public static StartupPacket Parse(ReadOnlySpan<byte> body)
    {
        var reader = new MessageReader(body);
        var code = reader.ReadInt32();
        if (code == FrontendMessageCode.CancelRequest)
            return new StartupPacket(code, new Dictionary<string, string>(), reader.ReadInt32(), reader.ReadInt32());
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (code >> 16 == 3)
        {
            while (reader.Remaining > 1)
            {
                var name = reader.ReadCString();
                if (name.Length == 0) break;
                parameters[name] = reader.ReadCString();
            }
        }
        return new StartupPacket(code, parameters, 0, 0);
    }
}
