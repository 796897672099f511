using System.Globalization;
using System.Text;
using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical.Libpq;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Physical;

/// <summary>
/// Takes a physical base backup over a replication connection and streams every archive the server sends, as it
/// sends it, through the storage pipeline into every live repository: each tablespace's tar, the data directory's tar
/// (base.tar) and, split from its end, the WAL that makes the backup consistent (pg_wal.tar), then the server's
/// backup_manifest (SHA-256 of every file). Nothing touches a local disk. A temporary replication slot, created before
/// the backup's checkpoint, keeps the server from recycling WAL the backup still has to send.
/// </summary>
/// <remarks>
/// Why not pg_basebackup: it writes one tar to stdout only for a cluster without tablespaces; with -D it requires an
/// empty directory (so named pipes cannot be prepared there), opens the tars one by one in the server's order, and
/// writes -X stream's pg_wal.tar with seeks, which a pipe cannot take. libpq's BASE_BACKUP is the same protocol
/// pg_basebackup speaks, with the archives' order and boundaries in hand.
/// </remarks>
internal sealed class BaseBackupTaker(LiveRepositories targets, BackupRequest request, IOperationReporter reporter)
{
    private long _sent;
    private Action<long> _progress = _ => { };

    public const string BaseArchive = "base.tar";
    public const string WalArchive = "pg_wal.tar";
    public const string ManifestName = "backup_manifest";

