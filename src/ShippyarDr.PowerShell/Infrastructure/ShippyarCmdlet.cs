using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// What every ShippyarDr cmdlet shares: Ctrl+C (StopProcessing) cancels the engine, which kills child processes;
/// engine failures become non-terminating ErrorRecords for the current pipeline object, so one bad database
/// does not stop a runbook's loop (-ErrorAction Stop makes them terminating as usual).
/// </summary>
public abstract class ShippyarCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private static int _nextActivityId;

    protected CancellationToken Cancel => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Runs one unit of work; failures become ErrorRecords about <paramref name="target"/>.</summary>
    private protected void Run(object? target, Action<CmdletReporter> work)
    {
        var reporter = new CmdletReporter(this, Interlocked.Increment(ref _nextActivityId), _warned);
        try
        {
            work(reporter);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException and not ActionPreferenceStopException)
        {
            WriteError(ErrorRecords.From(e, target));
        }
        finally
        {
            reporter.Complete();
        }
    }

    /// <summary>
    /// A path as a PowerShell user means it: relative to the current location (Set-Location, Push-Location), not to the
    /// process's working directory, with ~ and PSDrives expanded. Every path parameter goes through here before the
    /// engine sees it. Paths of other providers (Env:, Cert:, Variable:…) are refused.
    /// </summary>
    /// <summary><see cref="ResolvePath"/> of a path parameter that may be absent.</summary>
    private protected string? ResolveOptionalPath(string? path) => path is null ? null : ResolvePath(path);

    private protected string ResolvePath(string path)
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception e) when (e is SessionStateException or ProviderInvocationException or PSArgumentException or NotSupportedException)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidPath, $"'{path}' is not a usable path: {e.Message}", path, e);
        }
        if (provider.ImplementingType != typeof(FileSystemProvider))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PathNotFileSystem,
                $"'{path}' is a path of the PowerShell {provider.Name} provider, not a file system path.", path);
        return resolved;
    }

    /// <summary>
    /// ShouldProcess, except that a session which cannot ask (pwsh -NonInteractive, a scheduler, a job) gets a
    /// ConfirmationRequired error naming the switch that answers in advance, instead of the host's "NonInteractive
    /// mode" exception. <paramref name="forceSwitch"/> is the cmdlet's own switch for that, if it has one.
    /// </summary>
    private protected bool ShouldProcessOrExplain(string target, string action, string? forceSwitch = null)
    {
        try
        {
            return ShouldProcess(target, action);
        }
        catch (Exception e) when (e is PSInvalidOperationException or System.Management.Automation.Host.HostException)
        {
            var answer = forceSwitch is null ? "-Confirm:$false" : $"-{forceSwitch} (or -Confirm:$false)";
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"\"{action}\" on {target} needs confirmation, and this session cannot ask for it (it is not interactive). To go ahead without a prompt, add {answer}.", e),
                ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, target));
            return false;
        }
    }

    /// <summary>True when -WhatIf (or $WhatIfPreference) is in effect.</summary>
    private protected bool IsWhatIf()
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)) return ((SwitchParameter)w).IsPresent;
        return GetVariableValue("WhatIfPreference") is bool b ? b : GetVariableValue("WhatIfPreference") is SwitchParameter s && s.IsPresent;
    }
}
