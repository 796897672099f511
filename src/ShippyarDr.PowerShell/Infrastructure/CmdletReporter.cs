using System.Management.Automation;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>Forwards engine progress and messages to PowerShell's streams (the engine calls it on the pipeline thread).</summary>
internal sealed class CmdletReporter : IOperationReporter
{
    private readonly Cmdlet _cmdlet;
    private readonly int _activityId;
    private readonly HashSet<string> _warned;
    private string? _lastActivity;

    /// <param name="warned">Warnings the cmdlet already wrote: one about a file it reads for every pipeline object is said once.</param>
    public CmdletReporter(Cmdlet cmdlet, int activityId, HashSet<string> warned)
    {
        _cmdlet = cmdlet;
        _activityId = activityId;
        _warned = warned;
    }

    public void Progress(string activity, string status, int percentComplete = -1)
    {
        _lastActivity = activity;
        _cmdlet.WriteProgress(new ProgressRecord(_activityId, activity, status) { PercentComplete = Math.Clamp(percentComplete, -1, 100) });
    }

    public void Verbose(string message) => _cmdlet.WriteVerbose(SecretRedactor.Redact(message));

    public void Warning(string message)
    {
        if (_warned.Add(message)) _cmdlet.WriteWarning(SecretRedactor.Redact(message));
    }

    public void Error(ShippyarException error) => _cmdlet.WriteError(ErrorRecords.From(error));

    /// <summary>Clears the progress bar once an operation is over.</summary>
    public void Complete()
    {
        if (_lastActivity is null) return;
        _cmdlet.WriteProgress(new ProgressRecord(_activityId, _lastActivity, "Done") { RecordType = ProgressRecordType.Completed });
        _lastActivity = null;
    }
}
