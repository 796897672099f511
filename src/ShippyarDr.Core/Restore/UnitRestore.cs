using System.Diagnostics;
using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Restore;

/// <summary>
/// Restores one database of a backup into a new database made for it, and reads back what the backup promised.
/// A restore's staging copy and a verification's scratch copy are made and checked the same way.
/// </summary>
internal sealed class UnitRestore(BackupInfo backup, DatabaseUnit unit, IBackupRepository repository, IDecryptionStage? decryption,
    PgConnectionInfo connection, IOperationReporter reporter)
{
    public DatabaseUnit Unit => unit;

    /// <summary>Creates <paramref name="database"/> shaped like the backed-up one, marked with <paramref name="note"/>, and pg_restores into it.</summary>
    /// <returns>How long pg_restore took.</returns>
    public TimeSpan Into(NpgsqlConnection admin, string database, string note, bool noOwner, bool singleTransaction, string activity, CancellationToken cancel)
    {
        DatabaseAdmin.CreateLike(admin, database, unit);
        DatabaseAdmin.Comment(admin, database, note);
        var clock = Stopwatch.StartNew();
        var args = new List<string> { "--exit-on-error" };
        if (noOwner) args.AddRange(new[] { "--no-owner", "--no-privileges" });
        if (singleTransaction) args.Add("--single-transaction");
        // --dbname is only a name: host, user and password travel in the environment.
        args.AddRange(new[] { "--dbname", database });
        using var source = new StoredObjectReader(repository, backup, unit.File, decryption);
        PgRestoreRunner.Run(backup, unit.File, source, connection, database, args, reporter, activity, cancel);
        return clock.Elapsed;
    }

    /// <summary>A table's restored rows (its own: ONLY) beside the backup's count, and its newest created_at when asked.</summary>
    public static TableRestoreCheck Check(NpgsqlConnection restored, TableRowCount table, bool latestCreatedAt) => new()
    {
        Table = table.QualifiedName,
        ExpectedRows = table.Rows,
        RestoredRows = DatabaseInspector.CountRows(restored, table.Schema, table.Name),
        LatestCreatedAt = latestCreatedAt ? DatabaseInspector.LatestCreatedAt(restored, table.Schema, table.Name) : null,
    };
}
