using System.Management.Automation;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// What every ShippyarDr cmdlet shares: Ctrl+C (StopProcessing) cancels the engine, which kills child processes;
/// engine failures become non-terminating ErrorRecords for the current pipeline object, so one bad database
/// does not stop a runbook's loop (-ErrorAction Stop makes them terminating as usual).
/// </summary>
public abstract class ShippyarCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private static int _nextActivityId;

    protected CancellationToken Cancel => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Runs one unit of work; failures become ErrorRecords about <paramref name="target"/>.</summary>
    private protected void Run(object? target, Action<CmdletReporter> work)
    {
        var reporter = new CmdletReporter(this, Interlocked.Increment(ref _nextActivityId));
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

    /// <summary>True when -WhatIf (or $WhatIfPreference) is in effect.</summary>
    private protected bool IsWhatIf()
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)) return ((SwitchParameter)w).IsPresent;
        return GetVariableValue("WhatIfPreference") is bool b ? b : GetVariableValue("WhatIfPreference") is SwitchParameter s && s.IsPresent;
    }
}
