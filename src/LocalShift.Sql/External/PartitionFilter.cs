using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.External;

/// <summary>
/// What a statement's WHERE allows of an external table's partition values, as far as it can be told from the values
/// alone. A partition for which <see cref="Matches"/> is false cannot hold a row the statement keeps, so it is neither
/// listed nor read, as Spectrum prunes partitions.
/// </summary>
public abstract record PartitionPredicate
{
    /// <summary>False only when the partition's values rule it out; true when they allow it or cannot tell.</summary>
    public abstract bool Matches(IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values);

    /// <summary>The value of the partition key <paramref name="key"/> and its catalog type, if the table has that key.</summary>
    private protected static (string Value, string Type)? Value(IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values, string key)
    {
        for (var i = 0; i < keys.Count && i < values.Count; i++)
            if (string.Equals(keys[i].Name, key, StringComparison.OrdinalIgnoreCase)) return (values[i], keys[i].Type);
        return null;
    }
}

/// <summary>Every term holds.</summary>
public sealed record AllOf(IReadOnlyList<PartitionPredicate> Terms) : PartitionPredicate
{
    public override bool Matches(IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values) => Terms.All(t => t.Matches(keys, values));
}

/// <summary>At least one term holds.</summary>
public sealed record AnyOf(IReadOnlyList<PartitionPredicate> Terms) : PartitionPredicate
{
    public override bool Matches(IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values) => Terms.Any(t => t.Matches(keys, values));
}

/// <summary><c>key op literal</c> (<c>=</c>, <c>&lt;&gt;</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>); a column that is not a partition key tells nothing.</summary>
public sealed record KeyComparison(string Key, string Operator, string Literal, bool NumericLiteral) : PartitionPredicate
{
    public override bool Matches(IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values)
    {
        if (Value(keys, values, Key) is not var (value, type)) return true;
        if (PartitionValues.Compare(type, value, Literal, NumericLiteral) is not { } order) return true;
        return Operator switch
        {
            "=" => order == 0,
            "<>" or "!=" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            _ => true,
        };
    }
}

/// <summary>How partition values compare with literals: as the key's catalog type reads them.</summary>
public static class PartitionValues
{
    private static readonly HashSet<string> Numeric = ["int", "integer", "smallint", "tinyint", "bigint", "decimal", "numeric", "float", "real", "double"];

    /// <summary>
    /// The order of a partition value against a literal: numbers as numbers (a numeric key, or a number written
    /// unquoted), dates and timestamps as such, other text by its characters. Null when the two cannot be compared (the
    /// partition is then kept).
    /// </summary>
    public static int? Compare(string type, string value, string literal, bool numericLiteral)
    {
        var t = type.Trim().ToLowerInvariant();
        var paren = t.IndexOf('(');
        var head = paren < 0 ? t : t[..paren];
        if (Numeric.Contains(head) || numericLiteral)
            return decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var x)
                   && decimal.TryParse(literal, NumberStyles.Number, CultureInfo.InvariantCulture, out var y) ? x.CompareTo(y) : null;
        if (head is "date" or "timestamp")
            return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var a)
                   && DateTime.TryParse(literal, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var b) ? a.CompareTo(b) : null;
        return Math.Sign(string.CompareOrdinal(value, literal));
    }
}

