using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Catalog;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>Who is asking, for the functions that answer with the session's identity.</summary>
public sealed record TranslationContext(string User, string Database);

/// <summary>One Redshift statement as DuckDB runs it, with any statements that must run first (sequences).</summary>
public sealed record TranslatedStatement(string Sql, IReadOnlyList<string> PreStatements);

/// <summary>
/// Rewrites Redshift SQL into DuckDB SQL: table attributes, type names and the functions DuckDB lacks or spells
/// differently. The parse tree says where each call, cast, type, value keyword and cast literal stands
/// (<see cref="Statement.Rewrites"/>); one pass over the statement's own tokens splices each replacement in at its
/// place. What DuckDB already understands is passed through untouched.
/// </summary>
public static class RedshiftTranslator
{
    /// <summary>What <c>SELECT version()</c> answers on Redshift.</summary>
    public const string VersionString =
        "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467";

    /// <summary>
    /// Translates a statement text LocalShift was given whole (UNLOAD's query, a catalog query's stand-in): lexed and
    /// parsed here; a text the parser does not read is passed on as it is (LocalShift's own engine SQL).
    /// </summary>
    public static TranslatedStatement Translate(string sql, TranslationContext context)
    {
        var tokens = SqlLexer.Tokenize(sql);
        Statement tree;
        try { tree = SqlParser.Parse(sql, tokens); }
        catch (PgException) { return Translate(sql, tokens, TranslationSites.None, context); }
        return Translate(sql, tokens, TranslationSites.Of(tree, StatementAccess.Of(tree)), context);
    }

    /// <summary>Translates a text whose tree was read before it was edited: <paramref name="sites"/> are already at the edited text's positions.</summary>
    public static TranslatedStatement Translate(string sql, TranslationSites sites, TranslationContext context) =>
        Translate(sql, SqlLexer.Tokenize(sql), sites, context);

    /// <summary>
    /// Translates a statement from the tokens its text was already lexed into (every token, trivia included; not
    /// changed) and what its parse tree placed in that text (<see cref="TranslationSites"/>).
    /// </summary>
    public static TranslatedStatement Translate(List<SqlToken> tokens, TranslationSites sites, TranslationContext context) =>
        Translate(null, tokens, sites, context);

    /// <summary>
    /// Translates a statement from its text <paramref name="sql"/> and the tokens <see cref="SqlLexer.Tokenize"/> made
    /// of that text (every token, trivia included; not changed): the same translation as without the text, written
    /// faster — what is not rewritten is copied from the text in runs rather than token by token, and a statement
    /// with nothing to rewrite is answered with its own text.
    /// </summary>
    public static TranslatedStatement Translate(string? sql, List<SqlToken> tokens, TranslationSites sites, TranslationContext context)
    {
        IReadOnlyList<string> pre = [];
        var lexed = tokens;
        tokens = TableFunctionColumns.Name(tokens, sites.ColumnAliases);
        var divisions = sites.Divisions;
        if (sites.CreateTable is { } create)
        {
            // Guarded before the rewrite drops and adds text in its column list (a CHECK's or a DEFAULT's divisions).
            tokens = DivisionGuard.Rewrite(tokens, divisions);
            divisions = [];
            // The column list keeps its own tokens (and so its sites); the sequences and the attribute records are
            // LocalShift's own engine SQL.
            (tokens, pre) = CreateTableRewriter.Rewrite(tokens, create);
        }
        else if (sites.Dropped.Count > 0) tokens = Without(tokens, sites.Dropped);
        tokens = TopClause.Rewrite(tokens, sites.Rewrites);
        // The text is copied from only while the tokens are still the ones lexed from it.
        var text = ReferenceEquals(tokens, lexed) ? sql : null;
        // The divisions are guarded by the splice as it writes the tokens (DivisionGuard.Plan).
        return new TranslatedStatement(new Splice(text, tokens, sites.Rewrites, sites.Names, context, DivisionGuard.Plan.For(tokens, divisions, ordered: text is not null)).Text(), pre);
    }

