#Requires -Version 5.1
# tcup bootstrap for Windows, in PowerShell 5.1 (every Windows 10 and 11) or 7:
#
#   powershell -ExecutionPolicy Bypass -c "irm https://<update root>/init.ps1 | iex"
#   & ([scriptblock]::Create((irm https://<update root>/init.ps1))) -y --default-toolchain nightly
#   powershell -ExecutionPolicy Bypass -File init.ps1 -y
#
# Picks the tcup-init.exe build for this machine, downloads it, verifies it, and runs it with this
# script's arguments (rustup-init's flags: -y, --default-toolchain, --profile, ...). The proxy
# program published beside it (tcup-proxy.exe, which rustc.exe, cargo.exe, ... will be links to) is
# downloaded and verified the same way into the same directory, where tcup-init finds it; a
# release without one is fine (the proxies then link to tcup itself). The counterpart of init.sh,
# with the same rules of trust (docs/threat-model.md, "The bootstrap never downgrades TLS"):
# - The published init.ps1 carries the SHA-256 of every build of its own release ($ReleaseSha256s,
#   written by ci/publish-init-sh.sh) and fetches that release's immutable paths,
#   <root>/archive/<version>/<triple>/tcup-init.exe and tcup-proxy.exe. A file must match the hash
#   that came with this script (Get-FileHash), whatever the connection.
# - Anything no carried hash covers (another TCUP_VERSION, or a development copy of this script,
#   which carries none) is trusted on its connection alone: https only, the certificate verified
#   (.NET's default), every redirect followed one at a time and refused unless it is https.
#
# The machine, not this PowerShell: a 32-bit PowerShell on 64-bit Windows reads
# PROCESSOR_ARCHITEW6432. x86_64-pc-windows-gnu is the Windows build published; Windows 11 on ARM64
# runs it emulated, and tcup then installs arm64 toolchains (its own host decision).
#
# Environment:
#   TCUP_UPDATE_ROOT          where tcup-init builds live (default https://static.tcup.rs); http://
#                             only for the release whose hashes this script carries (a local mirror)
#   TCUP_VERSION              install this tcup version (default: this script's own release; a
#                             development copy: <root>/dist/<triple>/)
#   TCUP_INIT_STALL_SECONDS   abort a transfer that moves no data for this long (default 30)

