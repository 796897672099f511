# Continuous WAL archiving through the cmdlets on a real sandbox: Enable-ShippyarWalArchiving into a registered
# repository (restart needed, then proven end to end through the module's own shippyar-dr), Get-ShippyarWalArchive
# (segments, gaps, exposure, pg_stat_archiver), Disable-ShippyarWalArchiving, -WhatIf, and what is refused.
# The configuration lives in a temp file named by SHIPPYAR_CONFIG, never /etc/shippyar.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $conn = Get-SandboxConnection $sandbox
    $registered = New-RegisteredTestRepository walrepo 'walops-Pester-Osprey-29'
    ($work, $repo, $passFile) = ($registered.Work, $registered.Repository, $registered.PassphraseFile)

    function Get-Setting([string] $Name) { $sandbox.QueryScalar('postgres', "SELECT current_setting('$Name')") }
    function Get-AutoConf { Get-Content (Join-Path $sandbox.DataDirectory 'postgresql.auto.conf') -Raw }
    function Switch-AndWait {
        $sandbox.Execute('postgres', 'CREATE TABLE IF NOT EXISTS wal_filler (x int); INSERT INTO wal_filler SELECT generate_series(1, 1000)')
        $segment = $sandbox.QueryScalar('postgres', 'SELECT pg_walfile_name(pg_switch_wal())')
        $deadline = (Get-Date).AddSeconds(60)
        while ($sandbox.QueryScalar('postgres', "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") -lt $segment) {
            if ((Get-Date) -gt $deadline) { throw "$segment was not archived: $(Get-Content $sandbox.LogFile -Tail 20)" }
            Start-Sleep -Milliseconds 100
        }
        $segment
    }
}
AfterAll {
    Restore-TestConfiguration $registered
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

Describe 'Enable-, Get- and Disable-ShippyarWalArchiving on a sandbox' {
    It 'refuses a path as -Repository and changes nothing' {
        $before = Get-AutoConf
        $err = Get-ErrorRecords { Enable-ShippyarWalArchiving -Repository $repo @conn -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ArchivingNeedsRegisteredName,*'
        $err[0].Exception.Message | Should -Not -Match '-Repository' -Because 'engine messages name no PowerShell parameters'
        $err = Get-ErrorRecords { Enable-ShippyarWalArchiving -Repository nosuchrepo @conn -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNameUnknown,*'
        Get-AutoConf | Should -Be $before
    }

    It 'refuses a configuration the server''s account cannot reach, before changing anything' {
        $private = Join-Path $work 'private'
        New-Item -ItemType Directory $private | Out-Null
        chmod 700 $private
        $saved = $env:SHIPPYAR_CONFIG
        try {
            $env:SHIPPYAR_CONFIG = Join-Path $private 'repositories.json'
            Register-ShippyarRepository -Name hidden -Location $repo -PassphraseFile $passFile -Scope Machine | Out-Null
            $before = Get-AutoConf
            $err = Get-ErrorRecords { Enable-ShippyarWalArchiving -Repository hidden @conn -Confirm:$false }
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ServerAccountCannotAccess,*'
            $err[0].ToString() | Should -Match ([regex]::Escape($private))
            $err[0].ToString() | Should -Match 'postgres'
            Get-AutoConf | Should -Be $before
        }
        finally { $env:SHIPPYAR_CONFIG = $saved }
    }

    It '-WhatIf changes nothing' {
        $before = Get-AutoConf
        Enable-ShippyarWalArchiving -Repository walrepo @conn -WhatIf | Should -BeNullOrEmpty
        Get-AutoConf | Should -Be $before
        Get-Setting 'archive_mode' | Should -Be 'off'
    }

    It 'sets archiving with the module''s shippyar-dr and reports that a restart is needed' {
        $state = Enable-ShippyarWalArchiving -Repository walrepo @conn -ArchiveTimeout 30s -Confirm:$false -WarningVariable warned 3>$null
        $state.PSTypeNames | Should -Contain 'ShippyarDr.WalArchivingState'
        $state.RestartRequired | Should -BeTrue
        $state.ArchiveMode | Should -Be 'on'
        $state.TestSegmentArchived | Should -BeFalse
        $cli = Join-Path (Split-Path $script:ModulePath) 'bin/shippyar-dr'
        $state.ArchiveCommand | Should -Be "SHIPPYAR_CONFIG=`"$env:SHIPPYAR_CONFIG`" `"$((Resolve-Path $cli).Path)`" wal-push `"%p`" --repository walrepo"
        $state.ArchiveTimeout | Should -Be ([timespan]::FromSeconds(30))
        ($warned -join ' ') | Should -Match 'Restart'
        Get-Setting 'archive_mode' | Should -Be 'off'
        (Get-AutoConf) | Should -Match "archive_mode = 'on'"
    }

    It 'after the restart proves archiving: the test segment arrives, with no gaps and a small exposure' {
        $sandbox.Restart()
        $state = Enable-ShippyarWalArchiving -Repository walrepo @conn -ArchiveTimeout 30s -Confirm:$false
        $state.RestartRequired | Should -BeFalse
        $state.TestSegmentArchived | Should -BeTrue
        $state.TestSegment | Should -Match '^[0-9A-F]{24}$'
        $archive = Get-ShippyarWalArchive -Repository walrepo @conn
        @($archive).Count | Should -Be 1
        $archive.PSTypeNames | Should -Contain 'ShippyarDr.WalArchiveStatus'
        $archive.SystemIdentifier | Should -Be $sandbox.QueryScalar('postgres', 'SELECT system_identifier::text FROM pg_control_system()')
        $archive.NewestSegment | Should -BeGreaterOrEqual $state.TestSegment
        $archive.Gaps.Count | Should -Be 0
        $archive.Exposure | Should -BeLessThan ([timespan]::FromMinutes(2))
        $archive.Archiver.ArchivedCount | Should -BeGreaterThan 0
        $archive.Archiver.FailedCount | Should -Be 0
        $archive.Timelines[0].Timeline | Should -Be 1
        # Without a connection: every archive of the repository, through the pipeline by property name.
        $piped = [pscustomobject]@{ Repository = 'walrepo' } | Get-ShippyarWalArchive
        $piped.SystemIdentifier | Should -Be $archive.SystemIdentifier
        $piped.Archiver | Should -BeNullOrEmpty
        ($archive | Format-List | Out-String) | Should -Match 'Exposure'
    }

    It 'reports a segment deleted from the middle as a gap' {
        $segments = 1..3 | ForEach-Object { Switch-AndWait }
        Get-ChildItem -Recurse -File $repo -Filter "$($segments[1])-*" | Remove-Item
        $archive = Get-ShippyarWalArchive -Repository walrepo @conn
        $archive.Gaps.Count | Should -Be 1
        $archive.Gaps[0].FirstMissing | Should -Be $segments[1]
        $archive.Gaps[0].LastMissing | Should -Be $segments[1]
        $archive.Gaps[0].MissingCount | Should -Be 1
        ($archive | Format-List | Out-String) | Should -Match $segments[1]
    }

    It 'Disable -WhatIf changes nothing; Disable resets archive_command and archive_mode' {
        $command = Get-Setting 'archive_command'
        Disable-ShippyarWalArchiving @conn -WhatIf | Should -BeNullOrEmpty
        Get-Setting 'archive_command' | Should -Be $command
        $state = Disable-ShippyarWalArchiving @conn -Confirm:$false -WarningVariable warned 3>$null
        $state.ArchiveMode | Should -Be 'off'
        $state.RestartRequired | Should -BeTrue
        ($warned -join ' ') | Should -Match 'Restart'
        Get-Setting 'archive_command' | Should -Be ''
        $sandbox.Restart()
        Get-Setting 'archive_mode' | Should -Be 'off'
        (Get-AutoConf) | Should -Not -Match 'archive_command'
    }
}
