@{
    Synopsis    = 'Turns on continuous WAL archiving of a server into a registered repository, and proves it end to end.'
    Description = @'
Sets archive_mode = on, archive_command and archive_timeout with ALTER SYSTEM (postgresql.auto.conf) and reloads the configuration. The archive_command is the module's own shippyar-dr (bin/shippyar-dr in the module folder, by its absolute path): "<module>/bin/shippyar-dr" wal-push "%p" --repository <name>. archive_command runs with no PowerShell session, in the data directory, as the server's OS account: so the repository must be a registered name (Register-ShippyarRepository), whose registration supplies the location, S3 settings, encryption and signing key; a path or URL is refused (ArchivingNeedsRegisteredName). When the registration is not in the machine file (/etc/shippyar/repositories.json), the command starts with SHIPPYAR_CONFIG="<its file>", so the server reads the same file.

Before anything changes, when the server's data directory is on this host, checks that the OS account that owns it (the account that runs the server, postgres when the module runs as root) can execute shippyar-dr and read the configuration file and every key or passphrase file the registration names, through every directory above them (ServerAccountCannotAccess names what it cannot reach). For a server elsewhere it warns that these paths must exist there.

archive_mode takes effect only when the server restarts (and wal_level is raised to replica when it is minimal): the result says RestartRequired and a warning says so. Once archiving runs (after the restart, run Enable-ShippyarWalArchiving again), it writes a WAL record, switches segments and waits (with progress, up to 60 s) until pg_stat_archiver reports that segment archived: TestSegment and TestSegmentArchived in the result. A failing command is the error TestSegmentNotArchived; the server's log has shippyar-dr's message.

Returns a ShippyarDr.WalArchivingState. Needs a superuser (or GRANT ALTER SYSTEM ON PARAMETER).
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
            Title   = 'See what would change'
            Code    = 'Enable-ShippyarWalArchiving -Repository prod -Server db01 -WhatIf'
            Remarks = 'Shows the settings, after checking that the server''s account can run the command; changes nothing.'
        }
    )
    Notes       = 'Get-ShippyarWalArchive shows what the archive holds and the archiver''s figures.'
    RelatedLinks = @('Disable-ShippyarWalArchiving', 'Get-ShippyarWalArchive', 'Register-ShippyarRepository')
}
