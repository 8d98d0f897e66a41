using System.Globalization;
using System.Xml;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Query;

public static class XmlWriterExtensions
{
    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c>; skips the element when value is null.</summary>
    public static XmlWriter El(this XmlWriter w, string name, string? value)
    {
        if (value is not null) w.WriteElementString(name, value);
        return w;
    }

    public static XmlWriter El(this XmlWriter w, string name, int? value) =>
        value is null ? w : w.El(name, value.Value.ToString(CultureInfo.InvariantCulture));

    public static XmlWriter El(this XmlWriter w, string name, long? value) =>
        value is null ? w : w.El(name, value.Value.ToString(CultureInfo.InvariantCulture));

    public static XmlWriter El(this XmlWriter w, string name, bool? value) =>
        value is null ? w : w.El(name, value.Value ? "true" : "false");

    public static XmlWriter El(this XmlWriter w, string name, DateTimeOffset? value) =>
        value is null ? w : w.El(name, AwsTime.Iso(value.Value));

    /// <summary>Writes a list: <c>&lt;name&gt;&lt;member&gt;…&lt;/member&gt;…&lt;/name&gt;</c>; always written, empty when there are no items.</summary>
    public static XmlWriter List<T>(this XmlWriter w, string name, IEnumerable<T> items, Action<XmlWriter, T> writeItem, string memberName = "member")
    {
        w.WriteStartElement(name);
        foreach (var item in items)
        {
            w.WriteStartElement(memberName);
            writeItem(w, item);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        return w;
    }

    public static XmlWriter StringList(this XmlWriter w, string name, IEnumerable<string> items, string memberName = "member") =>
        w.List(name, items, (x, s) => x.WriteString(s), memberName);

    public static XmlWriter Struct(this XmlWriter w, string name, Action<XmlWriter> body)
    {
        w.WriteStartElement(name);
        body(w);
        w.WriteEndElement();
        return w;
    }
}
