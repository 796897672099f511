namespace ShippyarDr;

/// <summary>
/// What an interrupted run can leave behind. Staging: a restore's copy not yet put in place (the target was not
/// changed). Scratch: a verification's restore. Replaced: the old target after a swap, kept until it is dropped
/// (the restored data is in place; a safety backup holds the old). PartialBackup: a backup with data but no manifest.
/// ScratchCluster: the scratch data directory of a base backup's verification on this machine, with its server if it
/// still runs. TableData: the scratch database of a partial data restore (only some tables of a backup).
/// </summary>
public enum LeftoverKind
{
    Staging,
    Scratch,
    Replaced,
    PartialBackup,
    ScratchCluster,
    TableData,
}
