BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $backup = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
    $orders = [long]$sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Restore-ShippyarDatabase' {
    It 'restores into a new database without a safety backup' {
        $r = $backup | Restore-ShippyarDatabase -TargetDatabase shippyar_copy @conn
        $r.GetType().FullName | Should -Be 'ShippyarDr.RestoreResult'
        $r.Passed | Should -BeTrue
        $r.ReplacedExisting | Should -BeFalse
        $r.SafetyBackupId | Should -BeNullOrEmpty
        [long]$sandbox.QueryScalar('shippyar_copy', 'SELECT count(*) FROM orders') | Should -Be $orders
        ($r.Tables | Where-Object Table -eq 'public.orders').LatestCreatedAt | Should -Not -BeNullOrEmpty
        ($r.Tables | Where-Object Table -eq 'public.order_items').LatestCreatedAt | Should -BeNullOrEmpty
        $sandbox.QueryScalar('shippyar_copy', "SELECT count(*) FROM pg_constraint WHERE contype = 'f'") | Should -Be '3'
    }

    It '-WhatIf leaves an existing target untouched' {
        $sandbox.Execute('shippyar', "INSERT INTO users VALUES (99999999, 'whatif@example.com', 'What If', now(), NULL)")
        $backup | Restore-ShippyarDatabase -Force -WhatIf @conn | Should -BeNullOrEmpty
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM users WHERE id = 99999999') | Should -Be '1'
        @(Get-ShippyarBackup -Repository $repo -Tier Safety).Count | Should -Be 0
    }

    It 'replaces an existing database after a safety backup, ending its sessions' {
        # The row added after the backup disappears with the restore but survives in the safety backup.
        $holder = Start-ThreadJob { ($using:sandbox).QueryScalar('shippyar', 'SELECT pg_sleep(120)') }
        $deadline = (Get-Date).AddSeconds(20)
        while ($sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%'") -eq '0' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $r = $backup | Restore-ShippyarDatabase -Confirm:$false @conn
        $r.Passed | Should -BeTrue
        $r.ReplacedExisting | Should -BeTrue
        $r.SafetyBackupId | Should -Not -BeNullOrEmpty
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM users WHERE id = 99999999') | Should -Be '0'
        $safety = Get-ShippyarBackup -Repository $repo -Id $r.SafetyBackupId
        $safety.Tier | Should -Be 'Safety'
        $safety.ReasonBackupId | Should -Be $backup.Id
        ($safety.Tables | Where-Object Name -eq 'users').Rows | Should -Be (($backup.Tables | Where-Object Name -eq 'users').Rows + 1)
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar_re%'") | Should -Be '0'
        # The session that held the old database open was ended, not waited for.
        $holder | Wait-Job -Timeout 20 | Out-Null
        $holder.State | Should -Not -Be 'Running'
        $holder | Receive-Job -ErrorVariable jobErrors -ErrorAction SilentlyContinue
        ($jobErrors | Out-String) | Should -Match 'terminat'
        $holder | Remove-Job -Force
    }

    It 'replaces with -Force and takes the target from the backup by default' {
        $r = Restore-ShippyarDatabase -Repository $repo -Id $backup.Id -Force @conn
        $r.TargetDatabase | Should -Be 'shippyar'
        $r.SafetyBackupId | Should -Not -BeNullOrEmpty
    }

    It 'leaves the target as it was when the restore fails' {
        $sandbox.Execute('shippyar', "INSERT INTO users VALUES (88888888, 'keep@example.com', 'Keep', now(), NULL)")
        $bin = New-TestDirectory
        Set-Content (Join-Path $bin 'pg_restore') "#!/bin/sh`n[ `"`$1`" = --version ] && exec /usr/lib/postgresql/15/bin/pg_restore --version`necho 'pg_restore: error: simulated failure' >&2`nexit 1`n"
        chmod +x (Join-Path $bin 'pg_restore')
        Copy-Item /usr/lib/postgresql/15/bin/pg_dump $bin
        $env:SHIPPYAR_PG_BINDIR = $bin
        try {
            $backup | Restore-ShippyarDatabase -Force @conn -ErrorVariable err -ErrorAction SilentlyContinue
        } finally { Remove-Item Env:SHIPPYAR_PG_BINDIR }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PgRestoreFailed,*'
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM users WHERE id = 88888888') | Should -Be '1'
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar_re%'") | Should -Be '0'
        Remove-Item -Recurse -Force $bin
    }

    It 'declares ConfirmImpact High and ShouldProcess' {
        $meta = [System.Management.Automation.CommandMetadata]::new((Get-Command Restore-ShippyarDatabase))
        $meta.ConfirmImpact | Should -Be 'High'
        $meta.SupportsShouldProcess | Should -BeTrue
    }
}

