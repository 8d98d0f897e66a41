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
