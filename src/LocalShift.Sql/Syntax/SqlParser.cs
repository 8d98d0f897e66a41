using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Syntax;

/// <summary>
/// A recursive-descent parser for the Redshift SQL the endpoint hands to its engine: queries (joins, subqueries,
/// CTEs, set operations, window functions), INSERT/UPDATE/DELETE/MERGE, and the DDL on tables, views and schemas.
/// Expressions follow PostgreSQL's precedence. Whatever it does not understand is a syntax error at the token
/// where understanding stopped, with that token's position, as PostgreSQL reports it: the statement never reaches
/// the engine on a guess.
/// </summary>
public sealed partial class SqlParser
{
    /// <summary>The statement's significant tokens (<see cref="_n"/> of them), each with its offset in the text.</summary>
    private SqlToken[] _t;
    private int _n;
    private readonly string _sql;
    private int _i;
    private int _depth;
    private readonly PlanningBudget _budget;
    /// <summary>What the tree read so far will cost the engine to plan (<see cref="PlanningBudget"/>), in bytes.</summary>
    private long _cost;
    /// <summary>Set-operation terms read so far (their cost grows with the square of their number).</summary>
    private long _setTerms;
    /// <summary>The divisions and modulos read so far whose divisor may be zero (<see cref="Statement.Divisions"/>).</summary>
    private List<DivisionSite>? _divisions;
    /// <summary>The places the translation may rewrite, read so far (<see cref="Statement.Rewrites"/>).</summary>
    private List<RewriteSite>? _rewrites;
    /// <summary>The token index of the TOP of the query being read (its first SELECT's), or -1.</summary>
    private int _top = -1;

    /// <summary>Nesting deeper than this is refused (PostgreSQL's stack limit answers similarly) rather than overflowing the stack.</summary>
    private const int MaxDepth = 200;

    private SqlParser(string sql, IReadOnlyList<SqlToken>? tokens = null, PlanningBudget? budget = null)
    {
        _sql = sql;
        _budget = budget ?? PlanningBudget.Unlimited;
        var all = tokens ?? SqlLexer.Tokenize(sql);
        // The lexer's list read as a span (no interface call per token); the array is the thread's spare, so it is sized by
        // all tokens rather than counted twice.
        if (all is List<SqlToken> list) Significant(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        else
        {
            _t = Rent(all.Count + 4);
            var offset = 0;
            for (var k = 0; k < all.Count; k++)
            {
                var token = all[k];
                if (!token.IsTrivia) SplitOperator(token, offset);
                offset += token.Text.Length;
            }
        }
    }

    [MemberNotNull(nameof(_t))]
    private void Significant(ReadOnlySpan<SqlToken> all)
    {
        _t = Rent(all.Length + 4);
        var offset = 0;
        foreach (ref readonly var token in all)
        {
            if (token.Kind is not (SqlTokenKind.Whitespace or SqlTokenKind.Comment))
            {
                if (token.Kind == SqlTokenKind.Operator || token.Offset != offset) SplitOperator(token, offset);
                else if (_n < _t.Length) _t[_n++] = token;
                else Add(token);
            }
            offset += token.Text.Length;
        }
    }

    /// <summary>Parses one statement (a trailing semicolon is allowed).</summary>
    public static Statement Parse(string sql) => Parse(sql, null);

    /// <summary>Parses one statement from the tokens its text was already lexed into (every token, trivia included).</summary>
    public static Statement Parse(string sql, IReadOnlyList<SqlToken>? tokens) => Parse(sql, tokens, null);

    /// <summary>
    /// Parses one statement, refusing it (SQLSTATE 54001) as soon as its tree would cost the engine more to plan than
    /// <paramref name="budget"/> allows.
    /// </summary>
    public static Statement Parse(string sql, IReadOnlyList<SqlToken>? tokens, PlanningBudget? budget)
    {
        var parser = new SqlParser(sql, tokens, budget);
        Statement statement;
        try
        {
            statement = parser.ParseStatement();
            if (parser.Peek.Kind == SqlTokenKind.Semicolon) parser._i++;
            if (!parser.AtEnd) throw parser.Error();
        }
        finally { parser.Return(); }
        return parser._divisions is null && parser._rewrites is null
            ? statement
            : statement with { Divisions = parser._divisions ?? [], Rewrites = parser._rewrites ?? [] };
    }

    /// <summary>
    /// Parses a query alone (UNLOAD's quoted SELECT): exactly one query, nothing after it; refused (54001) past
    /// <paramref name="budget"/> as a statement is.
    /// </summary>
    public static Query ParseQuery(string sql, PlanningBudget? budget = null)
    {
        var parser = new SqlParser(sql, null, budget);
        try
        {
            var query = parser.ParseQueryExpression();
            if (!parser.AtEnd) throw parser.Error();
            return query;
        }
        finally { parser.Return(); }
    }

    /// <summary>
    /// PostgreSQL's scanner rule: a multi-character operator ending in + or - is cut before them unless it holds one
    /// of ~ ! @ # % ^ &amp; | ` ?, so <c>x=-1</c> is <c>x = -1</c>. Trivia is dropped here; positions are kept.
    /// </summary>
    private void SplitOperator(SqlToken token, int offset)
    {
        var text = token.Text;
        if (token.Kind == SqlTokenKind.Operator && text.Length > 1 && text[^1] is '+' or '-' && text.IndexOfAny("~!@#%^&|`?".ToCharArray()) < 0)
        {
            var cut = text.Length;
            while (cut > 1 && text[cut - 1] is '+' or '-') cut--;
            Add(new SqlToken(SqlTokenKind.Operator, text[..cut], offset));
            for (var k = cut; k < text.Length; k++) Add(new SqlToken(SqlTokenKind.Operator, text[k].ToString(), offset + k));
            return;
        }
        Add(token.Offset == offset ? token : token with { Offset = offset });
    }

    private void Add(SqlToken token)
    {
        if (_n == _t.Length) Array.Resize(ref _t, _n * 2);
        _t[_n++] = token;
    }

    /// <summary>A token array left by the thread's last parse, or a new one: a statement's tokens are not garbage for every statement.</summary>
    [ThreadStatic] private static SqlToken[]? t_spare;

    private static SqlToken[] Rent(int length)
    {
        var spare = t_spare;
        if (spare is not null && spare.Length >= length)
        {
            t_spare = null;
            return spare;
        }
        return new SqlToken[Math.Max(length, 64)];
    }

    /// <summary>Gives the token array back for the thread's next parse, emptied (a string literal is not kept past its statement).</summary>
    private void Return()
    {
        var t = _t;
        _t = [];
        Array.Clear(t, 0, _n);
        _n = 0;
        if (t.Length <= 16_384 && (t_spare is null || t_spare.Length < t.Length)) t_spare = t;
    }

    /// <summary>The index of the token at <paramref name="offset"/> (or the bitwise complement of where it would stand).</summary>
    private int IndexAt(int offset)
    {
        int low = 0, high = _n - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var at = _t[middle].Offset;
            if (at == offset) return middle;
            if (at < offset) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }

    // ---- token helpers -----------------------------------------------------------------------------------------

    private bool AtEnd => _i >= _n;
    /// <summary>Stands past the last token: no kind or word matches it.</summary>
    private static readonly SqlToken End = new(SqlTokenKind.Whitespace, "");

    // The parser's most frequent calls: inlined, as the JIT does not always do in the larger methods.
    private SqlToken Peek { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _i < _n ? _t[_i] : End; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SqlToken PeekAt(int ahead) => _i + ahead < _n ? _t[_i + ahead] : End;
    private int Position => _i < _n ? _t[_i].Offset : _sql.Length;

    /// <summary>Where the token at <paramref name="index"/> ends in the text.</summary>
    private int EndOf(int index) => _t[index].Offset + _t[index].Text.Length;

    /// <summary>The text between the tokens at <paramref name="open"/> and <paramref name="close"/> (a parenthesis, a comma, AS), trivia included.</summary>
    private TextSpan Between(int open, int close) => new(EndOf(open), _t[close].Offset);

    private void Site(RewriteSite site) => (_rewrites ??= []).Add(site);

    private SqlToken Next()
    {
        if (AtEnd) throw Error();
        return _t[_i++];
    }

    private bool Accept(string word)
    {
        if (!Peek.Is(word)) return false;
        _i++;
        return true;
    }

    private bool AcceptAll(params string[] words)
    {
        for (var k = 0; k < words.Length; k++) if (!PeekAt(k).Is(words[k])) return false;
        _i += words.Length;
        return true;
    }

    private void Expect(string word)
    {
        if (!Accept(word)) throw Error();
    }

    private bool Accept(SqlTokenKind kind)
    {
        if (Peek.Kind != kind || AtEnd) return false;
        _i++;
        return true;
    }

    private void Expect(SqlTokenKind kind)
    {
        if (!Accept(kind)) throw Error();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsOperator(string op) => !AtEnd && Peek.Kind == SqlTokenKind.Operator && Peek.Text == op;

    private bool AcceptOperator(string op)
    {
        if (!IsOperator(op)) return false;
        _i++;
        return true;
    }

    /// <summary>PostgreSQL's text: <c>syntax error at or near "tok"</c>, or <c>at end of input</c>, with the position.</summary>
    private PgException Error()
    {
        var message = AtEnd ? "syntax error at end of input" : $"syntax error at or near \"{Peek.Text}\"";
        return new PgException(SqlState.SyntaxError, message) { Position = Position + 1 };
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
            throw StackDepth.Exceeded();
    }

    private void Leave() => _depth--;

    /// <summary>Adds to the statement's planning cost; past the budget, the statement is refused here, before the engine sees it.</summary>
    private void Charge(long bytes)
    {
        _cost += bytes;
        if (_cost > _budget.Bytes) throw _budget.Exceeded();
    }

    /// <summary>Words that end an expression or a FROM item, so they are never read as an alias without AS.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "BETWEEN", "BOTH", "CASE", "CAST", "CHECK", "COLLATE", "CONSTRAINT", "CROSS", "DEFAULT", "DESC",
        "DISTINCT", "ELSE", "END", "EXCEPT", "FETCH", "FOR", "FOREIGN", "FROM", "FULL", "GROUP", "HAVING", "ILIKE", "IN", "INNER",
        "INTERSECT", "INTO", "IS", "JOIN", "LATERAL", "LEADING", "LEFT", "LIKE", "LIMIT", "MINUS", "NATURAL", "NOT",
        "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "PLACING", "PRIMARY", "QUALIFY", "REFERENCES", "RETURNING", "RIGHT", "SELECT",
        "SIMILAR", "SOME", "TABLE", "THEN", "TO", "TOP", "TRAILING", "UNION", "UNIQUE", "USING", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
        "SET",
    };

    private static bool IsName(SqlToken t) => t.Kind == SqlTokenKind.QuotedIdentifier || (t.Kind == SqlTokenKind.Word && !IsReserved(t.Text));

    private static bool IsReserved(string word) => (Info(word).Class & WordClass.Reserved) != 0;

    /// <summary>What the parser asks of a word most often, answered once per word (<see cref="Info"/>).</summary>
    [Flags]
    private enum WordClass : byte
    {
        None = 0,
        /// <summary>In <see cref="Reserved"/>.</summary>
        Reserved = 1,
        /// <summary>In <see cref="PrimaryWords"/>.</summary>
        Primary = 2,
        /// <summary>A word <see cref="InfixLevel"/> may read as an operator.</summary>
        Infix = 4,
    }

    private sealed record WordInfo(string Word, WordClass Class, string Upper);

    /// <summary>
    /// A word's classes and upper-case form, by the word's string: the lexer hands out one string per repeated text, so a
    /// statement's keywords and names are classified once, not looked up in the word sets at every test. A slot holds
    /// the last word that hashed to it (records are immutable, so threads may share and overwrite slots freely).
    /// </summary>
    private static readonly WordInfo?[] Words = new WordInfo?[1024];

    private static WordInfo Info(string word)
    {
        // A hash of the length and three characters: cheaper than the whole word's, and a word's own slot nearly always.
        var hash = (uint)word.Length;
        hash = hash * 31 + word[0];
        hash = hash * 31 + word[word.Length >> 1];
        hash = hash * 31 + word[^1];
        ref var slot = ref Words[(hash ^ (hash >> 10)) & (uint)(Words.Length - 1)];
        var info = slot;
        if (info is not null && (ReferenceEquals(info.Word, word) || info.Word == word)) return info;
        var kind = WordClass.None;
        if (Reserved.Contains(word)) kind |= WordClass.Reserved;
        if (PrimaryWords.Contains(word)) kind |= WordClass.Primary;
        if (InfixWords.Contains(word)) kind |= WordClass.Infix;
        info = new WordInfo(word, kind, word.ToUpperInvariant());
        slot = info;
        return info;
    }

    /// <summary>A word in upper case (the tree's spelling of keywords and of the names the translator reads).</summary>
    private static string Upper(string word) => Info(word).Upper;

    private static readonly HashSet<string> InfixWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "OR", "AND", "IS", "ISNULL", "NOTNULL", "BETWEEN", "IN", "LIKE", "ILIKE", "SIMILAR", "NOT",
    };

    /// <summary>An identifier: a quoted one, or a word (reserved words too where the grammar allows only a name here).</summary>
    private string Identifier(bool allowReserved = true)
    {
        var t = Peek;
        if (AtEnd || t.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) || (!allowReserved && !IsName(t))) throw Error();
        _i++;
        return t.Identifier;
    }

