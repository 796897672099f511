using System.Management.Automation;
using ShippyarDr.Cluster;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Recovery;
using ShippyarDr.Restore;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Two restores of a whole cluster. Logical: a cluster (Weekly) backup into a server: roles and tablespaces, then every
/// database (or those named), each checked before it is put in place. Physical (point-in-time recovery): a base backup
/// into a data directory, the WAL archive replayed to a time, LSN, transaction, restore point or its end.
/// </summary>
[Cmdlet(VerbsData.Restore, "ShippyarCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ClusterRestoreResult), ParameterSetName = new[] { ObjectSet, IdSet })]
[OutputType(typeof(PointInTimeRestoreResult), ParameterSetName = new[] { TimeSet, LsnSet, XidSet, NameSet, LatestSet })]
public sealed class RestoreShippyarClusterCommand : RestoreCmdlet
{
    private const string TimeSet = "PhysicalTime";
    private const string LsnSet = "PhysicalLsn";
    private const string XidSet = "PhysicalXid";
    private const string NameSet = "PhysicalName";
    private const string LatestSet = "PhysicalLatest";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TimeSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LsnSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = XidSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public override string? Repository { get; set; }

    /// <summary>The backup (logical: mandatory with -Repository; physical: the base backup to start from, default the newest before the target).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = TimeSet)]
    [Parameter(ParameterSetName = LsnSet)]
    [Parameter(ParameterSetName = XidSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [Alias("BackupId")]
    [ValidateNotNullOrEmpty]
    public override string? Id { get; set; }

    /// <summary>Only these databases of the backup.</summary>
    [Parameter(ParameterSetName = ObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>Leave roles and tablespaces alone (they exist already).</summary>
    [Parameter(ParameterSetName = ObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    public SwitchParameter SkipGlobals { get; set; }

    /// <summary>The data directory to restore into (new, empty, or its contents moved aside after confirmation).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TimeSet)]
    [Parameter(Mandatory = true, ParameterSetName = LsnSet)]
    [Parameter(Mandatory = true, ParameterSetName = XidSet)]
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string? DataDirectory { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = TimeSet)]
    public DateTimeOffset TargetTime { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LsnSet)]
    [ValidateNotNullOrEmpty]
    public string? TargetLsn { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = XidSet)]
    public ulong TargetXid { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    public string? TargetName { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    public SwitchParameter Latest { get; set; }

    /// <summary>Start the recovered server, wait until its recovery ends, and report the point reached.</summary>
    [Parameter(ParameterSetName = TimeSet)]
    [Parameter(ParameterSetName = LsnSet)]
    [Parameter(ParameterSetName = XidSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LatestSet)]
    public SwitchParameter Start { get; set; }

    [Parameter(ParameterSetName = TimeSet)]
    [Parameter(ParameterSetName = LsnSet)]
    [Parameter(ParameterSetName = XidSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateRange(1, 65535)]
    public int StartPort { get; set; }

    /// <summary>New places for tablespaces: @{ 16384 = '/srv/ts-new' } or @{ ts_fast = '/srv/ts-new' } (oid or name).</summary>
    [Parameter(ParameterSetName = TimeSet)]
    [Parameter(ParameterSetName = LsnSet)]
    [Parameter(ParameterSetName = XidSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNull]
    public System.Collections.Hashtable? TablespaceLocation { get; set; }

    /// <summary>The OS account that runs the server and owns the data directory (run as root: postgres).</summary>
    [Parameter(ParameterSetName = TimeSet)]
    [Parameter(ParameterSetName = LsnSet)]
    [Parameter(ParameterSetName = XidSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string? OsUser { get; set; }

    private bool Physical => ParameterSetName is TimeSet or LsnSet or XidSet or NameSet or LatestSet;

    protected override void ProcessRecord()
    {
        if (Physical) RecoverToPointInTime();
        else RestoreLogical();
    }

    private void RestoreLogical()
    {
        Run(BackupName, reporter => Audited(Audit.AuditOperation.RestoreCluster, reporter, audit =>
        {
            var (backup, repository, settings) = ResolveBackup(reporter, audit);
            var connection = ResolveConnection(backup.Server);
            (audit.Server, audit.Login) = (connection.DisplayName, connection.Username);
            var keys = ResolveRestoreKeys(reporter, settings);
            var action = $"Restore cluster backup {backup.Id} ({backup.Databases.Count} databases{(SkipGlobals ? "" : ", roles and tablespaces")}); existing databases are replaced after safety backups";
            if (!(Force && !IsWhatIf()) && !ShouldProcessOrExplain($"server {connection.DisplayName}", action, nameof(Force))) return null;
            var result = new ClusterRestoreEngine(reporter).Run(new ClusterRestoreRequest
            {
                Backup = backup, Connection = connection, Keys = keys, Databases = Database ?? Array.Empty<string>(),
                // Confirmed (or -Force): the action above said existing databases are replaced.
                SkipGlobals = SkipGlobals, ReplaceExisting = true, ReplacePostgresDatabase = Force,
                SafetyLockWaitTimeout = SafetyLockWaitTimeout,
            }, repository, Cancel);
            if (!result.Passed) audit.Fail(RowCountsDiffer(result.Databases.ToArray()));
            return result;
        }));
    }

    private void RecoverToPointInTime()
    {
        var dataDirectory = ResolvePath(DataDirectory!);
        Run(dataDirectory, reporter => Audited(Audit.AuditOperation.PointInTimeRestore, reporter, audit =>
        {
            (audit.Server, audit.Tier, audit.BackupId) = (dataDirectory, BackupTier.Base, Id);
            var target = ParameterSetName switch
            {
                TimeSet => RecoveryTarget.AtTime(TargetTime),
                LsnSet => RecoveryTarget.AtLsn(TargetLsn!),
                XidSet => RecoveryTarget.AtXid(TargetXid),
                NameSet => RecoveryTarget.AtName(TargetName!),
                _ => RecoveryTarget.Latest,
            };
            var tablespaces = (TablespaceLocation ?? new System.Collections.Hashtable()).Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!, e => ResolvePath(Convert.ToString(e.Value, System.Globalization.CultureInfo.InvariantCulture)!));
            var settings = ResolveRepository(Repository!, reporter);
            var restoreCommand = ResolveRestoreCommand(settings);
            var repository = OpenRepository(settings);
            audit.Into(settings, repository);
            try
            {
                var keys = ResolveKeys(reporter, settings);
                var occupied = Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any();
                var action = $"Point-in-time recovery to {target} from {(Id is null ? "the newest base backup before it" : $"base backup {Id}")}"
                    + (occupied ? $"; what the directory holds now is moved to {dataDirectory}.shippyar-<time> (not deleted)" : "")
                    + (Start ? "; then the server is started" : "");
                if (!(Force && !IsWhatIf()) && !ShouldProcessOrExplain(dataDirectory, action, nameof(Force))) return null;
                var result = new PointInTimeRestore(reporter).Run(new PointInTimeRestoreRequest
                {
                    Target = target, BackupId = Id, DataDirectory = dataDirectory, Keys = keys, RestoreCommand = restoreCommand, TablespaceLocations = tablespaces,
                    Owner = ServerAccount.Named(OsUser), MoveAsideExisting = true, Start = Start, Port = StartPort == 0 ? null : StartPort,
                }, repository, Cancel);
                (audit.BackupId, audit.Size) = (result.BackupId, result.Bytes);
                return result;
            }
            finally
            {
                (repository as IDisposable)?.Dispose();
            }
        }));
    }
}
