using System.Buffers;
using System.Text;

namespace LocalShift.Sql.Copy;

/// <summary>Invalid UTF-8 in a COPY source without ACCEPTINVCHARS (Redshift's error 1220).</summary>
public sealed class InvalidUtf8Exception(string url, long line, string hex) : Exception($"{RedshiftReason} {hex} (s3 object {url}, line {line})")
{
    public const string RedshiftReason = "String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence:";

    public string Url => url;
    public long Line => line;
    public string Reason => $"{RedshiftReason} {hex}";
}

/// <summary>
/// A read-only view of a source that checks it is UTF-8 as it streams by: valid chunks pass untouched (a vectorized
/// check), a chunk with invalid bytes either has each invalid byte replaced by the ACCEPTINVCHARS character (so the
/// byte length stays the same, as in Redshift) or throws <see cref="InvalidUtf8Exception"/> with the line it is on.
/// A character split across reads is held back until its remaining bytes arrive.
/// </summary>
public sealed class Utf8CheckingStream(Stream inner, char? replacement, string url) : LocalShift.Core.ForwardReadStream
{
    private readonly byte[] _buffer = new byte[128 * 1024];
    private int _start, _end;   // bytes ready to hand out: _buffer[_start.._end)
    private int _held;          // bytes of an incomplete character kept after _end
    private long _line = 1;
    private long _offset;       // bytes checked before the current chunk
    private long _lineStart;    // offset of the current line's first byte
    private bool _done;
    private readonly List<long> _replaced = [];
    private readonly List<int> _columns = [];

    /// <summary>With ACCEPTINVCHARS: the lines where invalid bytes were replaced, in order (the first 100, as stl_replacements keeps).</summary>
    public IReadOnlyList<long> ReplacedLines => _replaced;

    /// <summary>For each of <see cref="ReplacedLines"/>: the byte offset, in its line, of the first byte replaced there
    /// (for stl_replacements.colname, "the first field that contained the invalid UTF-8 character").</summary>
    public IReadOnlyList<int> FirstReplacedAt => _columns;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>The check is synchronous (the source is a local file or an in-process decoder).</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));

    public override int Read(Span<byte> destination)
    {
        if (_start == _end && !Fill()) return 0;
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    private bool Fill()
    {
        if (_done) return false;
        // Keep the held bytes of a split character at the front, then read behind them.
        _buffer.AsSpan(_end, _held).CopyTo(_buffer);
        var length = _held;
        var read = inner.Read(_buffer, length, _buffer.Length - length);
        length += read;
        if (read == 0) _done = true;
        if (length == 0) return false;
        var ready = _done ? length : CompleteLength(_buffer.AsSpan(0, length));
        Check(_buffer.AsSpan(0, ready));
        _start = 0;
        _end = ready;
        _held = length - ready;
        return ready > 0 || Fill();
    }

    /// <summary>The length without a trailing character whose bytes are not all here yet.</summary>
    private static int CompleteLength(ReadOnlySpan<byte> span)
    {
        for (var back = 1; back <= Math.Min(3, span.Length); back++)
        {
            var b = span[^back];
            if (b < 0x80) return span.Length;
            if (b < 0xC0) continue; // continuation byte
            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            return need > back ? span.Length - back : span.Length;
        }
        return span.Length;
    }

    private void Check(Span<byte> span)
    {
        if (System.Text.Unicode.Utf8.IsValid(span))
        {
            var newlines = span.Count((byte)'\n');
            if (newlines > 0)
            {
                _line += newlines;
                _lineStart = _offset + span.LastIndexOf((byte)'\n') + 1;
            }
            _offset += span.Length;
            return;
        }
        var i = 0;
        while (i < span.Length)
        {
            var status = Rune.DecodeFromUtf8(span[i..], out _, out var consumed);
            if (status == OperationStatus.Done)
            {
                if (span[i] == (byte)'\n')
                {
                    _line++;
                    _lineStart = _offset + i + 1;
                }
                i += consumed;
                continue;
            }
            if (replacement is not { } c)
                throw new InvalidUtf8Exception(url, _line, Convert.ToHexString(span.Slice(i, Math.Max(consumed, 1))).ToLowerInvariant());
            for (var k = 0; k < Math.Max(consumed, 1); k++) span[i + k] = (byte)c;
            if (_replaced.Count < 100 && (_replaced.Count == 0 || _replaced[^1] != _line))
            {
                _replaced.Add(_line);
                _columns.Add((int)Math.Min(int.MaxValue, _offset + i - _lineStart));
            }
            i += Math.Max(consumed, 1);
        }
        _offset += span.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
