using System.Buffers;
using System.Text;

namespace LocalShift.Sql.Copy;

/// <summary>
/// Redshift's text format with ESCAPE, rewritten as RFC 4180 CSV that DuckDB's reader takes back byte for byte. In the
/// input a backslash makes the next character part of the value (an escaped delimiter, newline or backslash); records
/// end at an unescaped newline. In the output every value is quoted (quotes doubled) and NULL is an unquoted empty
/// field, so no byte of the data, control characters included, is given a meaning of its own.
/// </summary>
/// <remarks>
/// DuckDB's reader knows escapes only inside quotes, and reading each line whole there needs a delimiter no line
/// holds, which arbitrary data does not promise; one pass here over the bytes needs none.
/// </remarks>
/// <param name="defaultNull">NULL AS was not given: the default <c>\N</c> may also be written escaped, <c>\\N</c>
/// ("As long as you don't specify an alternative null string with the NULL AS parameter, \N and \\N produce the same results").</param>
/// <param name="removeQuotes">REMOVEQUOTES: a field surrounded by unescaped double or single quotes loses them (an
/// escaped quote, <c>\'</c>, is kept: "you can escape and retain quotation marks").</param>
/// <param name="numbered">Each CSV record starts with two more values: the record's first line in the input (header
/// lines counted) and its own load error, empty when whole: 1202 for fields past the last, 1214 for missing ones
/// (unless <paramref name="fillRecord"/>), so that COPY can reject such a record by itself.</param>
public sealed class EscapedText(string delimiter, string nullAs, int fields, long skipLines, bool defaultNull = false, bool removeQuotes = false,
    bool numbered = false, bool fillRecord = false)
{
    private readonly byte[] _delimiter = Encoding.UTF8.GetBytes(delimiter);
    private readonly byte[] _null = Encoding.UTF8.GetBytes(nullAs);

    /// <summary>Reads <paramref name="input"/> to its end and writes one CSV record of <c>fields</c> values per record.
    /// Missing fields are NULL, fields past the last are dropped, and empty lines are skipped.</summary>
    public void Rewrite(Stream input, Stream output)
    {
        var record = new ArrayBufferWriter<byte>(4096);
        var csv = new ArrayBufferWriter<byte>(1 << 16);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var skip = skipLines;
            var escaped = false;
            var carriageReturn = false;
            long physical = 0;              // lines ended so far
            var recordStart = skipLines + 1; // the line the current record starts on
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                var start = 0;
                for (var i = 0; i < span.Length; i++)
                {
                    var b = span[i];
                    if (carriageReturn)
                    {
                        // A CR ends the record (as a line end); a LF right after it belongs to the same line end.
                        carriageReturn = false;
                        if (b == (byte)'\n') { start = i + 1; continue; }
                    }
                    if (skip > 0)
                    {
                        if (b == (byte)'\n') { skip--; physical++; start = i + 1; }
                        continue;
                    }
                    if (escaped)
                    {
                        escaped = false;
                        if (b == (byte)'\n') physical++;
                        continue;
                    }
                    if (b == (byte)'\\') { escaped = true; continue; }
                    if (b is not ((byte)'\n' or (byte)'\r')) continue;
                    record.Write(span[start..i]);
                    WriteRecord(record.WrittenSpan, csv, recordStart);
                    record.ResetWrittenCount();
                    recordStart = ++physical + 1;
                    carriageReturn = b == (byte)'\r';
                    start = i + 1;
                    if (csv.WrittenCount >= 1 << 16) { output.Write(csv.WrittenSpan); csv.ResetWrittenCount(); }
                }
                if (skip == 0 && start < span.Length) record.Write(span[start..]);
            }
            if (record.WrittenCount > 0) WriteRecord(record.WrittenSpan, csv, recordStart);
            output.Write(csv.WrittenSpan);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteRecord(ReadOnlySpan<byte> record, ArrayBufferWriter<byte> csv, long line)
    {
        if (record.IsEmpty) return;
        var unclosed = Split(record);
        if (numbered)
        {
            var count = _fields.Count;
            // unverified: Redshift's code for a REMOVEQUOTES field whose quote never closes (its parser then looks for the
            // closing quote and the delimiter after it: 1214 Delimiter not found, as without ESCAPE).
            var fault = unclosed ? "1214" : count > fields ? "1202" : count < fields && !fillRecord ? "1214" : "";
            if (!System.Text.Unicode.Utf8.IsValid(record))
            {
                // Rejected as a whole (1220); its invalid bytes are replaced so that the reader takes the row at all.
                fault = "1220";
                record = Repaired(record);
            }
            csv.Write(Encoding.ASCII.GetBytes($"{line.ToString(System.Globalization.CultureInfo.InvariantCulture)},{fault},"));
        }
        var written = 0;
        for (; written < fields && written < _fields.Count; written++)
        {
            if (written > 0) csv.Write(","u8);
            var (start, end) = _fields[written];
            WriteField(record[start..end], csv);
        }
        // FILLRECORD: missing fields are zero-length strings (NULL for other types, as an empty field is).
        for (; written < fields; written++)
        {
            if (written > 0) csv.Write(","u8);
            if (fillRecord) csv.Write("\"\""u8);
        }
        csv.Write("\n"u8);
    }

    /// <summary>A copy of the record with each byte of an invalid UTF-8 sequence replaced by '?'.</summary>
    private static byte[] Repaired(ReadOnlySpan<byte> record)
    {
        var bytes = record.ToArray();
        for (var i = 0; i < bytes.Length;)
        {
            var status = Rune.DecodeFromUtf8(bytes.AsSpan(i), out _, out var consumed);
            if (status != OperationStatus.Done) bytes.AsSpan(i, Math.Max(consumed, 1)).Fill((byte)'?');
            i += Math.Max(consumed, 1);
        }
        return bytes;
    }

    /// <summary>The fields of the record last split, as ranges of its bytes.</summary>
    private readonly List<(int Start, int End)> _fields = [];

    /// <summary>
    /// Splits a record into <see cref="_fields"/> at its unescaped delimiters. With REMOVEQUOTES a field that starts
    /// (after blanks) with an unescaped quote runs to the same quote followed by blanks and the delimiter or the record's
    /// end, delimiters inside kept ("All characters within the quotation marks, including delimiters, are retained");
    /// true when such a quote never closes (the field is then split at its next delimiter).
    /// </summary>
    private bool Split(ReadOnlySpan<byte> record)
    {
        _fields.Clear();
        var unclosed = false;
        var pos = 0;
        while (true)
        {
            var end = -1;
            if (removeQuotes)
            {
                var q = pos;
                while (q < record.Length && record[q] == (byte)' ') q++;
                if (q < record.Length && record[q] is (byte)'"' or (byte)'\'')
                {
                    end = QuotedEnd(record, q);
                    if (end < 0) unclosed = true;
                }
            }
            if (end < 0)
            {
                end = record.Length;
                for (var i = pos; i < record.Length; i++)
                {
                    if (record[i] == (byte)'\\') { i++; continue; }
                    if (record[i..].StartsWith(_delimiter)) { end = i; break; }
                }
            }
            _fields.Add((pos, end));
            if (end >= record.Length) return unclosed;
            pos = end + _delimiter.Length;
        }
    }

    /// <summary>Where a field whose quote opens at <paramref name="open"/> ends: at the delimiter (or the record's end)
    /// after its closing quote and any blanks; -1 when the quote never closes so.</summary>
    private int QuotedEnd(ReadOnlySpan<byte> record, int open)
    {
        var quote = record[open];
        for (var k = open + 1; k < record.Length; k++)
        {
            if (record[k] == (byte)'\\') { k++; continue; }
            if (record[k] != quote) continue;
            var m = k + 1;
            while (m < record.Length && record[m] == (byte)' ') m++;
            if (m == record.Length || record[m..].StartsWith(_delimiter)) return m;
        }
        return -1;
    }

    /// <summary>Whether the byte at <paramref name="index"/> follows an odd run of backslashes (is escaped).</summary>
    private static bool EscapedAt(ReadOnlySpan<byte> raw, int index)
    {
        var run = 0;
        while (index - run - 1 >= 0 && raw[index - run - 1] == (byte)'\\') run++;
        return run % 2 == 1;
    }

    /// <summary>One field: NULL when it reads as NULL AS before unescaping, else its unescaped bytes quoted.</summary>
    private void WriteField(ReadOnlySpan<byte> raw, ArrayBufferWriter<byte> csv)
    {
        if (raw.SequenceEqual(_null) || defaultNull && raw.SequenceEqual(@"\\N"u8)) return;
        if (removeQuotes)
        {
            // Blanks around the quotes go with them, as the ESCAPE page's example (| 'A Midsummer Night\'s Dream') loads.
            var quoted = raw.Trim((byte)' ');
            if (quoted.Length >= 2 && quoted[0] is (byte)'"' or (byte)'\'' && quoted[^1] == quoted[0] && !EscapedAt(quoted, quoted.Length - 1)) raw = quoted[1..^1];
        }
        csv.Write("\""u8);
        var run = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == (byte)'\\' && i + 1 < raw.Length)
            {
                csv.Write(raw[run..i]);
                run = ++i;
            }
            if (raw[i] != (byte)'"') continue;
            csv.Write(raw[run..i]);
            csv.Write("\"\""u8);
            run = i + 1;
        }
        csv.Write(raw[run..]);
        csv.Write("\""u8);
    }
}
