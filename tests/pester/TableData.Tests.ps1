BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $backup = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
    $first = $sandbox.QueryScalar('shippyar', "SELECT to_char(date_trunc('day', min(created_at)) + interval '5 days', 'YYYY-MM-DD') FROM orders")
    $day = "created_at >= timestamptz '$first 00:00:00+00' AND created_at < timestamptz '$first 00:00:00+00' + interval '1 day'"
    $itemsOfDay = "order_id IN (SELECT id FROM orders WHERE $day)"
    function Get-Fingerprint([string] $Table, [string] $Where, [string] $Order) {
        $sandbox.QueryScalar('shippyar', "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY $Order)), '') FROM $Table t WHERE $Where")
    }
    function Get-ScratchCount { $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar\_tabledata\_%'") }
    $ordersDay = Get-Fingerprint orders $day id
    $itemsDay = Get-Fingerprint order_items $itemsOfDay 'order_id, line_no'
    $otherOrders = Get-Fingerprint orders "NOT ($day)" id
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Restore-ShippyarTableData' {
    It 'brings back a day of deleted orders and their items exactly, parents first, and drops its scratch database' {
        $sandbox.Execute('shippyar', "DELETE FROM shipments WHERE $itemsOfDay; DELETE FROM order_items WHERE $itemsOfDay; DELETE FROM orders WHERE $day")
        Get-Fingerprint orders $day id | Should -Be '0:'

        $r = @($backup | Restore-ShippyarTableData -Table order_items, orders -Where $day -Confirm:$false @conn)
        $r.Count | Should -Be 2
        $r[0].GetType().FullName | Should -Be 'ShippyarDr.TableDataResult'
        $r.Table | Should -Be @('public.orders', 'public.order_items')
        $r[0].TargetDatabase | Should -Be 'shippyar'
        $r[0].RowsInserted | Should -Be ([long]$ordersDay.Split(':')[0])
        $r[1].RowsInserted | Should -Be (3 * [long]$ordersDay.Split(':')[0])
        Get-Fingerprint orders $day id | Should -Be $ordersDay
        Get-Fingerprint order_items $itemsOfDay 'order_id, line_no' | Should -Be $itemsDay
        Get-Fingerprint orders "NOT ($day)" id | Should -Be $otherOrders
        Get-ScratchCount | Should -Be '0'
        ($r | Format-Table | Out-String) | Should -Match 'Inserted'
    }

    It '-WhatIf restores the scratch copy and counts, writing nothing' {
        $sandbox.Execute('shippyar', "UPDATE orders SET status = 'changed' WHERE ($day) AND id % 2 = 0")
        $changed = [long]$sandbox.QueryScalar('shippyar', "SELECT count(*) FROM orders WHERE status = 'changed'")
        $before = Get-Fingerprint orders 'true' id
        $r = Restore-ShippyarTableData -Repository $repo -Id $backup.Id -Table orders -Where $day -OnConflict Update -WhatIf @conn
        $r.WhatIf | Should -BeTrue
        $r.RowsInserted | Should -Be 0
        $r.RowsUpdated | Should -Be $changed
        $r.RowsSkipped | Should -Be ($r.RowsSelected - $changed)
        Get-Fingerprint orders 'true' id | Should -Be $before
        Get-ScratchCount | Should -Be '0'
    }

    It 'Update overwrites the changed rows; Error fails with TableDataConflict and writes nothing' {
        $before = Get-Fingerprint orders 'true' id
        $errors = Get-ErrorRecords { $backup | Restore-ShippyarTableData -Table orders -Where $day -OnConflict Error -Force @conn }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TableDataConflict*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-Fingerprint orders 'true' id | Should -Be $before

        $r = $backup | Restore-ShippyarTableData -Table orders -Where $day -OnConflict Update -Force @conn
        $r.RowsUpdated | Should -BeGreaterThan 0
        Get-Fingerprint orders $day id | Should -Be $ordersDay
        Get-ScratchCount | Should -Be '0'
    }

    It 'explains a bad filter with its position, and a missing table' {
        $bad = Get-ErrorRecords { $backup | Restore-ShippyarTableData -Table orders -Where 'created_at > now() AND nope = 1' -Force @conn }
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRowFilter*'
        $bad[0].Exception.Message | Should -Match 'at character 24 of the filter'
        Get-ScratchCount | Should -Be '0'
        $missing = Get-ErrorRecords { $backup | Restore-ShippyarTableData -Table nosuch -Force @conn }
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'TableNotInBackup*'
    }

    It 'asks first: a session that cannot ask gets ConfirmationRequired and nothing is written' {
        $sandbox.Execute('shippyar', "DELETE FROM shipments WHERE order_id = 7; DELETE FROM order_items WHERE order_id = 7; DELETE FROM orders WHERE id = 7")
        $child = Invoke-ChildPwsh @"
Import-Module `$env:SHIPPYAR_MODULE_PATH
`$cred = [pscredential]::new('$($sandbox.Credential.UserName)', (ConvertTo-SecureString `$env:SHIPPYAR_TEST_PASSWORD -AsPlainText -Force))
Restore-ShippyarTableData -Repository '$repo' -Id '$($backup.Id)' -Table orders -Where 'id = 7' -Server $($sandbox.Server) -Port $($sandbox.Port) -Credential `$cred -ErrorAction Continue 2>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$_.FullyQualifiedErrorId } }
"@ -Environment @{ SHIPPYAR_TEST_PASSWORD = $sandbox.Credential.GetNetworkCredential().Password }
        $child.Output | Should -Match 'ConfirmationRequired' -Because $child.Error
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders WHERE id = 7') | Should -Be '0'
    }

    It 'reads the rows from a base backup through a scratch cluster, and refuses a point in time for a logical backup' {
        $base = Invoke-ShippyarBackup @conn -Tier Base -Repository $repo -Checkpoint Fast
        $sandbox.Execute('shippyar', "DELETE FROM shipments WHERE order_id = 8; DELETE FROM order_items WHERE order_id = 8; DELETE FROM orders WHERE id = 8")
        $r = @($base | Restore-ShippyarTableData -SourceDatabase shippyar -TargetDatabase shippyar -Table orders, order_items -Where 'id = 8' -Force @conn)
        $r.Table | Should -Be @('public.orders', 'public.order_items')
        $r.RowsInserted | Should -Be @(1, 3)
        $r[0].BackupId | Should -Be $base.Id
        Get-Fingerprint orders 'id = 8' id | Should -Be ($sandbox.QueryScalar('shippyar', "SELECT '1:' || md5(string_agg(t::text, '|' ORDER BY id)) FROM orders t WHERE id = 8"))
        $logical = Get-ErrorRecords { $backup | Restore-ShippyarTableData -Table orders -TargetTime (Get-Date) -Force @conn }
        $logical[0].FullyQualifiedErrorId | Should -BeLike 'NotAPhysicalBackup*'
        $logical = Get-ErrorRecords { $backup | Restore-ShippyarTableData -Table orders -TargetName before-upgrade -Force @conn }
        $logical[0].FullyQualifiedErrorId | Should -BeLike 'NotAPhysicalBackup*'
        $two = Get-ErrorRecords { $base | Restore-ShippyarTableData -TargetDatabase shippyar -Table orders -TargetXid 1234 -TargetName before-upgrade -Force @conn }
        $two[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgumentValue*'
        $two[0].Exception.Message | Should -Match 'not -TargetXid and -TargetName'
    }
}