    private QualifiedName Name()
    {
        var position = Position;
        var parts = new List<string>(2) { Identifier() };
        while (Peek.Kind == SqlTokenKind.Dot && PeekAt(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            _i++;
            parts.Add(Identifier());
        }
        if (parts.Count > 3) { _i--; throw Error(); }
        return new QualifiedName(parts, position);
    }

    private List<string> IdentifierList()
    {
        Expect(SqlTokenKind.LeftParen);
        var names = new List<string> { Identifier() };
        while (Accept(SqlTokenKind.Comma)) names.Add(Identifier());
        Expect(SqlTokenKind.RightParen);
        return names;
    }

    // ---- statements --------------------------------------------------------------------------------------------

    private Statement ParseStatement()
    {
        var t = Peek;
        if (AtEnd) throw Error();
        if (t.Kind == SqlTokenKind.LeftParen || t.IsAny("SELECT", "WITH", "VALUES")) return new QueryStatement(ParseQueryExpression());
        if (t.Is("TABLE"))
        {
            _i++;
            var name = Name();
            return new QueryStatement(new Query([], false, SimpleSelect(new TableFrom(name, null)), [], null, null));
        }
        if (t.Is("INSERT")) return ParseInsert();
        if (t.Is("UPDATE")) return ParseUpdate();
        if (t.Is("DELETE")) return ParseDelete();
        if (t.Is("MERGE")) return ParseMerge();
        if (t.Is("CREATE")) return ParseCreate();
        if (t.Is("DROP")) return ParseDrop();
        if (t.Is("ALTER")) return ParseAlter();
        if (t.Is("TRUNCATE"))
        {
            _i++;
            Accept("TABLE");
            return new TruncateStatement(Name());
        }
        if (t.Is("COMMENT")) return ParseComment();
        if (t.Is("REFRESH"))
        {
            _i++;
            Expect("MATERIALIZED");
            Expect("VIEW");
            var view = Name();
            var cascade = Accept("CASCADE");
            if (!cascade) Accept("RESTRICT");
            return new RefreshMaterializedViewStatement(view, cascade);
        }
        if (t.Is("EXPLAIN"))
        {
            _i++;
            var verbose = Accept("VERBOSE");
            return new ExplainStatement(verbose, ParseStatement());
        }
        if (ParseSessionStatement() is { } session) return session;
        throw Error();
    }

    private static SelectCore SimpleSelect(FromItem from) =>
        new(false, [], null, [new SelectItem(new StarExpr(), null)], null, [from], null, [], null, null, []);

    private InsertStatement ParseInsert()
    {
        Expect("INSERT");
        Expect("INTO");
        var table = Name();
        if (Accept("AS")) Identifier();
        var columns = new List<string>();
        if (Peek.Kind == SqlTokenKind.LeftParen && !PeekAt(1).IsAny("SELECT", "WITH", "VALUES")) columns = IdentifierList();
        Query? source = null;
        var defaults = false;
        if (AcceptAll("DEFAULT", "VALUES")) defaults = true;
        else source = ParseQueryExpression();
        return new InsertStatement(table, columns, source, defaults, Returning());
    }

    private List<SelectItem> Returning() => Accept("RETURNING") ? SelectList() : [];

    private UpdateStatement ParseUpdate()
    {
        Expect("UPDATE");
        var table = Name();
        var alias = OptionalAlias(allowColumns: false);
        Expect("SET");
        var set = Assignments();
        var from = Accept("FROM") ? FromList() : [];
        var where = Accept("WHERE") ? ParseExpression() : null;
        return new UpdateStatement(table, alias, set, from, where, Returning());
    }

    private List<Assignment> Assignments()
    {
        var set = new List<Assignment>();
        do
        {
            if (Peek.Kind == SqlTokenKind.LeftParen)
            {
                var columns = IdentifierList();
                if (!AcceptOperator("=")) throw Error();
                set.Add(new Assignment(columns, ParseExpression()));
                continue;
            }
            var name = Name();
            if (Peek.Kind == SqlTokenKind.Operator && Peek.Text == "[") throw Error();
            if (!AcceptOperator("=")) throw Error();
            set.Add(new Assignment([name.Name], ParseExpression()));
        } while (Accept(SqlTokenKind.Comma));
        return set;
    }

    private DeleteStatement ParseDelete()
    {
        Expect("DELETE");
        Accept("FROM");
        var table = Name();
        var alias = OptionalAlias(allowColumns: false);
        var usingItems = Accept("USING") ? FromList() : [];
        var where = Accept("WHERE") ? ParseExpression() : null;
        return new DeleteStatement(table, alias, usingItems, where, Returning());
    }

    private MergeStatement ParseMerge()
    {
        Expect("MERGE");
        Expect("INTO");
        var table = Name();
        var alias = OptionalAlias(allowColumns: false);
        Expect("USING");
        var source = FromItemPrimary();
        Expect("ON");
        var on = ParseExpression();
        var clauses = new List<MergeClause>();
        while (Accept("WHEN"))
        {
            var matched = !Accept("NOT");
            Expect("MATCHED");
            var condition = Accept("AND") ? ParseExpression() : null;
            Expect("THEN");
            if (Accept("UPDATE"))
            {
                Expect("SET");
                clauses.Add(new MergeClause(matched, condition, "UPDATE", Assignments(), [], []));
            }
            else if (Accept("DELETE")) clauses.Add(new MergeClause(matched, condition, "DELETE", [], [], []));
            else
            {
                Expect("INSERT");
                var columns = Peek.Kind == SqlTokenKind.LeftParen ? IdentifierList() : [];
                Expect("VALUES");
                Expect(SqlTokenKind.LeftParen);
                var values = ExpressionList();
                Expect(SqlTokenKind.RightParen);
                clauses.Add(new MergeClause(matched, condition, "INSERT", [], columns, values));
            }
        }
        if (clauses.Count == 0) throw Error();
        return new MergeStatement(table, alias, source, on, clauses);
    }

    private Statement ParseCreate()
    {
        Expect("CREATE");
        var orReplace = AcceptAll("OR", "REPLACE");
        var temporary = false;
        if (Accept("LOCAL") || Accept("GLOBAL")) { if (!Peek.IsAny("TEMP", "TEMPORARY")) throw Error(); }
        if (Accept("TEMP") || Accept("TEMPORARY")) temporary = true;
        // Redshift has no CREATE OR REPLACE (nor temporary) materialized view.
        if ((orReplace || temporary) && Peek.Is("MATERIALIZED")) throw Error();
        var materialized = Accept("MATERIALIZED");
        if (Peek.Is("TABLE") && !orReplace && !materialized) return ParseCreateTable(temporary);
        if (Accept("VIEW"))
        {
            var view = Name();
            var columns = !materialized && Peek.Kind == SqlTokenKind.LeftParen ? IdentifierList() : [];
            var attributes = materialized ? TableAttributes() : [];
            Expect("AS");
            var queryAt = _i;
            var query = ParseQueryExpression();
            var querySpan = Span(queryAt);
            var noBinding = !materialized && AcceptAll("WITH", "NO", "SCHEMA", "BINDING");
            return new CreateViewStatement(view, orReplace, materialized, temporary, columns, query, noBinding) { QuerySpan = querySpan, Attributes = attributes };
        }
        if (Accept("SCHEMA") && !orReplace && !temporary && !materialized)
        {
            var ifNotExists = AcceptAll("IF", "NOT", "EXISTS");
            string? schema = null, authorization = null;
            if (!Peek.Is("AUTHORIZATION")) schema = Identifier();
            if (Accept("AUTHORIZATION")) authorization = Identifier();
            if (schema is null && authorization is null) throw Error();
            if (Accept("QUOTA")) { if (!Accept("UNLIMITED")) { NumberLiteral(); Accept("MB"); Accept("GB"); Accept("TB"); } }
            return new CreateSchemaStatement(schema ?? authorization!, ifNotExists, authorization);
        }
        throw Error();
    }

    private CreateTableStatement ParseCreateTable(bool temporary)
    {
        Expect("TABLE");
        var ifNotExists = AcceptAll("IF", "NOT", "EXISTS");
        var table = Name();
        var columns = new List<ColumnDefinition>();
        var checks = new List<Expr>();
        var references = new List<QualifiedName>();
        var elements = new List<TableElement>();
        QualifiedName? like = null;
        TextSpan likeName = default, elementList = default;
        var columnNamesOnly = false;
        if (Peek.Kind == SqlTokenKind.LeftParen)
        {
            var open = _i++;
            // CREATE TABLE t (a, b) AS query names the query's columns.
            columnNamesOnly = IsName(Peek) && PeekAt(1).Kind is SqlTokenKind.Comma or SqlTokenKind.RightParen;
            do
            {
                var first = _i;
                if (columnNamesOnly)
                {
                    var named = Identifier();
                    elements.Add(new TableElement(Span(first), new ColumnDefinition(named, new TypeName("", [], false), []) { Span = Span(first) }, false));
                    continue;
                }
                if (Accept("LIKE"))
                {
                    var nameAt = _i;
                    like = Name();
                    likeName = Span(nameAt);
                    while (Peek.IsAny("INCLUDING", "EXCLUDING")) { _i++; Expect("DEFAULTS"); }
                    elements.Add(new TableElement(Span(first), null, false));
                    continue;
                }
                if (Peek.IsAny("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"))
                {
                    var check = Peek.Is("CHECK");
                    TableConstraint(checks, references);
                    elements.Add(new TableElement(Span(first), null, check));
                    continue;
                }
                var name = Identifier();
                var typeAt = _i;
                var type = ParseTypeName();
                var declared = TypeText(typeAt, _i);
                var expressions = new List<Expr>();
                var clauses = new List<ColumnClause>();
                ColumnConstraints(expressions, references, clauses);
                var column = new ColumnDefinition(name, type, expressions) { Span = Span(first), DeclaredType = declared, Clauses = clauses };
                columns.Add(column);
                elements.Add(new TableElement(column.Span, column, false));
            } while (Accept(SqlTokenKind.Comma));
            Expect(SqlTokenKind.RightParen);
            elementList = Span(open);
        }
        var attributes = TableAttributes();
        Query? asQuery = null;
        if (Accept("AS")) asQuery = ParseQueryExpression();
        if (asQuery is null && (columnNamesOnly || columns.Count == 0 && like is null)) throw Error();
        return new CreateTableStatement(table, temporary, ifNotExists, columns, checks, references, like, asQuery)
            { ElementList = elementList, Elements = elements, LikeName = likeName, Attributes = attributes };
    }

    /// <summary>The text from the token at <paramref name="first"/> to the last one read.</summary>
    private TextSpan Span(int first) => new(_t[first].Offset, EndOf(_i - 1));

    /// <summary>A type's tokens from <paramref name="from"/> to just before <paramref name="to"/> as one text, words one space apart.</summary>
    private string TypeText(int from, int to)
    {
        var text = new System.Text.StringBuilder();
        for (var k = from; k < to; k++)
        {
            if (k > from && _t[k].Kind == SqlTokenKind.Word && _t[k - 1].Kind == SqlTokenKind.Word) text.Append(' ');
            text.Append(_t[k].Text);
        }
        return text.ToString();
    }

    private void TableConstraint(List<Expr> checks, List<QualifiedName> references)
    {
        if (Accept("CONSTRAINT")) Identifier();
        if (Accept("CHECK"))
        {
            Expect(SqlTokenKind.LeftParen);
            checks.Add(ParseExpression());
            Expect(SqlTokenKind.RightParen);
        }
        else if (AcceptAll("PRIMARY", "KEY") || Accept("UNIQUE")) IdentifierList();
        else
        {
            Expect("FOREIGN");
            Expect("KEY");
            IdentifierList();
            Expect("REFERENCES");
            references.Add(Name());
            if (Peek.Kind == SqlTokenKind.LeftParen) IdentifierList();
        }
    }

    /// <summary>
    /// A column's constraints and attributes, up to the next comma or the closing parenthesis; the Redshift clauses
    /// among them (<see cref="ColumnClause"/>) go to <paramref name="clauses"/> when given.
    /// </summary>
    private void ColumnConstraints(List<Expr> expressions, List<QualifiedName> references, List<ColumnClause>? clauses = null)
    {
        while (!AtEnd && Peek.Kind is not (SqlTokenKind.Comma or SqlTokenKind.RightParen))
        {
            var first = _i;
            if (Accept("CONSTRAINT")) { Identifier(); continue; }
            if (Accept("DEFAULT")) { expressions.Add(ParseExpression(Precedence.Other)); continue; }
            if (Accept("CHECK"))
            {
                Expect(SqlTokenKind.LeftParen);
                expressions.Add(ParseExpression());
                Expect(SqlTokenKind.RightParen);
                continue;
            }
            var byDefault = PeekAt(1).Is("BY");
            if (Accept("IDENTITY") || AcceptAll("GENERATED", "BY", "DEFAULT", "AS", "IDENTITY") || AcceptAll("GENERATED", "ALWAYS", "AS", "IDENTITY"))
            {
                long seed = 1, step = 1;
                if (Peek.Kind == SqlTokenKind.LeftParen)
                {
                    var open = _i++;
                    var arguments = ExpressionList();
                    var close = _i;
                    Expect(SqlTokenKind.RightParen);
                    expressions.AddRange(arguments);
                    // The seed and the step as written (the text between the parenthesis and the commas).
                    var separators = new List<int> { open };
                    for (int k = open + 1, depth = 0; k < close; k++)
                    {
                        if (_t[k].Kind == SqlTokenKind.LeftParen) depth++;
                        else if (_t[k].Kind == SqlTokenKind.RightParen) depth--;
                        else if (depth == 0 && _t[k].Kind == SqlTokenKind.Comma) separators.Add(k);
                    }
                    separators.Add(close);
                    string Written(int a, int b) => _sql[EndOf(separators[a]).._t[separators[b]].Offset].Trim();
                    if (separators.Count > 1) long.TryParse(Written(0, 1), out seed);
                    if (separators.Count > 2) long.TryParse(Written(1, 2), out step);
                }
                clauses?.Add(new ColumnClause(ColumnClauseKind.Identity, Span(first)) { Seed = seed, Step = step, ByDefault = _t[first].Is("GENERATED") && byDefault });
                continue;
            }
            if (Accept("REFERENCES"))
            {
                references.Add(Name());
                if (Peek.Kind == SqlTokenKind.LeftParen) IdentifierList();
                clauses?.Add(new ColumnClause(ColumnClauseKind.References, Span(first)));
                continue;
            }
            if (Accept("ENCODE") || Accept("COLLATE"))
            {
                var value = Identifier();
                clauses?.Add(new ColumnClause(_t[first].Is("ENCODE") ? ColumnClauseKind.Encode : ColumnClauseKind.Collate, Span(first), value));
                continue;
            }
            if (AcceptAll("NOT", "NULL") || Accept("NULL")) continue;
            ColumnClauseKind? kind = AcceptAll("PRIMARY", "KEY") ? ColumnClauseKind.PrimaryKey : Accept("UNIQUE") ? ColumnClauseKind.Unique
                : Accept("DISTKEY") ? ColumnClauseKind.DistKey : Accept("SORTKEY") ? ColumnClauseKind.SortKey : null;
            if (kind is not { } found) throw Error();
            clauses?.Add(new ColumnClause(found, Span(first)));
        }
    }

    /// <summary>Redshift's table attributes after the column list: DISTSTYLE, DISTKEY, SORTKEY, ENCODE AUTO, BACKUP.</summary>
    private List<TableAttributeClause> TableAttributes()
    {
        var attributes = new List<TableAttributeClause>();
        while (true)
        {
            var first = _i;
            if (Accept("DISTSTYLE"))
            {
                var style = Identifier();
                attributes.Add(new TableAttributeClause(TableAttributeKind.DistStyle, Span(first), [style]));
                continue;
            }
            if (Accept("DISTKEY"))
            {
                var keys = IdentifierList();
                attributes.Add(new TableAttributeClause(TableAttributeKind.DistKey, Span(first), keys));
                continue;
            }
            if (Accept("COMPOUND") || Accept("INTERLEAVED"))
            {
                Expect("SORTKEY");
                var keys = IdentifierList();
                attributes.Add(new TableAttributeClause(TableAttributeKind.SortKey, Span(first), keys) { SortKind = _t[first].Text.ToUpperInvariant() });
                continue;
            }
            if (Accept("SORTKEY"))
            {
                IReadOnlyList<string> keys = Accept("AUTO") ? [] : IdentifierList();
                attributes.Add(new TableAttributeClause(TableAttributeKind.SortKey, Span(first), keys));
                continue;
            }
            if (Accept("ENCODE")) { Expect("AUTO"); attributes.Add(new TableAttributeClause(TableAttributeKind.Encode, Span(first), ["AUTO"])); continue; }
            if (Accept("BACKUP"))
            {
                if (!Accept("YES")) Expect("NO");
                attributes.Add(new TableAttributeClause(TableAttributeKind.Backup, Span(first), [_t[_i - 1].Text.ToUpperInvariant()]));
                continue;
            }
            if (AcceptAll("AUTO", "REFRESH"))
            {
                if (!Accept("YES")) Expect("NO");
                attributes.Add(new TableAttributeClause(TableAttributeKind.AutoRefresh, Span(first), [_t[_i - 1].Text.ToUpperInvariant()]));
                continue;
            }
            return attributes;
        }
    }

    private DropStatement ParseDrop()
    {
        Expect("DROP");
        string kind;
        if (Accept("TABLE")) kind = "TABLE";
        else if (Accept("VIEW")) kind = "VIEW";
        else if (AcceptAll("MATERIALIZED", "VIEW")) kind = "MATERIALIZED VIEW";
        else if (Accept("SCHEMA")) kind = "SCHEMA";
        else throw Error();
        var ifExists = AcceptAll("IF", "EXISTS");
        var names = new List<QualifiedName> { Name() };
        while (Accept(SqlTokenKind.Comma)) names.Add(Name());
        // DROP SCHEMA of an external schema may drop its data catalog database too.
        var dropDatabase = kind == "SCHEMA" && AcceptAll("DROP", "EXTERNAL", "DATABASE");
        var cascade = Accept("CASCADE");
        if (!cascade) Accept("RESTRICT");
        return new DropStatement(kind, names, ifExists, cascade) { DropExternalDatabase = dropDatabase };
    }

    private Statement ParseAlter()
    {
        Expect("ALTER");
        if (Accept("SCHEMA"))
        {
            var schema = Identifier();
            if (AcceptAll("RENAME", "TO")) return new AlterSchemaStatement(schema, "RENAME", Identifier());
            if (AcceptAll("OWNER", "TO")) return new AlterSchemaStatement(schema, "OWNER", Identifier());
            if (Accept("QUOTA")) { if (!Accept("UNLIMITED")) { NumberLiteral(); Accept("MB"); Accept("GB"); Accept("TB"); } return new AlterSchemaStatement(schema, "QUOTA", null); }
            throw Error();
        }
        if (AcceptAll("MATERIALIZED", "VIEW"))
        {
            var view = Name();
            if (AcceptAll("AUTO", "REFRESH"))
            {
                var yes = Accept("YES");
                if (!yes) Expect("NO");
                return new AlterMaterializedViewStatement(view, yes);
            }
            Expect("ALTER");
            if (Accept("DISTSTYLE")) { var style = Identifier(); if (style.Equals("KEY", StringComparison.OrdinalIgnoreCase)) { Expect("DISTKEY"); Identifier(); } }
            else if (Accept("DISTKEY")) Identifier();
            else if (Accept("COMPOUND")) { Expect("SORTKEY"); IdentifierList(); }
            else if (Accept("SORTKEY")) { if (!Accept("AUTO") && !Accept("NONE")) IdentifierList(); }
            else throw Error();
            return new AlterMaterializedViewStatement(view, null);
        }
        Expect("TABLE");
        var table = Name();
        if (ExternalTableClause(table) is { } external) return external;
        var expressions = new List<Expr>();
        var references = new List<QualifiedName>();
        if (AcceptAll("RENAME", "TO")) return new AlterTableStatement(table, "RENAME", Identifier(), [], []);
        if (Accept("RENAME"))
        {
            Accept("COLUMN");
            var renamed = Identifier();
            Expect("TO");
            return new AlterTableStatement(table, "RENAME COLUMN", Identifier(), [], []) { Column = renamed };
        }
        if (AcceptAll("OWNER", "TO")) return new AlterTableStatement(table, "OWNER", Identifier(), [], []);
        if (Accept("ADD"))
        {
            if (Peek.IsAny("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"))
            {
                TableConstraint(expressions, references);
                return new AlterTableStatement(table, "ADD CONSTRAINT", null, expressions, references);
            }
            Accept("COLUMN");
            var column = Identifier();
            var typeAt = _i;
            ParseTypeName();
            var declared = TypeText(typeAt, _i);
            var clauses = new List<ColumnClause>();
            ColumnConstraints(expressions, references, clauses);
            return new AlterTableStatement(table, "ADD COLUMN", column, expressions, references) { DeclaredType = declared, Clauses = clauses };
        }
        if (Accept("DROP"))
        {
            if (Accept("CONSTRAINT")) { Identifier(); if (!Accept("CASCADE")) Accept("RESTRICT"); return new AlterTableStatement(table, "DROP CONSTRAINT", null, [], []); }
            Accept("COLUMN");
            var column = Identifier();
            if (!Accept("CASCADE")) Accept("RESTRICT");
            return new AlterTableStatement(table, "DROP COLUMN", column, [], []);
        }
        if (Accept("ALTER"))
        {
            if (Accept("DISTSTYLE")) { Identifier(); return new AlterTableStatement(table, "ALTER DISTSTYLE", null, [], []); }
            if (Accept("DISTKEY")) { Identifier(); return new AlterTableStatement(table, "ALTER DISTKEY", null, [], []); }
            if (Accept("COMPOUND") || Accept("INTERLEAVED")) { Expect("SORTKEY"); IdentifierList(); return new AlterTableStatement(table, "ALTER SORTKEY", null, [], []); }
            if (Accept("SORTKEY")) { if (!Accept("AUTO") && !Accept("NONE")) IdentifierList(); return new AlterTableStatement(table, "ALTER SORTKEY", null, [], []); }
            if (Accept("ENCODE")) { Expect("AUTO"); return new AlterTableStatement(table, "ALTER ENCODE", null, [], []); }
            Accept("COLUMN");
            var column = Identifier();
            if (Accept("TYPE"))
            {
                var typeAt = _i;
                ParseTypeName();
                return new AlterTableStatement(table, "ALTER COLUMN TYPE", column, [], []) { DeclaredType = TypeText(typeAt, _i) };
            }
            if (Accept("ENCODE")) { Identifier(); return new AlterTableStatement(table, "ALTER COLUMN ENCODE", column, [], []); }
            throw Error();
        }
        if (Accept("APPEND"))
        {
            Expect("FROM");
            references.Add(Name());
            while (Peek.IsAny("IGNOREEXTRA", "FILLTARGET")) _i++;
            return new AlterTableStatement(table, "APPEND", null, [], references);
        }
        throw Error();
    }

    /// <summary>
    /// The clauses of ALTER TABLE that only an external table takes (Redshift's ALTER TABLE, external-table clauses):
    /// <c>ADD [IF NOT EXISTS] PARTITION (…) LOCATION '…' [[,] PARTITION …]</c>, <c>DROP PARTITION (…)</c>,
    /// <c>PARTITION (…) SET LOCATION '…'</c>, <c>SET LOCATION '…'</c>, <c>SET FILE FORMAT format</c> and
    /// <c>SET TABLE PROPERTIES ('name' = 'value' [, …])</c>; null (nothing read) for any other clause.
    /// </summary>
    private AlterExternalTableStatement? ExternalTableClause(QualifiedName table)
    {
        if (Peek.Is("ADD") && (PeekAt(1).Is("PARTITION") || PeekAt(1).Is("IF")))
        {
            _i++;
            var ifNotExists = false;
            if (Accept("IF")) { Expect("NOT"); Expect("EXISTS"); ifNotExists = true; }
            var partitions = new List<ExternalPartition>();
            do
            {
                Expect("PARTITION");
                var spec = PartitionSpec();
                Expect("LOCATION");
                partitions.Add(new ExternalPartition(spec, StringValue()));
                Accept(SqlTokenKind.Comma);
            } while (Peek.Is("PARTITION"));
            return new AlterExternalTableStatement(table, ExternalTableAction.AddPartitions, partitions) { IfNotExists = ifNotExists };
        }
        if (Peek.Is("DROP") && PeekAt(1).Is("PARTITION"))
        {
            _i++;
            var partitions = new List<ExternalPartition>();
            do
            {
                Expect("PARTITION");
                partitions.Add(new ExternalPartition(PartitionSpec(), null));
                Accept(SqlTokenKind.Comma);
            } while (Peek.Is("PARTITION"));
            return new AlterExternalTableStatement(table, ExternalTableAction.DropPartitions, partitions);
        }
        if (Peek.Is("PARTITION"))
        {
            _i++;
            var spec = PartitionSpec();
            Expect("SET");
            Expect("LOCATION");
            var location = StringValue();
            return new AlterExternalTableStatement(table, ExternalTableAction.SetPartitionLocation, [new ExternalPartition(spec, location)]);
        }
        if (!Peek.Is("SET")) return null;
        _i++;
        if (Accept("LOCATION"))
        {
            var location = StringValue();
            return new AlterExternalTableStatement(table, ExternalTableAction.SetLocation, []) { Location = location };
        }
        if (Accept("FILE"))
        {
            Expect("FORMAT");
            var format = Identifier();
            return new AlterExternalTableStatement(table, ExternalTableAction.SetFileFormat, []) { FileFormat = format };
        }
        Expect("TABLE");
        Expect("PROPERTIES");
        Expect(SqlTokenKind.LeftParen);
        var properties = new List<(string Name, string Value)>();
        do
        {
            var name = StringValue();
            if (!AcceptOperator("=")) throw Error();
            properties.Add((name, StringValue()));
        } while (Accept(SqlTokenKind.Comma));
        Expect(SqlTokenKind.RightParen);
        return new AlterExternalTableStatement(table, ExternalTableAction.SetTableProperties, []) { Properties = properties };
    }

    /// <summary><c>(column = value [, …])</c> of a partition; a value is a string or a number.</summary>
    private List<(string Column, string Value)> PartitionSpec()
    {
        Expect(SqlTokenKind.LeftParen);
        var spec = new List<(string, string)>();
        do
        {
            var column = Identifier();
            if (!AcceptOperator("=")) throw Error();
            if (Peek.Kind == SqlTokenKind.Number) spec.Add((column, Next().Text));
            else spec.Add((column, StringValue()));
        } while (Accept(SqlTokenKind.Comma));
        Expect(SqlTokenKind.RightParen);
        return spec;
    }

    /// <summary>A string literal's value.</summary>
    private string StringValue() => Peek.Kind == SqlTokenKind.String ? Next().StringValue : throw Error();

    private CommentStatement ParseComment()
    {
        Expect("COMMENT");
        Expect("ON");
        string kind;
        if (Accept("TABLE")) kind = "TABLE";
        else if (Accept("VIEW")) kind = "VIEW";
        else if (Accept("COLUMN")) kind = "COLUMN";
        else if (Accept("SCHEMA")) kind = "SCHEMA";
        else if (Accept("DATABASE")) kind = "DATABASE";
        else throw Error();
        var name = Name();
        Expect("IS");
        string? text = null;
        if (!Accept("NULL"))
        {
            if (Peek.Kind != SqlTokenKind.String) throw Error();
            text = Next().StringValue;
        }
        return new CommentStatement(kind, name, text);
    }

    // ---- queries -----------------------------------------------------------------------------------------------

    private Query ParseQueryExpression()
    {
        Enter();
        var outerTop = _top;
        _top = -1;
        try
        {
            var with = new List<CommonTableExpression>();
            var recursive = false;
            if (Accept("WITH"))
            {
                recursive = Accept("RECURSIVE");
                do
                {
                    var name = Identifier(allowReserved: false);
                    var columns = Peek.Kind == SqlTokenKind.LeftParen ? IdentifierList() : [];
                    Expect("AS");
                    Expect(SqlTokenKind.LeftParen);
                    var query = ParseQueryExpression();
                    Expect(SqlTokenKind.RightParen);
                    with.Add(new CommonTableExpression(name, columns, query));
                } while (Accept(SqlTokenKind.Comma));
            }
            var body = SetExpression(0);
            IReadOnlyList<OrderItem> order = [];
            if (Accept("ORDER")) { Expect("BY"); order = OrderList(); }
            Expr? limit = null, offset = null;
            for (var round = 0; round < 2; round++)
            {
                if (Accept("LIMIT")) limit = Accept("ALL") ? null : ParseExpression();
                else if (Accept("OFFSET"))
                {
                    offset = ParseExpression();
                    if (!Accept("ROWS")) Accept("ROW");
                }
                else if (Accept("FETCH"))
                {
                    if (!Accept("FIRST")) Expect("NEXT");
                    limit = Peek.IsAny("ROW", "ROWS") ? new LiteralExpr(LiteralKind.Integer, "1") : ParseExpression();
                    if (!Accept("ROWS")) Expect("ROW");
                    Expect("ONLY");
                }
            }
            if (_top >= 0)
            {
                // Redshift's TOP n is the query's LIMIT n, written after the query's last clause.
                var end = EndOf(_i - 1);
                Site(new RewriteSite(RewriteKind.Top, "TOP", _t[_top].Offset, EndOf(_top + 1))
                    { Arguments = [new TextSpan(_t[_top + 1].Offset, EndOf(_top + 1))], Type = new TextSpan(end, end) });
            }
            return new Query(with, recursive, body, order, limit, offset);
        }
        finally
        {
            _top = outerTop;
            Leave();
        }
    }

    /// <summary>Set operations: INTERSECT binds tighter than UNION, EXCEPT and MINUS, all to the left.</summary>
    private QueryBody SetExpression(int level)
    {
        var left = level == 0 ? SetExpression(1) : QueryPrimary();
        while (true)
        {
            string op;
            if (level == 0 && Peek.IsAny("UNION", "EXCEPT", "MINUS")) op = Upper(Next().Text);
            else if (level == 1 && Peek.Is("INTERSECT")) op = Upper(Next().Text);
            else return left;
            var all = Accept("ALL");
            if (!all) Accept("DISTINCT");
            // The statement's n-th set-operation term costs (2n - 1) units: n terms cost n².
            Charge(PlanningBudget.PerSetTermSquared * (2 * ++_setTerms - 1));
            var right = level == 0 ? SetExpression(1) : QueryPrimary();
            left = new SetOperation(op == "MINUS" ? "EXCEPT" : op, all, left, right);
        }
    }

    private QueryBody QueryPrimary()
    {
        if (Accept(SqlTokenKind.LeftParen))
        {
            var nested = ParseQueryExpression();
            Expect(SqlTokenKind.RightParen);
            return new NestedQuery(nested);
        }
        if (Accept("VALUES"))
        {
            var rows = new List<IReadOnlyList<Expr>>();
            do
            {
                Expect(SqlTokenKind.LeftParen);
                rows.Add(ExpressionList());
                Expect(SqlTokenKind.RightParen);
            } while (Accept(SqlTokenKind.Comma));
            return new ValuesBody(rows);
        }
        if (Peek.Is("TABLE"))
        {
            _i++;
            return SimpleSelect(new TableFrom(Name(), null));
        }
        Expect("SELECT");
        Expr? top = null;
        if (Peek.Is("TOP"))
        {
            var at = _i++;
            top = Primary();
            if (_top < 0 && _i == at + 2 && _t[at + 1].Kind == SqlTokenKind.Number) _top = at;
        }
        var distinct = false;
        IReadOnlyList<Expr> distinctOn = [];
        if (Accept("DISTINCT"))
        {
            distinct = true;
            if (Accept("ON"))
            {
                Expect(SqlTokenKind.LeftParen);
                distinctOn = ExpressionList();
                Expect(SqlTokenKind.RightParen);
            }
        }
        else Accept("ALL");
        var items = Peek.IsAny("FROM", "INTO") || AtEnd || Peek.Kind is SqlTokenKind.RightParen or SqlTokenKind.Semicolon ? [] : SelectList();
        QualifiedName? into = null;
        var intoAt = _i;
        var intoTemporary = false;
        if (Accept("INTO"))
        {
            if (!Accept("TEMP") && !Accept("TEMPORARY")) Accept("TABLE");
            else { intoTemporary = true; Accept("TABLE"); }
            into = Name();
        }
        var intoEnd = _i;
        var from = Accept("FROM") ? FromList() : [];
        var where = Accept("WHERE") ? ParseExpression() : null;
        var groupBy = new List<GroupingItem>();
        if (Accept("GROUP"))
        {
            Expect("BY");
            do groupBy.Add(GroupingElement());
            while (Accept(SqlTokenKind.Comma));
        }
        var having = Accept("HAVING") ? ParseExpression() : null;
        var qualify = Accept("QUALIFY") ? ParseExpression() : null;
        var windows = new List<(string, WindowSpec)>();
        if (Accept("WINDOW"))
        {
            do
            {
                var name = Identifier();
                Expect("AS");
                windows.Add((name, WindowDefinition()));
            } while (Accept(SqlTokenKind.Comma));
        }
        if (qualify is null && Accept("QUALIFY")) qualify = ParseExpression();
        var core = new SelectCore(distinct, distinctOn, top, items, into, from, where, groupBy, having, qualify, windows);
        return into is null ? core : core with
        {
            IntoClause = new TextSpan(_t[intoAt].Offset, EndOf(intoEnd - 1)),
            IntoName = new TextSpan(into.Position, EndOf(intoEnd - 1)),
            IntoTemporary = intoTemporary,
        };
    }

    private GroupingItem GroupingElement()
    {
        if (Peek.IsAny("ROLLUP", "CUBE") && PeekAt(1).Kind == SqlTokenKind.LeftParen)
        {
            var kind = Next().Text.ToUpperInvariant();
            Expect(SqlTokenKind.LeftParen);
            var list = ExpressionList();
            Expect(SqlTokenKind.RightParen);
            return new GroupingItem(kind, list);
        }
        if (AcceptAll("GROUPING", "SETS"))
        {
            Expect(SqlTokenKind.LeftParen);
            var all = new List<Expr>();
            do
            {
                if (Accept(SqlTokenKind.LeftParen))
                {
                    if (!Accept(SqlTokenKind.RightParen))
                    {
                        all.AddRange(ExpressionList());
                        Expect(SqlTokenKind.RightParen);
                    }
                }
                else all.Add(ParseExpression());
            } while (Accept(SqlTokenKind.Comma));
            Expect(SqlTokenKind.RightParen);
            return new GroupingItem("GROUPING SETS", all);
        }
        if (Peek.Kind == SqlTokenKind.LeftParen && PeekAt(1).Kind == SqlTokenKind.RightParen)
        {
            _i += 2;
            return new GroupingItem("EMPTY", []);
        }
        return new GroupingItem("EXPR", [ParseExpression()]);
    }

    private List<SelectItem> SelectList()
    {
        var items = new List<SelectItem>();
        do
        {
            Charge(PlanningBudget.PerSelectItem);
            var expr = ParseExpression();
            var end = EndOf(_i - 1);
            string? alias = null;
            if (Accept("AS")) alias = Identifier();
            else if (IsName(Peek)) alias = Identifier();
            items.Add(new SelectItem(expr, alias) { End = end });
        } while (Accept(SqlTokenKind.Comma));
        return items;
    }

    private List<OrderItem> OrderList()
    {
        var items = new List<OrderItem>();
        do
        {
            var expr = ParseExpression();
            var descending = false;
            if (Accept("DESC")) descending = true;
            else Accept("ASC");
            string? nulls = null;
            if (Accept("NULLS"))
            {
                if (Accept("FIRST")) nulls = "FIRST";
                else { Expect("LAST"); nulls = "LAST"; }
            }
            items.Add(new OrderItem(expr, descending, nulls));
        } while (Accept(SqlTokenKind.Comma));
        return items;
    }

    private List<FromItem> FromList()
    {
        var items = new List<FromItem>();
        do items.Add(FromItemWithJoins());
        while (Accept(SqlTokenKind.Comma));
        return items;
    }

    private FromItem FromItemWithJoins()
    {
        var left = FromItemPrimary();
        while (true)
        {
            var natural = Accept("NATURAL");
            string kind;
            if (Accept("CROSS")) { Expect("JOIN"); kind = "CROSS"; }
            else if (Accept("JOIN")) kind = "INNER";
            else if (Accept("INNER")) { Expect("JOIN"); kind = "INNER"; }
            else if (Peek.IsAny("LEFT", "RIGHT", "FULL"))
            {
                kind = Upper(Next().Text);
                Accept("OUTER");
                Expect("JOIN");
            }
            else
            {
                if (natural) throw Error();
                return left;
            }
            var right = FromItemPrimary();
            Expr? on = null;
            IReadOnlyList<string> usingColumns = [];
            if (kind != "CROSS" && !natural)
            {
                if (Accept("ON")) on = ParseExpression();
                else if (Accept("USING")) usingColumns = IdentifierList();
                else throw Error();
            }
            left = new JoinFrom(kind, left, right, on, usingColumns, natural);
        }
    }

    private FromItem FromItemPrimary()
    {
        Enter();
        try
        {
            var lateral = Accept("LATERAL");
            if (Peek.Kind == SqlTokenKind.LeftParen)
            {
                if (IsQueryStart(1) && TryParse(() =>
                    {
                        _i++;
                        var query = ParseQueryExpression();
                        Expect(SqlTokenKind.RightParen);
                        return query;
                    }) is { } subquery)
                    return new SubqueryFrom(subquery, OptionalAlias(allowColumns: true), lateral);
                if (lateral) throw Error();
                _i++;
                var joined = FromItemWithJoins();
                Expect(SqlTokenKind.RightParen);
                var alias = OptionalAlias(allowColumns: true);
                return alias is null ? joined : new SubqueryFrom(new Query([], false, SimpleSelect(joined), [], null, null), alias, false);
            }
            if (Peek.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) || Peek.Kind == SqlTokenKind.Word && IsReserved(Peek.Text)) throw Error();
            var name = Name();
            if (Peek.Kind == SqlTokenKind.LeftParen)
            {
                var function = FunctionCall(name);
                if (AcceptAll("WITH", "ORDINALITY")) { }
                return new FunctionFrom(function, OptionalAlias(allowColumns: true), lateral);
            }
            if (lateral) throw Error();
            return new TableFrom(name, OptionalAlias(allowColumns: true));
        }
        finally { Leave(); }
    }

