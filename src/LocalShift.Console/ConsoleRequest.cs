using System.Diagnostics;
using System.Globalization;
using System.Text;
using LocalShift.Aws;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;

namespace LocalShift.WebConsole;

/// <summary>One console request: the browser's session, who it acts as, its form, and how a page is written.</summary>
public sealed class ConsoleRequest(ConsoleApp console, HttpContext http, ConsoleSession session)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _operationTicks;

    public ConsoleApp Console { get; } = console;

    /// <summary>
    /// The server's time for this request so far, as a Server-Timing header (the benchmark reads it): the whole
    /// (<c>app</c>) and the part spent in AWS operations (<c>ops</c>); the rest is the console's own work.
    /// </summary>
    public void AddServerTiming() =>
        Http.Response.Headers["Server-Timing"] = "app;dur=" + Ms(Stopwatch.GetElapsedTime(_started))
            + ", ops;dur=" + Ms(Stopwatch.GetElapsedTime(0, _operationTicks));

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
    public HttpContext Http { get; } = http;
    public ConsoleSession Session { get; } = session;
    public ResolvedCredential? Caller { get; internal set; }
    public IFormCollection? Form { get; internal set; }
    public bool IsPost => HttpMethods.IsPost(Http.Request.Method);
    /// <summary>The region the session acts in (the region selector's choice; the server's region until one is chosen).</summary>
    public string Region => Session.Region;
    public string Account => Caller?.Principal.AccountId ?? Console.Options.AccountId;
    public ResolvedCredential Principal => Caller ?? throw new InvalidOperationException("not signed in");

    public string? FormValue(string name) => Form is not null && Form.TryGetValue(name, out var v) ? v.ToString() : null;
    public IReadOnlyList<string> FormValues(string name) =>
        Form is not null && Form.TryGetValue(name, out var v) ? v.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList() : [];
    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>The hidden field every form of the console carries.</summary>
    public Markup AntiForgeryField => HtmlBuilder.Of($"<input type=\"hidden\" name=\"_csrf\" value=\"{Session.AntiForgeryToken}\">");

    /// <summary>Runs a typed operation as the signed-in principal.</summary>
    public async Task<TResponse?> CallAsync<TRequest, TResponse>(string service, string operation, TRequest request)
        where TRequest : class where TResponse : class
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await Console.Operations.CallAsync<TRequest, TResponse>(Http, Principal, Region, service, operation, request);
        }
        finally
        {
            _operationTicks += Stopwatch.GetTimestamp() - started;
        }
    }

    public Task CallAsync<TRequest>(string service, string operation, TRequest request) where TRequest : class =>
        CallAsync<TRequest, Aws.Operations.NoOutput>(service, operation, request);

    /// <summary>Runs an operation and turns its AWS error into a value to show where the person acted.</summary>
    public async Task<(TResponse? Response, AwsException? Error)> TryCallAsync<TRequest, TResponse>(string service, string operation, TRequest request)
        where TRequest : class where TResponse : class
    {
        try
        {
            return (await CallAsync<TRequest, TResponse>(service, operation, request), null);
        }
        catch (AwsException e)
        {
            return (null, e);
        }
    }

    public void SeeOther(string location)
    {
        Http.Response.StatusCode = 303;
        Http.Response.Headers.Location = location;
    }

    /// <summary>An AWS error as the console shows it: the message, with its code, in an alert.</summary>
    public static Markup ErrorAlert(AwsException e) =>
        HtmlBuilder.Of($"<div role=\"alert\" class=\"error\"><p class=\"error-code\">{e.Code}</p><p class=\"error-message\">{e.Message}</p></div>");

    public static Markup ErrorAlert(string message) =>
        HtmlBuilder.Of($"<div role=\"alert\" class=\"error\"><p class=\"error-message\">{message}</p></div>");

    /// <summary>Writes a whole page: the header (who is signed in, sign out), the navigation and <paramref name="main"/>.</summary>
    public async Task WritePageAsync(string title, string? section, Markup main, int status = 200)
    {
        var h = new HtmlBuilder();
        h.Add($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} – LocalShift console</title>
            <link rel="stylesheet" href="{ConsoleApp.Prefix}/assets/console.css">
            <script src="{ConsoleApp.Prefix}/assets/console.js" defer></script>
            </head>
            <body>
            <a class="skip-link" href="#main">Skip to main content</a>
            <header class="top">
            <span class="brand">LocalShift console</span>
            """);
        if (Caller is { } c)
        {
            h.Add($"""
                <span class="who">Signed in as <strong>{c.Principal.Arn}</strong></span>
                <form method="post" action="{ConsoleApp.Prefix}/region" class="inline region-switcher">{AntiForgeryField}
                <input type="hidden" name="return" value="{Http.Request.Path.Value}">
                <label for="region-switcher">Region</label>
                <select id="region-switcher" name="region">
                """);
            foreach (var (code, name) in ConsoleRegions.Offered(Console.Options.Region))
                h.Add($"<option value=\"{code}\"{(code == Region ? new Markup(" selected") : Markup.Empty)}>{name} {code}</option>");
            h.Add($"""
                </select>
                <button type="submit">Switch region</button>
                </form>
                <form method="post" action="{ConsoleApp.Prefix}/signout" class="inline">{AntiForgeryField}<button type="submit">Sign out</button></form>
                """);
        }
        h.Add($"</header>");
        if (Caller is not null)
        {
            h.Add($"<nav aria-label=\"Console\"><ul>");
            foreach (var (key, href, label) in Sections)
                h.Add($"<li><a href=\"{href}\"{(key == section ? new Markup(" aria-current=\"page\"") : Markup.Empty)}>{label}</a></li>");
            h.Add($"</ul></nav>");
        }
        h.Add($"<main id=\"main\" tabindex=\"-1\">{main}</main>\n</body>\n</html>\n");
        Http.Response.StatusCode = status;
        Http.Response.ContentType = "text/html; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(h.ToString());
        AddServerTiming();
        Http.Response.ContentLength = bytes.Length;
        await Http.Response.Body.WriteAsync(bytes, Http.RequestAborted);
    }

    private static readonly (string Key, string Href, string Label)[] Sections =
    [
        ("clusters", ConsoleApp.Prefix + "/clusters", "Clusters"),
        ("roles", ConsoleApp.Prefix + "/iam/roles", "IAM roles"),
        ("users", ConsoleApp.Prefix + "/iam/users", "IAM users"),
        ("policy-check", ConsoleApp.Prefix + "/iam/policy-check", "Policy check"),
        ("decisions", ConsoleApp.Prefix + "/decisions", "Decisions"),
    ];

    public static string PathSegment(string s) => Uri.EscapeDataString(s);
}
