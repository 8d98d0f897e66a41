using System.Text.RegularExpressions;

namespace LocalShift.Services.Glue;

/// <summary>
/// GetTables' <c>Expression</c>: "a regular expression pattern; only tables whose names match it are returned". As in
/// the Hive metastore Glue stands in for, a <c>*</c> that follows no <c>.</c> means any run of characters (so
/// <c>sales*</c> and <c>sales.*</c> both work), <c>|</c> separates alternatives, and the whole name must match,
/// case-insensitively. A pattern that is not a valid regular expression is InvalidInputException.
/// </summary>
public static class TableNamePattern
{
    public static Func<string, bool> Compile(string? expression)
    {
        if (string.IsNullOrEmpty(expression)) return _ => true;
        var pattern = Regex.Replace(expression, @"(?<!\.)\*", ".*");
        Regex regex;
        try
        {
            // A user's pattern runs on LocalShift's thread: the timeout bounds a pathological one.
            regex = new Regex($"^(?:{pattern})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            // unverified: AWS's text.
            throw GlueErrors.InvalidInput($"Invalid table name pattern: {expression}");
        }
        return name =>
        {
            try { return regex.IsMatch(name); }
            catch (RegexMatchTimeoutException) { throw GlueErrors.InvalidInput($"Invalid table name pattern: {expression}"); }
        };
    }
}
