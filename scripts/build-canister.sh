#!/usr/bin/env bash
# Builds the orchestrator canister's wasm (size-optimised profile `canister`) to
# target/canister/orchestrator.wasm and reports its size. dfx.json calls this too.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo build --locked --target wasm32-unknown-unknown --profile canister -p ic-akash-orchestrator
mkdir -p target/canister
cp target/wasm32-unknown-unknown/canister/ic-akash-orchestrator.wasm target/canister/orchestrator.wasm
bytes=$(wc -c < target/canister/orchestrator.wasm)
echo "orchestrator wasm: target/canister/orchestrator.wasm, $bytes bytes ($((bytes / 1024)) KiB)"
