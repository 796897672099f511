@{
    Synopsis    = 'Turns on continuous WAL archiving of a server into a registered repository, and proves it end to end.'
    Description = @'
Sets archive_mode = on, archive_command and archive_timeout with ALTER SYSTEM (postgresql.auto.conf) and reloads the configuration. The archive_command is the module's own shippyar-dr (bin/shippyar-dr in the module folder, by its absolute path): "<module>/bin/shippyar-dr" wal-push "%p" --repository <name>. archive_command runs with no PowerShell session, in the data directory, as the server's OS account: so the repository must be a registered name (Register-ShippyarRepository), whose registration supplies the location, S3 settings, encryption and signing key; a path or URL is refused (ArchivingNeedsRegisteredName). When the registration is not in the machine file (/etc/shippyar/repositories.json), the command starts with SHIPPYAR_CONFIG="<its file>", so the server reads the same file.

Before anything changes, when the server's data directory is on this host, checks that the OS account that owns it (the account that runs the server, postgres when the module runs as root) can execute shippyar-dr and read the configuration file and every key or passphrase file the registration names, through every directory above them (ServerAccountCannotAccess names what it cannot reach). For a server elsewhere it warns that these paths must exist there.

archive_mode takes effect only when the server restarts (and wal_level is raised to replica when it is minimal): the result says RestartRequired and a warning says so. Once archiving runs (after the restart, run Enable-ShippyarWalArchiving again), it writes a WAL record, switches segments and waits (with progress, up to 60 s) until pg_stat_archiver reports that segment archived: TestSegment and TestSegmentArchived in the result. A failing command is the error TestSegmentNotArchived; the server's log has shippyar-dr's message.

On a server after a recovery (a timeline after the first: Restore-ShippyarCluster with -Start promotes the copy onto a new timeline, with archive_mode off), PostgreSQL never archived the new timeline's history file (for example 00000002.history) nor the segments it finished while archiving was off, and never will: a later recovery along that timeline would be refused with WalSegmentMissing. So before anything changes, the command reads the server's timeline and history (pg_wal/<timeline>.history, through the server) and checks the archive of its system identifier in the repository. A history file the archive lacks (of the current timeline, and of each ancestor after the first) is pushed from the data directory when that is on this host: the module's shippyar-dr wal-push, run in it as the server's OS account with the registration's settings, as archive_command would (HistoryPushed; a failure is HistoryPushFailed and nothing is changed). When the data directory is elsewhere, a warning names the command to run there (HistoryMissing). Then, if a segment of the current timeline from where it began up to the one being written is neither archived nor still to be archived (no .ready file), the archive cannot replay across it: UnarchivedFrom names the first such segment, BaseBackupRequired is true, and a warning says to take a base backup now (Invoke-ShippyarBackup -Tier Base).

Returns a ShippyarDr.WalArchivingState (with Timeline, HistoryPushed, HistoryMissing, UnarchivedFrom, BaseBackupRequired). Needs a superuser (or GRANT ALTER SYSTEM ON PARAMETER, and pg_read_server_files to read the history file).
'@
    Parameters  = @{
        Repository       = 'The registered repository''s name (Get-ShippyarRepository lists them; tab completion offers them). Paths and URLs are refused: archive_command has no session to resolve them in.'
        ArchiveTimeout   = 'archive_timeout: the longest a committed transaction waits before its partly filled segment is switched and archived, bounding the data lost with the server (default 60s; 0 turns it off). Durations: 30s, 5m, or a TimeSpan.'
        Server           = 'Server to configure, host or host:port.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password of a superuser.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'Archive into a registered S3 repository'
            Code    = @'
Register-ShippyarRepository -Name prod -Location s3://backups/pg -PassphraseFile /etc/shippyar/prod.pass -Scope Machine
Enable-ShippyarWalArchiving -Repository prod -Server db01 -ArchiveTimeout 60s
# restart the server if RestartRequired, then prove it:
Enable-ShippyarWalArchiving -Repository prod -Server db01
'@
            Remarks = 'The second call finds archive_mode on and proves archiving with a segment archived end to end.'
        }
        @{
            Title   = 'Archive again after a recovery'
            Code    = @'
Restore-ShippyarCluster -Repository prod -DataDirectory /var/lib/postgresql/15/main -Latest -Start
$state = Enable-ShippyarWalArchiving -Repository prod      # pushes 00000002.history; warns that a base backup is needed
# restart the server (archive_mode), prove archiving, then take the base backup the warning asks for:
Enable-ShippyarWalArchiving -Repository prod
if ($state.BaseBackupRequired) { Invoke-ShippyarBackup -Tier Base -Repository prod }
'@
            Remarks = 'The recovered server ran on timeline 2 with archive_mode off. The first call archives its history file from the data directory; UnarchivedFrom names the first segment the archive will never hold, so recoveries along timeline 2 start from a base backup taken after it.'
        }
        @{
            Title   = 'See what would change'
            Code    = 'Enable-ShippyarWalArchiving -Repository prod -Server db01 -WhatIf'
            Remarks = 'Shows the settings, after checking that the server''s account can run the command; changes nothing.'
        }
    )
    Notes       = 'Get-ShippyarWalArchive shows what the archive holds and the archiver''s figures.'
    RelatedLinks = @('Disable-ShippyarWalArchiving', 'Get-ShippyarWalArchive', 'Register-ShippyarRepository')
}
