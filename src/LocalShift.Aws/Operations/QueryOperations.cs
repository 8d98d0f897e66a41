using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using LocalShift.Aws.Model;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Aws.Operations;

/// <summary>A typed operation called through the query protocol: parameters in, the result element's XML out.</summary>
public static class QueryOperations
{
    /// <summary>Reads, validates and runs <paramref name="operation"/>; returns the response document (null: none).</summary>
    public static async ValueTask<JsonObject?> RunAsync(AwsService service, string operation, AwsCall call, QueryParameters parameters, CancellationToken cancellationToken)
    {
        var binding = service.Operations.GetValueOrDefault(operation) ?? throw AwsException.NotImplemented(service.SigningName, operation);
        return await binding.InvokeAsync(call, ReadInput(service, binding, parameters), cancellationToken);
    }

    /// <summary>As <see cref="RunAsync"/>, returning the response record (null: none) for <see cref="QueryRecordWriter"/>.</summary>
    public static ValueTask<object?> RunToRecordAsync(AwsService service, OperationBinding binding, AwsCall call, QueryParameters parameters, CancellationToken cancellationToken) =>
        binding.InvokeToRecordAsync(call, ReadInput(service, binding, parameters), cancellationToken);

    private static JsonObject ReadInput(AwsService service, OperationBinding binding, QueryParameters parameters)
    {
        var op = binding.Model;
        var input = op.Input is null ? new JsonObject() : QueryCodec.Read(op.Input, parameters);
        if (op.Input is not null) ShapeValidator.Validate(op.Input, input, service.Validation, AwsProtocol.Query);
        return input;
    }

    /// <summary>
    /// Writes the whole success answer of <paramref name="op"/> for a response record: straight from the record when
    /// its type has a <see cref="QueryRecordWriter"/> plan, through its JSON document and <see cref="XmlWriter"/>
    /// otherwise. Both give the same bytes.
    /// </summary>
    public static void WriteSuccess(Utf8XmlBuffer output, ServiceModel model, OperationModel op, OperationBinding binding, object? response, string requestId)
    {
        var plan = response is not null && op.Output is not null ? QueryRecordWriter.For(binding.ResponseType, op.Output) : null;
        if (response is not null && op.Output is not null && plan is null)
        {
            var document = binding.ToDocument(response);
            using var stream = new MemoryStream();
            QueryEnvelope.WriteSuccess(stream, model.XmlNamespace!, op.Name, op.ResultWrapper is not null, requestId, w => WriteResult(w, op, document));
            output.Raw(stream.GetBuffer().AsSpan(0, (int)stream.Length));
            return;
        }
        QueryEnvelope.WriteSuccess(output, model.XmlNamespace!, op.Name, op.ResultWrapper is not null, requestId, plan, response);
    }

    /// <summary>Writes the children of the result element for a response document.</summary>
    public static void WriteResult(XmlWriter w, OperationModel op, JsonObject? output)
    {
        if (output is not null && op.Output is not null) QueryCodec.WriteMembers(w, op.Output, output);
    }

    /// <summary>For tests and in-process callers: runs an operation and returns <c>&lt;{Op}Result&gt;…&lt;/{Op}Result&gt;</c>.</summary>
    public static string Invoke(AwsService service, string operation, AwsCall call, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var output = RunAsync(service, operation, call, new QueryParameters(parameters), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            w.WriteStartElement(operation + "Result");
            WriteResult(w, service.Operations[operation].Model, output);
            w.WriteEndElement();
        }
        return sb.ToString();
    }
}
