using LocalShift.Core;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Tests.Glue;

/// <summary>Every operation authorizes its Glue action on the catalog, the database and the table, in that order.</summary>
public sealed class GlueAuthorizationTests : IDisposable
{
    private const string Catalog = "arn:aws:glue:us-east-1:123456789012:catalog";
    private const string Db = "arn:aws:glue:us-east-1:123456789012:database/db1";
    private const string Table = "arn:aws:glue:us-east-1:123456789012:table/db1/t";
    private readonly GlueHarness _h = new();

    public GlueAuthorizationTests()
    {
        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("t"));
        _h.Partition("db1", "t", "2024", "01");
        while (_h.Authorizer.Checks.TryDequeue(out _)) { }
    }

    public void Dispose() => _h.Dispose();

    private List<(string Action, string Resource)> Checks() => _h.Authorizer.Checks.Select(c => (c.Action, c.Resource)).ToList();

    public static TheoryData<string, string[]> Operations() => new()
    {
        { "GetDatabase", [Catalog, Db] },
        { "GetDatabases", [Catalog, "arn:aws:glue:us-east-1:123456789012:database/*"] },
        { "UpdateDatabase", [Catalog, Db] },
        { "DeleteDatabase", [Catalog, Db, "arn:aws:glue:us-east-1:123456789012:table/db1/*"] },
        { "GetTable", [Catalog, Db, Table] },
        { "GetTables", [Catalog, Db, "arn:aws:glue:us-east-1:123456789012:table/db1/*"] },
        { "UpdateTable", [Catalog, Db, Table] },
        { "DeleteTable", [Catalog, Db, Table] },
        { "GetTableVersions", [Catalog, Db, Table] },
        { "GetPartition", [Catalog, Db, Table] },
        { "GetPartitions", [Catalog, Db, Table] },
        { "BatchGetPartition", [Catalog, Db, Table] },
        { "CreatePartition", [Catalog, Db, Table] },
        { "BatchCreatePartition", [Catalog, Db, Table] },
        { "UpdatePartition", [Catalog, Db, Table] },
        { "DeletePartition", [Catalog, Db, Table] },
        { "BatchDeletePartition", [Catalog, Db, Table] },
        { "BatchDeleteTable", [Catalog, Db, Table] },
        { "TagResource", [Table] },
        { "UntagResource", [Table] },
        { "GetTags", [Table] },
    };

    private void Run(string operation)
    {
        var s = _h.Service;
        var c = _h.Call(operation);
        List<string> values = ["2024", "01"];
        switch (operation)
        {
            case "GetDatabase": s.GetDatabase(c, new GetDatabaseRequest("db1")); break;
            case "GetDatabases": s.GetDatabases(c, new GetDatabasesRequest()); break;
            case "UpdateDatabase": s.UpdateDatabase(c, new UpdateDatabaseRequest("db1", new DatabaseInput("db1"))); break;
            case "DeleteDatabase": s.DeleteDatabase(c, new DeleteDatabaseRequest("db1")); break;
            case "GetTable": s.GetTable(c, new GetTableRequest("db1", "t")); break;
            case "GetTables": s.GetTables(c, new GetTablesRequest("db1")); break;
            case "UpdateTable": s.UpdateTable(c, new UpdateTableRequest("db1", GlueHarness.ParquetTable("t"))); break;
            case "DeleteTable": s.DeleteTable(c, new DeleteTableRequest("db1", "t")); break;
            case "GetTableVersions": s.GetTableVersions(c, new GetTableVersionsRequest("db1", "t")); break;
            case "GetPartition": s.GetPartition(c, new GetPartitionRequest("db1", "t", values)); break;
            case "GetPartitions": s.GetPartitions(c, new GetPartitionsRequest("db1", "t")); break;
            case "BatchGetPartition": s.BatchGetPartition(c, new BatchGetPartitionRequest("db1", "t", [new PartitionValueList(values)])); break;
            case "CreatePartition": s.CreatePartition(c, new CreatePartitionRequest("db1", "t", new PartitionInput(["2024", "02"]))); break;
            case "BatchCreatePartition": s.BatchCreatePartition(c, new BatchCreatePartitionRequest("db1", "t", [new PartitionInput(["2024", "02"])])); break;
            case "UpdatePartition": s.UpdatePartition(c, new UpdatePartitionRequest("db1", "t", values, new PartitionInput(values))); break;
            case "DeletePartition": s.DeletePartition(c, new DeletePartitionRequest("db1", "t", values)); break;
            case "BatchDeletePartition": s.BatchDeletePartition(c, new BatchDeletePartitionRequest("db1", "t", [new PartitionValueList(values)])); break;
            case "BatchDeleteTable": s.BatchDeleteTable(c, new BatchDeleteTableRequest("db1", ["t"])); break;
            case "TagResource": s.TagResource(c, new TagResourceRequest(Table, new() { ["k"] = "v" })); break;
            case "UntagResource": s.UntagResource(c, new UntagResourceRequest(Table, ["k"])); break;
            case "GetTags": s.GetTags(c, new GetTagsRequest(Table)); break;
            default: throw new ArgumentException(operation);
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Each_operation_authorizes_its_action_on_the_catalog_database_and_table(string operation, string[] resources)
    {
        Run(operation);
        Assert.Equal(resources.Select(r => ("glue:" + operation, r)), Checks());
    }

    [Fact]
    public void Every_registered_operation_has_an_authorization_case_here()
    {
        var covered = Operations().Select(row => (string)row[0]).Append("CreateDatabase").Append("CreateTable").ToHashSet();
        Assert.All(_h.Service.Operations.Keys, k => Assert.Contains(k, covered));
    }

    [Fact]
    public void Create_database_and_create_table_authorize_the_new_names()
    {
        _h.Service.CreateDatabase(_h.Call(), new CreateDatabaseRequest(new DatabaseInput("DB2")));
        _h.Service.CreateTable(_h.Call(), new CreateTableRequest("db2", new TableInput("T2")));
        Assert.Equal(
        [
            ("glue:CreateDatabase", Catalog), ("glue:CreateDatabase", "arn:aws:glue:us-east-1:123456789012:database/db2"),
            ("glue:CreateTable", Catalog), ("glue:CreateTable", "arn:aws:glue:us-east-1:123456789012:database/db2"),
            ("glue:CreateTable", "arn:aws:glue:us-east-1:123456789012:table/db2/t2"),
        ], Checks());
    }

    [Fact]
    public void A_denial_is_access_denied_exception_with_the_policy_engines_text_and_nothing_changes()
    {
        _h.Caller = new Principal
        {
            Kind = PrincipalKind.User, AccountId = GlueHarness.Account, Arn = "arn:aws:iam::123456789012:user/alice", UserId = "AIDAALICE", Name = "alice",
        };
        _h.Authorizer.Deny = c => c.Resource == Table;
        var e = GlueHarness.Fails(() => _h.Service.DeleteTable(_h.Call(), new DeleteTableRequest("db1", "t")));
        Assert.Equal("AccessDeniedException", e.Code);
        Assert.Equal($"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: glue:DeleteTable on resource: {Table}", e.Message);
        _h.Authorizer.Deny = _ => false;
        Assert.Equal("t", _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "t")).Table.Name);
    }

    [Fact]
    public void A_denied_table_is_answered_before_whether_it_exists_is_told()
    {
        _h.Authorizer.Deny = c => c.Resource.Contains(":table/", StringComparison.Ordinal);
        var e = GlueHarness.Fails(() => _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "secret")));
        Assert.Equal("AccessDeniedException", e.Code);
    }

    [Fact]
    public void Another_accounts_catalog_is_authorized_against_its_arns_and_refused()
    {
        var e = GlueHarness.Fails(() => _h.Service.GetDatabase(_h.Call(), new GetDatabaseRequest("db1", CatalogId: "210987654321")));
        Assert.Equal("AccessDeniedException", e.Code);
        var check = _h.Authorizer.Checks.First();
        Assert.Equal(("arn:aws:glue:us-east-1:210987654321:catalog", "210987654321"), (check.Resource, check.ResourceAccount));
    }
}
