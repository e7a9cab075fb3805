//! Transactions the orchestrator's pipeline produced, against the references: withdrawals (one
//! batched transaction of several `MsgSend`), an ACT mint (`MsgMintACT`) and an owner account's fee
//! allowance (`MsgGrantAllowance` holding an `AllowedMsgAllowance` that wraps a `BasicAllowance`)
//! run through the pipeline against the simulated chain: simulated for gas, signed by the
//! (fake) threshold-ECDSA key, broadcast and included. The exact bytes that were included are
//! then handed to `conformance/tx-check.mjs`, which decodes them with the official Akash SDK
//! (byte-identical re-encoding of the TxRaw, body, auth info, every message and every `Any`
//! nested in them), compares each message with the SDK's encoding of what was requested (written
//! here independently, in the SDK's JSON form), rebuilds the auth info and the SIGN_MODE_DIRECT
//! sign doc with cosmjs from the chain's account number and verifies the signature (low-S too)
//! with the key the chain recorded for the signer. Tampered copies must be rejected, so the check
//! can fail.

mod support;

use base64::Engine;
use ic_akash_orchestrator::akash::pipeline::TX_MEMO;
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::owner_account::{open_akash_account, OWNER_ALLOWED_MESSAGES};
use ic_akash_orchestrator::runtime::fake::akash::chain::IncludedTx;
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::storage::SignerId;
use ic_akash_orchestrator::withdraw::withdraw;
use ic_akash_orchestrator_types::{ConfigArg, MintActArg, WithdrawArg};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use support::{dest, user, Env, CHAIN_ID};

const TIMEOUT_SECS: u64 = 240;
/// 0.03 uakt per gas: the fee of each transaction is ceil(gas limit × 3 / 100).
const GAS_PRICE: &str = "0.03uakt";
const OWNER_ALLOWANCE_UAKT: u64 = 4_321_000;
const NANOS: u64 = 1_000_000_000;
const WITHDRAWALS: [u64; 4] = [1_000_001, 1_200_002, 2_300_003, 3_400_004];
const MINTS: [u64; 2] = [1_500_000, 2_250_000];

/// Runs `node conformance/tx-check.mjs` on `input` (given on stdin) and parses what it printed.
/// Like the root crate's conformance tests: `node` from PATH, the repository's `conformance`
/// folder, and a clear failure when `scripts/setup.sh` has not installed the references.
fn reference_check(input: &Value) -> Value {
    let conformance = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance");
    let sdk = conformance.join("node_modules/@akashnetwork/chain-sdk/package.json");
    assert!(sdk.exists(), "the reference SDK is not installed: run `bash scripts/setup.sh` (npm ci in conformance/) first");
    let mut node = Command::new("node")
        .args(["tx-check.mjs", "/dev/stdin"])
        .current_dir(&conformance)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be installed to run the conformance tests");
    node.stdin.take().unwrap().write_all(&serde_json::to_vec(input).unwrap()).unwrap();
    let out = node.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "node tx-check.mjs failed ({}):\n{stderr}", out.status);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tx-check.mjs printed no JSON ({e}); stderr:\n{stderr}"))
}

fn uakt(amount: u64) -> Value {
    json!({"denom": "uakt", "amount": amount.to_string()})
}

/// Runs the pipeline until idle and returns the one transaction it got included meanwhile, with
/// the window its `timeout_timestamp` must lie in: signed no earlier than `start_secs` and no later
/// than its block, plus the configured timeout.
fn the_next_tx(env: &Env, max_secs: u64) -> (IncludedTx, [u64; 2]) {
    let before = env.sim().included_txs().len();
    let start_secs = env.now() / NANOS;
    assert!(env.run_until_idle(max_secs), "the pipeline did not finish");
    let new: Vec<IncludedTx> = env.sim().included_txs()[before..].to_vec();
    assert_eq!(new.len(), 1, "one transaction: {:?}", new.iter().map(|t| &t.hash).collect::<Vec<_>>());
    let tx = new.into_iter().next().unwrap();
    assert_eq!(tx.code, 0, "{}", tx.raw_log);
    let window = [start_secs + TIMEOUT_SECS, tx.time_nanos / NANOS + TIMEOUT_SECS];
    (tx, window)
}

