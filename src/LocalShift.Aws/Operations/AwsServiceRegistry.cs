using System.Collections.Frozen;
using LocalShift.Aws.Model;
using LocalShift.Aws.Protocols.Json;

namespace LocalShift.Aws.Operations;

/// <summary>
/// One service on the endpoint: its model (every operation of which answers, emulated or <c>NotImplemented</c>), and
/// what implements it — typed operations or S3's HTTP handler.
/// </summary>
public sealed class ServiceEntry
{
    internal ServiceEntry(ServiceModel model, AwsService? typed, IHttpService? http)
    {
        Model = model;
        Typed = typed;
        Http = http;
        if (model.Protocol == AwsProtocol.RestJson) Router = new RestRouter(model);
    }

    public ServiceModel Model { get; }
    public string SigningName => Http?.SigningName ?? Typed?.SigningName ?? Model.SigningName;
    public AwsService? Typed { get; }
    public IHttpService? Http { get; }
    public RestRouter? Router { get; }
    public ValidationStyle Validation => Typed?.Validation ?? ValidationStyle.Coral;

    /// <summary>
    /// The operations that do something (the rest answer <c>NotImplemented</c>). For S3, whose HTTP handler routes
    /// itself, the operations its handler names.
    /// </summary>
    public IReadOnlyCollection<string> Emulated =>
        Typed is not null ? Typed.Operations.Keys.ToArray()
        : Http is IEnumerableOperations e ? e.OperationNames.ToArray()
        : [];
}

/// <summary>An HTTP-level service that can still name the model operations it implements.</summary>
public interface IEnumerableOperations
{
    IEnumerable<string> OperationNames { get; }
}

/// <summary>
/// Every service on the AWS endpoint, keyed by SigV4 signing name: the edge routes from it, the health endpoint lists
/// it, and the authorization coverage test walks it. Each embedded model is a service even when nothing of it is
/// emulated yet, so a client of Glue or Lambda gets its protocol's <c>NotImplemented</c>, not an unknown service.
/// </summary>
public sealed class AwsServiceRegistry
{
    public AwsServiceRegistry(IEnumerable<AwsService> typed, IEnumerable<IHttpService> http)
    {
        var entries = new Dictionary<string, ServiceEntry>(StringComparer.Ordinal);
        foreach (var s in typed) entries.Add(s.SigningName, new ServiceEntry(s.Model, s, null));
        foreach (var s in http)
        {
            var model = ServiceModel.Get(s.SigningName);
            if (s is IEnumerableOperations e && e.OperationNames.FirstOrDefault(o => !model.Operations.ContainsKey(o)) is { } unknown)
                throw new InvalidOperationException($"{s.SigningName}'s handler names an operation its model lacks: {unknown}");
            entries.Add(s.SigningName, new ServiceEntry(model, null, s));
        }
        foreach (var name in ServiceModel.EmbeddedNames)
        {
            var model = ServiceModel.Get(name);
            entries.TryAdd(model.SigningName, new ServiceEntry(model, null, null));
        }
        Services = entries.ToFrozenDictionary(StringComparer.Ordinal);
        ByTargetPrefix = entries.Values.Where(e => e.Model.TargetPrefix is not null)
            .ToFrozenDictionary(e => e.Model.TargetPrefix!, StringComparer.Ordinal);
    }

    public FrozenDictionary<string, ServiceEntry> Services { get; }

    /// <summary>json-protocol services by their <c>X-Amz-Target</c> prefix.</summary>
    public FrozenDictionary<string, ServiceEntry> ByTargetPrefix { get; }

    public ServiceEntry? Find(string signingName) => Services.GetValueOrDefault(signingName);
}
