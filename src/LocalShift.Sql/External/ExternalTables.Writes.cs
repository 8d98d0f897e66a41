using System.Globalization;
using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Storage.Objects;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.External;

/// <summary>
/// Writes to external tables: <c>INSERT INTO s.t query</c> and <c>CREATE EXTERNAL TABLE … AS query</c>. The engine
/// writes the query's rows as the table's format (Parquet, or delimited text) into the staging folder, a folder per
/// partition; each file is then put under the table's (or the partition's) location with Redshift's file names, as the
/// schema's role (<c>s3:PutObject</c>), and new partitions (and, for CREATE … AS, the table) are registered in the
/// catalog as that role. The keys are recorded before the first put (<see cref="ObjectPublication"/>), so a failure
/// anywhere — a put S3 refuses, a catalog call Glue refuses, a cancel, a killed server — leaves none of the files.
/// </summary>
public sealed partial class ExternalTables
{
    /// <summary><c>INSERT INTO s.t query</c>, the query already in the engine's dialect; returns the rows written.</summary>
    public long Insert(RedshiftStatementContext context, ExternalSchema schema, string name, string query)
    {
        var principal = Principal(context, schema);
        var catalogPrincipal = schema.CatalogRole is null ? principal : CatalogPrincipal(context, schema);
        CatalogTable? table = null;
        IReadOnlyList<CatalogPartition> partitions = [];
        Catalog(() =>
        {
            table = catalog.GetTable(catalogPrincipal, context.Region, schema.Database, name);
            if (table is { PartitionKeys.Count: > 0 }) partitions = catalog.GetPartitions(catalogPrincipal, context.Region, schema.Database, name);
        });
        if (table is null) throw new PgException(SqlState.UndefinedTable, $"relation \"{schema.Name}.{name}\" does not exist");
        var columns = context.Engine.Describe(query);
        var expected = table.Columns.Count + table.PartitionKeys.Count;
        if (columns.Count != expected)
            // Redshift: the query gives the data columns, then the partition columns, by position.
            // unverified: Redshift's texts for INSERT (external table); these are PostgreSQL's for INSERT.
            throw new PgException(SqlState.SyntaxError, columns.Count > expected
                ? "INSERT has more expressions than target columns"
                : "INSERT has more target columns than expressions");
        return Write(context, principal, catalogPrincipal, schema, table, partitions, query, create: false);
    }

