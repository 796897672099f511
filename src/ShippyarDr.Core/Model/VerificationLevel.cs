namespace ShippyarDr;

/// <summary>How far Test-ShippyarBackup goes; each level includes the ones before it.</summary>
public enum VerificationLevel
{
    /// <summary>Re-hash every stored file against the manifest.</summary>
    Checksum,
    /// <summary>Also: pg_restore --list reads the archive and lists every table the manifest names.</summary>
    Catalog,
    /// <summary>Also: restore into a scratch database and check row counts, foreign keys and custom checks. A base backup is
    /// restored into a scratch data directory, started (its own WAL replayed), and checked with pg_amcheck.</summary>
    Restore,
    /// <summary>Base backups: also replay the WAL archive to its end in the scratch copy (see Verification/ArchiveReplay).</summary>
    Recovery,
}
