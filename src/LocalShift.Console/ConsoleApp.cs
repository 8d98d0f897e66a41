using System.Reflection;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.WebConsole.Pages;
using LocalShift.Core;
using LocalShift.Services.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalShift.WebConsole;

/// <summary>
/// The web console under <c>/console/</c>: server-rendered pages and two static assets, every action done as the
/// signed-in principal through the same typed operations and authorizer as a signed AWS request.
/// </summary>
public sealed class ConsoleApp
{
    public const string Prefix = "/console";
    private readonly ConsoleSessions _sessions;
    private readonly ILogger _log;
    private readonly Dictionary<string, (byte[] Body, string Type)> _assets = new(StringComparer.Ordinal);

    public ConsoleApp(AwsServiceRegistry registry, ICredentialResolver credentials, IAuthorizer authorizer, DecisionLog decisions,
        TimeProvider clock, ConsoleOptions options, ILogger<ConsoleApp> log)
    {
        Options = options;
        Decisions = decisions;
        Clock = clock;
        Operations = new OperationCaller(registry, authorizer, clock);
        _sessions = new ConsoleSessions(credentials, clock, options.SessionLifetime, options.Region);
        _log = log;
        var assembly = typeof(ConsoleApp).Assembly;
        foreach (var (file, type) in new[] { ("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8") })
        {
            using var s = assembly.GetManifestResourceStream("LocalShift.WebConsole.Assets." + file)
                          ?? throw new InvalidOperationException($"console asset {file} is not embedded");
            using var m = new MemoryStream();
            s.CopyTo(m);
            _assets[file] = (m.ToArray(), type);
        }
    }

    public ConsoleOptions Options { get; }
    public DecisionLog Decisions { get; }
    public TimeProvider Clock { get; }
    public OperationCaller Operations { get; }
    internal ConsoleSessions Sessions => _sessions;

    /// <summary>Handles a request whose path is under <see cref="Prefix"/>; <paramref name="path"/> is the rest ("" or "/...").</summary>
    public async Task HandleAsync(HttpContext http, string path)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

        if (path.StartsWith("/assets/", StringComparison.Ordinal) && _assets.TryGetValue(path["/assets/".Length..], out var asset))
        {
            http.Response.ContentType = asset.Type;
            headers.CacheControl = "no-cache";
            await http.Response.Body.WriteAsync(asset.Body, http.RequestAborted);
            return;
        }
        headers.CacheControl = "no-store";

        var session = _sessions.Get(http);
        var request = new ConsoleRequest(this, http, session);
        if (HttpMethods.IsPost(http.Request.Method))
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            request.Form = form;
            if (form is null || !ConsoleSessions.CheckAntiForgery(session, form["_csrf"]))
            {
                // A form from another site, or one older than this session (signed out, server restarted).
                await request.WritePageAsync("Session expired", null, new HtmlBuilder()
                    .Add($"<h1>Session expired</h1><p role=\"alert\" class=\"error\">This form was not sent from the current console session. <a href=\"{Prefix}/\">Start again</a>.</p>").ToMarkup(), 403);
                return;
            }
        }

        if (path is "" or "/")
        {
            http.Response.Redirect(Prefix + (session.SignedIn ? "/clusters" : "/signin"));
            return;
        }
        if (path == "/signin")
        {
            await SignInPage.HandleAsync(request);
            return;
        }
        if (path == "/signout" && HttpMethods.IsPost(http.Request.Method))
        {
            _sessions.SignOut(http, session);
            http.Response.Redirect(Prefix + "/signin", permanent: false);
            http.Response.StatusCode = 303;
            return;
        }

        request.Caller = _sessions.Resolve(session);
        if (request.Caller is null)
        {
            if (path.EndsWith(".json", StringComparison.Ordinal))
            {
                http.Response.StatusCode = 401;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"error\":\"not signed in\"}");
                return;
            }
            http.Response.Redirect(Prefix + "/signin");
            return;
        }

        try
        {
            var segments = path.Trim('/').Split('/');
            switch (segments)
            {
                case ["region"] when HttpMethods.IsPost(http.Request.Method): await SwitchRegionAsync(request); return;
                case ["clusters"]: await ClusterPages.ListAsync(request); return;
                case ["clusters", "new"]: await ClusterPages.CreateAsync(request); return;
                case ["clusters", var id]: await ClusterPages.DetailAsync(request, Unescape(id)); return;
                case ["clusters", var id, "status.json"]: await ClusterPages.StatusJsonAsync(request, Unescape(id)); return;
                case ["clusters", var id, "delete"]: await ClusterPages.DeleteAsync(request, Unescape(id)); return;
                case ["clusters", var id, "iam-roles"]: await ManageRolesPage.HandleAsync(request, Unescape(id)); return;
                case ["iam", "roles"]: await IamPages.RolesAsync(request); return;
                case ["iam", "roles", var name]: await IamPages.RoleAsync(request, Unescape(name)); return;
                case ["iam", "users"]: await IamPages.UsersAsync(request); return;
                case ["iam", "users", var name]: await IamPages.UserAsync(request, Unescape(name)); return;
                case ["iam", "policy-check"]: await IamPages.PolicyCheckAsync(request); return;
                case ["decisions"]: await DecisionsPage.HandleAsync(request); return;
            }
            await request.WritePageAsync("Not found", null,
                new HtmlBuilder().Add($"<h1>Not found</h1><p>The console has no page at {http.Request.Path.Value}.</p>").ToMarkup(), 404);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            var requestId = AwsIds.RequestId();
            _log.LogError(e, "Unhandled error in console request {RequestId}", requestId);
            await request.WritePageAsync("Error", null, new HtmlBuilder()
                .Add($"<h1>Something went wrong</h1><p role=\"alert\" class=\"error\">LocalShift failed while showing this page. This is a LocalShift bug; the server log has the details under request id {requestId}.</p>").ToMarkup(), 500);
        }
    }

    /// <summary>
    /// The region selector: keeps the chosen region in the session, then goes back to the page it was chosen on, or to
    /// the clusters list when that page was one cluster's (a cluster belongs to the region it was left).
    /// </summary>
    private static async Task SwitchRegionAsync(ConsoleRequest r)
    {
        var region = (r.FormValue("region") ?? "").Trim();
        if (!ConsoleRegions.IsOffered(region, r.Console.Options.Region))
        {
            await r.WritePageAsync("Region", null, new HtmlBuilder()
                .Add($"<h1>Region</h1>").Add(ConsoleRequest.ErrorAlert($"The console does not offer the region '{region}'.")).ToMarkup(), 400);
            return;
        }
        r.Session.Region = region;
        var back = r.FormValue("return") ?? "";
        var target = back switch
        {
            _ when back.StartsWith(Prefix + "/clusters", StringComparison.Ordinal) => Prefix + "/clusters",
            _ when back.StartsWith(Prefix + "/iam/", StringComparison.Ordinal) || back == Prefix + "/decisions" => back,
            _ => Prefix + "/clusters",
        };
        // Only a path of the console's own, never another site.
        if (target.Contains("//", StringComparison.Ordinal) || target.Any(c => c is '\\' or < '!' or > '~')) target = Prefix + "/clusters";
        r.SeeOther(target);
    }

    private static string Unescape(string segment) => Uri.UnescapeDataString(segment);

    internal static string Version =>
        typeof(ConsoleApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
