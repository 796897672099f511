BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ShippyarBackup' {
    It 'returns a BackupInfo whose manifest, checksum and row counts describe the dump' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
        $b.GetType().FullName | Should -Be 'ShippyarDr.BackupInfo'
        $b.PSObject.TypeNames[0] | Should -Be 'ShippyarDr.BackupInfo'
        $b.Status | Should -Be 'Complete'
        $b.Tier | Should -Be 'Daily'
        $b.Server | Should -Be "127.0.0.1:$($sandbox.Port)"
        $b.ServerVersion | Should -Match '^15\.'
        $b.SystemIdentifier | Should -Match '^\d+$'
        $b.ToolVersions['pg_dump'] | Should -Match '^15\.'
        $b.EndTime | Should -BeGreaterThan $b.StartTime
        $manifest = Join-Path $repo $b.Prefix manifest.json
        $manifest | Should -Exist
        $dump = Join-Path $repo $b.Prefix data.dump.zst
        (Get-Item $dump).Length | Should -Be $b.Size
        (Get-FileHash -Algorithm SHA256 $dump).Hash.ToLowerInvariant() | Should -Be $b.Files[0].Sha256
        ($b.Tables | Where-Object Name -eq 'orders').Rows | Should -Be ([long]$sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders'))
        ($b.Tables | Where-Object Name -eq 'order_items').Rows | Should -Be ([long]$sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM order_items'))
        $b.ForeignKeys.Count | Should -Be 3
    }

    It 'takes database names from the pipeline and backs up each' {
        $sandbox.Execute('postgres', 'CREATE DATABASE pipeline_a')
        $sandbox.Execute('pipeline_a', 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)')
        $backups = 'shippyar', 'pipeline_a' | Invoke-ShippyarBackup @conn -Repository $repo
        $backups.Database | Should -Be @('shippyar', 'pipeline_a')
        ($backups[1].Tables | Where-Object Name -eq 't').Rows | Should -Be 10
    }

    It 'lists backups newest first and filters them with Get-ShippyarBackup' {
        $all = Get-ShippyarBackup -Repository $repo
        $all.Count | Should -BeGreaterOrEqual 3
        $all[0].EndTime | Should -BeGreaterOrEqual $all[-1].EndTime
        $latest = Get-ShippyarBackup -Repository $repo -Latest
        ($latest | Group-Object Database | Where-Object Count -gt 1) | Should -BeNullOrEmpty
        (Get-ShippyarBackup -Repository $repo -Database 'pipe*').Database | Sort-Object -Unique | Should -Be 'pipeline_a'
        (Get-ShippyarBackup -Repository $repo -Id $all[-1].Id).Id | Should -Be $all[-1].Id
    }

    It 'never passes the password on a child command line, and never shows it' {
        # A pg_dump stand-in that records its argv and whether PGPASSWORD arrived, then runs the real pg_dump.
        $bin = New-TestDirectory
        foreach ($tool in 'pg_dump', 'pg_restore', 'psql') {
            $shim = Join-Path $bin $tool
            Set-Content $shim "#!/bin/sh`nprintf '%s\n' `"`$0`" `"`$@`" >> '$bin/argv.log'`n[ -n `"`$PGPASSWORD`" ] && echo env-password-present >> '$bin/argv.log'`nexec /usr/lib/postgresql/15/bin/$tool `"`$@`"`n"
            chmod +x $shim
        }
        $env:SHIPPYAR_PG_BINDIR = $bin
        try {
            $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_.PSTypeNames -contains 'ShippyarDr.BackupInfo' }
            $verbose = $all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        } finally { Remove-Item Env:SHIPPYAR_PG_BINDIR }
        $password = $sandbox.GetPassword()
        $log = Get-Content "$bin/argv.log" -Raw
        $log | Should -Match 'pg_dump'
        $log | Should -Match 'env-password-present'
        $log | Should -Not -Match ([regex]::Escape($password))
        $verbose | Should -Not -BeNullOrEmpty
        ($verbose | Out-String) | Should -Not -Match ([regex]::Escape($password))
        Get-Content (Join-Path $repo $b.Prefix manifest.json) -Raw | Should -Not -Match ([regex]::Escape($password))
        Remove-Item -Recurse -Force $bin
    }

    Context 'bad input gives ErrorRecords with an id and a category' {
        It 'an unknown database' {
            Invoke-ShippyarBackup @conn -Database no_such_db -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -Match 'no_such_db'
        }
        It 'an unreachable server' {
            $port = $sandbox.GetType()::FreeLoopbackPort()
            Invoke-ShippyarBackup -Server 127.0.0.1 -Port $port -Credential $sandbox.Credential -Database shippyar -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ServerUnreachable,*'
            $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $err[0].Exception.Message | Should -Match "127.0.0.1:$port"
        }
        It 'a wrong password, without echoing it' {
            $bad = [pscredential]::new('postgres', (ConvertTo-SecureString 'Wr0ng-Secret-xyz' -AsPlainText -Force))
            Invoke-ShippyarBackup -Server $sandbox.Server -Port $sandbox.Port -Credential $bad -Database shippyar -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
            $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            ($err | Out-String) | Should -Not -Match 'Wr0ng-Secret-xyz'
            $err[0].Exception.ToString() | Should -Not -Match 'Wr0ng-Secret-xyz'
        }
        It 'an object lock for a directory repository, or a lock mode without days, before connecting' {
            $before = @(Get-ChildItem -Recurse -File $repo).Count
            Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -ObjectLockDays 7 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ObjectLockNotSupported,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -Match ([regex]::Escape($repo))
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'ObjectLockDays'
            Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -ObjectLockMode Governance -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ObjectLockModeWithoutDays,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -ObjectLockDays 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
            @(Get-ChildItem -Recurse -File $repo).Count | Should -Be $before
        }
        It 'a missing repository' {
            Invoke-ShippyarBackup @conn -Database shippyar -Repository (Join-Path $repo 'not-there') -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Join-Path $repo 'not-there' | Should -Not -Exist
        }
        It 'no pg_dump on the machine' {
            $empty = New-TestDirectory
            $env:SHIPPYAR_PG_BINDIR = $empty
            try {
                Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue
            } finally { Remove-Item Env:SHIPPYAR_PG_BINDIR }
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PgToolNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'NotInstalled'
            $err[0].Exception.Message | Should -Match 'pg_dump'
        }
        It 'an unknown backup id' {
            Get-ShippyarBackup -Repository $repo -Id 'no-such-id' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
            Test-ShippyarBackup -Repository $repo -Id 'no-such-id' -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
            $err2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
        It 'stops the pipeline with -ErrorAction Stop' {
            { Invoke-ShippyarBackup @conn -Database no_such_db -Repository $repo -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,*'
        }
    }

    Context 'an interrupted backup never looks complete' {
        It 'leaves no manifest and no files when pg_dump dies mid-stream' {
            $bin = New-TestDirectory
            # Emits the first 64 KB of a real dump, then fails like a killed pg_dump.
            Set-Content (Join-Path $bin 'pg_dump') "#!/bin/bash`n[ `"`$1`" = --version ] && exec /usr/lib/postgresql/15/bin/pg_dump --version`n/usr/lib/postgresql/15/bin/pg_dump `"`$@`" | head -c 65536`necho 'pg_dump: error: connection lost' >&2`nexit 1`n"
            chmod +x (Join-Path $bin 'pg_dump')
            $before = @(Get-ShippyarBackup -Repository $repo).Count
            $env:SHIPPYAR_PG_BINDIR = $bin
            try {
                Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue
            } finally { Remove-Item Env:SHIPPYAR_PG_BINDIR }
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PgDumpFailed,*'
            $err[0].Exception.Message | Should -Match 'connection lost'
            @(Get-ShippyarBackup -Repository $repo).Count | Should -Be $before
            Get-ChildItem -Recurse -File (Join-Path $repo 'backup') | Where-Object { -not (Test-Path (Join-Path $_.DirectoryName 'manifest.json')) } | Should -BeNullOrEmpty
            Remove-Item -Recurse -Force $bin
        }

        It 'Ctrl+C (StopProcessing) kills pg_dump and leaves no backup' {
            $bin = New-TestDirectory
            # A slow pg_dump: sends a little, then waits, so the stop lands mid-dump. Records its pid.
            Set-Content (Join-Path $bin 'pg_dump') "#!/bin/bash`n[ `"`$1`" = --version ] && exec /usr/lib/postgresql/15/bin/pg_dump --version`necho `$`$ > '$bin/pid'`n/usr/lib/postgresql/15/bin/pg_dump `"`$@`" | head -c 4096`nexec sleep 60`n"
            chmod +x (Join-Path $bin 'pg_dump')
            $before = @(Get-ShippyarBackup -Repository $repo).Count
            $env:SHIPPYAR_PG_BINDIR = $bin
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddCommand('Import-Module').AddArgument($script:ModulePath).AddStatement()
                $null = $ps.AddCommand('Invoke-ShippyarBackup').AddParameters(@{
                        Server = $sandbox.Server; Port = $sandbox.Port; Credential = $sandbox.Credential
                        Database = 'shippyar'; Repository = $repo })
                $async = $ps.BeginInvoke()
                $deadline = (Get-Date).AddSeconds(30)
                while (-not (Test-Path "$bin/pid") -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
                Start-Sleep -Milliseconds 500
                $dumpPid = [int](Get-Content "$bin/pid")
                $ps.Stop()
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            } finally {
                Remove-Item Env:SHIPPYAR_PG_BINDIR
                $ps.Dispose()
            }
            Start-Sleep -Milliseconds 500
            Get-Process -Id $dumpPid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            @(Get-ShippyarBackup -Repository $repo).Count | Should -Be $before
            Remove-Item -Recurse -Force $bin
        }
    }
}