    /// <summary>
    /// The tokens outside <paramref name="spans"/>, the clauses the tree placed that the engine has no place for: ALTER
    /// TABLE … ADD COLUMN c type ENCODE e, whose encoding is a storage hint (recorded for pg_table_def by
    /// <see cref="TableAttributes.Follow"/>). A token a rewrite made (no offset) is kept.
    /// </summary>
    private static List<SqlToken> Without(List<SqlToken> tokens, IReadOnlyList<TextSpan> spans)
    {
        var output = new List<SqlToken>(tokens.Count);
        foreach (var token in tokens)
        {
            var inside = false;
            if (token.Offset >= 0)
                foreach (var span in spans)
                    if (token.Offset >= span.Start && token.Offset < span.End) { inside = true; break; }
            if (!inside) output.Add(token);
        }
        return output;
    }

    /// <summary>The names <see cref="Splice.RewriteCall"/> rewrites: a call of any other name is passed through as it is.</summary>
    private static readonly HashSet<string> RewrittenCalls = new(StringComparer.OrdinalIgnoreCase)
    {
        "CHARINDEX", "CONVERT_TIMEZONE", "CURRENT_DATABASE", "DATEADD", "DATEDIFF", "DATEPART", "DATE_PART", "DATE_TRUNC",
        "DECODE", "GETDATE", "JSON_ARRAY_LENGTH", "JSON_EXTRACT_ARRAY_ELEMENT_TEXT", "JSON_EXTRACT_PATH_TEXT", "LEN", "LISTAGG", "NVL", "NVL2",
        "OCTET_LENGTH", "PGDATE_PART", "RATIO_TO_REPORT", "REGEXP_COUNT", "REGEXP_INSTR", "REGEXP_REPLACE", "REGEXP_SUBSTR", "STRTOL", "TO_CHAR",
        "TRUNC", "VERSION", "AVG",
    };

