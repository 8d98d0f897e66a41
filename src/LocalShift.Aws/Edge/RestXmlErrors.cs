using System.Text;
using System.Xml;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Aws.Edge;

/// <summary>S3's error document: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;RequestId/&gt;&lt;/Error&gt;</c>.</summary>
public static class RestXmlErrors
{
    /// <summary>S3 names some authentication failures differently from the query services.</summary>
    public static AwsException FromEdge(AwsException e) => e.Code switch
    {
        "InvalidClientTokenId" => new AwsException("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403),
        "RequestExpired" => new AwsException("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403),
        "IncompleteSignature" => new AwsException("AuthorizationHeaderMalformed", e.Message, 400),
        "ExpiredToken" => new AwsException("ExpiredToken", "The provided token has expired.", 400),
        _ => e,
    };

    public static async Task WriteAsync(HttpContext http, AwsException e, string requestId, IEnumerable<(string Name, string Value)>? extra = null)
    {
        if (http.Response.HasStarted) return;
        using var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("Error");
            w.WriteElementString("Code", e.Code);
            w.WriteElementString("Message", LocalShift.Aws.Protocols.XmlText.Safe(e.Message));
            if (extra is not null)
                foreach (var (n, v) in extra) w.WriteElementString(n, LocalShift.Aws.Protocols.XmlText.Safe(v));
            w.WriteElementString("RequestId", requestId);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        http.Response.StatusCode = e.HttpStatus;
        http.Response.Headers["x-amz-request-id"] = requestId;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentLength = 0;
            return;
        }
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
