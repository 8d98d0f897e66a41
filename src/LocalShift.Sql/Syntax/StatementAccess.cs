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
    private readonly List<HashSet<string>> _ctes = [];

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
        var access = new StatementAccess();
        access.Visit(statement);
        return access;
    }

    public static StatementAccess OfQuery(Query query)
    {
        var access = new StatementAccess();
        access.Visit(query);
        return access;
    }

    private void Relation(QualifiedName name, RelationUse use)
    {
        if (name.Parts.Count == 1 && use == RelationUse.Select)
            foreach (var scope in _ctes)
                if (scope.Contains(name.Name)) return;
        _relations.Add(new RelationAccess(name, use));
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
        var scope = new HashSet<string>(StringComparer.Ordinal);
        _ctes.Add(scope);
        try
        {
            foreach (var cte in query.With)
            {
                // A recursive CTE sees itself; an ordinary one sees only those before it.
                if (query.Recursive) scope.Add(cte.Name);
                Visit(cte.Query);
                scope.Add(cte.Name);
            }
            Visit(query.Body);
            foreach (var o in query.OrderBy) Visit(o.Expression);
            Visit(query.Limit);
            Visit(query.Offset);
        }
        finally { _ctes.RemoveAt(_ctes.Count - 1); }
    }

    private void Visit(QueryBody body)
    {
        StackDepth.Ensure();
        switch (body)
        {
            case SelectCore s:
                foreach (var e in s.DistinctOn) Visit(e);
                Visit(s.Top);
                foreach (var item in s.Items) Visit(item.Expression);
                if (s.Into is not null) Relation(s.Into, RelationUse.Create);
                Visit(s.From);
                Visit(s.Where);
                foreach (var g in s.GroupBy) foreach (var e in g.Expressions) Visit(e);
                Visit(s.Having);
                Visit(s.Qualify);
                foreach (var (_, w) in s.Windows) Visit(w);
                break;
            case SetOperation { Left: not SetOperation } op:
                Visit(op.Left);
                Visit(op.Right);
                break;
            case SetOperation op:
            {
                // A chain of set operations is a left-deep tree as long as the chain (a generated 20,000-term UNION ALL):
                // walked along its left spine, not recursively, in the order the terms are written.
                var spine = new Stack<SetOperation>();
                QueryBody left = op;
                while (left is SetOperation set) { spine.Push(set); left = set.Left; }
                Visit(left);
                while (spine.Count > 0) Visit(spine.Pop().Right);
                break;
            }
            case ValuesBody v:
                foreach (var row in v.Rows) foreach (var e in row) Visit(e);
                break;
            case NestedQuery n:
                Visit(n.Query);
                break;
        }
    }

    private void Visit(IReadOnlyList<FromItem> items)
    {
        foreach (var item in items) Visit(item);
    }

    private void Visit(FromItem item)
    {
        StackDepth.Ensure();
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
                var spine = new Stack<JoinFrom>();
                FromItem left = j;
                while (left is JoinFrom join) { spine.Push(join); left = join.Left; }
                Visit(left);
                while (spine.Count > 0)
                {
                    var join = spine.Pop();
                    Visit(join.Right);
                    Visit(join.On);
                }
                break;
            }
        }
    }

    private void Visit(IReadOnlyList<SelectItem> items)
    {
        foreach (var item in items) Visit(item.Expression);
    }

    private void Visit(WindowSpec? window)
    {
        if (window is null) return;
        foreach (var e in window.PartitionBy) Visit(e);
        foreach (var o in window.OrderBy) Visit(o.Expression);
        if (window.Frame is { } frame)
        {
            Visit(frame.Start.Offset);
            Visit(frame.End?.Offset);
        }
    }

    private void VisitCall(FunctionExpr f, bool table)
    {
        _functions.Add(new FunctionAccess(f.Name, f.Arguments, table));
        foreach (var a in f.Arguments) Visit(a);
        foreach (var o in f.OrderBy) Visit(o.Expression);
        foreach (var o in f.WithinGroup) Visit(o.Expression);
        Visit(f.Filter);
        Visit(f.Over);
    }

    private void Visit(Expr? expr)
    {
        StackDepth.Ensure();
        switch (expr)
        {
            case null:
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
                var spine = new Stack<BinaryExpr>();
                Expr left = b;
                while (left is BinaryExpr binary) { spine.Push(binary); left = binary.Left; }
                Visit(left);
                while (spine.Count > 0) Visit(spine.Pop().Right);
                return;
            }
            case CastExpr c:
                Visit(c.Operand);
                return;
            case CaseExpr c:
                Visit(c.Operand);
                foreach (var (when, then) in c.Branches) { Visit(when); Visit(then); }
                Visit(c.Else);
                return;
            case BetweenExpr b:
                Visit(b.Operand);
                Visit(b.Low);
                Visit(b.High);
                return;
            case InListExpr i:
                Visit(i.Operand);
                foreach (var e in i.Items) Visit(e);
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
                foreach (var e in a.Items) Visit(e);
                return;
            case RowExpr r:
                foreach (var e in r.Items) Visit(e);
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
                foreach (var e in s.Arguments) Visit(e);
                return;
            case AtTimeZoneExpr a:
                Visit(a.Operand);
                Visit(a.Zone);
                return;
        }
    }
}
