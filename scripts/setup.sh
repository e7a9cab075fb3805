#!/usr/bin/env bash
# Installs what the project needs beyond the Rust toolchain: the wasm32 target (the orchestrator
# canister and the core build for it) and the reference implementations the conformance tests
# compare against (the official Akash SDK and cosmjs, pinned in conformance/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown
command -v node >/dev/null || { echo "node (and npm) are needed for the conformance tests" >&2; exit 1; }
(cd conformance && npm ci --no-audit --no-fund --loglevel=error)
