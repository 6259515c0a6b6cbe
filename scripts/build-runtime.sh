#!/usr/bin/env bash
# Builds the wasm.h runtime library (libwasmer, from the wasmer-c-api crate) that the PHP host loads
# through FFI when the wasmer-php extension is absent. The crate lives in whmcs-module/runtime/; all
# build output goes to a cache directory outside the clone so repeated CI runs on one machine reuse it.
# Idempotent: when a library built from the same Cargo.toml/Cargo.lock and the same recipe (this
# script, scripts/install-zig.sh and the pinned toolchain) already exists, nothing is run.
# The last line on stdout is the absolute path of the built shared library.
#
# The library is linked by zig (cargo-zigbuild) against glibc 2.17's symbol versions, so that the one
# file in the zip loads on the servers WHMCS runs on (CentOS 7, AlmaLinux/CloudLinux 8, Ubuntu 20.04,
# Debian 11...), not only on glibc 2.34+ like a plain `cargo build` on Debian 12. The tests, `make dist`
# and `make test` all use this one library. It is checked before it is published: no symbol version
# newer than GLIBC_2.17 and no libgcc_s (zig links its own static libunwind in its place).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
crate_dir="$repo_root/whmcs-module/runtime"
cache_dir="${COMETPROV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cometprov}"
runtime_dir="$cache_dir/runtime"
# Bump when this script changes how the library is produced, so old outputs are not reused.
# 1: plain cargo build (host glibc). 2: cargo-zigbuild for glibc 2.17.
recipe=2
# The library is built for this triple and glibc version (what RHEL/CentOS 7 has; Rust's own minimum).
triple=x86_64-unknown-linux-gnu
max_glibc=2.17

log() { printf 'build-runtime: %s\n' "$*" >&2; }

# The build recipe is part of the key: this script, the toolchain installer and its pinned versions.
key=$( { echo "recipe=$recipe $triple.$max_glibc"; cat "$crate_dir/Cargo.toml" "$crate_dir/Cargo.lock" \
         "$crate_dir/src/lib.rs" "$crate_dir/zig-requirements.txt" "${BASH_SOURCE[0]}" \
         "$repo_root/scripts/install-zig.sh" "$repo_root/scripts/check-runtime-abi.sh"; } | sha256sum | cut -c1-16)
out_dir="$runtime_dir/wasmer-$key"
lib="$out_dir/libwasmer.so"

mkdir -p "$runtime_dir"
# One builder at a time per cache (parallel CI jobs on one machine share it).
exec 9>"$runtime_dir/.lock"
flock 9

publish_current() {
    # "current" is what the PHP host finds by default; swapped atomically.
    ln -sfn "wasmer-$key" "$runtime_dir/.current.tmp.$$"
    mv -Tf "$runtime_dir/.current.tmp.$$" "$runtime_dir/current"
}

if [[ -f "$lib" && -f "$out_dir/wasm.h" ]]; then
    log "up to date ($out_dir)"
    publish_current
    echo "$lib"
    exit 0
fi

command -v cargo >/dev/null || { log "cargo not found: install Rust (rustup or Debian's cargo) first"; exit 1; }
# The target is the host's own triple on x86_64 machines, so its std comes with Rust itself; the
# build downloads no toolchain parts (only crates and the PyPI wheels).
if [[ ! -d $(rustc --print target-libdir --target "$triple" 2>/dev/null) ]]; then
    log "Rust has no standard library for $triple: build on x86_64 Linux, or run: rustup target add $triple"
    exit 1
fi

