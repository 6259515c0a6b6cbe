#!/usr/bin/env bash
# Builds dist/cometbackup-whmcs-<version>.zip: the folder an admin uploads into the WHMCS root.
#
#   modules/servers/cometbackup/   the module (cometbackup.php, sso.php, lib/, lang/, templates/,
#                                  whmcs.json, logo.png), plus
#     cometprov.wasm               the core ($COMETPROV_WASM or build-wasm/cometprov.wasm)
#     runtime/libwasmer.so         the wasm.h runtime for the FFI backend ($COMETPROV_WASM_RUNTIME or
#                                  scripts/build-runtime.sh's cached build)
#     preview/                     the admin preview page, with the Embind build of the core beside it
#     README.md                    the admin guide (the repository's README.md)
#     lib/, runtime/, templates/   each with an .htaccess denying HTTP access (Apache 2.2 and 2.4)
# Left out: tests and anything else that is a development tool.
#
# Usage: scripts/dist.sh [OUTDIR]   (default dist/); prints the zip's path as its last line.
# The version is the core's own (the `version` op of the built core).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir=${1:-$repo/dist}
module_src=$repo/whmcs-module/modules/servers/cometbackup
wasm=${COMETPROV_WASM:-$repo/build-wasm/cometprov.wasm}

die() { printf 'dist: %s\n' "$*" >&2; exit 1; }
command -v zip >/dev/null || die "zip is missing (Debian package zip)"
[[ -f $module_src/cometbackup.php ]] || die "no module at $module_src"
[[ -f $wasm ]] || die "no core at $wasm: run make wasm first"

runtime=${COMETPROV_WASM_RUNTIME:-}
if [[ -z $runtime ]]; then
    runtime=$(bash "$repo/scripts/build-runtime.sh" | tail -n1)
fi
[[ -f $runtime ]] || die "no runtime library at '$runtime': run scripts/build-runtime.sh"

# The version, from the core itself (the Node host loads the Embind build of the same sources).
version=$(printf '{"op":"version"}' | node "$repo/node-harness/bin/cometprov" invoke \
          | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(!r.ok)process.exit(1);process.stdout.write(r.value.version)})') \
    || die "cannot read the core's version"
[[ $version =~ ^[0-9A-Za-z.+-]+$ ]] || die "odd version '$version'"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dest=$stage/modules/servers/cometbackup
mkdir -p "$dest"

# Only what a WHMCS installation runs; a file added to the module later must be listed here on purpose.
for item in cometbackup.php sso.php preload.php hooks.php whmcs.json logo.png lib lang templates; do
    if [[ -e $module_src/$item ]]; then
        cp -R "$module_src/$item" "$dest/"
    fi
done
for required in cometbackup.php whmcs.json lib lang templates; do
    [[ -e $dest/$required ]] || die "the module has no $required"
done
cp "$wasm" "$dest/cometprov.wasm"
# The admin preview page runs the Embind build of the same core in the admin's browser.
embind_dir=${COMETPROV_EMBIND_DIR:-$(dirname "$wasm")}
[[ -f $embind_dir/cometprov_embind.js && -f $embind_dir/cometprov_embind.wasm ]] \
    || die "no Embind build in $embind_dir: run make wasm first"
mkdir -p "$dest/preview"
cp "$module_src"/preview/{index.html,preview.css,preview.js,samples.js,README.md} "$dest/preview/"
cp "$embind_dir"/cometprov_embind.{js,wasm} "$dest/preview/"
mkdir -p "$dest/runtime"
cp "$runtime" "$dest/runtime/libwasmer.so"
# The deny rules: lib/ and templates/ carry their .htaccess in the module folder; runtime/ is made
# here, so it gets a copy of the same file.
cp "$module_src/lib/.htaccess" "$dest/runtime/.htaccess"
cp "$repo/README.md" "$dest/README.md"
[[ -f $repo/LICENSE ]] && cp "$repo/LICENSE" "$dest/LICENSE"
# No editor, OS or test leftovers.
find "$dest" \( -name '.*' ! -name '.htaccess' -o -name '*~' -o -name '*.orig' -o -name '*Test.php' -o -name '*.swp' \) -prune -exec rm -rf {} +
for denied in lib runtime templates; do
    grep -q 'Require all denied' "$dest/$denied/.htaccess" 2>/dev/null || die "no deny rules in $denied/.htaccess"
done
chmod -R u=rwX,go=rX "$stage/modules"

# Reproducible: fixed timestamps (the last commit's), sorted entries, no extra attributes.
epoch=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 946684800)
find "$stage/modules" -exec touch -h -d "@$epoch" {} +

mkdir -p "$out_dir"
zip_path=$(cd "$out_dir" && pwd)/cometbackup-whmcs-$version.zip
rm -f "$zip_path"
( cd "$stage" && find modules | LC_ALL=C sort | TZ=UTC zip -X -q -@ "$zip_path" )
printf 'dist: %s (%s files, %s bytes)\n' "$zip_path" "$(find "$stage/modules" -type f | wc -l)" "$(stat -c %s "$zip_path")" >&2
echo "$zip_path"
