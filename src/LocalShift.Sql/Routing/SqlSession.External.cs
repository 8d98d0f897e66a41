using LocalShift.Sql.Dialect;
using LocalShift.Sql.External;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

// External schemas and tables (Redshift Spectrum): the DDL routed to the Redshift handler, and statements that read
// external tables run over per-statement views of the files read through the schema's role.
internal sealed partial class SqlSession
{
    /// <summary>The views and staged files of the last statement over external tables, released before the next one.</summary>
    private readonly List<ExternalScan> _scans = [];

    /// <summary>The role sessions of the statement being parsed, described and run.</summary>
    private readonly StatementRoleSessions _roleSessions = new();

    private void ReleaseScans()
    {
        if (_scans.Count == 0) return;
        foreach (var scan in _scans) ExternalTables.Release(_engine, scan);
        _scans.Clear();
    }

    /// <summary>
    /// The DDL of external objects the engine's parser does not know or must not run alone: DROP SCHEMA of an
    /// external schema (with DROP EXTERNAL DATABASE), DROP TABLE and ALTER TABLE … PARTITION of an external table.
    /// </summary>
    private IPgResult? TryExternalDdl(StatementAnalysis analysis)
    {
        var s = analysis.Significant;
        if (s.Count < 3 || !s[0].IsAny("DROP", "ALTER")) return null;
        if (_database.RedshiftStatements.External is not { } external) return null;
        var schemas = _database.ExternalSchemaNames(_engine);
        if (schemas.Count == 0) return null;
        var at = 2;
        var ifExists = false;
        if (s.Count > at + 1 && s[at].Is("IF") && s[at + 1].Is("EXISTS")) { at += 2; ifExists = true; }
        if (at >= s.Count || s[at].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) return null;
        var first = s[at].Identifier;
        var qualified = at + 2 < s.Count && s[at + 1].Kind == SqlTokenKind.Dot;
        var context = RedshiftContext();
        if (s[0].Is("DROP") && s[1].Is("SCHEMA") && schemas.Contains(first))
        {
            _database.SchemaChanged();
            var schema = ExternalSchemas.Find(_engine, first)!;
            return new CommandResult(external.DropSchema(context, schema, s));
        }
        if (!qualified || !schemas.Contains(first)) return null;
        var table = s[at + 2].Identifier;
        if (s[0].Is("DROP") && s[1].Is("TABLE"))
            return new CommandResult(external.DropTable(context, ExternalSchemas.Find(_engine, first)!, table, ifExists));
        if (s[0].Is("ALTER") && s[1].Is("TABLE") && s.Skip(at + 3).Any(t => t.Is("PARTITION")))
            return new CommandResult(external.AlterPartitions(context, ExternalSchemas.Find(_engine, first)!, s));
        // unverified: Redshift's text for other changes to an external table.
        throw new PgException(SqlState.FeatureNotSupported, "Operation not supported on external tables");
    }

    /// <summary>The external tables a statement names, checked: only read, and USAGE on their schemas.</summary>
    private List<(RelationAccess Access, ExternalReference Table)> ExternalReferences(StatementAnalysis analysis)
    {
        if (analysis.Tree is null || _database.RedshiftStatements.External is null) return [];
        var schemas = _database.ExternalSchemaNames(_engine);
        if (schemas.Count == 0) return [];
        var access = analysis.Access ??= StatementAccess.Of(analysis.Tree);
        var found = new List<(RelationAccess, ExternalReference)>();
        foreach (var relation in access.Relations)
        {
            if (relation.Name.Schema is not { } schema || !schemas.Contains(schema) || relation.Name.Database is not null) continue;
            if (relation.Use != RelationUse.Select)
                // unverified: Redshift's text for writing to an external table this way.
                throw new PgException(SqlState.FeatureNotSupported, "Operation not supported on external tables") { Position = relation.Name.Position + 1 };
            if (!User.Superuser && !_database.Users.Holds(User.Name, "schema", schema, "", "usage"))
                throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for schema {schema}") { Position = relation.Name.Position + 1 };
            found.Add((relation, new ExternalReference(schema, relation.Name.Name)));
        }
        return found;
    }