    /// <summary>
    /// Reads ahead as <paramref name="parse"/> would; when that fails, nothing was read. For the one ambiguity of
    /// the grammar: a parenthesis followed by SELECT opens a subquery or, as in <c>((SELECT 1) + 1)</c>, an expression.
    /// </summary>
    private T? TryParse<T>(Func<T> parse) where T : class
    {
        var start = _i;
        var depth = _depth;
        var (cost, setTerms) = (_cost, _setTerms);
        var divisions = _divisions?.Count ?? 0;
        var rewrites = _rewrites?.Count ?? 0;
        try { return parse(); }
        catch (PgException e) when (e.SqlState == SqlState.SyntaxError)
        {
            _i = start;
            _depth = depth;
            (_cost, _setTerms) = (cost, setTerms);
            _divisions?.RemoveRange(divisions, _divisions.Count - divisions);
            _rewrites?.RemoveRange(rewrites, _rewrites.Count - rewrites);
            return null;
        }
    }

    private bool IsQueryStart(int ahead)
    {
        var k = ahead;
        while (PeekAt(k).Kind == SqlTokenKind.LeftParen) k++;
        return PeekAt(k).IsAny("SELECT", "WITH", "VALUES", "TABLE");
    }

    private TableAlias? OptionalAlias(bool allowColumns)
    {
        string name;
        var named = Accept("AS");
        var position = Position;
        if (named) name = Identifier();
        else if (IsName(Peek)) name = Identifier();
        else return null;
        if (!allowColumns || Peek.Kind != SqlTokenKind.LeftParen || AtEnd) return new TableAlias(name, []) { Position = position };
        var columns = new List<string>();
        if (Accept(SqlTokenKind.LeftParen))
        {
            // PostgreSQL's column definition list for a function returning records: alias(name type, ...).
            do
            {
                columns.Add(Identifier());
                if (Peek.Kind is not (SqlTokenKind.Comma or SqlTokenKind.RightParen)) ParseTypeName();
            } while (Accept(SqlTokenKind.Comma));
            Expect(SqlTokenKind.RightParen);
        }
        return new TableAlias(name, columns) { Position = position };
    }

