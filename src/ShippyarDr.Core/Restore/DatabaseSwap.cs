using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Restore;

/// <summary>
/// Puts a checked staging database in place of its target. Both renames (target aside, staging in) commit in one
/// transaction, so a crash leaves either the old target or the new one under the target's name, never neither, and
/// the target never refuses connections. The old copy is dropped after the commit; a crash before that drop leaves
/// it as a leftover (named with the run's token), which the next restore of the target drops.
/// </summary>
internal sealed class DatabaseSwap(NpgsqlConnection admin, IOperationReporter reporter, string activity)
{
    private const int Attempts = 5;

    /// <summary>A new target: the staging database takes its name, losing the run's comment.</summary>
    public void Install(string staging, string target)
        => InOneTransaction(staging, () =>
        {
            DatabaseAdmin.Rename(admin, staging, target);
            DatabaseAdmin.Comment(admin, target, null);
        });

    /// <summary>Swaps <paramref name="staging"/> in for <paramref name="target"/>, which becomes <paramref name="replaced"/> (marked with <paramref name="replacedNote"/>) and is dropped.</summary>
    public void Replace(string staging, string target, string replaced, string replacedNote)
    {
        // The target's own comment stays with the name: a DBA's note describes the database, not its data.
        var comment = DatabaseInspector.CommentOf(admin, target);
        InOneTransaction(target, () =>
        {
            DatabaseAdmin.Rename(admin, target, replaced);
            DatabaseAdmin.Rename(admin, staging, target);
            DatabaseAdmin.Comment(admin, target, comment);
            DatabaseAdmin.Comment(admin, replaced, replacedNote);
        }, staging);
        reporter.Progress(activity, $"Dropping the replaced copy {replaced}");
        // The new database is in place; an old copy that will not drop is a leftover to report, not a failed restore.
        try { DatabaseAdmin.Drop(admin, replaced); }
        catch (NpgsqlException e) { reporter.Warning($"Could not drop the replaced copy {replaced} (a leftover now): {e.Message}"); }
    }

    /// <summary>
    /// RENAME refuses a database with sessions (SQLSTATE 55006). They are ended right before; one that connects in
    /// between makes the transaction roll back, and it is tried again.
    /// </summary>
    private void InOneTransaction(string busy, Action renames, string? alsoBusy = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ended = DatabaseAdmin.TerminateSessions(admin, busy) + (alsoBusy is null ? 0 : DatabaseAdmin.TerminateSessions(admin, alsoBusy));
            if (ended > 0) reporter.Verbose($"Ended {ended} session(s) on {busy}{(alsoBusy is null ? "" : " and " + alsoBusy)}.");
            try
            {
                using var transaction = admin.BeginTransaction();
                renames();
                transaction.Commit();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                if (attempt == Attempts)
                    throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.TargetInUse,
                        $"Sessions kept connecting to {busy} during the swap ({Attempts} attempts); nothing was changed: {e.MessageText}", busy, e);
                reporter.Verbose($"A session connected to {busy} during the swap; trying again ({e.MessageText}).");
                Thread.Sleep(200 * attempt);
            }
        }
    }
}
