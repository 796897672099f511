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
public sealed class RestoreShippyarClusterCommand : BackupInputCmdlet
{
    /// <summary>Only these databases of the backup.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>Leave roles and tablespaces alone (they exist already).</summary>
    [Parameter]
    public SwitchParameter SkipGlobals { get; set; }

    /// <summary>Replace databases that already exist (each gets a safety backup first) without asking; the only way to replace a postgres database that is not empty.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Signs the safety backup of what is replaced; by default the -SecretKeyFile key signs it, when it can.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SigningKeyFile { get; set; }

    [Parameter]
    public System.Security.SecureString? SigningKeyPassphrase { get; set; }

    /// <summary>How long each safety backup's pg_dump waits for a table's lock (default 5 minutes; 0: no limit).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? LockWaitTimeout { get; set; }

    protected override void ProcessRecord()
    {
        Run(BackupName, reporter =>
        {
            var (backup, repository) = ResolveBackup();
            var connection = ResolveConnection(backup.Server);
            var keys = ResolveKeys(reporter, SigningKeyFile, SigningKeyPassphrase);
            var action = $"Restore cluster backup {backup.Id} ({backup.Databases.Count} databases{(SkipGlobals ? "" : ", roles and tablespaces")}); existing databases are replaced after safety backups";
            if (!(Force && !IsWhatIf()) && !ShouldProcessOrExplain($"server {connection.DisplayName}", action, nameof(Force))) return;
            WriteObject(new ClusterRestoreEngine(reporter).Run(new ClusterRestoreRequest
            {
                Backup = backup, Connection = connection, Keys = keys, Databases = Database ?? Array.Empty<string>(),
                // Confirmed (or -Force): the action above said existing databases are replaced.
                SkipGlobals = SkipGlobals, ReplaceExisting = true, ReplacePostgresDatabase = Force,
                SafetyLockWaitTimeout = LockWaitTimeout ?? Backup.BackupRequest.DefaultLockWaitTimeout,
            }, repository, Cancel));
        });
    }
}
