using System.Security.Cryptography;
using System.Text;
using LocalShift.Engine;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>
/// The server side of SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL runs it: client-first, server-first,
/// client-final with proof, server-final with signature. Works from the stored verifier alone; no channel binding
/// is offered. Several verifiers may answer one exchange when they share salt and iteration count (the temporary
/// passwords of one IAM database login): the proof is checked against each.
/// </summary>
public sealed class ScramSha256Exchange
{
    public const string Mechanism = "SCRAM-SHA-256";

    private readonly ScramSha256Secret[] _secrets;

    public ScramSha256Exchange(ScramSha256Secret secret) => _secrets = [secret];

    /// <summary>An exchange any of <paramref name="secrets"/> may answer; all share the first one's salt and iterations.</summary>
    public ScramSha256Exchange(IReadOnlyList<ScramSha256Secret> secrets)
    {
        if (secrets.Count == 0) throw new ArgumentException("at least one verifier", nameof(secrets));
        if (secrets.Any(s => s.Iterations != secrets[0].Iterations || !s.Salt.SequenceEqual(secrets[0].Salt)))
            throw new ArgumentException("the verifiers of one exchange share salt and iterations", nameof(secrets));
        _secrets = [.. secrets];
    }

    /// <summary>After a successful <see cref="ServerFinal"/>: the index of the verifier the proof matched.</summary>
    public int MatchedIndex { get; private set; } = -1;

    private ScramSha256Secret First => _secrets[0];

    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";

    /// <summary>Consumes client-first ("n,,n=,r=nonce") and returns server-first.</summary>
    public string ServerFirst(string clientFirst) => ServerFirst(clientFirst, Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)));

    /// <summary>As <see cref="ServerFirst(string)"/> with a given server nonce part (for the RFC's test vectors).</summary>
    internal string ServerFirst(string clientFirst, string serverNonce)
    {
        var parts = clientFirst.Split(',', 3);
        if (parts.Length < 3 || parts[0] is not ("n" or "y")) throw Invalid();
        _clientFirstBare = parts[2];
        var clientNonce = Attribute(_clientFirstBare, 'r') ?? throw Invalid();
        _nonce = clientNonce + serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(First.Salt)},i={First.Iterations}";
        return _serverFirst;
    }

    /// <summary>Checks client-final's proof; returns server-final, or null when the proof is wrong.</summary>
    public string? ServerFinal(string clientFinal)
    {
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) throw Invalid();
        var withoutProof = clientFinal[..proofAt];
        if (Attribute(withoutProof, 'r') != _nonce) throw Invalid();
        byte[] proof;
        try { proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]); }
        catch (FormatException) { throw Invalid(); }

        // ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey.
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        for (var s = 0; s < _secrets.Length; s++)
        {
            var secret = _secrets[s];
            var clientSignature = HMACSHA256.HashData(secret.StoredKey, authMessage);
            if (proof.Length != clientSignature.Length) return null;
            var clientKey = new byte[proof.Length];
            for (var i = 0; i < proof.Length; i++) clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), secret.StoredKey)) continue;
            MatchedIndex = s;
            return "v=" + Convert.ToBase64String(HMACSHA256.HashData(secret.ServerKey, authMessage));
        }
        return null;
    }

    private static string? Attribute(string message, char name)
    {
        foreach (var part in message.Split(','))
            if (part.Length >= 2 && part[0] == name && part[1] == '=') return part[2..];
        return null;
    }

    private static PgException Invalid() =>
        new(SqlState.ProtocolViolation, "malformed SCRAM message") { Severity = "FATAL" };
}
