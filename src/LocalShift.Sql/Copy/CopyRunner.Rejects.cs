using LocalShift.Engine;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's record accounting: every record of a text or CSV load is loaded, or rejected with a row in stl_load_errors.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// Sorts every record into loaded or rejected (MAXERROR, and the diagnosis of a failed load): reads into a staging
    /// table with each field kept raw beside its converted value; a record is rejected when a field did not convert,
    /// is longer than its column or holds a multibyte character for CHAR, or when the reader set the line aside
    /// (too many or too few fields). Each rejected record gets one row in stl_load_errors with its first fault (the
    /// first 1000, as Redshift keeps); more than MAXERROR of them fail the load, otherwise the rest load.
    /// </summary>
    private long LoadSortingRejects(List<TargetColumn> columns, IReadOnlyList<LoadColumn> loads, Source source, LoadTarget target, List<StagedFile> files)
    {
        // A NOT NULL column without a value (a NULL field, an empty one that loads as NULL, a date ACCEPTANYDATE let
        // through as NULL): Redshift rejects the record with 1213 rather than failing the load on the constraint.
        var sorted = loads.Select((c, i) => c with { NotNull = columns[i].NotNull }).ToList();
        var result = context.Engine.Load(Plan(sorted, source, target) with { Rejects = new RejectSorting(copy.MaxError) });
        var urls = files.ToDictionary(f => f.Path, f => f.Url);
        var malformed = new List<LoadError>();
        var setAside = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var line in result.Malformed)
        {
            (setAside.TryGetValue(line.File, out var list) ? list : setAside[line.File] = []).Add(line.Line);
            var (code, reason) = line.Kind switch
            {
                MalformedKind.TooManyFields => (1202, "Extra column(s) found"),
                MalformedKind.TooFewFields => (1214, "Delimiter not found"),
                MalformedKind.InvalidUnicode => (1220, InvalidUtf8Exception.RedshiftReason.TrimEnd(':', ' ').Replace(". Bad UTF8 hex sequence", "", StringComparison.Ordinal)),
                // unverified: Redshift's text for a CSV field whose quotes do not close.
                _ => (1216, "Invalid quote formatting for CSV"),
            };
            var rawLine = line.Text;
            // unverified: Redshift's code and text for a REMOVEQUOTES field whose quote never closes (the page says
            // only that the row is not loaded); its parser looks for the closing quote and then the delimiter.
            if (_unclosedQuotes.TryGetValue(line.File, out var unclosed) && unclosed.TryGetValue(line.Line, out var text))
                (code, reason, rawLine) = (1214, "Delimiter not found", text);
            malformed.Add(new LoadError(urls.GetValueOrDefault(line.File, line.File), line.Line, "", "", rawLine, "", code, reason));
        }
        var errors = new List<LoadError>(malformed.Take(1000));
        var conversions = columns.Select(Temporal).ToList();
        foreach (var bad in result.Records)
        {
            var path = bad.File;
            var line = bad.Line ?? LineOf(bad.Record, setAside.GetValueOrDefault(path));
            if (bad.Fault is { } ownFault)
            {
                errors.Add(new LoadError(urls.GetValueOrDefault(path, path), line, "", "", "", "", ownFault, Source.FaultReason(ownFault)));
                continue;
            }
            var i = bad.Column;
            var raw = bad.Raw ?? "";
            var column = columns[i];
            LoadError error;
            if (column.NotNull && bad.Value is null && (column.IsText || raw.Trim().Length == 0 || conversions[i] is { AcceptAnyDate: true }))
                // unverified: Redshift's reason text for 1213 (the load error reference gives only "A field specified as NOT NULL contained no data").
                error = new LoadError("", 0, column.Name, column.Width?.Type ?? FieldErrors.TypeName(column.Type), "", raw, 1213, "Missing data for not-null field", column.Width?.Width.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0");
            else if (column.IsText && column.Width is { } width)
            {
                var value = bad.Value ?? raw;
                var length = width.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
                error = width.Type == "char" && value.EnumerateRunes().Any(r => r.Value > 0x7F)
                    ? new LoadError("", 0, column.Name, width.Type, "", value, 1220, MultibyteReason(value), length)
                    : new LoadError("", 0, column.Name, width.Type, "", value, 1204, StringTooLong, length);
            }
            else
            {
                var (code, reason, position) = FieldErrors.Describe(column.Type, raw, conversions[i]);
                error = new LoadError("", 0, column.Name, FieldErrors.TypeName(column.Type), "", raw, code, reason) { Position = position };
            }
            errors.Add(error with { Filename = urls.GetValueOrDefault(path, path), LineNumber = line });
        }
        errors = RawLines(errors.OrderBy(e => e.Filename, StringComparer.Ordinal).ThenBy(e => e.LineNumber).Take(1000).ToList(), files);
        RecordErrors(errors);
        if (result.Refused)
            throw LoadFailed(errors.FirstOrDefault() ?? new LoadError("", 0, "", "", "", "", 1200, $"{result.Rejected} record(s) could not be loaded"));
        if (result.Rejected > 0)
            context.Notice(new PgNotice("INFO",
                $"Load into table '{DisplayName}' completed, {result.Rejected} record(s) could not be loaded.  Check 'stl_load_errors' system table for details."));
        return result.Loaded;
    }

    /// <summary>
    /// The line of a file's n-th record (1-based): after the header lines, and after every line the reader set aside
    /// before it (<paramref name="setAside"/>, ascending).
    /// </summary>
    private long LineOf(long record, List<long>? setAside)
    {
        var line = copy.IgnoreHeader + record;
        if (setAside is null) return line;
        foreach (var skipped in setAside)
        {
            if (skipped > line) break;
            line++;
        }
        return line;
    }

    /// <summary>
    /// The errors with raw_line filled from the staged files (read again only for these lines, on this error path);
    /// a line the reader already gave keeps its text. Files only DuckDB can decompress (ZSTD) keep the field value.
    /// </summary>
    private List<LoadError> RawLines(List<LoadError> errors, List<StagedFile> files)
    {
        if (copy.Format == CopyFormat.Parquet) return errors.Select(e => e.RawLine.Length > 0 ? e : e with { RawLine = e.RawFieldValue }).ToList();
        var result = new List<LoadError>(errors.Count);
        foreach (var group in errors.GroupBy(e => e.Filename))
        {
            var wanted = group.Where(e => e.RawLine.Length == 0).Select(e => e.LineNumber).ToHashSet();
            var lines = new Dictionary<long, string>();
            if (wanted.Count > 0 && files.FirstOrDefault(f => f.Url == group.Key) is { } file)
            {
                using var reader = new StreamReader(OpenStaged(file.Path), System.Text.Encoding.UTF8);
                var last = wanted.Max();
                long number = 0;
                while (number < last && reader.ReadLine() is { } text)
                    if (wanted.Contains(++number)) lines[number] = text.Length > 1024 ? text[..1024] : text;
            }
            result.AddRange(group.Select(e => e.RawLine.Length > 0 ? e : e with { RawLine = lines.GetValueOrDefault(e.LineNumber, e.RawFieldValue) }));
        }
        return result;
    }
}
