using System.Text;
using System.Xml;
using System.Xml.Linq;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Aws.Protocols.Query;

namespace LocalShift.Services.Tests.Query;

/// <summary>
/// Runs a query-protocol operation once, the way the edge does, and writes its answer both ways: straight from the
/// response record (<see cref="QueryRecordWriter"/>, what the edge sends) and through the record's JSON document and
/// XmlWriter (the path it replaced, still taken by records without a plan). The two must be the same bytes; every
/// service test that calls through a harness checks this on its own data.
/// </summary>
public static class BothQueryWriters
{
    /// <summary>The <c>&lt;{Op}Result&gt;</c> element, as <see cref="QueryOperations.Invoke"/> returns it.</summary>
    public static XElement Invoke(AwsService service, string operation, AwsCall call, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var binding = service.Operations[operation];
        var op = binding.Model;
        var record = QueryOperations.RunToRecordAsync(service, binding, call, new QueryParameters(parameters), CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
        var document = binding.ToDocument(record);
        const string requestId = "0f6f1bd5-8e0c-4b9f-a5c3-2f1b8a1e7c42";

        using var direct = new Utf8XmlBuffer(64);
        QueryOperations.WriteSuccess(direct, service.Model, op, binding, record, requestId);
        using var viaDocument = new MemoryStream();
        QueryEnvelope.WriteSuccess(viaDocument, service.Model.XmlNamespace!, op.Name, op.ResultWrapper is not null, requestId,
            w => QueryOperations.WriteResult(w, op, document));
        Assert.Equal(Encoding.UTF8.GetString(viaDocument.ToArray()), Encoding.UTF8.GetString(direct.Written.Span));

        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            w.WriteStartElement(operation + "Result");
            QueryOperations.WriteResult(w, op, document);
            w.WriteEndElement();
        }
        return XElement.Parse(sb.ToString());
    }
}
