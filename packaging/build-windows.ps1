# Build the Windows bundle dist\zoho-bulk\ (zoho-bulk.exe for the command line, zoho-bulk-gui.exe
# for the Start menu) and dist\zoho-bulk-VERSION-windows-x64.zip. From the repository, in PowerShell:
#     powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
# Creates .venv and installs the project with its `package` extra (PyInstaller) when needed.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

$python = ".venv\Scripts\python.exe"
if (-not (Test-Path $python)) {
    py -3 -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "Could not create .venv (is Python 3.11+ installed?)" }
}
& $python -m pip install --quiet --upgrade pip
& $python -m pip install --quiet -e ".[package]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

$started = Get-Date
& $python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\zoho-bulk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& $python packaging\bundle_stamp.py --write

$version = (& dist\zoho-bulk\zoho-bulk.exe --version).Split(" ")[1]
$size = [math]::Round(((Get-ChildItem -Recurse dist\zoho-bulk | Measure-Object -Sum Length).Sum / 1MB), 1)
$seconds = [math]::Round(((Get-Date) - $started).TotalSeconds)
Write-Output "dist\zoho-bulk: $size MB, built in $seconds s"

$archive = "dist\zoho-bulk-$version-windows-x64.zip"
Remove-Item -ErrorAction SilentlyContinue $archive
Compress-Archive -Path dist\zoho-bulk -DestinationPath $archive
Write-Output "${archive}: $([math]::Round((Get-Item $archive).Length / 1MB, 1)) MB"