    private WindowSpec WindowDefinition()
    {
        Expect(SqlTokenKind.LeftParen);
        string? name = null;
        if (IsName(Peek) && !Peek.IsAny("PARTITION", "ROWS", "RANGE", "GROUPS")) name = Identifier();
        IReadOnlyList<Expr> partition = [];
        if (Accept("PARTITION")) { Expect("BY"); partition = ExpressionList(); }
        IReadOnlyList<OrderItem> order = [];
        if (Accept("ORDER")) { Expect("BY"); order = OrderList(); }
        Frame? frame = null;
        if (Peek.IsAny("ROWS", "RANGE", "GROUPS"))
        {
            var units = Next().Text.ToUpperInvariant();
            if (Accept("BETWEEN"))
            {
                var start = FrameBoundary();
                Expect("AND");
                frame = new Frame(units, start, FrameBoundary());
            }
            else frame = new Frame(units, FrameBoundary(), null);
        }
        Expect(SqlTokenKind.RightParen);
        return new WindowSpec(name, partition, order, frame);
    }

    private FrameBound FrameBoundary()
    {
        if (AcceptAll("UNBOUNDED", "PRECEDING")) return new FrameBound("UNBOUNDED PRECEDING", null);
        if (AcceptAll("UNBOUNDED", "FOLLOWING")) return new FrameBound("UNBOUNDED FOLLOWING", null);
        if (AcceptAll("CURRENT", "ROW")) return new FrameBound("CURRENT ROW", null);
        var offset = ParseExpression(Precedence.Additive);
        if (Accept("PRECEDING")) return new FrameBound("PRECEDING", offset);
        Expect("FOLLOWING");
        return new FrameBound("FOLLOWING", offset);
    }

