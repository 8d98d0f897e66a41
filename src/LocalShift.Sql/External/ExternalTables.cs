using System.Text;
using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Services.S3;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>An external table a statement reads, as it names it.</summary>
public sealed record ExternalReference(string Schema, string Table);

/// <summary>
/// What a statement over external tables runs with: for each table, a name standing in its place in the statement's
/// text and the engine's query over the files read from S3 for this statement (written into the engine's text in
/// place of that name, so the engine binds the files once, when the statement runs, and no catalog object is made or
/// dropped), and the staging folders to remove once the statement's rows are read.
/// </summary>
public sealed class ExternalScan
{
    /// <summary>Per table, the quoted-identifier-safe name the statement's text names it by until <see cref="Inline"/>.</summary>
    public Dictionary<ExternalReference, string> Views { get; } = [];

    /// <summary>Per stand-in name, the query over the table's files (or, at Parse/Describe, over no rows).</summary>
    public Dictionary<string, string> Selects { get; } = [];

    public List<string> Folders { get; } = [];

    /// <summary>
    /// Whether every object the scan reads was staged by an earlier statement at the same path (<see cref="ScanStaging"/>):
    /// then the engine's text over them can come again, and may be kept prepared.
    /// </summary>
    public bool Repeatable { get; internal set; }

    /// <summary>The engine's text with each stand-in name (written as a quoted identifier) replaced by its query.</summary>
    public string Inline(string sql)
    {
        foreach (var (name, select) in Selects)
            sql = sql.Replace(QuoteIdentifier(name), "(" + select + ")", StringComparison.Ordinal);
        return sql;
    }
}

/// <summary>
/// The role sessions one statement assumed for its external schemas, kept while its Parse, Describe and Execute
/// messages arrive (each would otherwise assume the role again: an STS session written to the state store each time).
/// Kept for one statement text and at most a minute, so a prepared statement run later assumes the role anew.
/// </summary>
public sealed class StatementRoleSessions
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly Dictionary<(string User, string Schema, string Role), (Principal Principal, DateTimeOffset Until)> _sessions = [];
    private readonly Dictionary<(string User, string Schema, string Table), (CatalogTable Table, DateTimeOffset Until)> _tables = [];
    private string? _statement;

    /// <summary>Forgets every session (and catalog answer) unless <paramref name="sql"/> is the statement they were made for.</summary>
    public void For(string sql)
    {
        if (_statement == sql) return;
        _statement = sql;
        _sessions.Clear();
        _tables.Clear();
    }

    /// <summary>
    /// The table as the catalog described it to this statement's Parse or Describe (GetTable is not asked again);
    /// forgotten once the statement runs (<paramref name="running"/>), so running the same text again reads the catalog again.
    /// </summary>
    internal CatalogTable? FindTable(RedshiftStatementContext context, ExternalSchema schema, string table, DateTimeOffset now, bool running)
    {
        var key = (context.User, schema.Name, table);
        if (!_tables.TryGetValue(key, out var known)) return null;
        if (running) _tables.Remove(key);
        return known.Until > now ? known.Table : null;
    }

    internal void RememberTable(RedshiftStatementContext context, ExternalSchema schema, string name, CatalogTable table, DateTimeOffset now) =>
        _tables.TryAdd((context.User, schema.Name, name), (table, now + Lifetime));

    /// <param name="role">The schema's IAM_ROLE, or its CATALOG_ROLE: each is assumed once per statement.</param>
    internal Principal? Find(RedshiftStatementContext context, ExternalSchema schema, string role, DateTimeOffset now) =>
        _sessions.TryGetValue((context.User, schema.Name, role), out var known) && known.Until > now ? known.Principal : null;

    internal void Remember(RedshiftStatementContext context, ExternalSchema schema, string role, Principal principal, DateTimeOffset now)
    {
        var key = (context.User, schema.Name, role);
        if (!_sessions.ContainsKey(key)) _sessions[key] = (principal, now + Lifetime);
    }
}

/// <summary>
/// Redshift Spectrum over LocalShift's Glue and S3: external schemas name a catalog database and an IAM role; every
/// catalog call and every S3 read is made as that role's session (the role path of COPY), so IAM decides what a
/// statement over external tables may see.
/// </summary>
public sealed partial class ExternalTables(RolePathResolver roles, S3Objects objects, IAuthorizer authorizer, TimeProvider clock, IDataCatalog catalog)
{
    private const string Purpose = "external schema";

    // ---- statements -------------------------------------------------------------------------------------------

    public string CreateSchema(RedshiftStatementContext context, IReadOnlyList<SqlToken> tokens)
    {
        var statement = ExternalStatements.ParseCreateSchema(tokens);
        if (!context.Superuser)
            // unverified: Redshift's text (it asks for superuser, the database owner or CREATE on the database).
            throw new PgException(SqlState.InsufficientPrivilege, "permission denied for database " + context.Database);
        if (statement.Region is { } region && region != context.Region)
            throw new PgException(SqlState.FeatureNotSupported, $"REGION '{region}': LocalShift's external schemas use the data catalog of the cluster's region ({context.Region})");
        var engine = context.Engine;
        if (SchemaExists(engine, statement.Schema))
        {
            if (statement.IfNotExists)
            {
                context.Notice(new PgNotice("INFO", $"Schema \"{statement.Schema}\" already exists", SqlState.DuplicateSchema));
                return "CREATE SCHEMA";
            }
            throw new PgException(SqlState.DuplicateSchema, $"Schema \"{statement.Schema}\" already exists");
        }
        var principal = roles.Resolve(context, statement.Role, Purpose, checkGrant: false);
        // CATALOG_ROLE: the role the catalog is called as (the IAM_ROLE reaches S3); without it, the IAM_ROLE does both.
        if (statement.CatalogRole is { } catalogRole) principal = roles.Resolve(context, catalogRole, Purpose, checkGrant: false);
        Catalog(() =>
        {
            if (catalog.DatabaseExists(principal, context.Region, statement.Database)) return;
            if (!statement.CreateDatabase)
                // unverified: Redshift's text for a catalog database that does not exist.
                throw new PgException(SqlState.UndefinedObject, $"External database \"{statement.Database}\" does not exist in the data catalog; add CREATE EXTERNAL DATABASE IF NOT EXISTS to create it");
            catalog.CreateDatabase(principal, context.Region, statement.Database);
        });
        engine.Execute($"CREATE SCHEMA {QuoteIdentifier(statement.Schema)}");
        ExternalSchemas.Add(engine, new ExternalSchema(statement.Schema, statement.Database, context.Region, statement.Role.Text, context.User, statement.CatalogRole?.Text));
        return "CREATE SCHEMA";
    }

