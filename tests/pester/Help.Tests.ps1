BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $cmdlets = (Get-Module ShippyarDr).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } }
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    It 'has a synopsis of its own' {
        $help = Get-Help $Name
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
    }

    It 'Get-Help -Examples shows at least one example with code' {
        $examples = (Get-Help $Name -Examples).examples.example
        @($examples).Count | Should -BeGreaterThan 0
        @($examples)[0].code | Should -Not -BeNullOrEmpty
        (Get-Help $Name -Examples | Out-String) | Should -Match 'Example 1'
    }

    It 'describes every parameter' {
        $help = Get-Help $Name -Full
        foreach ($p in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $entry = $help.parameters.parameter | Where-Object name -eq $p
            ($entry.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'uses an approved verb' {
        (Get-Command $Name).Verb | Should -BeIn (Get-Verb).Verb
    }
}
