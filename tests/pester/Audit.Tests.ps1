# The audit trail through the cmdlets, in both stores: a repository's own log (audit/ in it) and a registered catalog
# database (shippyar_catalog.backup_audit in the sandbox). One record per operation, with the right columns.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $server = "$($sandbox.Server):$($sandbox.Port)"
    $work = New-TestDirectory
    # A configuration of our own; the audit spool sits beside it.
    $savedConfig = $env:SHIPPYAR_CONFIG
    $env:SHIPPYAR_CONFIG = Join-Path $work 'repositories.json'
    $env:SHIPPYAR_TEST_AUDIT_PW = $sandbox.Credential.GetNetworkCredential().Password
    $sandbox.Execute('postgres', 'CREATE DATABASE audit_catalog')
    $logRepo = New-Item -ItemType Directory (Join-Path $work 'log-repo')
    $catalogRepo = New-Item -ItemType Directory (Join-Path $work 'catalog-repo')
    Register-ShippyarRepository -Name logged -Location $logRepo | Out-Null
    Register-ShippyarRepository -Name catalogued -Location $catalogRepo -AuditServer $server -AuditDatabase audit_catalog -AuditUser postgres `
        -AuditPasswordVariable SHIPPYAR_TEST_AUDIT_PW | Out-Null
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($savedConfig) { $env:SHIPPYAR_CONFIG = $savedConfig } else { Remove-Item env:SHIPPYAR_CONFIG -ErrorAction SilentlyContinue }
    Remove-Item env:SHIPPYAR_TEST_AUDIT_PW -ErrorAction SilentlyContinue
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
}

Describe 'The audit trail in <Name>' -ForEach @(
    @{ Name = 'the repository log'; Repository = 'logged'; Target = 'audited_log' }
    @{ Name = 'a catalog database'; Repository = 'catalogued'; Target = 'audited_catalog' }
) {
    BeforeAll {
        $started = [DateTimeOffset]::UtcNow.AddSeconds(-1)
        $backup = Invoke-ShippyarBackup @conn -Database shippyar -Repository $Repository -ErrorAction Stop
        $verified = $backup | Test-ShippyarBackup -Level Catalog
        $drilled = $backup | Test-ShippyarBackup -Level Restore @conn
        $restored = $backup | Restore-ShippyarDatabase -TargetDatabase $Target @conn
        Invoke-ShippyarBackup @conn -Database no_such_database -Repository $Repository -ErrorVariable failure -ErrorAction SilentlyContinue | Out-Null
        $log = @(Get-ShippyarAuditLog -Repository $Repository)
    }

    It 'holds one record per operation, newest first, as typed objects' {
        $log.Count | Should -Be 5
        ($log | ForEach-Object { "$($_.Operation)/$($_.Status)" }) -join ' ' | Should -Be 'Backup/Failed Restore/Succeeded Drill/Succeeded Verify/Succeeded Backup/Succeeded'
        $log[0].GetType().FullName | Should -Be 'ShippyarDr.Audit.AuditRecord'
        @($log | Where-Object { $_.CreatedAt -lt $started }).Count | Should -Be 0
        $log[0].CreatedAt | Should -BeGreaterOrEqual $log[1].CreatedAt
        ($log | Format-Table | Out-String -Width 250) | Should -BeLike '*Operation*Status*PerformedBy*'
    }

    It 'records the backup with its id, folder, size, tier, server and who took it' {
        $r = $log | Where-Object { $_.Operation -eq 'Backup' -and $_.Status -eq 'Succeeded' }
        $r.BackupId | Should -Be $backup.Id
        $r.BackupFile | Should -Be "$($backup.Repository)/$($backup.Prefix)"
        $r.Size | Should -Be $backup.Size
        $r.Tier | Should -Be 'Daily'
        $r.Database | Should -Be 'shippyar'
        $r.Server | Should -Be $server
        $r.PerformedBy | Should -Be "os:$([Environment]::UserName) pg:postgres"
        $r.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $r.Error | Should -BeNullOrEmpty
    }

    It 'records the verification, the drill and the restore of that backup' {
        $verified.Passed | Should -BeTrue
        $drilled.Passed | Should -BeTrue
        $restored.Passed | Should -BeTrue
        foreach ($op in 'Verify', 'Drill', 'Restore') {
            $r = $log | Where-Object Operation -eq $op
            $r.BackupId | Should -Be $backup.Id
            $r.Size | Should -Be $backup.Size
        }
        ($log | Where-Object Operation -eq 'Restore').Database | Should -Be $Target
        ($log | Where-Object Operation -eq 'Restore').Server | Should -Be $server
        ($log | Where-Object Operation -eq 'Drill').PerformedBy | Should -BeLike '* pg:postgres'
    }

    It 'records a failed backup with its error' {
        $failure.Count | Should -Be 1
        $r = $log[0]
        $r.Status | Should -Be 'Failed'
        $r.Database | Should -Be 'no_such_database'
        $r.Error | Should -Be $failure[0].Exception.Message
        $r.BackupId | Should -BeNullOrEmpty
    }

    It 'filters by operation, status, database, tier, time and count' {
        @(Get-ShippyarAuditLog -Repository $Repository -Operation Backup).Count | Should -Be 2
        @(Get-ShippyarAuditLog -Repository $Repository -Operation Backup -Status Failed).Database | Should -Be 'no_such_database'
        @(Get-ShippyarAuditLog -Repository $Repository -Status Succeeded -Operation Verify, Drill).Count | Should -Be 2
        @(Get-ShippyarAuditLog -Repository $Repository -Database $Target).Operation | Should -Be 'Restore'
        @(Get-ShippyarAuditLog -Repository $Repository -Tier Daily).Count | Should -Be 5
        @(Get-ShippyarAuditLog -Repository $Repository -Tier Weekly, Base).Count | Should -Be 0
        @(Get-ShippyarAuditLog -Repository $Repository -Last 2).Id | Should -Be @($log[0].Id, $log[1].Id)
        @(Get-ShippyarAuditLog -Repository $Repository -Since ([DateTimeOffset]::UtcNow.AddMinutes(1))).Count | Should -Be 0
        @(Get-ShippyarAuditLog -Repository $Repository -Until $started).Count | Should -Be 0
        @(Get-ShippyarAuditLog -Repository $Repository -Since $log[1].CreatedAt).Count | Should -Be 2
    }

    It 'keeps the records where the repository says' {
        $inRepository = @(Get-ChildItem -Recurse -File (Join-Path $(if ($Repository -eq 'logged') { $logRepo } else { $catalogRepo }) 'audit') -ErrorAction SilentlyContinue)
        $rows = [int]$sandbox.QueryScalar('audit_catalog', "SELECT count(*) FROM pg_tables WHERE schemaname = 'shippyar_catalog'")
        if ($Repository -eq 'logged') {
            $inRepository.Count | Should -Be 5
            $inRepository[0].FullName | Should -Match '/audit/\d{4}/\d{2}/\d{8}T\d{13}Z-[0-9a-f]{32}\.json$'
            # Listing backups never walks the log.
            @(Get-ShippyarBackup -Repository logged).Count | Should -Be 1
        }
        else {
            $inRepository.Count | Should -Be 0
            $rows | Should -Be 1
            $sandbox.QueryScalar('audit_catalog', 'SELECT count(*) FROM shippyar_catalog.backup_audit') | Should -Be '5'
            $direct = @(Get-ShippyarAuditLog -AuditServer $server -AuditDatabase audit_catalog -AuditCredential $sandbox.Credential -Operation Restore)
            $direct.Id | Should -Be ($log | Where-Object Operation -eq 'Restore').Id
        }
    }
}

Describe 'Audit edge cases' {
    It 'records a table-data restore, a removal and a retention run (and nothing for their -WhatIf)' {
        $repo = New-Item -ItemType Directory (Join-Path $work 'more-ops')
        $first = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
        $second = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
        $sandbox.Execute('shippyar', 'DELETE FROM shipments WHERE order_id = 7; DELETE FROM order_items WHERE order_id = 7; DELETE FROM orders WHERE id = 7')
        $second | Restore-ShippyarTableData -Table orders -Where 'id = 7' -TargetDatabase shippyar -WhatIf @conn | Out-Null
        $rows = $second | Restore-ShippyarTableData -Table orders -Where 'id = 7' -TargetDatabase shippyar -Force @conn
        $rows.RowsInserted | Should -Be 1
        Invoke-ShippyarRetention -Repository $repo -WhatIf | Out-Null
        Invoke-ShippyarRetention -Repository $repo -Confirm:$false | Out-Null
        $first | Remove-ShippyarBackup -Confirm:$false | Out-Null

        $log = @(Get-ShippyarAuditLog -Repository $repo)
        ($log | ForEach-Object { "$($_.Operation)/$($_.Status)" }) -join ' ' | Should -Be 'Remove/Succeeded Retention/Succeeded TableDataRestore/Succeeded Backup/Succeeded Backup/Succeeded'
        $table = $log | Where-Object Operation -eq 'TableDataRestore'
        ($table.BackupId, $table.Database, $table.PerformedBy) | Should -Be @($second.Id, 'shippyar', "os:$([Environment]::UserName) pg:postgres")
        ($log | Where-Object Operation -eq 'Remove').BackupId | Should -Be $first.Id
        ($log | Where-Object Operation -eq 'Retention').Size | Should -Be 0
    }

    It 'records a copy in the destination, and writes nothing for -WhatIf or a refused request' {
        $b = Get-ShippyarBackup -Repository logged -Latest -Database shippyar
        $dest = New-Item -ItemType Directory (Join-Path $work 'copy-dest')
        $copy = $b | Copy-ShippyarBackup -Destination $dest
        $r = @(Get-ShippyarAuditLog -Repository $dest)
        $r.Count | Should -Be 1
        ($r[0].Operation, $r[0].Status, $r[0].BackupId) | Should -Be @('Copy', 'Succeeded', $b.Id)
        $r[0].BackupFile | Should -Be "$($copy.Repository)/$($copy.Prefix)"

        $b | Restore-ShippyarDatabase -TargetDatabase whatif_target -WhatIf @conn | Out-Null
        Invoke-ShippyarBackup @conn -Database shippyar -Repository $dest -Recipient nobody@example.com -ErrorAction SilentlyContinue | Out-Null
        @(Get-ShippyarAuditLog -Repository $dest).Count | Should -Be 1
        @(Get-ShippyarAuditLog -Repository logged -Database whatif_target).Count | Should -Be 0
    }

    It 'an audit catalog that cannot be reached is a warning: the backup succeeds and the record waits in the spool' {
        $down = New-Item -ItemType Directory (Join-Path $work 'down-repo')
        # Port 1 on loopback: nothing listens there.
        Register-ShippyarRepository -Name down -Location $down -AuditServer '127.0.0.1:1' -AuditDatabase nowhere -AuditUser postgres | Out-Null
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository down -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        $b.Id | Should -Not -BeNullOrEmpty
        @($warned | Where-Object { $_.Message -like '*audit record of this Backup could not be written to the audit catalog nowhere*' }).Count | Should -Be 1
        $spooled = @(Get-ChildItem -Recurse -File (Join-Path $work 'audit-spool') -Filter *.json)
        $spooled.Count | Should -Be 1
        (Get-Content -Raw $spooled[0].FullName | ConvertFrom-Json).backup_id | Should -Be $b.Id
        (Get-Content -Raw $spooled[0].FullName) | Should -Not -BeLike "*$env:SHIPPYAR_TEST_AUDIT_PW*"
    }

    It 'a record the catalog did not take goes with the next record it takes' {
        $later = New-Item -ItemType Directory (Join-Path $work 'later-repo')
        Register-ShippyarRepository -Name later -Location $later -AuditServer $server -AuditDatabase later_catalog -AuditUser postgres `
            -AuditPasswordVariable SHIPPYAR_TEST_AUDIT_PW | Out-Null
        $first = Invoke-ShippyarBackup @conn -Database shippyar -Repository later -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        @($warned | Where-Object { $_.Message -like '*audit catalog later_catalog*does not exist*' }).Count | Should -Be 1
        $sandbox.Execute('postgres', 'CREATE DATABASE later_catalog')
        $second = $first | Test-ShippyarBackup -WarningVariable again -WarningAction SilentlyContinue
        $second.Passed | Should -BeTrue
        $again | Should -BeNullOrEmpty
        $log = @(Get-ShippyarAuditLog -Repository later)
        ($log | ForEach-Object { "$($_.Operation):$($_.BackupId)" }) | Should -Be @("Verify:$($first.Id)", "Backup:$($first.Id)")
    }

    It 'records failed cluster and point-in-time restores as RestoreCluster and PointInTimeRestore' {
        Restore-ShippyarCluster -Repository logged -Id 20260101-000000W-00000000 @conn -Force -ErrorVariable e1 -ErrorAction SilentlyContinue | Out-Null
        $e1.Count | Should -Be 1
        $recovered = Join-Path $work 'recovered'
        Restore-ShippyarCluster -Repository logged -DataDirectory $recovered -Latest -Force -ErrorVariable e2 -ErrorAction SilentlyContinue | Out-Null
        $e2.Count | Should -Be 1
        $cluster = Get-ShippyarAuditLog -Repository logged -Operation RestoreCluster
        ($cluster.Status, $cluster.BackupId, $cluster.Server, $cluster.Error) | Should -Be @('Failed', '20260101-000000W-00000000', $server, $e1[0].Exception.Message)
        $pitr = Get-ShippyarAuditLog -Repository logged -Operation PointInTimeRestore
        ($pitr.Status, $pitr.Tier, $pitr.Server, $pitr.Error) | Should -Be @('Failed', 'Base', $recovered, $e2[0].Exception.Message)
    }

    It 'registers the catalog by reference only, and completes -Operation and -Status' {
        $config = Get-Content -Raw $env:SHIPPYAR_CONFIG | ConvertFrom-Json
        $config.repositories.catalogued.audit.passwordVariable | Should -Be 'SHIPPYAR_TEST_AUDIT_PW'
        (Get-Content -Raw $env:SHIPPYAR_CONFIG) | Should -Not -BeLike "*$env:SHIPPYAR_TEST_AUDIT_PW*"
        (Get-ShippyarRepository -Name catalogued).Audit | Should -Be "audit_catalog on $server as postgres"
        (Get-ShippyarRepository -Name logged).Audit | Should -Be 'repository log'
        $line = 'Get-ShippyarAuditLog -Repository logged -Operation Po'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be 'PointInTimeRestore'
        $line = 'Get-ShippyarAuditLog -Repository logged -Status Ca'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be 'Cancelled'
    }

    It 'records a Weekly backup of the cluster and a cluster restore of it' {
        $weeklyRepo = New-Item -ItemType Directory (Join-Path $work 'weekly-repo')
        $pass = Join-Path $work 'weekly.pass'
        Set-Content -Path $pass -Value 'Audit-Weekly-Phrase-7351'
        chmod 600 $pass
        $w = Invoke-ShippyarBackup @conn -Tier Weekly -Repository $weeklyRepo -PassphraseFile $pass -ErrorAction Stop
        $r = Restore-ShippyarCluster -Repository $weeklyRepo -Id $w.Id -Database audited_log -SkipGlobals -Force -PassphraseFile $pass @conn
        $r.Passed | Should -BeTrue
        $log = @(Get-ShippyarAuditLog -Repository $weeklyRepo)
        ($log | ForEach-Object { "$($_.Operation)/$($_.Status)/$($_.Tier)/$($_.BackupId)" }) | Should -Be @("RestoreCluster/Succeeded/Weekly/$($w.Id)", "Backup/Succeeded/Weekly/$($w.Id)")
        @($log | Where-Object Database).Count | Should -Be 0
        $log[0].Server | Should -Be $server
        $log[0].Size | Should -Be $w.Size
        $log[1].BackupFile | Should -Be "$($w.Repository)/$($w.Prefix)"
    }
}