Describe 'System databases' {
    It 'never restores over template0 or template1, even with -Force' {
        foreach ($template in 'template0', 'template1') {
            $backup | Restore-ShippyarDatabase -TargetDatabase $template -Force @conn -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TemplateDatabaseTarget,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        $sandbox.QueryScalar('template1', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") | Should -Be '0'
        @(Get-ShippyarBackup -Repository $repo -Tier Safety | Where-Object Database -like 'template*').Count | Should -Be 0
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
    }

    It 'replaces postgres only with -Force: -Confirm:$false is not enough' {
        $fresh = New-ShippyarSandbox
        try {
            $on = @{ Server = $fresh.Server; Port = $fresh.Port; Credential = $fresh.Credential }
            $fresh.Execute('postgres', 'CREATE TABLE monitoring (id int)')
            $safetyBefore = @(Get-ShippyarBackup -Repository $repo -Tier Safety).Count
            $backup | Restore-ShippyarDatabase -TargetDatabase postgres -Confirm:$false @on -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PostgresDatabaseTarget,*'
            $err[0].ErrorDetails.Message | Should -Match '-Force'
            $fresh.QueryScalar('postgres', "SELECT count(*) FROM pg_tables WHERE tablename = 'monitoring'") | Should -Be '1'
            @(Get-ShippyarBackup -Repository $repo -Tier Safety).Count | Should -Be $safetyBefore

            $r = $backup | Restore-ShippyarDatabase -TargetDatabase postgres -Force @on
            $r.ReplacedExisting | Should -BeTrue
            $r.SafetyBackupId | Should -Not -BeNullOrEmpty
            $fresh.QueryScalar('postgres', 'SELECT count(*) FROM orders') | Should -Be $orders
        } finally { $fresh | Remove-ShippyarSandbox -Confirm:$false }
    }

    It 'Restore-ShippyarCluster replaces a postgres that is not empty only with -Force' {
        $pass = ConvertTo-SecureString 'weekly-Pester-9' -AsPlainText -Force
        $weekly = Invoke-ShippyarBackup @conn -Tier Weekly -Repository $repo -Passphrase $pass
        $weekly.Databases.Name | Should -Not -Contain 'template1'
        $weekly.Databases.Name | Should -Not -Contain 'template0'
        $fresh = New-ShippyarSandbox
        try {
            $on = @{ Server = $fresh.Server; Port = $fresh.Port; Credential = $fresh.Credential }
            $fresh.Execute('postgres', 'CREATE TABLE monitoring (id int)')
            $weekly | Restore-ShippyarCluster -Passphrase $pass -Confirm:$false @on -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PostgresDatabaseTarget,*'
            $fresh.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'shippyar'") | Should -Be '0'
            $r = $weekly | Restore-ShippyarCluster -Passphrase $pass -Force @on
            $r.Passed | Should -BeTrue
            $fresh.QueryScalar('postgres', "SELECT count(*) FROM pg_tables WHERE tablename = 'monitoring'") | Should -Be '0'
        } finally { $fresh | Remove-ShippyarSandbox -Confirm:$false }
    }
}