    // ---- expressions -------------------------------------------------------------------------------------------

    private enum Precedence { Or, And, Not, Is, Comparison, Pattern, Other, Additive, Multiplicative, Exponent, Unary }

    private List<Expr> ExpressionList()
    {
        var list = new List<Expr>();
        do list.Add(ParseExpression());
        while (Accept(SqlTokenKind.Comma));
        return list;
    }

    private Expr ParseExpression(Precedence level = Precedence.Or)
    {
        Enter();
        try { return Binary(level); }
        finally { Leave(); }
    }

    /// <summary>
    /// Precedence climbing: an operand, then every infix operator that binds at least as tightly as
    /// <paramref name="min"/>, each taking as its right operand what binds more tightly than itself (left associative).
    /// One pass per operand, whatever the number of levels.
    /// </summary>
    private Expr Binary(Precedence min)
    {
        var start = _i;
        Expr left;
        if (min <= Precedence.Not && Peek.Is("NOT") && !PeekAt(1).IsAny("BETWEEN", "IN", "LIKE", "ILIKE", "SIMILAR"))
        {
            _i++;
            left = new UnaryExpr("NOT", ParseExpression(Precedence.Not));
        }
        else left = UnaryOperand();
        while (true)
        {
            var level = InfixLevel();
            if (level is null || level < min) return left;
            left = Infix(left, level.Value, start);
        }
    }

