using System.Globalization;

namespace LocalShift.Sql.Copy;

/// <summary>
/// A single-character option (DELIMITER, QUOTE) as Redshift reads it: one character, or an escape of one —
/// <c>'\t'</c>, <c>'\n'</c>, <c>'\r'</c>, <c>'\\'</c>, octal <c>'\ddd'</c> (<c>'\011'</c>, <c>'\036'</c>) or <c>'\uXXXX'</c>.
/// Anything else is returned as written, for the caller's "must be a single character".
/// </summary>
public static class CharacterOption
{
    public static string Decode(string text)
    {
        if (text.Length < 2 || text[0] != '\\') return text;
        var rest = text[1..];
        switch (rest)
        {
            case "t": return "\t";
            case "n": return "\n";
            case "r": return "\r";
            case "\\": return "\\";
        }
        if (rest.Length == 3 && rest.All(c => c is >= '0' and <= '7'))
            return ((char)Convert.ToInt32(rest, 8)).ToString();
        if (rest.Length == 5 && rest[0] is 'u' or 'U' && int.TryParse(rest[1..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            return ((char)code).ToString();
        return text;
    }
}
