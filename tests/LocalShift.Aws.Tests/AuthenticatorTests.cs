using LocalShift.Aws.Edge;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Aws.Tests;

/// <summary>The edge's SigV4 checks against requests signed the way the SDKs sign them, with a fixed clock.</summary>
public class AuthenticatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class OneKey(ResolvedCredential credential) : ICredentialResolver
    {
        public ResolvedCredential? Find(string accessKeyId) => accessKeyId == credential.AccessKeyId ? credential : null;
    }

    private static HttpRequest Signed(string akid, string secret, DateTimeOffset at, string? token = null)
    {
        var ctx = new DefaultHttpContext();
        var r = ctx.Request;
        r.Method = "POST";
        r.Path = "/";
        r.Host = new HostString("127.0.0.1:4566");
        r.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'");
        r.Headers["X-Amz-Date"] = amzDate;
        var signed = new List<(string, string)> { ("content-type", r.ContentType), ("host", "127.0.0.1:4566"), ("x-amz-date", amzDate) };
        if (token is not null)
        {
            r.Headers["X-Amz-Security-Token"] = token;
            signed.Add(("x-amz-security-token", token));
        }
        var bodyHash = SigV4Signer.HexSha256("Action=GetCallerIdentity&Version=2011-06-15");
        var scope = $"{amzDate[..8]}/us-east-1/sts/aws4_request";
        var canonical = SigV4Signer.CanonicalRequest("POST", "/", "", signed, bodyHash);
        var sig = SigV4Signer.Signature(SigV4Signer.SigningKey(secret, amzDate[..8], "us-east-1", "sts"), SigV4Signer.StringToSign(amzDate, scope, canonical));
        r.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={akid}/{scope}, SignedHeaders={string.Join(';', signed.Select(h => h.Item1))}, Signature={sig}";
        return r;
    }

    private static string BodyHash => SigV4Signer.HexSha256("Action=GetCallerIdentity&Version=2011-06-15");

    [Fact]
    public void A_correctly_signed_request_resolves_its_principal()
    {
        var auth = new Authenticator(new OneKey(new ResolvedCredential("AKID", "secret", Principal.Root("123456789012"))), new FixedClock(Now));
        var result = auth.Authenticate(Signed("AKID", "secret", Now), BodyHash);
        Assert.Equal("arn:aws:iam::123456789012:root", result.Principal.Arn);
        Assert.Equal("sts", result.Service);
    }

    [Fact]
    public void A_signature_older_than_15_minutes_is_request_expired()
    {
        var auth = new Authenticator(new OneKey(new ResolvedCredential("AKID", "secret", Principal.Root("123456789012"))), new FixedClock(Now));
        var e = Assert.Throws<AwsException>(() => auth.Authenticate(Signed("AKID", "secret", Now.AddMinutes(-16)), BodyHash));
        Assert.Equal("RequestExpired", e.Code);
        Assert.Null(Record.Exception(() => auth.Authenticate(Signed("AKID", "secret", Now.AddMinutes(-14)), BodyHash)));
    }

    [Fact]
    public void An_expired_session_is_expired_token_and_a_live_one_works()
    {
        var session = new ResolvedCredential("ASIAKEY", "secret", Principal.Root("123456789012"), "tok", Now.AddMinutes(-1));
        var expired = new Authenticator(new OneKey(session), new FixedClock(Now));
        var e = Assert.Throws<AwsException>(() => expired.Authenticate(Signed("ASIAKEY", "secret", Now, "tok"), BodyHash));
        Assert.Equal("ExpiredToken", e.Code);
        Assert.Equal("The security token included in the request is expired", e.Message);

        var live = new Authenticator(new OneKey(session with { Expiration = Now.AddMinutes(5) }), new FixedClock(Now));
        Assert.Null(Record.Exception(() => live.Authenticate(Signed("ASIAKEY", "secret", Now, "tok"), BodyHash)));
    }

    [Fact]
    public void A_session_key_without_its_token_is_invalid()
    {
        var session = new ResolvedCredential("ASIAKEY", "secret", Principal.Root("123456789012"), "tok", Now.AddHours(1));
        var auth = new Authenticator(new OneKey(session), new FixedClock(Now));
        Assert.Equal("InvalidClientTokenId", Assert.Throws<AwsException>(() => auth.Authenticate(Signed("ASIAKEY", "secret", Now), BodyHash)).Code);
        Assert.Equal("InvalidClientTokenId", Assert.Throws<AwsException>(() => auth.Authenticate(Signed("ASIAKEY", "secret", Now, "other"), BodyHash)).Code);
    }

    [Fact]
    public void A_tampered_body_is_signature_does_not_match()
    {
        var auth = new Authenticator(new OneKey(new ResolvedCredential("AKID", "secret", Principal.Root("123456789012"))), new FixedClock(Now));
        var e = Assert.Throws<AwsException>(() => auth.Authenticate(Signed("AKID", "secret", Now), SigV4Signer.HexSha256("Action=DeleteRole")));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public void An_inactive_key_is_invalid_client_token_id()
    {
        var auth = new Authenticator(new OneKey(new ResolvedCredential("AKID", "secret", Principal.Root("123456789012"), Active: false)), new FixedClock(Now));
        Assert.Equal("InvalidClientTokenId", Assert.Throws<AwsException>(() => auth.Authenticate(Signed("AKID", "secret", Now), BodyHash)).Code);
    }
}
