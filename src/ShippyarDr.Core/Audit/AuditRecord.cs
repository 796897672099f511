using System.Text.Json.Serialization;

namespace ShippyarDr.Audit;

/// <summary>
/// One audited operation, with the columns of shippyar_catalog.backup_audit (id, operation, backup_id, backup_file,
/// size, duration, status, error, performed_by, created_at, server, database, tier). The error is the operation's
/// message as SecretRedactor left it: a record never holds a secret.
/// </summary>
public sealed record AuditRecord
{
    public Guid Id { get; init; } = Guid.NewGuid();
    public AuditOperation Operation { get; init; }
    /// <summary>The backup written, verified, restored or copied; null when none was reached.</summary>
    public string? BackupId { get; init; }
    /// <summary>Where the backup is: its repository's location and folder.</summary>
    public string? BackupFile { get; init; }
    /// <summary>Bytes stored (backup, copy) or read (verification, restore); null when unknown.</summary>
    public long? Size { get; init; }
    public TimeSpan Duration { get; init; }
    public AuditStatus Status { get; init; }
    public string? Error { get; init; }
    /// <summary>"os:&lt;user&gt;", plus " pg:&lt;login&gt;" when the operation logged in to PostgreSQL.</summary>
    public string PerformedBy { get; init; } = "";
    /// <summary>When the operation started (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The PostgreSQL server ("host:port") or data directory worked on.</summary>
    public string? Server { get; init; }
    public string? Database { get; init; }
    public BackupTier? Tier { get; init; }

    /// <summary>The store the record was read from (not stored).</summary>
    [JsonIgnore]
    public string? Store { get; init; }
}
