using ShippyarDr.Connection;
using ShippyarDr.Authentication;

namespace ShippyarDr.Verification;

/// <summary>What Test-ShippyarBackup asks the engine for.</summary>
public sealed class VerificationRequest
{
    public required BackupInfo Backup { get; init; }
    public VerificationLevel Level { get; init; } = VerificationLevel.Catalog;
    /// <summary>Server for the scratch restore of a logical backup (Restore level); required only then. A base backup is
    /// restored into a scratch cluster of its own on this host.</summary>
    public PgConnectionInfo? Connection { get; init; }
    public IReadOnlyList<SqlCheck> Checks { get; init; } = Array.Empty<SqlCheck>();
    /// <summary>Decryption keys (needed from the Catalog level on for encrypted backups; Checksum needs none) and the keys
    /// that check the manifest's authenticity (signers' public keys; the passphrase for a MAC).</summary>
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>Recovery level: how the scratch copy fetches WAL from the archive (shippyar-dr wal-fetch, keys by reference).</summary>
    public Recovery.RestoreCommandLine? RestoreCommand { get; init; }
}
