using System.Globalization;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>What S3's HTTP edge still writes itself: the error document (through the rest-xml codec) and HTTP dates; every
/// operation's documents are the codec's.</summary>
public static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

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

    public static string HttpDate(DateTimeOffset t) => t.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
}
