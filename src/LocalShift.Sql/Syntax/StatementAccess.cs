using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LocalShift.Sql.Syntax;

/// <summary>How a statement uses a relation.</summary>
public enum RelationUse { Select, Insert, Update, Delete, Truncate, References, Own, Create }

/// <summary>A relation a statement names, with what it does to it.</summary>
public sealed record RelationAccess(QualifiedName Name, RelationUse Use);

/// <summary>A function a statement calls; <paramref name="Table"/> when it stands in FROM.</summary>
public sealed record FunctionAccess(QualifiedName Name, IReadOnlyList<Expr> Arguments, bool Table);

/// <summary>
/// Everything a statement touches, read from its tree: every relation in every position (FROM, JOIN, subqueries
/// in any clause, CTE bodies, set operations, INSERT/UPDATE/DELETE/MERGE targets and sources, the tables DDL names)
/// and every function it calls. Names of common table expressions are resolved against their scope, so a CTE
/// shadows a table of the same name only where it is visible.
/// </summary>
public sealed class StatementAccess
{
    private readonly List<RelationAccess> _relations = [];
    private readonly List<FunctionAccess> _functions = [];
    private readonly List<FunctionFrom> _tableFunctions = [];
    /// <summary>The names of the common table expressions visible where the walk is, innermost last (few: a linear scan).</summary>
    private List<string>? _ctes;
    /// <summary>The left spines of the chains being walked (set operations, joins, binary operators), shared by all of them.</summary>
    private SqlNode[] _spine = [];
    private int _spineCount;
    /// <summary>How deep the walk is: the stack is checked every few levels (<see cref="Deeper"/>), not at every node.</summary>
    private int _depth;

    public IReadOnlyList<RelationAccess> Relations => _relations;

    /// <summary>The same access without some relations (those checked elsewhere: external tables).</summary>
    public StatementAccess Without(IReadOnlySet<RelationAccess> relations)
    {
        var copy = new StatementAccess();
        copy._relations.AddRange(_relations.Where(r => !relations.Contains(r)));
        copy._functions.AddRange(_functions);
        copy._tableFunctions.AddRange(_tableFunctions);
        return copy;
    }
    public IReadOnlyList<FunctionAccess> Functions => _functions;

    /// <summary>The function calls that stand in FROM, with their aliases.</summary>
    public IReadOnlyList<FunctionFrom> TableFunctions => _tableFunctions;

    /// <summary>The same access without some function calls (those checked elsewhere: external functions).</summary>
    public StatementAccess WithoutFunctions(IReadOnlySet<FunctionAccess> functions)
    {
        var copy = new StatementAccess();
        copy._relations.AddRange(_relations);
        copy._functions.AddRange(_functions.Where(f => !functions.Contains(f)));
        copy._tableFunctions.AddRange(_tableFunctions);
        return copy;
    }

    public static StatementAccess Of(Statement statement)
    {
        StackDepth.Ensure();
        var access = new StatementAccess();
        access.Visit(statement);
        return access;
    }

    public static StatementAccess OfQuery(Query query)
    {
        StackDepth.Ensure();
        var access = new StatementAccess();
        access.Visit(query);
        return access;
    }

    private void Relation(QualifiedName name, RelationUse use)
    {
        if (_ctes is { Count: > 0 } ctes && name.Parts.Count == 1 && use == RelationUse.Select)
        {
            var unqualified = name.Name;
            foreach (var cte in CollectionsMarshal.AsSpan(ctes))
                if (string.Equals(cte, unqualified, StringComparison.Ordinal)) return;
        }
        _relations.Add(new RelationAccess(name, use));
    }

    /// <summary>
    /// One level deeper: the stack is checked on every eighth level (a level is a few frames of this walk; the check
    /// at entry and every eighth level keep far more than those levels need in reserve), so a tree as deep as the
    /// stack allows gives PostgreSQL's error rather than an overflow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Deeper()
    {
        if ((++_depth & 7) == 0) StackDepth.Ensure();
    }

    private void Push(SqlNode node)
    {
        if (_spineCount == _spine.Length) Array.Resize(ref _spine, Math.Max(8, _spine.Length * 2));
        _spine[_spineCount++] = node;
    }

    private SqlNode Pop()
    {
        var node = _spine[--_spineCount];
        _spine[_spineCount] = null!;
        return node;
    }

    /// <summary>Each of <paramref name="items"/>: the parser's lists are read as spans, without an enumerator.</summary>
    private void VisitAll(IReadOnlyList<Expr> items)
    {
        if (items is List<Expr> list)
            foreach (var e in CollectionsMarshal.AsSpan(list)) Visit(e);
        else
            for (var k = 0; k < items.Count; k++) Visit(items[k]);
    }

    private void VisitAll(IReadOnlyList<OrderItem> items)
    {
        if (items is List<OrderItem> list)
            foreach (var o in CollectionsMarshal.AsSpan(list)) Visit(o.Expression);
        else
            for (var k = 0; k < items.Count; k++) Visit(items[k].Expression);
    }

