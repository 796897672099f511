using Npgsql;
using ShippyarDr.Connection;

namespace ShippyarDr.Leftovers;

/// <summary>
/// A restore's or verification's hold on the server: its token, and its maintenance connection, open for the whole
/// run with application_name "ShippyarDr run &lt;token&gt;". While it is open, the databases named with the token
/// belong to a live run; once the process is gone (even by kill -9), the server ends the session and they are leftovers.
/// </summary>
internal sealed class RunSession : IDisposable
{
    private RunSession(string token, NpgsqlConnection connection)
    {
        Token = token;
        Connection = connection;
    }

    public string Token { get; }

    /// <summary>The maintenance connection: CREATE, RENAME and DROP of the run's databases go through it.</summary>
    public NpgsqlConnection Connection { get; }

    public static RunSession Open(PgConnectionInfo info, string maintenanceDatabase, CancellationToken cancel)
    {
        var token = RunNaming.NewToken();
        var connection = PgSession.Open(info, maintenanceDatabase, cancel, RunNaming.ApplicationName(token));
        try
        {
            // A server-side idle timeout would end the session while pg_restore works and make the run look dead.
            using var cmd = new NpgsqlCommand("SELECT set_config(name, '0', false) FROM pg_settings WHERE name = 'idle_session_timeout'", connection);
            cmd.ExecuteNonQuery();
            return new RunSession(token, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Claims a restore target for this run: a session advisory lock on the target's name, held until the run's session
    /// ends (a killed run's too). Another run that holds it is named: two restores into one database at once would
    /// swap copies in and out under each other.
    /// </summary>
    public string? ClaimTarget(string target)
    {
        using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, hashtext($2))", Connection)
            { Parameters = { new() { Value = TargetLockClass }, new() { Value = target } } };
        if (cmd.ExecuteScalar() is true) return null;
        using var holder = new NpgsqlCommand("""
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = hashtext($2)::oid AND l.granted LIMIT 1
            """, Connection) { Parameters = { new() { Value = TargetLockClass }, new() { Value = target } } };
        return holder.ExecuteScalar() as string ?? "another session";
    }

    /// <summary>The advisory lock space of restore targets ("Sh" + "Tg"): apart from any the application uses.</summary>
    private const int TargetLockClass = 0x53685467;

    public string DatabaseName(LeftoverKind kind, string detail) => RunNaming.DatabaseName(kind, Token, detail);

    public string Note(LeftoverKind kind, string backupId, string? target = null) => RunNaming.Note(kind, Token, backupId, target);

    public void Dispose() => Connection.Dispose();
}
