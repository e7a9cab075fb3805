//! Signed transactions against the references: every message type (and a multi-message tx) is built
//! and signed by the Rust core with a fixed key, then `conformance/tx-check.mjs` decodes it with the
//! official Akash SDK (byte-identical re-encoding, and equality with the SDK's encoding of the
//! message described independently in JSON), rebuilds the auth info and sign doc with cosmjs,
//! verifies the signature (low-S checked explicitly) and compares it with cosmjs's own signature
//! from the same key. Tampered transactions must be rejected, so the check can fail.

mod common;

use base64::Engine;
use ic_akash::proto::akash::{
    Attribute, Cpu, Endpoint, GroupSpec, Gpu, Memory, PlacementRequirements, ResourceUnit, ResourceValue, Resources,
    SignedBy, Storage,
};
use ic_akash::proto::akash_msgs::{BidId, LeaseClosedReason, Source};
use ic_akash::proto::cosmos::{Any, DecCoin, TxRaw};
use ic_akash::signer::{now_or_never, LocalSigner, Signer};
use ic_akash::{address, msgs, tx};
use prost::Message;
use serde_json::{json, Value};

const KEY_HEX: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const PROVIDER: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";
const CHAIN_ID: &str = "akashnet-2";
const ACCOUNT_NUMBER: u64 = 123456;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn signer() -> LocalSigner {
    LocalSigner::from_hex(KEY_HEX).unwrap()
}

fn owner() -> String {
    address::address_of(&signer().public_key())
}

/// A GroupSpec touching every field: signed_by, attributes, cpu/memory/storage/gpu, endpoints, price.
fn group() -> GroupSpec {
    let rv = |s: &str| Some(ResourceValue { val: s.as_bytes().to_vec() });
    GroupSpec {
        name: "dcloud".into(),
        requirements: Some(PlacementRequirements {
            signed_by: Some(SignedBy { all_of: vec![], any_of: vec![PROVIDER.into()] }),
            attributes: vec![Attribute { key: "region".into(), value: "us-west".into() }],
        }),
        resources: vec![ResourceUnit {
            resource: Some(Resources {
                id: 1,
                cpu: Some(Cpu { units: rv("500"), attributes: vec![] }),
                memory: Some(Memory { quantity: rv("536870912"), attributes: vec![] }),
                storage: vec![Storage { name: "default".into(), quantity: rv("1073741824"), attributes: vec![] }],
                gpu: Some(Gpu { units: rv("0"), attributes: vec![] }),
                endpoints: vec![Endpoint { kind: 0, sequence_number: 0 }, Endpoint { kind: 2, sequence_number: 1 }],
            }),
            count: 2,
            price: Some(DecCoin { denom: "uact".into(), amount: ic_akash::dec::to_atomics("1000.5").unwrap() }),
        }],
    }
}

/// The same group in the SDK's JSON form, written independently of our encoder.
fn group_json() -> Value {
    json!({
        "name": "dcloud",
        "requirements": {
            "signed_by": {"all_of": [], "any_of": [PROVIDER]},
            "attributes": [{"key": "region", "value": "us-west"}],
        },
        "resources": [{
            "resource": {
                "id": 1,
                "cpu": {"units": {"val": b64(b"500")}, "attributes": []},
                "memory": {"quantity": {"val": b64(b"536870912")}, "attributes": []},
                "storage": [{"name": "default", "quantity": {"val": b64(b"1073741824")}, "attributes": []}],
                "gpu": {"units": {"val": b64(b"0")}, "attributes": []},
                "endpoints": [{"kind": "SHARED_HTTP", "sequence_number": 0}, {"kind": "LEASED_IP", "sequence_number": 1}],
            },
            "count": 2,
            // The SDK's DecCoin JSON is the decimal; its encoder writes the 18-decimal atomics
            // (LegacyDec), which must equal our `dec::to_atomics` bytes.
            "price": {"denom": "uact", "amount": "1000.5"},
        }],
    })
}

fn bid_id() -> BidId {
    BidId { owner: owner(), dseq: 1234, gseq: 1, oseq: 1, provider: PROVIDER.into(), bseq: 3 }
}

fn bid_json() -> Value {
    json!({"owner": owner(), "dseq": "1234", "gseq": 1, "oseq": 1, "provider": PROVIDER, "bseq": 3})
}