    private void Visit(Statement statement)
    {
        switch (statement)
        {
            case QueryStatement q:
                Visit(q.Query);
                break;
            case InsertStatement i:
                Relation(i.Table, RelationUse.Insert);
                if (i.Source is not null) Visit(i.Source);
                Visit(i.Returning);
                break;
            case UpdateStatement u:
                Relation(u.Table, RelationUse.Update);
                foreach (var a in u.Set) Visit(a.Value);
                Visit(u.From);
                Visit(u.Where);
                Visit(u.Returning);
                break;
            case DeleteStatement d:
                Relation(d.Table, RelationUse.Delete);
                Visit(d.Using);
                Visit(d.Where);
                Visit(d.Returning);
                break;
            case MergeStatement m:
                Visit(m.Source);
                Visit(m.On);
                foreach (var clause in m.Clauses)
                {
                    Relation(m.Table, clause.Action switch { "UPDATE" => RelationUse.Update, "DELETE" => RelationUse.Delete, _ => RelationUse.Insert });
                    Visit(clause.Condition);
                    foreach (var a in clause.Set) Visit(a.Value);
                    foreach (var v in clause.Values) Visit(v);
                }
                break;
            case CreateTableStatement c:
                Relation(c.Table, RelationUse.Create);
                foreach (var column in c.Columns) foreach (var e in column.Expressions) Visit(e);
                foreach (var e in c.Checks) Visit(e);
                foreach (var r in c.References) Relation(r, RelationUse.References);
                if (c.Like is not null) Relation(c.Like, RelationUse.Select);
                if (c.AsQuery is not null) Visit(c.AsQuery);
                break;
            case CreateViewStatement v:
                Relation(v.View, RelationUse.Create);
                Visit(v.Query);
                break;
            case DropStatement d:
                if (d.ObjectKind != "SCHEMA") foreach (var n in d.Names) Relation(n, RelationUse.Own);
                break;
            case AlterTableStatement a:
                Relation(a.Table, RelationUse.Own);
                if (a.Action == "RENAME" && a.NewName is not null)
                    Relation(new QualifiedName([.. a.Table.Parts.SkipLast(1), a.NewName], a.Table.Position), RelationUse.Create);
                foreach (var e in a.Expressions) Visit(e);
                foreach (var r in a.References) Relation(r, a.Action == "APPEND" ? RelationUse.Delete : RelationUse.References);
                break;
            case RefreshMaterializedViewStatement r:
                Relation(r.View, RelationUse.Own);
                break;
            case AlterMaterializedViewStatement a:
                Relation(a.View, RelationUse.Own);
                break;
            case AlterExternalTableStatement x:
                Relation(x.Table, RelationUse.Own);
                break;
            case TruncateStatement t:
                Relation(t.Table, RelationUse.Truncate);
                break;
            case CommentStatement c when c.ObjectKind is "TABLE" or "VIEW":
                Relation(c.Name, RelationUse.Own);
                break;
            case CommentStatement c when c.ObjectKind == "COLUMN" && c.Name.Parts.Count >= 2:
                Relation(new QualifiedName([.. c.Name.Parts.SkipLast(1)], c.Name.Position), RelationUse.Own);
                break;
            case ExplainStatement e:
                Visit(e.Statement);
                break;
        }
    }

    private void Visit(Query query)
    {
        Deeper();
        var ctes = _ctes;
        var mark = ctes?.Count ?? 0;
        try
        {
            var with = query.With;
            for (var k = 0; k < with.Count; k++)
            {
                var cte = with[k];
                // A recursive CTE sees itself; an ordinary one sees only those before it.
                if (query.Recursive) (_ctes ??= []).Add(cte.Name);
                Visit(cte.Query);
                if (!query.Recursive) (_ctes ??= []).Add(cte.Name);
            }
            Visit(query.Body);
            VisitAll(query.OrderBy);
            Visit(query.Limit);
            Visit(query.Offset);
        }
        finally
        {
            if (_ctes is { } names && names.Count > mark) names.RemoveRange(mark, names.Count - mark);
            _depth--;
        }
    }

    private void Visit(QueryBody body)
    {
        Deeper();
        switch (body)
        {
            case SelectCore s:
                VisitAll(s.DistinctOn);
                Visit(s.Top);
                Visit(s.Items);
                if (s.Into is not null) Relation(s.Into, RelationUse.Create);
                Visit(s.From);
                Visit(s.Where);
                var groupBy = s.GroupBy;
                for (var k = 0; k < groupBy.Count; k++) VisitAll(groupBy[k].Expressions);
                Visit(s.Having);
                Visit(s.Qualify);
                var windows = s.Windows;
                for (var k = 0; k < windows.Count; k++) Visit(windows[k].Window);
                break;
            case SetOperation { Left: not SetOperation } op:
                Visit(op.Left);
                Visit(op.Right);
                break;
            case SetOperation op:
            {
                // A chain of set operations is a left-deep tree as long as the chain (a generated 20,000-term UNION ALL):
                // walked along its left spine, not recursively, in the order the terms are written.
                var mark = _spineCount;
                QueryBody left = op;
                while (left is SetOperation set) { Push(set); left = set.Left; }
                Visit(left);
                while (_spineCount > mark) Visit(((SetOperation)Pop()).Right);
                break;
            }
            case ValuesBody v:
                foreach (var row in v.Rows) VisitAll(row);
                break;
            case NestedQuery n:
                Visit(n.Query);
                break;
        }
        _depth--;
    }

