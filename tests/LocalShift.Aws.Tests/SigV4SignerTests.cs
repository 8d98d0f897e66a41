using LocalShift.Aws.SigV4;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

/// <summary>Values from AWS's published SigV4 example (IAM ListUsers, 2015-08-30, the documentation's example key).</summary>
public class SigV4SignerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static string ListUsersCanonicalRequest() => SigV4Signer.CanonicalRequest(
        "GET", "/",
        SigV4Signer.CanonicalQueryString([("Version", "2010-05-08"), ("Action", "ListUsers")]),
        [("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", "iam.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
        SigV4Signer.EmptyPayloadHash);

    [Fact]
    public void Canonical_request_matches_the_published_example()
    {
        Assert.Equal("""
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """.ReplaceLineEndings("\n"), ListUsersCanonicalRequest());
        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", SigV4Signer.HexSha256(ListUsersCanonicalRequest()));
    }

    [Fact]
    public void String_to_sign_matches_the_published_example()
    {
        var sts = SigV4Signer.StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", ListUsersCanonicalRequest());
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", sts);
    }

    [Fact]
    public void Signing_key_and_signature_match_the_published_example()
    {
        var key = SigV4Signer.SigningKey(Secret, "20150830", "us-east-1", "iam");
        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", Convert.ToHexStringLower(key));
        var sts = SigV4Signer.StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", ListUsersCanonicalRequest());
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", SigV4Signer.Signature(key, sts));
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("~-_.", "~-_.")]
    [InlineData("é", "%C3%A9")]
    [InlineData("a/b", "a%2Fb")]
    public void Uri_encoding_keeps_only_unreserved_characters(string raw, string encoded) =>
        Assert.Equal(encoded, SigV4Signer.UriEncode(raw, encodeSlash: true));

    [Fact]
    public void Canonical_uri_is_encoded_once_for_s3_and_twice_elsewhere()
    {
        Assert.Equal("/bucket/my%20key", SigV4Signer.CanonicalUri("/bucket/my%20key", doubleEncode: false));
        Assert.Equal("/documents%2520and%2520settings/", SigV4Signer.CanonicalUri("/documents%20and%20settings/", doubleEncode: true));
    }

    [Fact]
    public void Canonical_query_sorts_by_encoded_name_then_value()
    {
        Assert.Equal("A=2&B=1&a=3&b=x%20y",
            SigV4Signer.CanonicalQueryString([("b", "x y"), ("a", "3"), ("B", "1"), ("A", "2")]));
    }

    [Fact]
    public void Header_values_are_trimmed_and_inner_spaces_collapse() =>
        Assert.Equal("a b c", SigV4Signer.TrimHeaderValue("  a   b  c "));

    [Fact]
    public void Authorization_header_parses_scope_and_signed_headers()
    {
        var c = SigV4Credential.ParseHeader("AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/redshift/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc");
        Assert.Equal(("AKID", "20261128", "eu-west-1", "redshift"), (c.AccessKeyId, c.Date, c.Region, c.Service));
        Assert.Equal(["content-type", "host", "x-amz-date"], c.SignedHeaders);
        Assert.Equal("abc", c.Signature);
    }

    [Fact]
    public void Authorization_header_without_signature_is_an_incomplete_signature()
    {
        var e = Assert.Throws<AwsException>(() => SigV4Credential.ParseHeader("AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/sts/aws4_request, SignedHeaders=host"));
        Assert.Equal("IncompleteSignature", e.Code);
        Assert.Contains("Authorization header requires 'Signature' parameter.", e.Message);
    }

    [Fact]
    public void Credential_with_a_malformed_scope_is_an_incomplete_signature()
    {
        var e = Assert.Throws<AwsException>(() => SigV4Credential.ParseHeader("AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1, SignedHeaders=host, Signature=x"));
        Assert.Equal("IncompleteSignature", e.Code);
    }
}

public class SigV4FastPathTests
{
    [Theory]
    [InlineData("20261207T171500Z")]
    [InlineData("20240229T235959Z")]
    [InlineData("20230229T000000Z")]
    [InlineData("20261307T000000Z")]
    [InlineData("20261200T000000Z")]
    [InlineData("20261207T240000Z")]
    [InlineData("20261207T236000Z")]
    [InlineData("20261207T235960Z")]
    [InlineData("00001207T000000Z")]
    [InlineData("20261207T171500")]
    [InlineData("20261207 171500Z")]
    [InlineData("2026120T171500Z")]
    [InlineData("20261207T171500ZZ")]
    [InlineData(" 20261207T171500Z")]
    [InlineData("2026-12-07T17:15:00Z")]
    [InlineData("2026120٧T171500Z")]
    [InlineData("+0261207T171500Z")]
    [InlineData("")]
    public void The_amz_date_parser_accepts_what_the_exact_format_accepts(string text)
    {
        var general = DateTimeOffset.TryParseExact(text, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var expected);
        var fast = LocalShift.Aws.Edge.Authenticator.TryParseAmzDate(text, out var actual);
        Assert.Equal(general, fast);
        if (general)
        {
            Assert.Equal(expected, actual);
            Assert.Equal(expected.Offset, actual.Offset);
        }
    }

    [Theory]
    [InlineData("POST", "/", "", "")]
    [InlineData("GET", "/a%20b/c", "Action=ListRoles&PathPrefix=%2F", "é")]
    [InlineData("PUT", "/bucket/key", "", "  spaced   value  ")]
    public void The_span_verifier_agrees_with_the_string_signature(string method, string uri, string query, string extra)
    {
        var key = SigV4Signer.SigningKey("secret", "20261207", "us-east-1", "sts");
        var otherKey = SigV4Signer.SigningKey("other", "20261207", "us-east-1", "sts");
        var headers = new List<(string, string)> { ("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", "localhost:4566"), ("x-amz-date", "20261207T171500Z") };
        if (extra.Length > 0) headers.Add(("x-amz-meta-a", extra));
        var hash = SigV4Signer.HexSha256("Action=GetCallerIdentity&Version=2011-06-15");
        const string scope = "20261207/us-east-1/sts/aws4_request";
        var canonical = SigV4Signer.CanonicalRequest(method, uri, query, headers, hash);
        var signature = SigV4Signer.Signature(key, SigV4Signer.StringToSign("20261207T171500Z", scope, canonical));

        Assert.True(SigV4Signer.VerifySignature(key, "20261207T171500Z", scope, method, uri, query, headers, hash, signature));
        // The per-thread HMAC follows a change of key, and back.
        Assert.False(SigV4Signer.VerifySignature(otherKey, "20261207T171500Z", scope, method, uri, query, headers, hash, signature));
        Assert.True(SigV4Signer.VerifySignature(key, "20261207T171500Z", scope, method, uri, query, headers, hash, signature));
        Assert.False(SigV4Signer.VerifySignature(key, "20261207T171500Z", scope, method, uri, query, headers, hash, signature.ToUpperInvariant()));
        Assert.False(SigV4Signer.VerifySignature(key, "20261207T171501Z", scope, method, uri, query, headers, hash, signature));
        Assert.False(SigV4Signer.VerifySignature(key, "20261207T171500Z", scope, method, uri, query, headers, hash, signature[..63]));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/a/b-c_d.e~f")]
    [InlineData("/a%2Fb")]
    [InlineData("/a b")]
    [InlineData("/é")]
    public void The_canonical_uri_fast_path_matches_the_general_one(string path)
    {
        foreach (var doubleEncode in new[] { true, false })
        {
            var segments = string.IsNullOrEmpty(path) ? ["/"] : path.Split('/').Select(s =>
            {
                var once = SigV4Signer.UriEncode(Uri.UnescapeDataString(s), encodeSlash: true);
                return doubleEncode ? SigV4Signer.UriEncode(once, encodeSlash: true) : once;
            });
            var expected = string.IsNullOrEmpty(path) ? "/" : string.Join('/', segments);
            Assert.Equal(expected, SigV4Signer.CanonicalUri(path, doubleEncode));
        }
    }
}
