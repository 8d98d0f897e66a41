using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>S3's rest-xml documents: writing responses and errors, reading request documents.</summary>
public static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false, Async = false };

    public static async Task WriteAsync(HttpContext http, string root, Action<XmlWriter> body, int status = 200)
    {
        var bytes = Document(root, body, Namespace);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes);
    }

    public static byte[] Document(string root, Action<XmlWriter> body, string? ns)
    {
        var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(root, ns);
            body(w);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return ms.ToArray();
    }

    /// <summary>Writes S3's error document (the rest-xml codec's envelope); HEAD responses carry no body, as in S3.</summary>
    public static async Task WriteErrorAsync(HttpContext http, AwsException e, string requestId, string? resource)
    {
        var error = LocalShift.Aws.Protocols.Xml.RestXmlCodec.Error(e, requestId, resource, HttpMethods.IsHead(http.Request.Method));
        var response = http.Response;
        response.StatusCode = error.Status;
        foreach (var (name, value) in error.Headers) response.Headers[name] = value;
        if (error.Body.Length == 0) return;
        response.ContentType = error.ContentType;
        response.ContentLength = error.Body.Length;
        await response.Body.WriteAsync(error.Body);
    }

    public static void El(this XmlWriter w, string name, string? value)
    {
        if (value is not null) w.WriteElementString(name, value);
    }

    public static void El(this XmlWriter w, string name, long value) => w.WriteElementString(name, value.ToString(CultureInfo.InvariantCulture));
    public static void El(this XmlWriter w, string name, bool value) => w.WriteElementString(name, value ? "true" : "false");
    public static void El(this XmlWriter w, string name, DateTimeOffset value) => w.WriteElementString(name, AwsTime.Iso(value));

    public static void Owner(this XmlWriter w, string element, string account)
    {
        w.WriteStartElement(element);
        w.WriteElementString("ID", CanonicalId(account));
        w.WriteElementString("DisplayName", account);
        w.WriteEndElement();
    }

    /// <summary>A stable 64-hex canonical user id for an account, as S3 shows owners.</summary>
    public static string CanonicalId(string account) => S3Access.CanonicalId(account);

    public static string Quote(string etag) => "\"" + etag + "\"";

    /// <summary>Parses a request document; a body that is not XML is MalformedXML.</summary>
    public static XElement Parse(byte[] body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader).Root ?? throw S3Errors.MalformedXml();
        }
        catch (XmlException) { throw S3Errors.MalformedXml(); }
    }

    public static IEnumerable<XElement> Children(this XElement e, string localName) => e.Elements().Where(x => x.Name.LocalName == localName);
    public static string? Child(this XElement e, string localName) => e.Children(localName).FirstOrDefault()?.Value;

    public static string HttpDate(DateTimeOffset t) => t.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
}
