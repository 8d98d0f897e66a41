using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml;
using LocalShift.Aws.Model;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>
/// The query protocol driven by the model: form parameters into the protocol-neutral document (member names as keys),
/// and a document out as the <c>&lt;{Op}Result&gt;</c> XML. Lists are <c>Name.{member locationName or "member"}.N</c>
/// (flattened: <c>Name.N</c>), maps <c>Name.entry.N.key/value</c>; the .NET SDK's <c>Name.member.N</c> is accepted
/// for lists whose members have another name.
/// </summary>
public static class QueryCodec
{
    public static JsonObject Read(Shape input, QueryParameters parameters)
    {
        var keys = parameters.All;
        return ReadStructure(input, "", keys);
    }

    private static JsonObject ReadStructure(Shape shape, string prefix, IReadOnlyDictionary<string, string> keys)
    {
        var result = new JsonObject();
        foreach (var member in shape.Members)
        {
            var key = prefix + member.WireName;
            if (ReadValue(member, member.Shape, key, keys) is { } value) result[member.Name] = value;
        }
        return result;
    }

    private static JsonNode? ReadValue(MemberModel member, Shape shape, string key, IReadOnlyDictionary<string, string> keys)
    {
        switch (shape.Type)
        {
            case ShapeType.Structure:
                var head = key + ".";
                return keys.Keys.Any(k => k.StartsWith(head, StringComparison.Ordinal)) ? ReadStructure(shape, head, keys) : null;
            case ShapeType.List:
                return ReadList(member, shape, key, keys);
            case ShapeType.Map:
                return ReadMap(member, shape, key, keys);
            default:
                return keys.TryGetValue(key, out var text) ? Scalar(shape, member.Name, text) : null;
        }
    }

    private static JsonArray? ReadList(MemberModel member, Shape shape, string key, IReadOnlyDictionary<string, string> keys)
    {
        var flattened = shape.Flattened || member.Flattened;
        var prefixes = new List<string>(2);
        if (flattened)
        {
            prefixes.Add(key);
        }
        else
        {
            prefixes.Add(key + "." + (shape.Member!.LocationName ?? "member"));
            if (shape.Member.LocationName is not null) prefixes.Add(key + ".member");
        }
        foreach (var listPrefix in prefixes)
        {
            var indexes = Indexes(listPrefix, keys);
            if (indexes.Count == 0) continue;
            var array = new JsonArray();
            foreach (var n in indexes)
            {
                // An index given as a bare value where the member is a structure (Tags.member.2=x) is an empty
                // structure, for the operation's own validation to judge; a scalar index given only with sub-keys
                // (Names.member.1.x=y) has no value and is left out. Never a null element.
                var item = ReadValue(shape.Member!, shape.Member!.Shape, $"{listPrefix}.{n}", keys)
                           ?? (shape.Member.Shape.Type == ShapeType.Structure ? new JsonObject() : null);
                if (item is not null) array.Add(item);
            }
            return array;
        }
        return keys.ContainsKey(key) ? new JsonArray() : null;
    }

    private static JsonObject? ReadMap(MemberModel member, Shape shape, string key, IReadOnlyDictionary<string, string> keys)
    {
        var entryPrefix = shape.Flattened || member.Flattened ? key : key + ".entry";
        var indexes = Indexes(entryPrefix, keys);
        if (indexes.Count == 0) return keys.ContainsKey(key) ? new JsonObject() : null;
        var map = new JsonObject();
        var keyName = shape.Key!.LocationName ?? "key";
        var valueName = shape.Value!.LocationName ?? "value";
        foreach (var n in indexes)
        {
            if (!keys.TryGetValue($"{entryPrefix}.{n}.{keyName}", out var k)) continue;
            // An entry without its value is left out, as a list index without one is.
            if (ReadValue(shape.Value, shape.Value.Shape, $"{entryPrefix}.{n}.{valueName}", keys) is { } value) map[k] = value;
        }
        return map;
    }

