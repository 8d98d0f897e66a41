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