    /// <summary>
    /// The one pass over a statement's tokens: each token is copied, except where a site of the tree starts, whose
    /// replacement is written in its place (its parts, such as a call's arguments, spliced the same way). A token a
    /// rewrite before this pass made (no offset) is copied as it is. The result columns' names are written as aliases
    /// where their items end.
    /// </summary>
    private sealed class Splice(string? sql, List<SqlToken> tokens, IReadOnlyList<RewriteSite> rewrites, IReadOnlyList<ColumnName> names, TranslationContext context,
        DivisionGuard.Plan? divisions)
    {
        /// <summary>The divisions to guard, written around their operands as the tokens pass.</summary>
        private readonly DivisionGuard.Plan? _divisions = divisions;
        /// <summary>The offset of a temporal cast's operand being written again: the divisions opening there were opened before the cast.</summary>
        private int _opened = -1;
        private readonly TranslationContext _context = context;
        /// <summary>The sites other than temporal casts, by where they start (the first the tree gives at a place): looked up by halving.</summary>
        private readonly RewriteSite[]? _sites = Index(rewrites);
        /// <summary>
        /// Casts to a date or time type (<see cref="RewriteKind.Temporal"/>), by where they start: several may start at
        /// one place (<c>x::timestamp::date</c>, or an operand that is itself a site), the outermost first, each tried
        /// before the place's other site.
        /// </summary>
        private readonly Dictionary<int, RewriteSite[]>? _temporal = Temporal(rewrites);
        /// <summary>The temporal casts whose replacement is being written: their operands, starting where they do, are not theirs again.</summary>
        private List<RewriteSite>? _active;
        /// <summary>
        /// The statement's text, when the tokens are those lexed from it: the tokens between the places where something
        /// is to be done are not written one by one, their text is copied at once (<see cref="NextEvent"/>).
        /// </summary>
        private readonly string? _sql = sql;
        /// <summary>
        /// The offsets where a site starts, a division opens or has its operator, and the last character of the text
        /// before a division closes, one bit each: most tokens are looked up here, not in <see cref="_sites"/>; the
        /// text between them is copied at once (<see cref="NextEvent"/>).
        /// </summary>
        private readonly ulong[]? _starts = Starts(rewrites, divisions);
        /// <summary>Text to write where the statement's text reaches an offset (a result column's alias, a TOP's LIMIT), once it does.</summary>
        private List<(int At, string Text)>? _pending = Aliases(names);
        /// <summary>The least offset of <see cref="_pending"/>'s texts: before it, nothing is to be written.</summary>
        private int _pendingAt = names.Count == 0 ? int.MaxValue : Least(names);
        /// <summary>Where the last of the statement's own tokens written ends.</summary>
        private int _written;

        private static RewriteSite[]? Index(IReadOnlyList<RewriteSite> rewrites)
        {
            if (rewrites.Count == 0) return null;
            // Ordered by start, then by the tree's order: the first of a place is the one it keeps.
            var keys = new long[rewrites.Count];
            var count = 0;
            for (var k = 0; k < rewrites.Count; k++)
                if (rewrites[k].Kind != RewriteKind.Temporal) keys[count++] = ((long)rewrites[k].Start << 32) | (uint)k;
            if (count == 0) return null;
            Array.Sort(keys, 0, count);
            var sites = new RewriteSite[count];
            var distinct = 0;
            for (var k = 0; k < count; k++)
            {
                var site = rewrites[(int)(uint)keys[k]];
                if (distinct == 0 || sites[distinct - 1].Start != site.Start) sites[distinct++] = site;
            }
            if (distinct < count) Array.Resize(ref sites, distinct);
            return sites;
        }

        /// <summary>The site (not a temporal cast) that starts at <paramref name="offset"/>, if one does.</summary>
        private bool TryGetSite(int offset, out RewriteSite site)
        {
            var sites = _sites!;
            var (lo, hi) = (0, sites.Length - 1);
            while (lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                var start = sites[mid].Start;
                if (start == offset)
                {
                    site = sites[mid];
                    return true;
                }
                if (start < offset) lo = mid + 1;
                else hi = mid - 1;
            }
            site = null!;
            return false;
        }

        private static Dictionary<int, RewriteSite[]>? Temporal(IReadOnlyList<RewriteSite> rewrites)
        {
            Dictionary<int, RewriteSite[]>? casts = null;
            for (var k = rewrites.Count - 1; k >= 0; k--)
            {
                var site = rewrites[k];
                if (site.Kind != RewriteKind.Temporal) continue;
                casts ??= [];
                // Read later means enclosing (a postfix cast is placed after its operand's sites): the outermost first.
                casts[site.Start] = casts.TryGetValue(site.Start, out var known)
                    ? [.. known.Append(site).OrderByDescending(c => c.End)]
                    : [site];
            }
            return casts;
        }

        private static List<(int At, string Text)>? Aliases(IReadOnlyList<ColumnName> names)
        {
            if (names.Count == 0) return null;
            var pending = new List<(int At, string Text)>(names.Count + 1);
            foreach (var name in names) pending.Add((name.At, " AS " + QuoteIdentifier(name.Name)));
            return pending;
        }

        private static int Least(IReadOnlyList<ColumnName> names)
        {
            var least = int.MaxValue;
            foreach (var name in names) least = Math.Min(least, name.At);
            return least;
        }

        private static ulong[]? Starts(IReadOnlyList<RewriteSite> rewrites, DivisionGuard.Plan? divisions)
        {
            if (rewrites.Count == 0 && divisions is null) return null;
            var last = 0;
            foreach (var site in rewrites) last = Math.Max(last, site.Start);
            if (divisions is not null) last = Math.Max(last, divisions.Last);
            var starts = new ulong[(last >> 6) + 1];
            foreach (var site in rewrites) Mark(starts, site.Start);
            if (divisions is not null)
            {
                foreach (var open in divisions.Opens.Keys) Mark(starts, open);
                foreach (var op in divisions.Operators) Mark(starts, op);
                foreach (var end in divisions.Closes.Keys) Mark(starts, end - 1);
            }
            return starts;
        }

        private static void Mark(ulong[] bits, int offset)
        {
            if (offset >= 0 && (offset >> 6) < bits.Length) bits[offset >> 6] |= 1UL << offset;
        }

        private static bool Marked(ulong[] bits, int offset) => (offset >> 6) < bits.Length && (bits[offset >> 6] & (1UL << offset)) != 0;

        private bool MayStart(int offset) => Marked(_starts!, offset);

        public string Text()
        {
            if (_sql is { } sql)
            {
                // Nothing to rewrite: the statement's own text, when its tokens are all of it.
                if (_starts is null && _temporal is null && _pending is null && Whole(sql)) return sql;
                var written = Builders.Rent(sql.Length + sql.Length / 2);
                Append(written, 0, tokens.Count);
                Flush(written, int.MaxValue);
                return Builders.Return(written);
            }
            var length = 0;
            foreach (var token in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens)) length += token.Text.Length;
            var sb = Builders.Rent(length + length / 2);
            Append(sb, 0, tokens.Count);
            Flush(sb, int.MaxValue);
            return Builders.Return(sb);
        }

