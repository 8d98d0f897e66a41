using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Messages.Frontend;

namespace LocalShift.Sql.Wire.Session;

public sealed partial class PgSession
{
    /// <summary>Handles SSL/GSS requests, cancel requests and the startup message; false when the connection is done.</summary>
    private async Task<bool> StartupAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var body = await _in.ReadStartupPacketAsync(cancellationToken);
            if (body is null) return false;
            var packet = StartupPacket.Parse(body.Value.Span);
            switch (packet.Code)
            {
                case FrontendMessageCode.SslRequest when _listener.CertificateContext is { } certificate && _stream == _transport:
                    _out.WriteByte((byte)'S');
                    await _out.FlushAsync(cancellationToken);
                    await StartTlsAsync(certificate, cancellationToken);
                    continue;
                case FrontendMessageCode.SslRequest or FrontendMessageCode.GssEncRequest:
                    // No TLS (or GSS): the client either goes on in plain text or gives up, as with a PostgreSQL without ssl.
                    _out.WriteByte((byte)'N');
                    await _out.FlushAsync(cancellationToken);
                    continue;
                case FrontendMessageCode.CancelRequest:
                    _listener.Cancel(packet.ProcessId, packet.SecretKey);
                    return false;
            }
            if (packet.MajorVersion != 3)
                throw new PgException(SqlState.FeatureNotSupported,
                    $"unsupported frontend protocol {packet.MajorVersion}.{packet.MinorVersion}: server supports 3.0 to 3.0") { Severity = "FATAL" };
            TakeConnectionSlot();
            if (packet.MinorVersion > 0 || packet.Parameters.Keys.Any(k => k.StartsWith("_pq_.", StringComparison.Ordinal)))
                NegotiateProtocolVersion.Write(_out, 0, packet.Parameters.Keys.Where(k => k.StartsWith("_pq_.", StringComparison.Ordinal)).ToList());
            return await AcceptAsync(packet, cancellationToken);
        }
    }

    /// <summary>
    /// After answering 'S' to an SSLRequest: the TLS handshake on the same socket, then every further byte (the
    /// startup message included) travels inside TLS, as in PostgreSQL.
    /// </summary>
    private async Task StartTlsAsync(SslStreamCertificateContext certificate, CancellationToken cancellationToken)
    {
        if (_in.HasBufferedData)
            throw new PgException(SqlState.ProtocolViolation, "received unencrypted data after SSL request") { Severity = "FATAL" };
        var tls = new SslStream(_transport, leaveInnerStreamOpen: true);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        };
        try
        {
            if (_blocking) tls.AuthenticateAsServer(options);
            else await tls.AuthenticateAsServerAsync(options, cancellationToken);
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync();
            throw new IOException("TLS handshake failed: " + e.Message, e);
        }
        _stream = tls;
        _in = new PgReadBuffer(tls, _blocking);
        _out = new PgWriteBuffer(tls, _blocking);
    }

    /// <summary>
    /// Counts this connection against the cluster's connection limit, as PostgreSQL does once it has read the startup
    /// packet (an SSLRequest or a CancelRequest takes no slot); the slot is given back when the session ends.
    /// </summary>
    private void TakeConnectionSlot()
    {
        if (_holdsConnectionSlot) return;
        if (!_listener.TryTakeConnectionSlot())
            // Redshift's text, as its users report it (AWS knowledge center, JDBC driver errors). Its SQLSTATE is not
            // documented: 53300 (too_many_connections) is PostgreSQL's for "sorry, too many clients already". Unverified.
            throw new PgException(SqlState.TooManyConnections,
                $"connection limit \"{_listener.MaxConnections}\" exceeded for non-bootstrap users") { Severity = "FATAL" };
        _holdsConnectionSlot = true;
    }

    private async Task<bool> AcceptAsync(StartupPacket packet, CancellationToken cancellationToken)
    {
        if (!packet.Parameters.TryGetValue("user", out var user) || user.Length == 0)
            throw new PgException(SqlState.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet") { Severity = "FATAL" };
        var database = packet.Parameters.TryGetValue("database", out var db) && db.Length > 0 ? db : user;

        var admission = await AuthenticateAsync(user, cancellationToken);
        if (admission is null) return false;
        if (!_backend.DatabaseExists(database))
            throw new PgException(SqlState.InvalidCatalogName, $"database \"{database}\" does not exist") { Severity = "FATAL" };

        _query = _backend.OpenSession(new PgConnectionInfo(admission.User, database, ProcessId, packet.Parameters)
        {
            Cancel = Cancel, Terminate = Terminate, SessionGroups = admission.SessionGroups,
        });
        Authentication.WriteOk(_out);
        foreach (var (name, value) in _backend.ServerParameters(admission.User)) ParameterStatus.Write(_out, name, value);
        if (packet.Parameters.TryGetValue("application_name", out var application))
            ParameterStatus.Write(_out, "application_name", application);
        BackendKeyData.Write(_out, ProcessId, SecretKey);
        WriteReadyForQuery(TransactionStatus.Idle);
        await _out.FlushAsync(cancellationToken);
        return true;
    }

    internal static int NewSecretKey() => RandomNumberGenerator.GetInt32(int.MaxValue);
}