    /// <summary><c>DROP SCHEMA s [, …] [DROP EXTERNAL DATABASE] [CASCADE | RESTRICT]</c> of external schemas (the tree's <see cref="DropStatement"/>).</summary>
    public string DropSchemas(RedshiftStatementContext context, DropStatement drop)
    {
        foreach (var name in drop.Names)
        {
            if (ExternalSchemas.Find(context.Engine, name.Name) is not { } schema)
            {
                if (drop.IfExists) continue;
                throw new PgException(SqlState.InvalidSchemaName, $"schema \"{name.Name}\" does not exist");
            }
            DropSchema(context, schema, drop.DropExternalDatabase);
        }
        return "DROP SCHEMA";
    }

    private void DropSchema(RedshiftStatementContext context, ExternalSchema schema, bool dropDatabase)
    {
        if (!context.Superuser && context.User != schema.Owner)
            throw new PgException(SqlState.InsufficientPrivilege, $"must be owner of schema {schema.Name}");
        if (dropDatabase)
        {
            var principal = CatalogPrincipal(context, schema);
            Catalog(() => catalog.DeleteDatabase(principal, context.Region, schema.Database));
        }
        ExternalSchemas.Remove(context.Engine, schema.Name);
        context.Engine.Execute($"DROP SCHEMA IF EXISTS {QuoteIdentifier(schema.Name)} CASCADE");
    }

    public string CreateTable(RedshiftStatementContext context, IReadOnlyList<SqlToken> tokens)
    {
        var statement = ExternalStatements.ParseCreateTable(tokens);
        var schema = ExternalSchemas.Find(context.Engine, statement.Schema)
                     // unverified: Redshift's text for a schema that is not external.
                     ?? throw new PgException(SqlState.InvalidSchemaName, $"External schema \"{statement.Schema}\" does not exist");
        CheckCreate(context, schema);
        var principal = CatalogPrincipal(context, schema);
        var created = false;
        Catalog(() =>
        {
            if (catalog.GetTable(principal, context.Region, schema.Database, statement.Name) is not null)
            {
                if (statement.IfNotExists) return;
                throw new PgException(SqlState.DuplicateTable, $"relation \"{statement.Name}\" already exists");
            }
            catalog.CreateTable(principal, context.Region, statement.Table with { Database = schema.Database });
            created = true;
        });
        if (!created) context.Notice(new PgNotice("NOTICE", $"relation \"{statement.Name}\" already exists, skipping", SqlState.DuplicateTable));
        return "CREATE EXTERNAL TABLE";
    }

    /// <summary><c>DROP TABLE [IF EXISTS] s.t [, …]</c> of external tables (the tree's <see cref="DropStatement"/>), in the catalog as the role.</summary>
    public string DropTables(RedshiftStatementContext context, DropStatement drop)
    {
        foreach (var name in drop.Names)
            DropTable(context, SchemaOf(context, name), name.Name, drop.IfExists);
        return "DROP TABLE";
    }

    private void DropTable(RedshiftStatementContext context, ExternalSchema schema, string table, bool ifExists)
    {
        CheckCreate(context, schema);
        var principal = CatalogPrincipal(context, schema);
        Catalog(() =>
        {
            if (catalog.GetTable(principal, context.Region, schema.Database, table) is null)
            {
                if (ifExists) return;
                throw new PgException(SqlState.UndefinedTable, $"relation \"{schema.Name}.{table}\" does not exist");
            }
            catalog.DeleteTable(principal, context.Region, schema.Database, table);
        });
    }

    /// <summary>The external schema of a table's name (the session routed it here for being one).</summary>
    private static ExternalSchema SchemaOf(RedshiftStatementContext context, QualifiedName name) =>
        (name.Schema is { } schema ? ExternalSchemas.Find(context.Engine, schema) : null)
        // unverified: Redshift's text for a schema that is not external.
        ?? throw new PgException(SqlState.InvalidSchemaName, $"External schema \"{name.Schema}\" does not exist");

