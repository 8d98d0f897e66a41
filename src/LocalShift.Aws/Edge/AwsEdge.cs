using System.Security.Cryptography;
using System.Xml;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalShift.Aws.Edge;

/// <summary>
/// The single HTTP entry of every emulated AWS service: route by the SigV4 scope, authenticate, parse per protocol,
/// run the operation (which authorizes), write the answer or the error in the protocol's envelope.
/// </summary>
public sealed class AwsEdge
{
    private readonly Authenticator _authenticator;
    private readonly IAuthorizer _authorizer;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Dictionary<string, QueryService> _query;
    private readonly Dictionary<string, IHttpService> _http;

    public AwsEdge(ICredentialResolver credentials, IAuthorizer authorizer, IEnumerable<QueryService> queryServices,
        IEnumerable<IHttpService> httpServices, TimeProvider clock, ILogger<AwsEdge> log)
    {
        _authenticator = new Authenticator(credentials, clock);
        _authorizer = authorizer;
        _clock = clock;
        _log = log;
        _query = queryServices.ToDictionary(s => s.SigningName, StringComparer.Ordinal);
        _http = httpServices.ToDictionary(s => s.SigningName, StringComparer.Ordinal);
    }

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = AwsIds.RequestId();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var service = Authenticator.ScopeService(http.Request);

        if (service is null && LooksLikeQueryCall(http.Request) is false && _http.TryGetValue("s3", out var anonymousTarget))
            service = anonymousTarget.SigningName;

        if (service is not null && _http.TryGetValue(service, out var httpService))
        {
            await HandleHttpServiceAsync(http, httpService, requestId);
            return;
        }

        _query.TryGetValue(service ?? "", out var queryService);
        try
        {
            if (service is null)
                throw new AwsException("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
            if (queryService is null)
                throw new AwsException("UnknownService",
                    $"The service '{service}' named in the credential scope is not emulated by LocalShift. Emulated: {string.Join(", ", _query.Keys.Concat(_http.Keys).Order())}.", 400);
            await HandleQueryAsync(http, queryService, requestId);
        }
        catch (AwsException e)
        {
            await WriteQueryErrorAsync(http, queryService?.XmlNamespace, e, requestId);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            _log.LogError(e, "Unhandled error in {Service} request {RequestId}", service, requestId);
            await WriteQueryErrorAsync(http, queryService?.XmlNamespace, Internal(), requestId);
        }
    }

    private async Task HandleQueryAsync(HttpContext http, QueryService service, string requestId)
    {
        var body = await QueryRequestReader.ReadBodyAsync(http.Request, http.RequestAborted);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var auth = _authenticator.Authenticate(http.Request, payloadHash);
        var parameters = QueryRequestReader.Parse(http.Request, body);
        var action = parameters.Get("Action");
        if (string.IsNullOrEmpty(action))
            throw new AwsException("MissingAction", "Missing Action", 400);
        if (!service.TryGetOperation(action, out var operation, out var hasResult))
            throw AwsException.NotImplemented(service.SigningName, action);

        var call = NewCall(http, auth, action, requestId);
        using var buffer = new MemoryStream();
        QueryEnvelope.WriteSuccess(buffer, service.XmlNamespace, action, hasResult, requestId, w => operation(call, parameters, w));
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/xml";
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
    }

    private async Task HandleHttpServiceAsync(HttpContext http, IHttpService service, string requestId)
    {
        AwsCall call;
        try
        {
            AuthenticatedRequest auth;
            if (Authenticator.HasHeaderSignature(http.Request) || Authenticator.HasQuerySignature(http.Request))
                auth = _authenticator.Authenticate(http.Request, payloadHash: null);
            else if (service.AllowsAnonymous)
                auth = new AuthenticatedRequest(service.SigningName, "us-east-1", Anonymous, null, null);
            else
                throw new AwsException("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
            if (auth.Signature is not null) http.Items[typeof(SignatureContext)] = auth.Signature;
            call = NewCall(http, auth, http.Request.Method, requestId);
        }
        catch (AwsException e)
        {
            await RestXmlErrors.WriteAsync(http, RestXmlErrors.FromEdge(e), requestId);
            return;
        }
        try
        {
            await service.HandleAsync(http, call);
        }
        catch (AwsException e) when (!http.Response.HasStarted)
        {
            await RestXmlErrors.WriteAsync(http, e, requestId);
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            _log.LogError(e, "Unhandled error in {Service} request {RequestId}", service.SigningName, requestId);
            await RestXmlErrors.WriteAsync(http, Internal(), requestId);
        }
    }

    private static readonly Principal Anonymous = new()
    {
        Kind = PrincipalKind.Anonymous, AccountId = "", Arn = "*", UserId = "anonymous",
    };

    private AwsCall NewCall(HttpContext http, AuthenticatedRequest auth, string operation, string requestId) => new()
    {
        Service = auth.Service,
        Operation = operation,
        Region = auth.Region,
        RequestId = requestId,
        Caller = auth.Principal,
        AccessKeyId = auth.AccessKeyId,
        Time = _clock.GetUtcNow(),
        SourceIp = http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
        SecureTransport = http.Request.IsHttps,
        Authorizer = _authorizer,
    };

    /// <summary>A form POST with an Action, or a GET with ?Action=, is a query-protocol call; anything else may be S3.</summary>
    private static bool LooksLikeQueryCall(HttpRequest r) =>
        r.Query.ContainsKey("Action") ||
        (HttpMethods.IsPost(r.Method) && (r.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                                      && (r.Path.Value is null or "/" or ""));

    /// <summary>
    /// The answer to a bug: generic on purpose, since an exception's type and text can name host paths and internals.
    /// The exception itself is logged with the request id the answer carries.
    /// </summary>
    private static AwsException Internal() =>
        new("InternalFailure", "LocalShift failed while handling this request. This is a LocalShift bug; the server log has the details under this request's id.", 500, senderFault: false);

    /// <summary>
    /// A call in the JSON protocols, whose client reads errors only from a JSON body: <c>json</c> (an X-Amz-Target
    /// header, an <c>application/x-amz-json-1.x</c> body: Glue, the Redshift Data API) or <c>rest-json</c> (a JSON body
    /// or none, on a resource path: Lambda). A query-protocol call (an Action, a form body to /) is answered in XML.
    /// </summary>
    private static bool IsJsonCall(HttpRequest request) =>
        request.Headers.ContainsKey("X-Amz-Target")
        || request.ContentType is { } type && (type.StartsWith("application/x-amz-json", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        || !LooksLikeQueryCall(request);

    /// <summary>The JSON protocols' error envelope: the code in <c>__type</c> and in <c>x-amzn-ErrorType</c>, the text in <c>message</c>.</summary>
    private static async Task WriteJsonErrorAsync(HttpContext http, AwsException e, string requestId)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["__type"] = e.Code, ["message"] = e.Message });
        http.Response.StatusCode = e.HttpStatus;
        http.Response.ContentType = "application/x-amz-json-1.1";
        http.Response.Headers["x-amzn-ErrorType"] = e.Code;
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }

    private static async Task WriteQueryErrorAsync(HttpContext http, string? ns, AwsException e, string requestId)
    {
        if (http.Response.HasStarted) return;
        if (ns is null && IsJsonCall(http.Request))
        {
            await WriteJsonErrorAsync(http, e, requestId);
            return;
        }
        using var buffer = new MemoryStream();
        QueryEnvelope.WriteError(buffer, ns, e, requestId);
        http.Response.StatusCode = e.HttpStatus;
        http.Response.ContentType = "text/xml";
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
