using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// What the parse tree tells the translator about a statement's text, as positions in it: the divisions to guard
/// (<see cref="DivisionGuard"/>), the table-function aliases that name their column (<see cref="TableFunctionColumns"/>)
/// and every call, cast, type, value keyword and cast literal the dialect may rewrite (<see cref="Statement.Rewrites"/>),
/// and the names of the result columns PostgreSQL names otherwise than the engine (<see cref="ResultColumnNames"/>).
/// The translator applies them to the tokens it already has: nothing is lexed or parsed again.
/// </summary>
public sealed record TranslationSites(IReadOnlyList<DivisionSite> Divisions, IReadOnlyList<int> ColumnAliases, IReadOnlyList<RewriteSite> Rewrites)
{
    /// <summary>A statement without a tree (LocalShift's own, or one the parser does not read): nothing to place.</summary>
    public static readonly TranslationSites None = new([], [], []);

    /// <summary>The aliases of the unaliased result columns, at the ends of their items, in text order.</summary>
    public IReadOnlyList<ColumnName> Names { get; init; } = [];

    /// <summary>A CREATE TABLE, whose Redshift clauses the translator drops or translates at the places it gives (<see cref="CreateTableRewriter"/>).</summary>
    public CreateTableStatement? CreateTable { get; init; }

    /// <summary>Clauses the engine has no place for, which the translator drops as the tree placed them (ALTER TABLE … ADD COLUMN's ENCODE).</summary>
    public IReadOnlyList<TextSpan> Dropped { get; init; } = [];

    public static TranslationSites Of(Statement tree, StatementAccess access)
    {
        var aliases = TableFunctionColumns.Aliases(access);
        var names = ResultColumnNames.Of(tree);
        var create = tree as CreateTableStatement;
        IReadOnlyList<TextSpan> dropped = tree is AlterTableStatement { Clauses.Count: > 0 } alter
            ? alter.Clauses.Where(c => c.Kind == ColumnClauseKind.Encode).Select(c => c.Span).ToList()
            : [];
        return tree.Divisions.Count == 0 && aliases.Count == 0 && tree.Rewrites.Count == 0 && names.Count == 0 && create is null && dropped.Count == 0
            ? None
            : new TranslationSites(tree.Divisions, aliases, tree.Rewrites) { Names = names, CreateTable = create, Dropped = dropped };
    }

    /// <summary>Where a CREATE TABLE's list and attributes end: the places the rewrite reads are all before it.</summary>
    private static int ClausesEnd(CreateTableStatement create)
    {
        var end = create.ElementList.End;
        foreach (var attribute in create.Attributes) end = Math.Max(end, attribute.Span.End);
        return end;
    }

    /// <summary>
    /// The same sites in the text after <paramref name="edits"/> (ranges replaced by new text, none overlapping): a
    /// position after an edit moves by what it added; one inside a replaced range has no place there and is dropped
    /// (a division then with the whole site), except at its ends, which map to the replacement's.
    /// </summary>
    public TranslationSites Through(IReadOnlyList<(int Start, int End, string Text)> edits)
    {
        if (edits.Count == 0 || this == None) return this;
        var ordered = edits.OrderBy(e => e.Start).ToList();
        int? Map(int position, bool end)
        {
            var shift = 0;
            foreach (var (start, stop, text) in ordered)
            {
                if (end ? position <= start : position < start) break;
                if (!end && position == start) return position + shift;
                if (end && position == stop) return start + shift + text.Length;
                if (position < stop) return null;
                shift += text.Length - (stop - start);
            }
            return position + shift;
        }
        var divisions = new List<DivisionSite>(Divisions.Count);
        foreach (var site in Divisions)
            if (Map(site.Start, false) is { } start && Map(site.Operator, false) is { } op && Map(site.End, true) is { } stop)
                divisions.Add(site with { Start = start, Operator = op, End = stop });
        var aliases = new List<int>(ColumnAliases.Count);
        foreach (var alias in ColumnAliases)
            if (Map(alias, false) is { } moved) aliases.Add(moved);
        TextSpan? MapSpan(TextSpan? span, ref bool lost)
        {
            if (span is not { } s) return null;
            if (Map(s.Start, false) is { } start && Map(s.End, true) is { } stop) return new TextSpan(start, stop);
            lost = true;
            return null;
        }
        var rewrites = new List<RewriteSite>(Rewrites.Count);
        foreach (var site in Rewrites)
        {
            if (Map(site.Start, false) is not { } start || Map(site.End, true) is not { } stop) continue;
            var lost = false;
            var arguments = new List<TextSpan>(site.Arguments.Count);
            foreach (var argument in site.Arguments) if (MapSpan(argument, ref lost) is { } span) arguments.Add(span);
            var moved = site with
            {
                Start = start, End = stop, Arguments = arguments, Type = MapSpan(site.Type, ref lost), WithinGroup = MapSpan(site.WithinGroup, ref lost),
                Filter = MapSpan(site.Filter, ref lost), Over = MapSpan(site.Over, ref lost),
            };
            if (!lost) rewrites.Add(moved);
        }
        var names = new List<ColumnName>(Names.Count);
        foreach (var name in Names)
            if (Map(name.At, true) is { } at) names.Add(name with { At = at });
        // A CREATE TABLE's places stay where they were when every edit comes after them (a table or a call of its AS
        // query); an edit among them would leave its clauses to the engine, which refuses them.
        var create = CreateTable is { } c && ordered.All(e => e.Start >= ClausesEnd(c)) ? c : null;
        var dropped = new List<TextSpan>(Dropped.Count);
        foreach (var span in Dropped)
            if (Map(span.Start, false) is { } start && Map(span.End, true) is { } stop) dropped.Add(new TextSpan(start, stop));
        return new TranslationSites(divisions, aliases, rewrites) { Names = names, CreateTable = create, Dropped = dropped };
    }
}