    private void Visit(IReadOnlyList<FromItem> items)
    {
        if (items is List<FromItem> list)
            foreach (var item in CollectionsMarshal.AsSpan(list)) Visit(item);
        else
            for (var k = 0; k < items.Count; k++) Visit(items[k]);
    }

    private void Visit(FromItem item)
    {
        Deeper();
        switch (item)
        {
            case TableFrom t:
                Relation(t.Name, RelationUse.Select);
                break;
            case SubqueryFrom s:
                Visit(s.Query);
                break;
            case FunctionFrom f:
                _tableFunctions.Add(f);
                VisitCall(f.Function, table: true);
                break;
            case JoinFrom { Left: not JoinFrom } j:
                Visit(j.Left);
                Visit(j.Right);
                Visit(j.On);
                break;
            case JoinFrom j:
            {
                // Joins chain to the left as set operations do.
                var mark = _spineCount;
                FromItem left = j;
                while (left is JoinFrom join) { Push(join); left = join.Left; }
                Visit(left);
                while (_spineCount > mark)
                {
                    var join = (JoinFrom)Pop();
                    Visit(join.Right);
                    Visit(join.On);
                }
                break;
            }
        }
        _depth--;
    }

    private void Visit(IReadOnlyList<SelectItem> items)
    {
        if (items is List<SelectItem> list)
            foreach (var item in CollectionsMarshal.AsSpan(list)) Visit(item.Expression);
        else
            for (var k = 0; k < items.Count; k++) Visit(items[k].Expression);
    }

    private void Visit(WindowSpec? window)
    {
        if (window is null) return;
        VisitAll(window.PartitionBy);
        VisitAll(window.OrderBy);
        if (window.Frame is { } frame)
        {
            Visit(frame.Start.Offset);
            Visit(frame.End?.Offset);
        }
    }

    private void VisitCall(FunctionExpr f, bool table)
    {
        _functions.Add(new FunctionAccess(f.Name, f.Arguments, table));
        VisitAll(f.Arguments);
        VisitAll(f.OrderBy);
        VisitAll(f.WithinGroup);
        Visit(f.Filter);
        Visit(f.Over);
    }

    private void Visit(Expr? expr)
    {
        if (expr is null) return;
        Deeper();
        VisitNode(expr);
        _depth--;
    }

    private void VisitNode(Expr expr)
    {
        switch (expr)
        {
            case ColumnExpr or LiteralExpr:
                return;
            case FunctionExpr f:
                VisitCall(f, table: false);
                return;
            case UnaryExpr u:
                Visit(u.Operand);
                return;
            case BinaryExpr { Left: not BinaryExpr } b:
                Visit(b.Left);
                Visit(b.Right);
                return;
            case BinaryExpr b:
            {
                // A chain (`a OR b OR …`, `a + b + …`) is left-deep as long as it is: walked along its left spine.
                var mark = _spineCount;
                Expr left = b;
                while (left is BinaryExpr binary) { Push(binary); left = binary.Left; }
                Visit(left);
                while (_spineCount > mark) Visit(((BinaryExpr)Pop()).Right);
                return;
            }
            case CastExpr c:
                Visit(c.Operand);
                return;
            case CaseExpr c:
                Visit(c.Operand);
                var branches = c.Branches;
                for (var k = 0; k < branches.Count; k++)
                {
                    var (when, then) = branches[k];
                    Visit(when);
                    Visit(then);
                }
                Visit(c.Else);
                return;
            case BetweenExpr b:
                Visit(b.Operand);
                Visit(b.Low);
                Visit(b.High);
                return;
            case InListExpr i:
                Visit(i.Operand);
                VisitAll(i.Items);
                return;
            case InQueryExpr i:
                Visit(i.Operand);
                Visit(i.Query);
                return;
            case LikeExpr l:
                Visit(l.Operand);
                Visit(l.Pattern);
                Visit(l.Escape);
                return;
            case IsExpr i:
                Visit(i.Operand);
                Visit(i.Other);
                return;
            case ExistsExpr e:
                Visit(e.Query);
                return;
            case SubqueryExpr s:
                Visit(s.Query);
                return;
            case QuantifiedExpr q:
                Visit(q.Operand);
                if (q.Query is not null) Visit(q.Query);
                Visit(q.Array);
                return;
            case ArrayExpr a:
                VisitAll(a.Items);
                return;
            case RowExpr r:
                VisitAll(r.Items);
                return;
            case SubscriptExpr s:
                Visit(s.Operand);
                Visit(s.Index);
                Visit(s.Upper);
                return;
            case FieldExpr f:
                Visit(f.Operand);
                return;
            case SpecialFunctionExpr s:
                VisitAll(s.Arguments);
                return;
            case AtTimeZoneExpr a:
                Visit(a.Operand);
                Visit(a.Zone);
                return;
        }
    }
}