    /// <summary>
    /// ALTER TABLE of an external table (the tree's <see cref="AlterExternalTableStatement"/>): partitions added,
    /// dropped or moved, the table's location or properties set, in the catalog as the schema's role.
    /// </summary>
    public string Alter(RedshiftStatementContext context, AlterExternalTableStatement alter)
    {
        var schema = SchemaOf(context, alter.Table);
        var name = alter.Table.Name;
        if (alter.Action == ExternalTableAction.SetFileFormat)
            throw new PgException(SqlState.FeatureNotSupported, "ALTER TABLE … SET FILE FORMAT is not supported by LocalShift");
        foreach (var location in alter.Partitions.Select(p => p.Location).Append(alter.Location))
            if (location is not null && !location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
                // unverified: Redshift's text.
                throw new PgException(SqlState.InvalidParameterValue, $"Invalid S3 location '{location}': LOCATION must be an s3:// URL");
        CheckCreate(context, schema);
        var principal = CatalogPrincipal(context, schema);
        Catalog(() =>
        {
            var table = ExistingTable(principal, context, schema, name);
            switch (alter.Action)
            {
                case ExternalTableAction.AddPartitions or ExternalTableAction.DropPartitions:
                {
                    var add = alter.Action == ExternalTableAction.AddPartitions;
                    var existing = catalog.GetPartitions(principal, context.Region, schema.Database, name);
                    foreach (var (spec, location) in alter.Partitions)
                    {
                        var values = PartitionValues(table, spec);
                        var present = existing.Any(p => p.Values.SequenceEqual(values));
                        if (add)
                        {
                            if (present)
                            {
                                if (alter.IfNotExists) continue;
                                // unverified: Redshift's text.
                                throw new PgException(SqlState.DuplicateObject, $"partition ({string.Join(", ", spec.Select(s => $"{s.Column}='{s.Value}'"))}) already exists");
                            }
                            catalog.CreatePartition(principal, context.Region, schema.Database, name, new CatalogPartition(values, location!));
                        }
                        else if (present)
                            catalog.DeletePartition(principal, context.Region, schema.Database, name, values);
                    }
                    break;
                }
                case ExternalTableAction.SetPartitionLocation:
                    var partition = alter.Partitions[0];
                    catalog.SetPartitionLocation(principal, context.Region, schema.Database, name, PartitionValues(table, partition.Spec), partition.Location!);
                    break;
                case ExternalTableAction.SetLocation:
                    catalog.AlterTable(principal, context.Region, schema.Database, name, alter.Location, null);
                    break;
                case ExternalTableAction.SetTableProperties:
                    var properties = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (key, value) in alter.Properties) properties[key] = value;
                    catalog.AlterTable(principal, context.Region, schema.Database, name, null, properties);
                    break;
            }
        });
        return "ALTER TABLE";
    }

    private CatalogTable ExistingTable(Principal principal, RedshiftStatementContext context, ExternalSchema schema, string name) =>
        catalog.GetTable(principal, context.Region, schema.Database, name)
        ?? throw new PgException(SqlState.UndefinedTable, $"relation \"{schema.Name}.{name}\" does not exist");

    /// <summary>A partition specification's values in the table's partition-key order.</summary>
    private static List<string> PartitionValues(CatalogTable table, IReadOnlyList<(string Column, string Value)> spec)
    {
        // A column the table is not partitioned by (or a table with no partition keys at all) is refused rather than
        // dropped: the catalog would otherwise get a partition with fewer values than the specification names.
        // unverified: Redshift's text.
        foreach (var (column, _) in spec)
            if (!table.PartitionKeys.Any(k => k.Name == column))
                throw new PgException(SqlState.InvalidParameterValue, $"column \"{column}\" is not a partition column of the external table");
        if (spec.Select(s => s.Column).Distinct().Count() != spec.Count)
            throw new PgException(SqlState.InvalidParameterValue, "a partition column is named more than once in the partition specification");
        return table.PartitionKeys.Select(k => spec.FirstOrDefault(s => s.Column == k.Name).Value
            ?? throw new PgException(SqlState.InvalidParameterValue, $"partition column \"{k.Name}\" is missing from the partition specification")).ToList();
    }

    private static void CheckCreate(RedshiftStatementContext context, ExternalSchema schema)
    {
        if (context.Superuser || context.User == schema.Owner) return;
        if (context.Users is { } users && users.Holds(context.User, "schema", schema.Name, "", "create")) return;
        throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for schema {schema.Name}");
    }

