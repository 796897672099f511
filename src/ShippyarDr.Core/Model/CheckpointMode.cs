namespace ShippyarDr;

/// <summary>
/// How a base backup's starting checkpoint runs. Spread (the default, as for pg_basebackup): at the server's
/// checkpoint_completion_target pace, gentle on a busy server's I/O, but the backup waits for it (minutes with the
/// default checkpoint_timeout). Fast: at full speed, so the backup starts at once.
/// </summary>
public enum CheckpointMode
{
    Spread,
    Fast,
}
