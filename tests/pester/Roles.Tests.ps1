BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    # A login (no superuser) with a password no other message contains.
    function New-Login([string] $Name, [string] $Options = '') {
        $password = "Pw-$Name-$([guid]::NewGuid().ToString('n').Substring(0, 12))"
        $sandbox.Execute('postgres', "CREATE ROLE $Name LOGIN PASSWORD '$password' $Options")
        @{ Server = $sandbox.Server; Port = $sandbox.Port; Credential = [pscredential]::new($Name, (ConvertTo-SecureString $password -AsPlainText -Force)) }
    }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Initialize-ShippyarRole' {
    It 'with -WhatIf lists the statements and creates nothing' {
        # What if: messages go to the host, so a child session's output shows them.
        $child = Invoke-ChildPwsh @"
Import-Module `$env:SHIPPYAR_MODULE_PATH
`$c = [pscredential]::new('$($sandbox.Credential.UserName)', (ConvertTo-SecureString '$($sandbox.GetPassword())' -AsPlainText -Force))
Initialize-ShippyarRole -Server $($sandbox.Server) -Port $($sandbox.Port) -Credential `$c -WhatIf
"@
        $out = $child.Output -replace '\s+', ' '
        $out | Should -Match 'CREATE ROLE "backup_role" NOLOGIN'
        $out | Should -Match 'GRANT pg_read_all_data TO "backup_role"'
        $out | Should -Match 'ALTER ROLE "recovery_role" CREATEDB'
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_roles WHERE rolname IN ('backup_role', 'recovery_role')") | Should -Be 0
    }

    It 'creates both roles, and a second run finds nothing to grant' {
        $first = Initialize-ShippyarRole @conn -Physical -Confirm:$false
        $first[0].PSTypeNames | Should -Contain 'ShippyarDr.RoleSetup'
        $first.Name | Should -Be @('backup_role', 'recovery_role')
        $first.Action | Should -Be @('Created', 'Created')
        $first[0].Grants | Should -Contain 'GRANT CONNECT ON DATABASE "shippyar" TO "backup_role"'
        $first[0].Grants | Should -Contain 'GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean) TO "backup_role"'
        $first[0].Grants | Should -Contain 'ALTER ROLE "backup_role" REPLICATION'
        $sandbox.QueryScalar('postgres', "SELECT rolcanlogin::text || rolreplication::text FROM pg_roles WHERE rolname = 'backup_role'") | Should -Be 'falsetrue'
        $sandbox.QueryScalar('postgres', "SELECT rolcreatedb::text || rolsuper::text FROM pg_roles WHERE rolname = 'recovery_role'") | Should -Be 'truefalse'

        $second = Initialize-ShippyarRole @conn -Physical -Confirm:$false
        $second.Action | Should -Be @('Unchanged', 'Unchanged')
        $second.Grants | Should -BeNullOrEmpty
    }

    It 'grants only what an existing role lacks (a new database)' {
        $sandbox.Execute('postgres', 'CREATE DATABASE roles_later')
        $sandbox.Execute('roles_later', 'CREATE TABLE kept (id int)')
        $r = Initialize-ShippyarRole @conn -Physical -Confirm:$false
        $r.Action | Should -Be @('Updated', 'Updated')
        $r[0].Grants | Should -Be @('GRANT CONNECT ON DATABASE "roles_later" TO "backup_role"')
    }

    It 'lets a login in backup_role, not a superuser, take a Daily backup and a restore point' {
        $sandbox.Execute('postgres', 'REVOKE CONNECT ON DATABASE shippyar FROM PUBLIC')
        $nightly = New-Login 'nightly_backup' 'IN ROLE backup_role'
        $b = Invoke-ShippyarBackup @nightly -Tier Daily -Database shippyar -Repository $repo
        $b.Status | Should -Be 'Complete'
        ($b.Tables | Where-Object Name -eq 'orders').Rows | Should -Be ([long]$sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders'))
        (New-ShippyarRestorePoint @nightly -Name roles-point -WarningAction SilentlyContinue).Lsn | Should -Match '/'
    }

    It 'makes -RecoveryLogin a member with CREATEDB itself (attributes are not inherited), enough to verify and restore' {
        $restorer = New-Login 'nightly_restore'
        $setup = Initialize-ShippyarRole @conn -RecoveryLogin nightly_restore -Confirm:$false
        $setup[1].Grants | Should -Be @('GRANT "recovery_role" TO "nightly_restore"', 'ALTER ROLE "nightly_restore" CREATEDB')
        $sandbox.QueryScalar('postgres', "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'nightly_restore'") | Should -Be 'false'
        $backup = Get-ShippyarBackup -Repository $repo -Database shippyar -Latest
        ($backup | Test-ShippyarBackup @restorer -Level Restore).Passed | Should -BeTrue
        $backup | Restore-ShippyarDatabase @restorer -TargetDatabase roles_restored -NoOwner -Confirm:$false | Out-Null
        $sandbox.QueryScalar('roles_restored', 'SELECT count(*) FROM orders') | Should -Be $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
    }

    It 'lets a -BackupLogin with -Physical take a base backup over the replication protocol' {
        $base = New-Login 'base_backup'
        $setup = Initialize-ShippyarRole @conn -Physical -BackupLogin base_backup -Confirm:$false
        $setup[0].Grants | Should -Contain 'GRANT "backup_role" TO "base_backup"'
        $setup[0].Grants | Should -Contain 'ALTER ROLE "base_backup" REPLICATION'
        $b = Invoke-ShippyarBackup @base -Tier Base -Checkpoint Fast -Repository $repo
        $b.Status | Should -Be 'Complete'
    }

    It 'lets a login in backup_role take the Weekly cluster backup; its roles come back without passwords, with a warning' {
        $weeklyLogin = New-Login 'weekly_backup' 'IN ROLE backup_role'
        $pass = ConvertTo-SecureString 'weekly-Roles-Pester-7' -AsPlainText -Force
        # Encrypted, so sealed: a repository of its own, as unsealed backups are refused next to sealed ones.
        $w = Invoke-ShippyarBackup @weeklyLogin -Tier Weekly -Repository (New-TestDirectory) -Passphrase $pass
        $w.Status | Should -Be 'Complete'
        $w.RolePasswordsOmitted | Should -BeTrue
        $w.Databases.Name | Should -Contain 'shippyar'
        # The drill of a Weekly backup (every database into a scratch database) by a recovery_role login.
        $drill = New-Login 'weekly_drill'
        Initialize-ShippyarRole @conn -RecoveryLogin weekly_drill -Confirm:$false | Out-Null
        $v = $w | Test-ShippyarBackup @drill -Level Restore -Passphrase $pass
        $v.Passed | Should -BeTrue
        $fresh = New-ShippyarSandbox
        try {
            $on = @{ Server = $fresh.Server; Port = $fresh.Port; Credential = $fresh.Credential }
            $r = $w | Restore-ShippyarCluster @on -Passphrase $pass -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
            $r.Passed | Should -BeTrue
            ($warned -join ' ') | Should -Match 'not a superuser, so its roles have no passwords'
            $fresh.QueryScalar('postgres', "SELECT (rolpassword IS NULL)::text FROM pg_authid WHERE rolname = 'weekly_backup'") | Should -Be 'true'
            $fresh.QueryScalar('shippyar', 'SELECT count(*) FROM orders') | Should -Be $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
        } finally { $fresh | Remove-ShippyarSandbox -Confirm:$false }
    }

    It 'refuses a login without the role with a clear error: no CONNECT, then no SELECT' {
        $outsider = New-Login 'no_role_login'
        $err = Get-ErrorRecords { Invoke-ShippyarBackup @outsider -Tier Daily -Database shippyar -Repository $repo }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
        $err[0].Exception.Message | Should -Match 'permission denied for database'
        $err = Get-ErrorRecords { Invoke-ShippyarBackup @outsider -Tier Daily -Database roles_later -Repository $repo }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PgDumpFailed,*'
        $err[0].Exception.Message | Should -Match 'permission denied for table'
    }

    It 'refuses a login that does not exist, before granting anything' {
        $err = Get-ErrorRecords { Initialize-ShippyarRole @conn -BackupLogin nobody_here -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RoleNotFound,*'
    }

    It 'refuses role names PostgreSQL reserves' {
        $err = Get-ErrorRecords { Initialize-ShippyarRole @conn -BackupRole pg_sneaky -Confirm:$false }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRoleName,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