/// <summary>
/// Partition pruning read from the tree: in the WHERE of the SELECT that reads the table (and the ON of the joins
/// that drop the table's rows they reject), comparisons of the table's
/// columns with literals (<c>=</c>, <c>&lt;&gt;</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>), <c>BETWEEN</c>,
/// <c>IN (literals)</c>, and AND / OR of them. Any other term tells nothing about partitions: under AND it is left out,
/// under OR it makes the whole disjunction tell nothing.
/// </summary>
public static class PartitionFilter
{
    /// <summary>The predicate on partition values, or null when the statement restricts none (every partition is read).</summary>
    public static PartitionPredicate? For(Statement tree, QualifiedName table)
    {
        foreach (var core in Nodes(tree).OfType<SelectCore>())
        {
            var sources = new List<FromItem>();
            foreach (var item in core.From) Flatten(item, sources);
            var from = sources.OfType<TableFrom>().FirstOrDefault(t => ReferenceEquals(t.Name, table));
            if (from is null) continue;
            // The WHERE, and the ON of every join that drops the table's rows it rejects.
            var conditions = new List<Expr>();
            if (core.Where is not null) conditions.Add(core.Where);
            foreach (var item in core.From) JoinConditions(item, from, conditions);
            var scope = new Scope(from.Alias?.Name ?? table.Name, sources.Count == 1, new Dictionary<string, string>());
            scope = scope with { Equal = Equalities(conditions, scope) };
            var terms = conditions.Select(c => Predicate(c, scope)).OfType<PartitionPredicate>().ToList();
            return terms.Count switch { 0 => null, 1 => terms[0], _ => new AllOf(terms) };
        }
        return null;
    }

    /// <summary>
    /// How a condition names the table's columns: by its alias (or name), unqualified when it is alone in FROM, and
    /// through the columns of other tables it is equal to (<see cref="Equal"/>: another table's column, as written,
    /// to the table's column).
    /// </summary>
    private sealed record Scope(string Alias, bool Single, IReadOnlyDictionary<string, string> Equal);

