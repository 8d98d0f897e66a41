using System.Globalization;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace LocalShift.Aws.Edge;

/// <summary>
/// Verifies SigV4 (Authorization header or presigned query string) and resolves the caller. Knows nothing of
/// operations or policies: authenticate here, authorize later.
/// </summary>
public sealed class Authenticator(ICredentialResolver credentials, TimeProvider clock)
{
    private SigningKeyCache SigningKeys { get; } = new();

    /// <summary>AWS refuses requests whose timestamp is more than 15 minutes away from its clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    public static bool HasHeaderSignature(HttpRequest r) =>
        r.Headers.Authorization.ToString().StartsWith("AWS4-", StringComparison.Ordinal);

    public static bool HasQuerySignature(HttpRequest r) => r.Query.ContainsKey("X-Amz-Algorithm");

    /// <summary>The signing name in the credential scope, without verifying anything; null when the request is unsigned.</summary>
    public static string? ScopeService(HttpRequest r)
    {
        ReadOnlySpan<char> credential;
        if (HasHeaderSignature(r))
        {
            var h = r.Headers.Authorization.ToString();
            var i = h.IndexOf("Credential=", StringComparison.Ordinal);
            if (i < 0) return null;
            credential = h.AsSpan(i + 11);
            var end = credential.IndexOfAny(',', ' ');
            if (end >= 0) credential = credential[..end];
        }
        else if (HasQuerySignature(r)) credential = r.Query["X-Amz-Credential"].ToString();
        else return null;
        // AKID/date/region/service/aws4_request: the fourth of exactly five parts.
        if (credential.Count('/') != 4) return null;
        for (var skip = 0; skip < 3; skip++) credential = credential[(credential.IndexOf('/') + 1)..];
        return KnownServiceName(credential[..credential.IndexOf('/')]);
    }

    /// <summary>The signing names seen on nearly every request, without allocating a copy of each.</summary>
    private static string KnownServiceName(ReadOnlySpan<char> name) => name switch
    {
        "sts" => "sts",
        "iam" => "iam",
        "s3" => "s3",
        "redshift" => "redshift",
        "glue" => "glue",
        "lambda" => "lambda",
        _ => name.ToString(),
    };

