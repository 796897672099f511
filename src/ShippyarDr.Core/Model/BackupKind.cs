namespace ShippyarDr;

/// <summary>
/// What a backup holds. Logical: pg_dump archives (and pg_dumpall globals), restored into a server with pg_restore.
/// Physical: the cluster's files as the server's base backup sent them (tars, backup_manifest, WAL), restored into a
/// data directory. Manifests written before kinds existed are logical.
/// </summary>
public enum BackupKind
{
    Logical,
    Physical,
}
