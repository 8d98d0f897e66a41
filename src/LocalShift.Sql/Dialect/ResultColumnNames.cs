using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Dialect;

/// <summary>Where an unaliased select-list item's expression ends in the statement's text, and the name it gets there.</summary>
public readonly record struct ColumnName(int At, string Name);

/// <summary>
/// Gives unaliased select-list items the names PostgreSQL (and so Redshift) gives them, read from the items'
/// expression nodes: a column is named after itself, a function call after the function (<c>count</c>), a cast
/// after its operand when that has a name (<c>pricepaid::integer</c> is <c>pricepaid</c>, as Redshift's CAST and
/// CONVERT pages show) and after the type otherwise (<c>'1'::int</c> is <c>int4</c>), CASE is <c>case</c>, anything
/// else is <c>?column?</c>; a table or view made of a query, a CTE and a subquery in FROM take the same names. Only a
/// query's first SELECT names its columns (a set operation's first branch, parenthesized or not, after any WITH list). DuckDB would name them after the expression text (<c>count_star()</c>),
/// which clients see; the translator writes each name as an alias at the item's end
/// (<see cref="TranslationSites.Names"/>).
/// </summary>
internal static class ResultColumnNames
{
    /// <summary>
    /// The aliases a statement's result columns need: a query's, those of the query a CREATE TABLE AS or a CREATE VIEW
    /// makes its columns of (when no column list names them), and those of every relation a query reads from a query
    /// (a CTE, a subquery in FROM), whose names the outer query sees; in text order, empty for any other statement.
    /// </summary>
    public static IReadOnlyList<ColumnName> Of(Statement tree)
    {
        var query = tree switch
        {
            QueryStatement statement => statement.Query,
            CreateTableStatement { AsQuery: { } asQuery, Elements.Count: 0 } => asQuery,
            CreateViewStatement { Columns.Count: 0 } view => view.Query,
            _ => null,
        };
        if (query is null) return [];
        List<ColumnName>? names = null;
        Collect(query, ref names);
        if (names is null) return [];
        names.Sort((a, b) => a.At.CompareTo(b.At));
        return names;
    }

    private static void Collect(Query query, ref List<ColumnName>? names)
    {
        var with = query.With;
        for (var k = 0; k < with.Count; k++) Collect(with[k].Query, ref names);
        Collect(query.Body, first: true, ref names);
    }

    /// <summary>Only a set operation's first branch names its columns; every branch may read from queries.</summary>
    private static void Collect(QueryBody body, bool first, ref List<ColumnName>? names)
    {
        switch (body)
        {
            case SetOperation set:
                Collect(set.Left, first, ref names);
                Collect(set.Right, false, ref names);
                break;
            case NestedQuery nested:
                var with = nested.Query.With;
                for (var k = 0; k < with.Count; k++) Collect(with[k].Query, ref names);
                Collect(nested.Query.Body, first, ref names);
                break;
            case SelectCore select:
                if (first)
                {
                    var items = select.Items;
                    for (var k = 0; k < items.Count; k++)
                    {
                        var item = items[k];
                        if (item.Alias is null && item.Expression is not (ColumnExpr or StarExpr))
                            (names ??= []).Add(new ColumnName(item.End, Figure(item.Expression).Name ?? "?column?"));
                    }
                }
                var from = select.From;
                for (var k = 0; k < from.Count; k++) Collect(from[k], ref names);
                break;
        }
    }

    private static void Collect(FromItem from, ref List<ColumnName>? names)
    {
        if (from is SubqueryFrom subquery) Collect(subquery.Query, ref names);
        else if (from is JoinFrom join)
        {
            Collect(join.Left, ref names);
            Collect(join.Right, ref names);
        }
    }

    /// <summary>
    /// PostgreSQL's reading of an expression's name: a name and how strongly the expression gives it (2: a column or a
    /// call; 1: a type, CASE, an array or row constructor; 0: none, so <c>?column?</c>). A cast takes its operand's name
    /// when that is strong, its type's otherwise.
    /// </summary>
    private static (string? Name, int Strength) Figure(Expr expression) => expression switch
    {
        ColumnExpr column => column.Parts[^1] == "*" ? (null, 0) : (column.Parts[^1], 2),
        FunctionExpr call => (call.Name.Name, 2),
        // As written (PostgreSQL 8 named EXTRACT date_part and TRIM btrim; Redshift's names for them: text unverified).
        SpecialFunctionExpr special => (special.Name.ToLowerInvariant(), 2),
        CastExpr cast => Figure(cast.Operand) is { Strength: 2 } named ? named : (TypeName(cast.Type), 1),
        TypedLiteralExpr literal => (TypeName(literal.Type), 1),
        LiteralExpr { Kind: LiteralKind.Boolean } => ("bool", 1),
        CaseExpr => ("case", 1),
        ExistsExpr => ("exists", 2),
        ArrayExpr => ("array", 1),
        RowExpr => ("row", 1),
        AtTimeZoneExpr => ("timezone", 2),
        SubscriptExpr subscript => Figure(subscript.Operand),
        FieldExpr field => (field.Field, 2),
        KeywordExpr keyword => keyword.Keyword switch
        {
            "SYSDATE" => ("timestamp", 1),
            "CURRENT_USER" or "SESSION_USER" or "CURRENT_DATE" or "CURRENT_TIMESTAMP" or "CURRENT_TIME" or "LOCALTIMESTAMP" or "USER" or "CURRENT_USER_ID"
                => (keyword.Keyword.ToLowerInvariant(), 2),
            _ => (null, 0),
        },
        _ => (null, 0),
    };

    /// <summary>PostgreSQL's internal name of a type as written in a cast.</summary>
    private static string TypeName(TypeName type) => type.Name switch
    {
        "int" or "integer" or "int4" => "int4",
        "bigint" or "int8" => "int8",
        "smallint" or "int2" => "int2",
        "varchar" or "character varying" or "nvarchar" => "varchar",
        "char" or "character" or "nchar" or "bpchar" => "bpchar",
        "bool" or "boolean" => "bool",
        "float" or "float8" or "double precision" or "double" => "float8",
        "real" or "float4" => "float4",
        "decimal" or "numeric" => "numeric",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        var name when name.IndexOf(' ') is var space and > 0 => name[..space],
        var name => name,
    };
}