    public void Take(BackupInfo info, NpgsqlConnection sql, string activity, CancellationToken cancel)
    {
        var facts = PhysicalFacts.Read(sql);
        reporter.Progress(activity, "Opening a replication connection");
        using var session = ReplicationSession.Open(request.Connection, $"ShippyarDr base backup {info.Id}");
        if (session.ServerVersion < 150000)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BaseBackupUnsupported,
                $"Base backups need PostgreSQL 15 or newer; {request.Connection.DisplayName} runs {info.ServerVersion}.", request.Connection.DisplayName);
        info.ToolVersions["libpq"] = LibpqLibrary.Version;
        ReserveWal(session, info.Id);
        var physical = new PhysicalBackupInfo
        {
            WalSegmentSize = facts.WalSegmentSize, DataChecksums = facts.DataChecksums, BootstrapSuperuser = facts.BootstrapSuperuser,
            StartTime = PhysicalFacts.ServerNow(sql),
        };
        var checkpoint = request.Checkpoint ?? CheckpointMode.Spread;
        reporter.Progress(activity, checkpoint == CheckpointMode.Fast ? "Waiting for a fast checkpoint" : "Waiting for a spread checkpoint (checkpoint_completion_target)");
        using var cancelling = cancel.Register(session.Cancel);
        BaseBackupStream? stream = null;
        try
        {
            stream = BaseBackupStream.Start(session, Command(info.Id, checkpoint));
            var total = stream.Tablespaces.Sum(t => t.SizeKb ?? 0) * 1024;
            physical.StartLsn = stream.StartLsn;
            physical.Timeline = stream.StartTimeline;
            _progress = new ProgressThrottle(b => reporter.Progress(activity, $"{b / 1048576.0:F0} of {Math.Max(total, b) / 1048576.0:F0} MB sent",
                total > 0 ? (int)Math.Min(99, b * 100 / total) : -1)).Report;
            while (stream.NextArchive() is { } archive)
            {
                cancel.ThrowIfCancellationRequested();
                if (archive.Name == BaseArchive)
                {
                    var splitter = new BaseTarSplitter(stream.Current, $"{BaseArchive} from {request.Connection.DisplayName}");
                    physical.BaseFile = Store(info, splitter.DataDirectory, BaseArchive, "tar", cancel);
                    physical.WalFile = Store(info, splitter.Wal, WalArchive, "tar", cancel);
                    physical.BackupLabel = splitter.BackupLabel is { } label ? Encoding.UTF8.GetString(label) : null;
                    RequireWal(splitter.WalFiles, physical, facts.WalSegmentSize);
                }
                else if (TablespaceOid(archive.Name) is { } oid)
                {
                    physical.Tablespaces.Add(new PhysicalTablespace
                    {
                        Oid = oid, Name = facts.TablespaceNames.GetValueOrDefault(oid), Location = archive.Location ?? "",
                        File = Store(info, stream.Current, archive.Name, "tar", cancel),
                    });
                }
                else throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BaseBackupFailed,
                    $"The base backup from {request.Connection.DisplayName} holds an archive named '{archive.Name}', which is neither {BaseArchive} nor a tablespace's.", archive.Name);
            }
            if (!stream.NextIsManifest())
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BaseBackupFailed,
                    $"The base backup from {request.Connection.DisplayName} ended without its backup_manifest.", request.Connection.DisplayName);
            physical.ManifestFile = Store(info, stream.Current, ManifestName, "backup_manifest", cancel);
            var (stopLsn, stopTimeline) = stream.Finish();
            physical.StopTime = PhysicalFacts.ServerNow(sql) ?? DateTimeOffset.UtcNow;
            (physical.StopLsn, physical.StopTimeline) = (stopLsn, stopTimeline);
        }
        catch
        {
            stream?.Abandon();
            cancel.ThrowIfCancellationRequested();
            throw;
        }
        if (physical.BaseFile.Length == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BaseBackupFailed,
                $"The base backup from {request.Connection.DisplayName} held no {BaseArchive}.", request.Connection.DisplayName);
        var start = WalPosition.Parse(physical.StartLsn);
        var stop = WalPosition.Parse(physical.StopLsn);
        physical.FirstWalSegment = WalFileName.ForLsn((uint)physical.Timeline, start, (int)facts.WalSegmentSize).Name;
        physical.LastWalSegment = WalFileName.ForLsnBefore((uint)physical.StopTimeline, Math.Max(stop, start + 1), (int)facts.WalSegmentSize).Name;
        physical.ArchiveNeededFrom = physical.LastWalSegment;
        info.Physical = physical;
        reporter.Verbose($"Base backup {info.Id}: WAL {physical.StartLsn} to {physical.StopLsn} on timeline {physical.Timeline} ({physical.FirstWalSegment} to {physical.LastWalSegment}), {physical.Tablespaces.Count} tablespace(s).");
    }

    /// <summary>BASE_BACKUP as pg_basebackup -Ft -X fetch --manifest-checksums=SHA256 sends it: the WAL appended to base.tar,
    /// no wait for archiving (the backup carries its WAL), a tablespace_map instead of pg_tblspc's links.</summary>
    private static string Command(string id, CheckpointMode checkpoint)
        => $"BASE_BACKUP (LABEL 'ShippyarDr {id}', PROGRESS, WAL, CHECKPOINT '{(checkpoint == CheckpointMode.Fast ? "fast" : "spread")}', WAIT 0, " +
           "TABLESPACE_MAP, MANIFEST 'yes', MANIFEST_CHECKSUMS 'SHA256')";

    /// <summary>
    /// A temporary slot reserving WAL from now on: the server appends the backup's WAL at its end, and without the slot
    /// a long backup on a busy server could find it recycled. The slot goes with the session. A server without a free
    /// slot still gets its backup, with a warning.
    /// </summary>
    private void ReserveWal(ReplicationSession session, string id)
    {
        var slot = "shippyar_" + BackupId.ForIdentifier(id);
        try { session.Execute($"CREATE_REPLICATION_SLOT {slot} TEMPORARY PHYSICAL RESERVE_WAL"); }
        catch (ShippyarException e)
        {
            reporter.Warning($"Could not reserve the backup's WAL with a temporary replication slot ({e.Message}); the backup fails if the server recycles WAL before sending it (raise max_replication_slots, or wal_keep_size).");
        }
    }

    /// <summary>One archive into every live repository; returns its stored name.</summary>
    private string Store(BackupInfo info, Stream source, string name, string format, CancellationToken cancel)
    {
        var key = BackupLayout.Key(info, request.Storage.StoredName(name));
        var before = _sent;
        var written = StoredObjectWriter.Write(source, targets.Live, key, format, request.Storage, scanDump: false, b => _progress(before + b), cancel);
        targets.Drop(written);
        info.Files.Add(written.File);
        _sent = before + written.File.PlainSize;
        return written.File.Name;
    }

    private void RequireWal(IReadOnlyList<string> walFiles, PhysicalBackupInfo physical, long segmentSize)
    {
        // The stop position is not known yet; the start segment must be there, and the rest is checked at verification.
        var first = WalFileName.ForLsn((uint)physical.Timeline, WalPosition.Parse(physical.StartLsn), (int)segmentSize).Name;
        if (!walFiles.Contains(first))
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BaseBackupFailed,
                $"The base backup from {request.Connection.DisplayName} lacks WAL segment {first}, where it starts (it sent {walFiles.Count} WAL files).", first);
    }

    private static uint? TablespaceOid(string archiveName)
        => archiveName.EndsWith(".tar", StringComparison.Ordinal) && uint.TryParse(archiveName[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var oid) ? oid : null;
}
