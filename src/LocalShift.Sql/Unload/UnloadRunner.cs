using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Users;
using LocalShift.Storage.Objects;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Unload;

/// <summary>
/// Runs an UNLOAD: the engine writes the query's result (<see cref="IEngineSession.WriteFiles"/>) into a folder of its
/// staging folder (partitioned and split as asked), then each file is put to S3 as the role session (the store takes the file
/// over, no copy) under Redshift's names (<c>&lt;prefix&gt;0000_part_00</c>, <c>0001_part_00</c>, ... a file per slice
/// with PARALLEL ON; <c>&lt;prefix&gt;000</c> with PARALLEL OFF; <c>col=value/</c> folders; <c>manifest</c>).
/// </summary>
/// <param name="prepareFunctions">Readies default_iam_role() and the other cluster functions for a query that calls them.</param>
/// <param name="slices">The cluster's slices. With PARALLEL ON, when DuckDB's threads fit in them, each thread writes its
/// own file, as each slice does in Redshift (a small result still gives one file); otherwise, and with ORDER BY, one file.</param>
public sealed class UnloadRunner(RedshiftStatementContext context, UnloadStatement unload, S3Session s3,
    Func<string, string>? prepareFunctions = null, int slices = 1)
{
    public async Task<long> RunAsync(CancellationToken ct = default)
    {
        var query = Translate();
        await PrepareDestinationAsync(ct);

        // In the engine's staging folder, the one place it may write files; it lies in the data directory, as the
        // object store does, so that each written file becomes its object by a rename rather than a copy.
        var folder = Path.Combine(context.Engine.StagingDirectory, "unload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        FileTail? tail = null;
        try
        {
            var single = unload.PartitionBy.Count == 0 && unload.MaxFileSize is null;
            var threads = single && unload.Parallel && slices > 1 && !OrdersRows() ? context.Engine.Threads() : 1;
            var perSlice = threads > 1 && threads <= slices;
            var output = single && !perSlice ? Path.Combine(folder, "data") : Path.Combine(folder, "out");
            // Each output file, put as DuckDB wrote it: hash it (and flush it to the device) while DuckDB writes it,
            // so that only its tail is left to hash once COPY returns; the slices' files share the hashing lanes.
            // DuckDB appends to each file strictly in order in every format written here (BZIP2 is compressed
            // afterwards, by us, so it is read again).
            var write = FileWrite() with { FilePerThread = perSlice };
            var followed = !single || unload.Compression == Compression.Bzip2 ? []
                : perSlice ? Enumerable.Range(0, threads).Select(i => Path.Combine(output, context.Engine.ThreadFile(i, write))).ToArray()
                : [output];
            if (followed.Length > 0) tail = FileTail.Start(followed);
            var rows = context.Engine.WriteFiles(query, output, write);
            var digests = new Dictionary<string, FileDigest>(StringComparer.Ordinal);
            var finished = tail is null ? [] : await tail.FinishAllAsync();
            for (var i = 0; i < finished.Length; i++)
                if (finished[i] is { } digest) digests[followed[i]] = digest;
            // Every file's name first, so that the keys are recorded before the first put: a kill, a cancel or a
            // failure before the last put (and the manifest) removes what was put (ObjectStore.BeginPublication).
            var files = new List<(string File, string Name)>();
            if (perSlice)
            {
                // Thread i's file, which Redshift would call slice i's (a thread that got no rows may have written none).
                for (var slice = 0; slice < threads; slice++)
                    if (Path.Combine(output, context.Engine.ThreadFile(slice, write)) is var file && File.Exists(file))
                        files.Add((file, FileName(0, slice)));
            }
            else
            {
                var all = File.Exists(output) ? [output]
                    : Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : [];
                foreach (var group in all.GroupBy(f => Path.GetRelativePath(File.Exists(output) ? folder : output, Path.GetDirectoryName(f)!)))
                {
                    var partition = group.Key is "." or "" ? "" : group.Key.Replace(Path.DirectorySeparatorChar, '/') + "/";
                    var part = 0;
                    foreach (var file in group) files.Add((file, partition + FileName(part++)));
                }
            }
            var keys = files.Select(f => unload.Destination.Key + f.Name).ToList();
            if (unload.Manifest) keys.Add(ManifestKey);
            using var publication = s3.BeginPublication(unload.Destination.Bucket, keys);
            var written = new List<(string Key, long Size, long Records)>();
            foreach (var (file, name) in files) written.Add(await PutAsync(file, name, digests, ct));
            if (unload.Manifest) await WriteManifestAsync(written, rows, ct);
            publication.Complete();
            context.Notice(new PgNotice("INFO", $"UNLOAD completed, {rows} record(s) unloaded successfully."));
            return rows;
        }
        finally
        {
            tail?.Dispose();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private string ManifestKey => unload.Destination.Key + "manifest";

    /// <summary>Puts one written file under the destination prefix plus <paramref name="name"/>.</summary>
    private async Task<(string Key, long Size, long Records)> PutAsync(string file, string name, Dictionary<string, FileDigest> digests, CancellationToken ct)
    {
        var key = unload.Destination.Key + name;
        var records = unload.Manifest && unload.ManifestVerbose ? RecordCount(file) : 0;
        var upload = unload.Compression == Compression.Bzip2 ? CompressBzip2(file) : file;
        var stored = await s3.PutFileAsync(unload.Destination.Bucket, key, upload, ContentType(), digests.GetValueOrDefault(upload), ct);
        return (key, stored.Size, records);
    }

    /// <summary>
    /// An ORDER BY of the query, or of a query its rows come from (a parenthesized branch, a CTE, a subquery in FROM),
    /// keeps one file, so that the order it asks for is the file's. A window's or WITHIN GROUP's ORDER BY orders no
    /// output rows, nor does a subquery in an expression's; read from the query's tree (<see cref="Translate"/> has
    /// refused what does not parse).
    /// </summary>
    private bool OrdersRows()
    {
        return _tree is { } query && OrdersQuery(query);

        static bool OrdersQuery(Query query) => query.OrderBy.Count > 0 || query.With.Any(cte => OrdersQuery(cte.Query)) || OrdersBody(query.Body);

        static bool OrdersBody(QueryBody body) => body switch
        {
            NestedQuery nested => OrdersQuery(nested.Query),
            SetOperation set => OrdersBody(set.Left) || OrdersBody(set.Right),
            SelectCore select => select.From.Any(OrdersFrom),
            _ => false,
        };

        static bool OrdersFrom(FromItem from) => from switch
        {
            SubqueryFrom subquery => OrdersQuery(subquery.Query),
            JoinFrom join => OrdersFrom(join.Left) || OrdersFrom(join.Right),
            _ => false,
        };
    }

    /// <summary>The query as the engine runs it (the write's projections, booleans as letters, FIXEDWIDTH and ESCAPE, are the engine's).</summary>
    private string? _query;

    /// <summary>The query's tree, as <see cref="Translate"/> parsed and authorized it.</summary>
    private Query? _tree;

    private string Translate()
    {
        // Lexed and parsed once: the tree that is authorized is the one translated (its rewrite sites), not a second reading of the text.
        var text = unload.Query.TrimEnd().TrimEnd(';');
        var all = SqlLexer.Tokenize(text);
        var tokens = SqlLexer.Significant(all);
        if (tokens.Count == 0) throw new PgException(SqlState.SyntaxError, "UNLOAD query must be a SELECT statement");
        if (tokens[^1].Kind == SqlTokenKind.Semicolon) throw new PgException(SqlState.SyntaxError, "syntax error at or near \";\"");
        // Exactly one statement, nothing after it, and a query: the engine runs it inside its write to files, which it must not leave.
        var parsed = SqlParser.Parse(text, all, context.PlanningBudget);
        if (parsed is not QueryStatement query) throw new PgException(SqlState.SyntaxError, "UNLOAD query must be a SELECT statement");
        context.AuthorizeQuery(query.Query);
        var translated = RedshiftTranslator.Translate(text, all, TranslationSites.Of(parsed, StatementAccess.Of(parsed)),
            new TranslationContext(context.User, context.Database));
        foreach (var statement in translated.PreStatements) context.Engine.Execute(statement);
        if (prepareFunctions is not null && AssumeRolePrivileges.ClusterFunctions.Mentioned(tokens))
            translated = translated with { Sql = prepareFunctions(translated.Sql) };
        _query = translated.Sql;
        _tree = query.Query;
        if (unload.Format is not (UnloadFormat.Text or UnloadFormat.Csv)) return translated.Sql;
        // Text and CSV: the query is bound here, before the destination is touched (a query that does not bind fails
        // before CLEANPATH deletes anything), and FIXEDWIDTH's widths are checked against its columns.
        var count = context.Engine.Describe(translated.Sql).Count;
        if (unload.FixedWidths.Count > 0 && count != unload.FixedWidths.Count)
            throw new PgException(SqlState.InvalidParameterValue,
                $"FIXEDWIDTH specification has {unload.FixedWidths.Count} columns; the query returns {count}");
        return translated.Sql;
    }

    /// <summary>BZIP2: DuckDB cannot write it, so each file is compressed here before it is put.</summary>
    private static string CompressBzip2(string file)
    {
        var compressed = file + ".bz2";
        using (var input = File.OpenRead(file))
        using (var output = File.Create(compressed))
            ICSharpCode.SharpZipLib.BZip2.BZip2.Compress(input, output, isStreamOwner: false, level: 9);
        return compressed;
    }

    private async Task PrepareDestinationAsync(CancellationToken ct)
    {
        var existing = await s3.ListAsync(unload.Destination, ct);
        if (existing.Count == 0) return;
        if (unload.CleanPath)
        {
            foreach (var o in existing) await s3.DeleteAsync(o.Bucket, o.Key, ct);
            return;
        }
        if (!unload.AllowOverwrite)
            throw new PgException(SqlState.InternalError,
                "Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.");
    }

    /// <summary>The files the engine writes for this UNLOAD (BZIP2, which it cannot write, is compressed afterwards).</summary>
    private FileWrite FileWrite()
    {
        var csv = unload.Format == UnloadFormat.Csv;
        return new FileWrite(unload.Format switch { UnloadFormat.Parquet => FileFormat.Parquet, UnloadFormat.Json => FileFormat.Json, _ => FileFormat.Delimited })
        {
            Delimiter = unload.Delimiter ?? (csv ? "," : "|"),
            Header = unload.Header,
            NullString = unload.NullAs ?? "",
            QuoteAll = unload.AddQuotes,
            // Redshift's text format is not CSV: fields are written raw (ESCAPE adds backslashes in the query instead).
            Unquoted = !csv,
            Compression = unload.Compression switch { Compression.Gzip => FileCompression.Gzip, Compression.Zstd => FileCompression.Zstd, _ => FileCompression.None },
            PartitionBy = unload.PartitionBy,
            PartitionColumnsWritten = unload.PartitionInclude,
            MaxFileBytes = unload.MaxFileSize,
            // Text and CSV: Redshift writes a BOOLEAN as t or f (DuckDB would write true/false).
            BooleansAsLetters = unload.Format is UnloadFormat.Text or UnloadFormat.Csv,
            // FIXEDWIDTH: each value left-aligned and padded with blanks to its width (NULL as the NULL AS string, blank
            // by default); a value wider than its column fails the UNLOAD: Redshift never truncates.
            FixedWidths = unload.Format is UnloadFormat.Text or UnloadFormat.Csv ? unload.FixedWidths.Select(w => w.Width).ToList() : [],
            FixedWidthFailure = "Value of column {0} is wider than its FIXEDWIDTH width {1}: ",
            // ESCAPE: a backslash before the delimiter, newlines, carriage returns, quotes and backslashes in text fields.
            EscapeCharacters = unload.Escape && unload.Format == UnloadFormat.Text && unload.FixedWidths.Count == 0 ? (unload.Delimiter ?? "|") + "\\\n\r\"'" : null,
        };
    }

    private string FileName(int part, int slice = 0)
    {
        var name = unload.Parallel ? $"{slice:D4}_part_{part:D2}" : $"{part:D3}";
        if (unload.Extension is { Length: > 0 } ext) name += "." + ext;
        else if (unload.Format == UnloadFormat.Parquet) name += ".parquet";
        var compressed = unload.Compression switch { Compression.Gzip => ".gz", Compression.Bzip2 => ".bz2", Compression.Zstd => ".zst", _ => "" };
        // An EXTENSION that already names the compression ('txt.gz' with GZIP) is not given it twice.
        return name.EndsWith(compressed, StringComparison.OrdinalIgnoreCase) ? name : name + compressed;
    }

    private string ContentType() => unload.Format switch
    {
        UnloadFormat.Parquet => "application/octet-stream",
        UnloadFormat.Json => "application/json",
        _ => "text/plain",
    };

    private async Task WriteManifestAsync(List<(string Key, long Size, long Records)> written, long rows, CancellationToken ct)
    {
        var entries = written.Select(w => unload.ManifestVerbose
            ? (object)new Dictionary<string, object>
            {
                ["url"] = $"s3://{unload.Destination.Bucket}/{w.Key}",
                ["meta"] = new Dictionary<string, object> { ["content_length"] = w.Size, ["record_count"] = w.Records },
            }
            : new Dictionary<string, object> { ["url"] = $"s3://{unload.Destination.Bucket}/{w.Key}" }).ToList();
        var manifest = new Dictionary<string, object> { ["entries"] = entries };
        if (unload.ManifestVerbose)
        {
            manifest["schema"] = new Dictionary<string, object> { ["elements"] = SchemaElements() };
            manifest["meta"] = new Dictionary<string, object> { ["content_length"] = written.Sum(w => w.Size), ["record_count"] = rows };
            manifest["author"] = new Dictionary<string, object> { ["name"] = "Amazon Redshift", ["version"] = "1.0.0" };
        }
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }));
        await s3.PutAsync(unload.Destination.Bucket, ManifestKey, body, "application/json", ct);
    }

    private long RecordCount(string file)
    {
        FileScan scan = unload.Format switch
        {
            UnloadFormat.Parquet => new ParquetScan([file]),
            UnloadFormat.Json => new JsonScan([file], Whole: false, FileWrite().Compression),
            _ => new DelimitedScan([file], Columns: null) { Header = unload.Header, Delimiter = unload.Delimiter ?? (unload.Format == UnloadFormat.Csv ? "," : "|") },
        };
        try
        {
            return context.Engine.CountRows(scan);
        }
        catch (PgException)
        {
            return 0;
        }
    }

    /// <summary>The type's name as Redshift writes it in a verbose manifest (PostgreSQL's, lower case: "integer", "character varying").</summary>
    private static string ManifestTypeName(int oid) => oid switch
    {
        PgTypeOid.Bool => "boolean",
        PgTypeOid.Int2 => "smallint",
        PgTypeOid.Int4 => "integer",
        PgTypeOid.Int8 => "bigint",
        PgTypeOid.Float4 => "real",
        PgTypeOid.Float8 => "double precision",
        PgTypeOid.Numeric => "numeric",
        PgTypeOid.Date => "date",
        PgTypeOid.Time => "time without time zone",
        PgTypeOid.Timestamp => "timestamp without time zone",
        PgTypeOid.TimestampTz => "timestamp with time zone",
        _ => "character varying",
    };

    private List<object> SchemaElements()
    {
        // The query's own types: a boolean is "boolean" although text and CSV write it as t/f.
        var columns = context.Engine.Describe(_query ?? Translate());
        return columns.Select(c => (object)new Dictionary<string, object>
        {
            ["name"] = c.Name,
            ["type"] = new Dictionary<string, object> { ["base"] = ManifestTypeName(c.TypeOid) },
        }).ToList();
    }
}
