//! Anchor crate: its only job is to pin wasmer-c-api (and its features) in Cargo.lock.
//! The shared library PHP loads is wasmer-c-api's own cdylib, copied out by
//! scripts/build-runtime.sh.
