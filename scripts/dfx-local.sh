#!/usr/bin/env bash
# Everything on a local replica with dfx: the ICP ledger (the released wasm, at its mainnet id,
# your dfx identity holding 1,000 ICP), the XRC stand-in with its rates, the orchestrator pointed
# at both and at an Akash network, and the example client canister (given 10 ICP).
#
#   bash scripts/dfx-local.sh                         # Akash sandbox (sandbox-2)
#   AKASH_NETWORK=mainnet bash scripts/dfx-local.sh   # Akash mainnet: real AKT
#
# Settings (environment): AKASH_NETWORK (sandbox | mainnet), PROVIDER_PROXY_URL (an Akash Console
# provider proxy; empty: providers are called directly, which works only for providers with a
# publicly trusted certificate), ICP_USD_E9 / AKT_USD_E9 (the stand-in's rates, 10^-9 USD).
# Run again at any time: installed canisters are upgraded, the ledger is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dfx >/dev/null || { echo "dfx not found: install it first (sh -ci \"\$(curl -fsSL https://internetcomputer.org/install.sh)\")" >&2; exit 1; }

AKASH_NETWORK="${AKASH_NETWORK:-sandbox}"
PROVIDER_PROXY_URL="${PROVIDER_PROXY_URL:-}"
ICP_USD_E9="${ICP_USD_E9:-5000000000}"
AKT_USD_E9="${AKT_USD_E9:-600000000}"
MINTER=ic-akash-minter

case "$AKASH_NETWORK" in
  sandbox)
    AKASH='akash_chain_id = opt "sandbox-2"; akash_api_urls = opt vec { "https://api.sandbox-2.aksh.pw:443" }; akash_read_quorum = opt (1 : nat8);'
    ;;
  mainnet)
    echo "WARNING: the orchestrator will sign transactions on Akash mainnet (akashnet-2) with real AKT." >&2
    AKASH=''
    ;;
  *) echo "AKASH_NETWORK must be sandbox or mainnet, not '$AKASH_NETWORK'" >&2; exit 2 ;;
esac

# a * 10^9 / b, rounded down, in 64-bit integers (long division, three digits at a time).
ratio_e9() {
  local q=$(($1 / $2)) r=$(($1 % $2))
  for _ in 1 2 3; do
    q=$((q * 1000 + r * 1000 / $2))
    r=$((r * 1000 % $2))
  done
  echo "$q"
}

# Whether a canister of this project has code on the local replica.
installed() {
  dfx canister info "$1" 2>/dev/null | grep -q 'Module hash: 0x'
}

if ! dfx ping >/dev/null 2>&1; then
  dfx start --background --clean
fi

# The ledger's minting account belongs to an identity of its own (mint more ICP with it).
dfx identity list 2>/dev/null | grep -qx "$MINTER" || dfx identity new --storage-mode plaintext "$MINTER" >/dev/null
MINTER_PRINCIPAL=$(dfx identity get-principal --identity "$MINTER")
MINTER_ACCOUNT=$(dfx ledger account-id --of-principal "$MINTER_PRINCIPAL")
ME=$(dfx identity get-principal)
ME_ACCOUNT=$(dfx ledger account-id)

dfx canister create --all >/dev/null

if ! installed icp_ledger; then
  dfx deploy icp_ledger --argument "(variant { Init = record {
    minting_account = \"$MINTER_ACCOUNT\";
    icrc1_minting_account = opt record { owner = principal \"$MINTER_PRINCIPAL\"; subaccount = null };
    initial_values = vec { record { \"$ME_ACCOUNT\"; record { e8s = 100_000_000_000 : nat64 } } };
    send_whitelist = vec {};
    transfer_fee = opt record { e8s = 10_000 : nat64 };
    token_symbol = opt \"ICP\";
    token_name = opt \"Internet Computer (local)\";
    feature_flags = opt record { icrc2 = true };
  } })"
fi
LEDGER=$(dfx canister id icp_ledger)

dfx deploy xrc --argument '(null)'
XRC=$(dfx canister id xrc)
set_rate() {
  dfx canister call xrc set_rate "(record {
    base_asset = record { symbol = \"$1\"; class = variant { $2 } };
    quote_asset = record { symbol = \"$3\"; class = variant { $4 } };
    rate_e9 = $5 : nat64 })" >/dev/null
}
set_rate ICP Cryptocurrency USD FiatCurrency "$ICP_USD_E9"
set_rate AKT Cryptocurrency USD FiatCurrency "$AKT_USD_E9"
set_rate ICP Cryptocurrency AKT Cryptocurrency "$(ratio_e9 "$ICP_USD_E9" "$AKT_USD_E9")"

if installed orchestrator; then
  dfx deploy orchestrator --argument '(opt variant { Upgrade = null })'
else
  dfx deploy orchestrator --argument "(opt variant { Init = record {
    ledger_id = opt principal \"$LEDGER\";
    xrc_id = opt principal \"$XRC\";
    ecdsa_key_name = opt \"dfx_test_key\";
    provider_proxy_url = opt \"$PROVIDER_PROXY_URL\";
    $AKASH
  } })"
fi
ORCH=$(dfx canister id orchestrator)

dfx deploy example_client --argument "(record { orchestrator = principal \"$ORCH\"; ledger = principal \"$LEDGER\" })"
APP=$(dfx canister id example_client)
if [ "$(dfx canister call icp_ledger icrc1_balance_of "(record { owner = principal \"$APP\" })" | tr -dc '0-9')" = "0" ]; then
  dfx canister call icp_ledger icrc1_transfer "(record { to = record { owner = principal \"$APP\" }; amount = 1_000_000_000 : nat })" >/dev/null
fi

cat <<EOT

Local canisters (network: local, Akash: $AKASH_NETWORK):
  icp_ledger      $LEDGER   (you, $ME: $(dfx canister call icp_ledger icrc1_balance_of "(record { owner = principal \"$ME\" })") e8s)
  xrc (stand-in)  $XRC   ($(dfx canister call xrc get_rates '()' | grep -c rate_e9) pairs; change with set_rate / remove_rate)
  orchestrator    $ORCH
  example_client  $APP   (holds 10 ICP; rent / status / close)

Next: bash scripts/demo.sh
Deployments need the orchestrator's treasury funded with AKT on Akash $AKASH_NETWORK: its address is
in 'dfx canister call orchestrator get_akash_accounts "(null)"' once it has been used (demo.sh
prints it).
EOT
