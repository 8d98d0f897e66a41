using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace LocalShift.WebConsole;

/// <summary>A fragment of HTML the console built itself; the only kind of value written into a page unencoded.</summary>
public readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new("");
    public override string ToString() => Value;
}

/// <summary>
/// Writes HTML where every interpolated value is HTML-encoded unless it is <see cref="Markup"/>: no string that came
/// from a user, a request or the state store can become markup or script.
/// </summary>
[InterpolatedStringHandler]
public ref struct HtmlHandler
{
    private readonly StringBuilder _sb;

    public HtmlHandler(int literalLength, int formattedCount) => _sb = new StringBuilder(literalLength + formattedCount * 16);

    public HtmlHandler(int literalLength, int formattedCount, HtmlBuilder builder) => _sb = builder.Builder;

    public void AppendLiteral(string s) => _sb.Append(s);

    public void AppendFormatted(Markup m) => _sb.Append(m.Value);

    public void AppendFormatted(string? s)
    {
        if (s is not null) HtmlBuilder.Encode(_sb, s);
    }

    public void AppendFormatted<T>(T value)
    {
        if (value is Markup m) { _sb.Append(m.Value); return; }
        var s = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString();
        if (s is not null) HtmlBuilder.Encode(_sb, s);
    }

    public void AppendFormatted<T>(T value, string? format)
    {
        var s = value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString();
        if (s is not null) HtmlBuilder.Encode(_sb, s);
    }

    internal readonly string Text => _sb.ToString();
}

/// <summary>A page or fragment being written.</summary>
public sealed class HtmlBuilder
{
    internal StringBuilder Builder { get; } = new(8192);

    public HtmlBuilder Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler html) => this;

    public HtmlBuilder Add(Markup m)
    {
        Builder.Append(m.Value);
        return this;
    }

    public Markup ToMarkup() => new(Builder.ToString());

    public override string ToString() => Builder.ToString();

    /// <summary>An encoded fragment, for building a piece before it is placed.</summary>
    public static Markup Of(ref HtmlHandler html) => new(html.Text);

    public static void Encode(StringBuilder sb, string s)
    {
        foreach (var c in s)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
    }

    public static string Encode(string s) => HtmlEncoder.Default.Encode(s);
}
