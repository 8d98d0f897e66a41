using System.Text;
using LocalShift.Engine;

namespace LocalShift.Sql.Copy;

/// <summary>
/// COPY's <c>ENCODING UTF16 | UTF16LE | UTF16BE</c>: a source read as UTF-16 and handed on as UTF-8, while it is
/// staged. <c>UTF16</c> needs a byte order mark, which says the byte order; <c>UTF16LE</c>/<c>UTF16BE</c> name it and
/// take a byte order mark or none ("regardless of the presence of a BOM"). The mark itself is not data.
/// </summary>
public sealed class Utf16Source : LocalShift.Core.ForwardReadStream
{
    private readonly StreamReader _reader;
    private readonly char[] _chars = new char[8192];
    private readonly byte[] _bytes = new byte[Encoding.UTF8.GetMaxByteCount(8192)];
    private readonly Encoder _utf8 = new UTF8Encoding(false).GetEncoder();
    private int _start, _end;

    private Utf16Source(StreamReader reader) => _reader = reader;

    /// <summary>The source as UTF-8; fails for <c>UTF16</c> without a byte order mark.</summary>
    public static Stream Open(Stream body, SourceEncoding encoding, string url)
    {
        var first = new byte[2];
        var read = 0;
        while (read < 2 && body.Read(first, read, 2 - read) is var n && n > 0) read += n;
        var bom = read == 2 ? (first[0], first[1]) switch { (0xFF, 0xFE) => SourceEncoding.Utf16Le, (0xFE, 0xFF) => SourceEncoding.Utf16Be, _ => (SourceEncoding?)null } : null;
        if (encoding == SourceEncoding.Utf16 && bom is null && read > 0)
        {
            body.Dispose();
            // unverified: Redshift's text for UTF16 data without a byte order mark.
            throw new PgException(SqlState.InternalError,
                $"Invalid data for ENCODING UTF16: {url} has no byte order mark (use UTF16LE or UTF16BE for data without one)");
        }
        var order = encoding == SourceEncoding.Utf16 ? bom ?? SourceEncoding.Utf16Le : encoding;
        var prefix = bom is not null ? [] : first[..read];
        Stream rest = prefix.Length == 0 ? body : new PrefixedStream(prefix, body);
        var text = order == SourceEncoding.Utf16Be ? new UnicodeEncoding(bigEndian: true, byteOrderMark: false) : new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
        return new Utf16Source(new StreamReader(rest, text, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16));
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_start == _end)
        {
            var chars = _reader.Read(_chars, 0, _chars.Length);
            _start = 0;
            _end = _utf8.GetBytes(_chars, 0, chars, _bytes, 0, flush: chars == 0);
            if (_end == 0) return 0;
        }
        var n = Math.Min(count, _end - _start);
        Array.Copy(_bytes, _start, buffer, offset, n);
        _start += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _reader.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Bytes already read from a stream, then the rest of it.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : LocalShift.Core.ForwardReadStream
    {
        private int _at;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_at < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - _at);
                Array.Copy(prefix, _at, buffer, offset, n);
                _at += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