    /// <summary>
    /// Parses <c>yyyyMMdd'T'HHmmss'Z'</c> exactly (what <see cref="DateTimeOffset.TryParseExact(string, string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>
    /// with that format accepts), without the general parser's cost.
    /// </summary>
    public static bool TryParseAmzDate(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != 16 || text[8] != 'T' || text[15] != 'Z') return false;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 4, 2, out var month) || !Digits(text, 6, 2, out var day)
            || !Digits(text, 9, 2, out var hour) || !Digits(text, 11, 2, out var minute) || !Digits(text, 13, 2, out var second))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;

        static bool Digits(string s, int start, int count, out int result)
        {
            result = 0;
            for (var i = start; i < start + count; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9) return false;
                result = result * 10 + d;
            }
            return true;
        }
    }

    /// <param name="payloadHash">The hex SHA-256 of the body for services whose body the edge reads; null to use <c>x-amz-content-sha256</c> (S3).</param>
    public AuthenticatedRequest Authenticate(HttpRequest request, string? payloadHash)
    {
        var now = clock.GetUtcNow();
        var presigned = !HasHeaderSignature(request);
        SigV4Credential cred;
        string amzDate;
        if (!presigned)
        {
            cred = SigV4Credential.ParseHeader(request.Headers.Authorization.ToString());
            amzDate = request.Headers["X-Amz-Date"].ToString();
            if (amzDate.Length == 0)
            {
                var date = request.Headers.Date.ToString();
                if (date.Length == 0)
                    throw new AwsException("IncompleteSignature",
                        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400);
                if (!DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
                    throw new AwsException("IncompleteSignature", $"Date header '{date}' is not a valid HTTP date.", 400);
                amzDate = d.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            }
        }
        else
        {
            var q = request.Query;
            if (q["X-Amz-Algorithm"] != SigV4Signer.Algorithm)
                throw new AwsException("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", 400);
            foreach (var p in new[] { "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date" })
                if (StringValues.IsNullOrEmpty(q[p]))
                    throw new AwsException("AuthorizationQueryParametersError",
                        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.", 400);
            cred = SigV4Credential.FromParts(q["X-Amz-Credential"]!, q["X-Amz-SignedHeaders"]!, q["X-Amz-Signature"]!, "the query string");
            amzDate = q["X-Amz-Date"].ToString();
        }

        if (!TryParseAmzDate(amzDate, out var signedAt))
            throw new AwsException("IncompleteSignature", $"X-Amz-Date '{amzDate}' must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.", 400);
        if (!amzDate.StartsWith(cred.Date, StringComparison.Ordinal))
            throw new AwsException("SignatureDoesNotMatch",
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{cred.Date}' != '{amzDate[..8]}', from '{amzDate}'.", 403);

        if (presigned)
        {
            var expiresText = request.Query["X-Amz-Expires"].ToString();
            if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires < 1 || expires > 604800)
                throw new AwsException("AuthorizationQueryParametersError",
                    "X-Amz-Expires must be a number of seconds from 1 to 604800 (seven days).", 400);
            if (now > signedAt.AddSeconds(expires))
                throw new AwsException("AccessDenied", "Request has expired", 403);
            if (signedAt - now > MaxSkew)
                throw new AwsException("AccessDenied", "Request is not valid yet", 403);
        }
        else if ((now - signedAt).Duration() > MaxSkew)
        {
            throw new AwsException("RequestExpired",
                $"Request has expired: the signature's time {amzDate} is more than 15 minutes away from the server time {now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.", 400);
        }

        var resolved = credentials.Find(cred.AccessKeyId);
        if (resolved is null || !resolved.Active)
            throw new AwsException("InvalidClientTokenId", "The security token included in the request is invalid.", 403);

        var token = presigned ? request.Query["X-Amz-Security-Token"].ToString() : request.Headers["X-Amz-Security-Token"].ToString();
        if (resolved.SessionToken is not null)
        {
            if (token.Length == 0 || !SigV4Signer.SignaturesEqual(token, resolved.SessionToken))
                throw new AwsException("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
            if (resolved.Expiration is { } exp && now >= exp)
                throw new AwsException("ExpiredToken", "The security token included in the request is expired", 403);
        }
        else if (token.Length > 0)
        {
            throw new AwsException("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
        }

        if (!cred.SignedHeaders.Contains("host"))
            throw new AwsException("SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 403);

        var isS3 = cred.Service == "s3";
        var hash = payloadHash
                   ?? (presigned ? SigV4Signer.UnsignedPayload : request.Headers["x-amz-content-sha256"].ToString());
        if (hash.Length == 0) hash = SigV4Signer.EmptyPayloadHash;

        var headers = new List<(string, string)>(cred.SignedHeaders.Count);
        foreach (var name in cred.SignedHeaders)
        {
            var values = name == "host" ? new StringValues(request.Host.Value) : request.Headers[name];
            headers.Add((name, values.Count <= 1 ? values.ToString() : string.Join(",", values.Select(v => SigV4Signer.TrimHeaderValue(v ?? "")))));
        }

        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var q2 = rawTarget.IndexOf('?');
        var rawPath = q2 >= 0 ? rawTarget[..q2] : rawTarget;
        var canonicalUri = SigV4Signer.CanonicalUri(rawPath, doubleEncode: !isS3);
        var canonicalQuery = request.Query.Count == 0 ? "" : SigV4Signer.CanonicalQueryString(
            request.Query.SelectMany(kv => kv.Value.Select(v => (kv.Key, v ?? ""))),
            presigned ? "X-Amz-Signature" : null);
        var key = SigningKeys.Get(resolved.SecretAccessKey, cred.Date, cred.Region, cred.Service);
        if (!SigV4Signer.VerifySignature(key, amzDate, cred.Scope, request.Method, canonicalUri, canonicalQuery, headers, hash, cred.Signature))
        {
            throw new AwsException("SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                403);
        }

        return new AuthenticatedRequest(cred.Service, cred.Region, resolved.Principal, cred.AccessKeyId,
            new SignatureContext(key, cred.Signature, amzDate, cred.Scope, hash));
    }
}
