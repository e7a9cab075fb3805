#!/usr/bin/env bash
# The test command: sets up, then runs every test (unit, flow and conformance against the
# official SDK), checks that the protocol core builds for wasm32, and builds the canisters' wasm
# (orchestrator, example client, XRC stand-in) and reports their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked -p ic-akash --lib --target wasm32-unknown-unknown --release
bash scripts/build-canister.sh
bash scripts/build-canister.sh example_client
bash scripts/build-canister.sh xrc_stub
cargo test --locked --workspace
