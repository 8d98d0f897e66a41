using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Sql.Wire.Auth;

/// <summary>
/// A SCRAM-SHA-256 verifier (RFC 5802/7677): salt, iteration count, StoredKey and ServerKey. The server checks a
/// client's proof and signs its answer with these alone; the password cannot be recovered from them. Written as
/// PostgreSQL writes it in pg_authid: <c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c> (base64).
/// </summary>
public sealed class ScramSha256Secret
{
    public const string Prefix = "SCRAM-SHA-256$";
    public const int DefaultIterations = 4096;
    private const int SaltLength = 16;

    private readonly byte[] _salt;
    private readonly byte[] _storedKey;
    private readonly byte[] _serverKey;

    public ScramSha256Secret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey)
    {
        if (iterations < 1 || salt.Length == 0 || storedKey.Length != 32 || serverKey.Length != 32)
            throw new ArgumentException("not a SCRAM-SHA-256 verifier");
        Iterations = iterations;
        _salt = salt;
        _storedKey = storedKey;
        _serverKey = serverKey;
    }

    public int Iterations { get; }
    public ReadOnlySpan<byte> Salt => _salt;
    public ReadOnlySpan<byte> StoredKey => _storedKey;
    public ReadOnlySpan<byte> ServerKey => _serverKey;

    /// <summary>The verifier of <paramref name="password"/> with a fresh random salt (or the given one).</summary>
    public static ScramSha256Secret Create(string password, byte[]? salt = null, int iterations = DefaultIterations)
    {
        salt ??= RandomNumberGenerator.GetBytes(SaltLength);
        var salted = SaltedPassword(password, salt, iterations);
        return new ScramSha256Secret(iterations, salt,
            SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8)), HMACSHA256.HashData(salted, "Server Key"u8));
    }

    /// <summary>Hi(password, salt, i) of RFC 5802: PBKDF2 with HMAC-SHA-256.</summary>
    public static byte[] SaltedPassword(string password, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);

    /// <summary>True when <paramref name="password"/> is the one this verifier was made from (for a cleartext login).</summary>
    public bool Matches(string password)
    {
        var salted = SaltedPassword(password, _salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8)), _storedKey)
            && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(salted, "Server Key"u8), _serverKey);
    }

    public override string ToString() =>
        $"{Prefix}{Iterations}:{Convert.ToBase64String(_salt)}${Convert.ToBase64String(_storedKey)}:{Convert.ToBase64String(_serverKey)}";

    /// <summary>Reads PostgreSQL's form; null when <paramref name="text"/> is not one.</summary>
    public static ScramSha256Secret? TryParse(string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 2) return null;
        var head = parts[0].Split(':');
        var keys = parts[1].Split(':');
        if (head.Length != 2 || keys.Length != 2 || !int.TryParse(head[0], out var iterations) || iterations < 1) return null;
        try
        {
            var salt = Convert.FromBase64String(head[1]);
            var storedKey = Convert.FromBase64String(keys[0]);
            var serverKey = Convert.FromBase64String(keys[1]);
            if (salt.Length == 0 || storedKey.Length != 32 || serverKey.Length != 32) return null;
            return new ScramSha256Secret(iterations, salt, storedKey, serverKey);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
