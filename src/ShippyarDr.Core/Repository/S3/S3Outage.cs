using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// Remembers that a repository's store stopped answering. Once one call has waited out its timeouts and retries,
/// the calls that follow (aborting the upload, removing the partial backup, the next listing) would each wait as
/// long again on the same silent store: they fail at once instead, with the same error.
/// </summary>
internal sealed class S3Outage
{
    private ShippyarException? _timeout;

    public bool IsDown => Volatile.Read(ref _timeout) is not null;

    /// <summary>Passes <paramref name="error"/> through, remembering it when it is a timeout.</summary>
    public ShippyarException Record(ShippyarException error)
    {
        if (error.ErrorId == S3Errors.TimeoutId) Interlocked.CompareExchange(ref _timeout, error, null);
        return error;
    }

    public void ThrowIfDown()
    {
        if (Volatile.Read(ref _timeout) is { } t) throw new ShippyarException(t.Kind, t.ErrorId, t.Message, t.Target, t);
    }
}
