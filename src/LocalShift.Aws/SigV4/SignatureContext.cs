namespace LocalShift.Aws.SigV4;

/// <summary>What a verified SigV4 request leaves behind for payload checks: the signing key, the seed signature, the scope.</summary>
public sealed record SignatureContext(
    byte[] SigningKey,
    string SeedSignature,
    string AmzDate,
    string Scope,
    string PayloadHash);
