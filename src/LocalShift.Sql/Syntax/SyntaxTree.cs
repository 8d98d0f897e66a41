namespace LocalShift.Sql.Syntax;

// The parse tree of the Redshift SQL the endpoint runs on its engine. Every later step that must know what a
// statement touches (privileges, the function gate, the statement kind) reads this tree; nothing re-lexes text to
// find a table. Nodes keep what those steps need: every relation in every position, every function call with
// its arguments, and the query structure that scopes CTE names.

/// <summary>A possibly qualified name: <c>t</c>, <c>s.t</c> or <c>db.s.t</c>, folded as PostgreSQL folds them.</summary>
public sealed record QualifiedName(IReadOnlyList<string> Parts, int Position)
{
    public string Name => Parts[^1];
    public string? Schema => Parts.Count >= 2 ? Parts[^2] : null;
    public string? Database => Parts.Count >= 3 ? Parts[^3] : null;
    public override string ToString() => string.Join(".", Parts);
}

public abstract record SqlNode;

// ---- expressions ---------------------------------------------------------------------------------------------

public abstract record Expr : SqlNode;

public enum LiteralKind { Integer, Decimal, String, Boolean, Null }

public sealed record LiteralExpr(LiteralKind Kind, string Text) : Expr;

/// <summary>A bound parameter <c>$n</c>.</summary>
public sealed record ParameterExpr(int Index) : Expr;

/// <summary>A column (or a SUPER path) reference: <c>c</c>, <c>t.c</c>, <c>s.t.c</c>; <c>*</c> as the last part for <c>t.*</c>.</summary>
public sealed record ColumnExpr(IReadOnlyList<string> Parts) : Expr;

public sealed record StarExpr : Expr;

public sealed record UnaryExpr(string Operator, Expr Operand) : Expr;

public sealed record BinaryExpr(string Operator, Expr Left, Expr Right) : Expr;

/// <summary>A function call. <paramref name="Over"/> is its window, <paramref name="WithinGroup"/> its ordered-set ORDER BY.</summary>
public sealed record FunctionExpr(QualifiedName Name, IReadOnlyList<Expr> Arguments, bool Distinct, bool Star,
    IReadOnlyList<OrderItem> OrderBy, Expr? Filter, WindowSpec? Over, IReadOnlyList<OrderItem> WithinGroup) : Expr;

public sealed record WindowSpec(string? Name, IReadOnlyList<Expr> PartitionBy, IReadOnlyList<OrderItem> OrderBy, Frame? Frame);

public sealed record Frame(string Units, FrameBound Start, FrameBound? End);

public sealed record FrameBound(string Kind, Expr? Offset);

public sealed record CastExpr(Expr Operand, TypeName Type) : Expr;

/// <summary>A type as written: its name words and its modifiers (<c>varchar(10)</c>, <c>numeric(18,2)</c>, <c>int[]</c>).</summary>
public sealed record TypeName(string Name, IReadOnlyList<string> Modifiers, bool Array);

/// <summary><c>DATE '2024-01-01'</c>, <c>INTERVAL '1 day'</c>, <c>TIMESTAMP '…'</c>.</summary>
public sealed record TypedLiteralExpr(TypeName Type, string Value, string? Qualifier) : Expr;

public sealed record CaseExpr(Expr? Operand, IReadOnlyList<(Expr When, Expr Then)> Branches, Expr? Else) : Expr;

public sealed record BetweenExpr(Expr Operand, Expr Low, Expr High, bool Not, bool Symmetric) : Expr;

public sealed record InListExpr(Expr Operand, IReadOnlyList<Expr> Items, bool Not) : Expr;

public sealed record InQueryExpr(Expr Operand, Query Query, bool Not) : Expr;

public sealed record LikeExpr(Expr Operand, string Operator, Expr Pattern, Expr? Escape, bool Not) : Expr;

/// <summary><c>x IS [NOT] NULL|TRUE|FALSE|UNKNOWN</c>, <c>x IS [NOT] DISTINCT FROM y</c>.</summary>
public sealed record IsExpr(Expr Operand, string Test, bool Not, Expr? Other) : Expr;

public sealed record ExistsExpr(Query Query) : Expr;

public sealed record SubqueryExpr(Query Query) : Expr;

/// <summary><c>x op ANY|SOME|ALL (query or array)</c>.</summary>
public sealed record QuantifiedExpr(Expr Operand, string Operator, string Quantifier, Query? Query, Expr? Array) : Expr;

public sealed record ArrayExpr(IReadOnlyList<Expr> Items) : Expr;