/// The signature is TxRaw's last field: tag 0x1a, length 64, r || s.
fn signature_range(raw: &[u8]) -> std::ops::Range<usize> {
    let start = raw.len() - 64;
    assert_eq!(raw[start - 2..start], [0x1a, 0x40], "one 64-byte signature last in the TxRaw");
    start..raw.len()
}

/// The same signature with s replaced by n − s (valid, but high-S).
fn high_s(raw: &[u8]) -> Vec<u8> {
    let range = signature_range(raw);
    let sig = k256::ecdsa::Signature::from_slice(&raw[range.clone()]).unwrap();
    let high = k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
    let mut out = raw.to_vec();
    out[range].copy_from_slice(&high.to_bytes());
    out
}

#[test]
fn transactions_from_the_pipeline_pass_the_reference_check() {
    let env = Env::with_chain(ConfigArg {
        akash_gas_price: Some(GAS_PRICE.into()),
        akash_tx_timeout_secs: Some(TIMEOUT_SECS),
        owner_fee_allowance_uakt: Some(OWNER_ALLOWANCE_UAKT),
        ..Default::default()
    });
    let users: Vec<_> = (1..=4).map(user).collect();
    for u in &users {
        env.credit_akt(*u, 2);
    }
    let treasury = env.treasury();

    // Withdrawals queued together: one treasury transaction, one MsgSend each, in request order.
    for (i, (u, amount)) in users.iter().zip(WITHDRAWALS).enumerate() {
        let arg = WithdrawArg { amount_uakt: amount, to_akash_address: dest(20 + i as u8), owner: None };
        block_on(withdraw(&env.o, *u, arg)).unwrap();
    }
    let (sends, sends_window) = the_next_tx(&env, 120);
    let sends_expected: Vec<Value> = WITHDRAWALS
        .iter()
        .enumerate()
        .map(|(i, amount)| {
            json!({
                "type_url": "/cosmos.bank.v1beta1.MsgSend",
                "json": {"from_address": treasury, "to_address": dest(20 + i as u8), "amount": [uakt(*amount)]},
            })
        })
        .collect();

    // Two mint requests: one MsgMintACT burning their sum, minted to the treasury.
    for (u, amount) in users.iter().zip(MINTS) {
        block_on(mint_act(&env.o, *u, MintActArg { amount_uakt: amount, owner: None })).unwrap();
    }
    let (mint, mint_window) = the_next_tx(&env, 600);
    let mint_expected = vec![json!({
        "type_url": "/akash.bme.v1.MsgMintACT",
        "json": {"owner": treasury, "to": treasury, "coins_to_burn": uakt(MINTS.iter().sum())},
    })];

    // An owner account: the treasury's fee allowance, limited to the owner's own message types.
    let owner = block_on(open_akash_account(&env.o, users[0])).unwrap().owner.unwrap();
    let (grant, grant_window) = the_next_tx(&env, 120);
    let allowance = |spend_limit: u64| {
        json!({
            "@type": "/cosmos.feegrant.v1beta1.AllowedMsgAllowance",
            "allowance": {"@type": "/cosmos.feegrant.v1beta1.BasicAllowance", "spend_limit": [uakt(spend_limit)]},
            "allowed_messages": OWNER_ALLOWED_MESSAGES,
        })
    };
    let grant_message = |spend_limit: u64| {
        vec![json!({
            "type_url": "/cosmos.feegrant.v1beta1.MsgGrantAllowance",
            "json": {"granter": treasury, "grantee": owner, "allowance": allowance(spend_limit)},
        })]
    };
    env.check_chain();

    // The signer as the chain knows it (the key its first transaction set) and as the
    // orchestrator stored it.
    let ours = env.o.read(|s| s.tx_account(&SignerId::Treasury)).unwrap();
    let on_chain = env.sim().account(&treasury).expect("the treasury account");
    assert_eq!(on_chain.pub_key.map(|k| k.0.to_vec()), Some(ours.public_key.clone()));
    assert_eq!(ours.account_number, Some(on_chain.account_number));
    assert_eq!([sends.sequence, mint.sequence, grant.sequence], [0, 1, 2]);
    for tx in [&sends, &mint, &grant] {
        assert_eq!(tx.signer, treasury);
    }
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let case = |name: &str, raw: &[u8], tx: &IncludedTx, window: [u64; 2], messages: &[Value]| {
        json!({
            "name": name,
            "tx_base64": b64(raw),
            "chain_id": CHAIN_ID,
            "account_number": on_chain.account_number.to_string(),
            "sequence": tx.sequence.to_string(),
            "pubkey_hex": hex::encode(&ours.public_key),
            "address": treasury,
            "memo": TX_MEMO,
            "timeout_timestamp_window_secs": window,
            "messages": messages,
        })
    };
    let mut cases = vec![
        case("withdrawals", &sends.raw, &sends, sends_window, &sends_expected),
        case("mint-act", &mint.raw, &mint, mint_window, &mint_expected),
        case("grant-allowance", &grant.raw, &grant, grant_window, &grant_message(OWNER_ALLOWANCE_UAKT)),
    ];

    // Negative controls: tampered copies and wrong expectations, each to be rejected.
    let mut flipped = sends.raw.clone();
    flipped[signature_range(&sends.raw).start + 10] ^= 0x01;
    cases.push(case("neg-flipped-signature-byte", &flipped, &sends, sends_window, &sends_expected));
    let mut wrong_account = case("neg-wrong-account-number", &sends.raw, &sends, sends_window, &sends_expected);
    wrong_account["account_number"] = json!((on_chain.account_number + 1).to_string());
    cases.push(wrong_account);
    cases.push(case("neg-high-s", &high_s(&grant.raw), &grant, grant_window, &grant_message(OWNER_ALLOWANCE_UAKT)));
    // One bit of the memo inside the signed body ("ic-akash" → "ic-akasi"): still decodes.
    let mut memo_changed = mint.raw.clone();
    let at = memo_changed.windows(TX_MEMO.len()).position(|w| w == TX_MEMO.as_bytes()).expect("the memo in the body");
    memo_changed[at + TX_MEMO.len() - 1] ^= 0x01;
    cases.push(case("neg-changed-body", &memo_changed, &mint, mint_window, &mint_expected));
    cases.push(case("neg-wrong-nested-allowance", &grant.raw, &grant, grant_window, &grant_message(OWNER_ALLOWANCE_UAKT + 1)));
    let mut wrong_send = sends_expected.clone();
    wrong_send[2]["json"]["amount"][0]["amount"] = json!((WITHDRAWALS[2] + 1).to_string());
    cases.push(case("neg-wrong-withdrawal-amount", &sends.raw, &sends, sends_window, &wrong_send));
    let late = [sends_window[1] + 1, sends_window[1] + 100];
    cases.push(case("neg-timeout-outside-window", &sends.raw, &sends, late, &sends_expected));

    let out = reference_check(&json!({ "txs": cases }));
    let pretty = serde_json::to_string_pretty(&out).unwrap();
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), cases.len(), "{pretty}");
    let by_name = |n: &str| results.iter().find(|r| r["name"] == n).unwrap_or_else(|| panic!("no result for {n}"));

    let positives = [("withdrawals", &sends, WITHDRAWALS.len()), ("mint-act", &mint, 1), ("grant-allowance", &grant, 1)];
    for (name, tx, n_msgs) in positives {
        let r = by_name(name);
        assert_eq!(r["ok"], true, "{name} failed against the reference: {}\n{pretty}", r["errors"]);
        // The checks we rely on did run.
        let mut checks: Vec<String> = [
            "txraw_reencodes", "body_reencodes", "auth_info_reencodes", "auth_info_matches_cosmjs", "one_signer",
            "pubkey_type_url", "pubkey_matches", "address_matches_cosmjs", "sign_mode_direct", "sequence",
            "signature_length", "signature_low_s", "signature_valid", "memo", "timeout_timestamp", "message_count",
        ]
        .map(String::from)
        .to_vec();
        for i in 0..n_msgs {
            for c in ["type_url", "reencodes", "matches_expected", "nested_known", "nested_reencodes"] {
                checks.push(format!("msg{i}_{c}"));
            }
        }
        for c in &checks {
            assert_eq!(r["checks"][c], true, "{name}: {c}\n{pretty}");
        }
        assert_eq!(r["details"]["memo"], TX_MEMO);
        // The fee the chain took is the one the reference decoded: the gas limit at the configured
        // price, no granter or payer.
        let fee = &r["details"]["fee"];
        let gas_limit: u64 = fee["gas_limit"].as_str().unwrap().parse().unwrap();
        assert_eq!(fee["amount"], json!([uakt((gas_limit * 3).div_ceil(100))]), "{name}");
        assert_eq!(tx.fee.len(), 1);
        assert_eq!(fee["amount"][0]["amount"], tx.fee[0].amount.to_string(), "{name}");
        assert!(fee.get("granter").is_none_or(|g| g == ""), "{name}: {fee}");
        assert!(fee.get("payer").is_none_or(|p| p == ""), "{name}: {fee}");
    }
    // cosmjs's registry decodes and re-encodes the Cosmos messages too.
    for i in 0..WITHDRAWALS.len() {
        assert_eq!(by_name("withdrawals")["checks"][format!("msg{i}_cosmjs_reencodes")], true);
    }
    // The allowance's nested Anys were decoded with the intended types, by chain-sdk and by cosmjs,
    // and every message type it allows is one the SDK knows (by the SDK's own type names: the
    // list is the orchestrator's policy, its spelling is checked here).
    let g = by_name("grant-allowance");
    let nested = json!(["/cosmos.feegrant.v1beta1.AllowedMsgAllowance", "/cosmos.feegrant.v1beta1.BasicAllowance"]);
    assert_eq!(g["details"]["messages"][0]["nested"], nested);
    assert_eq!(g["details"]["messages"][0]["cosmjs_nested"], nested);
    assert_eq!(g["details"]["messages"][0]["allowed_messages"], json!(OWNER_ALLOWED_MESSAGES));
    for c in ["msg0_allowed_messages_known", "msg0_cosmjs_reencodes", "msg0_cosmjs_nested_reencodes"] {
        assert_eq!(g["checks"][c], true, "{c}");
    }

    // Each negative control fails the check it targets, and only it where the rest still holds.
    let neg = |n: &str, failing: &[&str], holding: &[&str]| {
        let r = by_name(n);
        assert_eq!(r["ok"], false, "{n} was accepted by the reference\n{pretty}");
        for c in failing {
            assert_eq!(r["checks"][c], false, "{n}: expected {c} to fail\n{pretty}");
        }
        for c in holding {
            assert_eq!(r["checks"][c], true, "{n}: expected {c} to hold\n{pretty}");
        }
    };
    neg("neg-flipped-signature-byte", &["signature_valid"], &["signature_length", "msg3_matches_expected", "timeout_timestamp"]);
    neg("neg-wrong-account-number", &["signature_valid"], &["pubkey_matches", "msg0_matches_expected"]);
    // The high-S form is the same signature mathematically: only the low-S rule rejects it.
    neg("neg-high-s", &["signature_low_s"], &["signature_valid"]);
    neg("neg-changed-body", &["signature_valid", "memo"], &["body_reencodes", "msg0_matches_expected"]);
    neg("neg-wrong-nested-allowance", &["msg0_matches_expected"], &["signature_valid", "msg0_nested_reencodes"]);
    neg("neg-wrong-withdrawal-amount", &["msg2_matches_expected"], &["msg1_matches_expected", "msg3_matches_expected", "signature_valid"]);
    neg("neg-timeout-outside-window", &["timeout_timestamp"], &["signature_valid"]);
}