# cargo-zigbuild and zig, from PyPI into a venv in the cache (idempotent).
zig_bin=$(bash "$repo_root/scripts/install-zig.sh" | tail -n1)
export PATH="$zig_bin:$PATH"
# Use the pinned zig, never another `zig` that happens to be on PATH.
CARGO_ZIGBUILD_ZIG_PATH=$("$zig_bin/python3" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
export CARGO_ZIGBUILD_ZIG_PATH
[[ -x $CARGO_ZIGBUILD_ZIG_PATH ]] || { log "no zig binary at $CARGO_ZIGBUILD_ZIG_PATH"; exit 1; }
# zig's compiled glibc stubs, libunwind and compiler-rt, and cargo-zigbuild's wrappers, stay in the cache too.
export ZIG_GLOBAL_CACHE_DIR="$cache_dir/zig-cache"
export ZIG_LOCAL_CACHE_DIR="$cache_dir/zig-cache"
export CARGO_ZIGBUILD_CACHE_DIR="$cache_dir/zig-cache/cargo-zigbuild"
# Its own target dir: the same triple linked by the system cc (recipe 1) must not be mixed with it.
export CARGO_TARGET_DIR="$cache_dir/cargo-target-zig"
# wasmer-c-api's build.rs runs cbindgen (which calls `cargo metadata --all-features`, touching the
# v8/wamr/llvm dependency trees) and asserts the target dir is named `target` or the triple; the crate
# already ships wasm.h, so skip that step the way upstream's publish script does.
export WASMER_PUBLISH_SCRIPT_IS_RUNNING=1

log "building wasmer-c-api for $triple, glibc $max_glibc, in $CARGO_TARGET_DIR (a first build took 14 min on 2 cores shared with other builds)"
start=$(date +%s)
messages="$runtime_dir/.cargo-messages.$$.json"
trap 'rm -f "$messages"' EXIT
# --target <triple>.<glibc>: cargo-zigbuild links with zig against that glibc's symbol versions and
# passes the plain triple to cargo. --locked: Cargo.lock is the pin.
( cd "$crate_dir" && cargo zigbuild --release --locked --target "$triple.$max_glibc" \
      --message-format=json-render-diagnostics ) >"$messages"
log "cargo zigbuild finished in $(( $(date +%s) - start ))s"

# The cdylib and the crate's wasm.h, read from cargo's own artifact and metadata records.
built_so=$(grep '"compiler-artifact"' "$messages" | grep -E 'wasmer-c-api[@#]' \
           | grep -o '"[^"]*/libwasmer[^"/]*\.so"' | tr -d '"' | tail -n1 || true)
[[ -n "$built_so" && -f "$built_so" ]] || { log "no libwasmer .so in cargo's output"; exit 1; }
manifest=$(grep '"compiler-artifact"' "$messages" | grep -E 'wasmer-c-api[@#]' \
           | grep -o '"manifest_path":"[^"]*"' | tail -n1 | cut -d'"' -f4 || true)
header="$(dirname "$manifest")/wasm.h"
[[ -f "$header" ]] || { log "wasm.h not found next to $manifest"; exit 1; }

# Every function the PHP binding declares (lib/Wasm/wasm-decl.h) must be exported.
decl="$repo_root/whmcs-module/modules/servers/cometbackup/lib/Wasm/wasm-decl.h"
required=$(grep -o '\bwasm_[a-z0-9_]*[[:space:]]*(' "$decl" | tr -d '( ' | sort -u)
[[ -n "$required" ]] || { log "no functions found in $decl"; exit 1; }
exported=$(nm -D --defined-only "$built_so" | awk '{print $3}')
for sym in $required; do
    grep -qx "$sym" <<<"$exported" || { log "$built_so does not export $sym"; exit 1; }
done
log "nm -D: all $(wc -w <<<"$required") declared wasm_* functions are exported"

# What the library needs from the system: nothing newer than glibc $max_glibc and no library but
# glibc's own (no libgcc_s). A library that fails is not published.
abi=$(bash "$repo_root/scripts/check-runtime-abi.sh" "$built_so" "$max_glibc")
log "$abi"

tmp_dir="$runtime_dir/.wasmer-$key.tmp.$$"
rm -rf "$tmp_dir"
mkdir -p "$tmp_dir"
cp "$built_so" "$tmp_dir/libwasmer.so"
cp "$header" "$tmp_dir/wasm.h"
printf 'wasmer-c-api %s\nbuilt %s with %s, linked for %s by %s and zig %s\n' \
    "$(basename "$(dirname "$manifest")" | sed 's/^wasmer-c-api-//')" "$(date -u +%FT%TZ)" "$(rustc -V)" \
    "$triple.$max_glibc" "$(cargo-zigbuild --version)" "$("$CARGO_ZIGBUILD_ZIG_PATH" version)" \
    >"$tmp_dir/VERSION"
rm -rf "$out_dir"
mv -T "$tmp_dir" "$out_dir"
publish_current
# Keep the three most recent builds (other branches of a clone on this machine may use them);
# a process that still has an older library mapped keeps it until it exits.
ls -1dt "$runtime_dir"/wasmer-* 2>/dev/null | tail -n +4 | xargs -r rm -rf --
log "built $lib ($(du -h "$lib" | cut -f1))"
echo "$lib"