public sealed record RowExpr(IReadOnlyList<Expr> Items) : Expr;

public sealed record SubscriptExpr(Expr Operand, Expr Index, Expr? Upper) : Expr;

/// <summary>Field access on a composite value: <c>(expr).field</c>.</summary>
public sealed record FieldExpr(Expr Operand, string Field) : Expr;

/// <summary>Special forms with keyword arguments: EXTRACT(f FROM x), POSITION(a IN b), SUBSTRING(x FROM a FOR b), TRIM(BOTH c FROM x), OVERLAY.</summary>
public sealed record SpecialFunctionExpr(string Name, IReadOnlyList<Expr> Arguments, string? Keyword) : Expr;

/// <summary><c>x AT TIME ZONE z</c>.</summary>
public sealed record AtTimeZoneExpr(Expr Operand, Expr Zone) : Expr;

/// <summary>A keyword that is a value in PostgreSQL: CURRENT_DATE, SYSDATE, CURRENT_USER, DEFAULT …</summary>
public sealed record KeywordExpr(string Keyword) : Expr;

// ---- queries -------------------------------------------------------------------------------------------------

public sealed record OrderItem(Expr Expression, bool Descending, string? Nulls);

public sealed record CommonTableExpression(string Name, IReadOnlyList<string> Columns, Query Query);

/// <summary>A query: its WITH list, its body, ORDER BY and LIMIT/OFFSET.</summary>
public sealed record Query(IReadOnlyList<CommonTableExpression> With, bool Recursive, QueryBody Body,
    IReadOnlyList<OrderItem> OrderBy, Expr? Limit, Expr? Offset) : SqlNode;

public abstract record QueryBody : SqlNode;

public sealed record SelectItem(Expr Expression, string? Alias)
{
    /// <summary>Where the item's expression ends in the statement's text (0-based, just past its last token), before any alias.</summary>
    public int End { get; init; }
}

public sealed record GroupingItem(string Kind, IReadOnlyList<Expr> Expressions);

public sealed record SelectCore(bool Distinct, IReadOnlyList<Expr> DistinctOn, Expr? Top, IReadOnlyList<SelectItem> Items,
    QualifiedName? Into, IReadOnlyList<FromItem> From, Expr? Where, IReadOnlyList<GroupingItem> GroupBy, Expr? Having,
    Expr? Qualify, IReadOnlyList<(string Name, WindowSpec Window)> Windows) : QueryBody
{
    /// <summary>Where <c>INTO [TEMP] [TABLE] name</c> stands in the statement's text (when <see cref="Into"/> is set).</summary>
    public TextSpan IntoClause { get; init; }

    /// <summary>Where INTO's table name stands in the statement's text, as written.</summary>
    public TextSpan IntoName { get; init; }

    /// <summary>INTO TEMP / TEMPORARY.</summary>
    public bool IntoTemporary { get; init; }
}

public sealed record SetOperation(string Operator, bool All, QueryBody Left, QueryBody Right) : QueryBody;

public sealed record ValuesBody(IReadOnlyList<IReadOnlyList<Expr>> Rows) : QueryBody;

/// <summary>A parenthesized query used as a set-operation operand.</summary>
public sealed record NestedQuery(Query Query) : QueryBody;

public abstract record FromItem : SqlNode;

public sealed record TableAlias(string Name, IReadOnlyList<string> Columns)
{
    /// <summary>Where the alias's name stands in the statement's text (0-based).</summary>
    public int Position { get; init; }
}

public sealed record TableFrom(QualifiedName Name, TableAlias? Alias) : FromItem;

public sealed record SubqueryFrom(Query Query, TableAlias? Alias, bool Lateral) : FromItem;

public sealed record FunctionFrom(FunctionExpr Function, TableAlias? Alias, bool Lateral) : FromItem;

/// <summary>A SUPER navigation or unnest in FROM: <c>FROM t AS x, x.items AS i</c>.</summary>
public sealed record JoinFrom(string Kind, FromItem Left, FromItem Right, Expr? On, IReadOnlyList<string> Using, bool Natural) : FromItem;

// ---- statements ----------------------------------------------------------------------------------------------

public abstract record Statement : SqlNode
{
    /// <summary>Every <c>/</c> and <c>%</c> of the statement whose divisor may be zero, in the order the parser read them.</summary>
    public IReadOnlyList<DivisionSite> Divisions { get; init; } = [];

    /// <summary>
    /// Every place of the statement's text the translation to the engine's dialect may rewrite (calls, casts, types,
    /// value keywords, literals), in the order the parser read them; the translator decides what each becomes.
    /// </summary>
    public IReadOnlyList<RewriteSite> Rewrites { get; init; } = [];
}

