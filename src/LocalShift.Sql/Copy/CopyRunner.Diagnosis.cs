using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's diagnosis of a failed load that is not sorted record by record: the first bad record, as stl_load_errors shows it.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// A record with too few or too many fields: logged under the file and line the engine's message names (the first
    /// file when it names none), and the load fails with Redshift's error 1214.
    /// </summary>
    private PgException FieldCountFailure(List<StagedFile> files, PgException e)
    {
        var line = System.Text.RegularExpressions.Regex.Match(e.Message, @"\(line (\d+):");
        var file = (e.SourceFile is { } path ? files.FirstOrDefault(f => f.Path == path || System.IO.Path.GetFullPath(f.Path) == path) : null) ?? files[0];
        RecordErrors([new LoadError(file.Url, line.Success ? long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
            "", "", "", "", 1214, e.Message)]);
        return LoadFailed(e.Message, 1214);
    }

    /// <summary>
    /// After a load of files staged as they are failed: the object and line of the first invalid UTF-8 bytes, if any, read
    /// again through the same check staging uses (only on this failure path, so loads that succeed pay nothing).
    /// Null when the files are compressed, as DuckDB decompresses those itself.
    /// </summary>
    private InvalidUtf8Exception? LocateInvalidUtf8(List<StagedFile> files)
    {
        if (StagedCompression != FileCompression.None || copy.Format == CopyFormat.Parquet) return null;
        foreach (var file in files)
        {
            try
            {
                using var check = new Utf8CheckingStream(File.OpenRead(file.Path), null, file.Url);
                check.CopyTo(Stream.Null);
            }
            catch (InvalidUtf8Exception found) { return found; }
            catch (IOException) { return null; }
        }
        return null;
    }

    /// <summary>After a load failed on a value too long: the first such value, as stl_load_errors shows it.</summary>
    private LoadError? DiagnoseWidth(List<TargetColumn> columns, LoadPlan plan, List<StagedFile> files)
    {
        try
        {
            var urls = files.ToDictionary(f => f.Path, f => f.Url);
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].Width is not { } width) continue;
                if (context.Engine.FirstWidthFault(plan, i) is not { } found) continue;
                var url = found.File is { } path ? urls.GetValueOrDefault(path, files[0].Url) : files[0].Url;
                var length = width.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
                // The record's line: after the header lines (the reader's records are counted over all files).
                var line = found.Record + copy.IgnoreHeader;
                if (found.Multibyte)
                    return new LoadError(url, line, columns[i].Name, width.Type, found.Value, found.Value, 1220, MultibyteReason(found.Value), length);
                return new LoadError(url, line, columns[i].Name, width.Type, found.Value, found.Value, 1204, StringTooLong, length);
            }
        }
        catch (PgException)
        {
            // The diagnosis is best effort; the load has failed either way.
        }
        return null;
    }
}
