using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using LocalShift.Aws.Model;
using LocalShift.Aws.Protocols.Json;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Xml;

/// <summary>
/// The rest-xml protocol (S3) driven by the model. A request's labels (<c>{Bucket}</c>, greedy <c>{Key+}</c>), query
/// members, headers and header-prefix maps (<c>x-amz-meta-</c>), and its XML payload read per the input shape, into the
/// protocol-neutral document keyed by member names; a response document written back as status code, header members
/// and the XML body per the output shape: members in the model's order, list wrappers and flattened lists under the
/// model's names, timestamps ISO 8601 in bodies and RFC 1123 in headers. Streaming payloads (object bodies) are the
/// caller's: the codec neither reads nor writes them.
/// </summary>
public static class RestXmlCodec
{
    /// <summary>The largest XML request document read (S3's configuration documents are small).</summary>
    public const int MaxDocumentBytes = 64 * 1024;

    private static readonly XmlWriterSettings WriterSettings = new() { Encoding = new UTF8Encoding(false), Indent = false };
    private static readonly XmlReaderSettings ReaderSettings = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };

    // ---- requests ----

    /// <summary>The input member that is the request's body, if the input names one.</summary>
    public static MemberModel? PayloadMember(Shape? shape) =>
        shape?.Payload is { } name ? shape.MembersByName[name] : null;

    /// <summary>
    /// The member of <paramref name="shape"/> that is a streaming payload (an object's body), if it has one. The codec
    /// never reads or writes it: it is the caller's to pass as a stream, so that a body of any size is never buffered.
    /// </summary>
    public static MemberModel? StreamingPayload(Shape? shape) =>
        PayloadMember(shape) is { } p && (p.Streaming || p.Shape.Streaming) ? p : null;

    /// <summary>Whether the request has a payload the codec reads (an XML document or a small text/blob, not a stream).</summary>
    public static bool ReadsBody(OperationModel op) =>
        PayloadMember(op.Input) is { } p && !p.Streaming && !p.Shape.Streaming;

    public static JsonObject Read(OperationModel op, RestRequest request, IReadOnlyDictionary<string, string?> labels)
    {
        var input = op.Input;
        var result = new JsonObject();
        if (input is null) return result;

        if (PayloadMember(input) is { } payload && ReadsBody(op))
        {
            if (IsBlank(request.Body))
            {
                if (input.Required.Contains(payload.Name) && payload.Shape.Type == ShapeType.Structure) throw MalformedXml();
            }
            else if (payload.Shape.Type == ShapeType.Structure)
            {
                var root = Parse(request.Body);
                if (root.Name.LocalName != (payload.LocationName ?? payload.Shape.LocationName ?? payload.Shape.Name)) throw MalformedXml();
                result[payload.Name] = ReadStructure(payload.Shape, root);
            }
            else if (payload.Shape.Type == ShapeType.Blob)
                result[payload.Name] = JsonValue.Create(Convert.ToBase64String(request.Body));
            else
                result[payload.Name] = JsonValue.Create(Encoding.UTF8.GetString(request.Body));
        }

        foreach (var member in input.Members)
        {
            switch (member.Location)
            {
                case MemberLocation.Uri:
                    if (labels.TryGetValue(member.WireName, out var label) && label is not null)
                        result[member.Name] = Scalar(member.Shape, member.WireName, label);
                    break;
                case MemberLocation.QueryString when member.Shape.Type == ShapeType.Map:
                    if (request.QueryMap(input, member) is { Count: > 0 } map) result[member.Name] = map;
                    break;
                case MemberLocation.QueryString:
                    string? first = null;
                    JsonArray? list = null;
                    foreach (var (k, v) in request.Query)
                    {
                        if (k != member.WireName) continue;
                        if (member.Shape.Type == ShapeType.List)
                            (list ??= []).Add(Scalar(member.Shape.Member!.Shape, k, v));
                        else
                        {
                            first = v;
                            break;
                        }
                    }
                    if (list is not null) result[member.Name] = list;
                    else if (first is not null) result[member.Name] = Scalar(member.Shape, member.WireName, first);
                    break;
                case MemberLocation.Header:
                    if (request.Header(member.WireName) is not { } h) break;
                    // RFC 7232 §3.3/§3.4: a conditional header whose value is not an HTTP-date is ignored, not refused.
                    if (member.Shape.Type == ShapeType.Timestamp && IsConditional(member.WireName) && !IsDate(h)) break;
                    if (member.Shape.Type == ShapeType.List)
                        result[member.Name] = new JsonArray(h.Split(',').Select(x => (JsonNode?)Scalar(member.Shape.Member!.Shape, member.WireName, x.Trim())).ToArray());
                    else
                        result[member.Name] = Scalar(member.Shape, member.WireName, h);
                    break;
                case MemberLocation.Headers:
                    var prefix = member.WireName;
                    var headers = new JsonObject();
                    foreach (var (k, v) in request.AllHeaders)
                        if (k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                            headers[k[prefix.Length..].ToLowerInvariant()] = v;
                    if (headers.Count > 0) result[member.Name] = headers;
                    break;
            }
        }
        return result;
    }

    private static bool IsConditional(string header) =>
        header.StartsWith("If-", StringComparison.OrdinalIgnoreCase) || header.StartsWith("x-amz-copy-source-if-", StringComparison.OrdinalIgnoreCase);

    private static bool IsDate(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out _);

    private static bool IsBlank(byte[] body) => body.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');

    /// <summary>Parses a request document; a body that is not XML is <c>MalformedXML</c>.</summary>
    public static XElement Parse(byte[] body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), ReaderSettings);
            return XDocument.Load(reader).Root ?? throw MalformedXml();
        }
        catch (XmlException) { throw MalformedXml(); }
    }

    /// <summary>Reads the members of <paramref name="shape"/> from an element; names are matched without their namespace.</summary>
    public static JsonObject ReadStructure(Shape shape, XElement element)
    {
        var result = new JsonObject();
        foreach (var member in shape.Members)
        {
            if (member.Location != MemberLocation.Body) continue;
            if (member.XmlAttribute)
            {
                var local = LocalPart(member.WireName);
                if (element.Attributes().FirstOrDefault(a => a.Name.LocalName == local) is { } attribute)
                    result[member.Name] = Scalar(member.Shape, member.WireName, attribute.Value);
                continue;
            }
            var shapeOf = member.Shape;
            if (shapeOf.Type == ShapeType.List && (shapeOf.Flattened || member.Flattened))
            {
                var name = FlatName(member);
                var items = new JsonArray();
                foreach (var child in element.Elements().Where(e => e.Name.LocalName == name))
                    items.Add(ReadValue(shapeOf.Member!, child));
                if (items.Count > 0) result[member.Name] = items;
                continue;
            }
            if (element.Elements().FirstOrDefault(e => e.Name.LocalName == member.WireName) is { } found)
                result[member.Name] = ReadValue(member, found);
        }
        return result;
    }

    private static JsonNode ReadValue(MemberModel member, XElement e)
    {
        var shape = member.Shape;
        switch (shape.Type)
        {
            case ShapeType.Structure:
                return ReadStructure(shape, e);
            case ShapeType.List:
                var itemName = shape.Member!.LocationName ?? "member";
                var list = new JsonArray();
                foreach (var child in e.Elements().Where(x => x.Name.LocalName == itemName)) list.Add(ReadValue(shape.Member, child));
                return list;
            case ShapeType.Map:
                var keyName = shape.Key!.LocationName ?? "key";
                var valueName = shape.Value!.LocationName ?? "value";
                var map = new JsonObject();
                foreach (var entry in e.Elements().Where(x => x.Name.LocalName == "entry"))
                {
                    var k = entry.Elements().FirstOrDefault(x => x.Name.LocalName == keyName)?.Value;
                    var v = entry.Elements().FirstOrDefault(x => x.Name.LocalName == valueName);
                    if (k is not null && v is not null) map[k] = ReadValue(shape.Value, v);
                }
                return map;
            default:
                return Scalar(shape, member.WireName, e.Value);
        }
    }

    /// <summary>
    /// A flattened list's element name, as botocore reads and writes it: the list member's locationName, else the
    /// structure member's wire name (<c>Contents</c>, <c>CommonPrefixes</c>, <c>Rule</c>).
    /// </summary>
    private static string FlatName(MemberModel member) => member.Shape.Member!.LocationName ?? member.WireName;

    private static string LocalPart(string name) => name.IndexOf(':') is var colon and >= 0 ? name[(colon + 1)..] : name;

    private static JsonNode Scalar(Shape shape, string name, string text)
    {
        switch (shape.Type)
        {
            case ShapeType.Integer or ShapeType.Long:
                return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                       && (shape.Type == ShapeType.Long || l is >= int.MinValue and <= int.MaxValue)
                    ? JsonValue.Create(l)
                    : throw new RestXmlException("InvalidArgument", $"Provided {name} not an integer or within integer range", 400,
                        ("ArgumentName", name), ("ArgumentValue", text));
            case ShapeType.Float or ShapeType.Double:
                return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? JsonValue.Create(d)
                    // unverified: S3's text for a value that is not a number.
                    : throw new RestXmlException("InvalidArgument", $"Provided {name} is not a number", 400,
                        ("ArgumentName", name), ("ArgumentValue", text));
            case ShapeType.Boolean:
                if (text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(true);
                if (text.Trim().Equals("false", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(false);
                throw MalformedXml();
            case ShapeType.Timestamp:
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                    ? JsonValue.Create(t)
                    // unverified: S3's text for a date it cannot read.
                    : throw new RestXmlException("InvalidArgument", $"Invalid date for {name}", 400, ("ArgumentName", name), ("ArgumentValue", text));
            default:
                return JsonValue.Create(text);
        }
    }

    // ---- responses ----

    /// <summary>
    /// Writes a response document: the status (the model's, or a <c>statusCode</c> member's), the header members, and
    /// the body — the payload member (an XML document rooted at its locationName or shape name, or raw text/bytes), or
    /// the body members under the output's root element (<see cref="XmlRootNames"/>), in <paramref name="xmlNamespace"/>.
    /// </summary>
    /// <param name="itemOrder">
    /// For an output whose flattened lists the service interleaves (<see cref="IInterleavedLists"/>): the member each
    /// successive item belongs to; those lists' items are written in that sequence where the first of them would be.
    /// </param>
    public static RestResponse Write(OperationModel op, JsonObject? value, string? xmlNamespace, IReadOnlyList<string>? itemOrder = null)
    {
        var status = op.ResponseCode;
        var headers = new List<KeyValuePair<string, string>>();
        var output = op.Output;
        if (output is null || value is null) return new RestResponse(status, headers, [], null);

        var hasBody = false;
        foreach (var member in output.Members)
        {
            var v = value[member.Name];
            switch (member.Location)
            {
                case MemberLocation.StatusCode when v is not null:
                    status = v is JsonValue sv && sv.TryGetValue<int>(out var i) ? i : (int)v.GetValue<long>();
                    break;
                case MemberLocation.Header when v is not null:
                    headers.Add(new(member.WireName, MailSafe(HeaderText(member, v))));
                    // A successful answer with a Content-Range is part of the representation: 206 Partial Content (RFC 9110 §15.3.7).
                    if (member.WireName.Equals("Content-Range", StringComparison.OrdinalIgnoreCase) && status == 200) status = 206;
                    break;
                case MemberLocation.Headers when v is JsonObject prefixed:
                    foreach (var (k, hv) in prefixed)
                        if (hv is not null) headers.Add(new(member.WireName + k, MailSafe(hv.GetValue<string>())));
                    break;
                case MemberLocation.Body:
                    hasBody = true;
                    break;
            }
        }

        if (PayloadMember(output) is { } payload)
        {
            var v = value[payload.Name];
            if (v is null || payload.Streaming || payload.Shape.Streaming) return new RestResponse(status, headers, [], null);
            return payload.Shape.Type switch
            {
                ShapeType.Blob => new RestResponse(status, headers, Convert.FromBase64String(v.GetValue<string>()), "application/octet-stream"),
                ShapeType.String => new RestResponse(status, headers, Encoding.UTF8.GetBytes(v.GetValue<string>()), "application/json"),
                _ => new RestResponse(status, headers,
                    Document(payload.LocationName ?? payload.Shape.LocationName ?? payload.Shape.Name, payload.Shape, (JsonObject)v, xmlNamespace),
                    "application/xml"),
            };
        }
        if (!hasBody) return new RestResponse(status, headers, [], null);
        return new RestResponse(status, headers, Document(XmlRootNames.Of(output), output, value, xmlNamespace, itemOrder), "application/xml");
    }

    /// <summary>The XML document of a structure: <c>&lt;root xmlns=…&gt;members&lt;/root&gt;</c>.</summary>
    public static byte[] Document(string root, Shape shape, JsonObject value, string? xmlNamespace, IReadOnlyList<string>? itemOrder = null)
    {
        var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, WriterSettings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(root, xmlNamespace);
            // A root named as the output's only member is that member's value (S3's GetBucketLocation:
            // <LocationConstraint>us-west-2</LocationConstraint>, empty for us-east-1).
            if (shape.MembersByName.TryGetValue(root, out var self) && shape.Members.Count(m => m.Location == MemberLocation.Body) == 1
                && self.Shape.Type is not (ShapeType.Structure or ShapeType.List or ShapeType.Map))
            {
                if (value[root] is { } text) w.WriteString(XmlText.Safe(ScalarText(self, text)));
            }
            else
                WriteMembers(w, shape, value, xmlNamespace, itemOrder);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    private static void WriteMembers(XmlWriter w, Shape shape, JsonObject value, string? ns, IReadOnlyList<string>? itemOrder = null)
    {
        // Attributes first: XmlWriter takes them only before the element's content.
        foreach (var member in shape.Members)
        {
            if (!member.XmlAttribute || member.Location != MemberLocation.Body || value[member.Name] is not { } v) continue;
            var name = member.WireName;
            var colon = name.IndexOf(':');
            if (colon > 0 && shape.XmlNamespace is { } attributeNs)
            {
                var prefix = name[..colon];
                w.WriteAttributeString("xmlns", prefix, null, attributeNs);
                w.WriteAttributeString(prefix, name[(colon + 1)..], attributeNs, ScalarText(member, v));
            }
            else w.WriteAttributeString(name, ScalarText(member, v));
        }
        var interleavedWritten = false;
        foreach (var member in shape.Members)
        {
            if (member.XmlAttribute || member.Location != MemberLocation.Body || value[member.Name] is not { } v) continue;
            if (itemOrder is not null && member.Shape.Type == ShapeType.List && (member.Shape.Flattened || member.Flattened)
                && itemOrder.Contains(member.Name))
            {
                if (!interleavedWritten) WriteInterleaved(w, shape, value, itemOrder, ns);
                interleavedWritten = true;
                continue;
            }
            WriteMember(w, member, member.WireName, v, ns);
        }
    }

    /// <summary>
    /// The items of several flattened lists in one sequence: the next item of <c>itemOrder[i]</c>'s list at step i. Items
    /// the sequence does not reach are written after it, list by list, so none is lost.
    /// </summary>
    private static void WriteInterleaved(XmlWriter w, Shape shape, JsonObject value, IReadOnlyList<string> itemOrder, string? ns)
    {
        var next = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in itemOrder)
        {
            if (!shape.MembersByName.TryGetValue(name, out var member) || value[name] is not JsonArray items) continue;
            var i = next.GetValueOrDefault(name);
            if (i >= items.Count) continue;
            next[name] = i + 1;
            if (items[i] is { } item) WriteMember(w, member.Shape.Member!, FlatName(member), item, ns);
        }
        foreach (var name in itemOrder.Distinct())
        {
            if (!shape.MembersByName.TryGetValue(name, out var member) || value[name] is not JsonArray items) continue;
            for (var i = next.GetValueOrDefault(name); i < items.Count; i++)
                if (items[i] is { } item) WriteMember(w, member.Shape.Member!, FlatName(member), item, ns);
        }
    }

    private static void WriteMember(XmlWriter w, MemberModel member, string name, JsonNode value, string? ns)
    {
        var shape = member.Shape;
        switch (shape.Type)
        {
            case ShapeType.Structure:
                w.WriteStartElement(name, ns);
                WriteMembers(w, shape, (JsonObject)value, ns);
                w.WriteEndElement();
                break;
            case ShapeType.List:
                var items = (JsonArray)value;
                if (shape.Flattened || member.Flattened)
                {
                    var itemName = FlatName(member);
                    foreach (var item in items)
                        if (item is not null) WriteMember(w, shape.Member!, itemName, item, ns);
                }
                else
                {
                    w.WriteStartElement(name, ns);
                    var itemName = shape.Member!.LocationName ?? "member";
                    foreach (var item in items)
                        if (item is not null) WriteMember(w, shape.Member!, itemName, item, ns);
                    w.WriteEndElement();
                }
                break;
            case ShapeType.Map:
                w.WriteStartElement(name, ns);
                foreach (var (k, v) in (JsonObject)value)
                {
                    w.WriteStartElement("entry", ns);
                    w.WriteElementString(shape.Key!.LocationName ?? "key", ns, XmlText.Safe(k));
                    if (v is not null) WriteMember(w, shape.Value!, shape.Value!.LocationName ?? "value", v, ns);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            default:
                w.WriteElementString(name, ns, XmlText.Safe(ScalarText(member, value)));
                break;
        }
    }

    private static string ScalarText(MemberModel member, JsonNode value)
    {
        var v = (JsonValue)value;
        var shape = member.Shape;
        return shape.Type switch
        {
            ShapeType.Boolean => v.GetValue<bool>() ? "true" : "false",
            ShapeType.Integer or ShapeType.Long => v.TryGetValue<long>(out var l) ? l.ToString(CultureInfo.InvariantCulture) : v.ToJsonString(),
            ShapeType.Float or ShapeType.Double => v.GetValue<double>().ToString("R", CultureInfo.InvariantCulture),
            ShapeType.Timestamp => Timestamps.Format(Timestamps.Read(v), member.TimestampFormat ?? shape.TimestampFormat ?? "iso8601"),
            _ => v.GetValue<string>(),
        };
    }

    private static string HeaderText(MemberModel member, JsonNode v) => member.Shape.Type switch
    {
        ShapeType.Timestamp => Timestamps.Format(Timestamps.Read((JsonValue)v), member.TimestampFormat ?? member.Shape.TimestampFormat ?? "rfc822"),
        ShapeType.List => string.Join(",", ((JsonArray)v).Where(x => x is not null).Select(x => ScalarText(member.Shape.Member!, x!))),
        _ => ScalarText(member, v),
    };

    /// <summary>
    /// A value as a header can carry it. S3 accepts non-ASCII metadata and answers it RFC 2047-encoded
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html: "encoded as per RFC 2047 to make them
    /// mail-safe before returning"); plain printable ASCII is answered as is. AWS's choice between the B and Q encodings
    /// is not verified; Q is what the Ceph S3 conformance suite expects for a control character (<c>=?UTF-8?Q?=04mymeta?=</c>).
    /// </summary>
    public static string MailSafe(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~' or '\t')) return value;
        var q = new StringBuilder("=?UTF-8?Q?");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b == ' ') q.Append('_');
            else if (b is > 32 and < 127 && b is not (byte)'=' and not (byte)'?' and not (byte)'_') q.Append((char)b);
            else q.Append('=').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return q.Append("?=").ToString();
    }

    // ---- errors ----

    /// <summary>
    /// S3's error envelope: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;</c>, the error's own details (<c>BucketName</c>,
    /// <c>ArgumentName</c>…), <c>&lt;Resource/&gt;</c> when known, <c>&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/Error&gt;</c>, no namespace.
    /// A HEAD's error has no body, as in S3.
    /// </summary>
    public static RestResponse Error(AwsException e, string requestId, string? resource, bool head)
    {
        var headers = new List<KeyValuePair<string, string>> { new("x-amz-request-id", requestId) };
        if (e is RestXmlException { Headers: var extra })
            foreach (var (n, v) in extra) headers.Add(new(n, v));
        // 304 Not Modified has no body (RFC 9110 §15.4.5), whatever the method.
        if (head || e.HttpStatus == 304) return new RestResponse(e.HttpStatus, headers, [], null);
        var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, WriterSettings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("Error");
            w.WriteElementString("Code", e.Code);
            w.WriteElementString("Message", XmlText.Safe(e.Message));
            if (e is RestXmlException x)
                foreach (var (n, v) in x.Details) w.WriteElementString(n, XmlText.Safe(v));
            if (resource is not null) w.WriteElementString("Resource", XmlText.Safe(resource));
            w.WriteElementString("RequestId", requestId);
            w.WriteElementString("HostId", requestId);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return new RestResponse(e.HttpStatus, headers, buffer.ToArray(), "application/xml");
    }

    public static RestXmlException MalformedXml() => new("MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema", 400);
}

/// <summary>
/// A response record whose flattened lists the service writes interleaved rather than one after the other: S3's
/// ListObjectVersions answers its <c>Version</c> and <c>DeleteMarker</c> elements in one sequence in key order, which the
/// model's two lists cannot say. <see cref="ItemOrder"/> is left out of the document (it is no member); the caller passes
/// it to <see cref="RestXmlCodec.Write"/>.
/// </summary>
public interface IInterleavedLists
{
    /// <summary>The member whose list each successive item of the interleaved lists belongs to; null: one list after another.</summary>
    IReadOnlyList<string>? ItemOrder { get; }
}

/// <summary>
/// A rest-xml error: besides the code, message and status, the elements S3 adds to its error document
/// (<c>BucketName</c>, <c>ArgumentName</c>/<c>ArgumentValue</c>, …) and the headers it sends with it.
/// </summary>
public class RestXmlException(string code, string message, int httpStatus, params (string Name, string Value)[] details)
    : AwsException(code, message, httpStatus, httpStatus < 500)
{
    public IReadOnlyList<(string Name, string Value)> Details { get; } = details;

    /// <summary>Headers answered with the error (a delete marker's <c>x-amz-delete-marker</c>, for one).</summary>
    public List<(string Name, string Value)> Headers { get; } = [];
}
