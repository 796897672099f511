# Retention through the cmdlets on a real sandbox archiving into the repository with the module's shippyar-dr: the
# dry run explains the base backups and the WAL, the real run removes the older base backup and the WAL before the
# retained one, and Restore-ShippyarCluster still recovers everything.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox
    $conn = Get-SandboxConnection $sandbox
    $cli = Join-Path (Split-Path (Get-Module ShippyarDr).Path) 'bin/shippyar-dr'
    $work = New-TestDirectory
    chmod 755 $work
    $repo = Join-Path $work 'repo'
    New-Item -ItemType Directory -Path $repo | Out-Null
    if ([Environment]::UserName -eq 'root') { chown postgres: $repo }
    $sandbox.Execute('postgres', "ALTER SYSTEM SET archive_mode = on")
    $sandbox.Execute('postgres', "ALTER SYSTEM SET archive_command = '""$cli"" wal-push ""%p"" --repository ""$repo""'")
    $sandbox.Restart()
    function Switch-AndWaitArchived {
        $segment = $sandbox.QueryScalar('postgres', 'SELECT pg_walfile_name(pg_switch_wal())')
        Wait-Until { $sandbox.QueryScalar('postgres', 'SELECT coalesce(last_archived_wal, '''') FROM pg_stat_archiver') -ge $segment } -Seconds 60 | Should -BeTrue
    }

    $sandbox.Execute('postgres', 'CREATE TABLE pester_kept (id int PRIMARY KEY); INSERT INTO pester_kept SELECT generate_series(1, 100)')
    $old = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository $repo
    $sandbox.Execute('postgres', 'INSERT INTO pester_kept SELECT generate_series(101, 200)')
    Switch-AndWaitArchived
    Switch-AndWaitArchived
    $retained = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository $repo
    $sandbox.Execute('postgres', 'INSERT INTO pester_kept SELECT generate_series(201, 250)')
    Switch-AndWaitArchived
}
AfterAll {
    foreach ($d in @(Get-ChildItem $work -Directory -ErrorAction SilentlyContinue)) { Stop-DataDirectory $d.FullName immediate }
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ShippyarRetention on a WAL archive' {
    It '-WhatIf explains the base backups and the WAL, and deletes nothing' {
        $before = (Get-ShippyarWalArchive -Repository $repo).SegmentCount
        $plan = @(Invoke-ShippyarRetention -Repository $repo -Tier Base -KeepDays 0 -WalDays 0 -WhatIf)
        ($plan | Where-Object Id -eq $old.Id).Action | Should -Be WouldRemove
        ($plan | Where-Object Id -eq $retained.Id).Action | Should -Be Keep
        ($plan | Where-Object Id -eq $retained.Id).Reason | Should -Match 'WAL window'
        $wal = @($plan | Where-Object Subject -eq WalSegments)
        ($wal | Where-Object Action -eq WouldRemove).Reason | Should -Match ([regex]::Escape($retained.Physical.ArchiveNeededFrom))
        ($wal | Where-Object Action -eq Keep).Reason | Should -Match "needed by base backup $($retained.Id)"
        $plan | ForEach-Object { $_.Reason | Should -Not -BeNullOrEmpty }
        (Get-ShippyarWalArchive -Repository $repo).SegmentCount | Should -Be $before
        @(Get-ShippyarBackup -Repository $repo -Tier Base).Count | Should -Be 2
    }

    It 'a real run keeps the retained base backup recoverable to the newest point' {
        $results = @(Invoke-ShippyarRetention -Repository $repo -Tier Base -KeepDays 0 -WalDays 0 -Confirm:$false)
        ($results | Where-Object Id -eq $old.Id).Action | Should -Be Removed
        $results | Where-Object Action -in Failed, Skipped | Should -BeNullOrEmpty
        @(Get-ShippyarBackup -Repository $repo -Tier Base).Id | Should -Be @($retained.Id)
        $archive = Get-ShippyarWalArchive -Repository $repo
        $archive.OldestSegment | Should -Be $retained.Physical.ArchiveNeededFrom
        $archive.Gaps | Should -BeNullOrEmpty

        $data = Join-Path $work 'recovered'
        $r = Restore-ShippyarCluster -Repository $repo -DataDirectory $data -Latest -Start -Confirm:$false
        try {
            $r.BackupId | Should -Be $retained.Id
            Invoke-SqlOn $r.Port 'SELECT count(*) FROM pester_kept' $sandbox | Should -Be '250'
        }
        finally { Stop-DataDirectory $data immediate }
    }
}
