@{
    Synopsis    = 'Lists what interrupted restores, verifications and backups left behind.'
    Description = @'
A restore works in a staging database (shippyar_restore_*), a verification in a scratch database (shippyar_verify_*), a partial data restore (Restore-ShippyarTableData) in one of its own (shippyar_tabledata_*), and a swap keeps the replaced database (shippyar_replaced_*) until it drops it. Every run puts its random token in those names and holds a session named "ShippyarDr run <token>" open while it works. A run that was killed (kill -9, a crash, a reboot) leaves its databases behind; this cmdlet finds every database with those prefixes on the server and tells them apart from those of runs still going: OwnedByLiveRun is true while the run's session is in pg_stat_activity.

With -Repository it also lists partial backups (directories with data but no manifest.json). A partial backup that started less than a day ago may still be being written and counts as owned by a live run.

With -ScratchCluster it also lists the scratch clusters of base backup verifications on this machine (directories named shippyar-verify-* in the temp directory). A verification that was killed leaves its scratch data directory behind, and its server still running on a loopback port; the process that made it being gone, it counts as not owned. Name is the directory, Server the server's address while it runs.

Returns one ShippyarDr.Leftover per leftover: Kind (Staging, Scratch, Replaced, PartialBackup, ScratchCluster, TableData), Name, Server or Repository, Size, RunToken, OwnedByLiveRun, Sessions (others connected now), InUse, BackupId and TargetDatabase (the database a staging or replaced copy belongs to). Pipe them to Remove-ShippyarLeftover.
'@
    Parameters  = @{
        Repository       = 'Repositories (registered names, directories or s3:// URLs) to look for partial backups in. Given without any connection parameter, the server is not asked.'
        Server           = 'Server to look at, host or host:port. Defaults to PGHOST, then localhost.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password for the server.'
        ConnectionString = 'A connection string for the server.'
        ScratchCluster   = 'Also list the scratch clusters (data directory, and server if it still runs) that interrupted base backup verifications left on this machine. Given without any connection parameter, the server is not asked.'
    }
    Examples    = @(
        @{
            Title   = 'What did interrupted runs leave on a server?'
            Code    = 'Get-ShippyarLeftover -Server db01 -Credential $cred'
            Remarks = 'InUse is True for databases of runs still going, or with sessions connected: those are never removed.'
        }
        @{
            Title   = 'Server and repository at once'
            Code    = 'Get-ShippyarLeftover -Server db01 -Repository /var/backups/pg | Where-Object InUse -eq $false'
            Remarks = ''
        }
        @{
            Title   = 'Stop and remove what killed base backup verifications left on this machine'
            Code    = 'Get-ShippyarLeftover -ScratchCluster | Where-Object InUse -eq $false | Remove-ShippyarLeftover -Confirm:$false'
            Remarks = 'Each scratch cluster is looked up again first: one whose verification still runs is never touched.'
        }
    )
    Notes       = 'A restore of a database drops the leftovers of earlier interrupted restores of that database by itself, and a verification those of the same backup, with a warning; a base backup verification removes the scratch clusters of interrupted verifications on this machine.'
    RelatedLinks = @('Remove-ShippyarLeftover', 'Restore-ShippyarDatabase', 'Test-ShippyarBackup', 'Get-ShippyarBackupStatus')
}
