#!/usr/bin/env bash
# Installs what the build and tests need and is missing: Debian packages now; npm packages, crates and
# the PyPI linker toolchain of the runtime library (scripts/install-zig.sh, called by
# scripts/build-runtime.sh) are installed by their own make targets. Idempotent and quiet when
# everything is present.
set -euo pipefail

PACKAGES=(
  cmake ninja-build gcc g++ binutils pkg-config  # native build (gcc also compiles the wasm.h check)
  ccache                               # native, sanitizer and fuzz objects cached outside the clone
  nlohmann-json3-dev googletest libgtest-dev  # core dependencies and its tests
  clang-14 libclang-rt-14-dev          # libFuzzer for the bounded fuzzing run
  emscripten node-acorn binaryen wabt  # wasm builds; node-acorn for emcc's JS optimizer
  php-cli php-curl php-mbstring php-xml phpunit  # the PHP host and its tests
  php8.2-cgi                           # a web SAPI: tests ffi.enable=preload as a web server enforces it
  php-illuminate-database smarty4      # the Capsule and Smarty that WHMCS itself uses, for the harness
  mariadb-server php-mysql php-sqlite3 # the harness database (MariaDB in tests, SQLite for make demo)
  zip unzip                            # make dist and its unpack test
  libxxhash0                           # checks mapped compiled-module cache entries (the PHP host)
  openssl ca-certificates curl         # throwaway TLS certificates for the emulator tests
  chromium                             # the Embind build is tested in a real browser
  python3-venv python3-pip             # cargo-zigbuild and zig from PyPI, in a venv (scripts/install-zig.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

for tool in node npm cargo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-deps: $tool is required (Node.js 20 with npm, and Rust's cargo) but not found" >&2
    exit 1
  fi
done
