using LocalShift.Engine;
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

    /// <summary>The staged objects kept from the previous statement over external tables (<see cref="ScanStaging"/>).</summary>
    private readonly ScanStaging _staging = new();

    /// <summary>The role sessions of the statement being parsed, described and run.</summary>
    private readonly StatementRoleSessions _roleSessions = new();

    /// <summary>Whether the last statement's scans read only objects staged at the same paths before (its engine text can come again).</summary>
    private bool ScansRepeatable => _scans.Count > 0 && _scans.TrueForAll(s => s.Repeatable);

    private void ReleaseScans()
    {
        if (_scans.Count == 0) return;
        foreach (var scan in _scans) ExternalTables.Release(scan);
        _scans.Clear();
    }

    /// <summary>
    /// DDL of external objects, read from the tree once the names are known: ALTER TABLE of an external table's own
    /// clauses, DROP TABLE of external tables and DROP SCHEMA of external schemas, as the statement its handler runs
    /// (<see cref="StatementHandlers"/>); null for any other statement. Other DDL naming an external table is refused.
    /// </summary>
    private CommandStatement? ExternalDdl(StatementAnalysis analysis)
    {
        if (analysis.Tree is not (AlterExternalTableStatement or DropStatement or AlterTableStatement)) return null;
        var schemas = _database.RedshiftStatements.External is null ? (IReadOnlySet<string>)new HashSet<string>() : _database.ExternalSchemaNames(_engine);
        bool External(QualifiedName name) => name is { Schema: { } schema, Database: null } && schemas.Contains(schema);
        switch (analysis.Tree)
        {
            case AlterExternalTableStatement alter:
                if (!External(alter.Table))
                    // unverified: Redshift's text for an external table's clause on a local table.
                    throw new PgException(SqlState.WrongObjectType, $"\"{alter.Table.Name}\" is not an external table") { Position = alter.Table.Position + 1 };
                return Command(CommandKind.AlterExternalTable, alter);
            case DropStatement { ObjectKind: "SCHEMA" } drop:
            {
                var external = drop.Names.Count(n => n.Parts.Count == 1 && schemas.Contains(n.Name));
                if (external == 0)
                {
                    if (drop.DropExternalDatabase)
                        // unverified: Redshift's text for DROP EXTERNAL DATABASE of a local schema.
                        throw new PgException(SqlState.WrongObjectType, $"schema \"{drop.Names[0].Name}\" is not an external schema");
                    return null;
                }
                if (external != drop.Names.Count)
                    // unverified: Redshift's text.
                    throw new PgException(SqlState.FeatureNotSupported, "DROP SCHEMA of external and local schemas in one statement is not supported by LocalShift");
                return Command(CommandKind.DropExternalSchema, drop);
            }
            case DropStatement drop:
            {
                var external = drop.Names.Count(External);
                if (external == 0) return null;
                if (drop.ObjectKind != "TABLE" || external != drop.Names.Count)
                    // unverified: Redshift's text for other changes to an external table.
                    throw new PgException(SqlState.FeatureNotSupported, "Operation not supported on external tables");
                return Command(CommandKind.DropExternalTable, drop);
            }
            case AlterTableStatement alter when External(alter.Table):
                // unverified: Redshift's text for other changes to an external table.
                throw new PgException(SqlState.FeatureNotSupported, "Operation not supported on external tables");
            default:
                return null;
        }

        CommandStatement Command(CommandKind kind, Statement tree) => new(kind, analysis.Significant) { Tree = tree };
    }

    /// <summary>
    /// <c>INSERT INTO s.t query</c> of an external table: its schema, the table's name and the query as a statement of
    /// its own (checked, described and run as any query); null for any other statement.
    /// </summary>
    private (ExternalSchema Schema, string Table, StatementAnalysis Source)? ExternalInsert(StatementAnalysis analysis)
    {
        var s = analysis.Significant;
        if (s.Count < 4 || !s[0].Is("INSERT") || analysis.Tree is not InsertStatement insert) return null;
        if (insert.Table.Schema is not { } schemaName || insert.Table.Database is not null || _database.RedshiftStatements.External is null) return null;
        if (!_database.ExternalSchemaNames(_engine).Contains(schemaName)) return null;
        // INSERT INTO name: as many name parts as the tree read, then the query.
        var at = 2;
        for (var parts = 0; at < s.Count && parts < insert.Table.Parts.Count; at++)
            if (s[at].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) parts++;
        if (insert.Columns.Count > 0 || insert.Source is null || insert.DefaultValues || at >= s.Count)
            // Redshift: INSERT INTO external_schema.table_name select_statement (no column list, no VALUES).
            // unverified: Redshift's text.
            throw new PgException(SqlState.FeatureNotSupported, "INSERT into an external table takes a SELECT query, without a column list");
        var schema = _database.FindExternalSchema(_engine, schemaName)!;
        return (schema, insert.Table.Name, Analyze(analysis.Sql[SignificantOffset(analysis, at)..]));
    }

    /// <summary>Where the significant token <paramref name="index"/> starts in the statement's text.</summary>
    private static int SignificantOffset(StatementAnalysis analysis, int index)
    {
        var offset = 0;
        var seen = -1;
        foreach (var token in analysis.Tokens)
        {
            if (!token.IsTrivia && ++seen == index) return offset;
            offset += token.Text.Length;
        }
        return offset;
    }

    /// <summary>
    /// INSERT INTO an external table: the query runs as any query of the session (USAGE on the schemas it reads,
    /// privileges on its local tables, external tables read through their roles), and its rows are written to S3 and
    /// the catalog as the target schema's role (<see cref="ExternalTables.Insert"/>).
    /// </summary>
    private CommandResult RunExternalInsert(ExternalSchema schema, string table, StatementAnalysis source)
    {
        RefuseInBlock("INSERT (external table)");
        if (!User.Superuser && !_database.Users.Holds(User.Name, "schema", schema.Name, "", "usage"))
            throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for schema {schema.Name}");
        var query = ExternalWriteSource(source);
        var rows = _database.RedshiftStatements.External!.Insert(RedshiftContext(), schema, table, query);
        return new CommandResult($"INSERT 0 {rows}");
    }

    /// <summary>
    /// CREATE EXTERNAL TABLE … AS query (a Redshift statement whose query the session must check and translate, so
    /// it is run here rather than by the Redshift handler); null for any other statement.
    /// </summary>
    private IPgResult? TryExternalTableAs(StatementAnalysis analysis)
    {
        var s = analysis.Significant;
        if (s.Count < 4 || !s[0].Is("CREATE") || !s[1].Is("EXTERNAL") || !s[2].Is("TABLE") || _database.RedshiftStatements.External is not { } external) return null;
        if (!s.Any(t => t.Is("AS"))) return null;
        var statement = ExternalStatements.ParseCreateTable(s);
        if (statement.QueryAt is not { } at) return null;
        RefuseInBlock("CREATE EXTERNAL TABLE");
        var source = Analyze(analysis.Sql[SignificantOffset(analysis, at)..]);
        var declared = DeclaredTypes(source);
        var query = ExternalWriteSource(source);
        var tag = external.CreateTableAs(RedshiftContext(), statement, query, out _, declared);
        _database.SchemaChanged();
        return new CommandResult(tag);
    }

    /// <summary>
    /// The declared Redshift type (<c>character varying(10)</c>, <c>character(2)</c>, …) of each result column of a
    /// query that reads a column of a local table as it is (<c>SELECT a, t.b, * FROM t</c>, one table in FROM), null
    /// for any other column; null when no column is such. CREATE EXTERNAL TABLE AS writes a VARCHAR's length into the
    /// catalog from it, as the engine keeps no length through a query.
    /// </summary>
    private string?[]? DeclaredTypes(StatementAnalysis analysis)
    {
        if (analysis.Tree is not QueryStatement { Query: { With.Count: 0, Body: SelectCore { From: [TableFrom table], Into: null } core } }) return null;
        var name = table.Name;
        if (name.Schema is { } schema && _database.ExternalSchemaNames(_engine).Contains(schema)) return null;
        schema = name.Schema ?? SchemaOf?.Invoke(name.Name) ?? "public";
        var declared = new List<(string Column, string Type)>();
        using (var result = _engine.Query("SELECT column_name, type_name FROM main.ls_column_defs WHERE table_schema = " +
                                          $"{TokenCursor.QuoteLiteral(schema)} AND table_name = {TokenCursor.QuoteLiteral(name.Name)} ORDER BY ordinal_position"))
            while (result.Read())
                declared.Add(((string)result.GetValue(0)!, (string)result.GetValue(1)!));
        if (declared.Count == 0) return null;
        var types = new List<string?>();
        var alias = table.Alias?.Name ?? name.Name;
        foreach (var item in core.Items)
            switch (item.Expression)
            {
                case StarExpr:
                case ColumnExpr { Parts: [var qualifier, "*"] } when qualifier == alias:
                    types.AddRange(declared.Select(d => (string?)d.Type));
                    break;
                case ColumnExpr { Parts: [.., var column] } reference when reference.Parts.Count == 1 || reference.Parts[^2] == alias:
                    types.Add(declared.FirstOrDefault(d => d.Column == column).Type);
                    break;
                default:
                    types.Add(null);
                    break;
            }
        return types.Any(t => t is not null) ? types.ToArray() : null;
    }

    /// <summary>Redshift runs writes to external tables only outside a transaction block.</summary>
    private void RefuseInBlock(string statement)
    {
        if (_status == TransactionStatus.InBlock)
            // unverified: Redshift's text; PostgreSQL words it "X cannot run inside a transaction block".
            throw new PgException(SqlState.ActiveSqlTransaction, $"{statement} cannot run inside a transaction block");
    }

    /// <summary>The query of a write to an external table, checked and in the engine's dialect, its external tables' views made.</summary>
    private string ExternalWriteSource(StatementAnalysis source)
    {
        if (source.Kind != StatementKind.EngineQuery || source.Tree is not (null or QueryStatement) || source.Significant.Count == 0
            || !(source.Significant[0].IsAny("SELECT", "WITH", "VALUES") || source.Significant[0].Kind == SqlTokenKind.LeftParen))
            throw new PgException(SqlState.SyntaxError, "a write to an external table takes a SELECT query");
        if (source.Tree is QueryStatement { Query.Limit: not null })
            // Redshift's usage notes: the outer SELECT of CREATE EXTERNAL TABLE AS / INSERT (external table) takes no
            // LIMIT; a nested one (SELECT * FROM (SELECT … LIMIT n)) is allowed.
            // unverified: Redshift's text.
            throw new PgException(SqlState.FeatureNotSupported, "LIMIT is not supported in the outer SELECT of a write to an external table; use a nested LIMIT clause instead");
        var external = ExternalReferences(source);
        var calls = ExternalCalls(source);
        Authorize(source, external, calls);
        MaterializeQueryLog(source);
        var translated = external.Count == 0 && calls.Count == 0 ? Translate(source) : TranslateExternal(source, external, describeOnly: false, calls);
        RunPreStatements(translated);
        return translated.Sql.TrimEnd().TrimEnd(';');
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
        if (references.Count == 0) return RedshiftTranslator.Translate(Apply(analysis.Sql, edits), Sites(analysis).Through(edits), Translation);
        // A table read once may skip the partitions its WHERE rules out; one read twice (a self-join) reads them all.
        var filters = new Dictionary<ExternalReference, PartitionPredicate>();
        foreach (var group in references.GroupBy(r => r.Table).Where(g => g.Count() == 1))
            if (analysis.Tree is { } tree && PartitionFilter.For(tree, group.First().Access.Name) is { } filter)
                filters[group.Key] = filter;
        var pseudoColumns = analysis.Tree is { } named && PartitionFilter.NamesPseudoColumns(named);
        _roleSessions.For(analysis.Sql);
        if (!describeOnly) _staging.Begin();
        ScanTrace.Mark("filters");
        var scan = _database.RedshiftStatements.External!.Prepare(RedshiftContext(), references.Select(r => r.Table).ToList(), describeOnly, filters, pseudoColumns, _roleSessions,
            name => _database.FindExternalSchema(_engine, name), _staging);
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
        var translated = RedshiftTranslator.Translate(Apply(sql, edits), Sites(analysis).Through(edits), Translation);
        return translated with { Sql = scan.Inline(translated.Sql) };
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
