#!/usr/bin/env bash
# Builds the orchestrator canister's wasm (size-optimised profile `canister`) to
# target/canister/orchestrator.wasm, gzips it to orchestrator.wasm.gz (what dfx installs: an
# install message holds at most 2 MiB) and reports both sizes. dfx.json calls this too.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo build --locked --target wasm32-unknown-unknown --profile canister -p ic-akash-orchestrator
built="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/canister/ic-akash-orchestrator.wasm"
mkdir -p target/canister
cp "$built" target/canister/orchestrator.wasm
gzip -9 -n -c target/canister/orchestrator.wasm > target/canister/orchestrator.wasm.gz
bytes=$(wc -c < target/canister/orchestrator.wasm)
gz=$(wc -c < target/canister/orchestrator.wasm.gz)
echo "orchestrator wasm: target/canister/orchestrator.wasm, $bytes bytes ($((bytes / 1024)) KiB); gzipped $gz bytes ($((gz / 1024)) KiB)"