    /// <summary>
    /// <c>CREATE EXTERNAL TABLE s.t [PARTITIONED BY (c, …)] … STORED AS … LOCATION '…' AS query</c>: the table's
    /// columns and types are the query's (partition columns last, in PARTITIONED BY's order); the location must be
    /// empty. Returns the command tag; <paramref name="rows"/> is how many rows were written.
    /// </summary>
    /// <param name="declared">Per column of the query's result, the Redshift type of the local column it reads as it is
    /// (<c>character varying(10)</c>), or null; gives a VARCHAR or CHAR its length in the catalog.</param>
    public string CreateTableAs(RedshiftStatementContext context, CreateExternalTable statement, string query, out long rows,
        IReadOnlyList<string?>? declared = null)
    {
        rows = 0;
        // Redshift's usage notes for CREATE EXTERNAL TABLE AS: "The ROW FORMAT SERDE 'serde_name' clause isn't
        // supported", nor "LINES TERMINATED BY" (INSERT writes to an existing OpenCSV or JSON table).
        // unverified: Redshift's texts for both.
        var serde = statement.Table.SerializationLibrary ?? "";
        if (!serde.Equals(ExternalStatements.LazySimpleSerDe, StringComparison.Ordinal) && !serde.Equals(ExternalStatements.ParquetSerDe, StringComparison.Ordinal))
            throw new PgException(SqlState.FeatureNotSupported, "ROW FORMAT SERDE is not supported by CREATE EXTERNAL TABLE AS: use ROW FORMAT DELIMITED or STORED AS PARQUET");
        if (statement.Table.SerdeParameters.ContainsKey("line.delim"))
            throw new PgException(SqlState.FeatureNotSupported, "LINES TERMINATED BY is not supported by CREATE EXTERNAL TABLE AS");
        var schema = ExternalSchemas.Find(context.Engine, statement.Schema)
                     // unverified: Redshift's text for a schema that is not external.
                     ?? throw new PgException(SqlState.InvalidSchemaName, $"External schema \"{statement.Schema}\" does not exist");
        CheckCreate(context, schema);
        var principal = Principal(context, schema);
        var catalogPrincipal = schema.CatalogRole is null ? principal : CatalogPrincipal(context, schema);
        CatalogTable? existing = null;
        Catalog(() => existing = catalog.GetTable(catalogPrincipal, context.Region, schema.Database, statement.Name));
        if (existing is not null)
        {
            if (!statement.IfNotExists) throw new PgException(SqlState.DuplicateTable, $"relation \"{statement.Name}\" already exists");
            context.Notice(new PgNotice("NOTICE", $"relation \"{statement.Name}\" already exists, skipping", SqlState.DuplicateTable));
            return "CREATE EXTERNAL TABLE";
        }
        var described = context.Engine.Describe(query);
        var keyNames = statement.Table.PartitionKeys.Select(k => k.Name).ToList();
        foreach (var key in keyNames)
            if (!described.Any(c => c.Name == key))
                // unverified: Redshift's text ("the name of this column must exist in the SELECT query result").
                throw new PgException(SqlState.UndefinedColumn, $"partition column \"{key}\" is not a column of the query's result");
        var data = described.Where(c => !keyNames.Contains(c.Name)).ToList();
        if (data.Count == 0)
            // unverified: Redshift's text.
            throw new PgException(SqlState.InvalidParameterValue, "an external table needs at least one column that is not a partition column");
        if (declared is not null && declared.Count != described.Count) declared = null;
        string TypeOf(PgColumn c) => CatalogType(c, declared?[IndexOf(described, c)]);
        var table = statement.Table with
        {
            Database = schema.Database,
            Columns = data.Select(c => new CatalogColumn(c.Name, TypeOf(c))).ToList(),
            PartitionKeys = keyNames.Select(k => new CatalogColumn(k, TypeOf(described.First(c => c.Name == k)))).ToList(),
        };
        // The query's columns in the table's order: data columns, then the partition columns as PARTITIONED BY lists them.
        var ordered = $"SELECT {string.Join(", ", data.Select(c => QuoteIdentifier(c.Name)).Concat(keyNames.Select(QuoteIdentifier)))} FROM ({query}) AS create_external_table_query";
        var s3 = new S3Session(objects, authorizer, principal, context.Region, clock);
        var location = S3Location.Parse(Folder(table.Location));
        IReadOnlyList<LocalShift.Services.S3.S3ObjectSummary> present;
        try { present = s3.ListAsync(location, context.Cancellation).GetAwaiter().GetResult(); }
        catch (PgException e) { throw ScanError(e, table.Location); }
        if (present.Count > 0)
            // Redshift: "The Amazon S3 location must be empty." unverified: its error text.
            throw new PgException(SqlState.InvalidParameterValue,
                $"CREATE EXTERNAL TABLE AS: the location {table.Location} is not empty; it holds s3://{location.Bucket}/{present[0].Key}");
        rows = Write(context, principal, catalogPrincipal, schema, table, [], ordered, create: true);
        return "CREATE EXTERNAL TABLE";
    }

