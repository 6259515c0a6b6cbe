# Front door: `make test` installs what is missing, builds everything and runs every suite;
# `make demo` runs a service's whole lifecycle against the local Comet emulator.
SHELL := /bin/bash
# pipefail: a recipe that pipes (the fuzzer into tail) still fails when its first command does.
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := all

BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_WASM  ?= build-wasm
BUILD_FUZZ  ?= build-fuzz
FUZZ_SECONDS ?= 30
# Emscripten 3.1.6's JS optimizer finds Debian's acorn only through NODE_PATH.
export NODE_PATH := /usr/share/nodejs
# Crate builds and compiled-module caches live outside the clone, so CI runs on one machine reuse them.
export COMETPROV_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cometprov
export COMETPROV_WASM := $(CURDIR)/$(BUILD_WASM)/cometprov.wasm
# Native, sanitizer and fuzz objects are cached by ccache outside the clone, so a CI run on a machine
# that built the same sources before compiles nothing again. Paths are made relative to the clone and
# the directory is left out of the hash, so two clones in different folders share the cache.
export CCACHE_DIR ?= $(COMETPROV_CACHE_DIR)/ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
# Recursive (=): evaluated when a configure recipe runs, after `deps` installed ccache.
LAUNCHER = $(if $(shell command -v ccache 2>/dev/null),-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all deps native sanitize wasm node-deps runtime test test-native test-sanitize test-fuzz \
        test-node test-php test-conformance test-browser demo demo-node preview dist bench clean

all: native wasm

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER)

native: deps $(BUILD)/build.ninja
	cmake --build $(BUILD)

$(BUILD_ASAN)/build.ninja: | deps
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCOMETPROV_SANITIZE=ON $(LAUNCHER)

sanitize: deps $(BUILD_ASAN)/build.ninja
	cmake --build $(BUILD_ASAN)

# libFuzzer comes with clang, so the fuzz build is its own tree configured with clang-14.
$(BUILD_FUZZ)/build.ninja: | deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD_FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) \
	  -DCOMETPROV_SANITIZE=ON -DCOMETPROV_FUZZ=ON -DCOMETPROV_TESTS=OFF

$(BUILD_WASM)/build.ninja: | deps
	emcmake cmake -S wasm -B $(BUILD_WASM) -G Ninja -DCMAKE_BUILD_TYPE=Release

wasm: deps $(BUILD_WASM)/build.ninja
	cmake --build $(BUILD_WASM)

node-harness/node_modules/.package-lock.json: node-harness/package-lock.json | deps
	cd node-harness && npm ci --no-audit --no-fund

node-deps: deps node-harness/node_modules/.package-lock.json

# libwasmer from crates, linked by cargo-zigbuild for glibc 2.17 (zig from PyPI, in a venv in the cache),
# cached by the lockfile's and the recipe's hash; a no-op when nothing changed. The one library that
# test-php, test-conformance, demo, bench and dist all use.
runtime: deps
	bash scripts/build-runtime.sh >/dev/null

test-native: native
	ctest --test-dir $(BUILD) --output-on-failure -j2

test-sanitize: sanitize
	ctest --test-dir $(BUILD_ASAN) --output-on-failure -j2

# A bounded fuzzing run (seeded with every vector) under ASan and UBSan: any crash fails the build.
test-fuzz: deps $(BUILD_FUZZ)/build.ninja node-deps
	cmake --build $(BUILD_FUZZ) --target invoke_fuzz usage_stream_fuzz
	rm -rf $(BUILD_FUZZ)/corpus && node tests/fuzz/make-corpus.js $(BUILD_FUZZ)/corpus
	$(BUILD_FUZZ)/invoke_fuzz $(BUILD_FUZZ)/corpus -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	  -max_len=8192 -artifact_prefix=$(BUILD_FUZZ)/ -print_final_stats=1 2>&1 | tail -n 12
	# The streaming usage parser: the body cut at fuzzer-chosen points must give the one-piece result.
	$(BUILD_FUZZ)/usage_stream_fuzz $(BUILD_FUZZ)/corpus -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	  -max_len=8192 -artifact_prefix=$(BUILD_FUZZ)/usage- -print_final_stats=1 2>&1 | tail -n 12

test-node: wasm node-deps
	cd node-harness && node --test test/

test-php: wasm runtime
	phpunit -c tests/php/phpunit.xml

test-conformance: native wasm runtime node-deps
	node --test tests/conformance/

# The admin preview page in Debian's Chromium, driven by playwright-core.
test-browser: wasm node-deps
	node --test tests/browser/

test: test-native test-sanitize test-fuzz test-node test-php test-conformance test-browser

# The product: a service's whole lifecycle through the PHP module, against the local Comet emulator,
# on an embedded SQLite database.
demo: native wasm runtime node-deps
	@php scripts/php-demo.php

# The same lifecycle through the Node CLI (the offline harness).
demo-node: native wasm node-deps
	@bash scripts/demo.sh

# Serves the admin preview page on loopback and prints its URL.
preview: wasm node-deps
	@node node-harness/bin/preview

# dist/cometbackup-whmcs-<version>.zip: the folder an admin uploads to WHMCS.
dist: wasm runtime
	@bash scripts/dist.sh

bench: native wasm runtime node-deps
	@bash scripts/bench.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_WASM) dist
