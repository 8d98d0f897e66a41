using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LocalShift.Aws;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.WebConsole;

/// <summary>
/// One browser's session: the anti-forgery token its forms carry and, once signed in, the access key it acts with.
/// The secret itself is not kept, only its hash, checked against the credential store on every request (a deleted or
/// deactivated key, or an expired session token, ends the console session too).
/// </summary>
public sealed class ConsoleSession
{
    public required string Id { get; init; }
    public required string AntiForgeryToken { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? AccessKeyId { get; init; }
    public byte[]? SecretHash { get; init; }
    public string? SessionToken { get; init; }
    public bool SignedIn => AccessKeyId is not null;

    /// <summary>
    /// The region the console acts in, chosen with the region selector; kept for the session's life and carried over
    /// when the browser signs in again or out (as the AWS console remembers the last region).
    /// </summary>
    public required string Region { get; set; }
}

/// <summary>Console sessions in memory, keyed by a random id carried in an HttpOnly, SameSite=Strict cookie.</summary>
public sealed class ConsoleSessions(ICredentialResolver credentials, TimeProvider clock, TimeSpan lifetime, string defaultRegion)
{
    public const string CookieName = "localshift-console";
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The caller's session, or a new anonymous one (with its cookie set) when it has none that is live.</summary>
    public ConsoleSession Get(HttpContext http)
    {
        var now = clock.GetUtcNow();
        if (http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null
            && _sessions.TryGetValue(id, out var s))
        {
            if (s.ExpiresAt > now) return s;
            _sessions.TryRemove(id, out _);
        }
        return Start(http, null, null, null, defaultRegion);
    }

    /// <summary>
    /// Checks an access key pair (and session token for temporary keys) the way SigV4 authentication would, and starts a
    /// new signed-in session under a new id (the old one is dropped, so a session id seen before sign-in is worthless).
    /// </summary>
    public (ConsoleSession? Session, string? Error) SignIn(HttpContext http, ConsoleSession current, string accessKeyId, string secret, string? sessionToken)
    {
        var resolved = credentials.Find(accessKeyId);
        // AWS's texts for the same failures of a signed request.
        if (resolved is null || !resolved.Active)
            return (null, "The security token included in the request is invalid.");
        if (!FixedEquals(resolved.SecretAccessKey, secret))
            return (null, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        if (resolved.SessionToken is not null)
        {
            if (string.IsNullOrEmpty(sessionToken) || !FixedEquals(resolved.SessionToken, sessionToken))
                return (null, "The security token included in the request is invalid.");
            if (resolved.Expiration is { } exp && clock.GetUtcNow() >= exp)
                return (null, "The security token included in the request is expired");
        }
        else if (!string.IsNullOrEmpty(sessionToken))
        {
            return (null, "The security token included in the request is invalid.");
        }
        _sessions.TryRemove(current.Id, out _);
        return (Start(http, accessKeyId, Hash(secret), string.IsNullOrEmpty(sessionToken) ? null : sessionToken, current.Region), null);
    }

    /// <summary>Signs in with a key whose secret the server holds (the default account's root).</summary>
    public ConsoleSession? SignInTrusted(HttpContext http, ConsoleSession current, string accessKeyId)
    {
        var resolved = credentials.Find(accessKeyId);
        if (resolved is null || !resolved.Active) return null;
        _sessions.TryRemove(current.Id, out _);
        return Start(http, accessKeyId, Hash(resolved.SecretAccessKey), null, current.Region);
    }

    /// <summary>Forgets the session and its credentials; the browser gets a fresh anonymous session.</summary>
    public ConsoleSession SignOut(HttpContext http, ConsoleSession current)
    {
        _sessions.TryRemove(current.Id, out _);
        return Start(http, null, null, null, current.Region);
    }

    /// <summary>The principal a signed-in session acts as, checked against the credential store now; null when it no longer holds.</summary>
    public ResolvedCredential? Resolve(ConsoleSession s)
    {
        if (s.AccessKeyId is null || s.SecretHash is null) return null;
        var resolved = credentials.Find(s.AccessKeyId);
        if (resolved is null || !resolved.Active) return null;
        if (!CryptographicOperations.FixedTimeEquals(Hash(resolved.SecretAccessKey), s.SecretHash)) return null;
        if (resolved.SessionToken is not null)
        {
            if (s.SessionToken is null || !FixedEquals(resolved.SessionToken, s.SessionToken)) return null;
            if (resolved.Expiration is { } exp && clock.GetUtcNow() >= exp) return null;
        }
        return resolved;
    }

    /// <summary>Whether a form's anti-forgery token is the session's.</summary>
    public static bool CheckAntiForgery(ConsoleSession s, string? token) =>
        token is not null && FixedEquals(s.AntiForgeryToken, token);

    private ConsoleSession Start(HttpContext http, string? accessKeyId, byte[]? secretHash, string? sessionToken, string region)
    {
        var now = clock.GetUtcNow();
        // Drop what has expired now and then, so abandoned sessions do not pile up.
        if (_sessions.Count > 1000)
            foreach (var (k, v) in _sessions)
                if (v.ExpiresAt <= now) _sessions.TryRemove(k, out _);
        var s = new ConsoleSession
        {
            Id = RandomToken(),
            AntiForgeryToken = RandomToken(),
            ExpiresAt = now + lifetime,
            AccessKeyId = accessKeyId,
            SecretHash = secretHash,
            SessionToken = sessionToken,
            Region = region,
        };
        _sessions[s.Id] = s;
        http.Response.Cookies.Append(CookieName, s.Id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/console",
            IsEssential = true,
        });
        return s;
    }

    private static string RandomToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Hash(a), Hash(b));
}
