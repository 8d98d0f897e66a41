using System.Text;
using System.Xml;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>Writes query-protocol responses: the success envelope and the ErrorResponse.</summary>
public static class QueryEnvelope
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        OmitXmlDeclaration = false,
    };

    public static void WriteSuccess(Stream output, string ns, string operation, bool hasResult, string requestId, Action<XmlWriter> writeResult)
    {
        using var w = XmlWriter.Create(output, Settings);
        w.WriteStartDocument();
        w.WriteStartElement(operation + "Response", ns);
        if (hasResult)
        {
            w.WriteStartElement(operation + "Result");
            writeResult(w);
            w.WriteEndElement();
        }
        else
        {
            // The operation still has to run (DeleteRole, PutRolePolicy...); it just writes nothing.
            writeResult(w);
        }
        w.WriteStartElement("ResponseMetadata");
        w.WriteElementString("RequestId", requestId);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    /// <summary>
    /// The success envelope written straight into <paramref name="output"/> (the same bytes as the
    /// <see cref="XmlWriter"/> overload); <paramref name="plan"/> writes <paramref name="record"/> into the result element.
    /// </summary>
    public static void WriteSuccess(Utf8XmlBuffer output, string ns, string operation, bool hasResult, string requestId,
        QueryRecordWriter.Plan? plan, object? record)
    {
        var names = Names.GetOrAdd(operation, static op => (op + "Response", op + "Result"));
        output.WriteDeclaration();
        output.StartElement(names.Response, ns);
        if (hasResult)
        {
            output.StartElement(names.Result);
            if (plan is not null && record is not null) plan.WriteMembers(output, record);
            output.EndElement(names.Result);
        }
        else if (plan is not null && record is not null) plan.WriteMembers(output, record);
        output.StartElement("ResponseMetadata");
        output.ElementString("RequestId", requestId);
        output.EndElement("ResponseMetadata");
        output.EndElement(names.Response);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Response, string Result)> Names = new(StringComparer.Ordinal);

    /// <summary>
    /// The ErrorResponse written straight into <paramref name="output"/>: the same bytes as the <see cref="XmlWriter"/>
    /// overload (a test compares them), which the edge answers every query-protocol error with.
    /// </summary>
    public static void WriteError(Utf8XmlBuffer output, string? ns, AwsException error, string requestId)
    {
        output.WriteDeclaration();
        output.StartElement("ErrorResponse", ns);
        output.StartElement("Error");
        output.ElementString("Type", error.SenderFault ? "Sender" : "Receiver");
        output.ElementString("Code", error.Code);
        output.ElementString("Message", error.Message);
        output.EndElement("Error");
        output.ElementString("RequestId", requestId);
        output.EndElement("ErrorResponse");
    }

    public static void WriteError(Stream output, string? ns, AwsException error, string requestId)
    {
        using var w = XmlWriter.Create(output, Settings);
        w.WriteStartDocument();
        if (ns is null) w.WriteStartElement("ErrorResponse");
        else w.WriteStartElement("ErrorResponse", ns);
        w.WriteStartElement("Error");
        w.WriteElementString("Type", error.SenderFault ? "Sender" : "Receiver");
        w.WriteElementString("Code", error.Code);
        w.WriteElementString("Message", XmlText.Safe(error.Message));
        w.WriteEndElement();
        w.WriteElementString("RequestId", requestId);
        w.WriteEndElement();
        w.WriteEndDocument();
    }
}
