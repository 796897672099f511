@{
    Synopsis    = 'Shows what a repository''s WAL archives hold: segments, gaps and the data-loss exposure, per cluster and timeline.'
    Description = @'
Lists the WAL archive of every cluster (by system identifier) in the repository, one ShippyarDr.WalArchiveStatus each: per timeline the oldest and newest archived segment and the number of segments (Timelines), every missing range between them (Gaps: a point-in-time recovery cannot cross one), names archived twice with different content (Conflicts), and the exposure: the time since the newest segment was archived, what a lost server would lose at most had it kept writing.

With a connection parameter (-Server, -Port, -Credential or -ConnectionString) only that server's archive is shown (WalArchiveNotFound when the repository holds none of it), with its pg_stat_archiver figures (Archiver: archived and failed counts, the last archived and failed segments, and with pg_monitor the segments waiting in pg_wal).

The archive is listed once; only the newest segment's manifest is read, for its time. Archive holds the full scan (ranges, history, backup and partial files).
'@
    Parameters  = @{
        Repository       = 'The repository: a registered name, a directory or s3://bucket/prefix. Taken from piped objects with a Repository property (backups).'
        Server           = 'Server whose archive to show, with its pg_stat_archiver figures; host or host:port.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'Check the archive of a server'
            Code    = 'Get-ShippyarWalArchive -Repository prod -Server db01'
            Remarks = 'Gaps should be none and the exposure below archive_timeout plus a little.'
        }
        @{
            Title   = 'Alert on gaps in every archive of a repository'
            Code    = 'Get-ShippyarWalArchive -Repository s3://backups/pg | Where-Object { $_.Gaps.Count -gt 0 } | Select-Object SystemIdentifier, Gaps'
            Remarks = ''
        }
    )
    Notes       = ''
    RelatedLinks = @('Enable-ShippyarWalArchiving', 'Get-ShippyarBackupStatus')
}
