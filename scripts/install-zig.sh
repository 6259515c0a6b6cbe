#!/usr/bin/env bash
# Installs the linker toolchain that scripts/build-runtime.sh uses (cargo-zigbuild and zig, both from
# PyPI, pinned with hashes in whmcs-module/runtime/zig-requirements.txt) into a Python venv inside the
# build cache, never into the system Python (Debian 12's pip refuses that anyway, PEP 668).
# Idempotent: when the venv was made from the same requirements file, nothing is run.
# Needs Debian's python3-venv (scripts/install-deps.sh). The caller holds the cache lock.
# The last line on stdout is the venv's bin directory (cargo-zigbuild and python3 with ziglang).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$repo_root/whmcs-module/runtime/zig-requirements.txt"
cache_dir="${COMETPROV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cometprov}"
venv="$cache_dir/zig-venv"
stamp="$venv/.requirements.sha256"

log() { printf 'install-zig: %s\n' "$*" >&2; }

want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $venv/bin/cargo-zigbuild && -x $venv/bin/python3 ]]; then
    echo "$venv/bin"
    exit 0
fi

# Debian's own interpreter: a pyenv or other python3 earlier on PATH is not part of a clean machine.
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3 || true)
[[ -n $python ]] || { log "python3 not found: install Debian's python3-venv (scripts/install-deps.sh)"; exit 1; }
"$python" -c 'import venv, ensurepip' 2>/dev/null \
    || { log "$python has no venv/ensurepip: install Debian's python3-venv (scripts/install-deps.sh)"; exit 1; }

# A venv cannot be moved after creation (its scripts name their own path), so it is made in place;
# the stamp, written last, is what marks it complete. An interrupted run is redone from scratch.
log "creating $venv (cargo-zigbuild and ziglang from PyPI, about 100 MB)"
rm -rf "$venv"
mkdir -p "$cache_dir"
"$python" -m venv "$venv"
"$venv/bin/python3" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r "$requirements" >&2
"$venv/bin/cargo-zigbuild" --version >&2
"$venv/bin/python3" -m ziglang version >&2
echo "$want" >"$stamp"
echo "$venv/bin"
