@{
    Synopsis    = 'Removes what the retention policy no longer keeps from a repository, and says for each backup, incomplete backup and WAL range what happens to it and why.'
    Description = @'
Plans first, then removes, under a retention lock of the repository (retention/lock.json): a second run at the same time waits up to 10 seconds, then fails with RetentionInProgress. Every removal is looked up again just before it happens, so a backup that gained a live writer, a lock or a new manifest meanwhile is skipped. A backup goes manifest first, then its data, so an interrupted deletion never leaves something that looks complete.

The policy, per tier: -Policy, else the repository's registered policy (Register-ShippyarRepository -RetentionPolicy), else the retention each backup's manifest recorded when it was taken ("90d"), else the tier's default (Daily 90 days, Weekly 365, Safety 30, Base 30). -KeepDays and -WalDays override on top. A tier's rules are KeepDays and the grandfather-father-son counts KeepDaily, KeepWeekly (ISO weeks), KeepMonthly and KeepYearly (periods in UTC; the newest backup of each of the newest N periods that have one is kept); a backup is kept when any rule keeps it.

Rules no policy overrides: the newest complete backup of each database and tier is kept (a month of failed backups never deletes the last good one); so is the newest one that passed Test-ShippyarBackup; a backup under S3 Object Lock is never deleted (Action Locked, and the reason says from when it can go); an unreadable manifest is never judged. WAL: the window start is now minus WalDays; the newest base backup that ended before it (by its end time, never by WAL file names) is kept, and every segment from its ArchiveNeededFrom on stays, on its timeline and later ones, as does what every newer retained base backup needs. Without such a base backup no WAL is removed. History files stay while a kept segment or backup uses their timeline or a later one. Incomplete backups (data without a manifest) are removed once older than -IncompleteGrace, unless their writer is alive.

Asks before each removal (ConfirmImpact High); -Confirm:$false does not ask. -WhatIf removes nothing, takes no lock, and returns every decision, the removals with Action WouldRemove. On S3, a removal of a GLACIER, DEEP_ARCHIVE or IA backup before its minimum storage duration carries EarlyDeletion (days, GB-months and an estimate at the AWS us-east-1 list price).
'@
    Parameters  = @{
        Repository           = 'A registered repository name, a directory, or s3://bucket/prefix.'
        Policy               = 'A ShippyarDr.Retention.RetentionPolicy or a hashtable: @{ Daily = @{ KeepDays = 30; KeepMonthly = 12; KeepYearly = 5 }; Weekly = @{ KeepWeekly = 8 }; Base = @{ KeepDays = 14 }; WalDays = 14 }. A tier given replaces that tier''s rules; tiers not given fall through to the registered policy, the recorded retention and the defaults.'
        Database             = 'Only this database''s backups and incomplete backups (_cluster for cluster and base backups and the WAL archive).'
        Tier                 = 'Only this tier (Daily, Weekly, Safety, Base). WAL is judged with Base (or no tier).'
        KeepDays             = 'Days kept for the tier -Tier names (every tier without -Tier), over the policy''s days; its period counts stay.'
        WalDays              = 'Days of WAL kept: every point in them stays recoverable from a retained base backup. Default 30.'
        IncompleteGrace      = 'How long an incomplete backup is left alone after it started (default 24h); one whose writer on this host is alive is never removed.'
    }
    Examples    = @(
        @{
            Title   = 'See what would go and why'
            Code    = 'Invoke-ShippyarRetention -Repository prod -WhatIf | Where-Object Action -ne Keep | Format-Table Action, Subject, Database, Id, Reason -Wrap'
            Remarks = 'Nothing is deleted; every decision comes back, the removals as WouldRemove.'
        }
        @{
            Title   = 'Nightly retention with grandfather-father-son for the daily tier'
            Code    = 'Invoke-ShippyarRetention -Repository prod -Policy @{ Daily = @{ KeepDays = 14; KeepWeekly = 8; KeepMonthly = 12; KeepYearly = 3 } } -Confirm:$false'
            Remarks = 'Keeps two weeks of daily backups, then the newest of each of 8 weeks, 12 months and 3 years; the other tiers keep their recorded retention.'
        }
        @{
            Title   = 'A shorter point-in-time window'
            Code    = 'Invoke-ShippyarRetention -Repository prod -Tier Base -KeepDays 7 -WalDays 7 -Confirm:$false'
            Remarks = 'Base backups older than 7 days go, except the one recovery to the start of the 7-day window needs; WAL before it goes too.'
        }
    )
    Notes       = 'Run it after Test-ShippyarBackup: the newest backup that passed verification is never removed.'
    RelatedLinks = @('Remove-ShippyarBackup', 'Get-ShippyarBackup', 'Register-ShippyarRepository', 'Test-ShippyarBackup')
}
