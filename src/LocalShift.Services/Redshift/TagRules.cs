namespace LocalShift.Services.Redshift;

/// <summary>Tag rules shared by CreateCluster and CreateTags: keys 1–128, values up to 256, no aws: prefix, 50 per resource.</summary>
public static class TagRules
{
    public const int MaxTagsPerResource = 50;

    public static void Validate(IEnumerable<ClusterTag> tags)
    {
        foreach (var t in tags)
        {
            if (t.Key.Length is < 1 or > 128)
                // unverified: AWS's text.
                throw RedshiftErrors.InvalidTag($"Tag key '{t.Key}' is invalid: a tag key must be 1 to 128 characters long.");
            if (t.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw RedshiftErrors.InvalidTag($"Tag key '{t.Key}' is invalid: keys beginning with aws: are reserved.");
            if (t.Value.Length > 256)
                throw RedshiftErrors.InvalidTag($"The value of tag '{t.Key}' is invalid: a tag value can be at most 256 characters long.");
        }
    }

    /// <summary>Merges new tags over existing ones (a repeated key takes the new value) and enforces the per-resource limit.</summary>
    public static List<ClusterTag> Merge(IEnumerable<ClusterTag> existing, IEnumerable<ClusterTag> added)
    {
        var merged = existing.ToList();
        foreach (var t in added)
        {
            var i = merged.FindIndex(x => x.Key == t.Key);
            if (i >= 0) merged[i] = t;
            else merged.Add(t);
        }
        if (merged.Count > MaxTagsPerResource) throw RedshiftErrors.TagLimitExceeded();
        return merged;
    }

    /// <summary>Condition keys a request that sets tags carries: aws:RequestTag/k and aws:TagKeys.</summary>
    public static void AddRequestKeys(Dictionary<string, IReadOnlyList<string>> keys, IReadOnlyCollection<ClusterTag> tags)
    {
        if (tags.Count == 0) return;
        foreach (var t in tags) keys[$"aws:RequestTag/{t.Key}"] = [t.Value];
        keys["aws:TagKeys"] = tags.Select(t => t.Key).ToList();
    }

    /// <summary>Condition keys of an existing cluster: aws:ResourceTag/k.</summary>
    public static void AddResourceKeys(Dictionary<string, IReadOnlyList<string>> keys, Cluster? cluster)
    {
        if (cluster is null) return;
        foreach (var t in cluster.Tags) keys[$"aws:ResourceTag/{t.Key}"] = [t.Value];
    }
}