    // ---- scans ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Makes each external table a temporary view of the engine for one statement: the table from the catalog, its
    /// partitions, the objects under their locations listed and read as the schema's role, staged in the engine's
    /// staging folder. With <paramref name="describeOnly"/> (a Parse/Describe), the views have the columns and no rows.
    /// </summary>
    /// <param name="filters">Per table, what the statement allows of its partition values (see <see cref="PartitionFilter"/>); only partitions that can match are read.</param>
    /// <param name="pseudoColumns">Whether the views also have Spectrum's pseudo-columns <c>"$path"</c> and <c>"$size"</c>
    /// (the statement names one of them); without them a view is one scan per partition, with them one per file.</param>
    /// <param name="roleSessions">The role sessions this statement already assumed (Parse, Describe and Execute of one
    /// statement over the extended protocol resolve each schema's role once, as a simple query does); null: assume afresh.</param>
    /// <param name="findSchema">The cluster's external schemas as the caller already knows them (null: read them from the engine).</param>
    /// <param name="staging">The session's links kept from its previous statement, used again for an object whose
    /// GetObject returns the same file of the store (null: every object is linked into a folder of this statement's).</param>
    public ExternalScan Prepare(RedshiftStatementContext context, IReadOnlyList<ExternalReference> tables, bool describeOnly,
        IReadOnlyDictionary<ExternalReference, PartitionPredicate>? filters = null, bool pseudoColumns = false, StatementRoleSessions? roleSessions = null,
        Func<string, ExternalSchema?>? findSchema = null, ScanStaging? staging = null)
    {
        var scan = new ExternalScan { Repeatable = staging is not null && !describeOnly };
        try
        {
            foreach (var reference in tables.Distinct())
            {
                var schema = (findSchema is null ? ExternalSchemas.Find(context.Engine, reference.Schema) : findSchema(reference.Schema))!;
                var principal = roleSessions?.Find(context, schema, schema.IamRole, clock.GetUtcNow()) is { } known ? known : Principal(context, schema);
                roleSessions?.Remember(context, schema, schema.IamRole, principal, clock.GetUtcNow());
                ScanTrace.Mark("role");
                var catalogPrincipal = principal;
                if (schema.CatalogRole is { } catalogRole)
                {
                    catalogPrincipal = roleSessions?.Find(context, schema, catalogRole, clock.GetUtcNow()) is { } knownCatalog ? knownCatalog : CatalogPrincipal(context, schema);
                    roleSessions?.Remember(context, schema, catalogRole, catalogPrincipal, clock.GetUtcNow());
                }
                CatalogTable? table = null;
                IReadOnlyList<CatalogPartition> partitions = [];
                Catalog(() =>
                {
                    // Parse, Describe and Execute of one statement read the table once.
                    table = roleSessions?.FindTable(context, schema, reference.Table, clock.GetUtcNow(), running: !describeOnly)
                            ?? catalog.GetTable(catalogPrincipal, context.Region, schema.Database, reference.Table);
                    if (table is not null && describeOnly) roleSessions?.RememberTable(context, schema, reference.Table, table, clock.GetUtcNow());
                    ScanTrace.Mark("getTable");
                    // The partition predicate goes to the catalog as GetPartitions' Expression (the part of it Glue
                    // compares as the scan does), so only matching partitions are read from it; the scan still
                    // applies the whole predicate to what comes back.
                    if (table is not null && table.PartitionKeys.Count > 0 && !describeOnly)
                        partitions = catalog.GetPartitions(catalogPrincipal, context.Region, schema.Database, reference.Table,
                            PartitionFilter.GlueExpression(filters?.GetValueOrDefault(reference), table.PartitionKeys));
                    ScanTrace.Mark("getPartitions");
                });
                if (table is null)
                    throw new PgException(SqlState.UndefinedTable, $"relation \"{reference.Schema}.{reference.Table}\" does not exist");
                var view = $"__ext_{Guid.NewGuid():N}";
                string select;
                if (describeOnly) select = EmptySelect(table, pseudoColumns);
                else
                {
                    string folder;
                    if (staging is not null) folder = staging.Folder(context.Engine.StagingDirectory);
                    else
                    {
                        folder = Path.Combine(context.Engine.StagingDirectory, "ext-" + Guid.NewGuid().ToString("N"));
                        Directory.CreateDirectory(folder);
                        scan.Folders.Add(folder);
                    }
                    ScanTrace.Mark("folder");
                    var s3 = new S3Session(objects, authorizer, principal, context.Region, clock);
                    var filter = filters?.GetValueOrDefault(reference);
                    var parts = table.PartitionKeys.Count == 0
                        ? [(Values: (IReadOnlyList<string>)[], Location: table.Location)]
                        : partitions.Where(p => PartitionFilter.Matches(filter, table.PartitionKeys, p.Values))
                            .Select(p => (p.Values, p.Location)).ToList();
                    var selects = new List<string>();
                    foreach (var (values, location) in parts)
                    {
                        var files = Stage(s3, folder, location, staging, scan, context.Cancellation);
                        if (files.Count == 0) continue;
                        if (pseudoColumns) selects.AddRange(files.Select(f => FileSelect(context.Engine, table, [f], values, pseudoColumns: true)));
                        else selects.Add(FileSelect(context.Engine, table, files, values, pseudoColumns: false));
                        ScanTrace.Mark("select");
                    }
                    select = selects.Count == 0 ? EmptySelect(table, pseudoColumns) : string.Join(" UNION ALL ", selects);
                }
                scan.Selects[view] = select;
                scan.Views[reference] = view;
            }
            return scan;
        }
        catch
        {
            Release(scan);
            throw;
        }
    }

    /// <summary>
    /// Forgets a scan's queries and deletes its staged files: off the statement's path (unlinking a hundred staged
    /// objects costs a statement milliseconds of file-system work), since no later statement can name them (each
    /// statement's folder is new) and the engine clears its staging folder of leftovers when it starts.
    /// </summary>
    public static void Release(ExternalScan scan)
    {
        if (scan.Folders.Count > 0)
        {
            var folders = scan.Folders.ToArray();
            ThreadPool.UnsafeQueueUserWorkItem(static list =>
            {
                foreach (var folder in list)
                    try { Directory.Delete(folder, recursive: true); }
                    catch (IOException) { }
                    catch (UnauthorizedAccessException) { }
            }, folders, preferLocal: false);
        }
        scan.Views.Clear();
        scan.Selects.Clear();
        scan.Folders.Clear();
    }

    /// <summary>One object a scan reads: where the engine finds it, and what <c>"$path"</c> and <c>"$size"</c> show of it.</summary>
    private sealed record StagedObject(string File, string Url, long Size);

