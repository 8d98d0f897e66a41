using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Storage.Objects;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// S3's HTTP binding. The edge has authenticated the request; this class finds the operation from the method, the
/// bucket/key and the query's sub-resource, runs it (each operation authorizes through <see cref="S3Access"/>), and writes
/// the answer or S3's XML error. Operations live in the partial files by family.
/// </summary>
public sealed partial class S3Service(S3Access access, S3Operations typed) : IHttpService, LocalShift.Aws.Operations.IEnumerableOperations
{
    /// <summary>The edge over the typed operations the in-process callers (<see cref="S3Objects"/>) share.</summary>
    public S3Service(S3Operations typed) : this(typed.Access, typed) { }

    public S3Service(S3Access access) : this(new S3Operations(access)) { }

    public S3Service(IObjectStore store) : this(new S3Access(store)) { }

    public string SigningName => "s3";
    public bool AllowsAnonymous => true;

    private IObjectStore Store => access.Store;

    public async Task HandleAsync(HttpContext http, AwsCall call)
    {
        S3Request? request = null;
        http.Response.Headers["x-amz-request-id"] = call.RequestId;
        try
        {
            request = S3Request.From(http);
            call = S3ConditionKeys.Scope(call, request, RestrictsPublicAccess);
            var operation = Route(request, out var model);
            CheckExpectedBucketOwners(model, request);
            await operation(request, call);
        }
        // A body that ends early or a client that resets mid-body is the request's fault (IncompleteBody); any other I/O
        // error (the disk's) is not: it goes on to the edge, which logs it and answers 500 InternalError.
        catch (Exception e) when (e is AwsException or ObjectStoreException or BadHttpRequestException
            or Microsoft.AspNetCore.Connections.ConnectionResetException
            || e is IOException && http.RequestAborted.IsCancellationRequested)
        {
            if (http.Response.HasStarted) { http.Abort(); return; }
            var error = e switch
            {
                AwsException a => a,
                ObjectStoreException s => S3Errors.From(s, request?.Bucket ?? "", request?.Key, request?.Q("uploadId")),
                BadHttpRequestException => S3Errors.IncompleteBody(),
                _ => S3Errors.IncompleteBody(),
            };
            http.Response.Clear();
            var resource = request is null ? null : "/" + request.Bucket + (request.Key is null ? "" : "/" + request.Key);
            await S3Xml.WriteErrorAsync(http, error, call.RequestId, resource);
        }
    }

    private delegate Task Operation(S3Request request, AwsCall call);

    /// <summary>
    /// The emulated operations: the typed operations, each named as S3's model names it (the service registry refuses a
    /// name the model lacks). The hand-written handler methods a reflection scan used to add here are all gone.
    /// </summary>
    public IEnumerable<string> OperationNames => _typed.Operations.Keys.Order(StringComparer.Ordinal);

    /// <summary>S3's routing table, derived once from its model (see <see cref="S3Router"/>).</summary>
    public static readonly S3Router Router = new(LocalShift.Aws.Model.ServiceModel.Get("s3"));

    /// <summary>The model's operation a request names, or the error S3 answers when it names none.</summary>
    private Operation Route(S3Request r, out LocalShift.Aws.Model.OperationModel model)
    {
        var route = Router.Match(r.Method, r.Bucket, r.Key, r.Query, r.Http.Request.Headers, r.VirtualHosted);
        if (route.Operation is { } op)
        {
            model = op;
            return Runners.TryGetValue(op.Name, out var run) ? run : throw NotEmulated(op.Name);
        }
        var shape = S3Router.ShapeOf(r.Bucket, r.Key);
        if (!route.MethodAllowed)
            throw S3Errors.MethodNotAllowed(r.Method.ToUpperInvariant(), shape.ToString().ToUpperInvariant());
        var sub = route.UnknownSubresource is { Length: > 0 } s ? "?" + s : "";
        throw S3Errors.NotImplemented($"The S3 operation {r.Method.ToUpperInvariant()} {(shape == LocalShift.Aws.Operations.S3PathShape.Object ? "object" : "bucket")}{sub}");
    }

    /// <summary>An operation of S3's model that LocalShift does not emulate: S3's XML NotImplemented, naming it.</summary>
    internal static S3Exception NotEmulated(string operation) => S3Errors.NotImplemented($"The operation {operation} of service s3");
}