# The whole script is one script block, called with the script's arguments: through `irm | iex`
# its functions, variables and strict mode end with it and leave the user's session as it was.
& {
Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# --- release hashes: ci/publish-init-sh.sh replaces these lines in the init.ps1 it publishes ---
# The tcup version this script installs, and one '<sha256> <triple>/<file>' line per build of it.
# Empty in the repository: a development copy, whose every download needs verified TLS.
$ReleaseVersion = ''
$ReleaseSha256s = @()
# --- end of release hashes ---

function Fail([string]$Message) {
    throw "tcup-init.ps1: error: $Message"
}

function Say([string]$Message) {
    [Console]::Error.WriteLine("tcup-init.ps1: $Message")
}

# The build for this machine's processor (PROCESSOR_ARCHITECTURE: AMD64, ARM64, x86).
function Get-Triple {
    $arch = $env:PROCESSOR_ARCHITEW6432
    if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
    switch ($arch) {
        'AMD64' { return 'x86_64-pc-windows-gnu' }
        'ARM64' { return 'x86_64-pc-windows-gnu' }
        'x86' { Fail 'no tcup build exists for 32-bit Windows (x86): use 64-bit Windows' }
        default { Fail "unsupported processor '$arch' (PROCESSOR_ARCHITECTURE)" }
    }
}

# The SHA-256 this script carries for TRIPLE/FILE, or $null.
function Get-CarriedSha256([string]$Triple, [string]$File) {
    foreach ($line in $ReleaseSha256s) {
        $parts = $line -split ' '
        if ($parts.Count -eq 2 -and $parts[1] -eq "$Triple/$File") { return $parts[0] }
    }
    return $null
}

# Downloads URL into FILE. MODE 'hashed': the bytes will be checked against a carried hash, so the
# connection decides nothing; 'tls': the connection is all that vouches for them, so every hop must
# be https. Redirects are followed here, one at a time, to check each. Returns $false for a 404
# when OPTIONAL, else fails.
function Save-Url([string]$Url, [string]$File, [string]$Mode, [bool]$Optional = $false) {
    $next = $Url
    for ($hop = 0; $hop -le 10; $hop++) {
        $request = [System.Net.HttpWebRequest]::Create($next)
        $request.AllowAutoRedirect = $false
        $request.UserAgent = 'tcup-init.ps1'
        $request.Timeout = 30000
        $request.ReadWriteTimeout = $script:StallSeconds * 1000
        try {
            $response = $request.GetResponse()
        } catch [System.Net.WebException] {
            $e = $_.Exception
            if ($e.Status -eq [System.Net.WebExceptionStatus]::TrustFailure -or
                $e.Status -eq [System.Net.WebExceptionStatus]::SecureChannelFailure) {
                Fail "the TLS certificate or handshake of $next could not be verified ($($e.Message)); nothing else vouches for this download"
            }
            if ($null -eq $e.Response) { Fail "could not download ${next}: $($e.Message)" }
            $response = $e.Response
        }
        $code = [int]$response.StatusCode
        if ($code -ge 300 -and $code -lt 400) {
            $location = $response.Headers['Location']
            $response.Close()
            if (-not $location) { Fail "could not download ${next}: HTTP $code without a Location" }
            $target = [System.Uri]::new([System.Uri]$next, $location)
            if ($Mode -eq 'tls' -and $target.Scheme -ne 'https') {
                Fail "refused the redirect from $next to ${target}: it is not https, and nothing else vouches for this download"
            }
            $next = $target.AbsoluteUri
            continue
        }
        if ($code -ne 200) {
            $response.Close()
            if ($Optional -and $code -eq 404) { return $false }
            Fail "could not download ${next}: HTTP $code"
        }
        $in = $response.GetResponseStream()
        $out = [System.IO.File]::Create($File)
        try { $in.CopyTo($out) } finally { $out.Close(); $in.Close(); $response.Close() }
        return $true
    }
    Fail "more than 10 redirects from $Url"
}

# Checks FILE (downloaded from URL) against EXPECTED, which came from WHENCE; on a mismatch the
# file is deleted and nothing runs.
function Assert-Sha256([string]$File, [string]$Url, [string]$Expected, [string]$Whence) {
    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $File).Hash.ToLowerInvariant()
    if ($actual -ne $Expected.ToLowerInvariant()) {
        Remove-Item -LiteralPath $File -Force
        Fail "checksum mismatch for ${Url}: expected $Expected ($Whence), got $actual; nothing was installed"
    }
}

# The first field of a sha256sum-format file.
function Read-Sha256File([string]$File) {
    $text = [System.IO.File]::ReadAllText($File).Trim()
    $hash = ($text -split '\s+')[0]
    if ($hash -notmatch '^[0-9a-fA-F]{64}$') { return $null }
    return $hash
}

