using System.Text.Json;
using LocalShift.Core;
using Rs = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.WebConsole.Pages;

/// <summary>Clusters: the list, a cluster's page (endpoint, psql line, IAM roles whose status updates live), create and delete.</summary>
internal static class ClusterPages
{
    private static readonly string[] NodeTypes = ["ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "dc2.large", "dc2.8xlarge", "dc1.large", "dc1.8xlarge"];

    public static string ClusterHref(string id) => $"{ConsoleApp.Prefix}/clusters/{ConsoleRequest.PathSegment(id)}";

    public static async Task ListAsync(ConsoleRequest r)
    {
        var filter = (r.Query("filter") ?? "").Trim();
        var h = new HtmlBuilder();
        h.Add($"""
            <h1>Clusters</h1>
            <p><a class="button" href="{ConsoleApp.Prefix}/clusters/new">Create cluster</a></p>
            """);
        if (r.Query("deleted") is { Length: > 0 } deleted)
            h.Add($"<p role=\"status\" class=\"ok\">Deleting cluster {deleted}.</p>");
        List<Rs.Cluster> clusters;
        try
        {
            clusters = await ConsoleData.AllClustersAsync(r);
        }
        catch (AwsException e)
        {
            h.Add(FilterForm(filter, null)).Add(ConsoleRequest.ErrorAlert(e));
            await r.WritePageAsync("Clusters", "clusters", h.ToMarkup());
            return;
        }
        var shown = clusters.Where(c => filter.Length == 0
            || c.ClusterIdentifier.Contains(filter, StringComparison.OrdinalIgnoreCase)
            || c.ClusterStatus.Contains(filter, StringComparison.OrdinalIgnoreCase)
            || c.NodeType.Contains(filter, StringComparison.OrdinalIgnoreCase)
            || c.IamRoles.Any(x => x.IamRoleArn.Contains(filter, StringComparison.OrdinalIgnoreCase))).ToList();
        var paging = Paging.For(r, ConsoleApp.Prefix + "/clusters", shown.Count, ("filter", filter));
        h.Add(FilterForm(filter, paging));
        h.Add($"""
            <table id="clusters">
            <caption>Clusters in {r.Region}: {(filter.Length == 0 ? $"{paging.Range}" : $"{paging.Range} matching the filter ({clusters.Count} in all)")}</caption>
            <thead><tr><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col">Node type</th><th scope="col">Nodes</th><th scope="col">IAM roles</th><th scope="col">Endpoint</th></tr></thead>
            <tbody>
            """);
        foreach (var c in paging.Slice(shown))
        {
            h.Add($"<tr><th scope=\"row\"><a href=\"{ClusterHref(c.ClusterIdentifier)}\">{c.ClusterIdentifier}</a></th><td>{c.ClusterStatus}</td><td>{c.NodeType}</td><td>{c.NumberOfNodes}</td><td>");
            if (c.IamRoles.Count == 0) h.Add($"–");
            else
            {
                h.Add($"<ul class=\"plain\">");
                foreach (var role in c.IamRoles)
                    h.Add($"<li>{ConsoleData.RoleName(role.IamRoleArn)} <span class=\"status\">({role.ApplyStatus})</span></li>");
                h.Add($"</ul>");
            }
            h.Add($"</td><td>{(c.Endpoint is { } e ? $"{e.Address}:{e.Port}" : "–")}</td></tr>");
        }
        h.Add($"</tbody></table>");
        if (shown.Count == 0)
            h.Add($"<p>{(clusters.Count == 0 ? $"There are no clusters in {r.Region}." : "No cluster matches the filter.")}</p>");
        h.Add(paging.Navigation("Clusters pages"));
        await r.WritePageAsync("Clusters", "clusters", h.ToMarkup());
    }

    private static Markup FilterForm(string filter, Paging? paging) => HtmlBuilder.Of($"""
        <form method="get" role="search" class="inline-form">
        <label for="filter">Filter clusters</label>
        <input id="filter" name="filter" type="search" value="{filter}">
        {paging?.SizeField("size") ?? Markup.Empty}
        <button type="submit">Filter</button>
        </form>
        """);

    public static async Task DetailAsync(ConsoleRequest r, string id)
    {
        var h = new HtmlBuilder();
        Rs.Cluster c;
        try
        {
            c = await ConsoleData.ClusterAsync(r, id);
        }
        catch (AwsException e)
        {
            h.Add($"<h1>{id}</h1>").Add(ConsoleRequest.ErrorAlert(e));
            await r.WritePageAsync(id, "clusters", h.ToMarkup(), e.HttpStatus == 404 ? 404 : 200);
            return;
        }
        var href = ClusterHref(c.ClusterIdentifier);
        h.Add($"""
            <p class="breadcrumb"><a href="{ConsoleApp.Prefix}/clusters">Clusters</a> › {c.ClusterIdentifier}</p>
            <h1>{c.ClusterIdentifier}</h1>
            <details class="actions">
            <summary>Actions</summary>
            <ul>
            <li><a href="{href}/iam-roles">Manage IAM roles</a></li>
            <li><a href="{href}/delete">Delete cluster</a></li>
            </ul>
            </details>
            """);
        if (r.Query("saved") == "1")
            h.Add($"<p role=\"status\" class=\"ok\">IAM role changes saved. Associations apply in the background.</p>");
        if (r.Query("created") == "1")
            h.Add($"<p role=\"status\" class=\"ok\">Creating cluster {c.ClusterIdentifier}.</p>");
        h.Add($"""
            <section aria-labelledby="general-heading" data-poll="{href}/status.json">
            <h2 id="general-heading">General information</h2>
            <dl class="facts">
            <dt>Status</dt><dd data-field="clusterStatus">{c.ClusterStatus}</dd>
            <dt>Region</dt><dd>{r.Region}</dd>
            <dt>Node type</dt><dd>{c.NodeType}</dd>
            <dt>Number of nodes</dt><dd>{c.NumberOfNodes}</dd>
            <dt>Database name</dt><dd>{c.DBName}</dd>
            <dt>Admin user name</dt><dd>{c.MasterUsername}</dd>
            <dt>Created</dt><dd>{c.ClusterCreateTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC</dd>
            <dt>Namespace ARN</dt><dd>{c.ClusterNamespaceArn}</dd>
            </dl>
            <h2 id="endpoint-heading">Endpoint</h2>
            <dl class="facts">
            <dt>Endpoint</dt><dd data-field="endpoint">{Endpoint(c)}</dd>
            <dt>psql</dt><dd><code data-field="psql">{Psql(c)}</code></dd>
            </dl>
            <h2 id="roles-heading">Associated IAM roles</h2>
            <p>Default IAM role: <span data-field="defaultIamRoleArn">{c.DefaultIamRoleArn ?? "none"}</span></p>
            <table id="cluster-iam-roles" aria-labelledby="roles-heading">
            <thead><tr><th scope="col">IAM role ARN</th><th scope="col">Status</th></tr></thead>
            <tbody aria-live="polite">
            """);
        foreach (var role in c.IamRoles)
            h.Add($"<tr data-arn=\"{role.IamRoleArn}\"><td>{role.IamRoleArn}</td><td class=\"status\">{role.ApplyStatus}</td></tr>");
        h.Add($"</tbody></table>");
        if (c.IamRoles.Count == 0) h.Add($"<p data-field=\"no-roles\">No IAM roles are associated with this cluster.</p>");
        h.Add($"</section>");
        await r.WritePageAsync(c.ClusterIdentifier, "clusters", h.ToMarkup());
    }

    private static string Endpoint(Rs.Cluster c) => c.Endpoint is { } e ? $"{e.Address}:{e.Port}/{c.DBName}" : "not yet available";

    private static string Psql(Rs.Cluster c) => c.Endpoint is { } e
        ? $"psql -h {e.Address} -p {e.Port} -U {c.MasterUsername} -d {c.DBName}"
        : "available once the cluster is";

    /// <summary>What the cluster page polls to move role statuses (adding → in-sync) without a reload.</summary>
    public static async Task StatusJsonAsync(ConsoleRequest r, string id)
    {
        object body;
        var status = 200;
        try
        {
            var c = await ConsoleData.ClusterAsync(r, id);
            body = new
            {
                clusterStatus = c.ClusterStatus,
                endpoint = Endpoint(c),
                psql = Psql(c),
                defaultIamRoleArn = c.DefaultIamRoleArn ?? "none",
                iamRoles = c.IamRoles.Select(x => new { iamRoleArn = x.IamRoleArn, applyStatus = x.ApplyStatus }),
            };
        }
        catch (AwsException e)
        {
            status = e.HttpStatus;
            body = new { error = e.Code, message = e.Message };
        }
        r.Http.Response.StatusCode = status;
        r.Http.Response.ContentType = "application/json";
        r.AddServerTiming();
        await JsonSerializer.SerializeAsync(r.Http.Response.Body, body, cancellationToken: r.Http.RequestAborted);
    }

    public static async Task DeleteAsync(ConsoleRequest r, string id)
    {
        var h = new HtmlBuilder();
        var href = ClusterHref(id);
        if (r.IsPost)
        {
            var (_, error) = await r.TryCallAsync<Rs.DeleteClusterMessage, Rs.DeleteClusterResult>("redshift", "DeleteCluster",
                new Rs.DeleteClusterMessage(id, SkipFinalClusterSnapshot: true));
            if (error is null)
            {
                r.SeeOther($"{ConsoleApp.Prefix}/clusters?deleted={Uri.EscapeDataString(id)}");
                return;
            }
            h.Add($"<h1>Delete cluster {id}</h1>").Add(ConsoleRequest.ErrorAlert(error));
        }
        else h.Add($"<h1>Delete cluster {id}</h1>");
        h.Add($"""
            <form method="post" action="{href}/delete" class="stack">{r.AntiForgeryField}
            <p>The cluster, its SQL endpoint and its data are deleted. LocalShift keeps no final snapshot.</p>
            <button type="submit" class="danger">Delete cluster</button>
            <a href="{href}">Cancel</a>
            </form>
            """);
        await r.WritePageAsync("Delete " + id, "clusters", h.ToMarkup());
    }

    public static async Task CreateAsync(ConsoleRequest r)
    {
        var h = new HtmlBuilder();
        h.Add($"<p class=\"breadcrumb\"><a href=\"{ConsoleApp.Prefix}/clusters\">Clusters</a> › Create cluster</p><h1>Create cluster</h1>");
        var id = r.FormValue("cluster_identifier") ?? "";
        var nodeType = r.FormValue("node_type") ?? "ra3.xlplus";
        var nodesText = r.FormValue("number_of_nodes") ?? "2";
        var user = r.FormValue("master_username") ?? "awsuser";
        var dbName = r.FormValue("db_name") ?? "dev";
        var chosen = r.FormValues("iam_roles").ToHashSet(StringComparer.Ordinal);
        var defaultRole = r.FormValue("default_iam_role") ?? "";
        if (r.IsPost)
        {
            AwsException? error;
            if (!int.TryParse(nodesText, out var nodes)) error = new AwsException("InvalidParameterValue", "Number of nodes must be a whole number.", 400);
            else
            {
                var roles = chosen.ToList();
                (_, error) = await r.TryCallAsync<Rs.CreateClusterMessage, Rs.CreateClusterResult>("redshift", "CreateCluster",
                    new Rs.CreateClusterMessage(id.Trim(), nodeType, user.Trim(), r.FormValue("master_user_password") ?? "",
                        DBName: string.IsNullOrWhiteSpace(dbName) ? null : dbName.Trim(),
                        ClusterType: nodes == 1 ? "single-node" : "multi-node",
                        NumberOfNodes: nodes == 1 ? null : nodes,
                        IamRoles: roles.Count == 0 ? null : roles,
                        DefaultIamRoleArn: defaultRole.Length == 0 ? null : defaultRole));
            }
            if (error is null)
            {
                r.SeeOther(ClusterHref(id.Trim().ToLowerInvariant()) + "?created=1");
                return;
            }
            h.Add(ConsoleRequest.ErrorAlert(error));
        }

        List<RoleSummary>? roleList = null;
        AwsException? listError = null;
        try { roleList = await ConsoleData.AllRolesAsync(r); }
        catch (AwsException e) { listError = e; }

        h.Add($"""
            <form method="post" action="{ConsoleApp.Prefix}/clusters/new" class="stack">{r.AntiForgeryField}
            <label for="cluster_identifier">Cluster identifier</label>
            <input id="cluster_identifier" name="cluster_identifier" value="{id}" required spellcheck="false">
            <label for="node_type">Node type</label>
            <select id="node_type" name="node_type">
            """);
        foreach (var t in NodeTypes)
            h.Add($"<option{(t == nodeType ? new Markup(" selected") : Markup.Empty)}>{t}</option>");
        h.Add($"""
            </select>
            <label for="number_of_nodes">Number of nodes</label>
            <input id="number_of_nodes" name="number_of_nodes" type="number" min="1" max="128" value="{nodesText}" required>
            <label for="db_name">Database name</label>
            <input id="db_name" name="db_name" value="{dbName}">
            <label for="master_username">Admin user name</label>
            <input id="master_username" name="master_username" value="{user}" required spellcheck="false">
            <label for="master_user_password">Admin user password</label>
            <input id="master_user_password" name="master_user_password" type="password" required autocomplete="new-password">
            <fieldset>
            <legend>Associated IAM roles</legend>
            """);
        if (listError is not null)
        {
            h.Add($"<p>The account's roles cannot be listed:</p>").Add(ConsoleRequest.ErrorAlert(listError));
            h.Add($"""
                <label for="iam_roles_arn">IAM role ARN</label>
                <input id="iam_roles_arn" name="iam_roles" spellcheck="false" value="{chosen.FirstOrDefault()}">
                """);
        }
        else
        {
            h.Add($"<label for=\"iam_roles\">IAM roles</label><select id=\"iam_roles\" name=\"iam_roles\" multiple size=\"6\">");
            foreach (var role in roleList!)
            {
                if (role.RedshiftCanAssume)
                    h.Add($"<option value=\"{role.Arn}\"{(chosen.Contains(role.Arn) ? new Markup(" selected") : Markup.Empty)}>{role.Name}</option>");
                else
                    h.Add($"<option value=\"{role.Arn}\" disabled>{role.Name} (unavailable: {RoleSummary.UnavailableReason})</option>");
            }
            h.Add($"</select>");
        }
        h.Add($"<label for=\"default_iam_role\">Default IAM role</label><select id=\"default_iam_role\" name=\"default_iam_role\"><option value=\"\">No default role</option>");
        foreach (var role in (roleList ?? []).Where(x => x.RedshiftCanAssume))
            h.Add($"<option value=\"{role.Arn}\"{(role.Arn == defaultRole ? new Markup(" selected") : Markup.Empty)}>{role.Name}</option>");
        h.Add($"""
            </select>
            <p class="hint">The default role must be one of the associated roles.</p>
            </fieldset>
            <button type="submit">Create cluster</button>
            </form>
            """);
        await r.WritePageAsync("Create cluster", "clusters", h.ToMarkup());
    }
}
