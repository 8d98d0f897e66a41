using System.Net;
using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>
/// After a restart, /_localshift/health answers "ready" only once every available cluster's SQL endpoint accepts
/// connections: a script that waits for it can run psql at once, without retrying.
/// </summary>
public class ReadinessTests
{
    private const int ClusterCount = 5;

    [Fact]
    public async Task After_a_restart_health_says_ready_only_when_psql_connects_to_every_cluster_on_the_first_try()
    {
        await using var server = await LocalShiftServer.StartAsync();
        var ids = Enumerable.Range(1, ClusterCount).Select(i => $"ready-{i}").ToArray();
        var ports = await CreateClustersAsync(server, ids);
        await server.RestartAsync(waitUntilHealthy: false);

        var (status, body, notReady) = await PollHealthUntilSettledAsync(server);
        // The very moment health says ready, every endpoint takes a connection: one psql each, all at once, no retries.
        var story = new RoleStory(server);
        var psql = await Task.WhenAll(ports.Select(p => story.PsqlAsync(p, "SELECT 1")));

        Assert.True(status == HttpStatusCode.OK && body.GetProperty("status").GetString() == "ready", body.ToString());
        for (var i = 0; i < ids.Length; i++)
            Assert.True(psql[i].ExitCode == 0 && psql[i].Stdout.Trim() == "1",
                $"psql to {ids[i]} on port {ports[i]} right after health said ready: {psql[i]}");
        var endpoints = body.GetProperty("sqlEndpoints");
        Assert.Equal(ClusterCount, endpoints.GetProperty("clusters").GetInt32());
        Assert.Equal(ClusterCount, endpoints.GetProperty("listening").GetInt32());
        // Every answer before that was a 503 saying "starting", never a premature 200.
        Assert.All(notReady, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
            Assert.Equal("starting", r.Body.GetProperty("status").GetString());
        });
    }

    [Fact]
    public async Task A_cluster_whose_endpoint_cannot_start_leaves_health_degraded_naming_it_and_the_others_serve()
    {
        await using var server = await LocalShiftServer.StartAsync();
        var ports = await CreateClustersAsync(server, ["healthy", "broken"]);
        await server.StopAsync();
        // The broken cluster's warehouse is no longer a database file: its endpoint cannot open it.
        var folder = Path.Combine(server.DataDir, "clusters", "us-east-1", LocalShiftServer.AccountId, "broken");
        foreach (var wal in Directory.GetFiles(folder, "*.wal")) File.Delete(wal);
        await File.WriteAllTextAsync(Path.Combine(folder, "warehouse.duckdb"), "this is not a DuckDB file, " + new string('x', 8192));
        await server.RestartAsync(waitUntilHealthy: false);

        var (status, body, _) = await PollHealthUntilSettledAsync(server);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        var endpoints = body.GetProperty("sqlEndpoints");
        Assert.Equal(2, endpoints.GetProperty("clusters").GetInt32());
        Assert.Equal(1, endpoints.GetProperty("listening").GetInt32());
        var failed = Assert.Single(endpoints.GetProperty("failed").EnumerateArray());
        Assert.Equal("broken", failed.GetProperty("cluster").GetString());
        Assert.Equal(LocalShiftServer.AccountId, failed.GetProperty("account").GetString());
        Assert.Equal(ports[1], failed.GetProperty("port").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("error").GetString()));

        var healthy = await new RoleStory(server).PsqlAsync(ports[0], "SELECT 1");
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
    }

    /// <summary>Creates the clusters with /usr/bin/aws, waits until all are available; returns their SQL ports.</summary>
    private static async Task<int[]> CreateClustersAsync(LocalShiftServer server, string[] ids)
    {
        foreach (var id in ids)
            (await server.AwsAsync("redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc2.large",
                "--master-username", "admin", "--master-user-password", RoleStory.Password, "--cluster-type", "single-node")).EnsureSuccess();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var clusters = (await server.AwsAsync("redshift", "describe-clusters")).Json().GetProperty("Clusters")
                .EnumerateArray().ToDictionary(c => c.GetProperty("ClusterIdentifier").GetString()!);
            if (ids.All(id => clusters.TryGetValue(id, out var c) && c.GetProperty("ClusterStatus").GetString() == "available"))
                return ids.Select(id => clusters[id].GetProperty("Endpoint").GetProperty("Port").GetInt32()).ToArray();
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"clusters not available: {string.Join(", ", clusters.Keys)}");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls health as a start-up script would, until it answers something other than "starting"; returns
    /// that answer and every "not ready" answer seen before it.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body, List<(HttpStatusCode Status, JsonElement Body)> Before)>
        PollHealthUntilSettledAsync(LocalShiftServer server)
    {
        using var http = new HttpClient();
        var before = new List<(HttpStatusCode, JsonElement)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var r = await http.GetAsync($"{server.Endpoint}/_localshift/health");
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            var body = doc.RootElement.Clone();
            if (body.GetProperty("status").GetString() != "starting") return (r.StatusCode, body, before);
            before.Add((r.StatusCode, body));
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"health still starting after 60s: {body}\n{server.Output}");
            await Task.Delay(10);
        }
    }
}
