using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Aws.Protocols.Json;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalShift.Aws.Edge;

/// <summary>
/// The single HTTP entry of every emulated AWS service: route by the SigV4 scope, authenticate, read the request with
/// the protocol the service's model names (query, json, rest-json), validate it against the model, run the typed
/// operation (which authorizes), and write the answer or the error in that protocol's format. S3 (rest-xml) is handed
/// over whole to its HTTP handler.
/// </summary>
public sealed class AwsEdge
{
    private readonly Authenticator _authenticator;
    private readonly IAuthorizer _authorizer;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly AwsServiceRegistry _registry;

    public AwsEdge(ICredentialResolver credentials, IAuthorizer authorizer, AwsServiceRegistry registry, TimeProvider clock, ILogger<AwsEdge> log)
    {
        _authenticator = new Authenticator(credentials, clock);
        _authorizer = authorizer;
        _clock = clock;
        _log = log;
        _registry = registry;
    }

    public AwsServiceRegistry Registry => _registry;

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = AwsIds.RequestId();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var service = Authenticator.ScopeService(http.Request);

        if (service is null && LooksLikeQueryCall(http.Request) is false && TargetService(http.Request) is null
            && _registry.Find("s3") is { Http: { } anonymousTarget })
            service = anonymousTarget.SigningName;

        // S3 Object Lambda's WriteGetObjectResponse is in S3's model but signed for s3-object-lambda (the CLI's --debug shows it).
        var entry = service is null ? TargetService(http.Request) : _registry.Find(service == "s3-object-lambda" ? "s3" : service);
        if (entry?.Http is { } httpService)
        {
            await HandleHttpServiceAsync(http, httpService, requestId);
            return;
        }

        var protocol = entry?.Model.Protocol ?? (IsJsonCall(http.Request) ? AwsProtocol.Json : AwsProtocol.Query);
        try
        {
            if (service is null)
                throw new AwsException("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
            if (entry is null)
                throw new AwsException("UnknownService",
                    $"The service '{service}' named in the credential scope is not emulated by LocalShift. Emulated: {string.Join(", ", _registry.Services.Keys.Order())}.", 400);
            await HandleOperationAsync(http, entry, requestId);
        }
        catch (AwsException e)
        {
            await WriteErrorAsync(http, entry, protocol, e, requestId);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            _log.LogError(e, "Unhandled error in {Service} request {RequestId}", service, requestId);
            await WriteErrorAsync(http, entry, protocol, Internal(), requestId);
        }
    }

    /// <summary>An unsigned json-protocol call names its service only in <c>X-Amz-Target</c>.</summary>
    private ServiceEntry? TargetService(HttpRequest request)
    {
        var target = request.Headers["X-Amz-Target"].ToString();
        var dot = target.IndexOf('.');
        return dot > 0 ? _registry.ByTargetPrefix.GetValueOrDefault(target[..dot]) : null;
    }

