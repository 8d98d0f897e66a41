using System.Text;
using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.S3;
using LocalShift.Services.S3.Http;
using LocalShift.Storage.Objects;
using LocalShift.Storage.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalShift.Services.Tests.S3;

/// <summary>Records every authorization question; denies the actions listed in <see cref="Deny"/>.</summary>
public sealed class RecordingAuthorizer : IAuthorizer
{
    public List<AuthorizationCheck> Checks { get; } = [];
    public HashSet<string> Deny { get; } = [];

    public void Authorize(AuthorizationCheck check)
    {
        Checks.Add(check);
        if (Deny.Contains(check.Action)) throw new AwsException("AccessDenied", $"denied {check.Action}", 403);
    }
}

/// <summary>The S3 service over a store in a temporary directory, driven with in-memory HTTP contexts.</summary>
public sealed class S3Harness : IDisposable
{
    public const string Account = "123456789012";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ls-s3svc-" + Guid.NewGuid().ToString("N"));
    private readonly StateStore _state;

    public S3Harness()
    {
        Directory.CreateDirectory(_dir);
        _state = new StateStore(Path.Combine(_dir, "state.db"));
        Store = new ObjectStore(_state, Path.Combine(_dir, "s3"));
        Access = new S3Access(Store);
        Service = new S3Service(Access);
    }

    public ObjectStore Store { get; }
    public S3Access Access { get; }
    public S3Service Service { get; }
    public RecordingAuthorizer Authorizer { get; } = new();

    public AwsCall Call(Principal? caller = null) => new()
    {
        Service = "s3", Operation = "test", Region = "us-east-1", RequestId = "req-1",
        Caller = caller ?? Principal.Root(Account), Time = DateTimeOffset.UtcNow, Authorizer = Authorizer,
    };

    public sealed record Response(int Status, IHeaderDictionary Headers, string Body);

    public async Task<Response> SendAsync(string method, string target, byte[]? body = null, Dictionary<string, string>? headers = null,
        string host = "127.0.0.1:4566", Action<HttpContext>? prepare = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Host = new HostString(host);
        var q = target.IndexOf('?');
        http.Request.Path = q < 0 ? target : target[..q];
        if (q >= 0) http.Request.QueryString = new QueryString(target[q..]);
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        foreach (var (k, v) in headers ?? []) http.Request.Headers[k] = v;
        http.Request.Body = new MemoryStream(body ?? []);
        var responseBody = new MemoryStream();
        http.Response.Body = responseBody;
        prepare?.Invoke(http);
        await Service.HandleAsync(http, Call());
        return new Response(http.Response.StatusCode, http.Response.Headers, Encoding.UTF8.GetString(responseBody.ToArray()));
    }

    public void Dispose()
    {
        _state.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
