using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Glue;

public sealed partial class GlueService
{
    public void CreateTable(AwsCall call, CreateTableRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var name = Name(p.TableInput.Name);
        Authorize(call, "glue:CreateTable", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        var input = p.TableInput with { Name = name };
        _store.CreateTable(catalog, new StoredTable(db, name, input, call.Time, call.Time, call.Caller.Arn, 0), p.DatabaseName);
    }

    public GetTableResponse GetTable(AwsCall call, GetTableRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var name = Name(p.Name);
        Authorize(call, "glue:GetTable", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        return new GetTableResponse(View(catalog, FindTable(catalog, db, name, p.DatabaseName, p.Name)));
    }

    public GetTablesResponse GetTables(AwsCall call, GetTablesRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        // As in AWS's examples for listing tables: the catalog, the database and every table in it.
        Authorize(call, "glue:GetTables", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, "*"));
        var matches = TableNamePattern.Compile(p.Expression);
        if (_store.FindDatabase(catalog, db) is null) throw GlueErrors.DatabaseNotFound(p.DatabaseName);
        var tables = _store.ListTables(catalog, db).Where(t => matches(t.Name)).ToList();
        var (page, next) = Page(tables, t => t.Name, p.NextToken, p.MaxResults ?? DefaultPageSize);
        return new GetTablesResponse(page.Select(t => View(catalog, t)).ToList(), next);
    }

    public void UpdateTable(AwsCall call, UpdateTableRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var name = Name(p.TableInput.Name);
        Authorize(call, "glue:UpdateTable", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        if (_store.FindDatabase(catalog, db) is null) throw GlueErrors.DatabaseNotFound(p.DatabaseName);
        _store.UpdateTable(catalog, db, name, p.SkipArchive ?? false, current =>
        {
            var version = current.Version.ToString(CultureInfo.InvariantCulture);
            if (p.VersionId is not null && p.VersionId != version) throw GlueErrors.VersionMismatch(version);
            return current with { Input = p.TableInput with { Name = name }, UpdateTime = call.Time, Version = current.Version + 1 };
        });
    }

    public void DeleteTable(AwsCall call, DeleteTableRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var name = Name(p.Name);
        Authorize(call, "glue:DeleteTable", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        if (_store.FindDatabase(catalog, db) is null) throw GlueErrors.DatabaseNotFound(p.DatabaseName);
        if (!_store.DeleteTable(catalog, db, name, TableArn(catalog, db, name))) throw GlueErrors.TableNotFound(p.Name);
    }

    /// <summary>Deletes each named table; the ones that do not exist come back as errors, the others are gone.</summary>
    public BatchDeleteTableResponse BatchDeleteTable(AwsCall call, BatchDeleteTableRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var names = p.TablesToDelete.Select(Name).ToList();
        Authorize(call, "glue:BatchDeleteTable", catalog,
            [CatalogArn(catalog), DatabaseArn(catalog, db), .. names.Distinct().Select(t => TableArn(catalog, db, t))]);
        if (_store.FindDatabase(catalog, db) is null) throw GlueErrors.DatabaseNotFound(p.DatabaseName);
        var errors = new List<TableError>();
        for (var i = 0; i < names.Count; i++)
            if (!_store.DeleteTable(catalog, db, names[i], TableArn(catalog, db, names[i])))
            {
                var e = GlueErrors.TableNotFound(p.TablesToDelete[i]);
                errors.Add(new TableError(p.TablesToDelete[i], new ErrorDetail(e.Code, e.Message)));
            }
        return new BatchDeleteTableResponse(errors);
    }

    public GetTableVersionsResponse GetTableVersions(AwsCall call, GetTableVersionsRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var db = Name(p.DatabaseName);
        var name = Name(p.TableName);
        Authorize(call, "glue:GetTableVersions", catalog, CatalogArn(catalog), DatabaseArn(catalog, db), TableArn(catalog, db, name));
        FindTable(catalog, db, name, p.DatabaseName, p.TableName);
        var versions = _store.ListTableVersions(catalog, db, name);
        // Newest first: the page key orders versions by their number backwards.
        var (page, next) = Page(versions, v => (long.MaxValue - v.Version).ToString("D19", CultureInfo.InvariantCulture), p.NextToken,
            p.MaxResults ?? DefaultPageSize);
        return new GetTableVersionsResponse(
            page.Select(v => new TableVersion(View(catalog, v), v.Version.ToString(CultureInfo.InvariantCulture))).ToList(), next);
    }

    /// <summary>The table, or EntityNotFoundException naming the database or the table as the caller wrote them.</summary>
    private StoredTable FindTable(CatalogKey catalog, string db, string name, string givenDb, string givenName)
    {
        if (_store.FindTable(catalog, db, name) is { } table) return table;
        if (_store.FindDatabase(catalog, db) is null) throw GlueErrors.DatabaseNotFound(givenDb);
        throw GlueErrors.TableNotFound(givenName);
    }

    private static Table View(CatalogKey catalog, StoredTable t)
    {
        var i = t.Input;
        return new Table(
            t.Name,
            t.DatabaseName,
            i.Description,
            i.Owner,
            t.CreateTime,
            t.UpdateTime,
            i.LastAccessTime,
            i.LastAnalyzedTime,
            i.Retention ?? 0,
            i.StorageDescriptor,
            i.PartitionKeys ?? [],
            i.ViewOriginalText,
            i.ViewExpandedText,
            i.TableType,
            i.Parameters,
            t.CreatedBy,
            IsRegisteredWithLakeFormation: false,
            i.TargetTable,
            catalog.AccountId,
            t.Version.ToString(CultureInfo.InvariantCulture));
    }
}
