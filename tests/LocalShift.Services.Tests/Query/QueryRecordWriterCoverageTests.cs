using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Services.Sts;
using LocalShift.Services.Tests.Iam;
using LocalShift.Services.Tests.Redshift;

namespace LocalShift.Services.Tests.Query;

/// <summary>
/// The edge writes query-protocol answers straight from the response records when <see cref="QueryRecordWriter"/> has
/// a plan for the record's type, and through the JSON document otherwise (slower, same bytes: <see cref="BothQueryWriters"/>).
/// Every response of every query-protocol service has a plan, so none falls back unnoticed.
/// </summary>
public sealed class QueryRecordWriterCoverageTests : IDisposable
{
    private readonly RedshiftHarness _redshift = new();
    private readonly IamHarness _iam = new();

    public void Dispose()
    {
        _redshift.Dispose();
        _iam.Dispose();
    }

    [Fact]
    public void Every_query_protocol_response_record_is_written_without_the_document_detour()
    {
        AwsService[] services =
        [
            _redshift.Plane.Service,
            new StsService(new RoleAssumer(null!, null!, null!, null!, null!, TimeProvider.System)),
            _iam.Service,
        ];
        var checkedCount = 0;
        var missing = new List<string>();
        foreach (var service in services)
        {
            Assert.Equal(AwsProtocol.Query, service.Model.Protocol);
            foreach (var binding in service.Operations.Values)
            {
                if (binding.Model.Output is not { } output || binding.ResponseType == typeof(NoOutput)) continue;
                checkedCount++;
                if (QueryRecordWriter.For(binding.ResponseType, output) is null)
                    missing.Add($"{service.Model.Name}.{binding.Model.Name} ({binding.ResponseType.Name})");
            }
        }
        Assert.True(checkedCount > 50, $"only {checkedCount} operations with output");
        Assert.True(missing.Count == 0, "no plan for: " + string.Join(", ", missing));
    }
}
