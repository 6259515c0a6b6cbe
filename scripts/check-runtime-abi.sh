#!/usr/bin/env bash
# Checks that a shared library loads on old Linux servers: it may need no glibc symbol version newer
# than MAX_GLIBC (default 2.17, what RHEL/CentOS 7 has), no GLIBC_PRIVATE symbol, and no shared
# library other than glibc's own (in particular no libgcc_s, which minimal server images may lack).
# Reads the library's dynamic symbols (objdump -T) and version references and NEEDED entries
# (objdump -p). scripts/build-runtime.sh runs it before publishing libwasmer.so.
#
# Usage: scripts/check-runtime-abi.sh LIBRARY [MAX_GLIBC]
# Exit 0 and one summary line on stdout when it passes; exit 1 with every problem on stderr otherwise.
set -euo pipefail

lib=${1:?usage: check-runtime-abi.sh LIBRARY [MAX_GLIBC]}
max_glibc=${2:-2.17}
# A Rust cdylib needs nothing but these (all part of glibc).
allowed_needed='libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 ld-linux-x86-64.so.2'

command -v objdump >/dev/null || { echo "check-runtime-abi: objdump not found (Debian's binutils)" >&2; exit 1; }
[[ -f $lib ]] || { echo "check-runtime-abi: no file at $lib" >&2; exit 1; }
# objdump fails on a file that is not ELF; that must not read as "needs nothing".
symbols=$(objdump -T "$lib") || { echo "check-runtime-abi: objdump -T cannot read $lib" >&2; exit 1; }
headers=$(objdump -p "$lib") || { echo "check-runtime-abi: objdump -p cannot read $lib" >&2; exit 1; }

problems=()
versions=$(grep -ho 'GLIBC_[0-9A-Za-z_.]*' <<<"$symbols"$'\n'"$headers" | sort -u || true)
newest=
for version in $versions; do
    number=${version#GLIBC_}
    if [[ ! $number =~ ^[0-9]+(\.[0-9]+)+$ ]]; then
        problems+=("needs $version, which no other glibc release provides")
        continue
    fi
    if [[ $(printf '%s\n%s\n' "$number" "$max_glibc" | sort -V | tail -n1) != "$max_glibc" ]]; then
        users=$(grep -F "($version)" <<<"$symbols" | awk '{print $NF}' | head -n 5 | paste -sd' ' - || true)
        problems+=("needs $version, newer than GLIBC_$max_glibc${users:+ (for $users)}")
    fi
    if [[ -z $newest || $(printf '%s\n%s\n' "$number" "$newest" | sort -V | tail -n1) == "$number" ]]; then
        newest=$number
    fi
done
needed=$(awk '$1 == "NEEDED" { print $2 }' <<<"$headers")
for name in $needed; do
    [[ " $allowed_needed " == *" $name "* ]] || problems+=("needs $name, which is not part of glibc")
done

if ((${#problems[@]})); then
    echo "check-runtime-abi: $lib would not load on every glibc $max_glibc+ system:" >&2
    printf '  - %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "check-runtime-abi: $lib needs glibc ${newest:-(none)} at most (limit $max_glibc) and only:" $needed