/// <summary>A range of the statement's text: from <paramref name="Start"/> to just before <paramref name="End"/> (0-based).</summary>
public readonly record struct TextSpan(int Start, int End);

public enum RewriteKind
{
    /// <summary>A call of an unqualified, unquoted name: <c>nvl(a, b)</c>. <see cref="RewriteSite.Arguments"/> are the texts between its commas.</summary>
    Call,
    /// <summary><c>CAST(x AS type)</c> or Redshift's <c>CONVERT(type, x)</c>: the operand and the type's text.</summary>
    Cast,
    /// <summary>A type as written (<c>varchar(max)</c>, <c>super</c>); <see cref="RewriteSite.Start"/> is its last name word.</summary>
    Type,
    /// <summary>A keyword that is a value: <c>SYSDATE</c>, <c>CURRENT_USER</c>, <c>USER</c> …</summary>
    Keyword,
    /// <summary>A column reference whose name is also an operator word of PostgreSQL (<c>notnull</c>).</summary>
    Column,
    /// <summary>A string literal cast to a type (<c>'…'::date</c>, <c>CAST('…' AS timestamp)</c>); <see cref="RewriteSite.Type"/> reaches past the type with <c>::</c>.</summary>
    Literal,
    /// <summary>
    /// <c>TOP n</c> of a query's first SELECT: <see cref="RewriteSite.Arguments"/> hold n, <see cref="RewriteSite.Type"/> the
    /// (empty) place after the query's last clause where its LIMIT goes.
    /// </summary>
    Top,
    /// <summary>The word APPROXIMATE before COUNT or PERCENTILE_DISC (exact here).</summary>
    Approximate,
    /// <summary>
    /// A cast to a date or time type whose operand may be text that Redshift's recognition reads: <c>CAST(x AS date)</c>
    /// (<see cref="RewriteSite.Start"/> at CAST) or <c>x::timestamp</c> (at the operand, <see cref="RewriteSite.Alternate"/>).
    /// <see cref="RewriteSite.Name"/> is the type as the engine names it (DATE, TIMESTAMP, TIMESTAMPTZ, TIME),
    /// <see cref="RewriteSite.Arguments"/> hold the operand.
    /// </summary>
    Temporal,
}

/// <summary>
/// One place the translator may rewrite: its kind, its name (upper case: the function, keyword or type as the tree
/// reads it), the text it covers, and the parts of it the rewrite reuses, all as offsets in the statement's text.
/// </summary>
public sealed record RewriteSite(RewriteKind Kind, string Name, int Start, int End)
{
    /// <summary>A call's arguments (DISTINCT, ORDER BY … included, as written); a cast's operand.</summary>
    public IReadOnlyList<TextSpan> Arguments { get; init; } = [];

    /// <summary>A cast's type; a literal's cast (from its <c>::</c> or AS to the type's end).</summary>
    public TextSpan? Type { get; init; }

    /// <summary>A cast's type name as the tree reads it and its modifiers (<c>varchar</c>, <c>["10"]</c>).</summary>
    public TypeName? TypeName { get; init; }

    /// <summary>Redshift's CONVERT(type, x) rather than CAST(x AS type); a literal cast with <c>::</c>.</summary>
    public bool Alternate { get; init; }

    /// <summary>What follows a call and belongs to it: WITHIN GROUP's, FILTER's and OVER's parenthesized text (inside the parentheses), or OVER's name.</summary>
    public TextSpan? WithinGroup { get; init; }
    public TextSpan? Filter { get; init; }
    public TextSpan? Over { get; init; }
    public bool OverName { get; init; }
}

/// <summary>
/// Where the text has a <c>/</c> or <c>%</c> (<paramref name="Modulo"/>) as the tree reads it, with PostgreSQL's
/// precedence: its left operand starts at <paramref name="Start"/>, the operator stands at <paramref name="Operator"/>
/// and its right operand ends just before <paramref name="End"/> (0-based offsets in the statement's text). The
/// division guard (<c>Dialect.DivisionGuard</c>) wraps exactly these operands.
/// </summary>
public sealed record DivisionSite(bool Modulo, int Start, int Operator, int End);

public sealed record QueryStatement(Query Query) : Statement;

public sealed record InsertStatement(QualifiedName Table, IReadOnlyList<string> Columns, Query? Source, bool DefaultValues,
    IReadOnlyList<SelectItem> Returning) : Statement;

public sealed record Assignment(IReadOnlyList<string> Columns, Expr Value);

