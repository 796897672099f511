using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Restore;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Restores a cluster (Weekly) backup into a server: roles and tablespaces, then every database (or those named),
/// each checked before it is put in place. Existing databases are replaced only with confirmation or -Force.
/// </summary>
[Cmdlet(VerbsData.Restore, "ShippyarCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ClusterRestoreResult))]
public sealed class RestoreShippyarClusterCommand : RestoreCmdlet
{
    /// <summary>Only these databases of the backup.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>Leave roles and tablespaces alone (they exist already).</summary>
    [Parameter]
    public SwitchParameter SkipGlobals { get; set; }

    protected override void ProcessRecord()
    {
        Run(BackupName, reporter =>
        {
            var (backup, repository, settings) = ResolveBackup(reporter);
            var connection = ResolveConnection(backup.Server);
            var keys = ResolveRestoreKeys(reporter, settings);
            var action = $"Restore cluster backup {backup.Id} ({backup.Databases.Count} databases{(SkipGlobals ? "" : ", roles and tablespaces")}); existing databases are replaced after safety backups";
            if (!(Force && !IsWhatIf()) && !ShouldProcessOrExplain($"server {connection.DisplayName}", action, nameof(Force))) return;
            WriteObject(new ClusterRestoreEngine(reporter).Run(new ClusterRestoreRequest
            {
                Backup = backup, Connection = connection, Keys = keys, Databases = Database ?? Array.Empty<string>(),
                // Confirmed (or -Force): the action above said existing databases are replaced.
                SkipGlobals = SkipGlobals, ReplaceExisting = true, ReplacePostgresDatabase = Force,
                SafetyLockWaitTimeout = SafetyLockWaitTimeout,
            }, repository, Cancel));
        });
    }
}
