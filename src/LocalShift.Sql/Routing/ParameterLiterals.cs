using System.Globalization;
using System.Text;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Routing;

/// <summary>
/// Binds $n parameters by writing them into the statement as typed literals. The statement router sees one
/// plain statement whatever protocol carried it, and the engine never sees a client's parameter types.
/// </summary>
internal static class ParameterLiterals
{
    /// <summary>The highest $n used in the statement.</summary>
    public static int Count(IEnumerable<SqlToken> tokens) =>
        tokens.Where(t => t.Kind == SqlTokenKind.Parameter).Select(t => int.Parse(t.Text.AsSpan(1), CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    public static string Substitute(List<SqlToken> tokens, IReadOnlyList<PgParameter> parameters)
    {
        var sb = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.Kind != SqlTokenKind.Parameter)
            {
                sb.Append(token.Text);
                continue;
            }
            var index = int.Parse(token.Text.AsSpan(1), CultureInfo.InvariantCulture) - 1;
            if (index < 0 || index >= parameters.Count)
                throw new PgException(SqlState.UndefinedParameter, $"there is no parameter {token.Text}");
            sb.Append(Literal(parameters[index]));
        }
        return sb.ToString();
    }

    /// <summary>Typed NULLs in place of the parameters, to learn a statement's result columns before binding.</summary>
    public static string SubstituteNulls(List<SqlToken> tokens, IReadOnlyList<int> typeOids)
    {
        var parameters = typeOids.Select(oid => new PgParameter(oid, null)).ToList();
        var count = Count(tokens);
        while (parameters.Count < count) parameters.Add(new PgParameter(PgTypeOid.Text, null));
        return Substitute(tokens, parameters);
    }

    private static string Literal(PgParameter parameter)
    {
        var sqlType = PgTypeOid.SqlName(parameter.TypeOid);
        var inv = CultureInfo.InvariantCulture;
        return parameter.Value switch
        {
            // A NULL of unspecified type (OID 0) stays untyped, so the engine infers it from its context as PostgreSQL
            // does (amount > $1 compares with a number, not a string).
            null => sqlType is null ? "NULL" : $"CAST(NULL AS {sqlType})",
            string s when parameter.TypeOid == PgTypeOid.Bytea && s.StartsWith("\\x", StringComparison.Ordinal) => Blob(Convert.FromHexString(s.AsSpan(2))),
            string s when sqlType is not null => $"CAST({QuoteLiteral(s)} AS {sqlType})",
            string s => QuoteLiteral(s),
            bool b => b ? "TRUE" : "FALSE",
            short or int or long => Convert.ToString(parameter.Value, inv)!,
            decimal d => $"CAST({QuoteLiteral(d.ToString(inv))} AS DECIMAL(38,{Math.Min(Scale(d), 37)}))",
            double d => $"CAST({QuoteLiteral(PgTextFormat.FormatDouble(d))} AS DOUBLE)",
            float f => $"CAST({QuoteLiteral(PgTextFormat.FormatFloat(f))} AS REAL)",
            DateOnly d => $"DATE {QuoteLiteral(PgTextFormat.FormatDate(d))}",
            DateTime t => $"TIMESTAMP {QuoteLiteral(PgTextFormat.FormatTimestamp(t, false))}",
            DateTimeOffset t => $"TIMESTAMPTZ {QuoteLiteral(PgTextFormat.FormatTimestamp(t.UtcDateTime, true))}",
            TimeOnly t => $"TIME {QuoteLiteral(PgTextFormat.FormatTime(t))}",
            TimeSpan t => $"TO_MICROSECONDS({t.Ticks / 10})",
            Guid g => $"UUID {QuoteLiteral(g.ToString("D"))}",
            byte[] bytes => Blob(bytes),
            _ => QuoteLiteral(Convert.ToString(parameter.Value, inv) ?? ""),
        };
    }

    private static int Scale(decimal d) => (decimal.GetBits(d)[3] >> 16) & 0xFF;

    private static string Blob(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("CAST('");
        foreach (var b in bytes) sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
        return sb.Append("' AS BLOB)").ToString();
    }
}