public sealed record UpdateStatement(QualifiedName Table, TableAlias? Alias, IReadOnlyList<Assignment> Set, IReadOnlyList<FromItem> From,
    Expr? Where, IReadOnlyList<SelectItem> Returning) : Statement;

public sealed record DeleteStatement(QualifiedName Table, TableAlias? Alias, IReadOnlyList<FromItem> Using, Expr? Where,
    IReadOnlyList<SelectItem> Returning) : Statement;

public sealed record MergeClause(bool Matched, Expr? Condition, string Action, IReadOnlyList<Assignment> Set,
    IReadOnlyList<string> Columns, IReadOnlyList<Expr> Values);

public sealed record MergeStatement(QualifiedName Table, TableAlias? Alias, FromItem Source, Expr On, IReadOnlyList<MergeClause> Clauses) : Statement;

/// <summary>A column definition; its DEFAULT, CHECK and IDENTITY expressions are kept for the function gate.</summary>
public sealed record ColumnDefinition(string Name, TypeName Type, IReadOnlyList<Expr> Expressions)
{
    /// <summary>Where the definition stands in the statement's text, from its name to its last clause.</summary>
    public TextSpan Span { get; init; }

    /// <summary>The type as written, its words one space apart (<c>character varying(10)</c>); comments and line breaks left out.</summary>
    public string DeclaredType { get; init; } = "";

    /// <summary>Its clauses that Redshift reads and the engine does not (encodings, keys, constraints, IDENTITY), in text order.</summary>
    public IReadOnlyList<ColumnClause> Clauses { get; init; } = [];
}

public enum ColumnClauseKind { Encode, Collate, DistKey, SortKey, PrimaryKey, Unique, References, Identity }

/// <summary>
/// One of a column's Redshift clauses as written: <c>ENCODE zstd</c> (<paramref name="Value"/> the encoding, folded),
/// <c>COLLATE c</c>, <c>DISTKEY</c>, <c>SORTKEY</c>, <c>PRIMARY KEY</c>, <c>UNIQUE</c>, <c>REFERENCES t (c)</c>,
/// <c>IDENTITY(seed, step)</c> or <c>GENERATED … AS IDENTITY(…)</c>.
/// </summary>
public sealed record ColumnClause(ColumnClauseKind Kind, TextSpan Span, string? Value = null)
{
    /// <summary>IDENTITY's seed and step, as written (1 when not given or not a whole number).</summary>
    public long Seed { get; init; } = 1;
    public long Step { get; init; } = 1;

    /// <summary>GENERATED BY DEFAULT AS IDENTITY.</summary>
    public bool ByDefault { get; init; }
}

/// <summary>One item of CREATE TABLE's parenthesized list: a column (<paramref name="Column"/>) or a table constraint (a CHECK or not).</summary>
public sealed record TableElement(TextSpan Span, ColumnDefinition? Column, bool Check);

public enum TableAttributeKind { DistStyle, DistKey, SortKey, Encode, Backup, AutoRefresh }

/// <summary>
/// One of CREATE TABLE's Redshift attributes after its column list, as written: <c>DISTSTYLE style</c>
/// (<paramref name="Values"/>: the style), <c>DISTKEY (c)</c>, <c>[COMPOUND|INTERLEAVED] SORTKEY (c, …)</c> or
/// <c>SORTKEY AUTO</c> (no values), <c>ENCODE AUTO</c>, <c>BACKUP YES|NO</c>.
/// </summary>
public sealed record TableAttributeClause(TableAttributeKind Kind, TextSpan Span, IReadOnlyList<string> Values)
{
    /// <summary>COMPOUND or INTERLEAVED before SORTKEY.</summary>
    public string? SortKind { get; init; }
}

/// <summary>
/// CREATE TABLE: columns (with the expressions inside their constraints), the tables their REFERENCES and LIKE name,
/// or AS a query.
/// </summary>
public sealed record CreateTableStatement(QualifiedName Table, bool Temporary, bool IfNotExists, IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<Expr> Checks, IReadOnlyList<QualifiedName> References, QualifiedName? Like, Query? AsQuery) : Statement
{
    /// <summary>Where the parenthesized list stands, its parentheses included; empty without one.</summary>
    public TextSpan ElementList { get; init; }

    /// <summary>The list's items in text order (<c>(a, b) AS query</c>'s names as columns without a type).</summary>
    public IReadOnlyList<TableElement> Elements { get; init; } = [];

    /// <summary>Where LIKE's table name stands, as written.</summary>
    public TextSpan LikeName { get; init; }

