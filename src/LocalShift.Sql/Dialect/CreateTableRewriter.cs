using LocalShift.Sql.Lexing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Redshift's CREATE TABLE: distribution, sort keys, compression encodings and BACKUP are physical-layout hints with
/// no meaning on one machine, so they are accepted and dropped; IDENTITY(seed, step) becomes a sequence default;
/// PRIMARY KEY, UNIQUE and FOREIGN KEY are informational in Redshift (not enforced), so they are dropped too.
/// </summary>
internal static class CreateTableRewriter
{
    /// <summary>Returns null when the statement is not a CREATE TABLE.</summary>
    public static (List<SqlToken> Tokens, List<string> PreStatements)? Rewrite(List<SqlToken> tokens)
    {
        var i = NextSignificant(tokens, -1);
        if (i < 0 || !tokens[i].Is("CREATE")) return null;
        i = NextSignificant(tokens, i);
        var temporary = false;
        while (i >= 0 && tokens[i].IsAny("TEMP", "TEMPORARY", "LOCAL"))
        {
            temporary |= !tokens[i].Is("LOCAL");
            i = NextSignificant(tokens, i);
        }
        if (i < 0 || !tokens[i].Is("TABLE")) return null;
        i = NextSignificant(tokens, i);
        var ifNotExists = false;
        if (i >= 0 && tokens[i].Is("IF"))
        {
            ifNotExists = true;
            var notToken = NextSignificant(tokens, i);
            var existsToken = notToken < 0 ? -1 : NextSignificant(tokens, notToken);
            i = existsToken < 0 ? -1 : NextSignificant(tokens, existsToken);
        }
        if (i < 0) return null;
        // Table name: a.b or b.
        var nameParts = new List<string> { tokens[i].Identifier };
        var nameEnd = i;
        while (NextSignificant(tokens, nameEnd) is var dot && dot >= 0 && tokens[dot].Kind == SqlTokenKind.Dot)
        {
            nameEnd = NextSignificant(tokens, dot);
            if (nameEnd < 0) return null;
            nameParts.Add(tokens[nameEnd].Identifier);
        }
        var schema = nameParts.Count > 1 ? nameParts[^2] : null;
        var table = nameParts[^1];

        var output = tokens.Take(nameEnd + 1).ToList();
        var pre = new List<string>();
        var attributes = new TableAttributes();
        var next = NextSignificant(tokens, nameEnd);
        var rest = nameEnd + 1;
        if (next >= 0 && tokens[next].Kind == SqlTokenKind.LeftParen)
        {
            var close = MatchParen(tokens, next);
            var items = SplitTopLevel(tokens, next + 1, close);
            if (items.Count == 1 && NextSignificant(items[0], -1) is var like && like >= 0 && items[0][like].Is("LIKE"))
            {
                // CREATE TABLE t (LIKE source [INCLUDING|EXCLUDING DEFAULTS]): same columns, no rows.
                var source = SqlLexer.Join(items[0].Skip(like + 1).TakeWhile(t => !t.IsAny("INCLUDING", "EXCLUDING"))).Trim();
                output.Add(new SqlToken(SqlTokenKind.Word, $" AS SELECT * FROM {source} LIMIT 0"));
                return (output, pre);
            }
            var kept = new List<string>();
            foreach (var item in items)
            {
                var column = RewriteItem(item, schema, table, temporary, ifNotExists, pre, attributes);
                if (column is not null) kept.Add(column);
            }
            output.Add(new SqlToken(SqlTokenKind.Whitespace, " "));
            output.Add(new SqlToken(SqlTokenKind.Operator, "(" + string.Join(", ", kept) + ")"));
            rest = close + 1;
        }
        output.AddRange(StripTableAttributes(tokens, rest, attributes));
        if (!temporary) pre.AddRange(attributes.RecordStatements(schema, table));
        return (output, pre);
    }

