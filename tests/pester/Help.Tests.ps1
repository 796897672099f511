# The built module's help, as a user sees it through Get-Help: every exported cmdlet documented, with examples.
BeforeDiscovery {
    $modulePath = if ($env:SHIPPYAR_MODULE_PATH) { $env:SHIPPYAR_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/ShippyarDr/ShippyarDr.psd1' }
    Import-Module $modulePath -Force
    # One test case per cmdlet, so a failure names the cmdlet.
    $cmdlets = @((Get-Module ShippyarDr).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $modulePath = if ($env:SHIPPYAR_MODULE_PATH) { $env:SHIPPYAR_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/ShippyarDr/ShippyarDr.psd1' }
    Import-Module $modulePath
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Module manifest' {
    It 'lists CmdletsToExport explicitly, without wildcards' {
        $manifest = Import-PowerShellDataFile $modulePath
        $manifest.Keys | Should -Contain 'CmdletsToExport'
        $listed = @($manifest.CmdletsToExport)
        $listed.Count | Should -BeGreaterThan 0
        $listed | Where-Object { [WildcardPattern]::ContainsWildcardCharacters($_) } | Should -BeNullOrEmpty
        # What the manifest lists is exactly what the module exports (a typo would silently hide a cmdlet).
        ($listed | Sort-Object) | Should -Be @((Get-Module ShippyarDr).ExportedCmdlets.Keys | Sort-Object)
    }

    It 'exports at least one cmdlet' {
        (Get-Module ShippyarDr).ExportedCmdlets.Count | Should -BeGreaterThan 0
    }
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    It 'uses an approved verb' {
        (Get-Command $Name).Verb | Should -BeIn (Get-Verb).Verb
    }

    It 'has a synopsis of its own, not the generated syntax' {
        $synopsis = [string](Get-Help $Name).Synopsis
        $synopsis.Trim() | Should -Not -BeNullOrEmpty
        # Without MAML help, Get-Help makes the synopsis from the syntax: "Verb-Noun [-Param] <type> ...".
        $synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))(\s|$)"
    }

    It 'Get-Help -Examples shows at least one example with code' {
        $help = Get-Help $Name -Examples
        $examples = @($help.PSObject.Properties['examples'] ? $help.examples.example : @())
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) { ([string]$example.code).Trim() | Should -Not -BeNullOrEmpty }
        # And what a user reads on the console shows it.
        ($help | Out-String) | Should -Match ([regex]::Escape(([string]$examples[0].code).Trim().Split("`n")[0].Trim()))
    }

    It 'describes every parameter' {
        $help = Get-Help $Name -Full
        $documented = @($help.parameters.parameter)
        foreach ($parameter in ((Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common })) {
            $entry = $documented | Where-Object name -eq $parameter
            $entry | Should -Not -BeNullOrEmpty -Because "-$parameter should be in Get-Help -Full"
            ($entry.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }
}
