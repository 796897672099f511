# Point-in-time recovery through the cmdlets on a real sandbox whose archive_command is the module's own shippyar-dr
# (set here with ALTER SYSTEM and a restart), into an encrypted repository (passphrase file): a base backup, committed
# writes, a destructive statement, and Restore-ShippyarCluster back to before it; a restore point; what is refused;
# and Test-ShippyarBackup -Level Recovery.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox
    $conn = Get-SandboxConnection $sandbox
    $cli = Join-Path (Split-Path (Get-Module ShippyarDr).Path) 'bin/shippyar-dr'
    $work = New-TestDirectory
    chmod 755 $work
    $repo = Join-Path $work 'repo'
    New-Item -ItemType Directory -Path $repo | Out-Null
    $passFile = Join-Path $work 'pitr-pass'
    Set-Content -Path $passFile -Value 'pitr-Pester-Passphrase-83'
    chmod 600 $passFile
    if ([Environment]::UserName -eq 'root') { chown postgres: $repo $passFile }
    $sandbox.Execute('postgres', "ALTER SYSTEM SET archive_mode = on")
    $sandbox.Execute('postgres', "ALTER SYSTEM SET archive_command = '""$cli"" wal-push ""%p"" --repository ""$repo"" --passphrase-file ""$passFile""'")
    $sandbox.Restart()

    function Switch-AndWaitArchived {
        $segment = $sandbox.QueryScalar('postgres', 'SELECT pg_walfile_name(pg_switch_wal())')
        Wait-Until { $sandbox.QueryScalar('postgres', 'SELECT coalesce(last_archived_wal, '''') FROM pg_stat_archiver') -ge $segment } -Seconds 60 | Should -BeTrue
        $sandbox.QueryScalar('postgres', 'SELECT failed_count FROM pg_stat_archiver') | Should -Be '0'
    }
    function Invoke-Recovered([int] $Port, [string] $Sql) { Invoke-SqlOn $Port $Sql $sandbox }
    function Stop-Recovered([string] $DataDirectory) { Stop-DataDirectory $DataDirectory immediate }

    $sandbox.Execute('postgres', 'CREATE TABLE pester_orders (id int PRIMARY KEY); INSERT INTO pester_orders SELECT generate_series(1, 100)')
    $backup = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository $repo -PassphraseFile $passFile
}
AfterAll {
    foreach ($d in @(Get-ChildItem $work -Directory -ErrorAction SilentlyContinue)) { Stop-Recovered $d.FullName }
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
}

Describe 'Restore-ShippyarCluster (point-in-time recovery)' {
    It 'recovers to a noted time: every row committed before it is there and the destructive statement is undone' {
        $sandbox.Execute('postgres', 'INSERT INTO pester_orders SELECT generate_series(101, 150)')
        Start-Sleep -Milliseconds 1100
        $noted = Get-ServerNow $sandbox
        Start-Sleep -Milliseconds 1100
        $sandbox.Execute('postgres', 'DELETE FROM pester_orders')
        Switch-AndWaitArchived

        $data = Join-Path $work 'by-time'
        $r = Restore-ShippyarCluster -Repository $repo -DataDirectory $data -TargetTime $noted -PassphraseFile $passFile -Start -Confirm:$false
        try {
            $r.PSTypeNames | Should -Contain 'ShippyarDr.PointInTimeRestoreResult'
            $r.BackupId | Should -Be $backup.Id
            $r.Started | Should -BeTrue
            Invoke-Recovered $r.Port 'SELECT count(*) FROM pester_orders' | Should -Be '150'
            Invoke-Recovered $r.Port 'SHOW archive_mode' | Should -Be 'off'
            Invoke-Recovered $r.Port 'SELECT pg_is_in_recovery()' | Should -Be 'f'
            $r.PointReached.Timeline | Should -Be 2
            $r.PointReached.LastTransactionTime | Should -BeLessOrEqual $noted
            $r.WalSegmentsReplayed | Should -BeGreaterThan 0
            $r.RestoreCommand | Should -BeLike "*wal-fetch*--passphrase-file ""$passFile""*"
            $r.RestoreCommand | Should -Not -Match 'pitr-Pester-Passphrase'
            (Get-Content (Join-Path $data 'postgresql.auto.conf') -Raw) | Should -Not -Match 'pitr-Pester-Passphrase'
            ($r | Format-List | Out-String) | Should -Match 'PointReached\s*:\s*timeline 2'
            if ([Environment]::UserName -eq 'root') { (stat -c '%U %a' $data) | Should -Be 'postgres 700' }
        }
        finally { Stop-Recovered $data }
    }

    It 'recovers to a restore point made with New-ShippyarRestorePoint' {
        $sandbox.Execute('postgres', 'CREATE TABLE pester_named (id int); INSERT INTO pester_named SELECT generate_series(1, 30)')
        New-ShippyarRestorePoint -Name pester-before-purge @conn | Out-Null
        $sandbox.Execute('postgres', 'TRUNCATE pester_named')
        Switch-AndWaitArchived
        $data = Join-Path $work 'by-name'
        $r = Restore-ShippyarCluster $repo -DataDirectory $data -TargetName pester-before-purge -PassphraseFile $passFile -Start -Confirm:$false
        try {
            Invoke-Recovered $r.Port 'SELECT count(*) FROM pester_named' | Should -Be '30'
            $r.PointReached.StoppedBy | Should -Match 'pester-before-purge'
        }
        finally { Stop-Recovered $data }
    }

    It 'moves a directory that is not empty aside after confirmation, and writes nothing with -WhatIf' {
        $data = Join-Path $work 'occupied'
        New-Item -ItemType Directory -Path $data | Out-Null
        Set-Content -Path (Join-Path $data 'keep.txt') -Value 'still here'
        Restore-ShippyarCluster $repo -DataDirectory $data -Latest -PassphraseFile $passFile -WhatIf | Should -BeNullOrEmpty
        Get-Content (Join-Path $data 'keep.txt') | Should -Be 'still here'
        $r = Restore-ShippyarCluster $repo -DataDirectory $data -Latest -PassphraseFile $passFile -Confirm:$false
        $r.Started | Should -BeFalse
        $r.MovedAside.Count | Should -Be 1
        Get-Content (Join-Path $r.MovedAside[0] 'keep.txt') | Should -Be 'still here'
        Test-Path (Join-Path $data 'recovery.signal') | Should -BeTrue
    }

    It 'refuses a passphrase given directly (restore_command cannot hold it) and a running server''s directory, writing nothing' {
        $data = Join-Path $work 'refused'
        $secure = ConvertTo-SecureString 'pitr-Pester-Passphrase-83' -AsPlainText -Force
        $err = Get-ErrorRecords { Restore-ShippyarCluster $repo -DataDirectory $data -Latest -Passphrase $secure -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RestoreCommandSecret,*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'PassphraseFile'
        Test-Path $data | Should -BeFalse
        $err = Get-ErrorRecords { Restore-ShippyarCluster $repo -DataDirectory $sandbox.DataDirectory -Latest -PassphraseFile $passFile -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DataDirectoryInUse,*'
        $sandbox.QueryScalar('postgres', 'SELECT 1') | Should -Be '1'
    }

    It 'refuses a target after the newest archived segment, naming it' {
        $err = Get-ErrorRecords { Restore-ShippyarCluster $repo -DataDirectory (Join-Path $work 'future') -TargetTime ([DateTimeOffset]::UtcNow.AddHours(1)) -PassphraseFile $passFile -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RecoveryTargetBeyondArchive,*'
        $err[0].Exception.Message | Should -Match 'newest archived segment, [0-9A-F]{24}'
        Test-Path (Join-Path $work 'future') | Should -BeFalse
    }
}

Describe 'Test-ShippyarBackup -Level Recovery' {
    It 'replays the archive to its end in the scratch copy and reports the point reached' {
        Switch-AndWaitArchived
        $r = $backup | Test-ShippyarBackup -Level Recovery -PassphraseFile $passFile
        $r.Passed | Should -BeTrue
        ($r.Checks | Where-Object Name -eq 'WAL archive complete').Passed | Should -BeTrue
        ($r.Checks | Where-Object Name -eq 'WAL archive replayed').Detail | Should -Match 'to its end, timeline 2, LSN [0-9A-F]+/[0-9A-F]+'
        Test-Path $r.ScratchDataDirectory | Should -BeFalse
    }

    It 'refuses a passphrase given directly' {
        $secure = ConvertTo-SecureString 'pitr-Pester-Passphrase-83' -AsPlainText -Force
        { $backup | Test-ShippyarBackup -Level Recovery -Passphrase $secure -ErrorAction Stop } | Should -Throw -ErrorId 'RestoreCommandSecret,*'
    }
}
