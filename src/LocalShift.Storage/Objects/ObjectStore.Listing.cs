using System.Text;
using LocalShift.Storage.State;

namespace LocalShift.Storage.Objects;

public sealed partial class ObjectStore
{
    private const int ListBatch = 1000;

    /// <summary>
    /// Lists keys after <paramref name="marker"/> that start with <paramref name="prefix"/>, in UTF-8 byte order, rolling keys
    /// that contain <paramref name="delimiter"/> after the prefix up into common prefixes. Returns at most
    /// <paramref name="maxKeys"/> entries (objects and common prefixes together), as S3 counts them.
    /// </summary>
    public ListPage List(string bucket, string? prefix, string? delimiter, string? marker, int maxKeys)
    {
        var prefixBytes = ObjectKeys.EncodeLoose(prefix);
        var delimiterBytes = ObjectKeys.EncodeLoose(delimiter);
        var markerBytes = ObjectKeys.EncodeLoose(marker);
        var upper = ObjectKeys.UpperBound(prefixBytes);
        var entries = new List<ListEntry>();
        if (maxKeys <= 0) return new ListPage(entries, false);

        // The scan starts at the later of the prefix and the marker; `inclusive` says whether the start itself may match.
        byte[] cursor;
        bool inclusive;
        if (ObjectKeys.Compare(markerBytes, prefixBytes) >= 0 && markerBytes.Length > 0) { cursor = markerBytes; inclusive = false; }
        else { cursor = prefixBytes; inclusive = true; }

        return _state.Read(c =>
        {
            while (entries.Count <= maxKeys)
            {
                // Each row gives at most one entry, and one entry past maxKeys says the page is truncated: never more rows.
                var limit = Math.Min(ListBatch, maxKeys + 1 - entries.Count);
                var sql = new StringBuilder("SELECT " + ObjectColumns + " FROM s3_objects WHERE bucket=$b AND key ")
                    .Append(inclusive ? ">=" : ">").Append(" $cur");
                if (upper is not null) sql.Append(" AND key < $up");
                sql.Append(" ORDER BY key LIMIT ").Append(limit);
                var args = new List<(string, object?)> { ("$b", bucket), ("$cur", cursor) };
                if (upper is not null) args.Add(("$up", upper));
                var batch = c.Query(null, sql.ToString(), r => (Key: (byte[])r.GetValue(0), Info: ReadObject(bucket, r)), [.. args]);
                if (batch.Count == 0) break;
                var reseek = false;
                foreach (var (key, info) in batch)
                {
                    var rollup = RollUp(key, prefixBytes, delimiterBytes);
                    if (rollup is null)
                    {
                        entries.Add(new ListEntry(info, null));
                        cursor = key;
                        inclusive = false;
                    }
                    else
                    {
                        // A common prefix at or before the marker was listed on an earlier page.
                        if (ObjectKeys.Compare(rollup, markerBytes) > 0) entries.Add(new ListEntry(null, ObjectKeys.Decode(rollup)));
                        var next = ObjectKeys.UpperBound(rollup);
                        if (next is null) return Page(entries, maxKeys);
                        cursor = next;
                        inclusive = true;
                        reseek = true;
                    }
                    if (entries.Count > maxKeys || reseek) break;
                }
                if (!reseek && batch.Count < limit) break;
            }
            return Page(entries, maxKeys);
        });
    }

    private static ListPage Page(List<ListEntry> entries, int maxKeys)
    {
        var truncated = entries.Count > maxKeys;
        if (truncated) entries.RemoveRange(maxKeys, entries.Count - maxKeys);
        return new ListPage(entries, truncated);
    }

    /// <summary>The common prefix a key rolls up to (prefix + up to and including the first delimiter after it), or null.</summary>
    private static byte[]? RollUp(byte[] key, byte[] prefix, byte[] delimiter)
    {
        if (delimiter.Length == 0) return null;
        var at = key.AsSpan(prefix.Length).IndexOf(delimiter);
        return at < 0 ? null : key.AsSpan(0, prefix.Length + at + delimiter.Length).ToArray();
    }
}
