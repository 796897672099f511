using Npgsql;
using ShippyarDr.Authentication;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.DumpFormat;
using ShippyarDr.Leftovers;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;

namespace ShippyarDr.TableData;

/// <summary>
/// Partial data recovery: rows of some tables of a backup, back into a live database. PostgreSQL cannot INSERT … SELECT
/// across databases, so the tables are restored into a scratch database first (only them: a pg_restore -L list of
/// their entries and what they need, <see cref="TocSelection"/>), and the selected rows are copied from there into the
/// target over two connections (<see cref="TableCopier"/>), one transaction for all tables on the target. A base
/// backup is restored into a scratch cluster instead (<see cref="ScratchClusterSource"/>). The scratch copy carries
/// the run's token like a restore's staging database and is dropped in every case; the row filter runs only there.
/// </summary>
public sealed class TableDataRestore
{
    private readonly IOperationReporter _reporter;

    public TableDataRestore(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public IReadOnlyList<TableDataResult> Run(TableDataRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        if (request.Tables.Count == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidArgumentValue, "Name at least one table to restore rows of.", null);
        var filter = RowFilter.Parse(request.Filter);
        var backup = BackupAuthenticator.Require(repository, request.Backup, request.Keys, _reporter);
        var server = request.Connection.DisplayName;
        var activity = $"Restoring rows of {string.Join(", ", request.Tables)} from backup {backup.Id} into {request.TargetDatabase} on {server}";
        IReadOnlyList<TableDataResult> results;
        string sourceDatabase;
        if (request.RecoveryTarget is not null && backup.Kind != BackupKind.Physical)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotAPhysicalBackup,
                $"Backup {backup.Id} is a logical backup: only a base backup can be recovered to a point in time before its rows are read.", backup.Id);
        if (backup.Kind == BackupKind.Physical)
        {
            sourceDatabase = request.SourceDatabase ?? request.TargetDatabase;
            ScratchRecovery? recovery = null;
            if (request.RecoveryTarget is { } point)
            {
                var restoreCommand = request.RestoreCommand ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ArchiveReplayUnavailable,
                    $"Recovering base backup {backup.Id} to {point} needs a restore command (the shippyar-dr executable and the repository to fetch WAL from).", backup.Id);
                // The archive must hold every segment from the backup to the point: checked before anything is restored.
                var (_, _, plan) = new Recovery.PointInTimeRestore(_reporter).Prepare(repository, point, backup.Id, request.Keys);
                _reporter.Verbose($"Recovering the scratch copy of base backup {backup.Id} to {point}: {plan.SegmentCount} WAL segment(s) from the archive.");
                recovery = new ScratchRecovery(point, restoreCommand);
            }
            // Before a cluster is restored: the tables the target must have for the rows (as named; the backup's own names come later).
            using (var target = PgSession.Open(request.Connection, request.TargetDatabase, cancel))
                TargetTables.Inspect(target, Resolve(request.Tables, ScratchClusterSource.ReadTables(target), $"Database {request.TargetDatabase} on {server}",
                    ErrorIds.TargetTableNotFound), request.OnConflict, request.TargetDatabase, server);
            using var scratch = ScratchClusterSource.Start(backup, repository, request.Keys, sourceDatabase, recovery, _reporter, activity, cancel);
            var tables = Resolve(request.Tables, scratch.Tables, $"Database {sourceDatabase} of base backup {backup.Id}");
            results = Copy(scratch.Connection, tables, request, filter, activity, cancel);
        }
        else
        {
            var unit = PickUnit(backup, request);
            sourceDatabase = unit.Database;
            _reporter.Progress(activity, "Reading the archive's table of contents");
            IReadOnlyList<TocItem> toc;
            using (var head = new StoredObjectReader(repository, backup, unit.File, request.Keys.Decryption))
                toc = CustomDumpScanner.ReadToc(head, cancel);
            // By the archive's table entries, not the manifest's row counts: a partitioned table holds no rows of its own.
            var tables = Resolve(request.Tables, toc.Where(t => t.Entry.Description == "TABLE").Select(t => new TableName(t.Entry.Namespace ?? "", t.Entry.Tag)).ToList(),
                $"Backup {backup.Id} of {unit.Database}");
            // The target's tables are checked before anything is restored: a missing table or key fails in a second.
            using (var target = PgSession.Open(request.Connection, request.TargetDatabase, cancel))
                TargetTables.Inspect(target, tables, request.OnConflict, request.TargetDatabase, server);
            results = FromArchive(backup, unit, toc, tables, request, repository, filter, activity, cancel);
        }
        foreach (var r in results)
        {
            r.BackupId = backup.Id;
            r.SourceDatabase = sourceDatabase;
            r.TargetDatabase = request.TargetDatabase;
            r.Server = server;
        }
        return results;
    }

    private IReadOnlyList<TableDataResult> FromArchive(BackupInfo backup, DatabaseUnit unit, IReadOnlyList<TocItem> toc, IReadOnlyList<TableName> tables,
        TableDataRequest request, IBackupRepository repository, RowFilter? filter, string activity, CancellationToken cancel)
    {
        var server = request.Connection.DisplayName;
        var tableIds = new List<int>();
        foreach (var table in tables)
        {
            var entry = toc.FirstOrDefault(t => t.Entry.Description == "TABLE" && t.Entry.Namespace == table.Schema && t.Entry.Tag == table.Name)
                        ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.TableNotInBackup,
                            $"The archive of {unit.Database} in backup {backup.Id} has no table entry for {table.Qualified}.", table.Qualified);
            tableIds.Add(entry.Entry.DumpId);
        }
        var entries = TocSelection.Select(toc, tableIds);

        using var run = RunSession.Open(request.Connection, SystemDatabases.Postgres, cancel);
        LeftoverCleaner.DropDead(run.Connection, server, l => l.Kind == LeftoverKind.TableData, _reporter);
        var scratch = run.DatabaseName(LeftoverKind.TableData, backup.Id);
        var list = Directory.CreateTempSubdirectory("shippyar-tabledata-").FullName;
        try
        {
            var listFile = Path.Combine(list, "toc.list");
            File.WriteAllText(listFile, TocSelection.ListFile(entries));
            _reporter.Verbose($"Restoring {entries.Count} of the {toc.Count} entries of the archive into {scratch}: {string.Join("; ", entries.Select(TocSelection.Describe))}.");
            _reporter.Progress(activity, $"Restoring {string.Join(", ", tables.Select(t => t.Qualified))} into the scratch database {scratch}");
            DatabaseAdmin.CreateLike(run.Connection, scratch, unit);
            DatabaseAdmin.Comment(run.Connection, scratch, run.Note(LeftoverKind.TableData, backup.Id, request.TargetDatabase));
            using (var archive = new StoredObjectReader(repository, backup, unit.File, request.Keys.Decryption))
                PgRestoreRunner.Run(backup, unit.File, archive, request.Connection, scratch,
                    new[] { "--exit-on-error", "--no-owner", "--no-privileges", "--single-transaction", "--use-list", listFile, "--dbname", scratch },
                    _reporter, activity, cancel);
            using var source = PgSession.Open(request.Connection, scratch, cancel);
            return Copy(source, tables, request, filter, activity, cancel);
        }
        finally
        {
            try { DatabaseAdmin.Drop(run.Connection, scratch); }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                _reporter.Warning($"Could not drop the scratch database {scratch} on {server}: {SecretRedactor.Redact(e.Message)}");
            }
            try { Directory.Delete(list, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Copies from the scratch copy into the target, parents first, in one transaction on the target.</summary>
    private IReadOnlyList<TableDataResult> Copy(NpgsqlConnection source, IReadOnlyList<TableName> tables, TableDataRequest request, RowFilter? filter,
        string activity, CancellationToken cancel)
    {
        using var target = PgSession.Open(request.Connection, request.TargetDatabase, cancel);
        var shapes = TargetTables.Inspect(target, tables, request.OnConflict, request.TargetDatabase, request.Connection.DisplayName);
        var keys = TableShape.ForeignKeysAmong(target, shapes);
        var ordered = TableShape.ParentsFirst(shapes, keys);
        if (ordered.Count > 1) _reporter.Verbose($"Writing in foreign key order: {string.Join(", ", ordered.Select(t => t.Table.Qualified))}.");
        return new TableCopier(source, target, _reporter, activity).Run(ordered, keys, request.OnConflict, filter, request.WhatIf, cancel);
    }

    private static List<TableName> Resolve(IReadOnlyList<string> given, IReadOnlyCollection<TableName> available, string where, string? notFoundId = null)
        => given.Select(t => TableName.Resolve(t, available, where, notFoundId)).Distinct().ToList();

    /// <summary>The database of a cluster backup that holds the tables: the one named, else the one named like the target,
    /// else the only one that has them all.</summary>
    private static DatabaseUnit PickUnit(BackupInfo backup, TableDataRequest request)
    {
        if (request.SourceDatabase is not null || !backup.IsCluster) return DatabaseUnit.Of(backup, request.SourceDatabase);
        var units = DatabaseUnit.All(backup);
        if (units.FirstOrDefault(u => u.Database == request.TargetDatabase) is { } named) return named;
        var holding = units.Where(u => request.Tables.All(t => Holds(u, t))).ToList();
        return holding.Count == 1 ? holding[0] : DatabaseUnit.Of(backup, null);
    }

    private static bool Holds(DatabaseUnit unit, string table)
    {
        try { TableName.Resolve(table, unit.Tables.Select(t => new TableName(t.Schema, t.Name)).ToList(), unit.Database); return true; }
        catch (ShippyarException) { return false; }
    }
}
