# Archiving again after a recovery, as a DBA does it through the cmdlets: the recovered server (timeline 2) ran with
# archive_mode off, so PostgreSQL never archived its 00000002.history nor the segments it finished meanwhile.
# Enable-ShippyarWalArchiving on it pushes the history file from its data directory and says that a base backup is
# needed (naming the first segment the archive will never get); after that base backup a second loss recovers from the
# archive along timeline 2 (to timeline 3). The configuration lives in a temp file named by SHIPPYAR_CONFIG.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox
    $conn = Get-SandboxConnection $sandbox
    $registered = New-RegisteredTestRepository afterwards 'afterwards-Pester-Plover-83'
    ($work, $repo, $passFile) = ($registered.Work, $registered.Repository, $registered.PassphraseFile)
    $asRoot = [Environment]::UserName -eq 'root'

    # $Box: the sandbox whose superuser connects (a recovered copy has its source's roles).
    function Invoke-On([int] $Port, [string] $Sql, $Box = $sandbox) { Invoke-SqlOn $Port $Sql $Box }
    function Switch-AndWaitArchived([int] $Port, $Box = $sandbox) { Switch-WalAndWait $Box $Port }
    function Get-ArchivedHistory([string] $Name, [string] $Repository = $repo) { @(Get-ChildItem -Recurse -File (Join-Path $Repository 'wal') -Filter "$Name-*.manifest") }
}
AfterAll {
    foreach ($d in @(Get-ChildItem $work -Directory -ErrorAction SilentlyContinue)) { Stop-DataDirectory $d.FullName immediate }
    Restore-TestConfiguration $registered
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

Describe 'Enable-ShippyarWalArchiving on a recovered server' {
    It 'archives the new timeline''s history file, says a base backup is needed, and after it a second loss recovers along the timeline' {
        Enable-ShippyarWalArchiving -Repository afterwards @conn -WarningAction SilentlyContinue | Out-Null
        $sandbox.Restart()
        $production = Enable-ShippyarWalArchiving -Repository afterwards @conn
        $production.TestSegmentArchived | Should -BeTrue
        $production.Timeline | Should -Be 1
        $production.HistoryPushed | Should -BeNullOrEmpty
        $production.BaseBackupRequired | Should -BeFalse
        $sandbox.Execute('postgres', 'CREATE TABLE cargo (id int PRIMARY KEY, leg text); INSERT INTO cargo SELECT g, ''first'' FROM generate_series(1, 100) g')
        Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository afterwards | Out-Null
        $sandbox.Execute('postgres', 'INSERT INTO cargo SELECT g, ''first'' FROM generate_series(101, 200) g')
        Switch-AndWaitArchived $sandbox.Port | Out-Null

        # The recovery: a copy on timeline 2 with archive_mode off, which runs a while (and finishes a segment) before
        # the DBA turns archiving on.
        $recovered = Join-Path $work 'recovered'
        $r = Restore-ShippyarCluster -Repository afterwards -DataDirectory $recovered -Latest -Start -Confirm:$false
        $r.PointReached.Timeline | Should -Be 2
        Invoke-On $r.Port 'SHOW archive_mode' | Should -Be 'off'
        Invoke-On $r.Port "INSERT INTO cargo SELECT g, 'second' FROM generate_series(201, 300) g" | Out-Null
        $unarchived = Invoke-On $r.Port 'SELECT pg_walfile_name(pg_switch_wal())'
        $unarchived | Should -BeLike '00000002*'
        Get-ArchivedHistory '00000002.history' | Should -BeNullOrEmpty
        $rconn = @{ Server = $sandbox.Server; Port = $r.Port; Credential = $sandbox.Credential }

        # -WhatIf pushes nothing and changes nothing.
        Enable-ShippyarWalArchiving -Repository afterwards @rconn -WhatIf -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        Get-ArchivedHistory '00000002.history' | Should -BeNullOrEmpty
        Invoke-On $r.Port 'SHOW archive_mode' | Should -Be 'off'

        $first = Enable-ShippyarWalArchiving -Repository afterwards @rconn -WarningVariable warned -WarningAction SilentlyContinue
        $first.RestartRequired | Should -BeTrue
        $first.Timeline | Should -Be 2
        $first.HistoryPushed | Should -Be @('00000002.history')
        $first.HistoryMissing | Should -BeNullOrEmpty
        Get-ArchivedHistory '00000002.history' | Should -HaveCount 1
        # Pushed as the server's account: the archiver writes timeline 2's segments into the folder the push created.
        if ($asRoot) { (stat -c '%U' (Get-ArchivedHistory '00000002.history')[0].Directory.FullName) | Should -Be 'postgres' }
        $first.UnarchivedFrom | Should -BeLike '00000002*'
        $first.UnarchivedFrom | Should -BeLessOrEqual $unarchived
        $first.BaseBackupRequired | Should -BeTrue
        ($warned -join "`n") | Should -Match ([regex]::Escape("lacks $($first.UnarchivedFrom)"))
        ($warned -join "`n") | Should -Match 'Invoke-ShippyarBackup -Tier Base'
        ($first | Format-List | Out-String) | Should -Match 'UnarchivedFrom\s*:\s*00000002'

        # archive_mode needs a restart (pg_ctl restart keeps the port the recovery started it on).
        Invoke-PgCtl $recovered '-m', 'fast', '-w', '-l', (Join-Path $recovered 'restart.log'), 'restart'
        $proof = Enable-ShippyarWalArchiving -Repository afterwards @rconn -WarningAction SilentlyContinue
        $proof.TestSegmentArchived | Should -BeTrue
        $proof.TestSegment | Should -BeLike '00000002*'
        $proof.HistoryPushed | Should -BeNullOrEmpty
        $proof.UnarchivedFrom | Should -Be $first.UnarchivedFrom

        # What the warning asked for: a base backup of the recovered server; then more rows, archived.
        $base = Invoke-ShippyarBackup @rconn -Tier Base -Checkpoint Fast -Repository afterwards
        Invoke-On $r.Port "INSERT INTO cargo SELECT g, 'third' FROM generate_series(301, 400) g" | Out-Null
        Switch-AndWaitArchived $r.Port | Out-Null
        Stop-DataDirectory $recovered immediate

        $again = Restore-ShippyarCluster -Repository afterwards -DataDirectory (Join-Path $work 'again') -Latest -Start -Confirm:$false
        $again.BackupId | Should -Be $base.Id
        $again.PointReached.Timeline | Should -Be 3
        Invoke-On $again.Port 'SELECT count(*) FROM cargo' | Should -Be '400'
        Invoke-On $again.Port "SELECT count(*) FROM cargo WHERE leg = 'third'" | Should -Be '100'
    }

    It 'with nothing written while archiving was off, the pushed history file makes the archive whole: the old base backup recovers along the new timeline' {
        $other = New-ShippyarSandbox
        try {
            $oconn = Get-SandboxConnection $other
            $repo2 = Join-Path $work 'repo2'
            New-Item -ItemType Directory $repo2 | Out-Null
            if ($asRoot) { chown postgres: $repo2 }
            Register-ShippyarRepository -Name whole -Location $repo2 -PassphraseFile $passFile -Scope ($asRoot ? 'Machine' : 'User') | Out-Null
            Enable-ShippyarWalArchiving -Repository whole @oconn -WarningAction SilentlyContinue | Out-Null
            $other.Restart()
            (Enable-ShippyarWalArchiving -Repository whole @oconn).TestSegmentArchived | Should -BeTrue
            $other.Execute('postgres', 'CREATE TABLE crates (id int PRIMARY KEY); INSERT INTO crates SELECT generate_series(1, 50)')
            $old = Invoke-ShippyarBackup @oconn -Tier Base -Checkpoint Fast -Repository whole
            $other.Execute('postgres', 'INSERT INTO crates SELECT generate_series(51, 100)')
            Switch-AndWaitArchived $other.Port $other | Out-Null

            $copy = Join-Path $work 'whole1'
            $r = Restore-ShippyarCluster -Repository whole -DataDirectory $copy -Latest -Start -Confirm:$false
            $r.PointReached.Timeline | Should -Be 2
            $rconn = @{ Server = $other.Server; Port = $r.Port; Credential = $other.Credential }
            $first = Enable-ShippyarWalArchiving -Repository whole @rconn -WarningVariable warned -WarningAction SilentlyContinue
            $first.HistoryPushed | Should -Be @('00000002.history')
            Get-ArchivedHistory '00000002.history' $repo2 | Should -HaveCount 1
            $first.UnarchivedFrom | Should -BeNullOrEmpty
            $first.BaseBackupRequired | Should -BeFalse
            ($warned -join "`n") | Should -Not -Match 'Invoke-ShippyarBackup'
            Invoke-PgCtl $copy '-m', 'fast', '-w', '-l', (Join-Path $copy 'restart.log'), 'restart'
            (Enable-ShippyarWalArchiving -Repository whole @rconn).TestSegmentArchived | Should -BeTrue
            Invoke-On $r.Port 'INSERT INTO crates SELECT generate_series(101, 150)' $other | Out-Null
            Switch-AndWaitArchived $r.Port $other | Out-Null
            Stop-DataDirectory $copy immediate

            # No new base backup: the one taken on timeline 1 recovers along 00000002.history to timeline 2's newest segment.
            $again = Restore-ShippyarCluster -Repository whole -DataDirectory (Join-Path $work 'whole2') -Latest -Start -Confirm:$false
            $again.BackupId | Should -Be $old.Id
            $again.PointReached.Timeline | Should -Be 3
            Invoke-On $again.Port 'SELECT count(*) FROM crates' $other | Should -Be '150'
        }
        finally { $other | Remove-ShippyarSandbox -Confirm:$false }
    }
}
