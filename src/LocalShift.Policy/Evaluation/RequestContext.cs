namespace LocalShift.Policy.Evaluation;

/// <summary>
/// Condition keys of one request and their values. Keys compare case-insensitively, as IAM does;
/// a key with no values counts as absent.
/// </summary>
public sealed class RequestContext
{
    private static readonly IReadOnlyList<string> None = [];
    private readonly Dictionary<string, IReadOnlyList<string>> values;

    public static RequestContext Empty { get; } = new();

    public RequestContext() => values = new(StringComparer.OrdinalIgnoreCase);

    public RequestContext(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> entries) : this()
    {
        foreach (var (k, v) in entries) values[k] = v;
    }

    public static RequestContext From(IReadOnlyDictionary<string, IReadOnlyList<string>>? entries) =>
        entries switch
        {
            null => Empty,
            RequestContextView view => view.Context,
            _ => new RequestContext(entries),
        };

    public RequestContext Set(string key, params string[] keyValues)
    {
        values[key] = keyValues;
        return this;
    }

    public RequestContext Set(string key, IReadOnlyList<string> keyValues)
    {
        values[key] = keyValues;
        return this;
    }

    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>True when the key is present with at least one value.</summary>
    public bool TryGet(string key, out IReadOnlyList<string> keyValues)
    {
        if (values.TryGetValue(key, out var found) && found.Count > 0)
        {
            keyValues = found;
            return true;
        }
        keyValues = None;
        return false;
    }

    /// <summary>The single value of a key, for policy variables; null when absent or multi-valued.</summary>
    public string? Single(string key) => TryGet(key, out var v) && v.Count == 1 ? v[0] : null;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AsDictionary() => new RequestContextView(this);

    public IEnumerable<string> Keys => values.Keys;

    private sealed class RequestContextView(RequestContext context) : System.Collections.ObjectModel.ReadOnlyDictionary<string, IReadOnlyList<string>>(context.values)
    {
        public RequestContext Context { get; } = context;
    }
}
