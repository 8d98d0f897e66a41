using LocalShift.Core;

namespace LocalShift.Aws.SigV4;

/// <summary>The parts of a SigV4 <c>Authorization</c> header or of a presigned URL's X-Amz-* parameters.</summary>
public sealed record SigV4Credential(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature)
{
    public string Scope { get; } = $"{Date}/{Region}/{Service}/aws4_request";

    /// <summary>Parses <c>AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex</c>.</summary>
    public static SigV4Credential ParseHeader(string header)
    {
        if (!header.StartsWith(SigV4Signer.Algorithm, StringComparison.Ordinal))
            throw new AwsException("IncompleteSignature",
                $"Unsupported AWS 'algorithm': '{header.Split(' ')[0]}'. Only {SigV4Signer.Algorithm} is supported.", 400);
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[SigV4Signer.Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            switch (key)
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }
        var missing = new List<string>();
        if (credential is null) missing.Add("Authorization header requires 'Credential' parameter.");
        if (signature is null) missing.Add("Authorization header requires 'Signature' parameter.");
        if (signedHeaders is null) missing.Add("Authorization header requires 'SignedHeaders' parameter.");
        if (missing.Count > 0)
            throw new AwsException("IncompleteSignature", string.Join(" ", missing) + $" Authorization={header}", 400);
        return FromParts(credential!, signedHeaders!, signature!, "Authorization header");
    }

    public static SigV4Credential FromParts(string credential, string signedHeaders, string signature, string where)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[1].Length != 8)
            throw new AwsException("IncompleteSignature",
                $"Credential should be scoped to a valid region, service and request type, e.g. AKID/20261128/us-east-1/iam/aws4_request. Got '{credential}' in {where}.", 400);
        if (scope[0].Length == 0)
            throw new AwsException("IncompleteSignature", $"Credential must name an access key id in {where}.", 400);
        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries);
        return new SigV4Credential(scope[0], scope[1], scope[2], scope[3], headers, signature);
    }
}
