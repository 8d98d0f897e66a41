using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws.Model;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Json;

/// <summary>
/// The JSON bodies of the <c>json</c> (1.0/1.1) and <c>rest-json</c> protocols driven by the model: a request body
/// read into the protocol-neutral document with every value checked against its shape's type (timestamps as epoch
/// seconds or ISO 8601 text), and a document written back with timestamps as epoch seconds.
/// </summary>
public static class JsonCodec
{
    public static JsonObject Read(Shape input, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return new JsonObject();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            throw Serialization("The request body is not valid JSON.");
        }
        if (root is null) return new JsonObject();
        if (root is not JsonObject o) throw Serialization("Start of structure or map found where not expected.");
        return ReadStructure(input, o);
    }

    /// <summary>Reads the body members of <paramref name="shape"/> out of a parsed object (unknown members are ignored, as AWS does).</summary>
    public static JsonObject ReadStructure(Shape shape, JsonObject o)
    {
        var result = new JsonObject();
        foreach (var member in shape.Members)
        {
            if (member.Location != MemberLocation.Body) continue;
            if (!o.TryGetPropertyValue(member.WireName, out var v) || v is null) continue;
            result[member.Name] = ReadValue(member.Shape, v, member.Name);
        }
        return result;
    }

    private static JsonNode ReadValue(Shape shape, JsonNode v, string name)
    {
        switch (shape.Type)
        {
            case ShapeType.Structure:
                return v is JsonObject o ? ReadStructure(shape, o) : throw Unexpected(name);
            case ShapeType.Document:
                return v.DeepClone();
            case ShapeType.List:
                if (v is not JsonArray a) throw Unexpected(name);
                var list = new JsonArray();
                foreach (var item in a) list.Add(item is null ? null : ReadValue(shape.Member!.Shape, item, name));
                return list;
            case ShapeType.Map:
                if (v is not JsonObject m) throw Unexpected(name);
                var map = new JsonObject();
                foreach (var (k, item) in m) map[k] = item is null ? null : ReadValue(shape.Value!.Shape, item, name);
                return map;
        }
        if (v is not JsonValue value) throw Unexpected(name);
        var kind = value.GetValueKind();
        switch (shape.Type)
        {
            case ShapeType.String or ShapeType.Blob when kind == JsonValueKind.String:
                return JsonValue.Create(value.GetValue<string>());
            case ShapeType.Boolean when kind is JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(kind == JsonValueKind.True);
            case ShapeType.Integer or ShapeType.Long when kind == JsonValueKind.Number:
                return value.TryGetValue<long>(out var l) ? JsonValue.Create(l) : throw Unexpected(name);
            case ShapeType.Float or ShapeType.Double when kind == JsonValueKind.Number:
                return JsonValue.Create(value.GetValue<double>());
            case ShapeType.Timestamp when kind == JsonValueKind.Number:
                return JsonValue.Create(Timestamps.FromSeconds(value.GetValue<double>()));
            case ShapeType.Timestamp when kind == JsonValueKind.String:
                return JsonValue.Create(Timestamps.Parse(value.GetValue<string>(), name));
            default:
                throw Unexpected(name);
        }
    }

    private static AwsException Unexpected(string name) =>
        // unverified: AWS's exact text for a value of the wrong JSON type (its Coral front end names the token it met).
        Serialization($"The value of {name} has the wrong type.");

    public static AwsException Serialization(string message) => new("SerializationException", message, 400);

    /// <summary>Writes the body members of <paramref name="shape"/> from a response document.</summary>
    public static void WriteStructure(Utf8JsonWriter w, Shape shape, JsonObject value, bool bodyOnly = true)
    {
        w.WriteStartObject();
        foreach (var member in shape.Members)
        {
            if (bodyOnly && member.Location != MemberLocation.Body) continue;
            var v = value[member.Name];
            if (v is null) continue;
            w.WritePropertyName(member.WireName);
            WriteValue(w, member, member.Shape, v);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, MemberModel member, Shape shape, JsonNode v)
    {
        switch (shape.Type)
        {
            case ShapeType.Structure:
                WriteStructure(w, shape, (JsonObject)v);
                return;
            case ShapeType.Document:
                v.WriteTo(w);
                return;
            case ShapeType.List:
                w.WriteStartArray();
                foreach (var item in (JsonArray)v)
                    if (item is null) w.WriteNullValue();
                    else WriteValue(w, shape.Member!, shape.Member!.Shape, item);
                w.WriteEndArray();
                return;
            case ShapeType.Map:
                w.WriteStartObject();
                foreach (var (k, item) in (JsonObject)v)
                {
                    w.WritePropertyName(k);
                    if (item is null) w.WriteNullValue();
                    else WriteValue(w, shape.Value!, shape.Value!.Shape, item);
                }
                w.WriteEndObject();
                return;
            case ShapeType.Timestamp:
                var t = Timestamps.Read((JsonValue)v);
                var format = member.TimestampFormat ?? shape.TimestampFormat ?? "unixTimestamp";
                if (format == "unixTimestamp") w.WriteNumberValue(Timestamps.Seconds(t));
                else w.WriteStringValue(Timestamps.Format(t, format));
                return;
            default:
                v.WriteTo(w);
                return;
        }
    }
}