    /// <summary>
    /// A statement over external tables in the engine's dialect: each external table made a view for this statement
    /// (<see cref="ExternalTables.Prepare"/>) and its name in the text replaced by the view's, keeping the name it
    /// was referred to by as an alias.
    /// </summary>
    private TranslatedStatement TranslateExternal(StatementAnalysis analysis, List<(RelationAccess Access, ExternalReference Table)> references, bool describeOnly,
        List<(FunctionAccess Call, ExternalFunction Function)>? calls = null)
    {
        ReleaseScans();
        var edits = new List<(int Start, int End, string Text)>();
        if (calls is { Count: > 0 }) edits.AddRange(CallEdits(analysis, calls, PrepareCalls(calls, describeOnly)));
        if (references.Count == 0) return RedshiftTranslator.Translate(Apply(analysis.Sql, edits), Translation);
        // A table read once may skip the partitions its WHERE rules out; one read twice (a self-join) reads them all.
        var filters = new Dictionary<ExternalReference, PartitionPredicate>();
        foreach (var group in references.GroupBy(r => r.Table).Where(g => g.Count() == 1))
            if (analysis.Tree is { } tree && PartitionFilter.For(tree, group.First().Access.Name) is { } filter)
                filters[group.Key] = filter;
        var pseudoColumns = analysis.Tree is { } named && PartitionFilter.NamesPseudoColumns(named);
        _roleSessions.For(analysis.Sql);
        var scan = _database.RedshiftStatements.External!.Prepare(RedshiftContext(), references.Select(r => r.Table).ToList(), describeOnly, filters, pseudoColumns, _roleSessions);
        _scans.Add(scan);
        var sql = analysis.Sql;
        var offsets = new List<int>(analysis.Tokens.Count);
        var offset = 0;
        foreach (var token in analysis.Tokens)
        {
            offsets.Add(offset);
            offset += token.Text.Length;
        }
        foreach (var (access, table) in references)
        {
            var i = offsets.BinarySearch(access.Name.Position);
            if (i < 0) continue;
            var j = i;
            // The name: word (. word)*, as many parts as the tree read.
            var parts = 0;
            while (j < analysis.Tokens.Count && parts < access.Name.Parts.Count)
            {
                if (analysis.Tokens[j].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) parts++;
                j++;
            }
            var end = j < offsets.Count ? offsets[j] : sql.Length;
            var next = analysis.Tokens.Skip(j).FirstOrDefault(t => !t.IsTrivia);
            var aliased = next.Text is not null && (next.Is("AS") || next.Kind == SqlTokenKind.QuotedIdentifier
                          || next.Kind == SqlTokenKind.Word && !NotAnAlias.Contains(next.Text));
            edits.Add((access.Name.Position, end, TokenCursor.QuoteIdentifier(scan.Views[table]) + (aliased ? "" : " AS " + TokenCursor.QuoteIdentifier(table.Table))));
        }
        return RedshiftTranslator.Translate(Apply(sql, edits), Translation);
    }

    /// <summary>Text edits at the tree's positions, which never overlap, applied from the last to the first.</summary>
    private static string Apply(string sql, List<(int Start, int End, string Text)> edits)
    {
        var text = new System.Text.StringBuilder(sql);
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
            text.Remove(start, end - start).Insert(start, replacement);
        return text.ToString();
    }

    /// <summary>Words that may follow a table in FROM without being its alias.</summary>
    private static readonly HashSet<string> NotAnAlias = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "ON", "USING", "GROUP", "ORDER", "LIMIT",
        "OFFSET", "UNION", "INTERSECT", "EXCEPT", "MINUS", "HAVING", "WINDOW", "QUALIFY", "FETCH", "FOR", "SET", "VALUES",
        "RETURNING", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "TABLESAMPLE", "OUTER", "LATERAL", "PIVOT", "UNPIVOT",
    };
}
