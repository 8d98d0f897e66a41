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
        var op = binding.Model;
        var input = op.Input is null ? new JsonObject() : QueryCodec.Read(op.Input, parameters);
        if (op.Input is not null) ShapeValidator.Validate(op.Input, input, service.Validation, AwsProtocol.Query);
        return await binding.InvokeAsync(call, input, cancellationToken);
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
