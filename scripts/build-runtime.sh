#!/usr/bin/env bash
# Builds the wasm.h runtime library (libwasmer, from the wasmer-c-api crate) that the PHP host loads
# through FFI when the wasmer-php extension is absent. The crate lives in whmcs-module/runtime/; all
# build output goes to a cache directory outside the clone so repeated CI runs on one machine reuse it.
# Idempotent: when a library built from the same Cargo.toml/Cargo.lock already exists, cargo is not run.
# The last line on stdout is the absolute path of the built shared library.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
crate_dir="$repo_root/whmcs-module/runtime"
cache_dir="${COMETPROV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cometprov}"
runtime_dir="$cache_dir/runtime"
# Bump when this script changes how the library is produced, so old outputs are not reused.
recipe=1

log() { printf 'build-runtime: %s\n' "$*" >&2; }

key=$( { echo "recipe=$recipe"; cat "$crate_dir/Cargo.toml" "$crate_dir/Cargo.lock" "$crate_dir/src/lib.rs"; } \
       | sha256sum | cut -c1-16)
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
triple=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="$cache_dir/cargo-target"
# wasmer-c-api's build.rs runs cbindgen (which calls `cargo metadata --all-features`, touching the
# v8/wamr/llvm dependency trees) and asserts the target dir is named `target` or the triple; the crate
# already ships wasm.h, so skip that step the way upstream's publish script does.
export WASMER_PUBLISH_SCRIPT_IS_RUNNING=1

log "building wasmer-c-api in $CARGO_TARGET_DIR (a first build takes about 5 min on 2 cores)"
start=$(date +%s)
messages="$runtime_dir/.cargo-messages.$$.json"
trap 'rm -f "$messages"' EXIT
# --target: keeps host and target artifacts apart, as upstream builds it. --locked: Cargo.lock is the pin.
( cd "$crate_dir" && cargo build --release --locked --target "$triple" \
      --message-format=json-render-diagnostics ) >"$messages"
log "cargo finished in $(( $(date +%s) - start ))s"

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

tmp_dir="$runtime_dir/.wasmer-$key.tmp.$$"
rm -rf "$tmp_dir"
mkdir -p "$tmp_dir"
cp "$built_so" "$tmp_dir/libwasmer.so"
cp "$header" "$tmp_dir/wasm.h"
printf 'wasmer-c-api %s\nbuilt %s with %s\n' \
    "$(basename "$(dirname "$manifest")" | sed 's/^wasmer-c-api-//')" "$(date -u +%FT%TZ)" "$(rustc -V)" \
    >"$tmp_dir/VERSION"
rm -rf "$out_dir"
mv -T "$tmp_dir" "$out_dir"
publish_current
# Keep the three most recent builds (other branches of a clone on this machine may use them);
# a process that still has an older library mapped keeps it until it exits.
ls -1dt "$runtime_dir"/wasmer-* 2>/dev/null | tail -n +4 | xargs -r rm -rf --
log "built $lib ($(du -h "$lib" | cut -f1))"
echo "$lib"
