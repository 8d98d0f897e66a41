using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws;
using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.WebConsole;

/// <summary>
/// Calls a typed AWS operation as the signed-in principal, the way the edge does for a signed request: the request
/// record becomes the protocol-neutral document, is validated against the service's model, and runs through the same
/// binding, so the operation authorizes (and the decision log records) exactly as for the CLI.
/// </summary>
public sealed class OperationCaller(AwsServiceRegistry registry, IAuthorizer authorizer, TimeProvider clock)
{
    public async Task<TResponse?> CallAsync<TRequest, TResponse>(HttpContext http, ResolvedCredential caller, string region, string service, string operation, TRequest request)
        where TRequest : class where TResponse : class
    {
        var typed = registry.Find(service)?.Typed ?? throw new InvalidOperationException($"{service} has no typed operations");
        var binding = typed.Operations.GetValueOrDefault(operation) ?? throw AwsException.NotImplemented(service, operation);
        if (binding.RequestType != typeof(TRequest) || (binding.ResponseType != typeof(TResponse) && typeof(TResponse) != typeof(NoOutput)))
            throw new InvalidOperationException($"{service}:{operation} takes {binding.RequestType.Name} and returns {binding.ResponseType.Name}");
        if (binding.Model.Input is not null)
        {
            // Checked against the model as the edge checks a request: the record as the document a protocol reader makes.
            var input = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(request, OperationBinding.Options))?.AsObject() ?? new JsonObject();
            ShapeValidator.Validate(binding.Model.Input, input, typed.Validation, typed.Model.Protocol);
        }
        var call = new AwsCall
        {
            Service = typed.SigningName,
            Operation = operation,
            Region = region,
            RequestId = AwsIds.RequestId(),
            Caller = caller.Principal,
            AccessKeyId = caller.AccessKeyId,
            Time = clock.GetUtcNow(),
            SourceIp = http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
            SecureTransport = http.Request.IsHttps,
            Authorizer = authorizer,
        };
        return await binding.InvokeRecordAsync(call, request, http.RequestAborted) as TResponse;
    }

    /// <summary>For operations without output.</summary>
    public Task CallAsync<TRequest>(HttpContext http, ResolvedCredential caller, string region, string service, string operation, TRequest request)
        where TRequest : class => CallAsync<TRequest, NoOutput>(http, caller, region, service, operation, request);
}
