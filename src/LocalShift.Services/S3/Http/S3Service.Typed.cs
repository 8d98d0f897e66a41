using System.Collections.Frozen;
using System.Text.Json.Nodes;
using LocalShift.Aws;
using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Aws.Protocols.Json;
using LocalShift.Aws.Protocols.Xml;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// The operations moved onto typed records (<see cref="S3Operations"/>): routed here like the others, then read with
/// the rest-xml codec from S3's model, run, and written back with it. A request document is read through
/// <see cref="RequestPayload"/>, so its SHA-256, Content-MD5 and checksums are held to their claims as before.
/// </summary>
public sealed partial class S3Service
{
    private readonly S3Operations _typed = typed;

    /// <summary>The typed operations (for the shape conformance test and the registry).</summary>
    public S3Operations Typed => _typed;

    /// <summary>
    /// Where S3 answers another status than the model's (botocore's model gives these no <c>responseCode</c>; S3 answers
    /// 204 No Content, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html and API_PutBucketPolicy.html).
    /// </summary>
    private static readonly Dictionary<string, int> StatusOverrides = new(StringComparer.Ordinal)
    {
        ["PutBucketTagging"] = 204,
        ["PutBucketPolicy"] = 204,
    };

    /// <summary>The largest request document an operation reads (a bigger one is MalformedXML, as before).</summary>
    private static int DocumentLimit(string operation) => operation switch
    {
        "PutBucketPolicy" => S3Operations.MaxPolicyBytes,
        "DeleteObjects" => S3Operations.MaxDeleteDocumentBytes,
        "CompleteMultipartUpload" => S3Operations.MaxCompleteDocumentBytes,
        _ => RestXmlCodec.MaxDocumentBytes,
    };

    private FrozenDictionary<string, Operation>? _operations;

    /// <summary>Each emulated operation's runner, made once (a request only looks its operation up).</summary>
    private FrozenDictionary<string, Operation> Runners => _operations ??=
        _typed.Operations.ToFrozenDictionary(kv => kv.Key, kv =>
        {
            var binding = kv.Value;
            return (Operation)((r, call) => RunTypedAsync(binding, r, call));
        }, StringComparer.Ordinal);

    private async Task RunTypedAsync(OperationBinding binding, S3Request r, AwsCall call)
    {
        var op = binding.Model;
        var http = r.Http;
        JsonObject input;
        try
        {
            byte[] body = [];
            if (RestXmlCodec.ReadsBody(op))
            {
                // CompleteMultipartUpload's x-amz-checksum-* headers are the whole object's, not its document's.
                using var payload = new RequestPayload(r, checksumHeadersDescribeBody: op.Name != "CompleteMultipartUpload");
                body = await payload.ReadSmallAsync(DocumentLimit(op.Name), http.RequestAborted);
            }
            var request = new RestRequest(r.Method, http.Request.Path.Value ?? "/", r.Query.ToArray(), r.Header,
                http.Request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString())), body);
            input = RestXmlCodec.Read(op, request, new Dictionary<string, string?>(2) { ["Bucket"] = r.Bucket, ["Key"] = r.Key });
        }
        catch (LocalShift.Core.AwsException) when (S3Operations.AuthorizesBeforeDocument(op.Name))
        {
            // Permission comes first, as in S3: a caller who may not make the call is AccessDenied whatever its document
            // (malformed, too big, failing its checksum). The operation itself authorizes a request that could be read,
            // so each request is authorized, and logged, once.
            _typed.AuthorizeDocumentOperation(call, op.Name, r.Bucket!, r.Key);
            throw;
        }
        if (RestXmlCodec.StreamingPayload(op.Output) is not null || RestXmlCodec.StreamingPayload(op.Input) is not null || op.Name == "CompleteMultipartUpload")
        {
            await RunStreamingAsync(binding, input, r, call);
            return;
        }
        var record = await binding.InvokeToRecordAsync(call, input, http.RequestAborted);
        var response = RestXmlCodec.Write(op, binding.ToDocument(record), S3Xml.Namespace, (record as IInterleavedLists)?.ItemOrder);
        WriteHead(http, op, response);
        if (response.Body.Length == 0 || HttpMethods.IsHead(r.Method)) return;
        http.Response.ContentType = response.ContentType;
        http.Response.ContentLength = response.Body.Length;
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
    }

    /// <summary>Status and headers; Content-Length, a header member of object reads, goes where Kestrel keeps it.</summary>
    private static void WriteHead(HttpContext http, OperationModel op, RestResponse response)
    {
        http.Response.StatusCode = StatusOverrides.TryGetValue(op.Name, out var status) ? status : response.Status;
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                http.Response.ContentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            else http.Response.Headers.Append(name, value);
        }
    }

    /// <summary>
    /// An operation whose output has a streaming payload (GetObject's body): run on its records, so that the body, an
    /// open file, passes from the operation to the response without becoming part of the document; the rest of the
    /// output is written by the codec as headers, and the body is sent after them. A streaming request body (PutObject's,
    /// UploadPart's) is passed to the operation unread. CompleteMultipartUpload runs here too: its answer's Location is
    /// made a URL on the endpoint the client reached, which the operation does not know.
    /// </summary>
    private async Task RunStreamingAsync(OperationBinding binding, JsonObject input, S3Request r, AwsCall call)
    {
        var http = r.Http;
        object request;
        try { request = System.Text.Json.JsonSerializer.Deserialize(input, binding.RequestType, OperationBinding.Options)!; }
        catch (System.Text.Json.JsonException e)
        {
            throw new LocalShift.Core.AwsException("SerializationException", $"The request could not be read: {e.Path}", 400);
        }
        // The request's body, read (and held to its claims) only when the operation stages it.
        if (request is Shapes.PutObjectRequest put) request = put with { Body = new DeferredRequestPayload(r) };
        else if (request is Shapes.UploadPartRequest part) request = part with { Body = new DeferredPartPayload(r) };
        var result = await binding.InvokeRecordAsync(call, request, http.RequestAborted);
        // CompleteMultipartUpload's Location is a URL on the endpoint the client reached; the operation knows the path.
        if (result is Shapes.CompleteMultipartUploadOutput { Location: { } path } done)
            result = done with { Location = $"{http.Request.Scheme}://{http.Request.Host.Value}{path}" };
        await using var body = (result as Shapes.GetObjectOutput)?.Body;
        var document = result is null ? null : (JsonObject?)System.Text.Json.JsonSerializer.SerializeToNode(result, binding.ResponseType, OperationBinding.Options);
        var response = RestXmlCodec.Write(binding.Model, document, S3Xml.Namespace);
        WriteHead(http, binding.Model, response);
        if (HttpMethods.IsHead(r.Method)) return;
        if (body is not null)
        {
            // The head goes into the response pipe first: bytes written to a response not yet started are held in a
            // buffer of Kestrel's and copied behind the head at the first flush, a second copy of the body in memory.
            await http.Response.StartAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.BodyWriter, http.RequestAborted);
        }
        else if (response.Body.Length > 0)
        {
            http.Response.ContentType = response.ContentType;
            http.Response.ContentLength = response.Body.Length;
            await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
        }
    }
}
