using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Leftovers;

/// <summary>
/// Finds the databases ShippyarDr runs create on a server (staging, scratch, replaced copies) and says whether a live
/// run still owns each: a database is owned while a session with its token's application_name exists.
/// </summary>
public static class LeftoverFinder
{
    public static IReadOnlyList<Leftover> Find(PgConnectionInfo connection, CancellationToken cancel = default)
    {
        using var conn = OpenMaintenance(connection, cancel);
        return Find(conn, connection.DisplayName);
    }

    internal static IReadOnlyList<Leftover> Find(NpgsqlConnection conn, string server)
    {
        // Databases first, live runs second: a run starting in between has no database in the first list yet, and
        // a run ending in between dropped its databases or really left them.
        var found = new List<Leftover>();
        var prefixes = RunNaming.Prefixes.Values.ToArray();
        using (var cmd = new NpgsqlCommand("""
            SELECT d.datname, shobj_description(d.oid, 'pg_database'),
                   CASE WHEN has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END,
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid AND a.pid <> pg_backend_pid())::int
            FROM pg_database d WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(d.datname, p))
            ORDER BY d.datname
            """, conn) { Parameters = { new() { Value = prefixes } } })
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var name = r.GetString(0);
                if (RunNaming.Parse(name) is not { } parsed) continue;
                var (backupId, target) = RunNaming.ParseNote(r.IsDBNull(1) ? null : r.GetString(1));
                found.Add(new Leftover
                {
                    Kind = parsed.Kind, Name = name, Server = server, RunToken = parsed.Token, BackupId = backupId, TargetDatabase = target,
                    Size = r.IsDBNull(2) ? null : r.GetInt64(2), Sessions = r.GetInt32(3),
                });
            }
        }
        var live = LiveTokens(conn);
        foreach (var leftover in found) leftover.OwnedByLiveRun = leftover.RunToken is not null && live.Contains(leftover.RunToken);
        return found;
    }

    /// <summary>The tokens of every run whose maintenance session is open now.</summary>
    internal static HashSet<string> LiveTokens(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT application_name FROM pg_stat_activity WHERE starts_with(application_name, $1)", conn)
            { Parameters = { new() { Value = RunNaming.ApplicationNamePrefix } } };
        using var r = cmd.ExecuteReader();
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read())
            if (RunNaming.TokenOfApplicationName(r.IsDBNull(0) ? null : r.GetString(0)) is { } token) tokens.Add(token);
        return tokens;
    }

    /// <summary>A connection to postgres, or to template1 on a server without a postgres database.</summary>
    internal static NpgsqlConnection OpenMaintenance(PgConnectionInfo connection, CancellationToken cancel)
    {
        try { return PgSession.Open(connection, "postgres", cancel); }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.DatabaseNotFound) { return PgSession.Open(connection, "template1", cancel); }
    }
}
