using System.Text;
using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Restore;

namespace ShippyarDr.Server;

/// <summary>
/// The least-privilege group roles scheduled jobs log in through: a backup role (CONNECT on every database,
/// pg_read_all_data, EXECUTE on the backup and WAL functions, REPLICATION for base backups if asked) and a recovery
/// role (CONNECT and CREATEDB, for restores into new databases). Only what is missing is granted, so a second run
/// changes nothing. REPLICATION is a role attribute and is not inherited through membership: a login that takes
/// base backups needs it itself.
/// </summary>
public static class BackupRoles
{
    /// <summary>PostgreSQL's NAMEDATALEN - 1.</summary>
    public const int MaxNameBytes = 63;

    /// <summary>Reads the server and returns, per role, the statements that would bring it to the wanted privileges.</summary>
    /// <remarks>
    /// Role attributes (REPLICATION, CREATEDB) are not inherited through membership, so the logins named here are
    /// made members and get the attribute their jobs need themselves: REPLICATION for backup logins when physical,
    /// CREATEDB for recovery logins. The logins must exist: their passwords are the DBA's business.
    /// </remarks>
    public static IReadOnlyList<RoleSetup> Plan(PgConnectionInfo connection, string backupRole, string recoveryRole, bool physical,
        IReadOnlyList<string>? backupLogins = null, IReadOnlyList<string>? recoveryLogins = null, CancellationToken cancel = default)
    {
        backupLogins ??= Array.Empty<string>();
        recoveryLogins ??= Array.Empty<string>();
        foreach (var n in new[] { backupRole, recoveryRole }.Concat(backupLogins).Concat(recoveryLogins)) CheckName(n);
        if (backupRole == recoveryRole)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRoleName,
                $"The backup and the recovery role need different names ('{backupRole}' is both).", backupRole);
        using var conn = PgSession.Open(connection, "postgres", cancel);
        try
        {
            var version = ServerVersion(conn);
            if (version < 140000)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RolesNeedNewerServer,
                    $"PostgreSQL at {connection.DisplayName} is older than 14: least-privilege roles need its pg_read_all_data role.", connection.DisplayName);
            var databases = Databases(conn);
            var functions = version >= 150000
                ? new[] { "pg_backup_start(text, boolean)", "pg_backup_stop(boolean)", "pg_switch_wal()", "pg_create_restore_point(text)" }
                : new[] { "pg_start_backup(text, boolean, boolean)", "pg_stop_backup(boolean, boolean)", "pg_switch_wal()", "pg_create_restore_point(text)" };

