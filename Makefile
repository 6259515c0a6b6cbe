# Front door: `make test` installs what is missing, builds everything and runs every suite;
# `make demo` shows the product working against the local Comet emulator.
SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_WASM  ?= build-wasm
# Emscripten 3.1.6's JS optimizer finds Debian's acorn only through NODE_PATH.
export NODE_PATH := /usr/share/nodejs
export COMETPROV_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cometprov

.PHONY: all deps native sanitize wasm node-deps test test-native test-sanitize test-node demo bench clean

all: native wasm

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

native: deps $(BUILD)/build.ninja
	cmake --build $(BUILD)

$(BUILD_ASAN)/build.ninja: | deps
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCOMETPROV_SANITIZE=ON

sanitize: deps $(BUILD_ASAN)/build.ninja
	cmake --build $(BUILD_ASAN)

$(BUILD_WASM)/build.ninja: | deps
	emcmake cmake -S wasm -B $(BUILD_WASM) -G Ninja -DCMAKE_BUILD_TYPE=Release

wasm: deps $(BUILD_WASM)/build.ninja
	cmake --build $(BUILD_WASM)

node-harness/node_modules/.package-lock.json: node-harness/package-lock.json
	cd node-harness && npm ci --no-audit --no-fund

node-deps: deps node-harness/node_modules/.package-lock.json

test-native: native
	ctest --test-dir $(BUILD) --output-on-failure -j2

test-sanitize: sanitize
	ctest --test-dir $(BUILD_ASAN) --output-on-failure -j2

test-node: wasm node-deps
	cd node-harness && node --test test/

test: test-native test-sanitize test-node

demo: native
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_WASM) dist