    /// <summary>The precedence of the operator at the cursor, or null when none follows.</summary>
    private Precedence? InfixLevel()
    {
        var t = Peek;
        if (t.Kind == SqlTokenKind.Operator)
            return t.Text switch
            {
                "=" or "<>" or "!=" or "<" or ">" or "<=" or ">=" => Precedence.Comparison,
                "+" or "-" => Precedence.Additive,
                "*" or "/" or "%" => Precedence.Multiplicative,
                "^" => Precedence.Exponent,
                _ => IsOtherOperator(t.Text) ? Precedence.Other : null,
            };
        // Every word below has at most 7 letters: a longer one (a column, an alias, a clause) is no infix operator.
        if (t.Kind != SqlTokenKind.Word || t.Text.Length > 7 || (Info(t.Text).Class & WordClass.Infix) == 0) return null;
        if (t.Is("OR")) return Precedence.Or;
        if (t.Is("AND")) return Precedence.And;
        if (t.IsAny("IS", "ISNULL", "NOTNULL")) return Precedence.Is;
        if (t.IsAny("BETWEEN", "IN", "LIKE", "ILIKE") || t.Is("SIMILAR") && PeekAt(1).Is("TO")) return Precedence.Pattern;
        if (t.Is("NOT") && (PeekAt(1).IsAny("BETWEEN", "IN", "LIKE", "ILIKE") || PeekAt(1).Is("SIMILAR") && PeekAt(2).Is("TO"))) return Precedence.Pattern;
        return null;
    }

    /// <param name="start">Where the left operand began (a token index), for the division guard.</param>
    private Expr Infix(Expr left, Precedence level, int start)
    {
        switch (level)
        {
            case Precedence.Or:
            case Precedence.And:
                return new BinaryExpr(Upper(Next().Text), left, Binary(level + 1));
            case Precedence.Is:
            {
                if (Accept("ISNULL")) return new IsExpr(left, "NULL", false, null);
                if (Accept("NOTNULL")) return new IsExpr(left, "NULL", true, null);
                Expect("IS");
                var not = Accept("NOT");
                if (AcceptAll("DISTINCT", "FROM")) return new IsExpr(left, "DISTINCT FROM", not, Binary(Precedence.Comparison));
                if (Peek.IsAny("NULL", "TRUE", "FALSE", "UNKNOWN")) return new IsExpr(left, Next().Text.ToUpperInvariant(), not, null);
                throw Error();
            }
            case Precedence.Pattern:
            {
                var not = Accept("NOT");
                if (Accept("BETWEEN"))
                {
                    var symmetric = Accept("SYMMETRIC");
                    if (!symmetric) Accept("ASYMMETRIC");
                    var low = Binary(Precedence.Other);
                    Expect("AND");
                    return new BetweenExpr(left, low, Binary(Precedence.Other), not, symmetric);
                }
                if (Accept("IN"))
                {
                    Expect(SqlTokenKind.LeftParen);
                    Expr result = IsQueryStart(0) ? new InQueryExpr(left, ParseQueryExpression(), not) : new InListExpr(left, ExpressionList(), not);
                    Expect(SqlTokenKind.RightParen);
                    return result;
                }
                var op = Upper(Next().Text);
                if (op == "SIMILAR") { Expect("TO"); op = "SIMILAR TO"; }
                var pattern = Binary(Precedence.Other);
                var escape = Accept("ESCAPE") ? Binary(Precedence.Other) : null;
                return new LikeExpr(left, op, pattern, escape, not);
            }
            default:
            {
                var at = _i;
                var op = Next().Text;
                if (level is Precedence.Comparison or Precedence.Other && Peek.IsAny("ANY", "SOME", "ALL") && PeekAt(1).Kind == SqlTokenKind.LeftParen)
                    return Quantified(left, op);
                var right = Binary(level + 1);
                if (op is "/" or "%") Division(op == "%", start, at);
                return new BinaryExpr(op, left, right);
            }
        }
    }

    /// <summary>
    /// Records the division or modulo whose operator is the token at <paramref name="op"/>, its left operand starting at
    /// token <paramref name="start"/> and its right operand just read; none when the divisor is a nonzero number (so
    /// <c>x % 3</c> in a filter stays as fast as it was).
    /// </summary>
    private void Division(bool modulo, int start, int op)
    {
        var end = _i - 1;
        if (_t[end].Kind == SqlTokenKind.Number && NonZero(_t[end].Text))
        {
            var signs = true;
            for (var k = op + 1; k < end && signs; k++) signs = _t[k].Kind == SqlTokenKind.Operator && _t[k].Text is "+" or "-";
            if (signs) return;
        }
        (_divisions ??= []).Add(new DivisionSite(modulo, _t[start].Offset, _t[op].Offset, _t[end].Offset + _t[end].Text.Length));
    }

    private static bool NonZero(string number)
    {
        foreach (var c in number)
        {
            if (c is 'e' or 'E') break;
            if (c is >= '1' and <= '9') return true;
        }
        return false;
    }

    /// <summary>Prefix operators bind tighter than any infix one (<c>-2 ^ 2</c> is 4), then the operand and its postfixes.</summary>
    private Expr UnaryOperand()
    {
        if (Peek.Kind == SqlTokenKind.Operator && (IsOperator("-") || IsOperator("+") || IsOperator("~") || IsOperator("|/") || IsOperator("||/") || IsOperator("@")))
        {
            var op = Next().Text;
            Enter();
            try { return new UnaryExpr(op, UnaryOperand()); }
            finally { Leave(); }
        }
        var first = _i;
        return Postfix(Primary(), first);
    }

    private static bool IsOtherOperator(string op) => op is not ("+" or "-" or "*" or "/" or "%" or "^" or "=" or "<>" or "!=" or "<" or ">" or "<=" or ">=" or "::" or "[" or "]");

    private QuantifiedExpr Quantified(Expr left, string op)
    {
        var quantifier = Next().Text.ToUpperInvariant();
        Expect(SqlTokenKind.LeftParen);
        QuantifiedExpr result;
        if (IsQueryStart(0)) result = new QuantifiedExpr(left, op, quantifier, ParseQueryExpression(), null);
        else result = new QuantifiedExpr(left, op, quantifier, null, ParseExpression());
        Expect(SqlTokenKind.RightParen);
        return result;
    }

