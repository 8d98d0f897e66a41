using System.Security.Cryptography;
using System.Text;
using LocalShift.Sql.Wire.Auth;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Frontend;

namespace LocalShift.Sql.Wire.Session;

public sealed partial class PgSession
{
    /// <summary>Runs the configured password exchange; a wrong password or unknown user is a FATAL 28P01.</summary>
    private async Task<bool> AuthenticateAsync(string user, CancellationToken cancellationToken)
    {
        var password = _backend.FindPassword(user);
        bool ok;
        switch (_backend.AuthMethod)
        {
            case PgAuthMethod.Trust:
                return true;
            case PgAuthMethod.Cleartext:
            {
                Authentication.WriteCleartextPassword(_out);
                var answer = await ReadPasswordMessageAsync(cancellationToken);
                if (answer is null) return false;
                ok = password is not null && FixedTimeEquals(PasswordMessage.ReadPassword(answer.Value), password);
                break;
            }
            case PgAuthMethod.Md5:
            {
                var salt = RandomNumberGenerator.GetBytes(4);
                Authentication.WriteMd5Password(_out, salt);
                var answer = await ReadPasswordMessageAsync(cancellationToken);
                if (answer is null) return false;
                ok = password is not null && FixedTimeEquals(PasswordMessage.ReadPassword(answer.Value), Md5Password.Expected(user, password, salt));
                break;
            }
            default:
            {
                Authentication.WriteSasl(_out, [ScramSha256Exchange.Mechanism]);
                var initial = await ReadPasswordMessageAsync(cancellationToken);
                if (initial is null) return false;
                var (mechanism, clientFirst) = PasswordMessage.ReadSaslInitial(initial.Value);
                if (mechanism != ScramSha256Exchange.Mechanism)
                    throw new PgException(SqlState.ProtocolViolation, "client selected an invalid SASL authentication mechanism") { Severity = "FATAL" };
                // An unknown user still runs the exchange (with a random password) so that it cannot be told apart.
                var exchange = new ScramSha256Exchange(password ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
                Authentication.WriteSaslContinue(_out, Encoding.UTF8.GetBytes(exchange.ServerFirst(clientFirst)));
                var final = await ReadPasswordMessageAsync(cancellationToken);
                if (final is null) return false;
                var serverFinal = exchange.ServerFinal(PasswordMessage.ReadSaslResponse(final.Value));
                ok = password is not null && serverFinal is not null;
                if (ok) Authentication.WriteSaslFinal(_out, Encoding.UTF8.GetBytes(serverFinal!));
                break;
            }
        }
        if (!ok)
            throw new PgException(SqlState.InvalidPassword, $"password authentication failed for user \"{user}\"") { Severity = "FATAL" };
        return true;
    }

    private async Task<FrontendMessage?> ReadPasswordMessageAsync(CancellationToken cancellationToken)
    {
        await _out.FlushAsync(cancellationToken);
        var message = await _in.ReadMessageAsync(cancellationToken);
        if (message is null) return null;
        if (message.Value.Code != FrontendMessageCode.Password)
            throw new PgException(SqlState.ProtocolViolation, $"expected password response, got message type {(char)message.Value.Code}") { Severity = "FATAL" };
        return message;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
