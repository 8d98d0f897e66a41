using LocalShift.Engine;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Routing;

/// <summary>
/// What the router learns about one statement text before running it: its tokens, its kind and, for the engine,
/// its DuckDB translation. A session keeps the analyses of the texts it saw last (<see cref="StatementAnalyses"/>),
/// so a statement a client repeats is lexed, classified and translated once.
/// </summary>
internal sealed class StatementAnalysis
{
    private StatementAnalysis(string sql, List<SqlToken> tokens, PlanningBudget budget)
    {
        Sql = sql;
        Tokens = tokens;
        Significant = SqlLexer.Significant(tokens);
        Command = CommandStatement.Of(Significant);
        if (Command is not null && Command.Kind != CommandKind.MaterializedView) Kind = StatementKind.Redshift;
        else if (Significant.Count == 0) Kind = StatementKind.Empty;
        else
        {
            // Every other statement is parsed once here; its kind, its command tag and everything after read the tree.
            try { Tree = SqlParser.Parse(sql, tokens, budget); }
            catch (PgException e) { SyntaxError = e; }
            Kind = StatementClassifier.Classify(Tree);
            // A materialized view's statements run by their handler with their tree (one that does not parse answers its syntax error).
            if (Command is not null)
            {
                Command = Tree is null ? null : Command with { Tree = Tree, Text = sql };
                if (Command is not null) Kind = StatementKind.Redshift;
            }
            // A client's catalog query LocalShift answers with its own statement (psql's \d queries, which the parser
            // does not read) is a query all the same.
            if (Tree is null && Catalog.CatalogQueries.Recognizes(sql))
            {
                Kind = StatementKind.EngineQuery;
                CatalogQuery = true;
            }
            if (Tree is QueryStatement { Query.Body: SelectCore { Into: not null } } selectInto)
            {
                SelectInto = SelectIntoStatement.CreateTableAs(sql, selectInto);
                Kind = StatementKind.EngineCommand;
            }
        }
        Constant = Kind == StatementKind.EngineQuery && Significant.Count <= MaxConstantTokens && IsConstantSelect(Tree);
        MentionsQueryLog = !Constant && QueryLog.Mentioned(Significant);
        QueryType = QueryLog.TypeOf(this);
    }

    /// <summary>
    /// <c>SELECT ... INTO [TEMP] [TABLE] t FROM ...</c> as the CREATE TABLE ... AS it means, which the session runs in
    /// its place (the engine has no SELECT INTO); null for any other statement.
    /// </summary>
    public string? SelectInto { get; }

    /// <summary>The tree of a statement LocalShift runs itself (COPY, UNLOAD, …): its kind and tokens; null for any other.</summary>
    public CommandStatement? Command { get; }

    /// <summary>The statement's parse tree (null for a <see cref="Command"/>, an empty statement or a syntax error).</summary>
    public Statement? Tree { get; }

    /// <summary>Why the statement could not be parsed: it never reaches the engine.</summary>
    public PgException? SyntaxError { get; }

    /// <summary>The relations and functions the statement touches, read from its tree once.</summary>
    public StatementAccess? Access { get; set; }

    /// <summary>A client's catalog query that LocalShift answers with a statement of its own, once known.</summary>
    public bool? CatalogQuery { get; set; }

    /// <summary>The tree, or the statement's syntax error.</summary>
    public Statement Parsed => Tree ?? throw SyntaxError ?? new PgException(SqlState.SyntaxError, "syntax error");

    /// <summary>The statement names stl_query, svl_qlog or sys_query_history (<see cref="QueryLog"/>).</summary>
    public bool MentionsQueryLog { get; }

    /// <summary>Its query_type in sys_query_history.</summary>
    public string QueryType { get; }

    /// <param name="budget">What the engine may spend planning it: a statement past it is refused while it is parsed (54001).</param>
    public static StatementAnalysis Of(string sql, PlanningBudget budget) => new(sql, SqlLexer.Tokenize(sql), budget);

    public string Sql { get; }

    /// <summary>Every token, whitespace and comments included (read-only: the analysis is shared).</summary>
    public List<SqlToken> Tokens { get; }

    /// <summary>The tokens without whitespace and comments (read-only: the analysis is shared).</summary>
    public List<SqlToken> Significant { get; }

    public StatementKind Kind { get; }

    /// <summary>The PostgreSQL command tag of this statement after it changed <paramref name="rows"/> rows (read from its tree).</summary>
    public string Tag(long rows) => StatementClassifier.Tag(Parsed, rows, Significant.Count > 0 ? Significant[0].Text : "");

    /// <summary>The statement in DuckDB's dialect, once translated.</summary>
    public TranslatedStatement? Translated { get; set; }

    /// <summary>
    /// A SELECT of literals only (<c>SELECT 1</c>, <c>SELECT 'a' AS x, NULL</c>): no table, function or operator,
    /// so its one row is the same every time it runs.
    /// </summary>
    public bool Constant { get; }

    /// <summary>The schema version and parameter types this statement last passed its Parse-time check with.</summary>
    public (int SchemaVersion, int[] ParameterTypes)? Checked { get; set; }

    /// <summary>The session's analyses keep this one: its text comes again as it is (<see cref="StatementAnalyses"/>).</summary>
    public bool Shared { get; set; }

    /// <summary>Whether the engine query of this text may be prepared once and kept (<see cref="PreparedQueries.Keeps"/>), once known.</summary>
    public bool? Keepable { get; set; }

    /// <summary>The schema version and the CHAR(n) widths of the result columns (<c>SqlSession.CharWidths</c>), once known.</summary>
    public (int SchemaVersion, int?[]? Widths)? CharPadding { get; set; }

    /// <summary>The result of a <see cref="Constant"/> statement, once the engine produced it.</summary>
    public ConstantRow? Row { get; set; }

    private const int MaxConstantTokens = 64;

    /// <summary>SELECT item [, item]... and nothing else, where an item is a literal (a number may be signed) with an optional alias.</summary>
    private static bool IsConstantSelect(Statement? tree)
    {
        if (tree is not QueryStatement { Query: { With.Count: 0, OrderBy.Count: 0, Limit: null, Offset: null, Body: SelectCore core } }) return false;
        if (core is not { Distinct: false, Top: null, Into: null, From.Count: 0, Where: null, GroupBy.Count: 0, Having: null, Qualify: null, Windows.Count: 0 }
            || core.Items.Count == 0) return false;
        foreach (var item in core.Items)
        {
            var literal = item.Expression switch
            {
                LiteralExpr l => l,
                UnaryExpr { Operator: "-" or "+", Operand: LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Decimal } l } => l,
                _ => null,
            };
            if (literal is null) return false;
        }
        return true;
    }
}

/// <summary>The one row of a constant SELECT and its columns, as the engine gave them.</summary>
internal sealed record ConstantRow(IReadOnlyList<PgColumn> Columns, object?[] Values);

/// <summary>A session's analyses by statement text, bounded: long texts are not kept, and a full cache starts over.</summary>
internal sealed class StatementAnalyses(PlanningBudget budget)
{
    private const int MaxEntries = 256;
    private const int MaxTextLength = 8 * 1024;

    private readonly Dictionary<string, StatementAnalysis> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public StatementAnalysis Get(string sql)
    {
        if (_entries.TryGetValue(sql, out var known)) return known;
        var analysis = StatementAnalysis.Of(sql, budget);
        if (sql.Length > MaxTextLength) return analysis;
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[sql] = analysis;
        analysis.Shared = true;
        return analysis;
    }
}
