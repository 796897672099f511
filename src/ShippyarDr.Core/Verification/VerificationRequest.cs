using ShippyarDr.Connection;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Verification;

/// <summary>What Test-ShippyarBackup asks the engine for.</summary>
public sealed class VerificationRequest
{
    public required BackupInfo Backup { get; init; }
    public VerificationLevel Level { get; init; } = VerificationLevel.Catalog;
    /// <summary>Server for the scratch restore (Restore level); required only at that level.</summary>
    public PgConnectionInfo? Connection { get; init; }
    public IReadOnlyList<SqlCheck> Checks { get; init; } = Array.Empty<SqlCheck>();
    /// <summary>Needed from the Catalog level on for encrypted backups (Checksum needs no key).</summary>
    public IDecryptionStage? Decryption { get; init; }
}