    /// <summary>The N of every <c>{prefix}.N</c> or <c>{prefix}.N.…</c> key, in order.</summary>
    private static SortedSet<int> Indexes(string prefix, IReadOnlyDictionary<string, string> keys)
    {
        var found = new SortedSet<int>();
        var head = prefix + ".";
        foreach (var k in keys.Keys)
        {
            if (!k.StartsWith(head, StringComparison.Ordinal)) continue;
            var rest = k.AsSpan(head.Length);
            var dot = rest.IndexOf('.');
            if (dot >= 0) rest = rest[..dot];
            if (int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) found.Add(n);
        }
        return found;
    }

    private static JsonNode Scalar(Shape shape, string name, string text)
    {
        switch (shape.Type)
        {
            case ShapeType.Integer or ShapeType.Long:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                    ? JsonValue.Create(l)
                    : throw AwsException.InvalidParameterValue($"Invalid value '{text}' for {name}: it must be an integer.");
            case ShapeType.Float or ShapeType.Double:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? JsonValue.Create(d)
                    : throw AwsException.InvalidParameterValue($"Invalid value '{text}' for {name}: it must be a number.");
            case ShapeType.Boolean:
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(true);
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(false);
                throw AwsException.InvalidParameterValue($"Invalid value '{text}' for {name}: it must be true or false.");
            case ShapeType.Timestamp:
                return JsonValue.Create(Timestamps.Parse(text, name));
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>Writes <paramref name="value"/> (a document of <paramref name="shape"/>) as the children of the result element.</summary>
    public static void WriteMembers(XmlWriter w, Shape shape, JsonObject value)
    {
        foreach (var member in shape.Members)
        {
            var v = value[member.Name];
            if (v is null) continue;
            WriteMember(w, member, member.WireName, v);
        }
    }

    private static void WriteMember(XmlWriter w, MemberModel member, string name, JsonNode value)
    {
        var shape = member.Shape;
        switch (shape.Type)
        {
            case ShapeType.Structure:
                w.WriteStartElement(name);
                WriteMembers(w, shape, (JsonObject)value);
                w.WriteEndElement();
                break;
            case ShapeType.List:
                var items = (JsonArray)value;
                if (shape.Flattened || member.Flattened)
                {
                    var itemName = shape.Member!.LocationName ?? name;
                    foreach (var item in items)
                        if (item is not null) WriteMember(w, shape.Member!, itemName, item);
                }
                else
                {
                    w.WriteStartElement(name);
                    var itemName = shape.Member!.LocationName ?? "member";
                    foreach (var item in items)
                        if (item is not null) WriteMember(w, shape.Member!, itemName, item);
                    w.WriteEndElement();
                }
                break;
            case ShapeType.Map:
                var flat = shape.Flattened || member.Flattened;
                if (!flat) w.WriteStartElement(name);
                foreach (var (k, v) in (JsonObject)value)
                {
                    w.WriteStartElement(flat ? name : "entry");
                    w.WriteElementString(shape.Key!.LocationName ?? "key", XmlText.Safe(k));
                    if (v is not null) WriteMember(w, shape.Value!, shape.Value!.LocationName ?? "value", v);
                    w.WriteEndElement();
                }
                if (!flat) w.WriteEndElement();
                break;
            default:
                w.WriteElementString(name, XmlText.Safe(ScalarText(shape, member, value)));
                break;
        }
    }

    private static string ScalarText(Shape shape, MemberModel member, JsonNode value)
    {
        var v = (JsonValue)value;
        switch (shape.Type)
        {
            case ShapeType.Boolean:
                return v.GetValue<bool>() ? "true" : "false";
            case ShapeType.Integer or ShapeType.Long:
                return v.TryGetValue<long>(out var l) ? l.ToString(CultureInfo.InvariantCulture) : v.ToJsonString();
            case ShapeType.Float or ShapeType.Double:
                return v.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
            case ShapeType.Timestamp:
                return Timestamps.Format(Timestamps.Read(v), member.TimestampFormat ?? shape.TimestampFormat ?? "iso8601");
            default:
                return v.GetValue<string>();
        }
    }
}
