using LocalShift.Core;
using Iam = LocalShift.Services.Iam.Shapes;
using Rs = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.WebConsole.Pages;

/// <summary>
/// Actions → Manage IAM roles, as the Redshift documentation's console procedure describes it: the associated roles
/// (status, default), the account's roles to choose from (those Redshift cannot assume shown unavailable, with the
/// reason), Associate, Remove, Set as default, Create IAM role, the quota. The changes collect on the page (carried in
/// the form) and <b>Save changes</b> sends them as one ModifyClusterIamRoles.
/// </summary>
internal static class ManageRolesPage
{
    /// <summary>The changes not yet saved.</summary>
    private sealed class Pending
    {
        public List<string> Add { get; init; } = [];
        public List<string> Remove { get; init; } = [];
        public string? Default { get; set; }
        public bool Any => Add.Count > 0 || Remove.Count > 0 || Default is not null;
    }

    public static async Task HandleAsync(ConsoleRequest r, string id)
    {
        Rs.Cluster cluster;
        try
        {
            cluster = await ConsoleData.ClusterAsync(r, id);
        }
        catch (AwsException e)
        {
            await r.WritePageAsync("Manage IAM roles", "clusters", new HtmlBuilder()
                .Add($"<h1>Manage IAM roles</h1>").Add(ConsoleRequest.ErrorAlert(e)).ToMarkup(), e.HttpStatus == 404 ? 404 : 200);
            return;
        }

        var pending = new Pending
        {
            Add = r.FormValues("add").Distinct(StringComparer.Ordinal).ToList(),
            Remove = r.FormValues("remove").Distinct(StringComparer.Ordinal).ToList(),
            Default = r.FormValue("default") is { Length: > 0 } d ? d : null,
        };
        var quota = r.Console.Options.RoleQuota;
        var messages = new List<Markup>();
        var op = r.FormValue("op") ?? "";
        var bar = op.IndexOf('|');
        var (verb, arg) = bar < 0 ? (op, "") : (op[..bar], op[(bar + 1)..]);
        var held = cluster.IamRoles.Where(x => x.ApplyStatus != "removing").Select(x => x.IamRoleArn).ToHashSet(StringComparer.Ordinal);
        int Count() => held.Count + pending.Add.Count(a => !held.Contains(a)) - pending.Remove.Count(held.Contains);

        if (r.IsPost)
        {
            switch (verb)
            {
                case "associate":
                {
                    var arn = (r.FormValue("role_arn") ?? "").Trim();
                    if (arn.Length == 0) arn = r.FormValue("role") ?? "";
                    if (arn.Length == 0) messages.Add(ConsoleRequest.ErrorAlert("Choose an IAM role to associate."));
                    else if (pending.Remove.Remove(arn)) { } // associating a role marked for removal keeps it
                    else if (held.Contains(arn) || pending.Add.Contains(arn))
                        messages.Add(ConsoleRequest.ErrorAlert($"The IAM role {arn} is already associated with this cluster."));
                    else if (Count() >= quota)
                        messages.Add(ConsoleRequest.ErrorAlert($"A cluster can have at most {quota} IAM roles. Remove one before associating another."));
                    else pending.Add.Add(arn);
                    break;
                }
                case "remove":
                    if (!pending.Add.Remove(arg) && held.Contains(arg) && !pending.Remove.Contains(arg)) pending.Remove.Add(arg);
                    if (pending.Default == arg) pending.Default = null;
                    break;
                case "default":
                    pending.Default = arg;
                    break;
                case "create-role":
                {
                    var (arn, error) = await CreateRoleAsync(r);
                    if (error is not null) messages.Add(error.Value);
                    else if (Count() >= quota)
                        messages.Add(ConsoleRequest.ErrorAlert($"Created the IAM role {arn}; this cluster already has {quota} IAM roles, so it was not associated."));
                    else
                    {
                        pending.Add.Add(arn!);
                        messages.Add(HtmlBuilder.Of($"<p role=\"status\" class=\"ok\">Created the IAM role {arn}; it is associated when you save changes.</p>"));
                    }
                    break;
                }
                case "save":
                {
                    var (_, error) = await r.TryCallAsync<Rs.ModifyClusterIamRolesMessage, Rs.ModifyClusterIamRolesResult>("redshift", "ModifyClusterIamRoles",
                        new Rs.ModifyClusterIamRolesMessage(cluster.ClusterIdentifier,
                            AddIamRoles: pending.Add.Count == 0 ? null : pending.Add,
                            RemoveIamRoles: pending.Remove.Count == 0 ? null : pending.Remove,
                            DefaultIamRoleArn: pending.Default));
                    if (error is null)
                    {
                        r.SeeOther(ClusterPages.ClusterHref(cluster.ClusterIdentifier) + "?saved=1");
                        return;
                    }
                    messages.Add(ConsoleRequest.ErrorAlert(error));
                    break;
                }
            }
        }

        List<RoleSummary>? roles = null;
        AwsException? listError = null;
        try { roles = await ConsoleData.AllRolesAsync(r); }
        catch (AwsException e) { listError = e; }

        var href = ClusterPages.ClusterHref(cluster.ClusterIdentifier);
        var effectiveDefault = pending.Default
            ?? (cluster.DefaultIamRoleArn is { } cd && !pending.Remove.Contains(cd) ? cd : null);
        var count = Count();
        var h = new HtmlBuilder();
        h.Add($"""
            <p class="breadcrumb"><a href="{ConsoleApp.Prefix}/clusters">Clusters</a> › <a href="{href}">{cluster.ClusterIdentifier}</a> › Manage IAM roles</p>
            <h1>Manage IAM roles</h1>
            """);
        foreach (var m in messages) h.Add(m);
        h.Add($"""
            <form method="post" action="{href}/iam-roles">{r.AntiForgeryField}
            <button type="submit" name="op" value="stay" class="visually-hidden" tabindex="-1" aria-hidden="true">Apply</button>
            """);
        foreach (var a in pending.Add) h.Add($"<input type=\"hidden\" name=\"add\" value=\"{a}\">");
        foreach (var x in pending.Remove) h.Add($"<input type=\"hidden\" name=\"remove\" value=\"{x}\">");
        if (pending.Default is not null) h.Add($"<input type=\"hidden\" name=\"default\" value=\"{pending.Default}\">");

        h.Add($"""
            <section aria-labelledby="associated-heading">
            <h2 id="associated-heading">Associated IAM roles</h2>
            <p id="quota" class="quota">IAM roles: {count} of {quota}</p>
            <table id="associated-roles" aria-labelledby="associated-heading">
            <thead><tr><th scope="col">Role name</th><th scope="col">IAM role ARN</th><th scope="col">Status</th><th scope="col">Default</th><th scope="col">Actions</th></tr></thead>
            <tbody>
            """);
        var rows = cluster.IamRoles.Select(x => (x.IamRoleArn, Status: x.ApplyStatus, New: false))
            .Concat(pending.Add.Where(a => !cluster.IamRoles.Any(x => x.IamRoleArn == a)).Select(a => (IamRoleArn: a, Status: "", New: true)));
        foreach (var (arn, status, isNew) in rows)
        {
            var removing = status == "removing";
            var markedRemove = pending.Remove.Contains(arn);
            var shownStatus = isNew ? "pending: associate" : markedRemove ? $"{status}, pending: remove" : status;
            var isDefault = arn == effectiveDefault;
            h.Add($"<tr data-arn=\"{arn}\"><th scope=\"row\">{ConsoleData.RoleName(arn)}</th><td>{arn}</td><td class=\"status\">{shownStatus}</td><td>{(isDefault ? "Default" : "")}</td><td class=\"row-actions\">");
            if (!removing && !markedRemove)
            {
                h.Add($"<button type=\"submit\" name=\"op\" value=\"remove|{arn}\">Remove</button>");
                if (!isDefault) h.Add($" <button type=\"submit\" name=\"op\" value=\"default|{arn}\">Set as default</button>");
            }
            h.Add($"</td></tr>");
        }
        h.Add($"</tbody></table>");
        if (!rows.Any()) h.Add($"<p>No IAM roles are associated with this cluster.</p>");
        h.Add($"<p>Default IAM role: <span id=\"default-role\">{effectiveDefault ?? "none"}</span></p></section>");

        var atQuota = count >= quota;
        h.Add($"""
            <section aria-labelledby="available-heading">
            <h2 id="available-heading">Available IAM roles</h2>
            """);
        if (atQuota) h.Add($"<p class=\"warning\" id=\"quota-reached\">This cluster has reached its quota of {quota} IAM roles.</p>");
        var taken = held.Concat(pending.Add).ToHashSet(StringComparer.Ordinal);
        if (roles is not null)
        {
            var choices = roles.Where(x => !taken.Contains(x.Arn) || pending.Remove.Contains(x.Arn)).ToList();
            h.Add($"""
                <label for="role">Choose an available IAM role</label>
                <select id="role" name="role">
                <option value="">Choose an IAM role</option>
                """);
            foreach (var role in choices)
            {
                if (role.RedshiftCanAssume) h.Add($"<option value=\"{role.Arn}\">{role.Name}</option>");
                else h.Add($"<option value=\"{role.Arn}\" disabled>{role.Name} – unavailable: {RoleSummary.UnavailableReason}</option>");
            }
            h.Add($"</select>");
            var unavailable = choices.Where(x => !x.RedshiftCanAssume).ToList();
            if (unavailable.Count > 0)
            {
                h.Add($"<details class=\"unavailable\"><summary>{(unavailable.Count == 1 ? "1 role is unavailable" : $"{unavailable.Count} roles are unavailable")}</summary><ul id=\"unavailable-roles\">");
                foreach (var role in unavailable)
                    h.Add($"<li><strong>{role.Name}</strong>: unavailable, {RoleSummary.UnavailableReason}.</li>");
                h.Add($"</ul></details>");
            }
        }
        else
        {
            h.Add($"<p>The account's IAM roles cannot be listed as {r.Principal.Principal.Arn}:</p>").Add(ConsoleRequest.ErrorAlert(listError!));
        }
        h.Add($"""
            <label for="role_arn">Or enter an IAM role ARN</label>
            <input id="role_arn" name="role_arn" spellcheck="false" placeholder="arn:aws:iam::{r.Account}:role/...">
            <p><button type="submit" name="op" value="associate"{(atQuota ? new Markup(" disabled") : Markup.Empty)}>Associate IAM role</button></p>
            </section>

            <section aria-labelledby="create-heading">
            <h2 id="create-heading">Create IAM role</h2>
            <p>A role that Redshift (<code>redshift.amazonaws.com</code>) may assume, with S3 access for COPY and UNLOAD.</p>
            <div class="stack">
            <label for="new_role_name">Role name</label>
            <input id="new_role_name" name="new_role_name" spellcheck="false">
            <fieldset>
            <legend>S3 buckets the role can access</legend>
            <label><input type="radio" name="s3_scope" value="specific" checked> Specific S3 buckets</label>
            <label><input type="radio" name="s3_scope" value="any"> Any S3 bucket</label>
            <label><input type="radio" name="s3_scope" value="none"> No additional S3 bucket access</label>
            <label for="s3_buckets">S3 bucket names (comma-separated, for specific buckets)</label>
            <input id="s3_buckets" name="s3_buckets" spellcheck="false">
            </fieldset>
            <p><button type="submit" name="op" value="create-role">Create IAM role</button></p>
            </div>
            </section>

            <p class="form-actions">
            <button type="submit" name="op" value="save" class="primary">Save changes</button>
            <a href="{href}">Cancel</a>
            </p>
            </form>
            """);
        await r.WritePageAsync("Manage IAM roles", "clusters", h.ToMarkup());
    }

