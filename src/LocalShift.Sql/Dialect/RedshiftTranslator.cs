using System.Text;
using LocalShift.Sql.Catalog;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>Who is asking, for the functions that answer with the session's identity.</summary>
public sealed record TranslationContext(string User, string Database);

/// <summary>One Redshift statement as DuckDB runs it, with any statements that must run first (sequences).</summary>
public sealed record TranslatedStatement(string Sql, IReadOnlyList<string> PreStatements);

/// <summary>
/// Rewrites Redshift SQL into DuckDB SQL at the token level: table attributes, type names and the functions
/// DuckDB lacks or spells differently. What DuckDB already understands is passed through untouched.
/// </summary>
public static class RedshiftTranslator
{
    /// <summary>What <c>SELECT version()</c> answers on Redshift.</summary>
    public const string VersionString =
        "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467";

    /// <summary>
    /// Translates a statement text LocalShift was given whole (UNLOAD's query, a catalog query's stand-in): lexed and
    /// parsed here; a text the parser does not read is translated without its tree's sites.
    /// </summary>
    public static TranslatedStatement Translate(string sql, TranslationContext context)
    {
        var tokens = SqlLexer.Tokenize(sql);
        Statement tree;
        try { tree = SqlParser.Parse(sql, tokens); }
        catch (PgException) { return Translate(tokens, TranslationSites.None, context); }
        return Translate(tokens, TranslationSites.Of(tree, StatementAccess.Of(tree)), context);
    }

    /// <summary>Translates a text whose tree was read before it was edited: <paramref name="sites"/> are already at the edited text's positions.</summary>
    public static TranslatedStatement Translate(string sql, TranslationSites sites, TranslationContext context) =>
        Translate(SqlLexer.Tokenize(sql), sites, context);

    /// <summary>
    /// Translates a statement from the tokens its text was already lexed into (every token, trivia included; not
    /// changed) and what its parse tree placed in that text (<see cref="TranslationSites"/>).
    /// </summary>
    public static TranslatedStatement Translate(List<SqlToken> tokens, TranslationSites sites, TranslationContext context)
    {
        var pre = new List<string>();
        tokens = TableFunctionColumns.Name(tokens, sites.ColumnAliases);
        var divisions = sites.Divisions;
        if (divisions.Count > 0 && CreateTableRewriter.IsCreateTable(tokens))
        {
            // Guarded before the rewrite makes its column list text of its own (a CHECK's or a DEFAULT's divisions).
            tokens = DivisionGuard.Rewrite(tokens, divisions);
            divisions = [];
        }
        if (CreateTableRewriter.Rewrite(tokens) is { } created)
        {
            tokens = Relexed(created.Tokens);
            pre.AddRange(created.PreStatements.Select(p => Rewrite(SqlLexer.Tokenize(p), context)));
        }
        else if (IsAlterTableAdd(tokens)) tokens = WithoutEncode(tokens);
        tokens = DivisionGuard.Rewrite(ResultColumnNames.AddNames(TopClause.Rewrite(tokens)), divisions);
        // Casts of text to dates and times read by Redshift's automatic recognition (a pass of its own, last before the rewrite).
        tokens = TemporalCasts.Rewrite(tokens);
        return new TranslatedStatement(Rewrite(tokens, context), pre);
    }

    /// <summary>
    /// The statement's own tokens kept (with their positions), and each piece of text the CREATE TABLE rewrite made
    /// (its column list) lexed into tokens of its own, without positions.
    /// </summary>
    private static List<SqlToken> Relexed(List<SqlToken> tokens)
    {
        var output = new List<SqlToken>(tokens.Count);
        foreach (var token in tokens)
        {
            if (token.Offset >= 0) output.Add(token);
            else foreach (var made in SqlLexer.Tokenize(token.Text)) output.Add(made with { Offset = -1 });
        }
        return output;
    }

