using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Restore;

namespace ShippyarDr.Leftovers;

/// <summary>
/// Drops leftover databases. What it drops is looked up again first, so it never drops a database a live run owns,
/// one someone is connected to, or one that is not a run's; and it never ends a session to get there.
/// </summary>
public static class LeftoverCleaner
{
    public static void Remove(PgConnectionInfo connection, string database, CancellationToken cancel = default)
    {
        using var conn = LeftoverFinder.OpenMaintenance(connection, cancel);
        var current = LeftoverFinder.Find(conn, connection.DisplayName).FirstOrDefault(l => l.Name == database);
        if (current is null)
        {
            throw DatabaseInspector.DatabaseExists(conn, database)
                ? new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotALeftover,
                    $"Database '{database}' on {connection.DisplayName} is not one that ShippyarDr runs create; it was not touched.", database)
                : new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.LeftoverNotFound,
                    $"Database '{database}' no longer exists on {connection.DisplayName}.", database);
        }
        if (current.InUse) throw InUse(current);
        try { DatabaseAdmin.DropUnused(conn, database); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse) { throw InUse(current, e); }
    }

    /// <summary>
    /// What a rerun repairs: drops the leftovers <paramref name="which"/> selects that no live run owns and nobody
    /// uses, saying so; one that will not drop stays, with a warning.
    /// </summary>
    internal static void DropDead(NpgsqlConnection conn, string server, Func<Leftover, bool> which, IOperationReporter reporter)
    {
        foreach (var leftover in LeftoverFinder.Find(conn, server).Where(l => !l.InUse && which(l)))
        {
            try
            {
                DatabaseAdmin.DropUnused(conn, leftover.Name);
                reporter.Warning($"Dropped {leftover.Name}, left on {server} by an interrupted run{(leftover.RunToken is null ? "" : " " + leftover.RunToken)}: {Explain(leftover)}.");
            }
            catch (PostgresException e)
            {
                reporter.Warning($"Could not drop {leftover.Name}, left on {server} by an interrupted run: {e.MessageText}");
            }
        }
    }

    private static string Explain(Leftover leftover) => leftover.Kind switch
    {
        LeftoverKind.Replaced => $"the old copy of {leftover.TargetDatabase ?? "a database"} that a restore had already replaced (the restored data is in place)",
        LeftoverKind.Staging => $"an unfinished restore{(leftover.BackupId is null ? "" : " of backup " + leftover.BackupId)} that never replaced {leftover.TargetDatabase ?? "its target"}",
        LeftoverKind.TableData => $"the scratch database of an unfinished partial data restore{(leftover.BackupId is null ? "" : " of backup " + leftover.BackupId)}",
        _ => $"the scratch database of an unfinished verification{(leftover.BackupId is null ? "" : " of backup " + leftover.BackupId)}",
    };

    private static ShippyarException InUse(Leftover leftover, Exception? inner = null) => new(ShippyarErrorKind.InvalidOperation, ErrorIds.LeftoverInUse,
        leftover.OwnedByLiveRun
            ? $"Database '{leftover.Name}' on {leftover.Server} belongs to a run that is still going (session \"{RunNaming.ApplicationName(leftover.RunToken!)}\"); it was not dropped."
            : $"Database '{leftover.Name}' on {leftover.Server} has sessions connected to it; it was not dropped.", leftover.Name, inner);
}