    /// <summary>
    /// The objects under a location, each read as the role (GetObject) and hard-linked into the staging folder, not
    /// copied (<see cref="ObjectStaging"/>), their extension kept so compressed text is read as such. Spectrum skips
    /// hidden files: names starting with a period, underscore or hash mark, or ending with a tilde, and "folder"
    /// placeholders. With <paramref name="staging"/>, an object whose body is the very file of the store a kept link
    /// was made to is not linked again: the kept link is named instead (and <paramref name="scan"/> stays repeatable).
    /// </summary>
    private static List<StagedObject> Stage(S3Session s3, string folder, string location, ScanStaging? staging, ExternalScan scan, CancellationToken ct)
    {
        var url = S3Location.Parse(location);
        var prefix = url.Key.Length == 0 || url.Key.EndsWith('/') ? url.Key : url.Key + "/";
        IReadOnlyList<S3ObjectSummary> listed;
        try { listed = s3.ListAsync(url with { Key = prefix }, ct).GetAwaiter().GetResult(); }
        catch (PgException e) { throw ScanError(e, location); }
        ScanTrace.Mark("list");
        var files = new List<StagedObject>();
        foreach (var o in listed)
        {
            var name = o.Key[(o.Key.LastIndexOf('/') + 1)..];
            if (name.Length == 0 || name[0] is '.' or '_' or '#' || name.EndsWith('~') || o.Size == 0 && o.Key.EndsWith('/')) continue;
            var ext = Path.GetExtension(name);
            string path;
            long size;
            try
            {
                using var body = s3.OpenReadAsync(o.Bucket, o.Key, ct).GetAwaiter().GetResult();
                size = body.CanSeek ? body.Length : o.Size;
                ScanTrace.Mark("getObject");
                var blob = staging is null ? null : ScanStaging.BlobOf(body);
                if (blob is not null && staging!.Find(o.Bucket, o.Key, blob, size) is { } kept) path = kept;
                else
                {
                    // Unique within the folder, which every partition of every table (and, kept, later statements) shares.
                    path = Path.Combine(folder, $"{Guid.NewGuid():N}{(ext.Length is > 0 and <= 8 ? ext : "")}");
                    ObjectStaging.Stage(body, path, ct);
                    if (blob is not null) staging!.Add(o.Bucket, o.Key, blob, path);
                    scan.Repeatable = false;
                }
                ScanTrace.Mark("link");
            }
            catch (PgException e) { throw ScanError(e, $"s3://{o.Bucket}/{o.Key}"); }
            files.Add(new StagedObject(path, $"s3://{o.Bucket}/{o.Key}", size));
        }
        return files;
    }

    /// <summary>
    /// An S3 failure during a scan as Redshift Spectrum reports it.
    /// unverified: the exact layout of Redshift's "Spectrum Scan Error" block (its code 15007 and context line).
    /// </summary>
    private static PgException ScanError(PgException e, string location) =>
        new(SqlState.InternalError, "Spectrum Scan Error",
            detail: $"\n  -----------------------------------------------\n  error:  Spectrum Scan Error\n  code:      15007\n  context:   {e.Message}\n  location:  {location}\n  -----------------------------------------------\n");

    /// <summary>
    /// Spectrum's pseudo-columns: the object a row was read from and that object's size in bytes. They exist only for
    /// a statement that names them, so <c>SELECT *</c> of a statement naming neither does not show them.
    /// </summary>
    public static readonly string[] PseudoColumns = ["$path", "$size"];

    private static string EmptySelect(CatalogTable table, bool pseudoColumns) =>
        "SELECT " + string.Join(", ", table.Columns.Concat(table.PartitionKeys).Select(c => $"CAST(NULL AS {EngineType(c.Type)}) AS {QuoteIdentifier(c.Name)}"))
                  + (pseudoColumns ? ", CAST(NULL AS VARCHAR) AS \"$path\", CAST(NULL AS BIGINT) AS \"$size\"" : "") + " WHERE false";

    /// <summary>
    /// One partition's files as rows of the table's columns, partition values as constants (and, for one file, its
    /// <c>"$path"</c> and <c>"$size"</c>).
    /// </summary>
    private static string FileSelect(IEngineSession engine, CatalogTable table, IReadOnlyList<StagedObject> files, IReadOnlyList<string> partitionValues, bool pseudoColumns)
    {
        var paths = files.Select(f => f.File).ToList();
        var serde = table.SerializationLibrary ?? "";
        var parameters = table.SerdeParameters;
        var skip = table.Parameters.TryGetValue("skip.header.line.count", out var s) && int.TryParse(s, out var n) ? n : 0;
        FileScan source;
        bool typedSource;
        if (serde.Contains("Parquet", StringComparison.OrdinalIgnoreCase) || (table.InputFormat ?? "").Contains("Parquet", StringComparison.OrdinalIgnoreCase))
        {
            // By name across files whose columns differ; one file needs no matching (and reads its metadata once).
            source = new ParquetScan(paths) { UnionByName = paths.Count > 1 };
            typedSource = true;
        }
        else if (serde.Contains("Json", StringComparison.OrdinalIgnoreCase))
        {
            return JsonSelect(engine, table, files, partitionValues, pseudoColumns ? files[0] : null);
        }
        else
        {
            var csv = serde.Contains("OpenCSV", StringComparison.OrdinalIgnoreCase);
            source = new DelimitedScan(paths, table.Columns.Select(c => new ScanColumn(c.Name, "VARCHAR")).ToList())
            {
                Delimiter = parameters.TryGetValue(csv ? "separatorChar" : "field.delim", out var d) ? d : csv ? "," : "\u0001",
                Quote = csv ? (parameters.TryGetValue("quoteChar", out var q) ? q : "\"") : "",
                Escape = csv ? (parameters.TryGetValue("escapeChar", out var e) ? e : "\\") : "",
                SkipLines = skip, PadMissingFields = true, Compression = FileCompression.ByExtension,
                NullStrings = csv ? [] : ["\\N"],
            };
            typedSource = false;
        }
        var select = new StringBuilder("SELECT ");
        select.Append(string.Join(", ", table.Columns.Select(c => Cast(c, typedSource))));
        AppendConstants(select, table, partitionValues, pseudoColumns ? files[0] : null);
        select.Append(" FROM ").Append(engine.FileRelation(source));
        return select.ToString();
    }