    private async Task HandleOperationAsync(HttpContext http, ServiceEntry entry, string requestId)
    {
        var body = await QueryRequestReader.ReadBodyAsync(http.Request, http.RequestAborted,
            entry.Typed?.MaxRequestBytes ?? QueryRequestReader.MaxBodyBytes);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var auth = _authenticator.Authenticate(http.Request, payloadHash);
        var model = entry.Model;

        switch (model.Protocol)
        {
            case AwsProtocol.Query:
            {
                var parameters = QueryRequestReader.Parse(http.Request, body);
                var action = parameters.Get("Action");
                if (string.IsNullOrEmpty(action))
                    throw new AwsException("MissingAction", "Missing Action", 400);
                if (!model.Operations.TryGetValue(action, out var op))
                    throw new AwsException("InvalidAction", $"Could not find operation {action} for version {model.ApiVersion}", 400);
                var call = NewCall(http, auth, action, requestId);
                if (entry.Typed is { } typed && typed.Operations.TryGetValue(action, out var binding))
                {
                    var output = await QueryOperations.RunToRecordAsync(typed, binding, call, parameters, http.RequestAborted);
                    using var buffer = new Utf8XmlBuffer();
                    QueryOperations.WriteSuccess(buffer, model, op, binding, output, requestId);
                    http.Response.StatusCode = 200;
                    http.Response.ContentType = "text/xml";
                    http.Response.ContentLength = buffer.Length;
                    await http.Response.Body.WriteAsync(buffer.Written, http.RequestAborted);
                }
                else throw AwsException.NotImplemented(entry.SigningName, action);
                return;
            }
            case AwsProtocol.Json:
            {
                var target = http.Request.Headers["X-Amz-Target"].ToString();
                var dot = target.LastIndexOf('.');
                var name = dot < 0 ? "" : target[(dot + 1)..];
                if (dot < 0 || target[..dot] != model.TargetPrefix || !model.Operations.TryGetValue(name, out var op))
                    // AWS's Coral front end answers an unknown target with this code and no message.
                    throw new AwsException("UnknownOperationException", "", 400);
                var binding = entry.Typed?.Operations.GetValueOrDefault(name) ?? throw AwsException.NotImplemented(entry.SigningName, name);
                var call = NewCall(http, auth, name, requestId);
                var input = op.Input is null ? new JsonObject() : JsonCodec.Read(op.Input, body);
                if (op.Input is not null) ShapeValidator.Validate(op.Input, input, entry.Validation, AwsProtocol.Json);
                var output = await binding.InvokeAsync(call, input, http.RequestAborted);
                using var buffer = new MemoryStream();
                using (var w = new Utf8JsonWriter(buffer))
                {
                    if (output is not null && op.Output is not null) JsonCodec.WriteStructure(w, op.Output, output);
                    else { w.WriteStartObject(); w.WriteEndObject(); }
                }
                await WriteBufferAsync(http, 200, "application/x-amz-json-" + (model.JsonVersion ?? "1.1"), buffer);
                return;
            }
            case AwsProtocol.RestJson:
            {
                var query = http.Request.Query.SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))).ToList();
                var path = http.Request.Path.HasValue ? http.Request.Path.ToUriComponent() : "/";
                var match = entry.Router!.Match(http.Request.Method, path, query)
                    // unverified: AWS's text for a path no operation of the service has.
                    ?? throw new AwsException("UnknownOperationException", $"No operation of {entry.SigningName} answers {http.Request.Method} {path}.", 404);
                var op = match.Operation;
                var binding = entry.Typed?.Operations.GetValueOrDefault(op.Name) ?? throw AwsException.NotImplemented(entry.SigningName, op.Name);
                var call = NewCall(http, auth, op.Name, requestId);
                var request = new RestRequest(http.Request.Method, path, query,
                    h => http.Request.Headers.TryGetValue(h, out var v) ? v.ToString() : null,
                    http.Request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString())), body);
                var input = RestJsonCodec.Read(op, request, match.Labels);
                if (op.Input is not null) ShapeValidator.Validate(op.Input, input, entry.Validation, AwsProtocol.RestJson);
                var output = await binding.InvokeAsync(call, input, http.RequestAborted);
                await WriteRestAsync(http, RestJsonCodec.Write(op, output));
                return;
            }
            default:
                throw AwsException.NotImplemented(entry.SigningName, http.Request.Method);
        }
    }

    private static async Task WriteBufferAsync(HttpContext http, int status, string contentType, MemoryStream buffer)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
    }

    private static async Task WriteRestAsync(HttpContext http, RestResponse response)
    {
        http.Response.StatusCode = response.Status;
        foreach (var (k, v) in response.Headers) http.Response.Headers.Append(k, v);
        if (response.ContentType is not null) http.Response.ContentType = response.ContentType;
        http.Response.ContentLength = response.Body.Length;
        if (response.Body.Length > 0) await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
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
    /// Whether an unrouted call (no service could be named) is one of the JSON protocols, whose clients read errors only
    /// from a JSON body: an <c>X-Amz-Target</c> header, a JSON body, or anything not shaped like a query call.
    /// </summary>
    private static bool IsJsonCall(HttpRequest request) =>
        request.Headers.ContainsKey("X-Amz-Target")
        || request.ContentType is { } type && (type.StartsWith("application/x-amz-json", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        || !LooksLikeQueryCall(request);

    /// <summary>Writes an error in the format of the protocol the caller speaks.</summary>
    private static async Task WriteErrorAsync(HttpContext http, ServiceEntry? entry, AwsProtocol protocol, AwsException e, string requestId)
    {
        if (http.Response.HasStarted) return;
        switch (protocol)
        {
            case AwsProtocol.Json:
                await WriteJsonErrorAsync(http, entry?.Model, e, requestId);
                return;
            case AwsProtocol.RestJson:
                await WriteRestAsync(http, RestJsonCodec.Error(e));
                return;
            default:
                using (var buffer = new Utf8XmlBuffer(512))
                {
                    QueryEnvelope.WriteError(buffer, entry?.Model.XmlNamespace, e, requestId);
                    http.Response.StatusCode = e.HttpStatus;
                    http.Response.ContentType = "text/xml";
                    http.Response.ContentLength = buffer.Length;
                    await http.Response.Body.WriteAsync(buffer.Written);
                }
                return;
        }
    }

    /// <summary>
    /// The json protocol's error: the code in <c>__type</c> and in <c>x-amzn-ErrorType</c>, the text under the name the
    /// model's error shape gives it (<c>Message</c> for Glue's errors, <c>message</c> otherwise).
    /// </summary>
    private static async Task WriteJsonErrorAsync(HttpContext http, ServiceModel? model, AwsException e, string requestId)
    {
        var messageName = model?.Shapes.GetValueOrDefault(e.Code) is { IsException: true } shape && shape.MembersByName.ContainsKey("Message")
            ? "Message" : "message";
        var error = new Dictionary<string, string> { ["__type"] = e.Code };
        if (e.Message.Length > 0) error[messageName] = e.Message;
        var body = JsonSerializer.SerializeToUtf8Bytes(error);
        http.Response.StatusCode = e.HttpStatus;
        http.Response.ContentType = "application/x-amz-json-" + (model?.JsonVersion ?? "1.1");
        http.Response.Headers["x-amzn-ErrorType"] = e.Code;
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }
}
