using System.Text;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// TO_CHAR(number, format) with PostgreSQL's numeric format patterns, which Redshift uses: 9 (digit), 0 (digit,
/// leading zeros kept), . or D (decimal point), , or G (group separator), S (sign), MI (minus), PR (angle brackets
/// for negatives), L or $ (currency), FM (no padding). The format is known when the statement is translated, so
/// it becomes one DuckDB string expression.
/// </summary>
internal static class NumberFormat
{
    /// <summary>A format made only of numeric pattern characters (and at least one digit position).</summary>
    public static bool IsNumberFormat(string format)
    {
        var upper = format.ToUpperInvariant().Replace("FM", "").Replace("MI", "").Replace("PR", "");
        return upper.Any(c => c is '9' or '0') && upper.All(c => c is '9' or '0' or '.' or ',' or 'D' or 'G' or 'S' or 'L' or '$' or ' ');
    }

    public static string ToSql(string value, string format)
    {
        var upper = format.ToUpperInvariant();
        var fillMode = upper.Contains("FM", StringComparison.Ordinal);
        var tokens = Parse(upper.Replace("FM", ""));
        var point = tokens.FindIndex(t => t is "." or "D");
        var intSlots = tokens.Take(point < 0 ? tokens.Count : point).Count(t => t is "9" or "0");
        var fracSlots = point < 0 ? 0 : tokens.Skip(point + 1).Count(t => t is "9" or "0");
        var intTokens = tokens.Take(point < 0 ? tokens.Count : point).Where(t => t is "9" or "0").ToList();
        var firstZero = intTokens.IndexOf("0");
        var zeroDigits = firstZero < 0 ? 0 : intSlots - firstZero;

        // digits: the absolute value rounded to the fraction, as "int.frac" text.
        var number = $"CAST({value} AS DOUBLE)";
        var text = $"printf('%.{fracSlots}f', abs({number}))";
        var intText = $"(CASE WHEN split_part({text}, '.', 1) = '0' THEN '' ELSE split_part({text}, '.', 1) END)";
        var fracText = $"split_part({text}, '.', 2)";
        var overflow = $"length({intText}) > {intSlots}";
        var padded = $"lpad(lpad({intText}, CAST(greatest(length({intText}), {zeroDigits}) AS INTEGER), '0'), {intSlots}, ' ')";
        var fracTokens = point < 0 ? [] : tokens.Skip(point + 1).Where(t => t is "9" or "0").ToList();
        var keptFraction = fracTokens.LastIndexOf("0") + 1;
        var fraction = fillMode ? $"rpad(rtrim({fracText}, '0'), CAST(greatest(length(rtrim({fracText}, '0')), {keptFraction}) AS INTEGER), '0')" : fracText;
        var negative = $"({number} < 0)";

        var body = new StringBuilder("(''");
        var slot = 0;
        var frac = 0;
        var afterPoint = false;
        var sign = "default";
        foreach (var token in tokens)
        {
            switch (token)
            {
                case "9" or "0" when !afterPoint:
                    slot++;
                    body.Append($" || substr({padded}, {slot}, 1)");
                    break;
                case "9" or "0":
                    if (++frac == 1) body.Append($" || {fraction}");
                    break;
                case "." or "D":
                    afterPoint = true;
                    body.Append(" || '.'");
                    break;
                case "," or "G":
                    if (afterPoint) body.Append(" || ','");
                    else body.Append(slot == 0 ? " || ' '" : $" || (CASE WHEN substr({padded}, {slot}, 1) = ' ' THEN ' ' ELSE ',' END)");
                    break;
                case "S":
                    sign = slot == 0 && !afterPoint ? "S-lead" : "S-trail";
                    if (sign == "S-trail") body.Append($" || (CASE WHEN {negative} THEN '-' ELSE '+' END)");
                    break;
                case "MI":
                    sign = "MI";
                    body.Append($" || (CASE WHEN {negative} THEN '-' ELSE {(fillMode ? "''" : "' '")} END)");
                    break;
                case "PR":
                    sign = "PR";
                    break;
                case "L" or "$":
                    body.Append(" || '$'");
                    break;
                default:
                    body.Append(" || ").Append(QuoteLiteral(token));
                    break;
            }
        }
        body.Append(')');

        var digits = body.ToString();
        var signed = sign switch
        {
            // The sign sits just before the first digit, in a position of its own.
            "default" or "S-lead" => fillMode
                ? $"(CASE WHEN {negative} THEN '-' ELSE {(sign == "S-lead" ? "'+'" : "''")} END) || ltrim({digits}, ' ')"
                : $"repeat(' ', CAST(length({digits}) - length(ltrim({digits}, ' ')) AS INTEGER)) || (CASE WHEN {negative} THEN '-' ELSE {(sign == "S-lead" ? "'+'" : "' '")} END) || ltrim({digits}, ' ')",
            "PR" => fillMode
                ? $"(CASE WHEN {negative} THEN '<' || ltrim({digits}, ' ') || '>' ELSE ltrim({digits}, ' ') END)"
                : $"(CASE WHEN {negative} THEN repeat(' ', CAST(length({digits}) - length(ltrim({digits}, ' ')) AS INTEGER)) || '<' || ltrim({digits}, ' ') || '>' ELSE ' ' || {digits} || ' ' END)",
            _ => fillMode ? $"ltrim({digits}, ' ')" : digits,
        };
        var hashes = new string('#', Math.Max(1, intSlots)) + (point < 0 ? "" : "." + new string('#', fracSlots));
        return $"(CASE WHEN ({value}) IS NULL THEN NULL WHEN {overflow} THEN {QuoteLiteral((sign is "default" or "S-lead" ? " " : "") + hashes)} ELSE {signed} END)";
    }

    private static List<string> Parse(string format)
    {
        var tokens = new List<string>();
        for (var i = 0; i < format.Length; i++)
        {
            if (i + 1 < format.Length && format.Substring(i, 2) is "MI" or "PR")
            {
                tokens.Add(format.Substring(i, 2));
                i++;
                continue;
            }
            tokens.Add(format[i].ToString());
        }
        return tokens;
    }
}