    /// <param name="first">The index of the operand's first token.</param>
    private Expr Postfix(Expr expr, int first)
    {
        while (true)
        {
            // Most operands are followed by a comma, a parenthesis, a keyword or an infix operator: none of the postfixes.
            var next = Peek;
            if (next.Kind is not (SqlTokenKind.Operator or SqlTokenKind.Dot or SqlTokenKind.Word)
                || next.Kind == SqlTokenKind.Word && next.Text.Length is not (2 or 7))
                return expr;
            if (IsOperator("::"))
            {
                var literal = _i - 1;
                var colons = _i++;
                var type = ParseTypeName();
                if (_t[literal].Kind == SqlTokenKind.String)
                    Site(new RewriteSite(RewriteKind.Literal, type.Name.ToUpperInvariant(), _t[literal].Offset, EndOf(literal))
                        { Type = new TextSpan(_t[colons].Offset, EndOf(_i - 1)), TypeName = type, Alternate = true });
                if (TemporalOperand(first, literal) && TemporalType(colons + 1) is (var temporal, var typeEnd) && typeEnd == _i - 1)
                    Site(new RewriteSite(RewriteKind.Temporal, temporal, _t[first].Offset, EndOf(typeEnd))
                        { Arguments = [new TextSpan(_t[first].Offset, EndOf(literal))], Alternate = true });
                expr = new CastExpr(expr, type);
                continue;
            }
            if (AcceptOperator("["))
            {
                var index = ParseExpression();
                Expr? upper = null;
                if (AcceptOperator(":")) upper = ParseExpression();
                if (!AcceptOperator("]")) throw Error();
                expr = new SubscriptExpr(expr, index, upper);
                continue;
            }
            if (Peek.Kind == SqlTokenKind.Dot && PeekAt(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            {
                _i++;
                expr = new FieldExpr(expr, Identifier());
                continue;
            }
            if (Peek.Is("AT") && PeekAt(1).Is("TIME") && PeekAt(2).Is("ZONE"))
            {
                _i += 3;
                expr = new AtTimeZoneExpr(expr, UnaryOperand());
                continue;
            }
            if (Accept("COLLATE")) { Name(); continue; }
            return expr;
        }
    }

    /// <summary>
    /// Whether the operand of a <c>::</c> (its tokens from <paramref name="first"/> to <paramref name="last"/>) is one
    /// whose cast to a date or time type reads text by Redshift's recognition: a string literal alone, a (qualified)
    /// name, a value keyword, a call or a parenthesized expression, or an earlier cast of one of them. A typed literal
    /// (<c>DATE '…'</c>), CASE … END, a number, a parameter or a subscript is left to the engine's cast.
    /// </summary>
    private bool TemporalOperand(int first, int last) => _t[last].Kind switch
    {
        SqlTokenKind.String => first == last,
        SqlTokenKind.Word => !_t[last].IsAny("END", "ZONE"),
        SqlTokenKind.QuotedIdentifier or SqlTokenKind.RightParen => true,
        _ => false,
    };

    /// <summary>
    /// The date or time type written from the token at <paramref name="at"/> (an unquoted, unqualified DATE, TIMESTAMP,
    /// TIMESTAMPTZ or TIME, with or without time zone; no precision) as the engine names it, and its last token; null
    /// for any other type (TIME WITH TIME ZONE included).
    /// </summary>
    private (string Type, int End)? TemporalType(int at)
    {
        if (at >= _n || _t[at].Kind != SqlTokenKind.Word) return null;
        var word = _t[at];
        if (word.Is("DATE")) return ("DATE", at);
        if (word.Is("TIMESTAMPTZ")) return ("TIMESTAMPTZ", at);
        var time = word.Is("TIME");
        if (!time && !word.Is("TIMESTAMP")) return null;
        var next = at + 1 < _n ? _t[at + 1] : End;
        if (next.Kind == SqlTokenKind.LeftParen) return null;
        if (next.IsAny("WITH", "WITHOUT") && at + 3 < _n && _t[at + 2].Is("TIME") && _t[at + 3].Is("ZONE"))
        {
            var zone = next.Is("WITH");
            if (time) return zone ? null : ("TIME", at + 3);
            return (zone ? "TIMESTAMPTZ" : "TIMESTAMP", at + 3);
        }
        return (time ? "TIME" : "TIMESTAMP", at);
    }

    private static readonly HashSet<string> ValueKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "SYSDATE", "CURRENT_USER", "SESSION_USER",
        "USER", "CURRENT_ROLE", "CURRENT_CATALOG", "CURRENT_SCHEMA", "CURRENT_USER_ID",
    };

    private static readonly HashSet<string> TypedLiteralTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMETZ", "INTERVAL", "BOOLEAN", "BOOL", "INT", "INTEGER", "BIGINT", "SMALLINT",
        "NUMERIC", "DECIMAL", "REAL", "FLOAT", "FLOAT4", "FLOAT8", "VARCHAR", "CHAR", "TEXT", "INT2", "INT4", "INT8", "JSON", "BPCHAR",
    };

    private Expr Primary()
    {
        var t = Peek;
        if (AtEnd) throw Error();
        Charge(PlanningBudget.PerExpression);
        switch (t.Kind)
        {
            case SqlTokenKind.Number:
                _i++;
                return new LiteralExpr(IsInteger(t.Text) ? LiteralKind.Integer : LiteralKind.Decimal, t.Text);
            case SqlTokenKind.String:
                _i++;
                return new LiteralExpr(LiteralKind.String, t.StringValue);
            case SqlTokenKind.Parameter:
                _i++;
                return new ParameterExpr(int.Parse(t.Text.AsSpan(1), CultureInfo.InvariantCulture));
            case SqlTokenKind.Operator when t.Text == "*":
                _i++;
                return new StarExpr();
            case SqlTokenKind.LeftParen:
            {
                if (IsQueryStart(1) && TryParse(() =>
                    {
                        _i++;
                        var query = ParseQueryExpression();
                        Expect(SqlTokenKind.RightParen);
                        return new SubqueryExpr(query);
                    }) is { } subquery)
                    return subquery;
                _i++;
                var first = ParseExpression();
                if (Accept(SqlTokenKind.Comma))
                {
                    var items = new List<Expr> { first };
                    items.AddRange(ExpressionList());
                    Expect(SqlTokenKind.RightParen);
                    return new RowExpr(items);
                }
                Expect(SqlTokenKind.RightParen);
                return first;
            }
            case SqlTokenKind.QuotedIdentifier:
                return NameOrCall();
            case SqlTokenKind.Word:
                return WordPrimary(t);
            default:
                throw Error();
        }
    }