    /// <summary>The Redshift attributes after the list, in text order.</summary>
    public IReadOnlyList<TableAttributeClause> Attributes { get; init; } = [];
}

public sealed record CreateViewStatement(QualifiedName View, bool OrReplace, bool Materialized, bool Temporary, IReadOnlyList<string> Columns,
    Query Query, bool NoSchemaBinding) : Statement
{
    /// <summary>Where the query after AS stands in the text (a materialized view's stored definition is run from there).</summary>
    public TextSpan QuerySpan { get; init; }

    /// <summary>A materialized view's attributes before AS, in text order (BACKUP, DISTSTYLE, DISTKEY, SORTKEY, AUTO REFRESH).</summary>
    public IReadOnlyList<TableAttributeClause> Attributes { get; init; } = [];
}

/// <summary>
/// ALTER MATERIALIZED VIEW name: AUTO REFRESH YES|NO (<paramref name="AutoRefresh"/>), or a distribution or sort key
/// change (null: nothing the engine keeps).
/// </summary>
public sealed record AlterMaterializedViewStatement(QualifiedName View, bool? AutoRefresh) : Statement;

/// <summary>REFRESH MATERIALIZED VIEW name [RESTRICT | CASCADE].</summary>
public sealed record RefreshMaterializedViewStatement(QualifiedName View, bool Cascade) : Statement;

public sealed record CreateSchemaStatement(string Schema, bool IfNotExists, string? Authorization) : Statement;

/// <summary>DROP TABLE|VIEW|MATERIALIZED VIEW|SCHEMA.</summary>
public sealed record DropStatement(string ObjectKind, IReadOnlyList<QualifiedName> Names, bool IfExists, bool Cascade) : Statement
{
    /// <summary>DROP SCHEMA … DROP EXTERNAL DATABASE: an external schema's data catalog database goes too.</summary>
    public bool DropExternalDatabase { get; init; }
}

/// <summary>ALTER TABLE: the action's first words, the names it gives or uses, and the expressions inside it.</summary>
public sealed record AlterTableStatement(QualifiedName Table, string Action, string? NewName, IReadOnlyList<Expr> Expressions,
    IReadOnlyList<QualifiedName> References) : Statement
{
    /// <summary>RENAME COLUMN's column, by its old name (<see cref="NewName"/> is the new one).</summary>
    public string? Column { get; init; }

    /// <summary>ADD COLUMN's and ALTER COLUMN … TYPE's type as written (words one space apart).</summary>
    public string? DeclaredType { get; init; }

    /// <summary>ADD COLUMN's clauses after its type, in text order (ENCODE's place and encoding among them).</summary>
    public IReadOnlyList<ColumnClause> Clauses { get; init; } = [];
}

/// <summary>What an ALTER TABLE of an external table's own clauses does.</summary>
public enum ExternalTableAction
{
    AddPartitions,
    DropPartitions,
    /// <summary>PARTITION (…) SET LOCATION '…'.</summary>
    SetPartitionLocation,
    SetLocation,
    SetFileFormat,
    SetTableProperties,
}

/// <summary>A partition of an external table: its values by partition column, and (ADD, SET LOCATION) its location.</summary>
public sealed record ExternalPartition(IReadOnlyList<(string Column, string Value)> Spec, string? Location);

/// <summary>
/// ALTER TABLE with the clauses only an external table takes (Redshift's ALTER TABLE, external-table clauses):
/// partitions added, dropped or moved, the table's location, file format or table properties set.
/// </summary>
public sealed record AlterExternalTableStatement(QualifiedName Table, ExternalTableAction Action, IReadOnlyList<ExternalPartition> Partitions) : Statement
{
    /// <summary>ADD IF NOT EXISTS PARTITION: a partition already there is skipped.</summary>
    public bool IfNotExists { get; init; }

    /// <summary>SET LOCATION's location.</summary>
    public string? Location { get; init; }

    /// <summary>SET FILE FORMAT's format (a word: PARQUET, TEXTFILE, …).</summary>
    public string? FileFormat { get; init; }

    /// <summary>SET TABLE PROPERTIES' names and values, in order.</summary>
    public IReadOnlyList<(string Name, string Value)> Properties { get; init; } = [];
}

public sealed record AlterSchemaStatement(string Schema, string Action, string? NewName) : Statement;

public sealed record TruncateStatement(QualifiedName Table) : Statement;

public sealed record CommentStatement(string ObjectKind, QualifiedName Name, string? Text) : Statement;

public sealed record ExplainStatement(bool Verbose, Statement Statement) : Statement;
