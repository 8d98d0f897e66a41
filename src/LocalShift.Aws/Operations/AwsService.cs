using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LocalShift.Aws.Model;

namespace LocalShift.Aws.Operations;

/// <summary>
/// A service whose operations are typed calls: each takes a request record and returns a response record (or throws
/// an <see cref="Core.AwsException"/>). The service knows no HTTP, XML or JSON: the edge reads a request with the
/// protocol its model names, validates it against the model, binds it to the record, and writes the record back out
/// with the same model. Record properties carry the model's member names; a conformance test checks every record
/// against its shape.
/// </summary>
public abstract class AwsService
{
    private readonly Dictionary<string, OperationBinding> _operations = new(StringComparer.Ordinal);

    protected AwsService(string modelName) => Model = ServiceModel.Get(modelName);

    public ServiceModel Model { get; }

    /// <summary>The SigV4 signing name clients use for this service.</summary>
    public virtual string SigningName => Model.SigningName;

    /// <summary>How a request breaking the model's constraints is answered; AWS's Coral services by default.</summary>
    public virtual ValidationStyle Validation => ValidationStyle.Coral;

    public IReadOnlyDictionary<string, OperationBinding> Operations => _operations;

    /// <summary>The largest request body the edge reads for this service (1 MB unless the service takes more).</summary>
    public virtual int MaxRequestBytes => Protocols.Query.QueryRequestReader.MaxBodyBytes;

    /// <summary>Registers an operation returning a response.</summary>
    protected void Operation<TRequest, TResponse>(string name, Func<AwsCall, TRequest, TResponse> handler)
        where TRequest : class where TResponse : class =>
        Add(new OperationBinding<TRequest, TResponse>(Check(name), (call, input, _) => ValueTask.FromResult<TResponse?>(handler(call, input))));

    /// <summary>Registers an asynchronous operation returning a response.</summary>
    protected void Operation<TRequest, TResponse>(string name, Func<AwsCall, TRequest, CancellationToken, Task<TResponse>> handler)
        where TRequest : class where TResponse : class =>
        Add(new OperationBinding<TRequest, TResponse>(Check(name), async (call, input, ct) => await handler(call, input, ct)));

    /// <summary>Registers an operation whose model has no output (or whose output is empty).</summary>
    protected void Operation<TRequest>(string name, Action<AwsCall, TRequest> handler) where TRequest : class =>
        Add(new OperationBinding<TRequest, NoOutput>(Check(name), (call, input, _) =>
        {
            handler(call, input);
            return ValueTask.FromResult<NoOutput?>(null);
        }));

    private OperationModel Check(string name) =>
        Model.Operations.TryGetValue(name, out var op)
            ? op
            : throw new InvalidOperationException($"{name} is not an operation of the {Model.Name} model");

    private void Add(OperationBinding binding) => _operations.Add(binding.Model.Name, binding);
}

/// <summary>The response of an operation that returns nothing.</summary>
public sealed record NoOutput;

/// <summary>One registered operation: binds the protocol-neutral document to the request record and the response back.</summary>
public abstract class OperationBinding
{
    /// <summary>
    /// How records are bound: property names are the model's member names, absent members stay null, null members are
    /// not written, enums as their names.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter() },
    };

    protected OperationBinding(OperationModel model) => Model = model;

    public OperationModel Model { get; }
    public abstract Type RequestType { get; }
    public abstract Type ResponseType { get; }

    /// <summary>Runs the operation on a validated request document; returns the response document (null: no output).</summary>
    public abstract ValueTask<JsonObject?> InvokeAsync(AwsCall call, JsonObject input, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the operation on a validated request document and returns the response record itself (null: no output),
    /// for a protocol writer that writes records directly; <see cref="ToDocument"/> turns it into the document.
    /// </summary>
    public abstract ValueTask<object?> InvokeToRecordAsync(AwsCall call, JsonObject input, CancellationToken cancellationToken);

    /// <summary>The response document of a record <see cref="InvokeToRecordAsync"/> returned (null: no output).</summary>
    public abstract JsonObject? ToDocument(object? response);

    /// <summary>
    /// Runs the operation on a request record already validated against the model (the web console's path: the same
    /// handler and authorization, without writing the response record out as a document and reading it back).
    /// </summary>
    public abstract ValueTask<object?> InvokeRecordAsync(AwsCall call, object request, CancellationToken cancellationToken);
}

internal sealed class OperationBinding<TRequest, TResponse>(
    OperationModel model, Func<AwsCall, TRequest, CancellationToken, ValueTask<TResponse?>> handler) : OperationBinding(model)
    where TRequest : class where TResponse : class
{
    public override Type RequestType => typeof(TRequest);
    public override Type ResponseType => typeof(TResponse);

    public override async ValueTask<JsonObject?> InvokeAsync(AwsCall call, JsonObject input, CancellationToken cancellationToken) =>
        ToDocument(await InvokeToRecordAsync(call, input, cancellationToken));

    public override JsonObject? ToDocument(object? response) =>
        response is null || response is NoOutput ? null : (JsonObject)JsonSerializer.SerializeToNode((TResponse)response, Options)!;

    public override async ValueTask<object?> InvokeToRecordAsync(AwsCall call, JsonObject input, CancellationToken cancellationToken)
    {
        TRequest request;
        try
        {
            request = input.Deserialize<TRequest>(Options)!;
        }
        catch (JsonException e)
        {
            // The protocol readers give every value its model type, so this is a member whose record type disagrees.
            throw new Core.AwsException("SerializationException", $"The request could not be read: {e.Path}", 400);
        }
        var response = await handler(call, request, cancellationToken);
        return response is null || response is NoOutput ? null : response;
    }

    public override async ValueTask<object?> InvokeRecordAsync(AwsCall call, object request, CancellationToken cancellationToken) =>
        await handler(call, (TRequest)request, cancellationToken);
}
