# Every runbook under examples/ must at least parse: a DBA copies these, and a syntax error there is a broken promise.
BeforeDiscovery {
    $examplesDir = Join-Path $PSScriptRoot '../../examples'
    $scripts = @(Get-ChildItem -Path $examplesDir -Filter *.ps1 -Recurse -File |
        ForEach-Object { @{ Path = $_.FullName; Name = [IO.Path]::GetRelativePath($examplesDir, $_.FullName) } })
}

Describe 'Examples' {
    It 'the examples folder has runbooks' {
        # -ForEach over nothing makes no test at all: this one fails instead.
        @(Get-ChildItem -Path (Join-Path $PSScriptRoot '../../examples') -Filter *.ps1 -Recurse -File).Count | Should -BeGreaterThan 0
    }

    It '<Name> parses without errors' -ForEach $scripts {
        $tokens = $null
        $errors = $null
        [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors) | Out-Null
        # Line numbers and messages in the failure, not just "expected empty".
        @($errors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" }) | Should -BeNullOrEmpty
    }
}
