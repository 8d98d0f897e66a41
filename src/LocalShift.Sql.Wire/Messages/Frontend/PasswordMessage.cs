using System.Text;
using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>
/// The 'p' message: a password (cleartext or MD5), a SASLInitialResponse (mechanism + data) or a SASLResponse (data),
/// depending on what the server asked for.
/// </summary>
public static class PasswordMessage
{
    public static string ReadPassword(FrontendMessage message) => message.Reader().ReadCString();

    public static (string Mechanism, string Data) ReadSaslInitial(FrontendMessage message)
    {
        var reader = message.Reader();
        var mechanism = reader.ReadCString();
        var length = reader.ReadInt32();
        var data = length < 0 ? "" : Encoding.UTF8.GetString(reader.ReadBytes(length));
        return (mechanism, data);
    }

    public static string ReadSaslResponse(FrontendMessage message) => Encoding.UTF8.GetString(message.Body.Span);
}
