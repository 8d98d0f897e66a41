using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Core;
using Iam = LocalShift.Services.Iam.Shapes;

namespace LocalShift.WebConsole.Pages;

/// <summary>IAM: roles (trust policy, attached and inline policies, the clusters using the role), users, and the policy check.</summary>
internal static class IamPages
{
    private static string RoleHref(string name) => $"{ConsoleApp.Prefix}/iam/roles/{ConsoleRequest.PathSegment(name)}";
    private static string UserHref(string name) => $"{ConsoleApp.Prefix}/iam/users/{ConsoleRequest.PathSegment(name)}";

    public static async Task RolesAsync(ConsoleRequest r)
    {
        var filter = (r.Query("filter") ?? "").Trim();
        var h = new HtmlBuilder();
        h.Add($"<h1>IAM roles</h1>");
        try
        {
            var roles = await ConsoleData.AllRolesAsync(r);
            var shown = roles.Where(x => filter.Length == 0 || x.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
            var paging = Paging.For(r, ConsoleApp.Prefix + "/iam/roles", shown.Count, ("filter", filter));
            h.Add(RolesFilter(filter, paging));
            h.Add($"""
                <table id="roles">
                <caption>Roles: {(filter.Length == 0 ? paging.Range : $"{paging.Range} matching the filter ({roles.Count} in all)")}</caption>
                <thead><tr><th scope="col">Role name</th><th scope="col">ARN</th><th scope="col">Redshift can assume it</th><th scope="col">Created</th></tr></thead>
                <tbody>
                """);
            foreach (var role in paging.Slice(shown))
                h.Add($"<tr><th scope=\"row\"><a href=\"{RoleHref(role.Name)}\">{role.Name}</a></th><td>{role.Arn}</td><td>{(role.RedshiftCanAssume ? "Yes" : "No")}</td><td>{role.CreateDate.UtcDateTime:yyyy-MM-dd HH:mm} UTC</td></tr>");
            h.Add($"</tbody></table>");
            if (shown.Count == 0) h.Add($"<p>{(roles.Count == 0 ? "There are no roles in this account." : "No role matches the filter.")}</p>");
            h.Add(paging.Navigation("Roles pages"));
        }
        catch (AwsException e)
        {
            h.Add(RolesFilter(filter, null)).Add(ConsoleRequest.ErrorAlert(e));
        }
        await r.WritePageAsync("IAM roles", "roles", h.ToMarkup());
    }

    private static Markup RolesFilter(string filter, Paging? paging) => HtmlBuilder.Of($"""
        <form method="get" role="search" class="inline-form">
        <label for="filter">Filter roles</label>
        <input id="filter" name="filter" type="search" value="{filter}">
        {paging?.SizeField("size") ?? Markup.Empty}
        <button type="submit">Filter</button>
        </form>
        """);

    public static async Task RoleAsync(ConsoleRequest r, string name)
    {
        var h = new HtmlBuilder();
        h.Add($"<p class=\"breadcrumb\"><a href=\"{ConsoleApp.Prefix}/iam/roles\">IAM roles</a> › {name}</p><h1>{name}</h1>");
        Iam.Role role;
        try
        {
            role = (await r.CallAsync<Iam.GetRoleRequest, Iam.GetRoleResponse>("iam", "GetRole", new Iam.GetRoleRequest(name)))!.Role;
        }
        catch (AwsException e)
        {
            h.Add(ConsoleRequest.ErrorAlert(e));
            await r.WritePageAsync(name, "roles", h.ToMarkup(), e.HttpStatus == 404 ? 404 : 200);
            return;
        }
        var summary = ConsoleData.Summary(role);
        h.Add($"""
            <dl class="facts">
            <dt>ARN</dt><dd>{role.Arn}</dd>
            <dt>Path</dt><dd>{role.Path}</dd>
            <dt>Description</dt><dd>{role.Description ?? "–"}</dd>
            <dt>Redshift can assume it</dt><dd>{(summary.RedshiftCanAssume ? "Yes" : "No: " + RoleSummary.UnavailableReason)}</dd>
            </dl>
            <section aria-labelledby="trust-heading"><h2 id="trust-heading">Trust policy</h2>
            <pre aria-labelledby="trust-heading">{Pretty(summary.TrustPolicy)}</pre></section>
            <section aria-labelledby="attached-heading"><h2 id="attached-heading">Attached policies</h2>
            """);
        await Section(h, async () =>
        {
            var attached = (await r.CallAsync<Iam.ListAttachedRolePoliciesRequest, Iam.ListAttachedRolePoliciesResponse>("iam", "ListAttachedRolePolicies",
                new Iam.ListAttachedRolePoliciesRequest(name, MaxItems: 1000)))!.AttachedPolicies ?? [];
            if (attached.Count == 0) h.Add($"<p>No attached policies.</p>");
            else
            {
                h.Add($"<ul>");
                foreach (var p in attached) h.Add($"<li>{p.PolicyName} <span class=\"muted\">{p.PolicyArn}</span></li>");
                h.Add($"</ul>");
            }
        });
        h.Add($"</section><section aria-labelledby=\"inline-heading\"><h2 id=\"inline-heading\">Inline policies</h2>");
        await Section(h, async () =>
        {
            var names = (await r.CallAsync<Iam.ListRolePoliciesRequest, Iam.ListRolePoliciesResponse>("iam", "ListRolePolicies",
                new Iam.ListRolePoliciesRequest(name, MaxItems: 1000)))!.PolicyNames;
            if (names.Count == 0) h.Add($"<p>No inline policies.</p>");
            foreach (var policyName in names)
            {
                var doc = (await r.CallAsync<Iam.GetRolePolicyRequest, Iam.GetRolePolicyResponse>("iam", "GetRolePolicy",
                    new Iam.GetRolePolicyRequest(name, policyName)))!.PolicyDocument;
                h.Add($"<h3>{policyName}</h3><pre>{Pretty(Uri.UnescapeDataString(doc))}</pre>");
            }
        });
        h.Add($"</section><section aria-labelledby=\"clusters-heading\"><h2 id=\"clusters-heading\">Clusters using this role</h2>");
        await Section(h, async () =>
        {
            var clusters = (await ConsoleData.AllClustersAsync(r))
                .Where(c => c.IamRoles.Any(x => x.IamRoleArn == role.Arn)).ToList();
            if (clusters.Count == 0) h.Add($"<p>No cluster in {r.Region} uses this role.</p>");
            else
            {
                h.Add($"<ul id=\"role-clusters\">");
                foreach (var c in clusters)
                {
                    var assoc = c.IamRoles.First(x => x.IamRoleArn == role.Arn);
                    h.Add($"<li><a href=\"{ClusterPages.ClusterHref(c.ClusterIdentifier)}\">{c.ClusterIdentifier}</a> ({assoc.ApplyStatus}{(c.DefaultIamRoleArn == role.Arn ? ", default" : "")})</li>");
                }
                h.Add($"</ul>");
            }
        });
        h.Add($"</section>");
        await r.WritePageAsync(name, "roles", h.ToMarkup());
    }

    public static async Task UsersAsync(ConsoleRequest r)
    {
        var h = new HtmlBuilder();
        h.Add($"<h1>IAM users</h1>");
        await Section(h, async () =>
        {
            var users = new List<Iam.User>();
            string? marker = null;
            do
            {
                var page = (await r.CallAsync<Iam.ListUsersRequest, Iam.ListUsersResponse>("iam", "ListUsers", new Iam.ListUsersRequest(MaxItems: 1000, Marker: marker)))!;
                users.AddRange(page.Users);
                marker = page.IsTruncated == true ? page.Marker : null;
            } while (marker is not null);
            h.Add($"""
                <table>
                <caption>{users.Count} users</caption>
                <thead><tr><th scope="col">User name</th><th scope="col">ARN</th><th scope="col">Created</th></tr></thead>
                <tbody>
                """);
            foreach (var u in users)
                h.Add($"<tr><th scope=\"row\"><a href=\"{UserHref(u.UserName ?? "")}\">{u.UserName}</a></th><td>{u.Arn}</td><td>{u.CreateDate.UtcDateTime:yyyy-MM-dd HH:mm} UTC</td></tr>");
            h.Add($"</tbody></table>");
        });
        await r.WritePageAsync("IAM users", "users", h.ToMarkup());
    }

    public static async Task UserAsync(ConsoleRequest r, string name)
    {
        var h = new HtmlBuilder();
        h.Add($"<p class=\"breadcrumb\"><a href=\"{ConsoleApp.Prefix}/iam/users\">IAM users</a> › {name}</p><h1>{name}</h1>");
        await Section(h, async () =>
        {
            var user = (await r.CallAsync<Iam.GetUserRequest, Iam.GetUserResponse>("iam", "GetUser", new Iam.GetUserRequest(name)))!.User;
            h.Add($"<dl class=\"facts\"><dt>ARN</dt><dd>{user.Arn}</dd><dt>User ID</dt><dd>{user.UserId}</dd></dl>");
            h.Add($"<p><a href=\"{ConsoleApp.Prefix}/iam/policy-check?principal={Uri.EscapeDataString(user.Arn)}\">Check this user's permissions</a></p>");
        });
        h.Add($"<section aria-labelledby=\"attached-heading\"><h2 id=\"attached-heading\">Attached policies</h2>");
        await Section(h, async () =>
        {
            var attached = (await r.CallAsync<Iam.ListAttachedUserPoliciesRequest, Iam.ListAttachedUserPoliciesResponse>("iam", "ListAttachedUserPolicies",
                new Iam.ListAttachedUserPoliciesRequest(name, MaxItems: 1000)))!.AttachedPolicies ?? [];
            if (attached.Count == 0) h.Add($"<p>No attached policies.</p>");
            foreach (var p in attached) h.Add($"<p>{p.PolicyName} <span class=\"muted\">{p.PolicyArn}</span></p>");
        });
        h.Add($"</section><section aria-labelledby=\"inline-heading\"><h2 id=\"inline-heading\">Inline policies</h2>");
        await Section(h, async () =>
        {
            var names = (await r.CallAsync<Iam.ListUserPoliciesRequest, Iam.ListUserPoliciesResponse>("iam", "ListUserPolicies",
                new Iam.ListUserPoliciesRequest(name, MaxItems: 1000)))!.PolicyNames;
            if (names.Count == 0) h.Add($"<p>No inline policies.</p>");
            foreach (var policyName in names)
            {
                var doc = (await r.CallAsync<Iam.GetUserPolicyRequest, Iam.GetUserPolicyResponse>("iam", "GetUserPolicy",
                    new Iam.GetUserPolicyRequest(name, policyName)))!.PolicyDocument;
                h.Add($"<h3>{policyName}</h3><pre>{Pretty(Uri.UnescapeDataString(doc))}</pre>");
            }
        });
        h.Add($"</section>");
        await r.WritePageAsync(name, "users", h.ToMarkup());
    }

    /// <summary>
    /// Principal, action, resource and context keys in; the decision and the statements that decided it out — by
    /// SimulatePrincipalPolicy, called as the signed-in principal (so it needs iam:SimulatePrincipalPolicy).
    /// </summary>
    public static async Task PolicyCheckAsync(ConsoleRequest r)
    {
        var principal = (r.Query("principal") ?? "").Trim();
        var action = (r.Query("action") ?? "").Trim();
        var resource = (r.Query("resource") ?? "").Trim();
        var context = r.Query("context") ?? "";
        var h = new HtmlBuilder();
        h.Add($"""
            <h1>Policy check</h1>
            <p>Evaluates a request with the same engine that authorizes every call (IAM's SimulatePrincipalPolicy).</p>
            <form method="get" class="stack">
            <label for="principal">Principal (IAM user or role ARN)</label>
            <input id="principal" name="principal" value="{principal}" required spellcheck="false" placeholder="arn:aws:iam::{r.Account}:user/alice">
            <label for="action">Action</label>
            <input id="action" name="action" value="{action}" required spellcheck="false" placeholder="iam:PassRole">
            <label for="resource">Resource</label>
            <input id="resource" name="resource" value="{resource}" spellcheck="false" placeholder="*">
            <label for="context">Context keys (one per line: key=value, several values separated by commas)</label>
            <textarea id="context" name="context" rows="3" spellcheck="false">{context}</textarea>
            <button type="submit">Check</button>
            </form>
            """);
        if (principal.Length > 0 && action.Length > 0)
        {
            var entries = new List<Iam.ContextEntry>();
            foreach (var line in context.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = line.IndexOf('=');
                if (eq <= 0) continue;
                entries.Add(new Iam.ContextEntry(line[..eq].Trim(),
                    line[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries).ToList(), "string"));
            }
            var (result, error) = await r.TryCallAsync<Iam.SimulatePrincipalPolicyRequest, Iam.SimulatePolicyResponse>("iam", "SimulatePrincipalPolicy",
                new Iam.SimulatePrincipalPolicyRequest(principal, [action],
                    ResourceArns: resource.Length == 0 ? null : [resource],
                    ContextEntries: entries.Count == 0 ? null : entries));
            h.Add($"<section aria-labelledby=\"result-heading\"><h2 id=\"result-heading\">Result</h2>");
            if (error is not null) h.Add(ConsoleRequest.ErrorAlert(error));
            foreach (var e in result?.EvaluationResults ?? [])
            {
                h.Add($"""
                    <dl class="facts">
                    <dt>Action</dt><dd>{e.EvalActionName}</dd>
                    <dt>Resource</dt><dd>{e.EvalResourceName}</dd>
                    <dt>Decision</dt><dd id="decision" class="decision-{e.EvalDecision}">{e.EvalDecision}</dd>
                    </dl>
                    <h3>Deciding statements</h3>
                    """);
                if (e.MatchedStatements is not { Count: > 0 }) h.Add($"<p>No statement matched: nothing allows the request.</p>");
                else
                {
                    h.Add($"<ul id=\"statements\">");
                    foreach (var s in e.MatchedStatements) h.Add($"<li>{s.SourcePolicyId} <span class=\"muted\">({s.SourcePolicyType})</span></li>");
                    h.Add($"</ul>");
                }
                if (e.MissingContextValues is { Count: > 0 } missing)
                    h.Add($"<p>Context keys the policies use that the request did not give: {string.Join(", ", missing)}</p>");
            }
            h.Add($"</section>");
        }
        await r.WritePageAsync("Policy check", "policy-check", h.ToMarkup());
    }

    /// <summary>Writes a section's content, or the AWS error that prevented it, in place.</summary>
    private static async Task Section(HtmlBuilder h, Func<Task> write)
    {
        try { await write(); }
        catch (AwsException e) { h.Add(ConsoleRequest.ErrorAlert(e)); }
    }

    private static string Pretty(string json)
    {
        try { return JsonNode.Parse(json)?.ToJsonString(Indented) ?? json; }
        catch (JsonException) { return json; }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
