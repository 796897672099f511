using System.Runtime.ExceptionServices;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Backup;

/// <summary>
/// The repositories a backup goes to, opened before it starts. Among several, one that cannot be opened (an S3 store
/// that does not answer, a volume that is not mounted) is left out as one that fails midway is: the backup completes
/// in the others, and each one left out is reported as an error saying the backup is not there. With none opened,
/// the backup fails with the (last) reason.
/// </summary>
public sealed class BackupTargets
{
    private readonly List<(string Location, Exception Error)> _failed;

    private BackupTargets(List<IBackupRepository> opened, List<(string, Exception)> failed)
    {
        Opened = opened;
        _failed = failed;
    }

    /// <summary>The repositories that opened, in the order given.</summary>
    public IReadOnlyList<IBackupRepository> Opened { get; }

    /// <summary>The locations that did not open, with why.</summary>
    public IReadOnlyList<(string Location, Exception Error)> Failed => _failed;

    /// <summary>
    /// Opens every location at once, so stores that do not answer cost their timeout once, not once each. Failures
    /// a repository reports (ShippyarException, I/O, access) are kept; anything else is a bug and is thrown.
    /// </summary>
    public static BackupTargets Open(IReadOnlyList<string> locations, Func<string, IBackupRepository> open, CancellationToken cancel = default)
    {
        var opening = locations.Select(l => Task.Run(() => open(l))).ToArray();
        try
        {
            Task.WaitAll(opening, cancel);
        }
        catch (AggregateException)
        {
            // Sorted out below, location by location.
        }
        catch (OperationCanceledException)
        {
            // Stores still being waited for are let go; whatever opens later is closed.
            foreach (var t in opening) t.ContinueWith(o => (o.Result as IDisposable)?.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw;
        }
        var opened = new List<IBackupRepository>();
        var failed = new List<(string, Exception)>();
        for (var i = 0; i < opening.Length; i++)
        {
            if (opening[i].IsCompletedSuccessfully) { opened.Add(opening[i].Result); continue; }
            var error = opening[i].Exception!.GetBaseException();
            if (error is not (ShippyarException or IOException or UnauthorizedAccessException)) ExceptionDispatchInfo.Throw(error);
            failed.Add((locations[i], error));
        }
        return new BackupTargets(opened, failed);
    }

    /// <summary>The repositories to back up into; with none, the reasons: every one reported but the last, which is thrown.</summary>
    internal IReadOnlyList<IBackupRepository> RequireOne(IOperationReporter reporter)
    {
        if (Opened.Count > 0) return Opened;
        if (_failed.Count == 0) throw new ArgumentException("At least one repository is needed.");
        foreach (var (location, error) in _failed.SkipLast(1)) reporter.Error(AsShippyar(location, error));
        ExceptionDispatchInfo.Throw(_failed[^1].Error);
        return null!;
    }

    /// <summary>After the backup: each repository left out, as an error saying where the backup is instead.</summary>
    internal void ReportNotStored(IReadOnlyList<BackupInfo> stored, IOperationReporter reporter)
    {
        foreach (var (location, error) in _failed)
        {
            var e = AsShippyar(location, error);
            reporter.Error(new ShippyarException(e.Kind, e.ErrorId,
                $"Backup {stored[0].Id} could not be stored in {location}, which could not be opened: {e.Message} " +
                $"It is complete in {string.Join(", ", stored.Select(b => b.Repository))}.", location, error));
        }
    }

    /// <summary>When the backup failed anyway: the repositories left out, each with its own reason.</summary>
    internal void ReportUnopened(IOperationReporter reporter)
    {
        foreach (var (location, error) in _failed) reporter.Error(AsShippyar(location, error));
    }

    private static ShippyarException AsShippyar(string location, Exception error) => error as ShippyarException
        ?? new ShippyarException(error is UnauthorizedAccessException ? ShippyarErrorKind.AuthenticationError : ShippyarErrorKind.WriteError,
            error is UnauthorizedAccessException ? ErrorIds.RepositoryAccessDenied : ErrorIds.RepositoryIOError, $"Repository {location}: {error.Message}", location, error);
}
