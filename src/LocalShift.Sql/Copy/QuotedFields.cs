using System.Buffers;

namespace LocalShift.Sql.Copy;

/// <summary>
/// Quoting that DuckDB's CSV reader does not know, rewritten line for line (so line numbers stay those of the object)
/// into quoting it does:
/// <list type="bullet">
/// <item><see cref="Mode.CsvBlanks"/>: CSV with blanks between a delimiter and an opening quote or between a closing
/// quote and the delimiter (<c>1, "a,b" ,2</c>): the blanks are dropped, the rest is kept byte for byte.</item>
/// <item><see cref="Mode.RemoveQuotes"/>: REMOVEQUOTES text, where a field may be surrounded by double or single quotes
/// (<c>'Black'</c>, <c>"White"</c>) and everything inside, delimiters and inner quotes included, is kept; the field ends
/// at the same quote followed by the delimiter or the end of the line. Such fields (and any field holding a double
/// quote) are written as RFC 4180 quoted fields with <c>"</c>, so a reader with quote and escape <c>"</c> gives them back.
/// A line with a field opening with a quote that never closes is listed in <see cref="Unclosed"/> and written as a
/// record of <c>fields + 1</c> fields, so the reader sets it aside (Redshift rejects the record); with no
/// <c>fields</c> given it is kept as written.</item>
/// </list>
/// Delimiter and quote are single ASCII bytes (the caller does not rewrite otherwise).
/// </summary>
public sealed class QuotedFields(QuotedFields.Mode mode, byte delimiter, byte quote, long skipLines, int fields = 0)
{
    public enum Mode { CsvBlanks, RemoveQuotes }

    /// <summary>REMOVEQUOTES: the lines (numbered from 1, header lines counted) of the last <see cref="Rewrite"/> whose
    /// quote never closes, with their text (the first 1000).</summary>
    public Dictionary<long, string> Unclosed { get; } = [];

    private long _line;
    private readonly ArrayBufferWriter<byte> _record = new(4096);

    public void Rewrite(Stream input, Stream output)
    {
        Unclosed.Clear();
        _line = 0;
        var line = new ArrayBufferWriter<byte>(4096);
        var outBuffer = new ArrayBufferWriter<byte>(1 << 16);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var skip = skipLines;
        // CSV: a record may span lines inside quotes, so its state carries over line ends.
        var csv = new CsvState();
        try
        {
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                var start = 0;
                for (var i = 0; i < span.Length; i++)
                {
                    if (span[i] != (byte)'\n') continue;
                    line.Write(span[start..(i + 1)]);
                    Line(line.WrittenSpan, outBuffer, ref skip, ref csv);
                    line.ResetWrittenCount();
                    start = i + 1;
                    if (outBuffer.WrittenCount >= 1 << 16) { output.Write(outBuffer.WrittenSpan); outBuffer.ResetWrittenCount(); }
                }
                line.Write(span[start..]);
            }
            if (line.WrittenCount > 0) Line(line.WrittenSpan, outBuffer, ref skip, ref csv);
            output.Write(outBuffer.WrittenSpan);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Line(ReadOnlySpan<byte> line, ArrayBufferWriter<byte> output, ref long skip, ref CsvState csv)
    {
        _line++;
        if (skip > 0) { skip--; output.Write(line); return; }
        if (mode == Mode.CsvBlanks) CsvLine(line, output, ref csv);
        else RemoveQuotesLine(line, output);
    }

    private struct CsvState
    {
        public bool InQuotes;
        /// <summary>Just after a closing quote: blanks up to the delimiter or line end are dropped.</summary>
        public bool AfterClose;
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    private void CsvLine(ReadOnlySpan<byte> line, ArrayBufferWriter<byte> output, ref CsvState state)
    {
        var fieldStart = !state.InQuotes && !state.AfterClose;
        var i = 0;
        while (i < line.Length)
        {
            var b = line[i];
            if (state.InQuotes)
            {
                output.Write([b]);
                if (b == quote)
                {
                    if (i + 1 < line.Length && line[i + 1] == quote) { output.Write([quote]); i += 2; continue; }
                    state.InQuotes = false;
                    state.AfterClose = true;
                }
                i++;
                continue;
            }
            if (fieldStart || state.AfterClose)
            {
                // Blanks at the start of a field (before a quote) or after a closing quote (before the delimiter).
                var j = i;
                while (j < line.Length && IsBlank(line[j]) && line[j] != delimiter) j++;
                var next = j < line.Length ? line[j] : (byte)'\n';
                var drop = fieldStart ? next == quote : next == delimiter || next is (byte)'\n' or (byte)'\r';
                if (!drop) output.Write(line[i..j]);
                i = j;
                fieldStart = false;
                state.AfterClose = false;
                if (i >= line.Length) break;
                continue;
            }
            output.Write([b]);
            if (b == quote) state.InQuotes = true;
            else if (b == delimiter) fieldStart = true;
            i++;
        }
    }

    private void RemoveQuotesLine(ReadOnlySpan<byte> line, ArrayBufferWriter<byte> output)
    {
        var end = line.Length;
        if (end > 0 && line[end - 1] == (byte)'\n') end--;
        if (end > 0 && line[end - 1] == (byte)'\r') end--;
        var body = line[..end];
        _record.ResetWrittenCount();
        if (RemoveQuotesRecord(body, _record) || fields == 0) output.Write(_record.WrittenSpan);
        else
        {
            // The quote never closes: the reader gets a record with one field too many, and COPY names the reason.
            if (Unclosed.Count < 1000) Unclosed[_line] = System.Text.Encoding.UTF8.GetString(body);
            Quoted(body, output);
            // (Fields that are not empty: the reader forgives a record's one trailing empty field.)
            for (var k = 0; k < fields; k++) output.Write([delimiter, (byte)'-']);
        }
        output.Write(line[end..]);
    }

    /// <summary>One REMOVEQUOTES record rewritten; false when a field's opening quote never closes.</summary>
    private bool RemoveQuotesRecord(ReadOnlySpan<byte> body, ArrayBufferWriter<byte> output)
    {
        var unclosed = false;
        var i = 0;
        while (true)
        {
            var field = body[i..];
            var length = field.IndexOf(delimiter);
            if (field.Length > 0 && field[0] is (byte)'"' or (byte)'\'')
            {
                // The closing quote is the same quote followed by the delimiter or the end of the line.
                var q = field[0];
                var close = -1;
                for (var k = 1; k < field.Length; k++)
                    if (field[k] == q && (k + 1 == field.Length || field[k + 1] == delimiter)) { close = k; break; }
                if (close < 0) unclosed = true;
                if (close > 0)
                {
                    Quoted(field[1..close], output);
                    length = close + 1;
                    i += length;
                    if (i >= body.Length) break;
                    output.Write([delimiter]);
                    i++;
                    continue;
                }
            }
            var value = length < 0 ? field : field[..length];
            if (value.IndexOf((byte)'"') >= 0) Quoted(value, output);
            else output.Write(value);
            if (length < 0) break;
            output.Write([delimiter]);
            i += length + 1;
        }
        return !unclosed;
    }

    private static void Quoted(ReadOnlySpan<byte> value, ArrayBufferWriter<byte> output)
    {
        output.Write("\""u8);
        var run = 0;
        for (var k = 0; k < value.Length; k++)
        {
            if (value[k] != (byte)'"') continue;
            output.Write(value[run..k]);
            output.Write("\"\""u8);
            run = k + 1;
        }
        output.Write(value[run..]);
        output.Write("\""u8);
    }
}
