using System.Globalization;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>HTTP preconditions on reads (RFC 7232 as S3 applies them) and the Range header.</summary>
public static class Conditions
{
    /// <summary>Null when the read proceeds; otherwise 304 (not modified) or throws PreconditionFailed (412).</summary>
    public static int? Check(S3Request r, ObjectInfo o, string prefix = "") =>
        Check(r.Header(prefix + "If-Match"), r.Header(prefix + "If-None-Match"), Date(r.Header(prefix + "If-Modified-Since")),
            Date(r.Header(prefix + "If-Unmodified-Since")), o, prefix);

    /// <summary>The same, on a typed request's members (a date that could not be read is absent, as RFC 7232 says).</summary>
    public static int? Check(string? ifMatch, string? ifNoneMatch, DateTimeOffset? ifModifiedSince, DateTimeOffset? ifUnmodifiedSince,
        ObjectInfo o, string prefix = "")
    {
        var modified = o.LastModified.ToUnixTimeSeconds();

        // If-Match, when present, decides instead of If-Unmodified-Since; If-None-Match decides instead of If-Modified-Since.
        if (ifMatch is not null)
        {
            if (!EtagMatches(ifMatch, o.ETag)) throw S3Errors.PreconditionFailed(prefix + "If-Match");
        }
        else if (ifUnmodifiedSince is { } u && modified > u.ToUnixTimeSeconds())
            throw S3Errors.PreconditionFailed(prefix + "If-Unmodified-Since");

        if (ifNoneMatch is not null)
        {
            if (EtagMatches(ifNoneMatch, o.ETag))
                return prefix.Length == 0 ? 304 : throw S3Errors.PreconditionFailed(prefix + "If-None-Match");
        }
        else if (ifModifiedSince is { } m && modified <= m.ToUnixTimeSeconds())
            return prefix.Length == 0 ? 304 : throw S3Errors.PreconditionFailed(prefix + "If-Modified-Since");
        return null;
    }

    /// <summary>
    /// S3's conditional writes (PutObject, CompleteMultipartUpload), checked against the object now at the key:
    /// <c>If-None-Match: *</c> writes only where there is none (412 otherwise); <c>If-Match: etag</c> writes only over
    /// that object, 412 for another ETag and NoSuchKey where there is none
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
    /// </summary>
    public static void CheckWrite(S3Request r, ObjectInfo? current) => CheckWrite(r.Header("If-Match"), r.Header("If-None-Match"), r.Key!, current);

    /// <summary>The same, on a typed request's members.</summary>
    public static void CheckWrite(string? ifMatch, string? ifNoneMatch, string key, ObjectInfo? current)
    {
        if (ifNoneMatch == "*" && current is not null) throw S3Errors.PreconditionFailed("If-None-Match");
        if (ifMatch is not null)
        {
            if (current is null) throw S3Errors.NoSuchKey(key);
            if (!EtagMatches(ifMatch, current.ETag)) throw S3Errors.PreconditionFailed("If-Match");
        }
    }

    /// <summary>
    /// UploadPartCopy's <c>x-amz-copy-source-range</c>: exactly <c>bytes=first-last</c>, inside the source. Unlike a
    /// GET's Range, a range past the source's end is refused, not clipped.
    /// </summary>
    public static (long Start, long Length)? CopySourceRange(string? header, long size)
    {
        if (header is null) return null;
        var spec = header.StartsWith("bytes=", StringComparison.Ordinal) ? header[6..] : "";
        var dash = spec.IndexOf('-');
        if (dash <= 0 || !long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                      || !long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                "x-amz-copy-source-range", header);
        // AWS's answer as users report it (InvalidArgument, 400); the exact text is from those reports, not from a capture of ours.
        if (first > last || last >= size)
            throw S3Errors.InvalidArgument($"Range specified is not valid for source object of size: {size}", "x-amz-copy-source-range", header);
        return (first, last - first + 1);
    }

    private static bool EtagMatches(string header, string etag) =>
        header.Split(',', StringSplitOptions.TrimEntries).Any(t => t == "*" || t.Trim('"') == etag);

    private static DateTimeOffset? Date(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    /// <summary>
    /// The byte range a <c>Range: bytes=…</c> header asks for, or null for the whole object (also when the header is not a
    /// single byte range, which S3 ignores). An unsatisfiable range is InvalidRange.
    /// </summary>
    public static (long Start, long Length)? Range(string? header, long size)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header[6..].Trim();
        if (spec.Contains(',')) return null;
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(last, out var suffix)) return null;
            if (suffix == 0) throw S3Errors.InvalidRange(size);
            var n = Math.Min(suffix, size);
            return (size - n, n);
        }
        if (!long.TryParse(first, out var start)) return null;
        long end;
        if (last.Length == 0) end = size - 1;
        else if (!long.TryParse(last, out end) || end < start) return null;
        if (start >= size) throw S3Errors.InvalidRange(size);
        end = Math.Min(end, size - 1);
        return (start, end - start + 1);
    }
}
