using System.Globalization;
using System.Text.Json.Nodes;
using LocalShift.Core;

namespace LocalShift.Aws.Model;

/// <summary>How a service answers a request that breaks its model's constraints.</summary>
public enum ValidationStyle
{
    /// <summary>
    /// Every constraint of the model (required, min/max length or value, pattern, enum), collected into one
    /// <c>N validation error(s) detected: Value 'x' at 'path' failed to satisfy constraint: …</c> (IAM, STS, Glue,
    /// Lambda, the Data API). The code is <c>ValidationError</c> in the query protocol, <c>ValidationException</c> in the
    /// JSON protocols.
    /// </summary>
    Coral,

    /// <summary>Only top-level required members, as <c>MissingParameter</c> (Redshift); the service checks the rest itself.</summary>
    RequiredOnly,
}

/// <summary>Checks a request, already turned into the protocol-neutral document, against its input shape.</summary>
public static class ShapeValidator
{
    public static void Validate(Shape input, JsonObject value, ValidationStyle style, AwsProtocol protocol)
    {
        if (style == ValidationStyle.RequiredOnly)
        {
            foreach (var name in input.Members.Where(m => input.Required.Contains(m.Name)).Select(m => m.Name))
                if (value[name] is null || value[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0)
                    throw AwsException.MissingParameter(name);
            return;
        }

        var errors = new List<string>();
        CheckStructure(input, value, "", errors);
        if (errors.Count == 0) return;
        var code = protocol == AwsProtocol.Query ? "ValidationError" : "ValidationException";
        throw new AwsException(code,
            $"{errors.Count} validation error{(errors.Count == 1 ? "" : "s")} detected: {string.Join("; ", errors)}");
    }

    private static void CheckStructure(Shape shape, JsonObject value, string path, List<string> errors)
    {
        foreach (var member in shape.Members)
        {
            var at = path.Length == 0 ? member.ValidationName : path + "." + member.ValidationName;
            var v = value[member.Name];
            if (v is null)
            {
                if (shape.Required.Contains(member.Name))
                    errors.Add($"Value null at '{at}' failed to satisfy constraint: Member must not be null");
                continue;
            }
            Check(member.Shape, v, at, errors);
        }
    }

    private static void Check(Shape shape, JsonNode value, string at, List<string> errors)
    {
        switch (shape.Type)
        {
            case ShapeType.Structure when value is JsonObject o:
                CheckStructure(shape, o, at, errors);
                break;
            case ShapeType.List when value is JsonArray a:
                Length(shape, a.Count, Show(a), at, errors);
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item) Check(shape.Member!.Shape, item, $"{at}.{i + 1}.member", errors);
                break;
            case ShapeType.Map when value is JsonObject m:
                Length(shape, m.Count, Show(m), at, errors);
                foreach (var (k, v) in m)
                {
                    Check(shape.Key!.Shape, JsonValue.Create(k), $"{at}.{k}.key", errors);
                    if (v is not null) Check(shape.Value!.Shape, v, $"{at}.{k}.value", errors);
                }
                break;
            case ShapeType.String when value is JsonValue sv && sv.TryGetValue<string>(out var s):
                var shown = Show(s);
                if (!Length(shape, s.Length, shown, at, errors)) break;
                if (shape.Enum is { Count: > 0 } set && !set.Contains(s, StringComparer.Ordinal))
                {
                    errors.Add($"Value {shown} at '{at}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", set)}]");
                    break;
                }
                if (shape.PatternRegex is { } rx && !Matches(rx, s))
                    errors.Add($"Value {shown} at '{at}' failed to satisfy constraint: Member must satisfy regular expression pattern: {shape.Pattern}");
                break;
            case ShapeType.Integer or ShapeType.Long or ShapeType.Float or ShapeType.Double when value is JsonValue nv && Number(nv) is { } d:
                var text = "'" + d.ToString(CultureInfo.InvariantCulture) + "'";
                if (shape.Min is { } min && d < min)
                    errors.Add($"Value {text} at '{at}' failed to satisfy constraint: Member must have value greater than or equal to {Num(min)}");
                else if (shape.Max is { } max && d > max)
                    errors.Add($"Value {text} at '{at}' failed to satisfy constraint: Member must have value less than or equal to {Num(max)}");
                break;
            case ShapeType.Blob when value is JsonValue bv && bv.TryGetValue<string>(out var b64):
                var bytes = (b64.Length / 4) * 3 - (b64.EndsWith("==", StringComparison.Ordinal) ? 2 : b64.EndsWith('=') ? 1 : 0);
                Length(shape, bytes, "'java.nio.HeapByteBuffer'", at, errors);
                break;
        }
    }

    /// <summary>
    /// A number however the reader made it: the query reader creates <c>long</c> and <c>double</c> values, the JSON
    /// readers parsed elements; <c>TryGetValue&lt;double&gt;</c> alone does not convert a <c>long</c> value.
    /// </summary>
    private static double? Number(JsonValue v) =>
        v.TryGetValue<long>(out var l) ? l
        : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<double>(out var d) ? d
        : v.TryGetValue<decimal>(out var m) ? (double)m
        : null;

    private static bool Matches(System.Text.RegularExpressions.Regex rx, string s)
    {
        try { return rx.IsMatch(s); }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { return true; }
    }

    /// <summary>Adds a length error; false when one was added (AWS then reports no further constraint of that value).</summary>
    private static bool Length(Shape shape, int length, string shown, string at, List<string> errors)
    {
        if (shape.Min is { } min && length < min)
        {
            errors.Add($"Value {shown} at '{at}' failed to satisfy constraint: Member must have length greater than or equal to {Num(min)}");
            return false;
        }
        if (shape.Max is { } max && length > max)
        {
            errors.Add($"Value {shown} at '{at}' failed to satisfy constraint: Member must have length less than or equal to {Num(max)}");
            return false;
        }
        return true;
    }

    private static string Num(double d) => d.ToString(CultureInfo.InvariantCulture);

    private static string Show(string s) => "'" + s + "'";

    private static string Show(JsonArray a) =>
        "'[" + string.Join(", ", a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : x?.ToJsonString() ?? "null")) + "]'";

    private static string Show(JsonObject o) =>
        "'{" + string.Join(", ", o.Select(kv => kv.Key + "=" + (kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? "null"))) + "}'";
}
