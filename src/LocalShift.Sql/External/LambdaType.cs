using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.External;

/// <summary>The data types a Lambda UDF takes and returns (Redshift's list: SMALLINT … TIMESTAMP).</summary>
public enum LambdaTypeKind { SmallInt, Integer, BigInt, Decimal, Real, Double, Boolean, Char, Varchar, Date, Timestamp }

/// <summary>
/// One argument or return type of an external function, with its modifiers (a decimal's precision and scale, a
/// character type's length). Written three ways: as Redshift names it in a signature (<see cref="SignatureName"/>,
/// modifiers dropped, as PostgreSQL's function signatures drop them), as it is kept and shown in full
/// (<see cref="Text"/>), and as the engine casts to it (<see cref="EngineName"/>).
/// </summary>
public sealed record LambdaType(LambdaTypeKind Kind, int Precision = 0, int Scale = 0, int Length = 0)
{
    /// <summary>The words that may begin a type, for telling an argument's name from its type.</summary>
    public static readonly HashSet<string> TypeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "smallint", "int2", "integer", "int", "int4", "bigint", "int8", "decimal", "numeric", "real", "float4", "float8", "float",
        "double", "boolean", "bool", "char", "character", "nchar", "bpchar", "varchar", "nvarchar", "text", "date", "timestamp",
    };

    public string SignatureName => Kind switch
    {
        LambdaTypeKind.SmallInt => "smallint",
        LambdaTypeKind.Integer => "integer",
        LambdaTypeKind.BigInt => "bigint",
        LambdaTypeKind.Decimal => "numeric",
        LambdaTypeKind.Real => "real",
        LambdaTypeKind.Double => "double precision",
        LambdaTypeKind.Boolean => "boolean",
        LambdaTypeKind.Char => "character",
        LambdaTypeKind.Varchar => "character varying",
        LambdaTypeKind.Date => "date",
        _ => "timestamp without time zone",
    };

    public string Text => Kind switch
    {
        LambdaTypeKind.Decimal => $"numeric({Precision},{Scale})",
        LambdaTypeKind.Char or LambdaTypeKind.Varchar => $"{SignatureName}({Length})",
        _ => SignatureName,
    };

    public string EngineName => Kind switch
    {
        LambdaTypeKind.SmallInt => "SMALLINT",
        LambdaTypeKind.Integer => "INTEGER",
        LambdaTypeKind.BigInt => "BIGINT",
        LambdaTypeKind.Decimal => $"DECIMAL({Precision},{Scale})",
        LambdaTypeKind.Real => "REAL",
        LambdaTypeKind.Double => "DOUBLE",
        LambdaTypeKind.Boolean => "BOOLEAN",
        LambdaTypeKind.Char or LambdaTypeKind.Varchar => "VARCHAR",
        LambdaTypeKind.Date => "DATE",
        _ => "TIMESTAMP",
    };

    /// <summary>
    /// The engine expression that turns an argument into what goes into the batch's JSON array: numbers and booleans
    /// as JSON numbers and booleans, decimals as strings of their digits (a JSON number would lose digits in most
    /// handlers' parsers), dates and timestamps as strings (<c>2024-01-31</c>, <c>2024-01-31 10:00:00</c>).
    /// </summary>
    public (string Open, string Close) ArgumentCast => Kind switch
    {
        LambdaTypeKind.Decimal => ("CAST(CAST((", $") AS {EngineName}) AS VARCHAR)"),
        // A date or timestamp argument given as text is read by Redshift's recognition, as a cast of the user's own is.
        LambdaTypeKind.Date or LambdaTypeKind.Timestamp => ("CAST(" + Dialect.TemporalCasts.Open + "(", ")" + Dialect.TemporalCasts.Close(Temporal) + " AS VARCHAR)"),
        _ => ("CAST((", $") AS {EngineName})"),
    };

    /// <summary>The engine expression around the host function's answer (text) that makes it a value of this type: a date or timestamp read by Redshift's recognition.</summary>
    public (string Open, string Close) ResultCast => Kind is LambdaTypeKind.Date or LambdaTypeKind.Timestamp
        ? (Dialect.TemporalCasts.Open, Dialect.TemporalCasts.Close(Temporal))
        : ("CAST(", $" AS {EngineName})");

    private Copy.TemporalType Temporal => Kind == LambdaTypeKind.Date ? Copy.TemporalType.Date : Copy.TemporalType.Timestamp;

    public override string ToString() => Text;

    /// <summary>Reads a type at the cursor (words and an optional parenthesized modifier list).</summary>
    public static LambdaType Read(StatementReader r)
    {
        var first = r.Next();
        if (first.Kind != SqlTokenKind.Word) throw StatementReader.SyntaxError(first);
        var word = first.Text.ToLowerInvariant();
        if (word == "double") { r.Expect("PRECISION"); word = "double precision"; }
        else if (word is "character" or "char" or "nchar" && r.Accept("VARYING")) word = "varchar";
        else if (word == "timestamp" && r.Peek().Is("WITHOUT")) { r.Next(); r.Expect("TIME"); r.Expect("ZONE"); }
        var modifiers = new List<int>();
        if (r.Accept(SqlTokenKind.LeftParen))
        {
            do
            {
                var t = r.Next();
                if (t.Kind != SqlTokenKind.Number || !int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    throw StatementReader.SyntaxError(t);
                modifiers.Add(n);
            } while (r.Accept(SqlTokenKind.Comma));
            r.Expect(SqlTokenKind.RightParen);
        }
        return Of(word, modifiers, first);
    }

    /// <summary>A type from its kept text (<see cref="Text"/>).</summary>
    public static LambdaType Parse(string text) =>
        Read(new StatementReader(Lexing.SqlLexer.Significant(Lexing.SqlLexer.Tokenize(text))));

    private static LambdaType Of(string word, List<int> m, SqlToken at)
    {
        int Mod(int i, int fallback) => i < m.Count ? m[i] : fallback;
        LambdaType type = word switch
        {
            "smallint" or "int2" => new(LambdaTypeKind.SmallInt),
            "integer" or "int" or "int4" => new(LambdaTypeKind.Integer),
            "bigint" or "int8" => new(LambdaTypeKind.BigInt),
            // Redshift's defaults: DECIMAL is DECIMAL(18,0); CHAR is CHAR(1); VARCHAR is VARCHAR(256).
            "decimal" or "numeric" => new(LambdaTypeKind.Decimal, Mod(0, 18), Mod(1, 0)),
            "real" or "float4" => new(LambdaTypeKind.Real),
            "double precision" or "float8" or "float" => new(LambdaTypeKind.Double),
            "boolean" or "bool" => new(LambdaTypeKind.Boolean),
            "char" or "character" or "nchar" or "bpchar" => new(LambdaTypeKind.Char, Length: Mod(0, 1)),
            "varchar" or "nvarchar" => new(LambdaTypeKind.Varchar, Length: Mod(0, 256)),
            "text" => new(LambdaTypeKind.Varchar, Length: 256),
            "date" => new(LambdaTypeKind.Date),
            "timestamp" => new(LambdaTypeKind.Timestamp),
            // unverified: Redshift's text for a type a Lambda UDF cannot take.
            _ => throw new PgException(SqlState.FeatureNotSupported,
                $"type \"{at.Text}\" is not supported for external functions; use SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE PRECISION, CHAR, VARCHAR, BOOLEAN, DATE or TIMESTAMP"),
        };
        if (type.Kind == LambdaTypeKind.Decimal && (type.Precision is < 1 or > 38 || type.Scale < 0 || type.Scale > type.Precision))
            throw new PgException(SqlState.InvalidParameterValue, $"NUMERIC precision {type.Precision} must be between 1 and 38 and scale {type.Scale} between 0 and the precision");
        if (type.Kind is LambdaTypeKind.Char or LambdaTypeKind.Varchar && type.Length is < 1 or > 65535)
            throw new PgException(SqlState.InvalidParameterValue, $"length for type {word} must be between 1 and 65535");
        return type;
    }
}
