BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $backup = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
    function Get-ScratchDatabases { $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar_verify_%'") }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Test-ShippyarBackup' {
    It 'passes every level on a good backup, composing from Get-ShippyarBackup' {
        foreach ($level in 'Checksum', 'Catalog') {
            $r = Get-ShippyarBackup -Repository $repo -Latest | Test-ShippyarBackup -Level $level
            $r.GetType().FullName | Should -Be 'ShippyarDr.VerificationResult'
            $r.Level | Should -Be $level
            $r.Passed | Should -BeTrue
        }
        $catalog = $backup | Test-ShippyarBackup -Level Catalog
        $catalog.Checks.Name | Should -Contain 'pg_restore --list'
        $catalog.Checks.Name | Should -Contain 'Archive row counts'
    }

    It 'restores into a scratch database on the source server, checks rows and foreign keys, and drops it' {
        # No connection parameters for the server: it comes from the backup (Server binds by property name).
        $r = Get-ShippyarBackup -Repository $repo -Latest | Test-ShippyarBackup -Level Restore -Credential $sandbox.Credential
        $r.Passed | Should -BeTrue
        $r.Server | Should -Be "127.0.0.1:$($sandbox.Port)"
        $r.RestoreDuration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $r.Checks.Name | Should -Contain 'Rows public.orders'
        $r.Checks.Name | Should -Contain 'Foreign keys present'
        ($r.Checks | Where-Object Name -like 'Foreign key public.*').Count | Should -Be 3
        ($r.Checks | Where-Object Name -eq 'Scratch database dropped').Passed | Should -BeTrue
        Get-ScratchDatabases | Should -Be '0'
    }

    It 'the canonical pipeline yields nothing when all is well' {
        $failed = Get-ShippyarBackup -Repository $repo -Latest | Test-ShippyarBackup -Level Restore @conn | Where-Object Passed -eq $false
        $failed | Should -BeNullOrEmpty
    }

    It 'runs custom SQL checks; a wrong expectation fails the result, not the command' {
        $ok = @{ Name = 'orders'; Sql = 'SELECT count(*) FROM orders'; Expected = $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders') }
        $bad = @{ Name = 'impossible'; Sql = 'SELECT count(*) FROM users'; Expected = -1 }
        $r = $backup | Test-ShippyarBackup -Level Restore -Check $ok, $bad @conn -ErrorAction Stop
        $r.Passed | Should -BeFalse
        ($r.Checks | Where-Object Name -eq 'Check orders').Passed | Should -BeTrue
        ($r.Checks | Where-Object Name -eq 'Check impossible').Passed | Should -BeFalse
        ($r.Checks | Where-Object Name -eq 'Check impossible').Detail | Should -Match 'expected -1'
        Get-ScratchDatabases | Should -Be '0'
    }

    It 'rejects -Check without -Level Restore and malformed checks' {
        { $backup | Test-ShippyarBackup -Level Catalog -Check @{ Name = 'x'; Sql = 'SELECT 1'; Expected = 1 } } | Should -Throw -ErrorId 'CheckNeedsRestore,*'
        { $backup | Test-ShippyarBackup -Level Restore -Check @{ Name = 'x' } @conn } | Should -Throw -ErrorId 'InvalidCheck,*'
    }

    It 'finds a tampered byte at the Checksum level' {
        $copy = New-TestDirectory
        Copy-Item -Recurse (Join-Path $repo 'backup') $copy
        $dump = Join-Path $copy $backup.Prefix $backup.Files[0].Name
        $bytes = [IO.File]::ReadAllBytes($dump)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0xFF
        [IO.File]::WriteAllBytes($dump, $bytes)
        $r = Test-ShippyarBackup -Repository $copy -Id $backup.Id -Level Checksum
        $r.Passed | Should -BeFalse
        ($r.Checks | Where-Object Name -eq "Checksum $($backup.Files[0].Name)").Detail | Should -Match 'differs'
        Remove-Item -Recurse -Force $copy
    }

    It 'finds a truncated archive by its chunk digests, and at the Catalog level even when the manifest is edited to match it' {
        $copy = New-TestDirectory
        Copy-Item -Recurse (Join-Path $repo 'backup') $copy
        $dir = Join-Path $copy $backup.Prefix
        $stored = Join-Path $dir $backup.Files[0].Name
        $bytes = [IO.File]::ReadAllBytes($stored)
        $cut = $bytes[0..([int]($bytes.Length * 0.6))]
        [IO.File]::WriteAllBytes($stored, [byte[]]$cut)
        # A broken copy tool or an attacker that also fixed the size and checksum: the chunk digests still tell.
        $manifest = Get-Content "$dir/manifest.json" -Raw | ConvertFrom-Json -AsHashtable
        $manifest.Files[0].Size = $cut.Length
        $manifest.Files[0].Sha256 = (Get-FileHash -Algorithm SHA256 $stored).Hash.ToLowerInvariant()
        $manifest | ConvertTo-Json -Depth 10 | Set-Content "$dir/manifest.json"
        $r = Test-ShippyarBackup -Repository $copy -Id $backup.Id -Level Checksum
        $r.Passed | Should -BeFalse
        ($r.Checks | Where-Object Name -like 'Checksum *').Detail | Should -Match 'changed or damaged after it was written'
        # One that dropped the chunk list too (this backup is unsealed, in an unsealed repository): the archive itself must fail.
        $manifest.Files[0].Chunks = $null
        $manifest | ConvertTo-Json -Depth 10 | Set-Content "$dir/manifest.json"
        (Test-ShippyarBackup -Repository $copy -Id $backup.Id -Level Checksum).Passed | Should -BeTrue
        $r = Test-ShippyarBackup -Repository $copy -Id $backup.Id -Level Catalog
        $r.Passed | Should -BeFalse
        Remove-Item -Recurse -Force $copy
    }

    It 'binds -Repository and -Id by property name' {
        $row = [pscustomobject]@{ Repository = $repo; Id = $backup.Id }
        ($row | Test-ShippyarBackup -Level Checksum).BackupId | Should -Be $backup.Id
    }
}
