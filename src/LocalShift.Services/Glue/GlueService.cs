using System.Text;
using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Glue;

/// <summary>
/// The AWS Glue Data Catalog as typed operations of the Glue model: databases, tables (with their versions),
/// partitions and tags, one catalog per account and region. Every operation authorizes <c>glue:&lt;Action&gt;</c> on
/// the catalog, the database and the table ARNs it touches, in that order (AWS's rule: a table operation needs its
/// table and every ancestor), before acting. The operations are public so that the SQL side can call the catalog
/// in-process as a role session, with the same authorization.
/// Only the caller's own catalog is served: a <c>CatalogId</c> naming another account is authorized as AWS would
/// (denied, as no Glue resource policy exists here) and refused even if allowed.
/// </summary>
public sealed partial class GlueService : AwsService
{
    private const int DefaultPageSize = 100;
    private readonly GlueStore _store;

    public GlueService(GlueStore store) : base("glue")
    {
        _store = store;
        Operation<CreateDatabaseRequest>("CreateDatabase", CreateDatabase);
        Operation<GetDatabaseRequest, GetDatabaseResponse>("GetDatabase", GetDatabase);
        Operation<GetDatabasesRequest, GetDatabasesResponse>("GetDatabases", GetDatabases);
        Operation<UpdateDatabaseRequest>("UpdateDatabase", UpdateDatabase);
        Operation<DeleteDatabaseRequest>("DeleteDatabase", DeleteDatabase);

        Operation<CreateTableRequest>("CreateTable", CreateTable);
        Operation<GetTableRequest, GetTableResponse>("GetTable", GetTable);
        Operation<GetTablesRequest, GetTablesResponse>("GetTables", GetTables);
        Operation<UpdateTableRequest>("UpdateTable", UpdateTable);
        Operation<DeleteTableRequest>("DeleteTable", DeleteTable);
        Operation<BatchDeleteTableRequest, BatchDeleteTableResponse>("BatchDeleteTable", BatchDeleteTable);
        Operation<GetTableVersionsRequest, GetTableVersionsResponse>("GetTableVersions", GetTableVersions);

        Operation<CreatePartitionRequest>("CreatePartition", CreatePartition);
        Operation<BatchCreatePartitionRequest, BatchCreatePartitionResponse>("BatchCreatePartition", BatchCreatePartition);
        Operation<GetPartitionRequest, GetPartitionResponse>("GetPartition", GetPartition);
        Operation<GetPartitionsRequest, GetPartitionsResponse>("GetPartitions", GetPartitions);
        Operation<BatchGetPartitionRequest, BatchGetPartitionResponse>("BatchGetPartition", BatchGetPartition);
        Operation<UpdatePartitionRequest>("UpdatePartition", UpdatePartition);
        Operation<DeletePartitionRequest>("DeletePartition", DeletePartition);
        Operation<BatchDeletePartitionRequest, BatchDeletePartitionResponse>("BatchDeletePartition", BatchDeletePartition);

        Operation<TagResourceRequest>("TagResource", TagResource);
        Operation<UntagResourceRequest>("UntagResource", UntagResource);
        Operation<GetTagsRequest, GetTagsResponse>("GetTags", GetTags);
    }

    // ---- Databases ----

    public void CreateDatabase(AwsCall call, CreateDatabaseRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var name = Name(p.DatabaseInput.Name);
        Authorize(call, "glue:CreateDatabase", catalog, CatalogArn(catalog), DatabaseArn(catalog, name));
        _store.CreateDatabase(catalog, new StoredDatabase(name, p.DatabaseInput with { Name = name }, call.Time),
            DatabaseArn(catalog, name), p.Tags ?? []);
    }

    public GetDatabaseResponse GetDatabase(AwsCall call, GetDatabaseRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var name = Name(p.Name);
        Authorize(call, "glue:GetDatabase", catalog, CatalogArn(catalog), DatabaseArn(catalog, name));
        var db = _store.FindDatabase(catalog, name) ?? throw GlueErrors.DatabaseNotFound(p.Name);
        return new GetDatabaseResponse(View(catalog, db));
    }

    public GetDatabasesResponse GetDatabases(AwsCall call, GetDatabasesRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        // As in AWS's examples for listing databases: the catalog and every database.
        Authorize(call, "glue:GetDatabases", catalog, CatalogArn(catalog), DatabaseArn(catalog, "*"));
        var (page, next) = Page(_store.ListDatabases(catalog), d => d.Name, p.NextToken, p.MaxResults ?? DefaultPageSize);
        return new GetDatabasesResponse(page.Select(d => View(catalog, d)).ToList(), next);
    }