    private static string? RewriteItem(List<SqlToken> item, string? schema, string table, bool temporary, bool ifNotExists, List<string> pre,
        TableAttributes attributes)
    {
        var first = NextSignificant(item, -1);
        if (first < 0) return null;
        if (item[first].IsAny("DISTKEY", "SORTKEY") && NextSignificant(item, first) is var keyOpen && keyOpen >= 0 && item[keyOpen].Kind == SqlTokenKind.LeftParen)
        {
            var keys = TableAttributes.KeyNames(item, keyOpen);
            if (item[first].Is("DISTKEY")) attributes.DistKey(keys.FirstOrDefault());
            else attributes.SortKey(keys, null);
            return null;
        }
        if (item[first].IsAny("PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT", "DISTKEY", "SORTKEY")) return null;
        var columnName = item[first].Identifier;
        var column = attributes.Column(columnName, TableAttributes.RedshiftTypeName(DeclaredType(item, first)));
        var output = new List<SqlToken>();
        for (var j = 0; j < item.Count; j++)
        {
            var token = item[j];
            if (j > first && token.Kind == SqlTokenKind.Word)
            {
                var after = NextSignificant(item, j);
                if (token.Is("ENCODE") && after >= 0) column.Encoding = item[after].Identifier;
                if (token.IsAny("ENCODE", "COLLATE") && after >= 0) { j = after; continue; }
                if (token.Is("DISTKEY")) attributes.DistKey(columnName);
                if (token.Is("SORTKEY")) attributes.SortKey([columnName], null);
                if (token.IsAny("DISTKEY", "SORTKEY", "UNIQUE")) continue;
                if (token.Is("PRIMARY") && after >= 0 && item[after].Is("KEY")) { j = after; continue; }
                if (token.Is("REFERENCES"))
                {
                    j = after;
                    var paren = NextSignificant(item, j);
                    if (paren >= 0 && item[paren].Kind == SqlTokenKind.LeftParen) j = MatchParen(item, paren);
                    continue;
                }
                if (token.Is("GENERATED") || token.Is("IDENTITY"))
                {
                    var identity = j;
                    while (identity >= 0 && !item[identity].Is("IDENTITY")) identity = NextSignificant(item, identity);
                    if (identity < 0) { output.Add(token); continue; }
                    long seed = 1, step = 1;
                    var paren = NextSignificant(item, identity);
                    var end = identity;
                    if (paren >= 0 && item[paren].Kind == SqlTokenKind.LeftParen)
                    {
                        end = MatchParen(item, paren);
                        var args = SplitTopLevel(item, paren + 1, end);
                        if (args.Count > 0) long.TryParse(SqlLexer.Join(args[0]).Trim(), out seed);
                        if (args.Count > 1) long.TryParse(SqlLexer.Join(args[1]).Trim(), out step);
                    }
                    var sequence = (schema is null ? "" : QuoteIdentifier(schema) + ".") + QuoteIdentifier($"{table}_{columnName}_seq");
                    pre.Add($"CREATE {(ifNotExists ? "" : "OR REPLACE ")}{(temporary ? "TEMP " : "")}SEQUENCE {(ifNotExists ? "IF NOT EXISTS " : "")}{sequence} START WITH {seed} INCREMENT BY {step}");
                    output.Add(new SqlToken(SqlTokenKind.Word, $"DEFAULT nextval({QuoteLiteral(sequence)})"));
                    j = end;
                    continue;
                }
            }
            output.Add(token);
        }
        var definition = SqlLexer.Join(output).Trim();
        // DuckDB does not enforce a VARCHAR's length; Redshift refuses longer values (in bytes).
        if (column.MaxBytes is { } max)
            definition += $" CHECK (CASE WHEN strlen(CAST({QuoteIdentifier(columnName)} AS VARCHAR)) > {max} " +
                          $"THEN error({QuoteLiteral($"value too long for type {column.TypeName}")}) ELSE TRUE END)";
        return definition;
    }

    /// <summary>
    /// The column's type as written: the words and parentheses after its name, up to its first constraint (comments
    /// and line breaks left out, so it reads the same from a statement's significant tokens).
    /// </summary>
    internal static string DeclaredType(List<SqlToken> item, int nameIndex)
    {
        var type = new System.Text.StringBuilder();
        var previousWord = false;
        var depth = 0;
        for (var j = nameIndex + 1; j < item.Count; j++)
        {
            var token = item[j];
            if (token.IsTrivia) continue;
            if (depth == 0 && (token.Kind is SqlTokenKind.Comma or SqlTokenKind.Semicolon or SqlTokenKind.RightParen
                               || token.IsAny("NOT", "NULL", "DEFAULT", "ENCODE", "DISTKEY", "SORTKEY", "PRIMARY", "UNIQUE", "REFERENCES", "IDENTITY",
                                   "GENERATED", "COLLATE", "CONSTRAINT", "CHECK"))) break;
            if (token.Kind == SqlTokenKind.LeftParen) depth++;
            else if (token.Kind == SqlTokenKind.RightParen) depth--;
            var word = token.Kind == SqlTokenKind.Word;
            if (word && previousWord) type.Append(' ');
            type.Append(token.Text);
            previousWord = word;
        }
        return type.ToString();
    }

    /// <summary>Drops DISTSTYLE, DISTKEY(...), [COMPOUND|INTERLEAVED] SORTKEY(...)/AUTO, ENCODE AUTO and BACKUP YES|NO.</summary>
    private static List<SqlToken> StripTableAttributes(List<SqlToken> tokens, int from, TableAttributes attributes)
    {
        var output = new List<SqlToken>();
        for (var j = from; j < tokens.Count; j++)
        {
            var token = tokens[j];
            var after = NextSignificant(tokens, j);
            if (token.Is("DISTSTYLE") && after >= 0) attributes.DistStyle = tokens[after].Identifier.ToUpperInvariant();
            if (token.IsAny("DISTSTYLE", "BACKUP") && after >= 0) { j = after; continue; }
            if (token.Is("ENCODE") && after >= 0) attributes.EncodeAuto = tokens[after].Is("AUTO");
            if (token.Is("ENCODE") && after >= 0) { j = after; continue; }
            if (token.IsAny("COMPOUND", "INTERLEAVED") && after >= 0 && tokens[after].Is("SORTKEY"))
            {
                attributes.SortKind = token.Text.ToUpperInvariant();
                continue;
            }
            if (token.IsAny("DISTKEY", "SORTKEY") && after >= 0 && tokens[after].Kind == SqlTokenKind.LeftParen)
            {
                var keys = TableAttributes.KeyNames(tokens, after);
                if (token.Is("DISTKEY")) attributes.DistKey(keys.FirstOrDefault());
                else attributes.SortKey(keys, attributes.SortKind);
            }
            if (token.IsAny("DISTKEY", "SORTKEY") && after >= 0)
            {
                j = tokens[after].Kind == SqlTokenKind.LeftParen ? MatchParen(tokens, after) : after;
                continue;
            }
            output.Add(token);
        }
        return output;
    }
}
