#!/usr/bin/env bash
# The test command: sets up, then runs every test (unit, flow and conformance against the
# official SDK) and checks that the protocol core builds for wasm32 (what the canister links).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked --lib --target wasm32-unknown-unknown --release
cargo test --locked --workspace