/// (message, its expected SDK JSON) for every builder.
fn all_messages() -> Vec<(&'static str, Any, Value)> {
    let o = owner();
    let hash = [0x5au8; 32];
    vec![
        (
            "create-deployment",
            msgs::create_deployment(&o, 1234, vec![group()], hash, &msgs::coin(5000000, "uact"), &[Source::Balance, Source::Grant])
                .unwrap(),
            json!({
                "id": {"owner": o, "dseq": "1234"},
                "groups": [group_json()],
                "hash": b64(&hash),
                "deposit": {"amount": {"denom": "uact", "amount": "5000000"}, "sources": ["balance", "grant"]},
            }),
        ),
        (
            "update-deployment",
            msgs::update_deployment(&o, 1234, [0xa5; 32]).unwrap(),
            json!({"id": {"owner": o, "dseq": "1234"}, "hash": b64(&[0xa5; 32])}),
        ),
        (
            "close-deployment",
            // i64::MAX, not u64::MAX: the SDK's fromJSON reads dseq as a signed Long (u64::MAX
            // decoding is covered by the re-encode check of `decode` unit tests instead).
            msgs::close_deployment(&o, i64::MAX as u64).unwrap(),
            json!({"id": {"owner": o, "dseq": i64::MAX.to_string()}}),
        ),
        (
            "account-deposit",
            msgs::account_deposit(&o, &o, 1234, &msgs::coin(2500000, "uakt"), &[Source::Grant]).unwrap(),
            json!({
                "signer": o,
                "id": {"scope": "deployment", "xid": format!("{o}/1234")},
                "deposit": {"amount": {"denom": "uakt", "amount": "2500000"}, "sources": ["grant"]},
            }),
        ),
        ("create-lease", msgs::create_lease(&bid_id()).unwrap(), json!({"bid_id": bid_json()})),
        (
            "close-lease",
            msgs::close_lease(&bid_id(), LeaseClosedReason::Owner).unwrap(),
            json!({"id": bid_json(), "reason": "lease_closed_owner"}),
        ),
        (
            "mint-act",
            msgs::mint_act(&o, &o, &msgs::coin(10000000, "uakt")).unwrap(),
            json!({"owner": o, "to": o, "coins_to_burn": {"denom": "uakt", "amount": "10000000"}}),
        ),
        (
            "send",
            msgs::bank_send(&o, PROVIDER, &[msgs::coin(1, "uact"), msgs::coin(340282366920938463463374607431768211455, "uakt")])
                .unwrap(),
            json!({
                "from_address": o,
                "to_address": PROVIDER,
                "amount": [{"denom": "uact", "amount": "1"}, {"denom": "uakt", "amount": "340282366920938463463374607431768211455"}],
            }),
        ),
    ]
}

fn unsigned(messages: Vec<Any>, sequence: u64) -> tx::UnsignedTx {
    let price = tx::parse_gas_price("0.025uakt").unwrap();
    let gas_limit = 234567;
    tx::UnsignedTx {
        messages,
        memo: String::new(),
        timeout_height: 0,
        timeout_timestamp_secs: None,
        public_key: signer().public_key(),
        sequence,
        account_number: ACCOUNT_NUMBER,
        chain_id: CHAIN_ID.into(),
        fee: vec![tx::fee_for_gas(gas_limit, &price).unwrap()],
        gas_limit,
        fee_payer: None,
        fee_granter: None,
    }
}

fn case(name: &str, signed_b64: String, sequence: u64, messages: Vec<Value>) -> Value {
    json!({
        "name": name,
        "tx_base64": signed_b64,
        "chain_id": CHAIN_ID,
        "account_number": ACCOUNT_NUMBER.to_string(),
        "sequence": sequence.to_string(),
        "pubkey_hex": hex::encode(signer().public_key().0),
        "address": owner(),
        "private_key_hex": KEY_HEX,
        "messages": messages,
    })
}

fn sign(u: &tx::UnsignedTx) -> tx::SignedTx {
    now_or_never(tx::sign(&signer(), u)).unwrap().unwrap()
}

fn with_signature(signed: &tx::SignedTx, sig: Vec<u8>) -> String {
    let mut raw = TxRaw::decode(signed.tx_raw.as_slice()).unwrap();
    raw.signatures = vec![sig];
    b64(&raw.encode_to_vec())
}

