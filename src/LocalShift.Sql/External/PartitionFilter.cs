using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.External;

/// <summary>
/// Partition pruning: the values a statement's WHERE allows for an external table's partition keys, read from the
/// tree — conjuncts <c>key = literal</c> and <c>key IN (literals)</c> on the table's own columns in the SELECT that
/// reads it. Only partitions whose values can match are listed and read, as Spectrum prunes them.
/// </summary>
public static class PartitionFilter
{
    /// <summary>Key → allowed values (null: no restriction found, every partition is read).</summary>
    public static IReadOnlyDictionary<string, HashSet<string>>? For(Statement tree, QualifiedName table)
    {
        foreach (var core in Nodes(tree).OfType<SelectCore>())
        {
            var sources = new List<FromItem>();
            foreach (var item in core.From) Flatten(item, sources);
            var from = sources.OfType<TableFrom>().FirstOrDefault(t => ReferenceEquals(t.Name, table));
            if (from is null) continue;
            if (core.Where is null) return null;
            var alias = from.Alias?.Name ?? table.Name;
            var single = sources.Count == 1;
            var allowed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var conjunct in Conjuncts(core.Where))
            {
                switch (conjunct)
                {
                    case BinaryExpr { Operator: "=" } eq when Column(eq.Left, alias, single) is { } c && Literal(eq.Right) is { } v:
                        Restrict(allowed, c, [v]);
                        break;
                    case BinaryExpr { Operator: "=" } eq when Column(eq.Right, alias, single) is { } c && Literal(eq.Left) is { } v:
                        Restrict(allowed, c, [v]);
                        break;
                    case InListExpr { Not: false } @in when Column(@in.Operand, alias, single) is { } c && @in.Items.Select(Literal).ToList() is var values && values.All(x => x is not null):
                        Restrict(allowed, c, values!);
                        break;
                }
            }
            return allowed.Count == 0 ? null : allowed;
        }
        return null;
    }

    /// <summary>Whether a partition's values can satisfy the filter (numbers compared as numbers).</summary>
    public static bool Matches(IReadOnlyDictionary<string, HashSet<string>> filter, IReadOnlyList<CatalogColumn> keys, IReadOnlyList<string> values)
    {
        for (var i = 0; i < keys.Count && i < values.Count; i++)
        {
            if (!filter.TryGetValue(keys[i].Name, out var allowed)) continue;
            if (!allowed.Any(a => Same(a, values[i]))) return false;
        }
        return true;
    }

    private static bool Same(string a, string b) =>
        a == b || decimal.TryParse(a, NumberStyles.Number, CultureInfo.InvariantCulture, out var x)
                  && decimal.TryParse(b, NumberStyles.Number, CultureInfo.InvariantCulture, out var y) && x == y;

    private static void Restrict(Dictionary<string, HashSet<string>> allowed, string column, IEnumerable<string> values)
    {
        var set = values.ToHashSet(StringComparer.Ordinal);
        if (allowed.TryGetValue(column, out var existing)) existing.IntersectWith(set);
        else allowed[column] = set;
    }

    private static string? Column(Expr e, string alias, bool single) => e switch
    {
        ColumnExpr { Parts.Count: 1 } c when single => c.Parts[0],
        ColumnExpr { Parts.Count: 2 } c when c.Parts[0] == alias => c.Parts[1],
        _ => null,
    };

    private static string? Literal(Expr? e) => e switch
    {
        LiteralExpr { Kind: LiteralKind.String or LiteralKind.Integer or LiteralKind.Decimal } l => l.Text,
        TypedLiteralExpr t => t.Value,
        CastExpr { Operand: LiteralExpr l } => Literal(l),
        _ => null,
    };

    private static IEnumerable<Expr> Conjuncts(Expr e)
    {
        if (e is BinaryExpr { Operator: "AND" } and)
        {
            foreach (var x in Conjuncts(and.Left)) yield return x;
            foreach (var x in Conjuncts(and.Right)) yield return x;
        }
        else yield return e;
    }

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
    private static IEnumerable<object> Nodes(object root)
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
            if (node is not SqlNode && node is not ITuple) continue;
            foreach (var p in node.GetType().GetProperties())
            {
                if (p.GetIndexParameters().Length > 0 || p.Name == "EqualityContract") continue;
                var v = p.GetValue(node);
                if (v is SqlNode or IEnumerable and not string || v is ITuple) stack.Push(v!);
            }
        }
    }
}
