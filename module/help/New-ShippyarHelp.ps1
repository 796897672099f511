#Requires -Version 7.4
<#
.SYNOPSIS
    Writes the MAML help of the module's cmdlets from module/help/<Verb-Noun>.psd1 and the cmdlets' own metadata.
.DESCRIPTION
    Syntax, parameter types, positions, pipeline input and output types come from the built module, so they
    cannot drift from the code; the prose (synopsis, description, parameter text, examples) comes from the data
    files. Fails when an exported cmdlet lacks a data file, a synopsis, an example, or a parameter description.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $HelpDataDirectory,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModuleManifest -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function Esc([object] $text) { [System.Security.SecurityElement]::Escape([string]$text) }

function Paras([string] $text) {
    if ([string]::IsNullOrWhiteSpace($text)) { return '<maml:para></maml:para>' }
    ($text -split "\r?\n\s*\r?\n" | ForEach-Object { "<maml:para>$(Esc $_.Trim())</maml:para>" }) -join ''
}

# $attr: a ParameterAttribute or a CommandParameterInfo (per parameter set); they name "mandatory" differently.
function PipelineInput($attr) {
    $kinds = @()
    if ($attr.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($attr.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function ParameterXml($name, $type, $attr, [string] $description, [string] $default) {
    $isSwitch = $type -eq [System.Management.Automation.SwitchParameter]
    $mandatory = if ($attr -is [System.Management.Automation.CommandParameterInfo]) { $attr.IsMandatory } else { $attr.Mandatory }
    $position = if ($attr.Position -ge 0) { $attr.Position } else { 'named' }
    $value = if ($isSwitch) { '' } else { "<command:parameterValue required=`"true`" variableLength=`"false`">$(Esc $type.Name)</command:parameterValue>" }
    $defaultXml = if ($default) { "<dev:defaultValue>$(Esc $default)</dev:defaultValue>" } else { '' }
    @"
<command:parameter required="$($mandatory.ToString().ToLower())" variableLength="$($type.IsArray.ToString().ToLower())" globbing="false" pipelineInput="$(PipelineInput $attr)" position="$position" aliases="none">
<maml:name>$(Esc $name)</maml:name><maml:description>$(Paras $description)</maml:description>$value
<dev:type><maml:name>$(Esc $type.FullName)</maml:name></dev:type>$defaultXml
</command:parameter>
"@
}

$shared = (Import-PowerShellDataFile (Join-Path $HelpDataDirectory '_Shared.psd1')).Parameters
$problems = [System.Collections.Generic.List[string]]::new()
$commands = foreach ($name in ($module.ExportedCmdlets.Keys | Sort-Object)) {
    $dataFile = Join-Path $HelpDataDirectory "$name.psd1"
    if (-not (Test-Path $dataFile)) { $problems.Add("$name has no help data file ($dataFile)"); continue }
    $data = Import-PowerShellDataFile $dataFile
    if (-not $data.Parameters) { $data.Parameters = @{} }
    foreach ($key in $shared.Keys) { if (-not $data.Parameters.ContainsKey($key)) { $data.Parameters[$key] = $shared[$key] } }
    $cmd = Get-Command $name
    if (-not $data.Synopsis) { $problems.Add("$name has no synopsis") }
    if (-not $data.Examples -or @($data.Examples).Count -eq 0) { $problems.Add("$name has no example") }
    $parameters = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }
    foreach ($p in $parameters) {
        if (-not $data.Parameters -or -not $data.Parameters[$p.Name]) { $problems.Add("$name -$($p.Name) has no description") }
    }
    # Defaults as the cmdlet object holds them.
    $instance = [Activator]::CreateInstance($cmd.ImplementingType)

    $syntax = foreach ($set in $cmd.ParameterSets) {
        $items = foreach ($sp in ($set.Parameters | Where-Object { $_.Name -notin $common })) {
            ParameterXml $sp.Name $sp.ParameterType $sp $data.Parameters[$sp.Name] $null
        }
        "<command:syntaxItem><maml:name>$name</maml:name>$($items -join '')</command:syntaxItem>"
    }
    $paramXml = foreach ($p in ($parameters | Sort-Object Name)) {
        $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        $default = $cmd.ImplementingType.GetProperty($p.Name).GetValue($instance)
        $defaultText = if ($null -ne $default -and $default -isnot [System.Management.Automation.SwitchParameter] -and "$default" -ne '' -and "$default" -ne '0' -and $default -isnot [array]) { "$default" } else { $null }
        ParameterXml $p.Name $p.ParameterType $attr $data.Parameters[$p.Name] $defaultText
    }
    $inputs = $parameters | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } } |
        ForEach-Object { "<command:inputType><dev:type><maml:name>$(Esc $_.ParameterType.FullName)</maml:name></dev:type><maml:description><maml:para>-$($_.Name) from the pipeline.</maml:para></maml:description></command:inputType>" }
    $outputs = $cmd.OutputType | ForEach-Object { "<command:returnValue><dev:type><maml:name>$(Esc $_.Name)</maml:name></dev:type><maml:description><maml:para></maml:para></maml:description></command:returnValue>" }
    $n = 0
    $examples = foreach ($e in $data.Examples) {
        $n++
        "<command:example><maml:title>-------------------------- Example ${n}: $(Esc $e.Title) --------------------------</maml:title><dev:code>$(Esc $e.Code)</dev:code><dev:remarks>$(Paras $e.Remarks)</dev:remarks></command:example>"
    }
    $links = foreach ($l in @($data.RelatedLinks)) { if ($l) { "<maml:navigationLink><maml:linkText>$(Esc $l)</maml:linkText><maml:uri></maml:uri></maml:navigationLink>" } }
    @"
<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">
<command:details><command:name>$name</command:name><command:verb>$($cmd.Verb)</command:verb><command:noun>$($cmd.Noun)</command:noun>
<maml:description>$(Paras $data.Synopsis)</maml:description></command:details>
<maml:description>$(Paras $data.Description)</maml:description>
<command:syntax>$($syntax -join '')</command:syntax>
<command:parameters>$($paramXml -join '')</command:parameters>
<command:inputTypes>$($inputs -join '')</command:inputTypes>
<command:returnValues>$($outputs -join '')</command:returnValues>
<maml:alertSet><maml:alert>$(Paras $data.Notes)</maml:alert></maml:alertSet>
<command:examples>$($examples -join '')</command:examples>
<command:relatedLinks>$($links -join '')</command:relatedLinks>
</command:command>
"@
}
if ($problems.Count) { throw "Help is incomplete:`n  " + ($problems -join "`n  ") }

New-Item -ItemType Directory -Force (Split-Path $OutputPath) | Out-Null
$xml = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<helpItems schema=`"maml`" xmlns=`"http://msh`">`n$($commands -join "`n")`n</helpItems>`n"
[xml]$xml | Out-Null  # well-formed or fail the build
Set-Content -Path $OutputPath -Value $xml -Encoding utf8
Write-Host "Help for $(@($commands).Count) cmdlets written to $OutputPath"
