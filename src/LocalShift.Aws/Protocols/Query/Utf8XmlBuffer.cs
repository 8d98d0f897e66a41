using System.Buffers;
using System.Text;
using System.Xml;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>
/// A forward-only UTF-8 XML writer into a pooled buffer for the query protocol's answers, writing exactly the bytes
/// <see cref="XmlWriter"/> with <see cref="QueryEnvelope"/>'s settings writes (an empty element is <c>&lt;Name /&gt;</c>;
/// text escapes <c>&amp; &lt; &gt;</c> and writes every line break as <c>\n</c>), without its per-document state
/// machine. A test compares the two on every shape of text. Characters XML cannot carry become U+FFFD, as
/// <see cref="XmlText.Safe"/> does. Element names come from the service model and are written as given.
/// </summary>
public sealed class Utf8XmlBuffer : IDisposable
{
    private static readonly byte[] Declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"u8.ToArray();

    /// <summary>Characters that cannot be copied straight through: markup, line breaks, and what XML 1.0 cannot hold.</summary>
    private static readonly SearchValues<char> Special = SearchValues.Create(SpecialChars());

    private byte[] _buffer;
    private int _length;
    private bool _startOpen; // a start tag is written up to its name and attributes; '>' or ' />' comes next

    public Utf8XmlBuffer(int initialCapacity = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public void WriteDeclaration() => Append(Declaration);

    /// <summary>Bytes written as they are (a document another writer made); nothing may be open.</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        CloseStartTag();
        Append(bytes);
    }

    public void StartElement(string name, string? ns = null)
    {
        CloseStartTag();
        AppendByte((byte)'<');
        AppendAscii(name);
        if (ns is not null)
        {
            Append(" xmlns=\""u8);
            AppendText(ns, attribute: true);
            AppendByte((byte)'"');
        }
        _startOpen = true;
    }

    public void EndElement(string name)
    {
        if (_startOpen)
        {
            Append(" />"u8);
            _startOpen = false;
            return;
        }
        Append("</"u8);
        AppendAscii(name);
        AppendByte((byte)'>');
    }

    /// <summary>As <see cref="XmlWriter.WriteElementString(string, string)"/>: an empty value is an empty element.</summary>
    public void ElementString(string name, string? value)
    {
        StartElement(name);
        if (!string.IsNullOrEmpty(value)) Text(value);
        EndElement(name);
    }

    public void Text(string value)
    {
        CloseStartTag();
        AppendText(value, attribute: false);
    }

    private void CloseStartTag()
    {
        if (!_startOpen) return;
        AppendByte((byte)'>');
        _startOpen = false;
    }

    private void AppendText(string value, bool attribute)
    {
        var span = value.AsSpan();
        while (span.Length > 0)
        {
            var i = span.IndexOfAny(Special);
            if (i < 0)
            {
                AppendUtf8(span);
                return;
            }
            if (i > 0) AppendUtf8(span[..i]);
            var c = span[i];
            var used = 1;
            switch (c)
            {
                case '&': Append("&amp;"u8); break;
                case '<': Append("&lt;"u8); break;
                case '>': Append("&gt;"u8); break;
                case '"' when attribute: Append("&quot;"u8); break;
                case '"': AppendByte((byte)'"'); break;
                case '\n':
                    if (attribute) Append("&#xA;"u8); else AppendByte((byte)'\n');
                    break;
                case '\r':
                    if (attribute) Append("&#xD;"u8);
                    else
                    {
                        // XmlWriter's NewLineHandling.Replace: "\r\n" and "\r" are each one "\n" on this platform.
                        AppendByte((byte)'\n');
                        if (span.Length > i + 1 && span[i + 1] == '\n') used = 2;
                    }
                    break;
                default:
                    if (char.IsHighSurrogate(c) && span.Length > i + 1 && char.IsLowSurrogate(span[i + 1]))
                    {
                        AppendUtf8(span.Slice(i, 2));
                        used = 2;
                    }
                    else AppendUtf8("\uFFFD");
                    break;
            }
            span = span[(i + used)..];
        }
    }

    private static string SpecialChars()
    {
        var sb = new StringBuilder();
        sb.Append("&<>\"");
        for (var c = 0; c < 0x20; c++)
            if (c != '\t') sb.Append((char)c); // \n and \r included: line breaks are rewritten
        for (var c = 0xD800; c <= 0xDFFF; c++) sb.Append((char)c);
        sb.Append('\uFFFE').Append('\uFFFF');
        return sb.ToString();
    }

    private void AppendAscii(string name)
    {
        Ensure(name.Length);
        // Names from the model are ASCII; anything else still goes out as UTF-8.
        if (Ascii.IsValid(name))
        {
            Encoding.ASCII.GetBytes(name, _buffer.AsSpan(_length));
            _length += name.Length;
        }
        else AppendUtf8(name);
    }

    private void AppendUtf8(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void AppendByte(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