#[test]
fn signed_transactions_match_the_reference() {
    let mut cases = Vec::new();
    let all = all_messages();
    for (i, (name, any, expected)) in all.iter().enumerate() {
        let u = unsigned(vec![any.clone()], i as u64);
        let signed = sign(&u);
        // Our decoder reads back what we built.
        let decoded = ic_akash::decode::decode_tx(&signed.tx_raw).unwrap();
        assert_eq!(decoded["body"]["messages"][0]["type_url"], any.type_url.as_str());
        cases.push(case(name, signed.to_base64(), i as u64, vec![json!({"type_url": any.type_url, "json": expected})]));
    }

    // Multi-message tx with memo, timeout height, fee granter and payer.
    let mut u = unsigned(all.iter().map(|(_, a, _)| a.clone()).collect(), 42);
    u.memo = "ic-akash conformance <&> ✓".into();
    u.timeout_height = 99999999;
    u.fee_granter = Some(PROVIDER.into());
    u.fee_payer = Some(owner());
    let multi = sign(&u);
    let expected: Vec<Value> = all.iter().map(|(_, a, e)| json!({"type_url": a.type_url, "json": e})).collect();
    cases.push(case("multi", multi.to_base64(), 42, expected.clone()));

    // Negative cases: each must be rejected by the reference.
    let mut tampered = multi.signature.to_vec();
    tampered[10] ^= 1;
    cases.push(case("neg-tampered-signature", with_signature(&multi, tampered), 42, expected.clone()));
    let mut wrong_account = case("neg-wrong-account-number", multi.to_base64(), 42, expected.clone());
    wrong_account["account_number"] = json!((ACCOUNT_NUMBER + 1).to_string());
    cases.push(wrong_account);
    let mut wrong_chain = case("neg-wrong-chain-id", multi.to_base64(), 42, expected.clone());
    wrong_chain["chain_id"] = json!("sandbox-2");
    cases.push(wrong_chain);
    let high_s = {
        let sig = k256::ecdsa::Signature::from_slice(&multi.signature).unwrap();
        let high = k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
        high.to_bytes().to_vec()
    };
    cases.push(case("neg-high-s", with_signature(&multi, high_s), 42, expected.clone()));
    let mut wrong_msg = expected.clone();
    wrong_msg[1]["json"]["id"]["dseq"] = json!("1235");
    cases.push(case("neg-wrong-message", multi.to_base64(), 42, wrong_msg));

    let out = common::run_node("tx-check.mjs", &json!({ "txs": cases }));
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), cases.len());
    let by_name = |n: &str| results.iter().find(|r| r["name"] == n).unwrap_or_else(|| panic!("no result for {n}"));
    let pretty = serde_json::to_string_pretty(&out).unwrap();

    for r in results.iter().filter(|r| !r["name"].as_str().unwrap().starts_with("neg-")) {
        assert_eq!(r["ok"], true, "{} failed against the reference: {}\n{pretty}", r["name"], r["errors"]);
        // The checks we rely on did run.
        for c in ["txraw_reencodes", "body_reencodes", "auth_info_reencodes", "auth_info_matches_cosmjs", "signature_valid", "signature_low_s", "signature_matches_cosmjs_wallet", "address_matches_cosmjs"] {
            assert_eq!(r["checks"][c], true, "{}: {c}", r["name"]);
        }
        assert_eq!(r["checks"]["msg0_matches_expected"], true, "{}", r["name"]);
    }
    assert_eq!(by_name("multi")["checks"]["msg7_matches_expected"], true);

    let neg = |n: &str, check: &str| {
        let r = by_name(n);
        assert_eq!(r["ok"], false, "{n} was accepted by the reference\n{pretty}");
        assert_eq!(r["checks"][check], false, "{n}: expected {check} to fail\n{pretty}");
    };
    neg("neg-tampered-signature", "signature_valid");
    neg("neg-wrong-account-number", "signature_valid");
    neg("neg-wrong-chain-id", "signature_valid");
    neg("neg-high-s", "signature_low_s");
    // The high-S form is the same signature mathematically: only the low-S rule rejects it.
    assert_eq!(by_name("neg-high-s")["checks"]["signature_valid"], true);
    neg("neg-wrong-message", "msg1_matches_expected");
    assert_eq!(by_name("neg-wrong-message")["checks"]["signature_valid"], true);
}

#[test]
fn out_of_band_signature_assembles_to_the_same_tx() {
    // The canister path: digest → external signer → assemble.
    let (_, any, _) = all_messages().remove(0);
    let u = unsigned(vec![any], 0);
    let digest = u.sign_digest().unwrap();
    let sig = signer().sign_digest_sync(&digest).unwrap();
    assert_eq!(tx::assemble(&u, &sig).unwrap(), sign(&u));
}
