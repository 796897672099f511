@{
    RootModule           = 'ShippyarDr.PowerShell.dll'
    ScriptsToProcess     = @('ShippyarDr.Init.ps1')
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f8d0e-7c1a-4d52-9a77-3f6c2e8b41d3'
    Author               = 'ShippyarDr developers'
    CompanyName          = 'Shippyar'
    Copyright            = '(c) Shippyar. All rights reserved.'
    Description          = 'Backs up PostgreSQL and proves the backups restore: pg_dump backups into repositories, checksum/catalog/restore verification, safe restores and backup health status.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ShippyarDr.format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-ShippyarBackup'
        'Get-ShippyarBackup'
        'Test-ShippyarBackup'
        'Restore-ShippyarDatabase'
        'Restore-ShippyarCluster'
        'Restore-ShippyarTableData'
        'Copy-ShippyarBackup'
        'Get-ShippyarAuditLog'
        'Get-ShippyarBackupStatus'
        'Get-ShippyarLeftover'
        'Invoke-ShippyarRetention'
        'Remove-ShippyarBackup'
        'Remove-ShippyarLeftover'
        'New-ShippyarRestorePoint'
        'Initialize-ShippyarRole'
        'New-ShippyarSandbox'
        'Remove-ShippyarSandbox'
        'Register-ShippyarRepository'
        'Get-ShippyarRepository'
        'Unregister-ShippyarRepository'
        'Enable-ShippyarWalArchiving'
        'Disable-ShippyarWalArchiving'
        'Get-ShippyarWalArchive'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('PostgreSQL', 'Backup', 'Restore', 'DisasterRecovery', 'pg_dump', 'Linux')
            ProjectUri   = 'https://github.com/shippyar/ShippyarDr'
            ReleaseNotes = 'First slice: filesystem repositories, daily pg_dump backups, verification, restore, status.'
        }
    }
}
