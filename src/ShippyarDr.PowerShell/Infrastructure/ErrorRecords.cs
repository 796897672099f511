using System.Management.Automation;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>Turns engine failures into ErrorRecords with a stable id, a category and the object concerned.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(ShippyarException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e), e.Target);
        if (ErrorHints.For(e.ErrorId) is { } hint) record.ErrorDetails = new ErrorDetails($"{e.Message} {hint}") { RecommendedAction = hint };
        return record;
    }

    public static ErrorRecord From(Exception e, object? target) => e switch
    {
        ShippyarException s => From(s),
        _ when EngineErrors.Translate(e) is { } s => From(s),
        IOException io => new ErrorRecord(new IOException(SecretRedactor.Redact(io.Message), io), ErrorIds.RepositoryIOError, ErrorCategory.WriteError, target),
        UnauthorizedAccessException ua => new ErrorRecord(ua, ErrorIds.RepositoryAccessDenied, ErrorCategory.PermissionDenied, target),
        _ => new ErrorRecord(e, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target),
    };

    public static ErrorRecord Argument(string errorId, string message, object? target)
        => new(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

    private static ErrorCategory Category(ShippyarException e) => e.Kind switch
    {
        ShippyarErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ShippyarErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ShippyarErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ShippyarErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ShippyarErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ShippyarErrorKind.ResourceUnavailable when e.ErrorId == ErrorIds.PgToolNotFound => ErrorCategory.NotInstalled,
        ShippyarErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ShippyarErrorKind.InvalidData => ErrorCategory.InvalidData,
        ShippyarErrorKind.WriteError => ErrorCategory.WriteError,
        ShippyarErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.InvalidOperation,
    };
}
