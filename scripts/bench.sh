#!/usr/bin/env bash
# Benchmarks SDL parsing + manifest + hash + GroupSpec encoding over the whole corpus, in our core
# (criterion) and in the official SDK (node), on this machine in the same run, and prints the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${IC_AKASH_SHARED:-$(pwd)/../shared}"
[ -d conformance/node_modules/@akashnetwork/chain-sdk ] || bash scripts/setup.sh
TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"
# Wall time depends on what else runs: say how busy the machine is.
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
cargo bench --locked -p ic-akash --bench corpus -- --noplot corpus_parse_hash_groups
rust_ns=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['mean']['point_estimate'])" \
  "$TARGET_DIR/criterion/corpus_parse_hash_groups/new/estimates.json")
sdk=$(cd conformance && node bench-sdk.mjs "$SHARED/sdl-corpus" 30)
python3 - "$rust_ns" "$sdk" <<'PY'
import json, sys
rust_ms = float(sys.argv[1]) / 1e6
sdk = json.loads(sys.argv[2])
print(f"ic-akash core : {rust_ms:8.2f} ms per corpus pass ({sdk['files']} files)")
print(f"chain-sdk     : {sdk['mean_ms_per_pass']:8.2f} ms per corpus pass (node {sdk['iterations']} passes)")
print(f"ratio         : {sdk['mean_ms_per_pass'] / rust_ms:8.1f}x faster")
PY
