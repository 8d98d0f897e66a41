using LocalShift.Core;

namespace LocalShift.Aws.Edge;

/// <summary>The outcome of authentication: the service it is for, the region, and who calls.</summary>
public sealed record AuthenticatedRequest(
    string Service,
    string Region,
    Principal Principal,
    string? AccessKeyId,
    SigV4.SignatureContext? Signature);
