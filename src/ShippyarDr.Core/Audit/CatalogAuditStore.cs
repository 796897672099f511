using Npgsql;
using NpgsqlTypes;
using ShippyarDr.Configuration;
using ShippyarDr.Connection;
using ShippyarDr.Encryption;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Audit;

/// <summary>
/// Audit records in a catalog database: table shippyar_catalog.backup_audit, created on first use. Creation runs
/// under a transaction-scoped advisory lock, since two concurrent CREATE … IF NOT EXISTS can still collide in
/// PostgreSQL's catalogs; a login without CREATE can use a table that an owner created beforehand.
/// </summary>
public sealed class CatalogAuditStore : IAuditStore
{
    public const string Schema = "shippyar_catalog";
    public const string Table = Schema + ".backup_audit";
    // "Shippyar" in ASCII: one lock shared by every creator of the table on a server.
    private const long CreationLock = 0x5368697070796172;

    private static readonly string[] CreationStatements =
    {
        $"CREATE SCHEMA IF NOT EXISTS {Schema}",
        $"""
         CREATE TABLE IF NOT EXISTS {Table} (
             id uuid PRIMARY KEY,
             operation text NOT NULL,
             backup_id text,
             backup_file text,
             size bigint,
             duration interval NOT NULL,
             status text NOT NULL,
             error text,
             performed_by text NOT NULL,
             created_at timestamptz NOT NULL,
             server text,
             database text,
             tier text)
         """,
        $"CREATE INDEX IF NOT EXISTS backup_audit_created_at ON {Table} (created_at DESC)",
    };

    private readonly Lazy<PgConnectionInfo> _connection;
    private readonly string _server;
    private readonly string _database;

    public CatalogAuditStore(PgConnectionInfo connection, string database)
    {
        _connection = new Lazy<PgConnectionInfo>(connection);
        _server = connection.DisplayName;
        _database = database;
    }

    /// <summary>The catalog a registration names; its password is read when a record is written or read, so a
    /// missing one fails the audit (a warning), not the operation.</summary>
    public CatalogAuditStore(AuditCatalogReference reference, string? owner = null)
    {
        var (host, port) = PgConnectionInfo.SplitServer(reference.Server);
        _server = $"{host}:{port ?? 5432}";
        _database = reference.Database;
        _connection = new Lazy<PgConnectionInfo>(() =>
        {
            var password = SecretReference.Read(reference.PasswordFile, reference.PasswordVariable,
                $"password of the audit catalog{(owner is null ? "" : $" of repository {owner}")}", NullReporter.Instance);
            return PgConnectionInfo.Resolve(host, port, reference.User, password is null ? null : new string(password));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Key => $"the audit catalog {_database} on {_server}";

    public void Append(AuditRecord record, CancellationToken cancel = default)
    {
        using var conn = PgSession.Open(_connection.Value, _database, cancel, "ShippyarDr audit");
        Run(() =>
        {
            EnsureTable(conn, cancel);
            using var insert = new NpgsqlCommand(
                $"INSERT INTO {Table} (id, operation, backup_id, backup_file, size, duration, status, error, performed_by, created_at, server, database, tier) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING", conn);
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Id });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Operation.ToString() });
            insert.Parameters.Add(Text(record.BackupId));
            insert.Parameters.Add(Text(record.BackupFile));
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)record.Size ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Interval, Value = record.Duration });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Status.ToString() });
            insert.Parameters.Add(Text(record.Error));
            insert.Parameters.Add(new NpgsqlParameter { Value = record.PerformedBy });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = record.CreatedAt.ToUniversalTime() });
            insert.Parameters.Add(Text(record.Server));
            insert.Parameters.Add(Text(record.Database));
            insert.Parameters.Add(Text(record.Tier?.ToString()));
            insert.ExecuteNonQuery();
        });
    }

    public IReadOnlyList<AuditRecord> Read(AuditQuery query, IOperationReporter? reporter = null, CancellationToken cancel = default)
    {
        using var conn = PgSession.Open(_connection.Value, _database, cancel, "ShippyarDr audit");
        var records = new List<AuditRecord>();
        Run(() =>
        {
            if (!TableExists(conn)) return;
            using var select = new NpgsqlCommand { Connection = conn };
            var where = new List<string>();
            void Filter(string sql, object? value, NpgsqlDbType type)
            {
                if (value is null) return;
                select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value });
                where.Add(sql.Replace("@", "$" + select.Parameters.Count));
            }
            Filter("operation = ANY(@)", query.Operations?.Select(o => o.ToString()).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            Filter("status = ANY(@)", query.Statuses?.Select(s => s.ToString()).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            Filter("tier = ANY(@)", query.Tiers?.Select(t => t.ToString()).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            Filter("database = ANY(@)", query.Databases?.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            Filter("created_at >= @", query.Since?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            Filter("created_at <= @", query.Until?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            select.CommandText = "SELECT id, operation, backup_id, backup_file, size, duration, status, error, performed_by, created_at, server, database, tier "
                + $"FROM {Table}{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY created_at DESC, id DESC"
                + (query.Last is { } last ? $" LIMIT {last}" : "");
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                cancel.ThrowIfCancellationRequested();
                records.Add(new AuditRecord
                {
                    Id = reader.GetGuid(0),
                    Operation = Enum.TryParse<AuditOperation>(reader.GetString(1), out var op) ? op : throw Invalid(reader.GetString(1)),
                    BackupId = reader.IsDBNull(2) ? null : reader.GetString(2),
                    BackupFile = reader.IsDBNull(3) ? null : reader.GetString(3),
                    Size = reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    Duration = reader.GetFieldValue<TimeSpan>(5),
                    Status = Enum.TryParse<AuditStatus>(reader.GetString(6), out var status) ? status : throw Invalid(reader.GetString(6)),
                    Error = reader.IsDBNull(7) ? null : reader.GetString(7),
                    PerformedBy = reader.GetString(8),
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(9),
                    Server = reader.IsDBNull(10) ? null : reader.GetString(10),
                    Database = reader.IsDBNull(11) ? null : reader.GetString(11),
                    Tier = reader.IsDBNull(12) ? null : Enum.TryParse<BackupTier>(reader.GetString(12), out var tier) ? tier : null,
                    Store = Key,
                });
            }
        });
        return records;
    }

    private static void EnsureTable(NpgsqlConnection conn, CancellationToken cancel)
    {
        if (TableExists(conn)) return;
        using var tx = conn.BeginTransaction();
        using (var lockIt = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CreationLock})", conn, tx)) lockIt.ExecuteNonQuery();
        foreach (var statement in CreationStatements)
        {
            cancel.ThrowIfCancellationRequested();
            using var create = new NpgsqlCommand(statement, conn, tx);
            create.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private static bool TableExists(NpgsqlConnection conn)
    {
        using var exists = new NpgsqlCommand($"SELECT to_regclass('{Table}') IS NOT NULL", conn);
        return exists.ExecuteScalar() is true;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private ShippyarException Invalid(string value)
        => new(ShippyarErrorKind.InvalidData, ErrorIds.AuditRecordInvalid, $"{Key} holds a record with the unknown value '{value}'.", value);

    /// <summary>SQL failures (no CREATE privilege, no INSERT…) as errors naming the catalog.</summary>
    private void Run(Action work)
    {
        try
        {
            work();
        }
        catch (PostgresException e)
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.AuditCatalogFailed,
                $"{Key} refused the statement: {e.MessageText} (SQLSTATE {e.SqlState}).", Key, e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw PgSession.Translate(e, _connection.Value, _database);
        }
    }
}
