# Base backups through the cmdlets: a sandbox with a real tablespace, backed up to a directory and to S3 (encrypted),
# listed, verified up to a restore into a scratch cluster, copied, and judged by status.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $tablespace = Join-Path $sandbox.RootDirectory 'tablespace'
    New-Item -ItemType Directory -Path $tablespace | Out-Null
    if ([Environment]::UserName -eq 'root') { chown postgres: $tablespace }
    $sandbox.Execute('postgres', "CREATE TABLESPACE pester_ts LOCATION '$tablespace'")
    $sandbox.Execute('shippyar', 'CREATE TABLE moved TABLESPACE pester_ts AS SELECT * FROM users')
    $repo = New-TestDirectory
    $passphrase = 'base-Pester-Passphrase-71'
    $passFile = Join-Path $repo '../pass-base-pester'
    Set-Content -Path $passFile -Value $passphrase
    if (-not $IsWindows) { chmod 600 $passFile }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
    if ($passFile) { Remove-Item -Force $passFile -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ShippyarBackup -Tier Base' {
    BeforeAll {
        $backup = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository $repo
    }

    It 'takes a physical base backup of the whole cluster with every tablespace, its WAL and the backup_manifest' {
        $backup.PSTypeNames | Should -Contain 'ShippyarDr.BackupInfo'
        $backup.Tier | Should -Be 'Base'
        $backup.Kind | Should -Be 'Physical'
        $backup.Id | Should -Match '^\d{8}-\d{6}B-'
        $backup.Retention | Should -Be '30d'
        $backup.StorageClass | Should -Be 'STANDARD'
        $oid = $sandbox.QueryScalar('postgres', "SELECT oid FROM pg_tablespace WHERE spcname = 'pester_ts'")
        @($backup.Files.Name | Sort-Object) | Should -Be @("$oid.tar.zst", 'backup_manifest.zst', 'base.tar.zst', 'pg_wal.tar.zst')
        $backup.Physical.Tablespaces[0].Location | Should -Be $tablespace
        $backup.Physical.Timeline | Should -Be 1
        $backup.Physical.StartLsn | Should -Match '^[0-9A-F]+/[0-9A-F]+$'
        $backup.Physical.FirstWalSegment | Should -Match '^[0-9A-F]{24}$'
        $backup.Physical.ArchiveNeededFrom | Should -Be $backup.Physical.LastWalSegment
        (Get-ShippyarBackup -Repository $repo -Tier Base -Latest).Id | Should -Be $backup.Id
    }

    It 'passes Catalog and Restore (a scratch cluster with pg_amcheck), leaving no scratch directory or server behind' {
        $catalog = $backup | Test-ShippyarBackup -Level Catalog
        $catalog.Passed | Should -BeTrue
        $catalog.Checks.Name | Should -Contain 'Backup manifest complete'
        $r = Get-ShippyarBackup -Repository $repo -Tier Base -Latest | Test-ShippyarBackup -Level Restore -Check @{ Name = 'users moved'; Sql = 'SELECT count(*) FROM moved'; Database = 'shippyar'; Expected = $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM users') }
        $r.Passed | Should -BeTrue
        $r.Checks.Name | Should -Contain 'pg_amcheck shippyar'
        ($r.Checks | Where-Object Name -eq 'Check users moved').Passed | Should -BeTrue
        $r.Server | Should -Match '^127\.0\.0\.1:\d+ \(scratch cluster\)$'
        Test-Path $r.ScratchDataDirectory | Should -BeFalse
        (Get-Process | Where-Object { $_.CommandLine -like "*$($r.ScratchDataDirectory)*" }) | Should -BeNullOrEmpty
    }

    It 'fails -Level Recovery when the repository holds no WAL archive, and refuses a checkpoint mode for a dump' {
        $recovery = $backup | Test-ShippyarBackup -Level Recovery
        $recovery.Passed | Should -BeFalse
        ($recovery.Checks | Where-Object Name -eq 'WAL archive complete').Detail | Should -Match 'no WAL archive'
        $err = Get-ErrorRecords { Invoke-ShippyarBackup @conn -Database shippyar -Checkpoint Fast -Repository $repo }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotApplicable,*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Tier Base'
    }

    It 'is copied like any backup and judged by status with the Base tier''s age limit' {
        $copyTarget = New-TestDirectory
        try {
            $copy = $backup | Copy-ShippyarBackup -Destination $copyTarget
            $copy.Id | Should -Be $backup.Id
            ($copy | Test-ShippyarBackup -Level Catalog).Passed | Should -BeTrue
            $status = Get-ShippyarBackupStatus -Repository $copyTarget | Where-Object Tier -eq 'Base'
            $status.Status | Should -Be 'OK'
            Start-Sleep -Seconds 1
            (Get-ShippyarBackupStatus -Repository $copyTarget -MaxAge 1s | Where-Object Tier -eq 'Base').Status | Should -Be 'Alert'
        }
        finally { Remove-Item -Recurse -Force $copyTarget -ErrorAction SilentlyContinue }
    }
}

Describe 'Base backups to S3, encrypted and sealed' {
    BeforeAll { $s3 = Start-TestS3Server }
    AfterAll { Stop-TestS3Server $s3 }

    It 'streams the archives into S3 encrypted, and the scratch restore reads them back' {
        $s3Args = @{ S3Endpoint = $s3.Endpoint; S3Credential = $s3.Credential }
        $url = "$($s3.Url)/base"
        $b = Invoke-ShippyarBackup @conn @s3Args -Tier Base -Checkpoint Fast -Repository $url -PassphraseFile $passFile
        $b.Authentication | Should -Be 'Mac'
        $b.Files | ForEach-Object { $_.Encryption.Mode | Should -Be 'passphrase' }
        { Get-ShippyarBackup @s3Args -Repository $url -Latest | Test-ShippyarBackup @s3Args -Level Catalog } | Should -Throw -ErrorId 'DecryptionKeyRequired,*'
        $r = Get-ShippyarBackup @s3Args -Repository $url -Latest | Test-ShippyarBackup @s3Args -Level Restore -PassphraseFile $passFile
        $r.Passed | Should -BeTrue
        $r.Authenticated | Should -BeTrue
        Test-Path $r.ScratchDataDirectory | Should -BeFalse
    }
}
