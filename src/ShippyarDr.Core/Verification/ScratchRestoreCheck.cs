using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Restore;

namespace ShippyarDr.Verification;

/// <summary>Restores a backup's database into a scratch database, checks it, and drops it whatever happened.</summary>
internal sealed class ScratchRestoreCheck(UnitRestore restore, RunSession run, PgConnectionInfo connection, IOperationReporter reporter)
{
    /// <returns>How long pg_restore took, or null when it did not complete.</returns>
    public TimeSpan? Run(BackupInfo backup, string scratch, IReadOnlyList<SqlCheck> sqlChecks, CheckRecorder checks, string activity, CancellationToken cancel)
    {
        var unit = restore.Unit;
        var prefix = backup.IsCluster ? $"{unit.Database}: " : "";
        TimeSpan? restoreDuration = null;
        try
        {
            var restored = checks.Run(prefix + "Restore into scratch database", () =>
            {
                // Ownership and grants need the source's roles; a scratch check is about the data.
                restoreDuration = restore.Into(run.Connection, scratch, run.Note(LeftoverKind.Scratch, backup.Id), noOwner: true, singleTransaction: true, activity, cancel);
                return (true, $"{scratch} on {connection.DisplayName} in {restoreDuration.Value.TotalSeconds:F1} s");
            });
            if (!restored) return null;
            reporter.Progress(activity, "Checking the restored data");
            using var conn = PgSession.Open(connection, scratch, cancel);
            foreach (var table in unit.Tables)
            {
                checks.Run($"{prefix}Rows {table.QualifiedName}", () =>
                {
                    var check = UnitRestore.Check(conn, table, latestCreatedAt: false);
                    return (check.RowsMatch, $"{check.RestoredRows} restored, {table.Rows} in the backup");
                });
            }
            CheckForeignKeys(unit, prefix, conn, checks);
            // The DBA's checks are about one database: the backup's own, or in a cluster backup the one they name.
            foreach (var sqlCheck in sqlChecks.Where(c => c.Database is null ? !backup.IsCluster : c.Database == unit.Database))
                RunSqlCheck(sqlCheck, prefix, conn, checks);
        }
        finally
        {
            var dropped = Try(() => DatabaseAdmin.Drop(run.Connection, scratch));
            checks.Add(prefix + "Scratch database dropped", dropped is null, dropped ?? $"{scratch} removed");
        }
        return restoreDuration;
    }

    private static void CheckForeignKeys(DatabaseUnit unit, string prefix, NpgsqlConnection conn, CheckRecorder checks)
    {
        var found = DatabaseInspector.ForeignKeyViolations(conn);
        var names = found.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var missing = unit.ForeignKeys.Where(fk => !names.Contains(fk)).ToList();
        checks.Add(prefix + "Foreign keys present", missing.Count == 0,
            missing.Count == 0 ? $"{unit.ForeignKeys.Count} of {unit.ForeignKeys.Count}" : "missing: " + string.Join(", ", missing));
        foreach (var (name, violations) in found)
            checks.Add($"{prefix}Foreign key {name}", violations == 0, violations == 0 ? "holds" : $"{violations} rows without a parent");
    }

    private static void RunSqlCheck(SqlCheck check, string prefix, NpgsqlConnection conn, CheckRecorder checks)
    {
        checks.Run($"{prefix}Check {check.Name}", () =>
        {
            using var cmd = new NpgsqlCommand(check.Sql, conn);
            var value = cmd.ExecuteScalar();
            var text = value is null or DBNull ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            return (text == check.Expected, $"got {text ?? "NULL"}, expected {check.Expected ?? "NULL"}");
        });
    }

    private static string? Try(Action action)
    {
        try { action(); return null; }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { return SecretRedactor.Redact(e.Message); }
    }
}