    /// <summary>
    /// One partition's JSON files as the OpenX JSON SerDe (<c>org.openx.data.jsonserde.JsonSerDe</c>) reads them: one
    /// object a line; each column is the value of the key of its name, or of the key its <c>'mapping.column'='key'</c>
    /// SERDEPROPERTY names. Keys compare without regard to case unless <c>'case.insensitive'='false'</c> (the SerDe's
    /// default lowercases every key, and a mapping's key with it); with <c>'dots.in.keys'='true'</c> a dot in a key
    /// reads as an underscore (a key <c>a.b</c> is column <c>a_b</c>). Two keys of one object that become the same
    /// (<c>URL</c> and <c>Url</c>) fail the statement, as the SerDe's "Duplicate key" does; map them apart with
    /// <c>case.insensitive</c> false and a mapping each. Nested objects and arrays read as their JSON text.
    /// A line that is not JSON fails the statement (<see cref="MalformedJson"/>); with <c>'ignore.malformed.json'='true'</c>
    /// it is a row of NULLs (its partition columns and pseudo-columns still set), as the SerDe's
    /// <c>ignore.malformed.json</c> makes of it (verified: the SerDe's source, which reads such a line as an empty
    /// object, and Trino's implementation of it, which documents "a row with all fields set to null"; Athena's page only
    /// says the property "lets you skip malformed JSON syntax"). A line of valid JSON that is not an object (an array,
    /// a number) is a row of NULLs too, as Trino documents for the SerDe (a simplification for arrays, which the SerDe
    /// maps to columns by position); blank lines are not rows (unverified for Spectrum; the SerDe gives a row of NULLs).
    /// </summary>
    private static string JsonSelect(IEngineSession engine, CatalogTable table, IReadOnlyList<StagedObject> files, IReadOnlyList<string> partitionValues, StagedObject? file)
    {
        var serde = table.SerdeParameters;
        var insensitive = !IsSerdeFlag(serde, "case.insensitive", "false");
        var dots = IsSerdeFlag(serde, "dots.in.keys", "true");
        var ignoreMalformed = IsSerdeFlag(serde, "ignore.malformed.json", "true");
        var mapping = JsonMappings(serde);
        string Key(CatalogColumn c)
        {
            var key = mapping.TryGetValue(c.Name, out var mapped) ? mapped : c.Name;
            if (dots) key = key.Replace('.', '_');
            return insensitive ? key.ToLowerInvariant() : key;
        }
        var select = new StringBuilder("SELECT ");
        var keys = table.Columns.Select(Key).ToList();
        // Each line as text (a delimiter no JSON line holds unescaped, no quotes), so that a malformed one can be told
        // apart from the others rather than fail the engine's JSON reader; then each object as a map of its keys
        // (lowercased, dots made underscores, as the properties say) to their JSON values: the engine's reader cannot
        // tell keys apart by case (URL and Url) itself.
        var lines = new DelimitedScan(files.Select(f => f.File).ToList(), [new ScanColumn("line", "VARCHAR")])
        {
            Delimiter = "\u001e", PadMissingFields = true, Compression = FileCompression.ByExtension, FileNames = !ignoreMalformed,
        };
        var keyName = "e.key";
        if (insensitive) keyName = $"lower({keyName})";
        if (dots) keyName = $"replace({keyName}, '.', '_')";
        select.Append(string.Join(", ", table.Columns.Select((c, i) => CastValue($"json_extract_string(\"__o\"[{QuoteLiteral(keys[i])}], '$')", c))));
        AppendConstants(select, table, partitionValues, file);
        select.Append(" FROM (SELECT CASE WHEN json_type(\"__j\") = 'OBJECT' THEN map_from_entries(list_transform(map_entries(CAST(\"__j\" AS MAP(VARCHAR, JSON))), e -> struct_pack(k := ")
            .Append(keyName).Append(", v := e.value))) END AS \"__o\" FROM (SELECT CASE WHEN json_valid(line) THEN CAST(line AS JSON) ELSE ")
            .Append(ignoreMalformed ? "NULL" : MalformedJson(files))
            .Append(" END AS \"__j\" FROM ").Append(engine.FileRelation(lines)).Append(" WHERE trim(line) <> ''))");
        return select.ToString();
    }

    /// <summary>
    /// The engine's expression failing a statement at a line that is not JSON, naming the object it is in (never the
    /// staged file's path on this host): Spectrum's scan error.
    /// unverified: Redshift's text for a malformed JSON record (its layout of "Spectrum Scan Error" is marked unverified
    /// in <see cref="ScanError"/> too; here the error has no DETAIL block, only its message).
    /// </summary>
    private static string MalformedJson(IReadOnlyList<StagedObject> files)
    {
        var url = new StringBuilder("CASE filename");
        foreach (var f in files) url.Append(" WHEN ").Append(QuoteLiteral(f.File)).Append(" THEN ").Append(QuoteLiteral(f.Url));
        url.Append(" END");
        return $"error('Spectrum Scan Error: malformed JSON record in file ''' || ({url}) || ''' (the table''s SerDe property ''ignore.malformed.json'' is not ''true'')')";
    }

    /// <summary>Whether a SERDEPROPERTY is set to <paramref name="value"/> (compared without case or surrounding blanks, as the SerDe's Boolean.parseBoolean does).</summary>
    internal static bool IsSerdeFlag(IReadOnlyDictionary<string, string> serde, string name, string value) =>
        serde.TryGetValue(name, out var v) && v.Trim().Equals(value, StringComparison.OrdinalIgnoreCase);

