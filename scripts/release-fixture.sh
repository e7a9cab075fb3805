#!/usr/bin/env bash
# Writes the stable-memory image of release <rev> after a realistic history, for the upgrade test
# (canisters/orchestrator/tests/upgrade_from_release.rs): a temporary git worktree at <rev>, our
# generator (canisters/orchestrator/tests/fixtures/generator.rs) copied into its tests/ beside that
# release's tests/support, run there with that release's code. Output, in
# canisters/orchestrator/tests/fixtures/:
#   release-<short rev>.stable.gz   the gzipped stable memory
#   release-<short rev>.json        what the image must contain (balances, journal, deployments, config)
# Run it at each release (with the release's commit) and commit both files.
# The release is built in its own target directory (RELEASE_FIXTURE_TARGET_DIR, default
# target/release-fixture), never in this tree's: cargo names a workspace crate's artifacts by its
# path relative to the workspace, so the release's build would overwrite this tree's and a later
# build here could take them as fresh.
set -euo pipefail
rev="${1:?usage: scripts/release-fixture.sh <rev>}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
fixtures="$root/canisters/orchestrator/tests/fixtures"
short="$(git -C "$root" rev-parse --short=7 "$rev^{commit}")"
tmp="$(mktemp -d)"
cleanup() {
    git -C "$root" worktree remove --force "$tmp/tree" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
git -C "$root" worktree add --detach "$tmp/tree" "$short" >/dev/null
cp "$fixtures/generator.rs" "$tmp/tree/canisters/orchestrator/tests/release_fixture_generator.rs"
(
    cd "$tmp/tree"
    export CARGO_TARGET_DIR="${RELEASE_FIXTURE_TARGET_DIR:-$root/target/release-fixture}"
    RELEASE_FIXTURE_OUT="$tmp/out" RELEASE_FIXTURE_REV="$short" \
        cargo test --locked -p ic-akash-orchestrator --test release_fixture_generator -- --nocapture
)
gzip -9 -n -c "$tmp/out/stable.bin" > "$fixtures/release-$short.stable.gz"
cp "$tmp/out/expected.json" "$fixtures/release-$short.json"
echo "release $short: $(wc -c < "$fixtures/release-$short.stable.gz") bytes gzipped ($(wc -c < "$tmp/out/stable.bin") raw) and release-$short.json in $fixtures"
