using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.TableData;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Restores rows of some tables from a backup into a live database (a day of orders deleted by mistake): through a
/// scratch copy of only those tables, the conflict rule applied on the target's primary key, one transaction. -WhatIf
/// restores the scratch copy and reports the counts without writing to the target.
/// </summary>
[Cmdlet(VerbsData.Restore, "ShippyarTableData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(TableDataResult))]
public sealed class RestoreShippyarTableDataCommand : BackupInputCmdlet
{
    /// <summary>The tables ("orders" or "sales.orders"); several are written parents first.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = [];

    /// <summary>SQL condition selecting the rows; run in the scratch copy only.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Where { get; set; }

    /// <summary>The database to write the rows into; the backup's own database when omitted.</summary>
    [Parameter]
    [Alias("Target")]
    [ValidateNotNullOrEmpty]
    public string? TargetDatabase { get; set; }

    /// <summary>Which database of a cluster (Weekly) or base backup holds the tables.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceDatabase { get; set; }

    [Parameter]
    public ConflictRule OnConflict { get; set; } = ConflictRule.DoNothing;

    /// <summary>For a base backup: recover its scratch copy through the WAL archive to this time before reading the rows.</summary>
    [Parameter]
    public DateTimeOffset? TargetTime { get; set; }

    /// <summary>For a base backup: recover its scratch copy through the WAL archive to this WAL position.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetLsn { get; set; }

    /// <summary>For a base backup: recover its scratch copy through the WAL archive to the end of this transaction.</summary>
    [Parameter]
    public ulong? TargetXid { get; set; }

    /// <summary>For a base backup: recover its scratch copy through the WAL archive to this restore point (New-ShippyarRestorePoint).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetName { get; set; }

    /// <summary>Write without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        Run(BackupName, reporter => Audited(Audit.AuditOperation.TableDataRestore, reporter, audit =>
        {
            var (backup, repository, settings) = ResolveBackup(reporter, audit);
            var target = TargetDatabase ?? SourceDatabase ?? (backup.IsCluster ? null : backup.Database)
                ?? throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.InvalidArgumentValue,
                    $"Backup {backup.Id} is a backup of the whole cluster: name the database to write the rows into with -TargetDatabase.", backup.Id);
            var targets = new (bool Given, string Name)[] { (TargetTime is not null, nameof(TargetTime)), (TargetLsn is not null, nameof(TargetLsn)),
                (TargetXid is not null, nameof(TargetXid)), (TargetName is not null, nameof(TargetName)) }.Where(t => t.Given).Select(t => "-" + t.Name).ToList();
            if (targets.Count > 1)
                throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.InvalidArgumentValue,
                    $"Give one point to recover to, not {string.Join(" and ", targets)}.", targets[1]);
            var point = TargetTime is { } time ? Recovery.RecoveryTarget.AtTime(time) : TargetLsn is { } lsn ? Recovery.RecoveryTarget.AtLsn(lsn)
                : TargetXid is { } xid ? Recovery.RecoveryTarget.AtXid(xid) : TargetName is { } name ? Recovery.RecoveryTarget.AtName(name) : null;
            var connection = ResolveConnection(backup.Kind == BackupKind.Logical ? backup.Server : null);
            (audit.Database, audit.Login, audit.Server) = (target, connection.Username, connection.DisplayName);
            var keys = ResolveKeys(reporter, settings);
            // The scratch cluster fetches WAL through the module's shippyar-dr, keys by reference.
            var restoreCommand = point is not null && backup.Kind == BackupKind.Physical ? ResolveRestoreCommand(settings) : null;
            var whatIf = IsWhatIf();
            var tables = string.Join(", ", Table);
            var rows = Where is null ? "all rows" : $"the rows where {Where}";
            var where = $"database {target} on {connection.DisplayName}";
            var action = $"Write {rows} of {tables} from backup {backup.Id} of {backup.EndTime:u} ({OnConflict} where a primary key exists already)";
            // -WhatIf says what it would do, then still restores the scratch copy and counts against the target, writing nothing there.
            if (whatIf) ShouldProcess(where, action);
            else if (!(Force || ShouldProcessOrExplain(where, action, nameof(Force)))) return null;
            var results = new TableDataRestore(reporter).Run(new TableDataRequest
            {
                Backup = backup, Tables = Table, Filter = Where, SourceDatabase = SourceDatabase, TargetDatabase = target,
                Connection = connection, OnConflict = OnConflict, WhatIf = whatIf, Keys = keys,
                RecoveryTarget = point, RestoreCommand = restoreCommand,
            }, repository, Cancel);
            // A -WhatIf run wrote nothing: its counts go to the pipeline unaudited.
            if (!whatIf) return results;
            WriteObject(results, enumerateCollection: true);
            return null;
        }, enumerateCollection: true));
    }
}
