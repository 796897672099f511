# The disaster scenario as a DBA runs it, every step through the cmdlets: Register-ShippyarRepository (passphrase by
# reference), Enable-ShippyarWalArchiving (restart, proof segment), Invoke-ShippyarBackup -Tier Base, committed writes,
# a destructive statement undone by Restore-ShippyarCluster -TargetTime (by the registered name), and then the server
# lost: its data directory deleted, and Restore-ShippyarCluster -Latest into the same place and port loses nothing
# committed before the last archived segment. The configuration lives in a temp file named by SHIPPYAR_CONFIG.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $conn = Get-SandboxConnection $sandbox
    $registered = New-RegisteredTestRepository disaster 'disaster-Pester-Heron-61'
    $work = $registered.Work
}
AfterAll {
    foreach ($d in @(Get-ChildItem $work -Directory -ErrorAction SilentlyContinue)) { Stop-DataDirectory $d.FullName }
    Restore-TestConfiguration $registered
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

Describe 'A disaster, recovered through the cmdlets' {
    It 'archives through Enable-ShippyarWalArchiving, and a PITR by the registered name undoes a destructive statement' {
        $first = Enable-ShippyarWalArchiving -Repository disaster @conn -WarningAction SilentlyContinue
        $first.RestartRequired | Should -BeTrue
        $sandbox.Restart()
        $proof = Enable-ShippyarWalArchiving -Repository disaster @conn
        $proof.TestSegmentArchived | Should -BeTrue

        $sandbox.Execute('postgres', 'CREATE TABLE parcels (id int PRIMARY KEY, note text); INSERT INTO parcels SELECT g, ''before the backup'' FROM generate_series(1, 200) g')
        $base = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository disaster
        $base.Authentication | Should -Be 'Mac'
        $sandbox.Execute('postgres', 'INSERT INTO parcels SELECT g, ''after the backup'' FROM generate_series(201, 300) g')
        Start-Sleep -Milliseconds 1100
        $noted = Get-ServerNow $sandbox
        Start-Sleep -Milliseconds 1100
        $sandbox.Execute('postgres', 'DROP TABLE parcels')
        Switch-WalAndWait $sandbox | Out-Null
        (Get-ShippyarWalArchive -Repository disaster @conn).Gaps | Should -BeNullOrEmpty

        $r = Restore-ShippyarCluster -Repository disaster -DataDirectory (Join-Path $work 'undo') -TargetTime $noted -Start -Confirm:$false
        try {
            $r.BackupId | Should -Be $base.Id
            Invoke-SqlOn $r.Port 'SELECT count(*) FROM parcels' $sandbox | Should -Be '300'
            Invoke-SqlOn $r.Port "SELECT count(*) FROM parcels WHERE note = 'after the backup'" $sandbox | Should -Be '100'
            Invoke-SqlOn $r.Port 'SHOW archive_mode' $sandbox | Should -Be 'off'
            $r.RestoreCommand | Should -Not -Match 'disaster-Pester-Heron'
            $r.PointReached.LastTransactionTime | Should -BeLessOrEqual $noted
        }
        finally { Stop-DataDirectory $r.DataDirectory }
        # The production server was not touched: the table is still dropped there.
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_class WHERE relname = 'parcels'") | Should -Be '0'
    }

    It 'the server lost: its data directory deleted, -Latest into the same place loses nothing committed before the last archived segment' {
        $sandbox.Execute('postgres', 'CREATE TABLE ledger (id int PRIMARY KEY); INSERT INTO ledger SELECT generate_series(1, 1000)')
        # A new base backup after the earlier recovery test: the history of this timeline starts here.
        Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository disaster | Out-Null
        $sandbox.Execute('postgres', 'INSERT INTO ledger SELECT generate_series(1001, 2000)')
        Switch-WalAndWait $sandbox | Out-Null
        # Committed after the last archived segment: only pg_wal holds it, and pg_wal goes with the server.
        $sandbox.Execute('postgres', 'INSERT INTO ledger VALUES (999999)')
        Stop-DataDirectory $sandbox.DataDirectory immediate
        Remove-Item -Recurse -Force $sandbox.DataDirectory
        Test-Path $sandbox.DataDirectory | Should -BeFalse

        $r = Restore-ShippyarCluster -Repository disaster -DataDirectory $sandbox.DataDirectory -Latest -Start -StartPort $sandbox.Port -Confirm:$false
        $r.Target | Should -Be 'latest'
        $r.Port | Should -Be $sandbox.Port
        $sandbox.QueryScalar('postgres', 'SELECT count(*) FROM ledger WHERE id <= 2000') | Should -Be '2000'
        $sandbox.QueryScalar('postgres', 'SELECT count(*) FROM ledger WHERE id = 999999') | Should -Be '0'
        $sandbox.QueryScalar('postgres', 'SELECT pg_is_in_recovery()') | Should -Be 'False'
        if ([Environment]::UserName -eq 'root') { (stat -c '%U %a' $sandbox.DataDirectory) | Should -Be 'postgres 700' }
    }
}