    /// <summary>The query's rows written under the table's location (see the class summary); returns how many.</summary>
    /// <param name="principal">The IAM_ROLE's session: S3 is written as it.</param>
    /// <param name="catalogPrincipal">The CATALOG_ROLE's session (or the IAM_ROLE's): the catalog is written as it.</param>
    private long Write(RedshiftStatementContext context, Principal principal, Principal catalogPrincipal, ExternalSchema schema, CatalogTable table,
        IReadOnlyList<CatalogPartition> existing, string query, bool create)
    {
        var format = WriteFormat.Of(table);
        var names = Enumerable.Range(0, table.Columns.Count + table.PartitionKeys.Count).Select(i => $"c{i}").ToList();
        // By position, cast to the catalog's types, so a file holds what a reader of the table expects. A partition
        // value is written as its type prints it (an int key '07' is the partition 7).
        var written = WrittenNames(table, format);
        var items = table.Columns.Select((c, i) => $"CAST(c{i} AS {EngineType(c.Type)}) AS {QuoteIdentifier(written[i])}")
            .Concat(table.PartitionKeys.Select((k, j) =>
                $"CAST(CAST(c{table.Columns.Count + j} AS {EngineType(k.Type)}) AS VARCHAR) AS {QuoteIdentifier(k.Name)}"));
        var select = $"SELECT {string.Join(", ", items)} FROM ({query}) AS external_table_rows({string.Join(", ", names)})";

        var folder = Path.Combine(context.Engine.StagingDirectory, "ext-write-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var maxSize = table.Parameters.TryGetValue("write.maxfilesize.mb", out var mb) && long.TryParse(mb, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0
                          && format.Splits ? m * 1024 * 1024 : (long?)null;
            var directory = table.PartitionKeys.Count > 0 || maxSize is not null;
            var output = Path.Combine(folder, directory ? "out" : "data");
            long rows;
            if (table.PartitionKeys.Count > 0 && !format.Splits) rows = WritePartitions(context, table, written, format, select, output);
            else
            {
                rows = context.Engine.WriteFiles(select, output, format.Write with
                {
                    PartitionBy = table.PartitionKeys.Select(k => k.Name).ToList(), MaxFileBytes = maxSize,
                });
            }

            // The files the engine wrote, with the partition values of the folder each is in.
            var files = new List<(string File, IReadOnlyList<string> Values)>();
            if (rows > 0 && File.Exists(output)) files.Add((output, []));
            else if (rows > 0 && Directory.Exists(output))
                foreach (var file in Directory.GetFiles(output, "*", SearchOption.AllDirectories))
                {
                    var relative = Path.GetRelativePath(output, Path.GetDirectoryName(file)!);
                    var values = relative is "." ? [] : relative.Split(Path.DirectorySeparatorChar)
                        .Select(segment => Uri.UnescapeDataString(segment[(segment.IndexOf('=') + 1)..])).ToList();
                    files.Add((file, values));
                }

            // Redshift's names: <date>_<time>_<microseconds>_<query_id>_<slice>_part_<part>.<format>.
            var now = clock.GetUtcNow();
            var stem = $"{now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture)}_{now.Ticks % TimeSpan.TicksPerSecond / 10:D6}_{context.QueryId}";
            var extension = format.Extension;
            var puts = new List<(string File, S3Location Target)>();
            var added = new List<CatalogPartition>();
            foreach (var group in files.GroupBy(f => string.Join('\u0000', f.Values)))
            {
                var values = group.First().Values;
                string location;
                if (values.Count == 0) location = table.Location;
                else if (existing.FirstOrDefault(p => p.Values.SequenceEqual(values)) is { } known) location = known.Location;
                else
                {
                    location = Folder(table.Location) + string.Concat(table.PartitionKeys.Select((k, i) => $"{k.Name}={HivePathValue(values[i])}/"));
                    added.Add(new CatalogPartition(values, location));
                }
                var at = S3Location.Parse(Folder(location));
                var part = 0;
                // The engine's own order of a split partition: data_0, data_1, …, data_10.
                foreach (var (file, _) in group.OrderBy(f => f.File.Length).ThenBy(f => f.File, StringComparer.Ordinal))
                    puts.Add((file, at with { Key = $"{at.Key}{stem}_0000_part_{part++:D2}{extension}" }));
            }

            var s3 = new S3Session(objects, authorizer, principal, context.Region, clock);
            var publications = new List<ObjectPublication>();
            var registered = new List<CatalogPartition>();
            var tableCreated = false;
            try
            {
                foreach (var bucket in puts.GroupBy(p => p.Target.Bucket))
                    publications.Add(s3.BeginPublication(bucket.Key, bucket.Select(p => p.Target.Key).ToList()));
                foreach (var (file, target) in puts)
                    s3.PutFileAsync(target.Bucket, target.Key, file, format.ContentType, ct: context.Cancellation)
                        .GetAwaiter().GetResult();
                Catalog(() =>
                {
                    // Redshift updates the table's 'numRows' property at the end of the command: CREATE … AS sets it;
                    // INSERT adds its rows when the table has the property (Redshift's notes: it "must be defined or
                    // added to the table already if it wasn't created by CREATE EXTERNAL TABLE AS").
                    if (create)
                    {
                        var parameters = new Dictionary<string, string>(table.Parameters) { ["numRows"] = rows.ToString(CultureInfo.InvariantCulture) };
                        catalog.CreateTable(catalogPrincipal, context.Region, table with { Parameters = parameters });
                        tableCreated = true;
                    }
                    foreach (var partition in added)
                    {
                        catalog.CreatePartition(catalogPrincipal, context.Region, schema.Database, table.Name, partition);
                        registered.Add(partition);
                    }
                    if (!create && rows > 0 && table.Parameters.TryGetValue("numRows", out var counted)
                        && long.TryParse(counted, NumberStyles.Integer, CultureInfo.InvariantCulture, out var before) && before >= 0)
                        catalog.AlterTable(catalogPrincipal, context.Region, schema.Database, table.Name, null,
                            new Dictionary<string, string> { ["numRows"] = (before + rows).ToString(CultureInfo.InvariantCulture) });
                });
                foreach (var publication in publications) publication.Complete();
            }
            catch
            {
                // What this statement registered goes with its files (the publications' disposal removes those).
                try
                {
                    if (tableCreated) catalog.DeleteTable(catalogPrincipal, context.Region, schema.Database, table.Name);
                    else foreach (var partition in registered) catalog.DeletePartition(catalogPrincipal, context.Region, schema.Database, table.Name, partition.Values);
                }
                catch (Exception e) when (e is AwsException or PgException) { }
                throw;
            }
            finally
            {
                foreach (var publication in publications) publication.Dispose();
            }
            return rows;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The rows of a partitioned table in a format the engine cannot partition or split (JSON): held once in a temporary
    /// table, then one write per partition into a <c>key=value/</c> folder under <paramref name="output"/>, as
    /// PARTITION_BY names them (values escaped as URLs are). Returns how many rows were written.
    /// </summary>
    private static long WritePartitions(RedshiftStatementContext context, CatalogTable table, IReadOnlyList<string> written, WriteFormat format, string select, string output)
    {
        var temp = QuoteIdentifier("__ext_write_" + Guid.NewGuid().ToString("N"));
        context.Engine.Execute($"CREATE TEMP TABLE {temp} AS {select}");
        try
        {
            var keys = table.PartitionKeys.Select(k => QuoteIdentifier(k.Name)).ToList();
            var partitions = new List<string?[]>();
            using (var result = context.Engine.Query($"SELECT DISTINCT {string.Join(", ", keys)} FROM {temp}"))
                while (result.Read())
                    partitions.Add(Enumerable.Range(0, keys.Count).Select(i => result.GetValue(i) as string).ToArray());
            var data = string.Join(", ", written.Select(QuoteIdentifier));
            long rows = 0;
            foreach (var values in partitions)
            {
                var at = Path.Combine([output, .. table.PartitionKeys.Select((k, i) => $"{k.Name}={Uri.EscapeDataString(values[i] ?? "NULL")}")]);
                Directory.CreateDirectory(at);
                var where = string.Join(" AND ", keys.Select((k, i) => values[i] is { } v ? $"{k} = {QuoteLiteral(v)}" : $"{k} IS NULL"));
                rows += context.Engine.WriteFiles($"SELECT {data} FROM {temp} WHERE {where}", Path.Combine(at, "data_0" + format.Extension), format.Write);
            }
            return rows;
        }
        finally
        {
            try { context.Engine.Execute($"DROP TABLE IF EXISTS {temp}"); }
            catch (PgException) { }
        }
    }

    /// <summary>
    /// The name each data column is written under: its own, or, in a JSON table, the key its OpenX SerDe property
    /// <c>'mapping.column'='key'</c> names, as the SerDe's writer keys a mapped column (lowercased, as the SerDe keeps
    /// its mappings, unless <c>'case.insensitive'='false'</c>; verified in the SerDe's source, rcongiu/Hive-JSON-Serde's
    /// <c>getSerializedFieldName</c>; what Redshift itself writes is unverified). <c>dots.in.keys</c> changes nothing on
    /// write: the SerDe writes a column's name as it is (<c>event_source</c>, which it reads back as itself).
    /// </summary>
    private static List<string> WrittenNames(CatalogTable table, WriteFormat format)
    {
        var names = table.Columns.Select(c => c.Name).ToList();
        if (!format.Json) return names;
        var mapping = JsonMappings(table.SerdeParameters);
        var insensitive = !IsSerdeFlag(table.SerdeParameters, "case.insensitive", "false");
        for (var i = 0; i < names.Count; i++)
            if (mapping.TryGetValue(names[i], out var key) && key.Length > 0)
                names[i] = insensitive ? key.ToLowerInvariant() : key;
        // Two columns written under one key (or a key that is a partition column's name, which is not written but
        // names the rows' folder here) would make one of them unreadable.
        // unverified: Redshift's text; the SerDe's writer would keep the last column's value.
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Concat(table.PartitionKeys.Select(k => k.Name)))
            if (!taken.Add(name))
                throw new PgException(SqlState.FeatureNotSupported,
                    $"the JSON key \"{name}\" is written for more than one column of the external table {table.Name}: its SerDe's 'mapping.' properties must name distinct keys");
        return names;
    }

    /// <summary>
    /// How a table's files are written: the engine's write (<see cref="FileWrite"/>), the file name's extension and the object's content
    /// type. Redshift writes Parquet and text (TEXTFILE) tables; a text table is written as its SerDe reads it:
    /// Hive's delimited text (LazySimpleSerDe: fields as they are, no quoting, NULL as <c>\N</c>), OpenCSV (every
    /// value quoted with the table's <c>quoteChar</c>, quotes inside escaped with its <c>escapeChar</c>, fields
    /// separated by its <c>separatorChar</c>, NULL as an empty unquoted field, as OpenCSVSerde's writer does), or
    /// JSON (the OpenX JSON SerDe: one object per line, keyed by the column names or their mapped keys).
    /// </summary>
    /// <param name="Splits">Whether the engine partitions and splits files of this format itself (PARTITION_BY,
    /// FILE_SIZE_BYTES); JSON is written a partition at a time, one file each (<c>write.maxfilesize.mb</c> is not honoured).</param>
    /// <param name="Json">The OpenX JSON SerDe's lines, keyed by <see cref="WrittenNames"/>.</param>
    private sealed record WriteFormat(FileWrite Write, string Extension, string ContentType, bool Splits = true, bool Json = false)
    {
        public static WriteFormat Of(CatalogTable table)
        {
            var serde = table.SerializationLibrary ?? "";
            var parameters = table.SerdeParameters;
            if (serde.Contains("Parquet", StringComparison.OrdinalIgnoreCase) || (table.InputFormat ?? "").Contains("Parquet", StringComparison.OrdinalIgnoreCase))
                return new(new FileWrite(FileFormat.Parquet), ".parquet", "application/octet-stream");
            if (serde.Length == 0 || serde.Equals(ExternalStatements.LazySimpleSerDe, StringComparison.Ordinal))
            {
                var delimiter = parameters.TryGetValue("field.delim", out var d) && d.Length > 0 ? d : "\u0001";
                // unverified: the extension of a text file (".parquet" is the documented one for Parquet).
                return new(new FileWrite(FileFormat.Delimited) { Delimiter = delimiter, Unquoted = true, NullString = "\\N" }, ".txt", "text/plain");
            }
            if (serde.Contains("OpenCSV", StringComparison.OrdinalIgnoreCase))
            {
                var separator = parameters.TryGetValue("separatorChar", out var sc) && sc.Length > 0 ? sc : ",";
                var quote = parameters.TryGetValue("quoteChar", out var q) && q.Length > 0 ? q : "\"";
                var escape = parameters.TryGetValue("escapeChar", out var e) && e.Length > 0 ? e : "\\";
                // unverified: the extension Redshift gives a CSV file it writes.
                return new(new FileWrite(FileFormat.Delimited) { Delimiter = separator, Quote = quote, QuoteEscape = escape, QuoteAll = true, NullString = "" },
                    ".csv", "text/csv");
            }
            if (serde.Contains("Json", StringComparison.OrdinalIgnoreCase))
                // unverified: the extension Redshift gives a JSON file it writes.
                return new(new FileWrite(FileFormat.Json), ".json", "application/json", Splits: false, Json: true);
            // unverified: Redshift's text for writing to a table of another SerDe.
            throw new PgException(SqlState.FeatureNotSupported,
                $"writing to an external table with SerDe {serde} is not supported: only Parquet and text tables (delimited, OpenCSV or JSON) can be written");
        }
    }

    /// <summary>A location as a folder: with its trailing slash.</summary>
    private static string Folder(string location) => location.EndsWith('/') ? location : location + "/";

    /// <summary>A partition value in a <c>key=value</c> folder name, with the characters Hive escapes as <c>%XX</c>.</summary>
    private static string HivePathValue(string value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
            if (c < ' ' || c == '\u007f' || "\"#%'*/:=?\\{[]^".Contains(c)) text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else text.Append(c);
        return text.ToString();
    }

    private static int IndexOf(IReadOnlyList<PgColumn> columns, PgColumn column)
    {
        for (var i = 0; i < columns.Count; i++) if (ReferenceEquals(columns[i], column)) return i;
        return -1;
    }

    /// <summary>
    /// A query column's type as the catalog writes it (Glue's Hive type names), for CREATE EXTERNAL TABLE AS. Text
    /// has a length in Redshift's catalog entries (<c>varchar(10)</c>, <c>char(2)</c>): the declared one where the
    /// column reads a local column as it is (<paramref name="declared"/>), else Redshift's longest VARCHAR.
    /// unverified: the length Redshift records for a text expression whose length it would compute (65535 here).
    /// </summary>
    private static string CatalogType(PgColumn column, string? declared) => column.TypeOid switch
    {
        PgTypeOid.Varchar or PgTypeOid.Text or PgTypeOid.Bpchar or PgTypeOid.Name when declared is not null
            && System.Text.RegularExpressions.Regex.Match(declared, @"^character( varying)?\((\d+)\)$") is { Success: true } m
            => (m.Groups[1].Success ? "varchar(" : "char(") + m.Groups[2].Value + ")",
        PgTypeOid.Varchar or PgTypeOid.Text or PgTypeOid.Bpchar or PgTypeOid.Name => "varchar(65535)",
        _ => CatalogType(column),
    };

    private static string CatalogType(PgColumn column) => column.TypeOid switch
    {
        PgTypeOid.Bool => "boolean",
        PgTypeOid.Int2 => "smallint",
        PgTypeOid.Int4 => "int",
        PgTypeOid.Int8 => "bigint",
        PgTypeOid.Float4 => "float",
        PgTypeOid.Float8 => "double",
        PgTypeOid.Numeric => column.TypeModifier >= 4
            ? $"decimal({(column.TypeModifier - 4) >> 16},{(column.TypeModifier - 4) & 0xffff})"
            : "decimal(38,10)",
        PgTypeOid.Date => "date",
        PgTypeOid.Timestamp or PgTypeOid.TimestampTz => "timestamp",
        // The engine does not keep a VARCHAR's length through a query.
        PgTypeOid.Varchar or PgTypeOid.Text or PgTypeOid.Bpchar or PgTypeOid.Name => "string",
        PgTypeOid.Bytea => "binary",
        _ => throw new PgException(SqlState.FeatureNotSupported, $"column \"{column.Name}\" has a type an external table cannot hold"),
    };
}
