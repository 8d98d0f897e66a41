using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Glue;

/// <summary>The Glue Data Catalog through the AWS SDK for JavaScript v3 (@aws-sdk/client-glue).</summary>
public sealed class GlueSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task The_sdk_creates_reads_filters_and_pages_the_catalog_and_reads_glues_errors()
    {
        var r = await Server.NodeAsync("glue-catalog", new { db = "SdkDb" });
        Assert.False(r.TryGetProperty("error", out var error), error.ToString());

        var table = r.GetProperty("table");
        Assert.Equal("orders", table.GetProperty("Name").GetString());
        Assert.Equal("sdkdb", table.GetProperty("DatabaseName").GetString());
        Assert.Equal("\t", table.GetProperty("StorageDescriptor").GetProperty("SerdeInfo").GetProperty("Parameters").GetProperty("field.delim").GetString());
        Assert.Equal("1", table.GetProperty("Parameters").GetProperty("skip.header.line.count").GetString());
        Assert.Equal(["dt"], table.GetProperty("PartitionKeys").EnumerateArray().Select(k => k.GetProperty("Name").GetString()));
        // The SDK parsed the epoch-second timestamps into Dates (serialized back as ISO strings).
        Assert.True(DateTimeOffset.TryParse(table.GetProperty("CreateTime").GetString(), out _));

        Assert.Equal(["dt=2024-01-02", "dt=2024-01-03"], r.GetProperty("filtered").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(4, r.GetProperty("pages").GetInt32());
        Assert.Equal(4, r.GetProperty("paged").GetArrayLength());
        Assert.Equal(["orders"], r.GetProperty("tables").EnumerateArray().Select(x => x.GetString()));

        var notFound = r.GetProperty("notFound").GetProperty("error");
        Assert.Equal("EntityNotFoundException", notFound.GetProperty("name").GetString());
        Assert.Equal("Table nope not found.", notFound.GetProperty("message").GetString());
        var exists = r.GetProperty("exists").GetProperty("error");
        Assert.Equal("AlreadyExistsException", exists.GetProperty("name").GetString());
        Assert.Equal("Table already exists.", exists.GetProperty("message").GetString());
        var badExpression = r.GetProperty("badExpression").GetProperty("error");
        Assert.Equal("InvalidInputException", badExpression.GetProperty("name").GetString());
    }
}