    public void UpdateDatabase(AwsCall call, UpdateDatabaseRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var name = Name(p.Name);
        Authorize(call, "glue:UpdateDatabase", catalog, CatalogArn(catalog), DatabaseArn(catalog, name));
        if (Name(p.DatabaseInput.Name) != name)
            // unverified: AWS's text (LocalShift does not rename databases).
            throw GlueErrors.InvalidInput("Renaming a database is not supported: DatabaseInput.Name must be the database's name.");
        _store.UpdateDatabase(catalog, name, p.DatabaseInput with { Name = name });
    }

    public void DeleteDatabase(AwsCall call, DeleteDatabaseRequest p)
    {
        var catalog = Catalog(call, p.CatalogId);
        var name = Name(p.Name);
        // Deleting a database deletes its tables: AWS asks for the tables too (as its examples for DROP DATABASE show).
        Authorize(call, "glue:DeleteDatabase", catalog, CatalogArn(catalog), DatabaseArn(catalog, name), TableArn(catalog, name, "*"));
        _store.DeleteDatabase(catalog, name, DatabaseArn(catalog, name), t => TableArn(catalog, name, t));
    }

    private static Database View(CatalogKey catalog, StoredDatabase d) => new(
        d.Name,
        d.Input.Description,
        d.Input.LocationUri,
        d.Input.Parameters ?? [],
        d.CreateTime,
        // What Glue gives a database created without Lake Formation settings: IAM decides alone.
        d.Input.CreateTableDefaultPermissions ?? [new PrincipalPermissions(new DataLakePrincipal("IAM_ALLOWED_PRINCIPALS"), ["ALL"])],
        d.Input.TargetDatabase,
        catalog.AccountId);

    // ---- Shared ----

    /// <summary>The catalog a request names: its CatalogId's account, or the caller's, in the call's region.</summary>
    private static CatalogKey Catalog(AwsCall call, string? catalogId) =>
        new(string.IsNullOrEmpty(catalogId) ? call.Caller.AccountId : catalogId, call.Region);

    /// <summary>Glue keeps database and table names in lower case (Hive's convention).</summary>
    private static string Name(string name) => name.ToLowerInvariant();

    public static string CatalogArn(CatalogKey c) => $"arn:aws:glue:{c.Region}:{c.AccountId}:catalog";
    public static string DatabaseArn(CatalogKey c, string database) => $"arn:aws:glue:{c.Region}:{c.AccountId}:database/{database}";
    public static string TableArn(CatalogKey c, string database, string table) => $"arn:aws:glue:{c.Region}:{c.AccountId}:table/{database}/{table}";

    /// <summary>
    /// Authorizes <paramref name="action"/> on each resource in order; the first denial is answered, as
    /// AccessDeniedException (Glue's code for the policy engine's AccessDenied) with AWS's text.
    /// </summary>
    private static void Authorize(AwsCall call, string action, CatalogKey catalog, params string[] resources)
    {
        var foreign = catalog.AccountId != call.Caller.AccountId ? catalog.AccountId : null;
        foreach (var resource in resources)
        {
            try
            {
                call.Authorize(action, resource, resourceAccount: foreign);
            }
            catch (AwsException e) when (e.Code == "AccessDenied")
            {
                throw GlueErrors.AccessDenied(e);
            }
        }
        if (foreign is not null)
            throw new AwsException("AccessDeniedException",
                $"LocalShift serves only the caller's own Data Catalog; catalog {foreign} belongs to another account.", 400);
    }

    /// <summary>
    /// One page of <paramref name="items"/> (ordered by <paramref name="key"/>) after the token's key; the token of the
    /// next page is the last key returned, opaque to the client.
    /// </summary>
    private static (List<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, Func<T, string> key, string? token, int size)
    {
        var after = string.IsNullOrEmpty(token) ? null : DecodeToken(token);
        var ordered = items.OrderBy(key, StringComparer.Ordinal);
        var rest = (after is null ? ordered : ordered.Where(i => string.CompareOrdinal(key(i), after) > 0)).ToList();
        var page = rest.Take(size).ToList();
        return (page, rest.Count > size ? EncodeToken(key(page[^1])) : null);
    }

    private static string EncodeToken(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes("ls1:" + key));

    private static string DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("ls1:", StringComparison.Ordinal)) return text[4..];
        }
        catch (FormatException) { }
        throw GlueErrors.InvalidNextToken();
    }

    private static string ValuesKey(IReadOnlyList<string> values) => JsonSerializer.Serialize(values);
}
