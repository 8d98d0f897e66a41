using System.Collections.Concurrent;
using LocalShift.Policy.Documents;

namespace LocalShift.Policy;

/// <summary>
/// Compiled documents by (kind, JSON text). Documents are immutable strings, so a compiled form never goes stale;
/// the cache is bounded and simply starts over when full.
/// </summary>
public static class PolicyCache
{
    private const int Capacity = 10_000;
    private static readonly ConcurrentDictionary<(PolicyKind, string), PolicyDocument> Compiled = new();

    /// <summary>The compiled document; throws <see cref="PolicyFormatException"/> when the JSON is not a valid policy of this kind.</summary>
    public static PolicyDocument Get(string json, PolicyKind kind = PolicyKind.Identity)
    {
        if (Compiled.TryGetValue((kind, json), out var doc)) return doc;
        doc = PolicyDocument.Parse(json, kind);
        if (Compiled.Count >= Capacity) Compiled.Clear();
        Compiled.TryAdd((kind, json), doc);
        return doc;
    }

    public static bool TryGet(string json, PolicyKind kind, out PolicyDocument document, out string? error)
    {
        if (Compiled.TryGetValue((kind, json), out document!))
        {
            error = null;
            return true;
        }
        if (!PolicyDocument.TryParse(json, kind, out document, out error)) return false;
        if (Compiled.Count >= Capacity) Compiled.Clear();
        Compiled.TryAdd((kind, json), document);
        return true;
    }
}