            var backup = PlanRole(conn, connection, backupRole, "Backup", databases, cancel, (exists, s) =>
            {
                var q = DatabaseInspector.Quote(backupRole);
                if (!exists || !HasRole(conn, backupRole, "pg_read_all_data")) s.Add($"GRANT pg_read_all_data TO {q}");
                foreach (var f in functions)
                    if (!exists || !Has(conn, "SELECT has_function_privilege($1, $2, 'EXECUTE')", backupRole, f))
                        s.Add($"GRANT EXECUTE ON FUNCTION {f} TO {q}");
                if (physical && (!exists || !HasAttribute(conn, backupRole, "rolreplication")))
                    s.Add($"ALTER ROLE {q} REPLICATION");
                AddLogins(conn, connection, backupRole, backupLogins, physical ? ("rolreplication", "REPLICATION") : null, s);
            });
            var recovery = PlanRole(conn, connection, recoveryRole, "Recovery", databases, cancel, (exists, s) =>
            {
                if (!exists || !HasAttribute(conn, recoveryRole, "rolcreatedb"))
                    s.Add($"ALTER ROLE {DatabaseInspector.Quote(recoveryRole)} CREATEDB");
                AddLogins(conn, connection, recoveryRole, recoveryLogins, ("rolcreatedb", "CREATEDB"), s);
            });
            return new[] { backup, recovery };
        }
        catch (PostgresException e)
        {
            throw Failed(connection, backupRole, e);
        }
    }

    /// <summary>Runs a plan's statements, one transaction per role, and marks it applied.</summary>
    public static void Apply(PgConnectionInfo connection, RoleSetup setup, CancellationToken cancel = default)
    {
        using var conn = PgSession.Open(connection, "postgres", cancel);
        try
        {
            using var tx = conn.BeginTransaction();
            foreach (var statement in setup.Grants)
                using (var cmd = new NpgsqlCommand(statement, conn, tx)) cmd.ExecuteNonQuery();
            tx.Commit();
            setup.Applied = true;
        }
        catch (PostgresException e)
        {
            throw Failed(connection, setup.Name, e);
        }
    }

    private static RoleSetup PlanRole(NpgsqlConnection conn, PgConnectionInfo connection, string name, string purpose,
        IReadOnlyList<string> databases, CancellationToken cancel, Action<bool, List<string>> privileges)
    {
        cancel.ThrowIfCancellationRequested();
        var exists = Has(conn, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name);
        var q = DatabaseInspector.Quote(name);
        var statements = new List<string>();
        if (!exists) statements.Add($"CREATE ROLE {q} NOLOGIN");
        foreach (var db in databases)
            if (!exists || !HasExplicitConnect(conn, name, db))
                statements.Add($"GRANT CONNECT ON DATABASE {DatabaseInspector.Quote(db)} TO {q}");
        privileges(exists, statements);
        return new RoleSetup
        {
            Name = name, Purpose = purpose, Server = connection.DisplayName, Grants = statements,
            Action = !exists ? "Created" : statements.Count > 0 ? "Updated" : "Unchanged",
        };
    }

    private static void AddLogins(NpgsqlConnection conn, PgConnectionInfo connection, string group, IReadOnlyList<string> logins,
        (string Column, string Keyword)? attribute, List<string> statements)
    {
        foreach (var login in logins)
        {
            if (!Has(conn, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", login))
                throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.RoleNotFound,
                    $"PostgreSQL at {connection.DisplayName} has no role '{login}' to grant '{group}' to: create the login first.", login);
            var q = DatabaseInspector.Quote(login);
            if (!Has(conn, """
                SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                               WHERE u.rolname = $1 AND g.rolname = $2)
                """, login, group))
                statements.Add($"GRANT {DatabaseInspector.Quote(group)} TO {q}");
            if (attribute is { } a && !HasAttribute(conn, login, a.Column)) statements.Add($"ALTER ROLE {q} {a.Keyword}");
        }
    }

    private static bool HasAttribute(NpgsqlConnection conn, string role, string column)
        => Has(conn, $"SELECT coalesce((SELECT {column} FROM pg_roles WHERE rolname = $1), false)", role);

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || Encoding.UTF8.GetByteCount(name) > MaxNameBytes || name.Contains('\0')
            || name.StartsWith("pg_", StringComparison.OrdinalIgnoreCase)
            || name is "public" or "none" or "current_user" or "session_user" or "current_role")
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRoleName,
                $"'{name}' cannot name a PostgreSQL role: it needs 1 to {MaxNameBytes} bytes, must not start with pg_ and must not be a reserved name (public, none, current_user, session_user, current_role).", name);
    }

    private static List<string> Databases(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname", conn);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    // CONNECT granted to the role itself: PUBLIC's default grant can be revoked by a DBA at any time.
    private static bool HasExplicitConnect(NpgsqlConnection conn, string role, string database) => Has(conn, """
        SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                       WHERE d.datname = $2 AND a.privilege_type = 'CONNECT'
                         AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1))
        """, role, database);

    private static bool HasRole(NpgsqlConnection conn, string role, string group)
        => Has(conn, "SELECT pg_has_role($1, $2, 'MEMBER')", role, group);

    private static bool Has(NpgsqlConnection conn, string sql, params string[] args)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return cmd.ExecuteScalar() is true;
    }

    private static int ServerVersion(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", conn);
        return (int)cmd.ExecuteScalar()!;
    }

    private static ShippyarException Failed(PgConnectionInfo connection, string role, PostgresException e)
        => new(ShippyarErrorKind.InvalidOperation, ErrorIds.RoleSetupFailed,
            $"PostgreSQL at {connection.DisplayName} did not set up role '{role}' (it takes a superuser, or a role with CREATEROLE and the grant options): {e.MessageText}", role, e);
}
