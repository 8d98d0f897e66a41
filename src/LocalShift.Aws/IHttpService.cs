using Microsoft.AspNetCore.Http;

namespace LocalShift.Aws;

/// <summary>
/// A service whose protocol is HTTP itself (S3's rest-xml): the edge authenticates the request, then hands it over whole.
/// The request's SigV4 details (for aws-chunked bodies) are in <see cref="SigV4.SignatureContext"/> on <c>HttpContext.Items</c>.
/// </summary>
public interface IHttpService
{
    string SigningName { get; }

    /// <summary>True when this service may be called without credentials (the service then authorizes the anonymous principal).</summary>
    bool AllowsAnonymous { get; }

    Task HandleAsync(HttpContext http, AwsCall call);
}
