using System.Text.Json;

namespace LocalShift.Services.S3;

/// <summary>S3's "is this bucket public" judgement over a bucket policy.</summary>
public static class BucketPolicyStatus
{
    /// <summary>
    /// True when some Allow statement grants to everyone (<c>"*"</c> or <c>{"AWS":"*"}</c>) without a condition that narrows
    /// the caller. S3's full rule accepts some fixed-value conditions (aws:SourceIp ranges, aws:SourceAccount...) as
    /// non-public; LocalShift treats any condition as narrowing.
    /// </summary>
    public static bool IsPublic(string policy)
    {
        try
        {
            using var doc = JsonDocument.Parse(policy);
            if (!doc.RootElement.TryGetProperty("Statement", out var st)) return false;
            foreach (var s in st.ValueKind == JsonValueKind.Array ? st.EnumerateArray().ToArray() : [st])
            {
                if (!s.TryGetProperty("Effect", out var e) || e.GetString() != "Allow") continue;
                if (s.TryGetProperty("Condition", out _)) continue;
                if (!s.TryGetProperty("Principal", out var p)) continue;
                if (p.ValueKind == JsonValueKind.String && p.GetString() == "*") return true;
                if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("AWS", out var aws) &&
                    (aws.ValueKind == JsonValueKind.String ? aws.GetString() == "*" : aws.EnumerateArray().Any(x => x.GetString() == "*")))
                    return true;
            }
            return false;
        }
        catch (JsonException) { return false; }
    }
}
