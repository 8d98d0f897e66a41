using System.Globalization;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>
/// The flat parameters of a query-protocol request (form body or query string), with typed accessors.
/// Lists arrive as <c>Prefix.MemberName.N</c> (CLI, botocore, JS SDK) or <c>Prefix.member.N</c> (.NET SDK); both are accepted.
/// </summary>
public sealed class QueryParameters
{
    private readonly Dictionary<string, string> _values;

    public QueryParameters(IEnumerable<KeyValuePair<string, string>> values)
    {
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in values) _values[k] = v;
    }

    public IReadOnlyDictionary<string, string> All => _values;

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Required(string name) =>
        Get(name) is { Length: > 0 } v ? v : throw AwsException.MissingParameter(name);

    public bool Has(string name) => _values.ContainsKey(name);

    public int? Int(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            ? i
            : throw AwsException.InvalidParameterValue($"Invalid value '{v}' for {name}: it must be an integer.");
    }

    public bool? Bool(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        if (v.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        if (v.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        throw AwsException.InvalidParameterValue($"Invalid value '{v}' for {name}: it must be true or false.");
    }

    /// <summary>
    /// A list of scalars: <c>{prefix}.{memberName}.N</c> or <c>{prefix}.member.N</c>, N from 1.
    /// Returns null when the list is absent, an empty list when it is sent empty (<c>Prefix=</c>).
    /// </summary>
    public List<string>? List(string prefix, string memberName = "member")
    {
        var items = ListIndexes(prefix, memberName)
            .Select(x => _values[x.Key]).ToList();
        if (items.Count > 0) return items;
        return _values.ContainsKey(prefix) ? [] : null;
    }

    /// <summary>A list of structures: yields a view of each member's fields (<c>Tags.Tag.1.Key</c> → <c>Key</c>).</summary>
    public List<QueryParameters>? StructList(string prefix, string memberName = "member")
    {
        var result = new SortedDictionary<int, Dictionary<string, string>>();
        foreach (var form in new[] { memberName, "member" }.Distinct())
        {
            var head = $"{prefix}.{form}.";
            foreach (var (k, v) in _values)
            {
                if (!k.StartsWith(head, StringComparison.Ordinal)) continue;
                var rest = k.AsSpan(head.Length);
                var dot = rest.IndexOf('.');
                if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) continue;
                if (!result.TryGetValue(n, out var fields)) result[n] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
                fields[rest[(dot + 1)..].ToString()] = v;
            }
        }
        if (result.Count > 0) return result.Values.Select(f => new QueryParameters(f)).ToList();
        return _values.ContainsKey(prefix) ? [] : null;
    }

    private IEnumerable<KeyValuePair<string, string>> ListIndexes(string prefix, string memberName)
    {
        var found = new SortedDictionary<int, string>();
        foreach (var form in new[] { memberName, "member" }.Distinct())
        {
            var head = $"{prefix}.{form}.";
            foreach (var k in _values.Keys)
            {
                if (!k.StartsWith(head, StringComparison.Ordinal)) continue;
                if (int.TryParse(k.AsSpan(head.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
                    found[n] = k;
            }
        }
        return found.Select(x => new KeyValuePair<string, string>(x.Value, x.Value));
    }
}
