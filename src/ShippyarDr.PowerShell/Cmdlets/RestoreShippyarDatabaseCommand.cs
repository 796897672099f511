using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Restore;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Restores a backup as a database. Into a new name it simply restores; over an existing database it asks
/// first (or -Force), takes a safety backup, and swaps the checked copy in.
/// </summary>
[Cmdlet(VerbsData.Restore, "ShippyarDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(RestoreResult))]
public sealed class RestoreShippyarDatabaseCommand : RestoreCmdlet
{
    /// <summary>Database to restore as; the backup's own database when omitted.</summary>
    [Parameter]
    [Alias("Target")]
    [ValidateNotNullOrEmpty]
    public string? TargetDatabase { get; set; }

    /// <summary>Which database of a cluster (Weekly) backup to restore.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceDatabase { get; set; }

    /// <summary>Do not restore ownership and grants (for servers without the source's roles).</summary>
    [Parameter]
    public SwitchParameter NoOwner { get; set; }

    protected override void ProcessRecord()
    {
        Run(BackupName, reporter => Audited(Audit.AuditOperation.Restore, reporter, audit =>
        {
            var (backup, repository, settings) = ResolveBackup(reporter, audit);
            var target = TargetDatabase ?? DatabaseUnit.Of(backup, SourceDatabase).Database;
            var connection = ResolveConnection(backup.Server);
            (audit.Server, audit.Login, audit.Database) = (connection.DisplayName, connection.Username, target);
            if (SystemDatabases.RefuseByName(target, connection.DisplayName) is { } refused) throw refused;
            // Key problems (a missing passphrase file…) are reported before anyone is asked to confirm.
            var keys = ResolveRestoreKeys(reporter, settings);
            var exists = RestoreEngine.DatabaseExists(connection, target, Cancel);
            // Refused before asking: a "yes" would not make it allowed.
            if (exists && SystemDatabases.RefuseReplacing(target, connection.DisplayName, replacePostgres: Force, isTemplate: false) is { } refusal)
                throw refusal;
            var where = $"database {target} on {connection.DisplayName}";
            if (!exists)
            {
                // Restoring under a new name destroys nothing: ask nobody, but honour -WhatIf.
                if (IsWhatIf())
                {
                    ShouldProcess(where, $"Create from backup {backup.Id}");
                    return null;
                }
            }
            else if (!(Force && !IsWhatIf()) && !ShouldProcessOrExplain(where,
                         $"Replace with backup {backup.Id} of {backup.Database} from {backup.EndTime:u} (a safety backup of {target} is taken first)", nameof(Force)))
            {
                return null;
            }
            var result = new RestoreEngine(reporter).Run(new RestoreRequest
            {
                Backup = backup, SourceDatabase = SourceDatabase, TargetDatabase = target, Connection = connection, ReplaceExisting = exists,
                NoOwner = NoOwner, Keys = keys, ReplacePostgresDatabase = Force,
                SafetyLockWaitTimeout = SafetyLockWaitTimeout,
            }, repository, Cancel);
            if (!result.Passed) audit.Fail(RowCountsDiffer(result));
            return result;
        }));
    }
}
