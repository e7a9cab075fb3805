#!/usr/bin/env bash
# A person's path with dfx, against the canisters of scripts/dfx-local.sh: approve the
# orchestrator on the ICP ledger, quote, deposit, read the balance, create a deployment of
# examples/web.yaml (burning AKT for its ACT), wait until it is Active or a deadline passes, print
# its URIs, close it and show the refund.
#
# The deployment part needs a real Akash network: the local replica's HTTPS outcalls reach the
# network dfx-local.sh configured (the sandbox by default), the orchestrator's treasury account
# must hold AKT there, and a provider must bid and take the manifest. Without that the
# deployment waits in Preparing/Creating and fails at its deadline; the refund part still runs.
#
# Settings (environment): ICP_E8S (default 500000000 = 5 ICP), DEPOSIT_UACT (5000000 = 5 ACT),
# MINT_UAKT (10000000 = 10 AKT), DEADLINE_SECS (900), SDL (examples/web.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

ICP_E8S="${ICP_E8S:-500000000}"
DEPOSIT_UACT="${DEPOSIT_UACT:-5000000}"
MINT_UAKT="${MINT_UAKT:-10000000}"
DEADLINE_SECS="${DEADLINE_SECS:-900}"
SDL="${SDL:-examples/web.yaml}"

ORCH=$(dfx canister id orchestrator)

step() { printf '\n== %s\n' "$*"; }
# Shows the call, then makes it; its output goes to stdout.
call() {
  echo "\$ dfx canister call $1 $2 ..." >&2
  dfx canister call "$@"
}
# The file as the inside of a candid text literal: backslashes, quotes, tabs and newlines escaped.
candid_text() {
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' "$1" | awk '{ printf "%s\\n", $0 }'
}
# The digits of the first `nat64` after "$1 = " in stdin (dfx prints 5_000_000 : nat64).
field() {
  grep -o "$1 = [0-9_]*" | head -n 1 | tr -dc '0-9'
}

step "Approve the orchestrator for $ICP_E8S e8s plus the ledger fee"
FEE=$(dfx canister call icp_ledger icrc1_fee '()' | tr -dc '0-9')
call icp_ledger icrc2_approve "(record { spender = record { owner = principal \"$ORCH\" }; amount = $((ICP_E8S + FEE)) : nat })"

step "What $ICP_E8S e8s buy now"
call orchestrator quote "($ICP_E8S : nat64)"

step "Deposit (the orchestrator takes the approved ICP and credits AKT)"
call orchestrator deposit_icp "(record { amount_e8s = $ICP_E8S : nat64 })"
call orchestrator get_balance '(null)'

step "Create a deployment of $SDL ($DEPOSIT_UACT uact deposit, $MINT_UAKT uakt burned for ACT)"
created=$(call orchestrator create_deployment "(record { sdl = \"$(candid_text "$SDL")\"; deposit_uact = $DEPOSIT_UACT : nat64; mint_uakt = opt ($MINT_UAKT : nat64) })")
echo "$created"
ID=$(echo "$created" | field Ok)
[ -n "$ID" ] || { echo "create_deployment was refused" >&2; exit 1; }
call orchestrator get_akash_accounts '(null)'

# Polls the deployment until its state is one of $1 (a grep -E pattern) or $2 seconds passed;
# leaves the last view, on one line, in $view and its state's name in $state.
wait_for() {
  local until=$((SECONDS + $2)) last=""
  while :; do
    view=$(dfx canister call orchestrator get_deployment "($ID : nat64)" | tr -s '[:space:]' ' ')
    state=$(echo "$view" | grep -oE 'state = variant \{ [A-Za-z]+' | awk '{ print $NF }')
    [ "$state" = "$last" ] || echo "deployment $ID: $state"
    last=$state
    echo "$view" | grep -qE "state = variant \\{ ($1)" && return 0
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 10
  done
}

step "Wait until the deployment is Active (at most $DEADLINE_SECS s)"
if wait_for 'Active|Closed|Failed' "$DEADLINE_SECS" && [ "$state" = Active ]; then
  echo "Active. Service URIs:"
  echo "$view" | grep -oE 'uris = vec \{[^}]*\}' | grep -o '"[^"]*"' || echo "(none reported)"
else
  echo "Not Active (state: ${state:-unknown}); the orchestrator's log: http://$ORCH.raw.localhost:4943/logs"
fi

if [ "$state" != Closed ] && [ "$state" != Failed ]; then
  step "Close the deployment"
  call orchestrator close_deployment "($ID : nat64)" >/dev/null
  wait_for 'Closed|Failed' 600 || echo "still closing; follow it with: dfx canister call orchestrator get_deployment '($ID : nat64)'"
fi

step "Refund"
echo "$view" | grep -oE 'state = variant \{ (Closed|Failed)[^}]*\}' || true
echo "refunded to your ACT: $(echo "$view" | field refunded_uact) uact"
call orchestrator get_balance '(null)'
