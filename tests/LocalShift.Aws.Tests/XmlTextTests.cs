using System.Text;
using System.Xml.Linq;
using LocalShift.Aws.Protocols;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

public class XmlTextTests
{
    [Fact]
    public void An_error_message_echoing_a_nul_or_a_lone_surrogate_is_still_a_well_formed_error_document()
    {
        using var output = new MemoryStream();
        QueryEnvelope.WriteError(output, "https://sts.amazonaws.com/doc/2011-06-15/",
            AwsException.Validation("Value 'a\0b\uD800c\U0001F600' at 'tokenCode' failed to satisfy constraint"), "req-1");

        var document = XDocument.Parse(Encoding.UTF8.GetString(output.ToArray()));
        var message = document.Descendants().Single(e => e.Name.LocalName == "Message").Value;
        Assert.Equal("Value 'a\uFFFDb\uFFFDc\U0001F600' at 'tokenCode' failed to satisfy constraint", message);
    }

    [Fact]
    public void Text_xml_can_carry_is_returned_as_it_is()
    {
        const string text = "tab\tnew\nline é 😀";
        Assert.Same(text, XmlText.Safe(text));
    }
}
