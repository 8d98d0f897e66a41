using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// UploadPart's body as the typed operation receives it: the <see cref="RequestPayload"/> is made, and its headers
/// (x-amz-checksum-*, x-amz-trailer…) judged against the upload's checksum algorithm, only when the operation stages the
/// part, after it has authorized the call and found the upload.
/// </summary>
public sealed class DeferredPartPayload(S3Request request) : Shapes.IPartPayload
{
    private RequestPayload? _payload;

    public (string Algorithm, string Value)? Checksum => _payload?.Checksum;

    public Task<StagedBlob> StageAsync(IObjectStore store, string? algorithm, bool requireChecksum, CancellationToken ct)
    {
        _payload ??= new RequestPayload(request, algorithm, requireClaim: requireChecksum);
        return _payload.StageAsync(store, ct);
    }

    public void Dispose() => _payload?.Dispose();
}
