namespace ShippyarDr.Diagnostics;

/// <summary>What kind of failure this is; the cmdlets map it onto a PowerShell ErrorCategory.</summary>
public enum ShippyarErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    /// <summary>The operating system refused access to a file or directory.</summary>
    PermissionDenied,
    ConnectionError,
    AuthenticationError,
    ResourceUnavailable,
    InvalidData,
    InvalidOperation,
    WriteError,
    OperationStopped,
}

/// <summary>
/// A failure the engine explains to a DBA: a stable ErrorId for scripts, a kind, and the object it concerns.
/// Messages never carry secrets: everything passed through <see cref="SecretRedactor"/>.
/// </summary>
public sealed class ShippyarException : Exception
{
    public ShippyarException(ShippyarErrorKind kind, string errorId, string message, string? target = null, Exception? inner = null)
        : base(SecretRedactor.Redact(message), inner)
    {
        Kind = kind;
        ErrorId = errorId;
        Target = target;
    }

    public ShippyarErrorKind Kind { get; }
    public string ErrorId { get; }
    public string? Target { get; }
}
