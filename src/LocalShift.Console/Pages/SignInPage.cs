using System.Net;

namespace LocalShift.WebConsole.Pages;

/// <summary>Sign-in: the default account's root with one click, or any access key pair (with a session token for temporary keys).</summary>
internal static class SignInPage
{
    public static async Task HandleAsync(ConsoleRequest r)
    {
        var rootOffered = RootOffered(r);
        string? error = null;
        if (r.IsPost)
        {
            ConsoleSession? signedIn;
            if (r.FormValue("mode") == "root")
            {
                signedIn = rootOffered ? r.Console.Sessions.SignInTrusted(r.Http, r.Session, r.Console.Options.RootAccessKeyId) : null;
                if (signedIn is null) error = "One-click root sign-in is not offered here; sign in with an access key.";
            }
            else
            {
                var akid = (r.FormValue("access_key_id") ?? "").Trim();
                var secret = r.FormValue("secret_access_key") ?? "";
                var token = (r.FormValue("session_token") ?? "").Trim();
                if (akid.Length == 0 || secret.Length == 0)
                {
                    signedIn = null;
                    error = "Enter an access key ID and its secret access key.";
                }
                else
                {
                    (signedIn, error) = r.Console.Sessions.SignIn(r.Http, r.Session, akid, secret, token);
                }
            }
            if (signedIn is not null)
            {
                r.SeeOther(ConsoleApp.Prefix + "/clusters");
                return;
            }
        }

        var h = new HtmlBuilder();
        h.Add($"<h1>Sign in</h1>");
        if (error is not null) h.Add(ConsoleRequest.ErrorAlert(error));
        if (rootOffered)
        {
            h.Add($"""
                <section aria-labelledby="root-heading">
                <h2 id="root-heading">Account root</h2>
                <form method="post" action="{ConsoleApp.Prefix}/signin">{r.AntiForgeryField}
                <input type="hidden" name="mode" value="root">
                <button type="submit">Sign in as root of account {r.Console.Options.AccountId}</button>
                </form>
                </section>
                """);
        }
        h.Add($"""
            <section aria-labelledby="keys-heading">
            <h2 id="keys-heading">Access key</h2>
            <p>An IAM user's key, another account's root key, or temporary credentials from STS (with their session token).</p>
            <form method="post" action="{ConsoleApp.Prefix}/signin" class="stack">{r.AntiForgeryField}
            <input type="hidden" name="mode" value="keys">
            <label for="access_key_id">Access key ID</label>
            <input id="access_key_id" name="access_key_id" autocomplete="username" required spellcheck="false">
            <label for="secret_access_key">Secret access key</label>
            <input id="secret_access_key" name="secret_access_key" type="password" autocomplete="current-password" required>
            <label for="session_token">Session token (temporary credentials only)</label>
            <input id="session_token" name="session_token" autocomplete="off" spellcheck="false">
            <button type="submit">Sign in</button>
            </form>
            </section>
            """);
        await r.WritePageAsync("Sign in", null, h.ToMarkup(), error is null ? 200 : 401);
    }

    /// <summary>One-click root is for this machine, like the admin endpoints, unless the server opened those to everyone.</summary>
    private static bool RootOffered(ConsoleRequest r)
    {
        if (r.Console.Options.RootSignInFromAnywhere) return true;
        var ip = r.Http.Connection.RemoteIpAddress;
        return ip is null || IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
    }
}