    private static bool IsInteger(string text)
    {
        foreach (var c in text) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>Every word <see cref="WordPrimary"/> tests for: any other word is a column or a call, read at once.</summary>
    private static readonly HashSet<string> PrimaryWords = new(
        [.. Reserved, .. ValueKeywords, .. TypedLiteralTypes, "TRUE", "FALSE", "NULL", "DEFAULT", "CASE", "CAST", "EXISTS", "ARRAY", "ROW", "INTERVAL",
         "TIMESTAMP", "TIME", "EXTRACT", "POSITION", "SUBSTRING", "SUBSTR", "TRIM", "OVERLAY", "CONVERT", "APPROXIMATE"],
        StringComparer.OrdinalIgnoreCase);

    private Expr WordPrimary(SqlToken t)
    {
        if ((Info(t.Text).Class & WordClass.Primary) == 0) return NameOrCall();
        var next = PeekAt(1);
        if (t.IsAny("TRUE", "FALSE")) { _i++; return new LiteralExpr(LiteralKind.Boolean, t.Text.ToLowerInvariant()); }
        if (t.Is("NULL")) { _i++; return new LiteralExpr(LiteralKind.Null, "null"); }
        if (t.Is("DEFAULT")) { _i++; return new KeywordExpr("DEFAULT"); }
        if (t.Is("CASE")) return Case();
        if (t.Is("CAST") && next.Kind == SqlTokenKind.LeftParen)
        {
            var cast = _i;
            _i += 2;
            var operand = ParseExpression();
            var asAt = _i;
            Expect("AS");
            var type = ParseTypeName();
            var close = _i;
            Expect(SqlTokenKind.RightParen);
            Site(new RewriteSite(RewriteKind.Cast, "CAST", _t[cast].Offset, EndOf(close))
                { Arguments = [Between(cast + 1, asAt)], Type = Between(asAt, close), TypeName = type });
            if (TemporalType(asAt + 1) is (var temporal, var typeEnd) && typeEnd == close - 1)
                Site(new RewriteSite(RewriteKind.Temporal, temporal, _t[cast].Offset, EndOf(close)) { Arguments = [Between(cast + 1, asAt)] });
            if (asAt == cast + 3 && _t[cast + 2].Kind == SqlTokenKind.String)
                Site(new RewriteSite(RewriteKind.Literal, type.Name.ToUpperInvariant(), _t[cast + 2].Offset, EndOf(cast + 2))
                    { Type = new TextSpan(_t[asAt].Offset, _t[close].Offset), TypeName = type });
            return new CastExpr(operand, type);
        }
        if (t.Is("EXISTS") && next.Kind == SqlTokenKind.LeftParen)
        {
            _i += 2;
            var query = ParseQueryExpression();
            Expect(SqlTokenKind.RightParen);
            return new ExistsExpr(query);
        }
        if (t.Is("ARRAY") && next.Kind == SqlTokenKind.Operator && next.Text == "[")
        {
            _i += 2;
            var items = IsOperatorAt(0, "]") ? [] : ExpressionList();
            if (!AcceptOperator("]")) throw Error();
            return new ArrayExpr(items);
        }
        if (t.Is("ARRAY") && next.Kind == SqlTokenKind.LeftParen && IsQueryStart(2))
        {
            _i += 2;
            var query = ParseQueryExpression();
            Expect(SqlTokenKind.RightParen);
            return new SubqueryExpr(query);
        }
        if (t.Is("ROW") && next.Kind == SqlTokenKind.LeftParen)
        {
            _i += 2;
            var items = Peek.Kind == SqlTokenKind.RightParen ? [] : ExpressionList();
            Expect(SqlTokenKind.RightParen);
            return new RowExpr(items);
        }
        if (t.Is("INTERVAL") && next.Kind == SqlTokenKind.String)
        {
            _i += 2;
            string? qualifier = null;
            if (Peek.IsAny("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"))
            {
                qualifier = Next().Text.ToUpperInvariant();
                if (Accept("TO")) qualifier += " TO " + Next().Text.ToUpperInvariant();
            }
            return new TypedLiteralExpr(new TypeName("interval", [], false), next.StringValue, qualifier);
        }
        if (TypedLiteralTypes.Contains(t.Text) && next.Kind == SqlTokenKind.String)
        {
            _i += 2;
            return new TypedLiteralExpr(new TypeName(t.Text.ToLowerInvariant(), [], false), next.StringValue, null);
        }
        if (t.IsAny("TIMESTAMP", "TIME") && next.IsAny("WITH", "WITHOUT") && PeekAt(2).Is("TIME") && PeekAt(3).Is("ZONE") && PeekAt(4).Kind == SqlTokenKind.String)
        {
            var type = ParseTypeName();
            return new TypedLiteralExpr(type, Next().StringValue, null);
        }
        if (next.Kind == SqlTokenKind.LeftParen)
        {
            if (t.Is("EXTRACT")) return Extract();
            if (t.Is("POSITION")) return Position2();
            if (t.IsAny("SUBSTRING", "SUBSTR")) return Substring();
            if (t.Is("TRIM")) return Trim();
            if (t.Is("OVERLAY")) return Overlay();
            if (t.Is("CONVERT")) return Convert();
        }
        if (t.Is("APPROXIMATE") && next.Kind == SqlTokenKind.Word && PeekAt(2).Kind == SqlTokenKind.LeftParen)
        {
            if (next.IsAny("COUNT", "PERCENTILE_DISC")) Site(new RewriteSite(RewriteKind.Approximate, "APPROXIMATE", _t[_i].Offset, EndOf(_i)));
            _i++;
            var call = (FunctionExpr)NameOrCall();
            return call;
        }
        if (ValueKeywords.Contains(t.Text) && next.Kind != SqlTokenKind.LeftParen && next.Kind != SqlTokenKind.Dot)
        {
            Site(new RewriteSite(RewriteKind.Keyword, t.Text.ToUpperInvariant(), _t[_i].Offset, EndOf(_i)));
            _i++;
            return new KeywordExpr(t.Text.ToUpperInvariant());
        }
        if (IsReserved(t.Text) && !(next.Kind == SqlTokenKind.LeftParen && t.IsAny("LEFT", "RIGHT", "REPLACE", "FILTER"))) throw Error();
        return NameOrCall();
    }

    private bool IsOperatorAt(int ahead, string op) => PeekAt(ahead).Kind == SqlTokenKind.Operator && PeekAt(ahead).Text == op;

    /// <summary>A column reference (<c>a</c>, <c>t.a</c>, <c>t.*</c>) or, followed by a parenthesis, a function call.</summary>
    private Expr NameOrCall()
    {
        var position = Position;
        var first = _i;
        NotNullColumn();
        var parts = new List<string>(2) { Identifier() };
        while (Peek.Kind == SqlTokenKind.Dot)
        {
            if (PeekAt(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) { _i++; NotNullColumn(); parts.Add(Identifier()); }
            else if (IsOperatorAt(1, "*")) { _i += 2; parts.Add("*"); return new ColumnExpr(parts); }
            else break;
        }
        if (Peek.Kind == SqlTokenKind.LeftParen)
        {
            if (parts.Count > 3) throw Error();
            return FunctionCall(new QualifiedName(parts, position), parts.Count == 1 && _t[first].Kind == SqlTokenKind.Word ? first : -1);
        }
        return new ColumnExpr(parts);
    }

    /// <summary>A column named <c>notnull</c> (pg_table_def has one) is also PostgreSQL's postfix operator: a site to quote.</summary>
    private void NotNullColumn()
    {
        if (Peek.Is("NOTNULL")) Site(new RewriteSite(RewriteKind.Column, "NOTNULL", _t[_i].Offset, EndOf(_i)));
    }

    /// <param name="site">The index of the name's token when the call is a rewrite site (an unqualified, unquoted name), or -1.</param>
    private FunctionExpr FunctionCall(QualifiedName name, int site = -1)
    {
        var open = _i;
        Expect(SqlTokenKind.LeftParen);
        var distinct = false;
        var star = false;
        var args = new List<Expr>();
        IReadOnlyList<OrderItem> order = [];
        List<TextSpan>? spans = site >= 0 ? [] : null;
        var delimiter = open;
        if (IsOperator("*") && PeekAt(1).Kind == SqlTokenKind.RightParen)
        {
            _i++;
            star = true;
        }
        else if (Peek.Kind != SqlTokenKind.RightParen)
        {
            if (Accept("DISTINCT")) distinct = true;
            else Accept("ALL");
            while (true)
            {
                // Named arguments (name => value, name := value) are the engine's, not Redshift's.
                if (PeekAt(1).Kind == SqlTokenKind.Operator && PeekAt(1).Text is "=>" or ":=" && IsName(Peek)) { _i++; throw Error(); }
                args.Add(ParseExpression());
                if (Peek.Kind != SqlTokenKind.Comma || AtEnd) break;
                spans?.Add(Between(delimiter, _i));
                delimiter = _i++;
            }
            if (Accept("ORDER")) { Expect("BY"); order = OrderList(); }
            if (AcceptAll("IGNORE", "NULLS") || AcceptAll("RESPECT", "NULLS")) { }
        }
        var close = _i;
        Expect(SqlTokenKind.RightParen);
        if (star || args.Count > 0) spans?.Add(Between(delimiter, close));
        var end = close;
        TextSpan? withinSpan = null, filterSpan = null, overSpan = null;
        var overName = false;
        IReadOnlyList<OrderItem> withinGroup = [];
        if (AcceptAll("WITHIN", "GROUP"))
        {
            var within = _i;
            Expect(SqlTokenKind.LeftParen);
            Expect("ORDER");
            Expect("BY");
            withinGroup = OrderList();
            end = _i;
            Expect(SqlTokenKind.RightParen);
            withinSpan = Between(within, end);
        }
        Expr? filter = null;
        if (Peek.Is("FILTER") && PeekAt(1).Kind == SqlTokenKind.LeftParen)
        {
            var within = _i + 1;
            _i += 2;
            Expect("WHERE");
            filter = ParseExpression();
            end = _i;
            Expect(SqlTokenKind.RightParen);
            filterSpan = Between(within, end);
        }
        if (AcceptAll("IGNORE", "NULLS") || AcceptAll("RESPECT", "NULLS")) { }
        WindowSpec? over = null;
        if (Accept("OVER"))
        {
            var within = _i;
            if (Peek.Kind == SqlTokenKind.LeftParen)
            {
                over = WindowDefinition();
                overSpan = Between(within, _i - 1);
            }
            else
            {
                over = new WindowSpec(Identifier(), [], [], null);
                overSpan = new TextSpan(_t[within].Offset, EndOf(within));
                overName = true;
            }
        }
        if (spans is not null)
            Site(new RewriteSite(RewriteKind.Call, Upper(_t[site].Text), _t[site].Offset, EndOf(close))
                { Arguments = spans, WithinGroup = withinSpan, Filter = filterSpan, Over = overSpan, OverName = overName });
        return new FunctionExpr(name, args, distinct, star, order, filter, over, withinGroup);
    }

    private CaseExpr Case()
    {
        Expect("CASE");
        var operand = Peek.Is("WHEN") ? null : ParseExpression();
        var branches = new List<(Expr, Expr)>();
        while (Accept("WHEN"))
        {
            var when = ParseExpression();
            Expect("THEN");
            branches.Add((when, ParseExpression()));
        }
        if (branches.Count == 0) throw Error();
        var otherwise = Accept("ELSE") ? ParseExpression() : null;
        Expect("END");
        return new CaseExpr(operand, branches, otherwise);
    }

    private SpecialFunctionExpr Extract()
    {
        _i += 2;
        string field;
        if (Peek.Kind == SqlTokenKind.String) field = Next().StringValue;
        else field = Identifier();
        Expect("FROM");
        var operand = ParseExpression();
        Expect(SqlTokenKind.RightParen);
        return new SpecialFunctionExpr("EXTRACT", [operand], field);
    }

    private SpecialFunctionExpr Position2()
    {
        _i += 2;
        var needle = ParseExpression(Precedence.Other);
        Expect("IN");
        var haystack = ParseExpression();
        Expect(SqlTokenKind.RightParen);
        return new SpecialFunctionExpr("POSITION", [needle, haystack], null);
    }

    private SpecialFunctionExpr Substring()
    {
        var name = Next().Text.ToUpperInvariant();
        _i++;
        var args = new List<Expr> { ParseExpression() };
        if (Accept(SqlTokenKind.Comma)) args.AddRange(ExpressionList());
        else
        {
            if (Accept("FROM")) args.Add(ParseExpression());
            if (Accept("FOR")) args.Add(ParseExpression());
        }
        Expect(SqlTokenKind.RightParen);
        return new SpecialFunctionExpr(name, args, null);
    }

    private SpecialFunctionExpr Trim()
    {
        _i += 2;
        string? side = null;
        if (Peek.IsAny("BOTH", "LEADING", "TRAILING")) side = Next().Text.ToUpperInvariant();
        var args = new List<Expr>();
        if (Accept("FROM")) args.Add(ParseExpression());
        else
        {
            args.Add(ParseExpression());
            if (Accept("FROM")) args.Add(ParseExpression());
            else while (Accept(SqlTokenKind.Comma)) args.Add(ParseExpression());
        }
        Expect(SqlTokenKind.RightParen);
        return new SpecialFunctionExpr("TRIM", args, side);
    }

    private SpecialFunctionExpr Overlay()
    {
        _i += 2;
        var args = new List<Expr> { ParseExpression() };
        Expect("PLACING");
        args.Add(ParseExpression());
        Expect("FROM");
        args.Add(ParseExpression());
        if (Accept("FOR")) args.Add(ParseExpression());
        Expect(SqlTokenKind.RightParen);
        return new SpecialFunctionExpr("OVERLAY", args, null);
    }

    /// <summary>Redshift's CONVERT(type, expr).</summary>
    private CastExpr Convert()
    {
        var convert = _i;
        _i += 2;
        var type = ParseTypeName();
        var comma = _i;
        Expect(SqlTokenKind.Comma);
        var operand = ParseExpression();
        var close = _i;
        Expect(SqlTokenKind.RightParen);
        Site(new RewriteSite(RewriteKind.Cast, "CONVERT", _t[convert].Offset, EndOf(close))
            { Arguments = [Between(comma, close)], Type = Between(convert + 1, comma), TypeName = type, Alternate = true });
        return new CastExpr(operand, type);
    }

    private LiteralExpr NumberLiteral()
    {
        if (Peek.Kind != SqlTokenKind.Number) throw Error();
        var text = Next().Text;
        return new LiteralExpr(IsInteger(text) ? LiteralKind.Integer : LiteralKind.Decimal, text);
    }

    /// <summary>A type name: <c>int</c>, <c>double precision</c>, <c>character varying(10)</c>, <c>timestamp without time zone</c>, <c>numeric(18,2)</c>, <c>int[]</c>.</summary>
    private TypeName ParseTypeName()
    {
        if (Peek.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw Error();
        var word = _i;
        var name = Identifier();
        if (Peek.Kind == SqlTokenKind.Dot) { _i++; name = Identifier(); }
        if (name == "double" && Accept("PRECISION")) name = "double precision";
        else if (name is "character" or "char" or "nchar" && Accept("VARYING")) name = "character varying";
        else if (name == "national" && Peek.IsAny("CHARACTER", "CHAR")) { _i++; name = Accept("VARYING") ? "character varying" : "character"; }
        var modifiers = new List<string>();
        var last = _i - 1;
        var wordEnd = last;
        if (Accept(SqlTokenKind.LeftParen))
        {
            do
            {
                var m = Next();
                if (m.Kind is not (SqlTokenKind.Number or SqlTokenKind.Word)) { _i--; throw Error(); }
                modifiers.Add(m.Text.ToLowerInvariant());
            } while (Accept(SqlTokenKind.Comma));
            wordEnd = _i;
            Expect(SqlTokenKind.RightParen);
            word = last;
        }
        if (_t[word].Kind == SqlTokenKind.Word)
            Site(new RewriteSite(RewriteKind.Type, Upper(_t[word].Text), _t[word].Offset, EndOf(wordEnd))
                { TypeName = new TypeName(name, modifiers, false) });
        if (name is "timestamp" or "time" && Peek.IsAny("WITH", "WITHOUT") && PeekAt(1).Is("TIME") && PeekAt(2).Is("ZONE"))
        {
            name += Next().Is("WITH") ? " with time zone" : " without time zone";
            _i += 2;
        }
        var array = false;
        while (IsOperator("[") )
        {
            _i++;
            if (Peek.Kind == SqlTokenKind.Number) _i++;
            if (!AcceptOperator("]")) throw Error();
            array = true;
        }
        return new TypeName(name, modifiers, array);
    }
}