    /// <summary>
    /// Columns of other tables that equal one of the table's columns in every row the statement keeps: an equality
    /// of the two (<c>e.day = d.day</c>) among the AND-ed terms of the WHERE or of an ON that drops the table's rows.
    /// A condition on <c>d.day</c> then restricts <c>e.day</c> alike, so
    /// <c>… join d on e.day = d.day where d.day = '2024-01-02'</c> reads one partition.
    /// </summary>
    private static Dictionary<string, string> Equalities(List<Expr> conditions, Scope scope)
    {
        var equal = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var condition in conditions)
            foreach (var term in condition is BinaryExpr and_ && and_.Operator.Equals("AND", StringComparison.OrdinalIgnoreCase) ? Chain(and_, "AND") : [condition])
            {
                if (term is not BinaryExpr { Operator: "=", Left: ColumnExpr left, Right: ColumnExpr right }) continue;
                var (ours, other) = Column(left, scope) is { } l && Column(right, scope) is null ? (l, right)
                    : Column(right, scope) is { } r && Column(left, scope) is null ? (r, left) : (null, null);
                if (ours is not null) equal.TryAdd(string.Join('.', other!.Parts), ours);
            }
        return equal;
    }

    /// <summary>
    /// The ON conditions of the joins above <paramref name="table"/> in <paramref name="item"/> that keep none of its
    /// rows they reject: an inner join's, a LEFT join's when the table is on its right, a RIGHT join's when on its left
    /// (a FULL join, or an outer join's preserved side, keeps every row of the table whatever its ON says). Returns
    /// whether the table is in <paramref name="item"/>.
    /// </summary>
    private static bool JoinConditions(FromItem item, TableFrom table, List<Expr> into)
    {
        if (ReferenceEquals(item, table)) return true;
        if (item is not JoinFrom join) return false;
        var left = JoinConditions(join.Left, table, into);
        var right = !left && JoinConditions(join.Right, table, into);
        if (!left && !right) return false;
        if (join.On is { } on && (join.Kind is "INNER" || join.Kind == "LEFT" && right || join.Kind == "RIGHT" && left)) into.Add(on);
        return true;
    }

    /// <summary>Whether the statement names a pseudo-column (<c>"$path"</c>, <c>"$size"</c>) anywhere.</summary>
    public static bool NamesPseudoColumns(Statement tree) =>
        Nodes(tree).OfType<ColumnExpr>().Any(c => ExternalTables.PseudoColumns.Contains(c.Parts[^1]));

    /// <summary>
    /// The part of <paramref name="predicate"/> that Glue's GetPartitions <c>Expression</c> decides exactly as
    /// <see cref="PartitionPredicate.Matches"/> does, as that expression's text; null when no part is. Glue compares a
    /// numeric key's values as numbers and any other key's as text, so a comparison is passed on only for a numeric key
    /// with a number, or a text key (<c>string</c>, <c>varchar</c>, <c>char</c>) with a quoted literal; date and
    /// timestamp keys (compared as dates here) and numbers against text keys (compared as numbers here) are not. An
    /// AND keeps its terms that pass, an OR passes only if all of its terms do, so the partitions the expression
    /// selects always include those the predicate matches. (A numeric key's value that is not a number, which the
    /// predicate cannot rule out, is left out by Glue: its rows could not be read as the key's type anyway.)
    /// </summary>
    public static string? GlueExpression(PartitionPredicate? predicate, IReadOnlyList<CatalogColumn> keys) => predicate switch
    {
        KeyComparison c => GlueComparison(c, keys),
        AllOf all => all.Terms.Select(t => GlueExpression(t, keys)).OfType<string>().ToList() is { Count: > 0 } terms
            ? string.Join(" AND ", terms.Select(t => terms.Count == 1 ? t : "(" + t + ")"))
            : null,
        AnyOf any => any.Terms.Select(t => GlueExpression(t, keys)).ToList() is { Count: > 0 } terms && terms.All(t => t is not null)
            ? string.Join(" OR ", terms.Select(t => terms.Count == 1 ? t : "(" + t + ")"))
            : null,
        _ => null,
    };

    private static readonly HashSet<string> GlueNumeric = ["int", "integer", "smallint", "tinyint", "bigint", "decimal", "float", "real", "double"];

    private static string? GlueComparison(KeyComparison c, IReadOnlyList<CatalogColumn> keys)
    {
        var key = keys.FirstOrDefault(k => string.Equals(k.Name, c.Key, StringComparison.OrdinalIgnoreCase));
        if (key is null || c.Operator is not ("=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")) return null;
        var type = key.Type.Trim().ToLowerInvariant();
        var head = type.IndexOf('(') is var paren and >= 0 ? type[..paren] : type;
        string literal;
        if (GlueNumeric.Contains(head))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(c.Literal, @"^-?[0-9]+(\.[0-9]+)?$")) return null;
            literal = c.Literal;
        }
        else if (head is "string" or "varchar" or "char" && !c.NumericLiteral) literal = "'" + c.Literal.Replace("'", "''") + "'";
        else return null;
        var name = System.Text.RegularExpressions.Regex.IsMatch(key.Name, "^[A-Za-z_][A-Za-z0-9_]*$") && !GlueWords.Contains(key.Name) ? key.Name
            : key.Name.Contains('`') ? null : "`" + key.Name + "`";
        return name is null ? null : $"{name} {c.Operator} {literal}";
    }

    private static readonly HashSet<string> GlueWords = new(["and", "or", "not", "in", "between", "like", "is", "null"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a partition's values can satisfy the predicate.</summary>
    public static bool Matches(PartitionPredicate? predicate, IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values) =>
        predicate is null || predicate.Matches(keys, values);

    /// <summary>
    /// How deep AND / OR / BETWEEN SYMMETRIC may nest before a predicate tells nothing (every partition is read): a
    /// guard for generated statements, so reading one never exhausts the stack. Chains of one operator
    /// (<c>p = 1 OR p = 2 OR …</c>, however long) are read as one level.
    /// </summary>
    internal const int MaxDepth = 64;

    private static PartitionPredicate? Predicate(Expr e, Scope scope, int depth = 0)
    {
        if (depth > MaxDepth) return null;
        switch (e)
        {
            case BinaryExpr { Operator: var op } both when op.Equals("AND", StringComparison.OrdinalIgnoreCase):
            {
                var terms = Chain(both, "AND").Select(t => Predicate(t, scope, depth + 1)).OfType<PartitionPredicate>().ToList();
                return terms.Count switch { 0 => null, 1 => terms[0], _ => new AllOf(terms) };
            }
            case BinaryExpr { Operator: var op } either when op.Equals("OR", StringComparison.OrdinalIgnoreCase):
            {
                var terms = new List<PartitionPredicate>();
                foreach (var term in Chain(either, "OR"))
                    if (Predicate(term, scope, depth + 1) is { } known) terms.Add(known);
                    else return null;
                return new AnyOf(terms);
            }
            case BinaryExpr { Operator: "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=" } cmp:
                if (Column(cmp.Left, scope) is { } c && Literal(cmp.Right) is var (v, n)) return new KeyComparison(c, cmp.Operator, v, n);
                if (Column(cmp.Right, scope) is { } c2 && Literal(cmp.Left) is var (v2, n2)) return new KeyComparison(c2, Flip(cmp.Operator), v2, n2);
                return null;
            case BetweenExpr { Not: false } between when Column(between.Operand, scope) is { } key
                                                        && Literal(between.Low) is var (low, nl) && Literal(between.High) is var (high, nh):
                return between.Symmetric
                    ? new AnyOf([Range(key, low, nl, high, nh), Range(key, high, nh, low, nl)])
                    : Range(key, low, nl, high, nh);
            case InListExpr { Not: false } @in when Column(@in.Operand, scope) is { } listed:
            {
                var items = @in.Items.Select(Literal).ToList();
                if (items.Any(i => i is null)) return null;
                return new AnyOf(items.Select(i => (PartitionPredicate)new KeyComparison(listed, "=", i!.Value.Text, i.Value.Numeric)).ToList());
            }
            default:
                return null;
        }
    }

    /// <summary>The operands of a chain of one operator (<c>a OR b OR c</c>), read without recursion, left to right.</summary>
    private static List<Expr> Chain(BinaryExpr root, string op)
    {
        var operands = new List<Expr>();
        var stack = new Stack<Expr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (e is BinaryExpr b && b.Operator.Equals(op, StringComparison.OrdinalIgnoreCase))
            {
                stack.Push(b.Right);
                stack.Push(b.Left);
            }
            else operands.Add(e);
        }
        return operands;
    }

    private static AllOf Range(string column, string low, bool numericLow, string high, bool numericHigh) =>
        new([new KeyComparison(column, ">=", low, numericLow), new KeyComparison(column, "<=", high, numericHigh)]);

    private static string Flip(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

    private static string? Column(Expr e, Scope scope) => e switch
    {
        ColumnExpr { Parts.Count: 1 } c when scope.Single => c.Parts[0],
        ColumnExpr { Parts.Count: 2 } c when c.Parts[0] == scope.Alias => c.Parts[1],
        ColumnExpr c when scope.Equal.TryGetValue(string.Join('.', c.Parts), out var ours) => ours,
        _ => null,
    };

    private static (string Text, bool Numeric)? Literal(Expr? e) => e switch
    {
        LiteralExpr { Kind: LiteralKind.String } l => (l.Text, false),
        LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Decimal } l => (l.Text, true),
        TypedLiteralExpr t => (t.Value, false),
        CastExpr { Operand: LiteralExpr l } => Literal(l),
        UnaryExpr { Operator: "-", Operand: LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Decimal } l } => ("-" + l.Text, true),
        _ => null,
    };

    private static void Flatten(FromItem item, List<FromItem> into)
    {
        if (item is JoinFrom join)
        {
            Flatten(join.Left, into);
            Flatten(join.Right, into);
        }
        else into.Add(item);
    }

    /// <summary>Every node of the tree (records walked through their properties).</summary>
    internal static IEnumerable<object> Nodes(object root)
    {
        var stack = new Stack<object>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            if (node is string) continue;
            if (node is IEnumerable list)
            {
                foreach (var x in list) if (x is not null and not string) stack.Push(x);
                continue;
            }
            // The tree's nodes, and its records that are not nodes (a select item, an order item).
            if (node is not SqlNode && node is not ITuple && node.GetType().Namespace != typeof(SqlNode).Namespace) continue;
            foreach (var p in node.GetType().GetProperties())
            {
                if (p.GetIndexParameters().Length > 0 || p.Name == "EqualityContract") continue;
                var v = p.GetValue(node);
                if (v is SqlNode or IEnumerable and not string || v is ITuple || v is not null && v.GetType().Namespace == typeof(SqlNode).Namespace) stack.Push(v!);
            }
        }
    }
}
