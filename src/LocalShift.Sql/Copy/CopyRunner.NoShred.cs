using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Copy;

/// <summary>JSON 'noshred': each document of the files checked before the engine reads them, so a bad one is a rejected record.</summary>
public sealed partial class CopyRunner
{
    /// <summary>
    /// JSON 'noshred' sorted document by document: each staged file's documents are read in turn, a document that is
    /// not well-formed JSON is rejected with error 1224 at its line (the reading goes on at the next line), and a file
    /// holding one is staged again with its good documents only, one a line. More rejects than MAXERROR fail the load.
    /// Returns the rejected count.
    /// </summary>
    private long SortJsonDocuments(List<StagedFile> files, string column, CancellationToken ct)
    {
        var errors = new List<LoadError>();
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            byte[] bytes;
            using (var input = OpenStaged(file.Path))
            using (var buffer = new MemoryStream())
            {
                input.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            var kept = new MemoryStream();
            var bad = false;
            var pos = 0;
            long line = 1;
            while (pos < bytes.Length)
            {
                if (bytes[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    if (bytes[pos] == (byte)'\n') line++;
                    pos++;
                    continue;
                }
                var start = pos;
                try
                {
                    var reader = new Utf8JsonReader(bytes.AsSpan(pos));
                    reader.Read();
                    reader.Skip();
                    pos += (int)reader.BytesConsumed;
                    var document = bytes.AsSpan(start, pos - start);
                    line += document.Count((byte)'\n');
                    // One document a line: a well-formed document's line ends are whitespace between its tokens.
                    foreach (var b in document) kept.WriteByte(b is (byte)'\n' or (byte)'\r' ? (byte)' ' : b);
                    kept.WriteByte((byte)'\n');
                }
                catch (JsonException e)
                {
                    bad = true;
                    var end = bytes.AsSpan(pos).IndexOf((byte)'\n');
                    pos = end < 0 ? bytes.Length : pos + end;
                    var raw = System.Text.Encoding.UTF8.GetString(bytes, start, Math.Min(pos - start, 1024));
                    // unverified: Redshift's text for error 1224 (the load error reference: "Input data is not well formed
                    // JSON for super data type"); the parser's own reason follows.
                    errors.Add(new LoadError(file.Url, line, column, "super", raw, raw, 1224,
                        $"Input data is not well formed JSON for super data type: {e.Message.Split(" LineNumber:")[0]}"));
                }
            }
            if (!bad) continue;
            // The staged file may be the store's own, hard-linked: unlinked first, never written through.
            File.Delete(file.Path);
            using var output = File.Create(file.Path);
            using Stream target = StagedCompression == FileCompression.Gzip ? new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest) : output;
            kept.Position = 0;
            kept.CopyTo(target);
        }
        if (errors.Count == 0) return 0;
        RecordErrors(errors.Take(1000));
        if (errors.Count > copy.MaxError) throw LoadFailed(errors[0]);
        return errors.Count;
    }
}
