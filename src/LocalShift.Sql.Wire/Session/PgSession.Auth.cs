using System.Security.Cryptography;
using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Wire.Auth;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Messages.Frontend;
using Microsoft.Extensions.Logging;

namespace LocalShift.Sql.Wire.Session;

public sealed partial class PgSession
{
    /// <summary>Salts of the mock verifiers unknown users are challenged with; fixed per process so that they repeat.</summary>
    private static readonly byte[] MockSaltKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// Runs the configured password exchange against the stored secret; a wrong password, an unknown user or a user
    /// whose secret cannot answer the exchange is a FATAL 28P01 with the same message, the reason going to the log
    /// only, as PostgreSQL does. A user whose only secret is an MD5 hash (CREATE USER ... PASSWORD 'md5…') is asked
    /// for an MD5 answer even where SCRAM is configured, as PostgreSQL's <c>md5</c> method does: SCRAM cannot be
    /// verified with an MD5 hash.
    /// </summary>
    private async Task<PgAdmission?> AuthenticateAsync(string user, CancellationToken cancellationToken)
    {
        var login = _backend.FindLogin(user);
        var secret = login?.Secret;
        var matched = 0;
        string? reason = login is null ? $"Role \"{user}\" does not exist or has no password." : null;
        bool ok;
        var method = _backend.AuthMethod;
        if (method == PgAuthMethod.ScramSha256 && secret is { Scram: null, Md5: not null }) method = PgAuthMethod.Md5;
        switch (method)
        {
            case PgAuthMethod.Trust:
                return new PgAdmission(user, []);
            case PgAuthMethod.Cleartext:
            {
                Authentication.WriteCleartextPassword(_out);
                var answer = await ReadPasswordMessageAsync(cancellationToken);
                if (answer is null) return null;
                var password = PasswordMessage.ReadPassword(answer.Value);
                matched = login is null ? -1 : Secrets(login).FindIndex(s => s.Matches(login.User, password));
                ok = matched >= 0;
                break;
            }
            case PgAuthMethod.Md5:
            {
                var salt = RandomNumberGenerator.GetBytes(4);
                Authentication.WriteMd5Password(_out, salt);
                var answer = await ReadPasswordMessageAsync(cancellationToken);
                if (answer is null) return null;
                if (secret is { Md5: null }) reason = $"User \"{user}\" has a password that cannot be used with MD5 authentication.";
                var response = PasswordMessage.ReadPassword(answer.Value);
                matched = login is null ? -1
                    : Secrets(login).FindIndex(s => s.Md5 is { } hash && FixedTimeEquals(response, Md5Password.Expected(hash, salt)));
                ok = matched >= 0;
                break;
            }
            default:
            {
                Authentication.WriteSasl(_out, [ScramSha256Exchange.Mechanism]);
                var initial = await ReadPasswordMessageAsync(cancellationToken);
                if (initial is null) return null;
                var (mechanism, clientFirst) = PasswordMessage.ReadSaslInitial(initial.Value);
                if (mechanism != ScramSha256Exchange.Mechanism)
                    throw new PgException(SqlState.ProtocolViolation, "client selected an invalid SASL authentication mechanism") { Severity = "FATAL" };
                if (secret is { Scram: null }) reason = $"User \"{user}\" does not have a valid SCRAM secret.";
                // Without a verifier the exchange still runs, against a mock one, so that it cannot be told apart.
                var exchange = login is not null && secret?.Scram is not null
                    ? new ScramSha256Exchange(Secrets(login).Select(s => s.Scram).OfType<ScramSha256Secret>().ToList())
                    : new ScramSha256Exchange(MockVerifier(user));
                Authentication.WriteSaslContinue(_out, Encoding.UTF8.GetBytes(exchange.ServerFirst(clientFirst)));
                var final = await ReadPasswordMessageAsync(cancellationToken);
                if (final is null) return null;
                var serverFinal = exchange.ServerFinal(PasswordMessage.ReadSaslResponse(final.Value));
                ok = secret?.Scram is not null && serverFinal is not null;
                matched = exchange.MatchedIndex;
                if (ok) Authentication.WriteSaslFinal(_out, Encoding.UTF8.GetBytes(serverFinal!));
                break;
            }
        }
        if (!ok)
        {
            _logger.LogInformation("Connection {ProcessId}: password authentication failed for user \"{User}\". {Reason}",
                ProcessId, user, reason ?? "Password does not match.");
            throw new PgException(SqlState.InvalidPassword, $"password authentication failed for user \"{user}\"") { Severity = "FATAL" };
        }
        return login?.Admit is { } admit ? admit(matched) : new PgAdmission(user, []);
    }

    private static List<PgPasswordSecret> Secrets(PgLogin login) => [login.Secret, .. login.OtherSecrets];

    /// <summary>A verifier no password matches, with a salt that is the same at every attempt for the same name.</summary>
    private static ScramSha256Secret MockVerifier(string user) =>
        new(ScramSha256Secret.DefaultIterations, HMACSHA256.HashData(MockSaltKey, Encoding.UTF8.GetBytes(user))[..16],
            RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    private async Task<FrontendMessage?> ReadPasswordMessageAsync(CancellationToken cancellationToken)
    {
        await _out.FlushAsync(cancellationToken);
        var message = await _in.ReadMessageAsync(cancellationToken, PgReadBuffer.MaxUnauthenticatedMessageSize);
        if (message is null) return null;
        if (message.Value.Code != FrontendMessageCode.Password)
            throw new PgException(SqlState.ProtocolViolation, $"expected password response, got message type {(char)message.Value.Code}") { Severity = "FATAL" };
        return message;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
