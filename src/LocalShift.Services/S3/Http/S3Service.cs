using LocalShift.Aws;
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
            var operation = Route(request);
            await operation(request, call);
        }
        catch (Exception e) when (e is AwsException or ObjectStoreException or BadHttpRequestException or IOException)
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
    /// The operations <see cref="Route"/> can choose: every method of this class with the <see cref="Operation"/> shape,
    /// each named as S3's model names it (the service registry refuses a name the model lacks, so a helper of the same
    /// shape cannot pass for an operation).
    /// </summary>
    public IEnumerable<string> OperationNames => OperationMethods.Concat(_typed.Operations.Keys).Order(StringComparer.Ordinal);

    private static readonly string[] OperationMethods = typeof(S3Service)
        .GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
        .Where(m => m.ReturnType == typeof(Task) && m.GetParameters() is [{ ParameterType: var a }, { ParameterType: var b }]
            && a == typeof(S3Request) && b == typeof(AwsCall))
        .Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();

    private Operation Route(S3Request r)
    {
        var m = r.Method.ToUpperInvariant();
        if (r.Bucket is null)
            return m == "GET" ? TypedOperation("ListBuckets") : throw S3Errors.MethodNotAllowed(m, "SERVICE");

        if (r.Key is null)
        {
            return m switch
            {
                "GET" when r.Has("location") => TypedOperation("GetBucketLocation"),
                "GET" when r.Has("policyStatus") => TypedOperation("GetBucketPolicyStatus"),
                "GET" when r.Has("policy") => TypedOperation("GetBucketPolicy"),
                "GET" when r.Has("uploads") => TypedOperation("ListMultipartUploads"),
                "GET" when r.Has("versioning") => TypedOperation("GetBucketVersioning"),
                "GET" when r.Has("versions") => TypedOperation("ListObjectVersions"),
                "GET" when r.Has("acl") => TypedOperation("GetBucketAcl"),
                "GET" when r.Has("encryption") => TypedOperation("GetBucketEncryption"),
                "GET" when r.Has("publicAccessBlock") => TypedOperation("GetPublicAccessBlock"),
                "GET" when r.Has("ownershipControls") => TypedOperation("GetBucketOwnershipControls"),
                "GET" when r.Has("tagging") => TypedOperation("GetBucketTagging"),
                "PUT" when r.Has("tagging") => TypedOperation("PutBucketTagging"),
                "DELETE" when r.Has("tagging") => TypedOperation("DeleteBucketTagging"),
                "PUT" when r.Has("encryption") => TypedOperation("PutBucketEncryption"),
                "PUT" when r.Has("publicAccessBlock") => TypedOperation("PutPublicAccessBlock"),
                "PUT" when r.Has("ownershipControls") => TypedOperation("PutBucketOwnershipControls"),
                "DELETE" when r.Has("encryption") => TypedOperation("DeleteBucketEncryption"),
                "DELETE" when r.Has("publicAccessBlock") => TypedOperation("DeletePublicAccessBlock"),
                "DELETE" when r.Has("ownershipControls") => TypedOperation("DeleteBucketOwnershipControls"),
                "GET" when r.Q("list-type") == "2" => TypedOperation("ListObjectsV2"),
                "GET" when NoSubresource(r) => TypedOperation("ListObjects"),
                "PUT" when r.Has("policy") => TypedOperation("PutBucketPolicy"),
                "PUT" when r.Has("versioning") => TypedOperation("PutBucketVersioning"),
                "PUT" when NoSubresource(r) => TypedOperation("CreateBucket"),
                "DELETE" when r.Has("policy") => TypedOperation("DeleteBucketPolicy"),
                "DELETE" when NoSubresource(r) => TypedOperation("DeleteBucket"),
                "HEAD" => TypedOperation("HeadBucket"),
                "POST" when r.Has("delete") => TypedOperation("DeleteObjects"),
                "GET" or "PUT" or "DELETE" or "POST" => throw Unsupported(r),
                _ => throw S3Errors.MethodNotAllowed(m, "BUCKET"),
            };
        }

        return m switch
        {
            "GET" when r.Has("uploadId") => TypedOperation("ListParts"),
            "GET" when r.Has("tagging") => TypedOperation("GetObjectTagging"),
            "GET" when r.Has("acl") => TypedOperation("GetObjectAcl"),
            "GET" when r.Has("attributes") => TypedOperation("GetObjectAttributes"),
            "GET" when NoSubresource(r) => TypedOperation("GetObject"),
            "HEAD" when NoSubresource(r) => TypedOperation("HeadObject"),
            "PUT" when r.Has("partNumber") && r.Has("uploadId") => TypedOperation(r.Header("x-amz-copy-source") is null ? "UploadPart" : "UploadPartCopy"),
            "PUT" when r.Has("tagging") => TypedOperation("PutObjectTagging"),
            "PUT" when NoSubresource(r) => r.Header("x-amz-copy-source") is null ? TypedOperation("PutObject") : TypedOperation("CopyObject"),
            "DELETE" when r.Has("uploadId") => TypedOperation("AbortMultipartUpload"),
            "DELETE" when r.Has("tagging") => TypedOperation("DeleteObjectTagging"),
            "DELETE" when NoSubresource(r) => TypedOperation("DeleteObject"),
            "POST" when r.Has("uploads") => TypedOperation("CreateMultipartUpload"),
            "POST" when r.Has("uploadId") => TypedOperation("CompleteMultipartUpload"),
            "GET" or "PUT" or "DELETE" or "POST" or "HEAD" => throw Unsupported(r),
            _ => throw S3Errors.MethodNotAllowed(m, "OBJECT"),
        };
    }

    /// <summary>Query parameters that are options of the plain operations, not sub-resources naming another operation.</summary>
    private static readonly HashSet<string> Options =
    [
        "x-id", "prefix", "delimiter", "marker", "max-keys", "encoding-type", "list-type", "continuation-token", "start-after",
        "fetch-owner", "versionId", "partNumber", "response-content-type", "response-content-language", "response-expires",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "X-Amz-Algorithm",
        "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
        "x-amz-checksum-mode", "optional-object-attributes", "bucket-region", "max-buckets", "continuation-token",
    ];

    private static bool NoSubresource(S3Request r) => r.Query.Keys.All(k => Options.Contains(k) || k.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase));

    private static S3Exception Unsupported(S3Request r)
    {
        var sub = r.Query.Keys.FirstOrDefault(k => !Options.Contains(k)) ?? "";
        return S3Errors.NotImplemented($"The S3 operation {r.Method} {(r.Key is null ? "bucket" : "object")}{(sub.Length > 0 ? "?" + sub : "")}");
    }
}