    /// <summary>Creates a role trusted by Redshift with an inline S3 policy for the chosen scope; returns its ARN or the error to show.</summary>
    private static async Task<(string? Arn, Markup? Error)> CreateRoleAsync(ConsoleRequest r)
    {
        var name = (r.FormValue("new_role_name") ?? "").Trim();
        if (name.Length == 0) return (null, ConsoleRequest.ErrorAlert("Enter a name for the new IAM role."));
        var scope = r.FormValue("s3_scope") ?? "specific";
        var buckets = (r.FormValue("s3_buckets") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scope == "specific" && buckets.Length == 0)
            return (null, ConsoleRequest.ErrorAlert("Enter at least one S3 bucket name, or choose another S3 scope."));

        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        var (created, error) = await r.TryCallAsync<Iam.CreateRoleRequest, Iam.CreateRoleResponse>("iam", "CreateRole",
            new Iam.CreateRoleRequest(name, trust, Description: "Created in the LocalShift console for Amazon Redshift"));
        if (error is not null) return (null, ConsoleRequest.ErrorAlert(error));
        if (scope != "none")
        {
            var resources = scope == "any"
                ? new List<string> { "*" }
                : buckets.SelectMany(b => new[] { $"arn:aws:s3:::{b}", $"arn:aws:s3:::{b}/*" }).ToList();
            var policy = System.Text.Json.JsonSerializer.Serialize(new
            {
                Version = "2012-10-17",
                Statement = new[]
                {
                    new
                    {
                        Effect = "Allow",
                        Action = new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation" },
                        Resource = resources,
                    },
                },
            });
            try
            {
                await r.CallAsync("iam", "PutRolePolicy", new Iam.PutRolePolicyRequest(name, "redshift-s3-access", policy));
            }
            catch (AwsException e)
            {
                return (null, HtmlBuilder.Of($"<div role=\"alert\" class=\"error\"><p>Created the IAM role {created!.Role.Arn}, but could not give it S3 access:</p><p class=\"error-code\">{e.Code}</p><p class=\"error-message\">{e.Message}</p></div>"));
            }
        }
        return (created!.Role.Arn, null);
    }
}
