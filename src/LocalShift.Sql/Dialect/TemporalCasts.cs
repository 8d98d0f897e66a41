using LocalShift.Sql.Copy;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Casts to DATE, TIMESTAMP, TIMESTAMPTZ and TIME read text by Redshift's automatic recognition, as COPY's 'auto'
/// does ("Using automatic recognition with DATEFORMAT and TIMEFORMAT" tests its formats with <c>cast(test as
/// timestamp)</c> over a CHAR column): <c>CAST(e AS t)</c> and <c>e::t</c>, where e is not a string literal the
/// translator writes out itself, become an expression that gives a text value to LocalShift's recognizer (the host
/// function <see cref="DateTimeConversion.HostFunction"/>, reachable only from text LocalShift writes) and any other
/// value to the engine's cast, the operand evaluated once per row. A value the recognizer does not read fails with PostgreSQL's
/// <c>invalid input syntax for type date: "x"</c> (22007).
/// </summary>
/// <remarks>
/// The parse tree places each such cast (<see cref="Syntax.RewriteKind.Temporal"/>: which operands qualify is decided
/// there); <see cref="RedshiftTranslator"/>'s splice writes the replacement from the texts here, its operand translated
/// as anywhere else. LocalShift's own text that casts to a date or time type the same way (an external function's
/// arguments and result) writes it from <see cref="Open"/> and <see cref="Close"/>.
/// </remarks>
internal static class TemporalCasts
{
    /// <summary>Literals the engine's cast reads and the recognizer does not: left to the engine.</summary>
    private static readonly HashSet<string> SpecialValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "epoch", "now", "today", "tomorrow", "yesterday", "infinity", "-infinity", "+infinity", "allballs",
    };

    /// <summary>The type a site names (its engine name: DATE, TIMESTAMP, TIMESTAMPTZ, TIME).</summary>
    public static TemporalType TypeOf(string engineType) => engineType switch
    {
        "DATE" => TemporalType.Date,
        "TIMESTAMPTZ" => TemporalType.TimestampTz,
        "TIME" => TemporalType.Time,
        _ => TemporalType.Timestamp,
    };

    private static string EngineName(TemporalType type) => type switch
    {
        TemporalType.Date => "DATE",
        TemporalType.TimestampTz => "TIMESTAMPTZ",
        TemporalType.Time => "TIME",
        _ => "TIMESTAMP",
    };

    /// <summary>
    /// Whether a string literal cast to <paramref name="type"/> is left as it is: one the translator writes out itself
    /// (the recognizer reads it now) or one the engine reads ('epoch', 'now').
    /// </summary>
    public static bool LeavesLiteral(string value, TemporalType type) =>
        SpecialValues.Contains(value.Trim()) || DateTimeConversion.ForCast(type).TryConvert(value, out _);

    /// <summary>A string literal (as written) that the recognizer is to read when the statement runs (and fail on, with the cast's error).</summary>
    public static string Literal(string literal, TemporalType type) =>
        $"{Recognized}{literal}, {Spec(type)})) AS {EngineName(type)})";

    /// <summary>What is written before an operand cast to <paramref name="type"/> (not a lone string literal): the operand follows, then <see cref="Close"/>.</summary>
    public static string Open => "(list_transform([";

    /// <summary>
    /// What follows the operand: it is written once, as the one element of a list a lambda reads, so it is evaluated once
    /// per row (a volatile operand, random() or a Lambda UDF's call, is not evaluated again), its type tested inside the lambda.
    /// </summary>
    public static string Close(TemporalType type)
    {
        var engineType = EngineName(type);
        return $"], lambda {Value}: CASE WHEN typeof({Value}) = 'VARCHAR' THEN {Recognized}CAST({Value} AS VARCHAR), {Spec(type)})) AS {engineType})"
               + $" ELSE CAST({Value} AS {engineType}) END)[1])";
    }

    private static string Recognized => $"CAST(make_timestamp({DateTimeConversion.HostFunction}(";

    private static string Spec(TemporalType type) => QuoteLiteral(DateTimeConversion.ForCast(type).Spec);

    /// <summary>The lambda's parameter: the operand's value (only the lambda's own body names it).</summary>
    private const string Value = "ls_cast_value";
}
