#!/usr/bin/env bash
# Builds a canister's wasm (size-optimised profile `canister`) to target/canister/<name>.wasm,
# gzips it to <name>.wasm.gz (what dfx installs: an install message holds at most 2 MiB) and
# reports both sizes. dfx.json calls this too.
#   bash scripts/build-canister.sh [orchestrator|example_client|xrc_stub]   (default: orchestrator)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-orchestrator}"
case "$name" in
  orchestrator) package=ic-akash-orchestrator ;;
  example_client) package=ic-akash-example-client ;;
  xrc_stub) package=ic-akash-xrc-stub ;;
  *) echo "unknown canister '$name' (orchestrator, example_client or xrc_stub)" >&2; exit 2 ;;
esac
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo build --locked --target wasm32-unknown-unknown --profile canister -p "$package"
built="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/canister/$package.wasm"
mkdir -p target/canister
cp "$built" "target/canister/$name.wasm"
gzip -9 -n -c "target/canister/$name.wasm" > "target/canister/$name.wasm.gz"
bytes=$(wc -c < "target/canister/$name.wasm")
gz=$(wc -c < "target/canister/$name.wasm.gz")
echo "$name wasm: target/canister/$name.wasm, $bytes bytes ($((bytes / 1024)) KiB); gzipped $gz bytes ($((gz / 1024)) KiB)"
