using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Retention;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Removes backups piped from Get-ShippyarBackup, manifest first. Refuses a backup under S3 Object Lock always, and
/// without -Force the last complete backup of its database and tier, the newest one that passed verification, and the
/// base backup that recovery to the start of the WAL window (the registered WalDays, else 30) starts from.
/// The WAL a removed base backup used is left to Invoke-ShippyarRetention.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ShippyarBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RetentionDecision))]
public sealed class RemoveShippyarBackupCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BackupInfo? InputObject { get; set; }

    /// <summary>Remove it even when it is the last complete backup of its tier or the newest verified one (never a locked one).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var backup = InputObject!;
        Run(backup.Id, reporter => Audited(Audit.AuditOperation.Remove, reporter, audit =>
        {
            if (backup.Prefix is null)
                throw new PSArgumentException($"Backup {backup.Id} was not read from a repository: pipe it from Get-ShippyarBackup.");
            var settings = ResolveRepository(backup.Repository, reporter);
            var repository = OpenRepository(settings);
            audit.Into(settings, repository).About(backup);
            var walDays = RetentionPolicy.Resolve(null, settings.Registered?.Registration.Retention).WalWindowDays;
            var remover = new BackupRemover(repository, reporter);
            var keys = settings.ReadingKeys(null, reporter);
            if (remover.Refusal(backup, Force, DateTimeOffset.UtcNow, walDays, keys) is { } refusal) throw refusal;
            if (!ShouldProcessOrExplain($"backup {backup.Id} of {backup.Database} ({backup.Tier}, ended {backup.EndTime:u}) in {repository.Location}", "Remove")) return null;
            var decision = remover.Remove(backup, Force, walWindowDays: walDays, keys: keys, cancel: Cancel);
            if (decision.Action == RetentionAction.Failed) audit.Fail(decision.Error ?? decision.Reason);
            return decision;
        }));
    }
}
