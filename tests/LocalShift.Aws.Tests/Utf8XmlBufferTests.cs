using System.Text;
using System.Xml;
using LocalShift.Aws.Protocols;
using LocalShift.Aws.Protocols.Query;
using XmlText = LocalShift.Aws.Protocols.XmlText;

namespace LocalShift.Aws.Tests;

/// <summary>The query answers' direct writer gives the bytes XmlWriter (with the envelope's settings) gave, text by text.</summary>
public class Utf8XmlBufferTests
{
    public static TheoryData<string> Texts() =>
    [
        "", "plain", "a&b<c>d", "]]>", "quote \" and apostrophe '", "tab\there", "line\nbreak", "cr\rlone", "crlf\r\nend",
        "\r\n\r\n\n\r", "nul\0here", "bell\u0007", "lone \uD800 high", "lone \uDC00 low", "pair \U0001F600 ok", "end high \uD800",
        "é ü 中文", "\u0085 next line", "\u2028 line sep", "\uFFFE\uFFFF", "\uFFFD", "arn:aws:iam::123456789012:role/a+b=c,d.e@f-g_h",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}", "%7B%22Version%22%3A%222012%22%7D", "x\u007Fy",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Text_is_written_as_XmlWriter_writes_it(string text)
    {
        const string ns = "https://sts.amazonaws.com/doc/2011-06-15/";
        using var expected = new MemoryStream();
        using (var w = XmlWriter.Create(expected, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("GetRoleResponse", ns);
            w.WriteStartElement("GetRoleResult");
            w.WriteElementString("Value", XmlText.Safe(text));
            w.WriteStartElement("Empty");
            w.WriteEndElement();
            w.WriteStartElement("List");
            w.WriteElementString("member", XmlText.Safe(text));
            w.WriteElementString("member", "");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        using var actual = new Utf8XmlBuffer(16); // small, so the text makes it grow
        actual.WriteDeclaration();
        actual.StartElement("GetRoleResponse", ns);
        actual.StartElement("GetRoleResult");
        actual.ElementString("Value", text);
        actual.StartElement("Empty");
        actual.EndElement("Empty");
        actual.StartElement("List");
        actual.ElementString("member", text);
        actual.ElementString("member", "");
        actual.EndElement("List");
        actual.EndElement("GetRoleResult");
        actual.EndElement("GetRoleResponse");

        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(actual.Written.Span));
        Assert.Equal(expected.ToArray(), actual.Written.ToArray());
    }

    /// <summary>The query protocol's ErrorResponse, direct and through XmlWriter: the same bytes for every text, with and without a namespace.</summary>
    [Theory]
    [MemberData(nameof(Texts))]
    public void Error_responses_are_written_as_XmlWriter_writes_them(string text)
    {
        foreach (var ns in new[] { "https://iam.amazonaws.com/doc/2010-05-08/", null })
        foreach (var senderFault in new[] { true, false })
        {
            var error = new LocalShift.Core.AwsException("ValidationError", text, senderFault ? 400 : 500, senderFault);
            using var expected = new MemoryStream();
            QueryEnvelope.WriteError(expected, ns, error, "req-" + text.Length);
            using var actual = new Utf8XmlBuffer(16);
            QueryEnvelope.WriteError(actual, ns, error, "req-" + text.Length);

            Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(actual.Written.Span));
            Assert.Equal(expected.ToArray(), actual.Written.ToArray());
        }
    }
}
