using System.Xml;

namespace LocalShift.Aws.Protocols;

/// <summary>
/// Text an XML 1.0 document can carry. An error message may echo a caller's value (a NUL, a lone surrogate, a C0
/// control); XmlWriter refuses those characters, which used to turn a validation error into a 500 with no body.
/// Each such character is written as U+FFFD.
/// </summary>
public static class XmlText
{
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var index = FirstInvalid(text);
        if (index < 0) return text;
        var chars = text.ToCharArray();
        for (var i = index; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (!XmlConvert.IsXmlChar(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    private static int FirstInvalid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (!XmlConvert.IsXmlChar(c)) return i;
        }
        return -1;
    }
}