    /// <summary>The OpenX JSON SerDe's <c>'mapping.column'='key'</c> properties: per column, the JSON key it is read from (and written as).</summary>
    internal static Dictionary<string, string> JsonMappings(IReadOnlyDictionary<string, string> serde)
    {
        var mapping = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in serde)
            if (name.StartsWith("mapping.", StringComparison.OrdinalIgnoreCase) && name.Length > "mapping.".Length)
                mapping[name["mapping.".Length..]] = value;
        return mapping;
    }

    /// <summary>A text value read for a column, as the column's type (an empty value of a non-text column is NULL).</summary>
    private static string CastValue(string value, CatalogColumn c)
    {
        var type = EngineType(c.Type);
        return $"CAST({(type == "VARCHAR" ? value : $"NULLIF({value}, '')")} AS {type}) AS {QuoteIdentifier(c.Name)}";
    }

    /// <summary>The partition values as constant columns and, for one file, its <c>"$path"</c> and <c>"$size"</c>.</summary>
    private static void AppendConstants(StringBuilder select, CatalogTable table, IReadOnlyList<string> partitionValues, StagedObject? file)
    {
        for (var i = 0; i < table.PartitionKeys.Count; i++)
        {
            var key = table.PartitionKeys[i];
            select.Append($", CAST({QuoteLiteral(partitionValues[i])} AS {EngineType(key.Type)}) AS {QuoteIdentifier(key.Name)}");
        }
        if (file is not null)
            select.Append($", CAST({QuoteLiteral(file.Url)} AS VARCHAR) AS \"$path\", CAST({file.Size} AS BIGINT) AS \"$size\"");
    }

    private static string Cast(CatalogColumn c, bool typedSource)
    {
        var type = EngineType(c.Type);
        // Text fields: an empty field of a non-text column is NULL, as Spectrum reads delimited text.
        var value = typedSource || type == "VARCHAR" ? QuoteIdentifier(c.Name) : $"NULLIF({QuoteIdentifier(c.Name)}, '')";
        return $"CAST({value} AS {type}) AS {QuoteIdentifier(c.Name)}";
    }

    /// <summary>The engine's type for a catalog (Hive) type.</summary>
    public static string EngineType(string catalogType)
    {
        var t = catalogType.Trim().ToLowerInvariant();
        var paren = t.IndexOf('(');
        var head = paren < 0 ? t : t[..paren];
        var args = paren < 0 ? "" : t[paren..];
        return head switch
        {
            "int" or "integer" => "INTEGER",
            "smallint" => "SMALLINT",
            "tinyint" => "TINYINT",
            "bigint" => "BIGINT",
            "float" or "real" => "REAL",
            "double" => "DOUBLE",
            "decimal" or "numeric" => "DECIMAL" + (args.Length > 0 ? args : "(10,0)"),
            "boolean" => "BOOLEAN",
            "date" => "DATE",
            "timestamp" => "TIMESTAMP",
            "binary" => "BLOB",
            "string" or "varchar" or "char" => "VARCHAR",
            _ => throw new PgException(SqlState.FeatureNotSupported, $"column type {catalogType} of an external table is not supported by LocalShift"),
        };
    }

    // ---- system views -----------------------------------------------------------------------------------------

    /// <summary>The SVV_EXTERNAL_* views that read the catalog (SVV_EXTERNAL_SCHEMAS reads the cluster's own records).</summary>
    public static readonly string[] CatalogViews = ["svv_external_tables", "svv_external_columns", "svv_external_partitions", "svv_external_databases"];

    public static bool MentionsCatalogViews(IReadOnlyList<SqlToken> significant) =>
        significant.Any(t => t.Kind == SqlTokenKind.Word && t.Text.StartsWith("svv_external_", StringComparison.OrdinalIgnoreCase)
                             && CatalogViews.Contains(t.Text.ToLowerInvariant()));

    /// <summary>The columns of each catalog view, for the empty stand-ins installed with the cluster and the filled ones.</summary>
    public const string TablesColumns = "schemaname VARCHAR, tablename VARCHAR, tabletype VARCHAR, location VARCHAR, input_format VARCHAR, " +
                                        "output_format VARCHAR, serialization_lib VARCHAR, serde_parameters VARCHAR, compressed INTEGER, parameters VARCHAR";
    public const string ColumnsColumns = "schemaname VARCHAR, tablename VARCHAR, columnname VARCHAR, external_type VARCHAR, columnnum INTEGER, part_key INTEGER, is_nullable VARCHAR";
    public const string PartitionsColumns = "schemaname VARCHAR, tablename VARCHAR, \"values\" VARCHAR, location VARCHAR, input_format VARCHAR, " +
                                            "output_format VARCHAR, serialization_lib VARCHAR, serde_parameters VARCHAR, compressed INTEGER, parameters VARCHAR";
    public const string DatabasesColumns = "eskind INTEGER, esoptions VARCHAR, databasename VARCHAR, location VARCHAR, parameters VARCHAR";

    /// <summary>
    /// Fills this session's SVV_EXTERNAL_TABLES, _COLUMNS, _PARTITIONS and _DATABASES from the catalog, read as each
    /// external schema's role (what a role may not read is left out, as Redshift shows only what its roles see).
    /// </summary>
    public void MaterializeCatalogViews(RedshiftStatementContext context)
    {
        var tables = new List<string>();
        var columns = new List<string>();
        var partitions = new List<string>();
        var databases = new List<string>();
        foreach (var schema in ExternalSchemas.List(context.Engine))
        {
            try
            {
                var principal = CatalogPrincipal(context, schema);
                var options = schema.CatalogRole is null ? $"{{\"IAM_ROLE\":\"{schema.IamRole}\"}}" : $"{{\"IAM_ROLE\":\"{schema.IamRole}\",\"CATALOG_ROLE\":\"{schema.CatalogRole}\"}}";
                databases.Add($"(1, {QuoteLiteral(options)}, {QuoteLiteral(schema.Database)}, '', '{{}}')");
                foreach (var t in catalog.GetTables(principal, context.Region, schema.Database))
                {
                    tables.Add($"({QuoteLiteral(schema.Name)}, {QuoteLiteral(t.Name)}, {QuoteLiteral(t.TableType)}, {QuoteLiteral(t.Location)}, " +
                               $"{Lit(t.InputFormat)}, {Lit(t.OutputFormat)}, {Lit(t.SerializationLibrary)}, {QuoteLiteral(Json(t.SerdeParameters))}, 0, {QuoteLiteral(Json(t.Parameters))})");
                    var n = 0;
                    foreach (var c in t.Columns)
                        columns.Add($"({QuoteLiteral(schema.Name)}, {QuoteLiteral(t.Name)}, {QuoteLiteral(c.Name)}, {QuoteLiteral(c.Type)}, {++n}, 0, 'true')");
                    var k = 0;
                    foreach (var c in t.PartitionKeys)
                        columns.Add($"({QuoteLiteral(schema.Name)}, {QuoteLiteral(t.Name)}, {QuoteLiteral(c.Name)}, {QuoteLiteral(c.Type)}, {++n}, {++k}, 'true')");
                    if (t.PartitionKeys.Count > 0)
                        foreach (var p in catalog.GetPartitions(principal, context.Region, schema.Database, t.Name))
                            partitions.Add($"({QuoteLiteral(schema.Name)}, {QuoteLiteral(t.Name)}, {QuoteLiteral(System.Text.Json.JsonSerializer.Serialize(p.Values))}, " +
                                           $"{QuoteLiteral(p.Location)}, {Lit(t.InputFormat)}, {Lit(t.OutputFormat)}, {Lit(t.SerializationLibrary)}, {QuoteLiteral(Json(t.SerdeParameters))}, 0, '{{}}')");
                }
            }
            catch (Exception e) when (e is AwsException or PgException)
            {
                // The schema's role cannot read its catalog (or assume): its tables are not shown.
            }
        }
        var sql = new StringBuilder();
        Fill(sql, "svv_external_tables", TablesColumns, tables);
        Fill(sql, "svv_external_columns", ColumnsColumns, columns);
        Fill(sql, "svv_external_partitions", PartitionsColumns, partitions);
        Fill(sql, "svv_external_databases", DatabasesColumns, databases);
        context.Engine.Execute(sql.ToString());
    }

    private static void Fill(StringBuilder sql, string view, string columns, List<string> rows)
    {
        sql.Append($"CREATE OR REPLACE TEMP TABLE {view}({columns});\n");
        if (rows.Count > 0) sql.Append($"INSERT INTO temp.main.{view} VALUES {string.Join(", ", rows)};\n");
    }

    private static string Lit(string? s) => s is null ? "NULL" : QuoteLiteral(s);

    private static string Json(IReadOnlyDictionary<string, string> map) => System.Text.Json.JsonSerializer.Serialize(map);

    // ---- helpers ----------------------------------------------------------------------------------------------

    /// <summary>The session of the schema's IAM_ROLE (a chain is assumed hop by hop): what S3 is reached as.</summary>
    private Principal Principal(RedshiftStatementContext context, ExternalSchema schema) => Assume(context, schema.IamRole);

    /// <summary>The session the data catalog is called as: the schema's CATALOG_ROLE, or its IAM_ROLE when it names none.</summary>
    private Principal CatalogPrincipal(RedshiftStatementContext context, ExternalSchema schema) => Assume(context, schema.CatalogIamRole);

    private Principal Assume(RedshiftStatementContext context, string role)
    {
        var authorization = role == "default" ? new RoleChainAuthorization([], true) : AuthorizationClause.ParseChain(role);
        // The session is reused while nothing it was decided on changed (see RolePathResolver.Resolve); the
        // association is checked, and every Glue and S3 call authorized as the session, at every statement.
        return roles.Resolve(context, authorization, Purpose, checkGrant: false, reuseSession: true);
    }

    private static bool SchemaExists(LocalShift.Engine.IEngineSession engine, string schema)
    {
        using var result = engine.Query($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = {QuoteLiteral(schema)}");
        result.Read();
        return Convert.ToInt64(result.GetValue(0)) > 0;
    }

    /// <summary>
    /// Runs catalog calls, turning the catalog's refusals into Redshift's errors.
    /// unverified: Redshift's exact wording for Glue errors (it reports the Glue exception and its message).
    /// </summary>
    private static void Catalog(Action act)
    {
        try { act(); }
        catch (AwsException e) when (e.Code is "AccessDeniedException" or "AccessDenied")
        {
            throw new PgException(SqlState.InsufficientPrivilege, $"AwsClientException: AccessDeniedException from glue - {e.Message}");
        }
        catch (AwsException e) when (e.Code == "EntityNotFoundException")
        {
            throw new PgException(SqlState.UndefinedObject, $"AwsClientException: EntityNotFoundException from glue - {e.Message}");
        }
        catch (AwsException e)
        {
            throw new PgException(SqlState.InternalError, $"AwsClientException: {e.Code} from glue - {e.Message}");
        }
    }
}
