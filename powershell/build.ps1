<#
.SYNOPSIS
Assembles the HipaaIam module with the native library for this platform.
.DESCRIPTION
Copies the module's files and the hipaa_iam native library (hipaa_iam.dll on Windows,
libhipaa_iam.so on Linux, libhipaa_iam.dylib on macOS) from the cargo target directory
(CARGO_TARGET_DIR, else target/) into dist/HipaaIam/.
.PARAMETER Configuration
Release (default) or Debug: which cargo build to take the library from.
.PARAMETER NoBuild
Do not run cargo; use the library already in the target directory.
.PARAMETER OutputDirectory
Where HipaaIam/ is created (default: dist at the repository's root).
.EXAMPLE
./powershell/build.ps1
Builds the library in release mode and assembles dist/HipaaIam.
.EXAMPLE
./powershell/build.ps1 -Configuration Debug -NoBuild; Import-Module ./dist/HipaaIam
Assembles the module from an existing debug build and imports it.
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string]$Configuration = 'Release',
    [switch]$NoBuild,
    [string]$OutputDirectory
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Path $PSScriptRoot -Parent
if (-not $OutputDirectory) { $OutputDirectory = Join-Path -Path $root -ChildPath 'dist' }

$onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$onMac = (Get-Variable -Name IsMacOS -ValueOnly -ErrorAction SilentlyContinue) -eq $true
$library = if ($onWindows) { 'hipaa_iam.dll' } elseif ($onMac) { 'libhipaa_iam.dylib' } else { 'libhipaa_iam.so' }

$target = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path -Path $root -ChildPath 'target' }
$cargoProfile = $Configuration.ToLowerInvariant()
if (-not $NoBuild) {
    $cargoArgs = @('build', '-p', 'hipaa-iam-ffi', '--lib')
    if ($cargoProfile -eq 'release') { $cargoArgs += '--release' }
    Push-Location -LiteralPath $root
    try {
        & cargo @cargoArgs
        if ($LASTEXITCODE -ne 0) { throw "cargo $($cargoArgs -join ' ') failed with exit code $LASTEXITCODE" }
    } finally {
        Pop-Location
    }
}
$source = Join-Path -Path (Join-Path -Path $target -ChildPath $cargoProfile) -ChildPath $library
if (-not (Test-Path -LiteralPath $source)) {
    # A test build (cargo test) may leave the cdylib only in deps/.
    $inDeps = Join-Path -Path (Join-Path -Path (Join-Path -Path $target -ChildPath $cargoProfile) -ChildPath 'deps') -ChildPath $library
    if (Test-Path -LiteralPath $inDeps) { $source = $inDeps }
}
if (-not (Test-Path -LiteralPath $source)) { throw "$source not found: build the library first (cargo build -p hipaa-iam-ffi --lib)" }

$dest = Join-Path -Path $OutputDirectory -ChildPath 'HipaaIam'
if (Test-Path -LiteralPath $dest) { Remove-Item -LiteralPath $dest -Recurse -Force }
$null = New-Item -ItemType Directory -Path $dest -Force
foreach ($file in 'HipaaIam.psd1', 'HipaaIam.psm1', 'HipaaIam.Native.cs') {
    Copy-Item -LiteralPath (Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath 'HipaaIam') -ChildPath $file) -Destination $dest
}
Copy-Item -LiteralPath $source -Destination (Join-Path -Path $dest -ChildPath $library)
Get-Item -LiteralPath $dest