# Downloads and verifies tcup-init.exe (and tcup-proxy.exe beside it) into DIR; returns its path.
function Get-TcupInit([string]$Dir) {
    $root = $env:TCUP_UPDATE_ROOT
    if (-not $root) { $root = 'https://static.tcup.rs' }
    $root = $root.TrimEnd('/')
    $script:StallSeconds = 30
    if ($env:TCUP_INIT_STALL_SECONDS) { $script:StallSeconds = [int]$env:TCUP_INIT_STALL_SECONDS }
    $version = $env:TCUP_VERSION
    if (-not $version) { $version = $ReleaseVersion }
    $mode = 'tls'
    if ($ReleaseVersion -and $version -eq $ReleaseVersion) { $mode = 'hashed' }
    if ($root -like 'http://*') {
        if ($mode -ne 'hashed') {
            $carries = if ($ReleaseVersion) { $ReleaseVersion } else { 'none' }
            Fail "TCUP_UPDATE_ROOT=$root is not https: only the release whose hashes an init.ps1 carries may come over http (this one carries $carries)"
        }
    } elseif ($root -notlike 'https://*') {
        Fail "TCUP_UPDATE_ROOT=$root is not an https:// URL"
    }
    if ($version -and $version -notmatch '^[0-9A-Za-z.+-]+$') { Fail "TCUP_VERSION='$version' is not a version (expected e.g. 1.2.3)" }
    # PowerShell 5.1 on .NET Framework may not offer TLS 1.2 unless asked.
    [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
    $triple = Get-Triple
    $base = if ($version) { "$root/archive/$version/$triple" } else { "$root/dist/$triple" }
    $initSha = $null
    $proxySha = $null
    if ($mode -eq 'hashed') {
        $initSha = Get-CarriedSha256 $triple 'tcup-init.exe'
        $proxySha = Get-CarriedSha256 $triple 'tcup-proxy.exe'
        if (-not $initSha) { Fail "tcup $ReleaseVersion has no build for $triple (this init.ps1 carries no hash for one)" }
    } elseif ($ReleaseVersion) {
        Say "this init.ps1 carries hashes for tcup $ReleaseVersion, not ${version}: trusting only a verified https connection"
    } else {
        Say 'this init.ps1 carries no release hashes (a development copy): trusting only a verified https connection'
    }
    $init = Join-Path $Dir 'tcup-init.exe'
    $proxy = Join-Path $Dir 'tcup-proxy.exe'
    Say "downloading tcup-init.exe for $triple"
    Save-Url "$base/tcup-init.exe" $init $mode | Out-Null
    if ($mode -eq 'hashed') {
        Assert-Sha256 $init "$base/tcup-init.exe" $initSha "carried by this init.ps1 for tcup $ReleaseVersion"
        # A release without a proxy program carries no hash for one: the proxies link to tcup.
        if ($proxySha) {
            Save-Url "$base/tcup-proxy.exe" $proxy $mode | Out-Null
            Assert-Sha256 $proxy "$base/tcup-proxy.exe" $proxySha "carried by this init.ps1 for tcup $ReleaseVersion"
        }
    } else {
        Save-Url "$base/tcup-init.exe.sha256" "$init.sha256" $mode | Out-Null
        $sha = Read-Sha256File "$init.sha256"
        if (-not $sha) { Fail "$base/tcup-init.exe.sha256 holds no SHA-256" }
        Assert-Sha256 $init "$base/tcup-init.exe" $sha 'its .sha256, over verified TLS'
        if ((Save-Url "$base/tcup-proxy.exe.sha256" "$proxy.sha256" $mode $true) -and ($sha = Read-Sha256File "$proxy.sha256")) {
            if (Save-Url "$base/tcup-proxy.exe" $proxy $mode $true) {
                Assert-Sha256 $proxy "$base/tcup-proxy.exe" $sha 'its .sha256, over verified TLS'
            }
        }
    }
    return $init
}

# No param() block: every argument (-y, --default-toolchain, ...) reaches tcup-init.exe as typed.
# tcup-init runs here, at the top, so its output and questions reach the console unchanged.
$dir = Join-Path ([System.IO.Path]::GetTempPath()) ('tcup-init-' + [System.Guid]::NewGuid().ToString('N'))
try {
    New-Item -ItemType Directory -Path $dir | Out-Null
    $init = Get-TcupInit $dir
    & $init @args
    $code = $LASTEXITCODE
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    $code = 1
} finally {
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}
# Run as a file, exit with tcup-init's code; run through `irm | iex`, exiting would close the
# user's PowerShell, so the code is left in $LASTEXITCODE.
if ($PSCommandPath) { exit $code } else { $global:LASTEXITCODE = $code }
} @args