        /// <summary>Whether the tokens are the whole of <paramref name="sql"/>, in order, none left out.</summary>
        private bool Whole(string sql)
        {
            var at = 0;
            foreach (var token in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens))
            {
                if (token.Offset != at) return false;
                at += token.Text.Length;
            }
            return at == sql.Length;
        }

        /// <summary>Writes the pending text whose place is at or before <paramref name="offset"/>.</summary>
        private void Flush(StringBuilder sb, int offset)
        {
            if (_pending is null || offset < _pendingAt) return;
            var least = int.MaxValue;
            for (var k = 0; k < _pending.Count; k++)
            {
                if (_pending[k].At > offset)
                {
                    least = Math.Min(least, _pending[k].At);
                    continue;
                }
                sb.Append(_pending[k].Text);
                _pending.RemoveAt(k--);
            }
            _pendingAt = least;
        }

        private void Append(StringBuilder sb, int from, int to)
        {
            if (_sql is { } sql)
            {
                // The tokens are the text's own, in order and contiguous: between the places where something is to be
                // done the text is copied at once.
                var i = from;
                while (i < to)
                {
                    var next = NextEvent(i, to);
                    if (next > i)
                    {
                        var start = tokens[i].Offset;
                        var last = tokens[next - 1];
                        _written = last.Offset + last.Text.Length;
                        sb.Append(sql, start, _written - start);
                        i = next;
                        if (i == to) break;
                    }
                    i = Step(sb, i, to);
                }
            }
            else
                for (var i = from; i < to;) i = Step(sb, i, to);
            if (_pending is not null) Flush(sb, _written);
        }

        /// <summary>
        /// The first of the tokens from <paramref name="from"/> to <paramref name="to"/> at which something may be to
        /// be done (<see cref="Step"/>): the one holding the next offset marked in <see cref="_starts"/>, or the first
        /// at or after the next pending text's place; <paramref name="to"/> when none is. Only for the text's own tokens.
        /// </summary>
        private int NextEvent(int from, int to)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
            var offset = span[from].Offset;
            var marked = _starts is null ? int.MaxValue : NextMarked(_starts, offset);
            var at = to;
            if (marked != int.MaxValue)
            {
                // The last token starting at or before the marked offset holds it.
                var (lo, hi) = (from, to - 1);
                if (span[hi].Offset <= marked) lo = hi;
                else
                    while (lo < hi)
                    {
                        var mid = (lo + hi + 1) >> 1;
                        if (span[mid].Offset <= marked) lo = mid;
                        else hi = mid - 1;
                    }
                // Past the range's last token's end, the mark is not in this range.
                if (lo < to - 1 || marked < span[lo].Offset + span[lo].Text.Length) at = lo;
            }
            if (_pendingAt != int.MaxValue)
            {
                // The first token at or after the pending text's place.
                var (lo, hi) = (from, at);
                while (lo < hi)
                {
                    var mid = (lo + hi) >> 1;
                    if (span[mid].Offset >= _pendingAt) hi = mid;
                    else lo = mid + 1;
                }
                at = lo;
            }
            return at;
        }

        /// <summary>The least offset marked in <paramref name="bits"/> at or after <paramref name="offset"/>; int.MaxValue when none is.</summary>
        private static int NextMarked(ulong[] bits, int offset)
        {
            var word = offset >> 6;
            if (word >= bits.Length) return int.MaxValue;
            var rest = bits[word] & (ulong.MaxValue << (offset & 63));
            while (rest == 0)
            {
                if (++word == bits.Length) return int.MaxValue;
                rest = bits[word];
            }
            return (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(rest);
        }

        /// <summary>Writes the token at <paramref name="i"/> or what replaces it and those after it; answers where the pass goes on.</summary>
        private int Step(StringBuilder sb, int i, int to)
        {
            var token = tokens[i];
            if (token.Offset >= 0 && _pending is not null) Flush(sb, token.Offset);
            var guarded = _divisions is not null && _divisions.Holds(token);
            if (guarded)
            {
                if (_divisions!.Cut(token) is var cut and > 0)
                {
                    sb.Append(token.Text, 0, cut);
                    token = token with { Text = token.Text[cut..], Offset = token.Offset + cut };
                }
                if (token.Offset != _opened && _divisions.Opens.TryGetValue(token.Offset, out var open)) sb.Append(open);
                if (token.Kind == SqlTokenKind.Operator && _divisions.Operators.Contains(token.Offset))
                {
                    // The operator may run together with the right operand's signs ("/-").
                    sb.Append(',');
                    if (token.Text.Length > 1) sb.Append(token.Text, 1, token.Text.Length - 1);
                    _written = token.Offset + token.Text.Length;
                    Close(sb, _written);
                    return i + 1;
                }
            }
            if (_temporal is not null && token.Offset >= 0 && !token.IsTrivia && _temporal.TryGetValue(token.Offset, out var casts)
                && TemporalCast(casts, i, to) is var (cast, castEnd))
            {
                sb.Append(cast);
                _written = castEnd;
                if (guarded) Close(sb, castEnd);
                return After(castEnd, i, to);
            }
            if (_sites is not null && token.Offset >= 0 && !token.IsTrivia && MayStart(token.Offset) && TryGetSite(token.Offset, out var site) && Replace(site, i, to) is var (text, end))
            {
                sb.Append(text);
                _written = end;
                if (guarded) Close(sb, end);
                return After(end, i, to);
            }
            sb.Append(token.Text);
            if (token.Offset >= 0) _written = token.Offset + token.Text.Length;
            if (guarded) Close(sb, _written);
            return i + 1;
        }

        /// <summary>
        /// The first of <paramref name="casts"/> (all starting at the token <paramref name="at"/>) that is not being
        /// written already and rewrites its cast, with where it ends; null when none does.
        /// </summary>
        private (string Text, int End)? TemporalCast(RewriteSite[] casts, int at, int to)
        {
            for (var k = 0; k < casts.Length; k++)
            {
                var site = casts[k];
                if (_active is not null && _active.Contains(site)) continue;
                var active = _active ??= [];
                var depth = active.Count;
                // This cast and the ones enclosing it at this place are not tried again inside its operand.
                for (var j = 0; j <= k; j++) active.Add(casts[j]);
                try
                {
                    if (TemporalReplacement(site, at, to) is { } text) return (text, site.End);
                }
                finally { active.RemoveRange(depth, active.Count - depth); }
            }
            return null;
        }

        /// <summary>A cast to a date or time type through the recognizer (<see cref="TemporalCasts"/>); null to leave it to the engine's cast.</summary>
        private string? TemporalReplacement(RewriteSite site, int at, int to)
        {
            var (a, b) = Range(site.Arguments[0], at, to);
            while (a < b && tokens[a].IsTrivia) a++;
            while (b > a && tokens[b - 1].IsTrivia) b--;
            if (a >= b) return null;
            var type = TemporalCasts.TypeOf(site.Name);
            if (b == a + 1 && tokens[a].Kind == SqlTokenKind.String && TemporalCasts.LeavesLiteral(tokens[a].StringValue, type)) return null;
            var sb = Builders.Rent(0);
            var literal = b == a + 1 && tokens[a].Kind == SqlTokenKind.String;
            if (!literal) sb.Append(TemporalCasts.Open);
            // An operand starting where the cast does (x::date) starts where a division around the cast opened already.
            var opened = _opened;
            if (tokens[a].Offset == site.Start) _opened = site.Start;
            try { Append(sb, a, b); }
            finally { _opened = opened; }
            return literal ? TemporalCasts.Literal(Builders.Return(sb), type) : Builders.Return(sb.Append(TemporalCasts.Close(type)));
        }

        /// <summary>Closes the guarded divisions whose right operand ends at <paramref name="end"/>.</summary>
        private void Close(StringBuilder sb, int end)
        {
            if (_divisions!.Closes.TryGetValue(end, out var count)) sb.Append(')', count);
        }

        /// <summary>The text of <paramref name="span"/>, its sites rewritten, without the trivia at its ends.</summary>
        private string Render(TextSpan span, int from, int to)
        {
            var (a, b) = Range(span, from, to);
            var sb = Builders.Rent(0);
            Append(sb, a, b);
            return Builders.Return(sb, trim: true);
        }

        /// <summary>
        /// The tokens of <paramref name="span"/> between <paramref name="from"/> and <paramref name="to"/>: those of
        /// the text in it, with the tokens a rewrite made around them (a division guard's <c>ls_div(</c> and <c>)</c>).
        /// </summary>
        private (int From, int To) Range(TextSpan span, int from, int to)
        {
            var a = from;
            while (a < to && (tokens[a].Offset < 0 || tokens[a].Offset < span.Start)) a++;
            while (a > from && tokens[a - 1].Offset < 0) a--;
            var b = a;
            while (b < to && (tokens[b].Offset < 0 || tokens[b].Offset < span.End)) b++;
            return (a, b);
        }

        /// <summary>Where the pass goes on after a replacement ending at <paramref name="end"/>: past the statement's own tokens before it.</summary>
        private int After(int end, int from, int to)
        {
            var last = from;
            for (var j = from; j < to; j++)
            {
                if (tokens[j].Offset < 0) continue;
                if (tokens[j].Offset >= end) break;
                last = j;
            }
            return last + 1;
        }

        /// <summary>The replacement of a site and where it ends in the text; null to leave the site as it is written.</summary>
        private (string Text, int End)? Replace(RewriteSite site, int at, int to)
        {
            switch (site.Kind)
            {
                case RewriteKind.Call when RewrittenCalls.Contains(site.Name):
                {
                    var end = site.End;
                    return RewriteCall(site, at, to, ref end) is { } text ? (text, end) : null;
                }
                case RewriteKind.Cast when site.TypeName is { } type && CharacterLength(type) is { } length:
                    // Redshift truncates on an explicit cast to VARCHAR(n)/CHAR(n); DuckDB ignores the length.
                    return ($"left(CAST({Render(site.Arguments[0], at, to)} AS VARCHAR), {length})", site.End);
                case RewriteKind.Cast when site.Alternate:
                    return ($"CAST({Render(site.Arguments[0], at, to)} AS {Render(site.Type!.Value, at, to)})", site.End);
                case RewriteKind.Type:
                    return TypeRewrite(site) is { } replaced ? (replaced, site.End) : null;
                case RewriteKind.Top:
                    (_pending ??= []).Add((site.Type!.Value.Start, " LIMIT " + Render(site.Arguments[0], at, to)));
                    _pendingAt = Math.Min(_pendingAt, site.Type!.Value.Start);
                    return ("", site.End);
                case RewriteKind.Keyword:
                    return site.Name switch
                    {
                        "SYSDATE" => ("CAST(current_timestamp AS TIMESTAMP)", site.End),
                        "CURRENT_USER" or "SESSION_USER" or "USER" => (QuoteLiteral(_context.User), site.End),
                        "CURRENT_USER_ID" => ($"ls_user_id({QuoteLiteral(_context.User)})", site.End),
                        _ => null,
                    };
                case RewriteKind.Column:
                    // pg_table_def's column "notnull" is also a PostgreSQL postfix operator that DuckDB's parser takes as such.
                    return ("\"notnull\"", site.End);
                case RewriteKind.Literal:
                {
                    var literal = tokens[at];
                    if (site.Alternate && literal.Text.StartsWith("'\\x", StringComparison.Ordinal) && site.Name is "BYTEA" or "BLOB" or "VARBYTE")
                        // PostgreSQL reads '\x..' as hex bytes; DuckDB would read each "\xNN" as one escaped byte only.
                        return ($"unhex({QuoteLiteral(literal.StringValue[2..])})", site.Type!.Value.End);
                    return TemporalLiteral(literal.StringValue, site.TypeName!) is { } temporal ? (temporal, site.End) : null;
                }
                default:
                    return null;
            }
        }

        /// <summary>VARCHAR(MAX) and VARBYTE(n) as the engine names them; SUPER, VARBYTE and the spatial types as the engine stores them.</summary>
        private static string? TypeRewrite(RewriteSite site)
        {
            var modifiers = site.TypeName!.Modifiers;
            if (modifiers.Count == 1 && modifiers[0] == "max" && IsMaxLengthType(site.Name)) return site.Name == "VARBYTE" ? "BLOB" : "VARCHAR";
            if (modifiers.Count > 0) return site.Name is "VARBYTE" or "VARBINARY" or "BINARY" ? "BLOB" : null;
            return site.Name switch
            {
                "SUPER" => "JSON",
                "VARBYTE" => "BLOB",
                "HLLSKETCH" or "GEOMETRY" or "GEOGRAPHY" => "VARCHAR",
                _ => null,
            };
        }

        private static bool IsMaxLengthType(string name) =>
            name is "VARCHAR" or "NVARCHAR" or "CHAR" or "NCHAR" or "CHARACTER" or "BPCHAR" or "VARYING" or "VARBYTE" or "VARBINARY" or "TEXT";

        /// <summary>The length of a character type with one: <c>varchar(10)</c>, <c>character varying(10)</c>, <c>char(3)</c>.</summary>
        private static int? CharacterLength(TypeName type) =>
            !type.Array && type.Name is "varchar" or "character varying" or "nvarchar" or "char" or "character" or "nchar" or "bpchar"
            && type.Modifiers is [var modifier] && int.TryParse(modifier, out var length) ? length : null;

        /// <summary>A call's arguments as tokens, to read the literals some rewrites take as they are (a date part, a format).</summary>
        private List<SqlToken> ArgumentTokens(TextSpan span, int from, int to)
        {
            var (a, b) = Range(span, from, to);
            return tokens.GetRange(a, b - a);
        }

        internal string? RewriteCall(RewriteSite site, int from, int to, ref int end)
        {
            // The arguments' tokens, taken only for the rewrites that read them.
            var args = new ArgumentList(this, site.Arguments, from, to);
            // Each argument is rewritten once, however often the replacement repeats it.
            var rewritten = new string?[args.Count];
            string Arg(int n) => rewritten[n] ??= Render(site.Arguments[n], from, to);
            bool Empty() => args.Count == 0 || (args.Count == 1 && args[0].All(t => t.IsTrivia));
            var name = site.Name;
            switch (name)
            {
            case "VERSION" when Empty():
                return QuoteLiteral(VersionString);
            case "CURRENT_DATABASE" when Empty():
                return QuoteLiteral(_context.Database);
            case "GETDATE" when Empty():
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
                if (site.WithinGroup is { } within)
                {
                    order = " " + Render(within, from, to);
                    end = within.End + 1;
                }
                return $"string_agg({Arg(0)}, {delimiter}{order})";
            }
            case "TRUNC" when args.Count is 1 or 2:
                return $"{FunctionLibrary.Typed}trunc({string.Join(", ", args.Select((_, n) => Arg(n)))})";
            case "OCTET_LENGTH" when args.Count == 1:
                return $"{FunctionLibrary.Typed}octet_length({Arg(0)})";
            case "TO_CHAR" when args.Count == 2 && Significant(args[1]) is [{ Kind: SqlTokenKind.String } numberFormat]
                                && NumberFormat.IsNumberFormat(numberFormat.StringValue):
                return NumberFormat.ToSql(Arg(0), numberFormat.StringValue);
            case "AVG" when args.Count == 1:
            {
                // Redshift's AVG (the AVG function page): DECIMAL(38,s) for DECIMAL(p,s), BIGINT for integers,
                // DOUBLE PRECISION for floats — the type of the argument's SUM, whose integer HUGEINT the endpoint
                // reports as BIGINT. DuckDB's AVG is always a DOUBLE. An integer average is truncated (unverified:
                // Redshift's page shows only a whole-number example); a type that cannot hold 0.5 is an integer one.
                var tail = AggregateTail(site, from, to, ref end);
                var average = $"avg({Arg(0)}){tail}";
                var sum = $"sum({Arg(0)}){tail}";
                return $"cast_to_type(CASE WHEN cast_to_type(0.5, {sum}) = 0.5 THEN {average} ELSE trunc({average}) END, {sum})";
            }
            case "RATIO_TO_REPORT" when args.Count == 1 && site is { Filter: null, OverName: false, Over: { } over }:
                end = over.End + 1;
                return $"(CAST({Arg(0)} AS DOUBLE) / sum({Arg(0)}) OVER ({Render(over, from, to)}))";
            case "JSON_EXTRACT_PATH_TEXT" when args.Count >= 2:
            {
                var nullIfInvalid = args.Count >= 3 && IsBooleanLiteral(args[^1]);
                var keyArgs = args.Skip(1).Take(args.Count - 1 - (nullIfInvalid ? 1 : 0)).ToList();
                var keys = Enumerable.Range(1, keyArgs.Count).Select(Arg).ToList();
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

        /// <summary>A call's arguments as tokens, each taken from the statement's tokens when first read.</summary>
        private sealed class ArgumentList(Splice splice, IReadOnlyList<TextSpan> spans, int from, int to) : IReadOnlyList<List<SqlToken>>
        {
            private readonly List<SqlToken>?[] _tokens = new List<SqlToken>?[spans.Count];

            public int Count => spans.Count;

            public List<SqlToken> this[int index] => _tokens[index] ??= splice.ArgumentTokens(spans[index], from, to);

            public IEnumerator<List<SqlToken>> GetEnumerator()
            {
                for (var k = 0; k < Count; k++) yield return this[k];
            }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }

        /// <summary>
        /// What follows an aggregate call and belongs to it: <c>FILTER (WHERE ...)</c> and <c>OVER (...)</c> or
        /// <c>OVER name</c>, rewritten; moves <paramref name="end"/> past them.
        /// </summary>
        private string AggregateTail(RewriteSite site, int from, int to, ref int end)
        {
            var tail = Builders.Rent(0);
            if (site.Filter is { } filter)
            {
                tail.Append(" FILTER (").Append(Render(filter, from, to)).Append(')');
                end = filter.End + 1;
            }
            if (site.Over is { } over)
            {
                if (site.OverName) tail.Append(" OVER ").Append(Render(over, from, to));
                else tail.Append(" OVER (").Append(Render(over, from, to)).Append(')');
                end = site.OverName ? over.End : over.End + 1;
            }
            return Builders.Return(tail);
        }
    }

    /// <summary>
    /// The splice's string builders, kept per thread between statements (the translation of a statement and the texts
    /// of its rewritten parts are built in them, then copied out): only the strings made are allocated, not the
    /// builders. A builder grown past 64K characters is left to the collector.
    /// </summary>
    private static class Builders
    {
        [ThreadStatic] private static Stack<StringBuilder>? _free;

        public static StringBuilder Rent(int capacity)
        {
            if (_free is { Count: > 0 } free)
            {
                var sb = free.Pop();
                sb.EnsureCapacity(capacity);
                return sb;
            }
            return new StringBuilder(Math.Max(capacity, 256));
        }

        /// <summary>The builder's text (without the white space at its ends when <paramref name="trim"/>, as <see cref="string.Trim()"/> cuts), and the builder back.</summary>
        public static string Return(StringBuilder sb, bool trim = false)
        {
            var (start, end) = (0, sb.Length);
            if (trim)
            {
                while (start < end && char.IsWhiteSpace(sb[start])) start++;
                while (end > start && char.IsWhiteSpace(sb[end - 1])) end--;
            }
            var text = sb.ToString(start, end - start);
            if (sb.Capacity <= 1 << 16)
            {
                sb.Clear();
                (_free ??= new Stack<StringBuilder>()).Push(sb);
            }
            return text;
        }
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
    /// A string literal cast to DATE, TIMESTAMP, TIMESTAMPTZ or TIME (<c>'J2345678 04:05:06.789'::timestamp</c>,
    /// <c>CAST('January 12, 1992' AS DATE)</c>) that Redshift's automatic recognition reads: written out in ISO form so
    /// the engine's cast reads the same value (a TIMESTAMP ignores an offset, as Redshift's does). Null to leave it.
    /// </summary>
    private static string? TemporalLiteral(string value, TypeName type)
    {
        Copy.TemporalType? temporal = type.Name switch
        {
            "date" => Copy.TemporalType.Date,
            "timestamp" or "timestamp without time zone" => Copy.TemporalType.Timestamp,
            "timestamptz" or "timestamp with time zone" => Copy.TemporalType.TimestampTz,
            "time" or "time without time zone" => Copy.TemporalType.Time,
            _ => null,
        };
        if (temporal is not { } t) return null;
        var conversion = Copy.DateTimeConversion.For(t, "auto", "auto", acceptAnyDate: false);
        if (!conversion.TryConvert(value, out var micros)) return null;
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

    private static List<SqlToken> Significant(List<SqlToken> tokens) => SqlLexer.Significant(tokens);
}
