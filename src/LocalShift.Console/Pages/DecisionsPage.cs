using LocalShift.Services.Authorization;

namespace LocalShift.WebConsole.Pages;

/// <summary>
/// The decision log, newest first, filtered by principal, action and outcome; each row opens to the deciding
/// statements. A signed-in principal sees the decisions that concern its own account: those made for a principal or on
/// a resource of that account (the role path's decisions for its clusters included).
/// </summary>
internal static class DecisionsPage
{
    public static async Task HandleAsync(ConsoleRequest r)
    {
        var principal = (r.Query("principal") ?? "").Trim();
        var action = (r.Query("action") ?? "").Trim();
        var decision = (r.Query("decision") ?? "").Trim();
        var account = r.Account;
        var h = new HtmlBuilder();
        h.Add($"""
            <h1>Decisions</h1>
            <p>Every authorization decision LocalShift made (console, CLI, SDKs and the SQL role path), newest first.</p>
            <form method="get" role="search" class="inline-form">
            <label for="principal">Principal</label>
            <input id="principal" name="principal" value="{principal}" spellcheck="false">
            <label for="action">Action</label>
            <input id="action" name="action" value="{action}" spellcheck="false">
            <label for="decision">Outcome</label>
            <select id="decision" name="decision">
            """);
        foreach (var (value, label) in new[] { ("", "Any"), ("allowed", "Allowed"), ("implicitDeny", "Implicit deny"), ("explicitDeny", "Explicit deny") })
            h.Add($"<option value=\"{value}\"{(value == decision ? new Markup(" selected") : Markup.Empty)}>{label}</option>");
        h.Add($"""
            </select>
            """);
        // The console records nothing for showing the log, so reading it here sees every decision made so far.
        var all = r.Console.Decisions.Query(principal, action, decision, int.MaxValue)
            .Where(d => Concerns(d, account)).ToList();
        var paging = Paging.For(r, ConsoleApp.Prefix + "/decisions", all.Count, ("principal", principal), ("action", action), ("decision", decision));
        var records = paging.Slice(all);
        h.Add($"""
            {paging.SizeField("size")}
            <button type="submit">Filter</button>
            </form>
            <table id="decisions">
            <caption>Decisions, newest first: {paging.Range}</caption>
            <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Principal</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
            <tbody>
            """);
        foreach (var d in records)
        {
            h.Add($"<tr class=\"decision-{d.Decision}\"><td>{d.Time.UtcDateTime:HH:mm:ss.fff}</td><td>{d.Principal}</td><td>{d.Action}</td><td>{d.Resource}</td><td>{d.Decision}</td><td><details><summary>Statements</summary>");
            if (d.Statements.Count == 0) h.Add($"<p>No statement matched.</p>");
            else
            {
                h.Add($"<ul>");
                foreach (var s in d.Statements) h.Add($"<li><code>{s}</code></li>");
                h.Add($"</ul>");
            }
            if (d.DeniedBy is { } by) h.Add($"<p>Denied by: {by}</p>");
            if (d.MissingContextKeys.Count > 0) h.Add($"<p>Missing context keys: {string.Join(", ", d.MissingContextKeys)}</p>");
            if (d.Message is { } m) h.Add($"<p class=\"message\">{m}</p>");
            if (d.Note is { } n) h.Add($"<p class=\"note\">{n}</p>");
            if (d.RequestId is { } rid) h.Add($"<p class=\"muted\">Request {rid}</p>");
            h.Add($"</details></td></tr>");
        }
        h.Add($"</tbody></table>");
        if (all.Count == 0) h.Add($"<p>No decision matches the filter.</p>");
        h.Add(paging.Navigation("Decisions pages"));
        await r.WritePageAsync("Decisions", "decisions", h.ToMarkup());
    }

    /// <summary>A decision for a principal of the account, or on one of its resources (ARNs carry the account id).</summary>
    private static bool Concerns(DecisionRecord d, string account) =>
        d.Principal.Contains(":" + account + ":", StringComparison.Ordinal)
        || d.Resource.Contains(":" + account + ":", StringComparison.Ordinal);
}