    private static bool IsAlterTableAdd(List<SqlToken> tokens)
    {
        var first = NextSignificant(tokens, -1);
        if (first < 0 || !tokens[first].Is("ALTER")) return false;
        var second = NextSignificant(tokens, first);
        return second >= 0 && tokens[second].Is("TABLE") && tokens.Any(t => t.Is("ADD")) && tokens.Any(t => t.Is("ENCODE"));
    }

    /// <summary>ALTER TABLE ... ADD COLUMN c type ENCODE e: the encoding is a storage hint (recorded for pg_table_def), dropped here.</summary>
    private static List<SqlToken> WithoutEncode(List<SqlToken> tokens)
    {
        var output = new List<SqlToken>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Is("ENCODE") && NextSignificant(tokens, i) is var encoding and >= 0)
            {
                i = encoding;
                continue;
            }
            output.Add(tokens[i]);
        }
        return output;
    }

    internal static string Rewrite(List<SqlToken> tokens, TranslationContext context)
    {
        var length = 0;
        foreach (var token in tokens) length += token.Text.Length;
        var sb = new StringBuilder(length + length / 4);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.String && IsByteaHexLiteral(tokens, i))
            {
                // PostgreSQL reads '\x..' as hex bytes; DuckDB would read each "\xNN" as one escaped byte only.
                sb.Append("unhex(").Append(QuoteLiteral(token.StringValue[2..])).Append(')');
                i = NextSignificant(tokens, NextSignificant(tokens, i));
                continue;
            }
            if (token.Kind == SqlTokenKind.String && TemporalLiteral(tokens, i) is { } literal)
            {
                sb.Append(literal);
                continue;
            }
            if (token.Is("NOTNULL") && PreviousSignificant(tokens, i) is var before && before >= 0
                && (tokens[before].Kind is SqlTokenKind.Comma or SqlTokenKind.Dot || tokens[before].Is("SELECT")))
            {
                // pg_table_def's column "notnull" is also a PostgreSQL postfix operator that DuckDB's parser takes as such.
                sb.Append("\"notnull\"");
                continue;
            }
            if (token.Kind != SqlTokenKind.Word || IsQualified(tokens, i))
            {
                sb.Append(token.Text);
                continue;
            }
            var next = NextSignificant(tokens, i);
            var call = next >= 0 && tokens[next].Kind == SqlTokenKind.LeftParen;
            // Only a name that may be rewritten has its arguments split (a statement's every "AS (", "IN (" and call
            // would otherwise be, nested ones again at each level).
            if (call && (RewrittenCalls.Contains(token.Text) || IsMaxLengthType(token) || token.IsAny("VARBYTE", "VARBINARY", "BINARY")))
            {
                var close = MatchParen(tokens, next);
                var args = SplitTopLevel(tokens, next + 1, close);
                var end = close;
                var replaced = RewriteCall(token.Text.ToUpperInvariant(), args, tokens, ref end, context);
                if (replaced is not null)
                {
                    sb.Append(replaced);
                    i = end;
                    continue;
                }
                if (IsMaxLengthType(token) && args.Count == 1 && SqlLexer.Join(args[0]).Trim().Equals("MAX", StringComparison.OrdinalIgnoreCase))
                {
                    sb.Append(token.Is("VARBYTE") ? "BLOB" : "VARCHAR");
                    i = close;
                    continue;
                }
                if (token.IsAny("VARBYTE", "VARBINARY", "BINARY"))
                {
                    sb.Append("BLOB");
                    i = close;
                    continue;
                }
            }
            if (call || !SimpleWords.Contains(token.Text))
            {
                sb.Append(token.Text);
                continue;
            }
            var previous = PreviousSignificant(tokens, i);
            var afterDot = previous >= 0 && tokens[previous].Kind == SqlTokenKind.Dot;
            if (!afterDot && (next < 0 || tokens[next].Kind != SqlTokenKind.Dot))
            {
                var word = token.Text.ToUpperInvariant();
                var simple = word switch
                {
                    "SYSDATE" => "CAST(current_timestamp AS TIMESTAMP)",
                    "CURRENT_USER" or "SESSION_USER" => QuoteLiteral(context.User),
                    "USER" when previous >= 0 && (tokens[previous].Kind is SqlTokenKind.Comma or SqlTokenKind.LeftParen or SqlTokenKind.Operator
                                                  || tokens[previous].IsAny("SELECT", "WHERE", "AND", "OR", "WHEN", "THEN", "ELSE")) => QuoteLiteral(context.User),
                    "CURRENT_USER_ID" => $"ls_user_id({QuoteLiteral(context.User)})",
                    "SUPER" when IsTypePosition(tokens, previous) => "JSON",
                    "VARBYTE" when IsTypePosition(tokens, previous) => "BLOB",
                    "HLLSKETCH" or "GEOMETRY" or "GEOGRAPHY" when IsTypePosition(tokens, previous) => "VARCHAR",
                    _ => null,
                };
                if (simple is not null)
                {
                    sb.Append(simple);
                    continue;
                }
            }
            sb.Append(token.Text);
        }
        return sb.ToString();
    }

    /// <summary>The words rewritten where they stand alone (not called, not qualified): the cases of the switch below them.</summary>
    private static readonly HashSet<string> SimpleWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SYSDATE", "CURRENT_USER", "SESSION_USER", "USER", "CURRENT_USER_ID", "SUPER", "VARBYTE", "HLLSKETCH", "GEOMETRY", "GEOGRAPHY",
    };

    /// <summary>The names <see cref="RewriteCall"/> rewrites: a call of any other name is passed through as it is.</summary>
    private static readonly HashSet<string> RewrittenCalls = new(StringComparer.OrdinalIgnoreCase)
    {
        "CAST", "CHARINDEX", "CONVERT", "CONVERT_TIMEZONE", "CURRENT_DATABASE", "DATEADD", "DATEDIFF", "DATEPART", "DATE_PART", "DATE_TRUNC",
        "DECODE", "GETDATE", "JSON_ARRAY_LENGTH", "JSON_EXTRACT_ARRAY_ELEMENT_TEXT", "JSON_EXTRACT_PATH_TEXT", "LEN", "LISTAGG", "NVL", "NVL2",
        "OCTET_LENGTH", "PGDATE_PART", "RATIO_TO_REPORT", "REGEXP_COUNT", "REGEXP_INSTR", "REGEXP_REPLACE", "REGEXP_SUBSTR", "STRTOL", "TO_CHAR",
        "TRUNC", "VERSION", "AVG",
    };

    private static string? RewriteCall(string name, List<List<SqlToken>> args, List<SqlToken> tokens, ref int end, TranslationContext context)
    {
        // Each argument is rewritten once, however often the replacement repeats it.
        var rewritten = new string?[args.Count];
        string Arg(int n) => rewritten[n] ??= Rewrite(args[n], context).Trim();
        var empty = args.Count == 0 || (args.Count == 1 && args[0].All(t => t.IsTrivia));
        switch (name)
        {
            case "VERSION" when empty:
                return QuoteLiteral(VersionString);
            case "CURRENT_DATABASE" when empty:
                return QuoteLiteral(context.Database);
            case "GETDATE" when empty:
                return "CAST(date_trunc('second', current_timestamp) AS TIMESTAMP)";
            case "NVL" when args.Count >= 2:
                return "coalesce(" + string.Join(", ", args.Select((_, n) => Arg(n))) + ")";
            case "NVL2" when args.Count == 3:
                return $"(CASE WHEN ({Arg(0)}) IS NOT NULL THEN ({Arg(1)}) ELSE ({Arg(2)}) END)";
            case "DECODE" when args.Count >= 3:
            {
                var sb = new StringBuilder("(CASE");
                var expression = Arg(0);
                var n = 1;
                for (; n + 1 < args.Count; n += 2)
                    sb.Append($" WHEN ({expression}) IS NOT DISTINCT FROM ({Arg(n)}) THEN ({Arg(n + 1)})");
                if (n < args.Count) sb.Append($" ELSE ({Arg(n)})");
                return sb.Append(" END)").ToString();
            }
            case "DATEADD" when args.Count == 3 && DatePart.Normalize(SqlLexer.Join(args[0])) is { } addPart:
                return addPart == "quarter"
                    ? $"(CAST({Arg(2)} AS TIMESTAMP) + ({Arg(1)}) * INTERVAL '3 month')"
                    : $"(CAST({Arg(2)} AS TIMESTAMP) + ({Arg(1)}) * INTERVAL '1 {addPart}')";
            case "DATEDIFF" when args.Count == 3 && DatePart.Normalize(SqlLexer.Join(args[0])) is { } diffPart:
                return $"date_diff('{diffPart}', CAST({Arg(1)} AS TIMESTAMP), CAST({Arg(2)} AS TIMESTAMP))";
            case "DATE_PART" or "DATEPART" or "PGDATE_PART" when args.Count == 2 && DatePart.Normalize(SqlLexer.Join(args[0])) is { } part:
                return $"date_part('{part}', {Arg(1)})";
            case "DATE_TRUNC" when args.Count == 2 && DatePart.Normalize(SqlLexer.Join(args[0])) is { } truncPart:
                return $"date_trunc('{truncPart}', {Arg(1)})";
            case "LEN" when args.Count == 1:
                return $"length({Arg(0)})";
            case "CHARINDEX" when args.Count == 2:
                return $"instr({Arg(1)}, {Arg(0)})";
            case "STRTOL" when args.Count == 2:
                return $"(CASE CAST({Arg(1)} AS INTEGER) WHEN 16 THEN CAST('0x' || ({Arg(0)}) AS BIGINT) WHEN 2 THEN CAST('0b' || ({Arg(0)}) AS BIGINT) ELSE CAST({Arg(0)} AS BIGINT) END)";
            case "CONVERT_TIMEZONE" when args.Count == 2:
                return $"timezone({Arg(0)}, timezone('UTC', CAST({Arg(1)} AS TIMESTAMP)))";
            case "CONVERT_TIMEZONE" when args.Count == 3:
                return $"timezone({Arg(1)}, timezone({Arg(0)}, CAST({Arg(2)} AS TIMESTAMP)))";
            case "TO_CHAR" when args.Count == 2 && Significant(args[1]) is [{ Kind: SqlTokenKind.String } format] && !NumberFormat.IsNumberFormat(format.StringValue):
                return $"strftime({Arg(0)}, {QuoteLiteral(DateFormat.ToStrftime(format.StringValue))})";
            case "LISTAGG" when args.Count is 1 or 2:
            {
                var delimiter = args.Count == 2 ? Arg(1) : "''";
                var order = "";
                var within = NextSignificant(tokens, end);
                if (within >= 0 && tokens[within].Is("WITHIN"))
                {
                    var group = NextSignificant(tokens, within);
                    var open = group < 0 ? -1 : NextSignificant(tokens, group);
                    if (open >= 0 && tokens[open].Kind == SqlTokenKind.LeftParen)
                    {
                        var close = MatchParen(tokens, open);
                        order = " " + Rewrite(tokens.GetRange(open + 1, close - open - 1), context).Trim();
                        end = close;
                    }
                }
                return $"string_agg({Arg(0)}, {delimiter}{order})";
            }
            case "CAST" when args.Count == 1 && CastToLength(args[0]) is var (expression, length):
                // Redshift truncates on an explicit cast to VARCHAR(n)/CHAR(n); DuckDB ignores the length.
                return $"left(CAST({Rewrite(expression, context).Trim()} AS VARCHAR), {length})";
            case "TRUNC" when args.Count is 1 or 2:
                return $"{FunctionLibrary.Typed}trunc({string.Join(", ", args.Select((_, n) => Arg(n)))})";
            case "OCTET_LENGTH" when args.Count == 1:
                return $"{FunctionLibrary.Typed}octet_length({Arg(0)})";
            case "CONVERT" when args.Count == 2:
                return Rewrite([new SqlToken(SqlTokenKind.Word, "CAST"), new SqlToken(SqlTokenKind.LeftParen, "("), .. args[1],
                    new SqlToken(SqlTokenKind.Whitespace, " "), new SqlToken(SqlTokenKind.Word, "AS"), new SqlToken(SqlTokenKind.Whitespace, " "),
                    .. args[0], new SqlToken(SqlTokenKind.RightParen, ")")], context);
            case "TO_CHAR" when args.Count == 2 && Significant(args[1]) is [{ Kind: SqlTokenKind.String } numberFormat]
                                && NumberFormat.IsNumberFormat(numberFormat.StringValue):
                return NumberFormat.ToSql(Arg(0), numberFormat.StringValue);
            case "AVG" when args.Count == 1:
            {
                // Redshift's AVG (the AVG function page): DECIMAL(38,s) for DECIMAL(p,s), BIGINT for integers,
                // DOUBLE PRECISION for floats — the type of the argument's SUM, whose integer HUGEINT the endpoint
                // reports as BIGINT. DuckDB's AVG is always a DOUBLE. An integer average is truncated (unverified:
                // Redshift's page shows only a whole-number example); a type that cannot hold 0.5 is an integer one.
                var tail = AggregateTail(tokens, ref end, context);
                var average = $"avg({Arg(0)}){tail}";
                var sum = $"sum({Arg(0)}){tail}";
                return $"cast_to_type(CASE WHEN cast_to_type(0.5, {sum}) = 0.5 THEN {average} ELSE trunc({average}) END, {sum})";
            }
            case "RATIO_TO_REPORT" when args.Count == 1 && OverClause(tokens, ref end, context) is { } over:
                return $"(CAST({Arg(0)} AS DOUBLE) / sum({Arg(0)}) {over})";
            case "JSON_EXTRACT_PATH_TEXT" when args.Count >= 2:
            {
                var nullIfInvalid = args.Count >= 3 && IsBooleanLiteral(args[^1]);
                var keyArgs = args.Skip(1).Take(args.Count - 1 - (nullIfInvalid ? 1 : 0)).ToList();
                var keys = keyArgs.Select(k => Rewrite(k, context).Trim()).ToList();
                // Keys that are all plain string literals make a constant path.
                var literals = keyArgs.Select(k => Significant(k) is [{ Kind: SqlTokenKind.String } key] && key.Text.StartsWith('\'') ? key.StringValue : null).ToList();
                var path = literals.All(k => k is not null)
                    ? QuoteLiteral("$" + string.Concat(literals.Select(k => ".\"" + k!.Replace("\"", "\\\"") + "\"")))
                    : "('$' || " + string.Join(" || ", keys.Select(k => $"'.\"' || replace({k}, '\"', '\\\"') || '\"'")) + ")";
                return JsonGuard(Arg(0), $"json_extract_string({Arg(0)}, {path})", nullIfInvalid ? Arg(args.Count - 1) : "FALSE", array: false);
            }
            case "JSON_EXTRACT_ARRAY_ELEMENT_TEXT" when args.Count is 2 or 3:
                return JsonGuard(Arg(0), $"(CASE WHEN ({Arg(1)}) < 0 THEN NULL ELSE json_extract_string({Arg(0)}, '$[' || ({Arg(1)}) || ']') END)",
                    args.Count == 3 ? Arg(2) : "FALSE", array: true);
            case "JSON_ARRAY_LENGTH" when args.Count is 1 or 2:
                return JsonGuard(Arg(0), $"CAST(json_array_length({Arg(0)}) AS INTEGER)", args.Count == 2 ? Arg(1) : "FALSE", array: true);
            case "REGEXP_REPLACE" when args.Count is >= 2 and <= 5:
            {
                var replacement = args.Count >= 3 ? Arg(2) : "''";
                var options = "'g" + (args.Count == 5 ? RegexOptions(args[4]) : "") + "'";
                if (args.Count < 4) return $"regexp_replace({Arg(0)}, {Arg(1)}, {replacement}, {options})";
                var position = $"greatest(CAST({Arg(3)} AS INTEGER), 1)";
                return $"(substr({Arg(0)}, 1, {position} - 1) || regexp_replace(substr({Arg(0)}, {position}), {Arg(1)}, {replacement}, {options}))";
            }
            case "REGEXP_COUNT" when args.Count is >= 2 and <= 4:
            {
                var source = args.Count >= 3 ? $"substr({Arg(0)}, greatest(CAST({Arg(2)} AS INTEGER), 1))" : Arg(0);
                return $"CAST(length(regexp_extract_all({source}, {RegexPattern(Arg(1), args.Count == 4 ? args[3] : null)})) AS INTEGER)";
            }
            case "REGEXP_INSTR" when args.Count is >= 2 and <= 6:
            {
                // The text before the n-th match is the first group of "^((?:.*?p){n-1}.*?)p"; the whole match ends where p's n-th match ends.
                var position = args.Count >= 3 ? $"greatest(CAST({Arg(2)} AS INTEGER), 1)" : "1";
                var occurrence = args.Count >= 4 ? $"greatest(CAST({Arg(3)} AS INTEGER), 1)" : "1";
                var after = args.Count >= 5 ? Arg(4) : "0";
                var flags = args.Count == 6 ? RegexFlags(args[5]) : "";
                var pattern = $"'(?s{flags})^((?:.*?(?:' || {Arg(1)} || ')){{' || ({occurrence} - 1) || '}}.*?)(?:' || {Arg(1)} || ')'";
                var source = $"substr({Arg(0)}, {position})";
                return $"(CASE WHEN NOT regexp_matches({source}, {pattern}) THEN 0 " +
                       $"WHEN ({after}) = 0 THEN length(regexp_extract({source}, {pattern}, 1)) + {position} " +
                       $"ELSE length(regexp_extract({source}, {pattern}, 0)) + {position} END)";
            }
            case "REGEXP_SUBSTR" when args.Count is >= 2 and <= 5:
            {
                var position = args.Count >= 3 ? $"greatest(CAST({Arg(2)} AS INTEGER), 1)" : "1";
                var occurrence = args.Count >= 4 ? $"greatest(CAST({Arg(3)} AS INTEGER), 1)" : "1";
                var pattern = RegexPattern(Arg(1), args.Count == 5 ? args[4] : null);
                return $"coalesce(regexp_extract_all(substr({Arg(0)}, {position}), {pattern})[{occurrence}], '')";
            }
            default:
                return null;
        }
    }

    /// <summary>The expression and length of <c>expr AS VARCHAR(n)</c> (or CHARACTER VARYING, NVARCHAR, CHAR, CHARACTER, NCHAR).</summary>
    private static (List<SqlToken> Expression, int Length)? CastToLength(List<SqlToken> arg)
    {
        var asAt = -1;
        var depth = 0;
        for (var i = 0; i < arg.Count; i++)
        {
            if (arg[i].Kind == SqlTokenKind.LeftParen) depth++;
            else if (arg[i].Kind == SqlTokenKind.RightParen) depth--;
            else if (depth == 0 && arg[i].Is("AS")) asAt = i;
        }
        if (asAt < 0) return null;
        var type = Significant(arg.Skip(asAt + 1).ToList());
        var words = type.TakeWhile(t => t.Kind == SqlTokenKind.Word).Select(t => t.Text.ToUpperInvariant()).ToList();
        var name = string.Join(' ', words);
        if (name is not ("VARCHAR" or "CHARACTER VARYING" or "NVARCHAR" or "CHAR" or "CHARACTER" or "NCHAR" or "BPCHAR")) return null;
        if (type.Count != words.Count + 3 || type[words.Count].Kind != SqlTokenKind.LeftParen || type[^1].Kind != SqlTokenKind.RightParen
            || !int.TryParse(type[words.Count + 1].Text, out var length))
            return null;
        return (arg.Take(asAt).ToList(), length);
    }

    private static bool IsBooleanLiteral(List<SqlToken> arg) =>
        Significant(arg) is [var only] && (only.IsAny("TRUE", "FALSE") || (only.Kind == SqlTokenKind.String && only.StringValue.ToLowerInvariant() is "t" or "f" or "true" or "false"));

    /// <summary>Redshift's JSON functions reject malformed JSON unless null_if_invalid is true.</summary>
    private static string JsonGuard(string json, string expression, string nullIfInvalid, bool array) =>
        $"(CASE WHEN ({json}) IS NULL THEN NULL WHEN json_type(CASE WHEN json_valid({json}) THEN {json} END) = '{(array ? "ARRAY" : "OBJECT")}' THEN {expression} " +
        $"WHEN CAST({nullIfInvalid} AS BOOLEAN) THEN NULL ELSE {(array ? "error('invalid json array object ' || (" + json + "))" : "ls_invalid_json(" + json + ")")} END)";

    /// <summary>Redshift's regular-expression parameters: c (case-sensitive), i (insensitive), p (PCRE, as RE2 reads it), e (subexpression, ignored).</summary>
    private static string RegexFlags(List<SqlToken> parameters)
    {
        var literal = Significant(parameters) is [{ Kind: SqlTokenKind.String } p] ? p.StringValue : "";
        var insensitive = false;
        foreach (var c in literal) insensitive = c == 'i' || (c != 'c' && insensitive);
        return insensitive ? "i" : "";
    }

    private static string RegexOptions(List<SqlToken> parameters) => RegexFlags(parameters);

    private static string RegexPattern(string pattern, List<SqlToken>? parameters) =>
        parameters is not null && RegexFlags(parameters) == "i" ? $"('(?i)' || {pattern})" : pattern;

    /// <summary>
    /// What follows an aggregate call and belongs to it: <c>FILTER (WHERE ...)</c> and <c>OVER (...)</c> or
    /// <c>OVER name</c>, rewritten; moves <paramref name="end"/> past them.
    /// </summary>
    private static string AggregateTail(List<SqlToken> tokens, ref int end, TranslationContext context)
    {
        var tail = new StringBuilder();
        var next = NextSignificant(tokens, end);
        if (next >= 0 && tokens[next].Is("FILTER") && NextSignificant(tokens, next) is var open and >= 0 && tokens[open].Kind == SqlTokenKind.LeftParen)
        {
            var close = MatchParen(tokens, open);
            tail.Append(" FILTER (").Append(Rewrite(tokens.GetRange(open + 1, close - open - 1), context).Trim()).Append(')');
            end = close;
            next = NextSignificant(tokens, end);
        }
        if (next >= 0 && tokens[next].Is("OVER"))
        {
            var after = NextSignificant(tokens, next);
            if (after >= 0 && tokens[after].Kind == SqlTokenKind.LeftParen) tail.Append(' ').Append(OverClause(tokens, ref end, context));
            else if (after >= 0 && tokens[after].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            {
                tail.Append(" OVER ").Append(tokens[after].Text);
                end = after;
            }
        }
        return tail.ToString();
    }

    /// <summary>The OVER (...) that follows a window function call, rewritten; moves <paramref name="end"/> past it.</summary>
    private static string? OverClause(List<SqlToken> tokens, ref int end, TranslationContext context)
    {
        var over = NextSignificant(tokens, end);
        if (over < 0 || !tokens[over].Is("OVER")) return null;
        var open = NextSignificant(tokens, over);
        if (open < 0 || tokens[open].Kind != SqlTokenKind.LeftParen) return null;
        var close = MatchParen(tokens, open);
        end = close;
        return "OVER (" + Rewrite(tokens.GetRange(open + 1, close - open - 1), context).Trim() + ")";
    }

    /// <summary>
    /// A string literal cast to DATE, TIMESTAMP, TIMESTAMPTZ or TIME (<c>'J2345678 04:05:06.789'::timestamp</c>,
    /// <c>CAST('January 12, 1992' AS DATE)</c>) that Redshift's automatic recognition reads: written out in ISO form so
    /// the engine's cast reads the same value (a TIMESTAMP ignores an offset, as Redshift's does). Null to leave it.
    /// </summary>
    private static string? TemporalLiteral(List<SqlToken> tokens, int i)
    {
        var next = NextSignificant(tokens, i);
        if (next < 0) return null;
        int type;
        if (tokens[next].Text == "::") type = NextSignificant(tokens, next);
        else if (tokens[next].Is("AS") && PreviousSignificant(tokens, i) is var open and > 0 && tokens[open].Kind == SqlTokenKind.LeftParen
                 && PreviousSignificant(tokens, open) is var cast and >= 0 && tokens[cast].Is("CAST")) type = NextSignificant(tokens, next);
        else return null;
        if (type < 0) return null;
        var name = tokens[type].Text.ToUpperInvariant();
        var after = NextSignificant(tokens, type);
        // TIMESTAMP WITH TIME ZONE / TIMESTAMP WITHOUT TIME ZONE
        if (name == "TIMESTAMP" && after >= 0 && tokens[after].Is("WITH")) name = "TIMESTAMPTZ";
        Copy.TemporalType? temporal = name switch
        {
            "DATE" => Copy.TemporalType.Date,
            "TIMESTAMP" => Copy.TemporalType.Timestamp,
            "TIMESTAMPTZ" => Copy.TemporalType.TimestampTz,
            "TIME" when after < 0 || !tokens[after].Is("WITH") => Copy.TemporalType.Time,
            _ => null,
        };
        if (temporal is not { } t) return null;
        var conversion = Copy.DateTimeConversion.For(t, "auto", "auto", acceptAnyDate: false);
        if (!conversion.TryConvert(tokens[i].StringValue, out var micros)) return null;
        // The engine's literals need a year of 1 or later; earlier dates keep their text.
        if (micros < -62135596800000000L) return null;
        var instant = DateTime.UnixEpoch.AddTicks(micros * 10);
        var text = t switch
        {
            Copy.TemporalType.Date => instant.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Copy.TemporalType.Time => instant.ToString("HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
            Copy.TemporalType.TimestampTz => instant.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "+00",
            _ => instant.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
        };
        return QuoteLiteral(text);
    }

    private static bool IsByteaHexLiteral(List<SqlToken> tokens, int i)
    {
        if (!tokens[i].Text.StartsWith("'\\x", StringComparison.Ordinal)) return false;
        var cast = NextSignificant(tokens, i);
        if (cast < 0 || tokens[cast].Text != "::") return false;
        var type = NextSignificant(tokens, cast);
        return type >= 0 && tokens[type].IsAny("BYTEA", "BLOB", "VARBYTE");
    }

    private static List<SqlToken> Significant(List<SqlToken> tokens) => SqlLexer.Significant(tokens);

    private static bool IsQualified(List<SqlToken> tokens, int i)
    {
        var previous = PreviousSignificant(tokens, i);
        return previous >= 0 && tokens[previous].Kind == SqlTokenKind.Dot;
    }

    private static bool IsMaxLengthType(SqlToken token) =>
        token.IsAny("VARCHAR", "NVARCHAR", "CHAR", "NCHAR", "CHARACTER", "BPCHAR", "VARYING", "VARBYTE", "VARBINARY", "TEXT");

    /// <summary>A type name follows a column name, "::", or AS inside CAST.</summary>
    private static bool IsTypePosition(List<SqlToken> tokens, int previous)
    {
        if (previous < 0) return false;
        var token = tokens[previous];
        return token.Text == "::" || token.Is("AS") || token.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;
    }
}
