using LocalShift.Aws;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Glue;

public sealed partial class GlueService
{
    private const int DefaultPartitionPageSize = 1000;

    public void CreatePartition(AwsCall call, CreatePartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:CreatePartition", p.CatalogId, p.DatabaseName, p.TableName);
        var partition = Stored(table, p.PartitionInput, call);
        if (_store.CreatePartitions(catalog, table.DatabaseName, table.Name, [partition]).Count > 0) throw GlueErrors.PartitionAlreadyExists();
    }

    /// <summary>Creates each partition; one that exists already or whose values do not fit the keys comes back as an error.</summary>
    public BatchCreatePartitionResponse BatchCreatePartition(AwsCall call, BatchCreatePartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:BatchCreatePartition", p.CatalogId, p.DatabaseName, p.TableName);
        var errors = new List<PartitionError>();
        var valid = new List<StoredPartition>();
        foreach (var input in p.PartitionInputList)
        {
            try { valid.Add(Stored(table, input, call)); }
            catch (Core.AwsException e) { errors.Add(new PartitionError(input.Values ?? [], new ErrorDetail(e.Code, e.Message))); }
        }
        var existing = GlueErrors.PartitionAlreadyExists();
        foreach (var values in _store.CreatePartitions(catalog, table.DatabaseName, table.Name, valid))
            errors.Add(new PartitionError(values, new ErrorDetail(existing.Code, existing.Message)));
        return new BatchCreatePartitionResponse(errors);
    }

    public GetPartitionResponse GetPartition(AwsCall call, GetPartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:GetPartition", p.CatalogId, p.DatabaseName, p.TableName);
        var partition = _store.FindPartition(catalog, table.DatabaseName, table.Name, p.PartitionValues) ?? throw GlueErrors.PartitionNotFound();
        return new GetPartitionResponse(View(catalog, table, partition, excludeColumns: false));
    }

    public GetPartitionsResponse GetPartitions(AwsCall call, GetPartitionsRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:GetPartitions", p.CatalogId, p.DatabaseName, p.TableName);
        var keys = table.Input.PartitionKeys ?? [];
        var filter = string.IsNullOrWhiteSpace(p.Expression) ? null : PartitionExpression.Parse(p.Expression, keys);
        if (p.Segment is { SegmentNumber: var number, TotalSegments: var total } && number >= total)
            // unverified: AWS's text.
            throw GlueErrors.InvalidInput("SegmentNumber must be less than TotalSegments.");
        // Without segments the expression is applied as the store reads the values, before any document is parsed;
        // segments split all partitions first, so there it is applied to the segment.
        IEnumerable<StoredPartition> all = _store.ListPartitions(catalog, table.DatabaseName, table.Name,
            p.Segment is null && filter is not null ? filter.Matches : null);
        if (p.Segment is { } segment)
            all = all.Where((_, i) => i % segment.TotalSegments == segment.SegmentNumber).Where(x => filter is null || filter.Matches(x.Values));
        var matching = all.ToList();
        var (page, next) = Page(matching, x => ValuesKey(x.Values), p.NextToken, p.MaxResults ?? DefaultPartitionPageSize);
        return new GetPartitionsResponse(page.Select(x => View(catalog, table, x, p.ExcludeColumnSchema ?? false)).ToList(), next);
    }

    /// <summary>The partitions that exist, in the order asked; the ones that do not are left out.</summary>
    public BatchGetPartitionResponse BatchGetPartition(AwsCall call, BatchGetPartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:BatchGetPartition", p.CatalogId, p.DatabaseName, p.TableName);
        var found = p.PartitionsToGet
            .Select(v => _store.FindPartition(catalog, table.DatabaseName, table.Name, v.Values))
            .OfType<StoredPartition>()
            .DistinctBy(x => ValuesKey(x.Values))
            .Select(x => View(catalog, table, x, excludeColumns: false))
            .ToList();
        return new BatchGetPartitionResponse(found, []);
    }

    public void UpdatePartition(AwsCall call, UpdatePartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:UpdatePartition", p.CatalogId, p.DatabaseName, p.TableName);
        var current = _store.FindPartition(catalog, table.DatabaseName, table.Name, p.PartitionValueList) ?? throw GlueErrors.PartitionNotFound();
        // Values left out of the input keep the partition where it is.
        var input = p.PartitionInput.Values is null ? p.PartitionInput with { Values = current.Values } : p.PartitionInput;
        var updated = Stored(table, input, call) with { CreateTime = current.CreateTime };
        _store.UpdatePartition(catalog, table.DatabaseName, table.Name, p.PartitionValueList, updated);
    }

    public void DeletePartition(AwsCall call, DeletePartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:DeletePartition", p.CatalogId, p.DatabaseName, p.TableName);
        if (!_store.DeletePartition(catalog, table.DatabaseName, table.Name, p.PartitionValues)) throw GlueErrors.PartitionNotFound();
    }

    public BatchDeletePartitionResponse BatchDeletePartition(AwsCall call, BatchDeletePartitionRequest p)
    {
        var (catalog, table) = PartitionTable(call, "glue:BatchDeletePartition", p.CatalogId, p.DatabaseName, p.TableName);
        var notFound = GlueErrors.PartitionNotFound();
        var errors = p.PartitionsToDelete
            .Where(v => !_store.DeletePartition(catalog, table.DatabaseName, table.Name, v.Values))
            .Select(v => new PartitionError(v.Values, new ErrorDetail(notFound.Code, notFound.Message)))
            .ToList();
        return new BatchDeletePartitionResponse(errors);
    }

    /// <summary>Authorizes a partition action on the table and its ancestors, then finds the table.</summary>
    private (CatalogKey Catalog, StoredTable Table) PartitionTable(AwsCall call, string action, string? catalogId, string database, string tableName)
    {
        var catalog = Catalog(call, catalogId);
        var db = Name(database);
        var name = Name(tableName);
        Authorize(call, action, catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        return (catalog, FindTable(catalog, db, name, database, tableName));
    }

    /// <summary>The partition to store: one value per partition key of the table.</summary>
    private static StoredPartition Stored(StoredTable table, PartitionInput input, AwsCall call)
    {
        var values = input.Values ?? [];
        if (values.Count != (table.Input.PartitionKeys?.Count ?? 0)) throw GlueErrors.PartitionValuesMismatch();
        return new StoredPartition(values, input with { Values = values }, call.Time);
    }

    private static Partition View(CatalogKey catalog, StoredTable table, StoredPartition x, bool excludeColumns)
    {
        var sd = x.Input.StorageDescriptor;
        if (excludeColumns && sd is not null) sd = sd with { Columns = null };
        return new Partition(
            x.Values,
            table.DatabaseName,
            table.Name,
            x.CreateTime,
            x.Input.LastAccessTime,
            sd,
            x.Input.Parameters,
            x.Input.LastAnalyzedTime,
            catalog.AccountId);
    }
}
