BeforeDiscovery {
    $scripts = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../examples') -Filter *.ps1 -Recurse | ForEach-Object { @{ Path = $_.FullName; Name = $_.Name } }
}

Describe 'Examples' {
    It 'the examples folder has runbooks' {
        (Get-ChildItem -Path (Join-Path $PSScriptRoot '../../examples') -Filter *.ps1 -Recurse).Count | Should -BeGreaterThan 3
    }

    It '<Name> parses without errors' -ForEach $scripts {
        $tokens = $null
        $errors = $null
        [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors) | Out-Null
        $errors | Should -BeNullOrEmpty
    }
}
