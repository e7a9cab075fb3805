//! The simulated chain driven as the canister drives it: transactions built and signed with the
//! core (`ic_akash::tx`), requests through `serve`, answers read with the core's parsers.

use super::proto::{sign_doc, TxBody as SimTxBody, TxRaw as SimTxRaw};
use super::*;
use crate::runtime::fake::{block_on, FakeRuntime, GENESIS_NANOS};
use crate::runtime::Runtime;
use ic_akash::msgs as cm;
use ic_akash::proto::cosmos::Any as CoreAny;
use ic_akash::rest as cr;
use ic_akash::signer::{normalize_low_s, now_or_never, LocalSigner, Signer};
use ic_akash::tx::{self, SignedTx, UnsignedTx};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CHAIN: &str = "akashnet-2";
const EA: &str = "https://api-a.test";
const EB: &str = "https://api-b.test";
const EC: &str = "https://api-c.test";
const SEC: u64 = 1_000_000_000;
const GAS: u64 = 200_000;
const FEE: u128 = 500; // 0.0025 uakt × 200_000

struct H {
    sim: AkashSim,
    now: u64,
}

fn key(n: u8) -> LocalSigner {
    LocalSigner::from_bytes(&[n; 32]).unwrap()
}

fn addr(s: &LocalSigner) -> String {
    ic_akash::address::address_of(&s.public_key())
}

fn request(url: &str, method: HttpMethod, body: Vec<u8>, replicated: bool) -> HttpRequest {
    HttpRequest {
        url: url.to_string(),
        method,
        headers: vec![],
        body,
        max_response_bytes: 2_000_000,
        replicated,
        transform_context: vec![],
    }
}

impl H {
    fn new() -> Self {
        H { sim: AkashSim::new(CHAIN, &[EA, EB, EC], GENESIS_NANOS), now: GENESIS_NANOS }
    }

    fn advance(&mut self, secs: u64) {
        self.now += secs * SEC;
        self.sim.advance_to(self.now);
    }

    /// Moves to the next block.
    fn next_block(&mut self) {
        self.advance(6);
    }

    fn raw(&mut self, ep: &str, method: HttpMethod, path: &str, body: Vec<u8>, replica: usize) -> Result<HttpResponse, HttpError> {
        let req = request(&format!("{ep}{path}"), method, body, false);
        self.sim.serve(self.now, replica, &req)
    }

    fn get_from(&mut self, ep: &str, path: &str) -> HttpResponse {
        self.raw(ep, HttpMethod::Get, path, vec![], 0).expect("a response")
    }

    fn get(&mut self, path: &str) -> HttpResponse {
        self.get_from(EA, path)
    }

    fn json(&mut self, path: &str) -> Value {
        serde_json::from_slice(&self.get(path).body).unwrap()
    }

    fn broadcast_to(&mut self, ep: &str, raw: &[u8]) -> cr::BroadcastResult {
        let r = self.raw(ep, HttpMethod::Post, "/cosmos/tx/v1beta1/txs", cr::broadcast_request_body(raw), 0).unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        cr::parse_broadcast(&r.body).unwrap()
    }

    fn broadcast(&mut self, raw: &[u8]) -> cr::BroadcastResult {
        self.broadcast_to(EA, raw)
    }

    fn simulate(&mut self, raw: &[u8]) -> Result<cr::GasInfo, cr::RestError> {
        let r = self.raw(EA, HttpMethod::Post, "/cosmos/tx/v1beta1/simulate", cr::simulate_request_body(raw), 0).unwrap();
        cr::parse_simulate(&r.body)
    }

    fn tx(&mut self, ep: &str, hash: &str) -> Option<cr::TxResult> {
        let r = self.get_from(ep, &format!("/cosmos/tx/v1beta1/txs/{hash}"));
        cr::parse_tx(&r.body).unwrap()
    }

    fn account(&mut self, ep: &str, a: &str) -> Option<cr::Account> {
        let r = self.get_from(ep, &format!("/cosmos/auth/v1beta1/accounts/{a}"));
        cr::parse_account(&r.body).unwrap()
    }

    fn balance(&mut self, ep: &str, a: &str, denom: &str) -> u128 {
        let r = self.get_from(ep, &format!("/cosmos/bank/v1beta1/balances/{a}"));
        cr::parse_balances(&r.body).unwrap().amount_of(denom)
    }

    fn height(&mut self, ep: &str) -> u64 {
        let r = self.get_from(ep, "/cosmos/base/tendermint/v1beta1/blocks/latest");
        cr::parse_latest_block(&r.body).unwrap().height
    }

    /// An unsigned tx for `s` with the chain's current account number and sequence.
    fn unsigned(&self, s: &LocalSigner, messages: Vec<CoreAny>) -> UnsignedTx {
        let acc = self.sim.account(&addr(s)).expect("account exists");
        UnsignedTx {
            messages,
            memo: String::new(),
            timeout_height: 0,
            timeout_timestamp_secs: None,
            public_key: s.public_key(),
            sequence: acc.sequence,
            account_number: acc.account_number,
            chain_id: CHAIN.into(),
            fee: vec![cm::coin(FEE, "uakt")],
            gas_limit: GAS,
            fee_payer: None,
            fee_granter: None,
        }
    }

    fn send_tx(&self, s: &LocalSigner, to: &str, amount: u128) -> UnsignedTx {
        self.unsigned(s, vec![cm::bank_send(&addr(s), to, &[cm::coin(amount, "uakt")]).unwrap()])
    }
}

fn sign(s: &LocalSigner, u: &UnsignedTx) -> SignedTx {
    now_or_never(tx::sign(s, u)).unwrap().unwrap()
}

/// Signs arbitrary body and auth-info bytes (for what the core refuses to build).
fn sign_raw(s: &LocalSigner, body: &[u8], auth: &[u8], chain: &str, account_number: u64) -> Vec<u8> {
    let digest: [u8; 32] = Sha256::digest(sign_doc(body, auth, chain, account_number)).into();
    let sig = normalize_low_s(&s.sign_digest_sync(&digest).unwrap()).unwrap();
    SimTxRaw { body_bytes: body.to_vec(), auth_info_bytes: auth.to_vec(), signatures: vec![sig.to_vec()] }.encode()
}

fn funded(n: u8, uakt: u128) -> (H, LocalSigner) {
    let mut h = H::new();
    let s = key(n);
    h.sim.mint(&addr(&s), uakt, "uakt");
    (h, s)
}

#[test]
fn a_valid_send_is_included_in_the_next_block() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    assert_eq!(h.height(EA), 1);
    let acc = h.account(EA, &addr(&a)).unwrap();
    assert_eq!((acc.account_number, acc.sequence, acc.pub_key), (chain::FIRST_ACCOUNT_NUMBER, 0, None));
    assert_eq!(h.account(EA, &b), None);

    let signed = sign(&a, &h.send_tx(&a, &b, 1_000_000));
    let r = h.broadcast(&signed.tx_raw);
    assert_eq!((r.code, r.txhash.as_str()), (0, signed.hash().as_str()));
    assert_eq!(h.sim.mempool_len(), 1);
    // Not yet in a block: nothing moved, the tx is unknown.
    assert_eq!(h.tx(EA, &signed.hash()), None);
    assert_eq!(h.balance(EA, &b, "uakt"), 0);

    h.next_block();
    let t = h.tx(EA, &signed.hash()).unwrap();
    assert_eq!((t.code, t.height, t.gas_wanted), (0, 2, GAS));
    assert!(t.gas_used > chain::ANTE_BASE_GAS && t.gas_used < GAS);
    assert_eq!(t.timestamp, "2027-01-15T08:00:06Z");
    // The fee transfer to the fee collector comes first, then the send.
    assert_eq!(t.attribute("transfer", "recipient"), Some(chain::module_address(chain::FEE_COLLECTOR).as_str()));
    assert_eq!(t.attribute("tx", "acc_seq"), Some(format!("{}/0", addr(&a)).as_str()));
    let transfers: Vec<_> = t.events.iter().filter(|e| e.kind == "transfer").collect();
    assert!(transfers[1].attributes.contains(&("recipient".into(), b.clone())));
    assert!(transfers[1].attributes.contains(&("amount".into(), "1000000uakt".into())));
    assert_eq!(h.balance(EA, &addr(&a), "uakt"), 10_000_000 - 1_000_000 - FEE);
    assert_eq!(h.balance(EA, &b, "uakt"), 1_000_000);
    assert_eq!(h.sim.fees_collected(), FEE);
    let acc = h.account(EA, &addr(&a)).unwrap();
    assert_eq!(acc.sequence, 1);
    assert_eq!(acc.pub_key.unwrap().1, a.public_key().0.to_vec());
    // The recipient's account was created with the next number.
    assert_eq!(h.account(EA, &b).unwrap().account_number, chain::FIRST_ACCOUNT_NUMBER + 1);
    let m = &u_msgs(&signed)[0];
    assert_eq!(h.sim.executions(&addr(&a), &m.type_url, &m.value), 1);
    let inc = &h.sim.included_txs()[0];
    assert_eq!((inc.height, inc.sequence, inc.signer.as_str(), inc.code), (2, 0, addr(&a).as_str(), 0));
    assert_eq!(h.sim.mempool_len(), 0);
    assert_eq!(h.height(EA), 2);
}

fn u_msgs(signed: &SignedTx) -> Vec<super::proto::Any> {
    SimTxBody::decode(&signed.body_bytes).unwrap().messages
}

#[test]
fn bad_transactions_are_refused_with_the_sdk_codes() {
    let (mut h, a) = funded(1, 10_000_000);
    let other = key(3);
    h.sim.mint(&addr(&other), 1_000_000, "uakt");
    let b = addr(&key(2));
    let good = h.send_tx(&a, &b, 1);
    let expect = |h: &mut H, raw: &[u8], code: u32, text: &str| {
        let r = h.broadcast(raw);
        assert_eq!(r.code, code, "{}", r.raw_log);
        assert!(r.raw_log.contains(text), "{} does not contain {text}", r.raw_log);
        r
    };

    let wrong_chain = sign(&a, &UnsignedTx { chain_id: "sandbox-2".into(), ..good.clone() });
    expect(&mut h, &wrong_chain.tx_raw, 4, "signature verification failed; please verify account number (10) and chain-id (akashnet-2): unauthorized");
    let wrong_number = sign(&a, &UnsignedTx { account_number: 11, ..good.clone() });
    expect(&mut h, &wrong_number.tx_raw, 4, "signature verification failed");
    let wrong_seq = sign(&a, &UnsignedTx { sequence: 5, ..good.clone() });
    let r = expect(&mut h, &wrong_seq.tx_raw, 32, "account sequence mismatch, expected 0, got 5: incorrect account sequence");
    assert!(r.is_sequence_mismatch());

    // High-S: the same signature with s negated.
    let signed = sign(&a, &good);
    let sig = k256::ecdsa::Signature::from_slice(&signed.signature).unwrap();
    let high = k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
    let high_raw = SimTxRaw { body_bytes: signed.body_bytes.clone(), auth_info_bytes: signed.auth_info_bytes.clone(), signatures: vec![high.to_bytes().to_vec()] }.encode();
    expect(&mut h, &high_raw, 4, "signature verification failed");
    let mut tampered_sig = signed.signature;
    tampered_sig[10] ^= 1;
    let tampered = SimTxRaw { body_bytes: signed.body_bytes.clone(), auth_info_bytes: signed.auth_info_bytes.clone(), signatures: vec![tampered_sig.to_vec()] }.encode();
    expect(&mut h, &tampered, 4, "signature verification failed");
    // A body changed after signing (another amount).
    let other_body = UnsignedTx { messages: vec![cm::bank_send(&addr(&a), &b, &[cm::coin(2, "uakt")]).unwrap()], ..good.clone() }.body_bytes();
    let swapped = SimTxRaw { body_bytes: other_body, auth_info_bytes: signed.auth_info_bytes.clone(), signatures: vec![signed.signature.to_vec()] }.encode();
    expect(&mut h, &swapped, 4, "signature verification failed");
    // Signed by another account's key for a's message.
    let foreign = sign(&other, &UnsignedTx { public_key: other.public_key(), ..good.clone() });
    expect(&mut h, &foreign.tx_raw, 8, "pubKey does not match signer address");
    // Fee below 0.0025 uakt per gas.
    let cheap = sign(&a, &UnsignedTx { fee: vec![cm::coin(FEE - 1, "uakt")], ..good.clone() });
    expect(&mut h, &cheap.tx_raw, 13, "insufficient fees; got: 499uakt required: 500uakt");
    // Gas below what the ante handler alone uses.
    let starved = sign(&a, &UnsignedTx { gas_limit: 1_000, fee: vec![cm::coin(3, "uakt")], ..good.clone() });
    expect(&mut h, &starved.tx_raw, 11, "out of gas");
    // Timeout before the current block time.
    let expired = sign(&a, &UnsignedTx { timeout_timestamp_secs: Some(GENESIS_NANOS / SEC - 1), ..good.clone() });
    expect(&mut h, &expired.tx_raw, 42, "tx timeout");
    // A memo over 256 characters (the core refuses to build one: signed by hand).
    let body = SimTxBody { messages: u_msgs(&signed), memo: "m".repeat(257), ..Default::default() }.encode();
    let long_memo = sign_raw(&a, &body, &signed.auth_info_bytes, CHAIN, 10);
    expect(&mut h, &long_memo, 12, "maximum number of characters is 256 but received 257 characters");
    // An account that never received anything.
    let stranger = key(9);
    let u = UnsignedTx {
        messages: vec![cm::bank_send(&addr(&stranger), &b, &[cm::coin(1, "uakt")]).unwrap()],
        public_key: stranger.public_key(),
        ..good.clone()
    };
    expect(&mut h, &sign(&stranger, &u).tx_raw, 9, "does not exist: unknown address");
    // Undecodable bytes and unknown messages.
    expect(&mut h, b"\xff\xff\xff", 2, "tx parse error");
    let unknown = UnsignedTx { messages: vec![CoreAny { type_url: "/x.y.MsgZ".into(), value: vec![] }], ..good.clone() };
    expect(&mut h, &sign(&a, &unknown).tx_raw, 2, "unable to resolve type URL /x.y.MsgZ");
    // A field the SDK does not know in the body.
    let mut body = signed.body_bytes.clone();
    body.extend([0x30, 0x01]); // field 6, varint
    expect(&mut h, &sign_raw(&a, &body, &signed.auth_info_bytes, CHAIN, 10), 2, "errUnknownField");
    // Invalid message content is refused before any state is read.
    let zero = UnsignedTx { messages: vec![CoreAny { type_url: bank::MSG_SEND.into(), value: bank::MsgSend { from_address: addr(&a), to_address: b.clone(), amount: vec![proto::Coin::new(0, "uakt")] }.encode() }], ..good.clone() };
    expect(&mut h, &sign(&a, &zero).tx_raw, 10, "invalid coins");

    assert_eq!(h.sim.mempool_len(), 0);
    h.next_block();
    assert!(h.sim.included_txs().is_empty());
    assert_eq!(h.sim.account(&addr(&a)).unwrap().sequence, 0);
    assert_eq!(h.sim.account(&addr(&a)).unwrap().pub_key, None);
    // The good tx still goes through.
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
}

#[test]
fn the_same_bytes_twice_are_in_the_cache_and_included_once() {
    let (mut h, a) = funded(1, 10_000_000);
    let signed = sign(&a, &h.send_tx(&a, &addr(&key(2)), 5));
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    let again = h.broadcast_to(EB, &signed.tx_raw);
    assert_eq!((again.code, again.codespace.as_str(), again.txhash.as_str()), (19, "sdk", signed.hash().as_str()));
    h.next_block();
    assert_eq!(h.broadcast(&signed.tx_raw).code, 19);
    h.next_block();
    assert_eq!(h.sim.included_txs().len(), 1);
    assert_eq!(h.balance(EA, &addr(&key(2)), "uakt"), 5);
}

#[test]
fn the_next_sequence_is_accepted_while_the_first_waits() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    let first = h.send_tx(&a, &b, 1);
    let second = UnsignedTx { sequence: 1, messages: vec![cm::bank_send(&addr(&a), &b, &[cm::coin(2, "uakt")]).unwrap()], ..first.clone() };
    let third_gap = UnsignedTx { sequence: 3, ..second.clone() };
    assert_eq!(h.broadcast(&sign(&a, &first).tx_raw).code, 0);
    assert_eq!(h.broadcast(&sign(&a, &second).tx_raw).code, 0);
    let r = h.broadcast(&sign(&a, &third_gap).tx_raw);
    assert_eq!(r.code, 32);
    assert!(r.raw_log.contains("expected 2, got 3"));
    // Simulation runs against the CheckTx state too: the next sequence is 2.
    let sim_next = UnsignedTx { sequence: 2, ..second.clone() };
    assert!(h.simulate(&sim_next.simulation_tx_bytes().unwrap()).is_ok());
    h.next_block();
    let inc = h.sim.included_txs();
    assert_eq!(inc.iter().map(|t| (t.height, t.sequence, t.code)).collect::<Vec<_>>(), vec![(2, 0, 0), (2, 1, 0)]);
    assert_eq!(h.sim.balance(&b, "uakt"), 3);
    assert_eq!(h.sim.fees_collected(), 2 * FEE);
}

#[test]
fn a_failing_message_charges_the_fee_and_consumes_the_sequence() {
    let (mut h, a) = funded(1, 1_000_000);
    let b = addr(&key(2));
    let too_much = sign(&a, &h.send_tx(&a, &b, 1_000_000)); // the fee comes first
    assert_eq!(h.broadcast(&too_much.tx_raw).code, 0, "CheckTx does not run messages");
    h.next_block();
    let t = h.tx(EA, &too_much.hash()).unwrap();
    assert_eq!(t.code, 5);
    assert_eq!(t.codespace, "sdk");
    assert_eq!(t.raw_log, format!("failed to execute message; message index: 0: spendable balance {}uakt is smaller than 1000000uakt: insufficient funds", 1_000_000 - FEE));
    assert_eq!(cr::failed_message_index(&t.raw_log), Some(0));
    assert_eq!(h.sim.balance(&addr(&a), "uakt"), 1_000_000 - FEE);
    assert_eq!(h.sim.balance(&b, "uakt"), 0);
    assert_eq!(h.sim.account(&addr(&a)).unwrap().sequence, 1);
    assert_eq!(h.sim.account(&b), None, "the failed send created no account");
    let m = &u_msgs(&too_much)[0];
    assert_eq!(h.sim.executions(&addr(&a), &m.type_url, &m.value), 0);

    // Out of gas in the messages: fee kept, sequence used, nothing sent.
    let u = h.send_tx(&a, &b, 10);
    let size_gas = {
        let s = sign(&a, &u);
        chain::ante_gas(&chain::decode_tx(&s.tx_raw).unwrap())
    };
    let tight = UnsignedTx { gas_limit: size_gas + 10, fee: vec![cm::coin(FEE, "uakt")], ..u };
    let signed = sign(&a, &tight);
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block();
    let t = h.tx(EA, &signed.hash()).unwrap();
    assert_eq!(t.code, 11);
    assert!(t.raw_log.contains("out of gas"), "{}", t.raw_log);
    assert_eq!(cr::failed_message_index(&t.raw_log), None);
    assert_eq!(h.sim.balance(&addr(&a), "uakt"), 1_000_000 - 2 * FEE);
    assert_eq!(h.sim.account(&addr(&a)).unwrap().sequence, 2);

    // ACT cannot be sent.
    h.sim.mint(&addr(&a), 100, "uact");
    let act = h.unsigned(&a, vec![cm::bank_send(&addr(&a), &b, &[cm::coin(1, "uact")]).unwrap()]);
    let signed = sign(&a, &act);
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block();
    let t = h.tx(EA, &signed.hash()).unwrap();
    assert_eq!((t.code, t.codespace.as_str()), (5, "bank"));
    assert!(t.raw_log.contains("uact transfers are currently disabled"));
}

#[test]
fn simulation_reports_the_gas_the_block_uses_and_the_failures() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    let u = h.send_tx(&a, &b, 7);
    let gas = h.simulate(&u.simulation_tx_bytes().unwrap()).unwrap();
    assert_eq!(gas.gas_wanted, u64::MAX);
    let signed = sign(&a, &u);
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block();
    assert_eq!(h.tx(EA, &signed.hash()).unwrap().gas_used, gas.gas_used);
    // Nothing changed by simulating.
    assert_eq!(h.sim.balance(&b, "uakt"), 7);

    let stale = h.simulate(&u.simulation_tx_bytes().unwrap()).unwrap_err();
    let cr::RestError::Chain(e) = stale else { panic!("{stale:?}") };
    assert_eq!(e.code, 2);
    assert!(e.is_sequence_mismatch(), "{}", e.message);
    let broke = UnsignedTx { sequence: 1, ..h.send_tx(&a, &b, 1_000_000_000) };
    let err = h.simulate(&broke.simulation_tx_bytes().unwrap()).unwrap_err();
    let cr::RestError::Chain(e) = err else { panic!() };
    assert!(e.message.contains("failed to execute message; message index: 0: spendable balance"), "{}", e.message);
    let r = h.raw(EA, HttpMethod::Post, "/cosmos/tx/v1beta1/simulate", br#"{}"#.to_vec(), 0).unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn a_tx_that_becomes_invalid_before_its_block_is_dropped_and_never_included() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    h.advance(1); // block 1 at genesis, block 2 at +6 s
    let u = UnsignedTx { timeout_timestamp_secs: Some(GENESIS_NANOS / SEC + 3), ..h.send_tx(&a, &b, 1) };
    let signed = sign(&a, &u);
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0, "valid at the last block's time");
    h.next_block();
    assert!(h.sim.included_txs().is_empty());
    assert_eq!(h.sim.dropped_txs(), [signed.hash()]);
    assert_eq!(h.sim.account(&addr(&a)).unwrap().sequence, 0);
    assert_eq!(h.tx(EA, &signed.hash()), None);
    // Out of the cache: the same bytes are judged again (and now refused for the timeout).
    assert_eq!(h.broadcast(&signed.tx_raw).code, 42);
}

#[test]
fn a_tx_refused_at_delivery_is_indexed_with_its_code_and_costs_nothing() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    let refused = sign(&a, &h.send_tx(&a, &b, 1_000));
    // The next one from the same signer (sequence 1) waits behind it in the mempool.
    let behind = sign(&a, &UnsignedTx { sequence: 1, ..h.send_tx(&a, &b, 2_000) });
    h.sim.push_global_fault(OneShot::RefusedAtDelivery);
    assert_eq!(h.get_from(EB, &format!("/cosmos/auth/v1beta1/accounts/{}", addr(&a))).status, 200, "a read does not use it");
    let r = h.broadcast_to(EB, &refused.tx_raw);
    assert_eq!((r.code, r.raw_log.as_str()), (0, ""), "CheckTx accepts it");
    assert_eq!(h.broadcast(&behind.tx_raw).code, 0);
    assert_eq!(h.sim.mempool_len(), 2);
    h.next_block();

    // In block 2 and in the index, with the ante handler's error and nothing else.
    let t = h.tx(EA, &refused.hash()).expect("indexed");
    assert_eq!((t.code, t.codespace.as_str(), t.height), (30, "sdk", 2));
    assert_eq!(t.raw_log, "block height: 2, timeout height: 1: tx timeout height");
    assert_eq!((t.gas_wanted, t.gas_used), (GAS, 0));
    assert!(t.events.is_empty(), "no ante events: {:?}", t.events);
    assert_eq!(t.attribute("tx", "acc_seq"), None);
    assert_eq!(t.attribute("tx", "fee"), None);
    let inc = h.sim.tx(&refused.hash()).unwrap().clone();
    assert_eq!((inc.height, inc.index, inc.sequence, inc.code), (2, 0, 0, 30));
    // No fee, no sequence, no public key set, no message run.
    assert_eq!(h.sim.balance(&addr(&a), "uakt"), 10_000_000);
    assert_eq!(h.sim.balance(&b, "uakt"), 0);
    assert_eq!(h.sim.fees_collected(), 0);
    let acc = h.account(EA, &addr(&a)).unwrap();
    assert_eq!((acc.sequence, acc.pub_key), (0, None));
    assert_eq!(h.sim.account(&b), None);
    let m = &u_msgs(&refused)[0];
    assert_eq!(h.sim.executions(&addr(&a), &m.type_url, &m.value), 0);
    // The tx behind it counted on its sequence: it no longer passes the ante handler.
    assert_eq!(h.sim.dropped_txs(), [behind.hash()]);
    assert_eq!(h.tx(EA, &behind.hash()), None);
    assert_eq!(h.sim.included_txs().len(), 1);
    // Out of the cache, but timed out: the same bytes are refused by CheckTx now.
    let again = h.broadcast(&refused.tx_raw);
    assert_eq!((again.code, again.raw_log.as_str()), (30, "block height: 2, timeout height: 1: tx timeout height"));
    assert_eq!(h.sim.mempool_len(), 0);

    // Another tx with the same sequence 0 is accepted and included.
    let u = h.send_tx(&a, &b, 3_000);
    assert_eq!(u.sequence, 0);
    let retry = sign(&a, &u);
    assert_eq!(h.broadcast(&retry.tx_raw).code, 0);
    h.next_block();
    let t = h.tx(EA, &retry.hash()).unwrap();
    assert_eq!((t.code, t.height), (0, 3));
    assert_eq!(t.attribute("tx", "acc_seq"), Some(format!("{}/0", addr(&a)).as_str()));
    assert_eq!(h.sim.balance(&addr(&a), "uakt"), 10_000_000 - 3_000 - FEE);
    assert_eq!(h.sim.balance(&b, "uakt"), 3_000);
    assert_eq!(h.sim.fees_collected(), FEE);
    assert_eq!(h.sim.account(&addr(&a)).unwrap().sequence, 1);
    let seqs: Vec<_> = h.sim.included_txs().iter().map(|t| (t.height, t.sequence, t.code)).collect();
    assert_eq!(seqs, vec![(2, 0, 30), (3, 0, 0)]);
    // The refused result stays in the index.
    assert_eq!(h.tx(EA, &refused.hash()).unwrap().code, 30);
}

#[test]
fn mint_act_settles_at_the_epoch_at_the_exact_price_and_waits_while_halted() {
    let (mut h, a) = funded(1, 10_000_000);
    let owner = addr(&a);
    h.sim.set_oracle_price(6543, 10_000);
    let mint = |h: &H, amount: u128| sign(&a, &h.unsigned(&a, vec![cm::mint_act(&owner, &owner, &cm::coin(amount, "uakt")).unwrap()]));
    let signed = mint(&h, 1_000_001);
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block(); // block 2
    assert_eq!(h.tx(EA, &signed.hash()).unwrap().code, 0);
    assert_eq!(h.sim.balance(&owner, "uakt"), 10_000_000 - 1_000_001 - FEE);
    let ledger_path = format!("/akash/bme/v1/ledger?filters.source={owner}&filters.status=ledger_record_status_pending");
    let recs = cr::parse_bme_ledger_records(&h.get(&ledger_path).body).unwrap();
    assert_eq!(recs.records.len(), 1);
    let r = &recs.records[0];
    assert_eq!((r.id.height, r.id.sequence, r.id.denom.as_str(), r.id.to_denom.as_str()), (2, 1, "uakt", "uact"));
    assert_eq!(r.pending_record.as_ref().unwrap().coins_to_burn.amount, 1_000_001);
    for _ in 3..10 {
        h.next_block();
    }
    assert_eq!(h.sim.height(), 9);
    assert_eq!(h.sim.balance(&owner, "uact"), 0);
    h.next_block(); // block 10: the epoch
    assert_eq!(h.sim.balance(&owner, "uact"), 654_300); // floor(1_000_001 × 0.6543)
    let v = h.json(&format!("/akash/bme/v1/ledger?filters.source={owner}"));
    let e = &v["records"][0];
    assert_eq!(e["status"], "ledger_record_status_executed");
    assert_eq!(e["executed_record"]["minted"]["coin"]["amount"], "654300");
    assert_eq!(e["executed_record"]["remint_credit_accrued"]["coin"]["amount"], "1000001");
    assert_eq!(e["executed_record"]["remint_credit_accrued"]["price"], "0.654300000000000000");
    assert_eq!(e["executed_record"]["burned"], Value::Null, "the node records an AKT burn as a remint credit");
    assert_eq!(h.sim.supply("uact"), 654_300);

    // Halted: a new request fails; a pending one waits past the epoch.
    let second = mint(&h, 2_000_000);
    assert_eq!(h.broadcast(&second.tx_raw).code, 0);
    h.next_block(); // 11
    h.sim.set_minting_halted(true);
    let status = cr::parse_bme_status(&h.get("/akash/bme/v1/status").body).unwrap();
    assert_eq!((status.status.as_str(), status.mints_allowed), ("mint_status_halt_cr", false));
    let refused = mint(&h, 5);
    assert_eq!(h.broadcast(&refused.tx_raw).code, 0);
    h.advance(6 * 20); // blocks 12..31: two epochs
    let t = h.tx(EA, &refused.hash()).unwrap();
    assert!(t.raw_log.contains("circuit breaker is active"), "{}", t.raw_log);
    assert_eq!(h.sim.balance(&owner, "uact"), 654_300);
    assert!(matches!(h.sim.ledger_records()[0].1, bme::LedgerRecord::Pending(_)));
    h.sim.set_minting_halted(false);
    h.advance(6 * 9); // to block 40
    assert_eq!(h.sim.balance(&owner, "uact"), 654_300 + 1_308_600);
    // Newest first with reverse; the status filter needs the full enum name.
    let v = h.json(&format!("/akash/bme/v1/ledger?filters.source={owner}&pagination.reverse=true&pagination.limit=1"));
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
    assert_eq!(v["records"][0]["id"]["height"], "11");
    assert!(v["pagination"]["next_key"].is_string());
    let next = v["pagination"]["next_key"].as_str().unwrap().to_string();
    let v = h.json(&format!("/akash/bme/v1/ledger?filters.source={owner}&pagination.key={}", rest::percent_encode(&next)));
    assert_eq!(v["records"][0]["id"]["height"], "2");
    assert_eq!(h.get("/akash/bme/v1/ledger?filters.status=pending").status, 400);
}

#[test]
fn small_mints_are_canceled_and_refunded() {
    let (mut h, a) = funded(1, 10_000_000);
    let owner = addr(&a);
    h.sim.set_min_mint(1_000_000);
    let signed = sign(&a, &h.unsigned(&a, vec![cm::mint_act(&owner, &owner, &cm::coin(100, "uakt")).unwrap()]));
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.advance(60);
    assert_eq!(h.sim.balance(&owner, "uakt"), 10_000_000 - FEE);
    let v = h.json("/akash/bme/v1/ledger?filters.status=ledger_record_status_canceled");
    assert_eq!(v["records"][0]["canceled_record"]["cancel_reason"], "minimum_mint");
}

#[test]
fn a_fee_grant_pays_fees_within_its_limit() {
    let (mut h, g) = funded(1, 10_000_000);
    let e = key(2);
    let (ga, ea) = (addr(&g), addr(&e));
    let grant = cm::grant_fee_allowance(&ga, &ea, &[cm::coin(1_000, "uakt")], None, &[]).unwrap();
    let signed = sign(&g, &h.unsigned(&g, vec![grant]));
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block();
    assert_eq!(h.tx(EA, &signed.hash()).unwrap().code, 0);
    // The grantee's account exists now, without funds.
    assert_eq!(h.sim.account(&ea).unwrap().sequence, 0);
    let allowance = cr::parse_fee_allowance(&h.get(&format!("/cosmos/feegrant/v1beta1/allowance/{ga}/{ea}")).body).unwrap().unwrap();
    assert_eq!(allowance.limit_of("uakt"), Some(1_000));
    assert_eq!(cr::parse_fee_allowance(&h.get(&format!("/cosmos/feegrant/v1beta1/allowance/{ea}/{ga}")).body).unwrap(), None);

    // The grantee signs a grant of its own (a message needing no funds), the granter pays.
    let third = addr(&key(3));
    let own = cm::grant_deposit_authorization(&ea, &third, &cm::coin(5, "uact"), &[ic_akash::proto::akash_msgs::DepositScope::Deployment], None).unwrap();
    let u = UnsignedTx { fee_granter: Some(ga.clone()), ..h.unsigned(&e, vec![own]) };
    let paid = sign(&e, &u);
    assert_eq!(h.broadcast(&paid.tx_raw).code, 0);
    h.next_block();
    assert_eq!(h.tx(EA, &paid.hash()).unwrap().code, 0);
    assert_eq!(h.sim.balance(&ga, "uakt"), 10_000_000 - 2 * FEE);
    assert_eq!(h.sim.fee_grant(&ga, &ea).unwrap().spend_limit, vec![proto::Coin::new(500, "uakt")]);
    // 600 more is over the limit; without the grant the grantee cannot pay at all.
    let over = UnsignedTx { fee: vec![cm::coin(600, "uakt")], ..h.unsigned(&e, vec![cm::revoke_authorization(&ea, &third, "/akash.escrow.v1.MsgAccountDeposit").unwrap()]) };
    let r = h.broadcast(&sign(&e, &UnsignedTx { fee_granter: Some(ga.clone()), ..over.clone() }).tx_raw);
    assert_eq!((r.code, r.codespace.as_str()), (2, "feegrant"));
    assert!(r.raw_log.contains("fee limit exceeded") && r.raw_log.contains("does not allow to pay fees"), "{}", r.raw_log);
    let r = h.broadcast(&sign(&e, &over).tx_raw);
    assert_eq!(r.code, 5, "{}", r.raw_log);
    // Spending exactly what is left uses the grant up: it is gone.
    let exact = UnsignedTx { fee: vec![cm::coin(500, "uakt")], fee_granter: Some(ga.clone()), ..over };
    assert_eq!(h.broadcast(&sign(&e, &exact).tx_raw).code, 0);
    h.next_block();
    assert_eq!(h.sim.fee_grant(&ga, &ea), None);
    assert!(h.sim.authz_grants().is_empty());

    // Allowed messages and expiration are enforced.
    let only_mint = cm::grant_fee_allowance(&ga, &ea, &[], Some(GENESIS_NANOS / SEC + 60), &["/akash.bme.v1.MsgMintACT"]).unwrap();
    assert_eq!(h.broadcast(&sign(&g, &h.unsigned(&g, vec![only_mint])).tx_raw).code, 0);
    h.next_block();
    let u = UnsignedTx { fee_granter: Some(ga.clone()), ..h.unsigned(&e, vec![cm::revoke_fee_allowance(&ea, &third).unwrap()]) };
    let r = h.broadcast(&sign(&e, &u).tx_raw);
    assert!(r.raw_log.contains("message does not exist in allowed messages"), "{}", r.raw_log);
    h.advance(120);
    let u = UnsignedTx { fee_granter: Some(ga.clone()), ..h.unsigned(&e, vec![cm::mint_act(&ea, &ea, &cm::coin(1, "uakt")).unwrap()]) };
    let r = h.broadcast(&sign(&e, &u).tx_raw);
    assert!(r.raw_log.contains("fee allowance expired"), "{}", r.raw_log);
}

#[test]
fn deposit_authorizations_are_stored_listed_and_revoked() {
    let (mut h, g) = funded(1, 10_000_000);
    let (ga, ea) = (addr(&g), addr(&key(2)));
    let url = "/akash.escrow.v1.MsgAccountDeposit";
    let scopes = [ic_akash::proto::akash_msgs::DepositScope::Deployment];
    let grant = cm::grant_deposit_authorization(&ga, &ea, &cm::coin(10_000_000, "uact"), &scopes, Some(GENESIS_NANOS / SEC + 3600)).unwrap();
    assert_eq!(h.broadcast(&sign(&g, &h.unsigned(&g, vec![grant])).tx_raw).code, 0);
    h.next_block();
    assert!(h.sim.account(&ea).is_some(), "the grantee's account is created");
    let path = format!("/cosmos/authz/v1beta1/grants?granter={ga}&grantee={ea}&msg_type_url=%2Fakash.escrow.v1.MsgAccountDeposit");
    let g1 = cr::parse_authz_grants(&h.get(&path).body).unwrap();
    let (d, exp) = g1.deposit().unwrap();
    assert_eq!((d.spend_limit.amount, d.scopes.clone(), exp), (10_000_000, vec!["deployment".to_string()], Some(GENESIS_NANOS / SEC + 3600)));
    let all = cr::parse_authz_grants(&h.get(&format!("/cosmos/authz/v1beta1/grants?granter={ga}&grantee={ea}")).body).unwrap();
    assert_eq!(all.grants.len(), 1);
    assert_eq!(h.sim.authz_grants()[0].0 .2, url);

    let revoke = cm::revoke_authorization(&ga, &ea, url).unwrap();
    let signed = sign(&g, &h.unsigned(&g, vec![revoke.clone()]));
    assert_eq!(h.broadcast(&signed.tx_raw).code, 0);
    h.next_block();
    let r = h.get(&path);
    assert_eq!(r.status, 404);
    assert!(cr::parse_authz_grants(&r.body).unwrap().grants.is_empty());
    // Revoking again fails in the message.
    let again = sign(&g, &h.unsigned(&g, vec![revoke]));
    assert_eq!(h.broadcast(&again.tx_raw).code, 0);
    h.next_block();
    let t = h.tx(EA, &again.hash()).unwrap();
    assert_eq!((t.code, t.codespace.as_str()), (2, "authz"));
}

#[test]
fn a_lagging_node_serves_old_state() {
    let (mut h, a) = funded(1, 10_000_000);
    let b = addr(&key(2));
    h.advance(60);
    h.sim.set_behaviour(EB, Behaviour::Lagging { blocks: 3 });
    let signed = sign(&a, &h.send_tx(&a, &b, 9));
    // Broadcasts through the lagging node reach the mempool.
    assert_eq!(h.broadcast_to(EB, &signed.tx_raw).code, 0);
    h.next_block();
    let now = h.sim.height();
    assert_eq!(h.height(EA), now);
    assert_eq!(h.height(EB), now - 3);
    assert!(h.tx(EA, &signed.hash()).is_some());
    assert_eq!(h.tx(EB, &signed.hash()), None);
    assert_eq!(h.balance(EB, &b, "uakt"), 0);
    assert_eq!(h.account(EB, &addr(&a)).unwrap().sequence, 0);
    h.advance(18);
    assert_eq!(h.tx(EB, &signed.hash()).unwrap().height, now);
    assert_eq!(h.balance(EB, &b, "uakt"), 9);
}

#[test]
fn a_lying_node_answers_wrong_data() {
    let (mut h, a) = funded(1, 10_000_000);
    let signed = sign(&a, &h.send_tx(&a, &addr(&key(2)), 9));
    h.broadcast(&signed.tx_raw);
    h.next_block();
    h.sim.set_behaviour(EC, Behaviour::Lying);
    assert_eq!(h.balance(EC, &addr(&a), "uakt"), h.sim.balance(&addr(&a), "uakt") + 1_000_000);
    assert_eq!(h.balance(EC, &addr(&key(7)), "uakt"), 1_000_000);
    assert_eq!(h.account(EC, &addr(&a)).unwrap().sequence, 2);
    assert_eq!(h.tx(EC, &signed.hash()), None);
    let fake = h.tx(EC, &"AB".repeat(32)).unwrap();
    assert_eq!(fake.code, 0);
    assert_eq!(h.balance(EA, &addr(&a), "uakt"), h.sim.balance(&addr(&a), "uakt"));
}

#[test]
fn replicas_of_a_diverging_node_disagree_and_consensus_fails() {
    let (mut h, a) = funded(1, 10_000_000);
    h.sim.set_behaviour(EB, Behaviour::Diverging);
    let path = format!("/cosmos/bank/v1beta1/balances/{}", addr(&a));
    let bodies: Vec<Vec<u8>> = (0..4).map(|r| h.raw(EB, HttpMethod::Get, &path, vec![], r).unwrap().body).collect();
    for i in 0..4 {
        for j in 0..i {
            assert_ne!(bodies[i], bodies[j]);
        }
    }
    assert_eq!(cr::parse_balances(&bodies[0]).unwrap().amount_of("uakt"), 10_000_000);

    // Through the fake runtime: 4 replicas, 3 equal answers needed.
    let rt = FakeRuntime::new();
    let sim = std::mem::replace(&mut h.sim, AkashSim::new(CHAIN, &[EA], GENESIS_NANOS)).shared();
    rt.set_http_service(sim.clone());
    let ok = block_on(rt.http_request(request(&format!("{EA}{path}"), HttpMethod::Get, vec![], true), 1 << 40)).unwrap();
    assert_eq!(cr::parse_balances(&ok.body).unwrap().amount_of("uakt"), 10_000_000);
    let split = block_on(rt.http_request(request(&format!("{EB}{path}"), HttpMethod::Get, vec![], true), 1 << 40));
    assert_eq!(split, Err(HttpError::NoConsensus));
    sim.borrow_mut().set_behaviour(EB, Behaviour::Down);
    let down = block_on(rt.http_request(request(&format!("{EB}{path}"), HttpMethod::Get, vec![], true), 1 << 40));
    assert!(matches!(down, Err(HttpError::Unreachable { .. })));
    // Padding past max_response_bytes.
    sim.borrow_mut().set_padding(Some(EA), Some(5_000));
    let mut small = request(&format!("{EA}{path}"), HttpMethod::Get, vec![], true);
    small.max_response_bytes = 4_096;
    assert_eq!(block_on(rt.http_request(small.clone(), 1 << 40)), Err(HttpError::ResponseTooLarge));
    small.max_response_bytes = 8_192;
    let padded = block_on(rt.http_request(small, 1 << 40)).unwrap();
    assert!(padded.body.len() >= 5_000);
    assert_eq!(cr::parse_balances(&padded.body).unwrap().amount_of("uakt"), 10_000_000);
    assert_eq!(rt.time_nanos(), GENESIS_NANOS);
}

#[test]
fn endpoints_fail_as_scripted() {
    let (mut h, a) = funded(1, 10_000_000);
    let path = format!("/cosmos/auth/v1beta1/accounts/{}", addr(&a));
    h.sim.set_behaviour(EA, Behaviour::Down);
    assert!(matches!(h.raw(EA, HttpMethod::Get, &path, vec![], 0), Err(HttpError::Unreachable { .. })));
    h.sim.set_behaviour(EA, Behaviour::ServerErrors);
    let r = h.get_from(EA, &path);
    assert_eq!((r.status, r.body.as_slice()), (503, b"upstream unavailable".as_slice()));
    // A down node takes no one-shot fault: it waits for the node to answer again.
    h.sim.set_behaviour(EA, Behaviour::Down);
    h.sim.push_fault(EA, OneShot::ServerError);
    assert!(h.raw(EA, HttpMethod::Get, &path, vec![], 0).is_err());
    h.sim.set_behaviour(EA, Behaviour::Healthy);
    assert_eq!(h.get_from(EA, &path).status, 503);
    h.sim.clear_faults();
    assert!(matches!(h.raw("https://nowhere.test", HttpMethod::Get, &path, vec![], 0), Err(HttpError::Unreachable { .. })));

    // Two 503s, then fine; replicas of one outcall share its fault.
    h.sim.fail_next(EA, 2);
    for _ in 0..2 {
        for replica in 0..4 {
            assert_eq!(h.raw(EA, HttpMethod::Get, &path, vec![], replica).unwrap().status, 503);
        }
    }
    assert_eq!(h.get_from(EA, &path).status, 200);

    // A timeout after the broadcast was served: the caller sees nothing, the tx is in.
    let first = sign(&a, &h.send_tx(&a, &addr(&key(2)), 1));
    h.sim.push_fault(EA, OneShot::Timeout);
    let r = h.raw(EA, HttpMethod::Post, "/cosmos/tx/v1beta1/txs", cr::broadcast_request_body(&first.tx_raw), 0);
    assert!(matches!(r, Err(HttpError::Unreachable { .. })));
    assert_eq!(h.sim.mempool_len(), 1);
    h.next_block();
    assert_eq!(h.tx(EA, &first.hash()).unwrap().code, 0);

    // A stale CheckTx answers a mismatch below the committed sequence and keeps nothing.
    let second = sign(&a, &h.send_tx(&a, &addr(&key(2)), 2));
    h.sim.push_global_fault(OneShot::StaleSequence);
    assert_eq!(h.get_from(EB, &path).status, 200, "a read does not use a broadcast fault");
    let r = h.broadcast_to(EB, &second.tx_raw);
    assert_eq!(r.code, 32);
    assert!(r.raw_log.contains("expected 0, got 1"), "{}", r.raw_log);
    assert_eq!(h.sim.mempool_len(), 0);

    // Accepted and lost: never included; the same bytes can be sent again.
    h.sim.push_fault(EC, OneShot::DropBroadcast);
    assert_eq!(h.broadcast_to(EC, &second.tx_raw).code, 0);
    assert_eq!(h.sim.mempool_len(), 0);
    h.advance(60);
    assert_eq!(h.tx(EA, &second.hash()), None);
    assert_eq!(h.broadcast_to(EC, &second.tx_raw).code, 0);
    h.next_block();
    assert_eq!(h.tx(EA, &second.hash()).unwrap().code, 0);
    assert_eq!(h.sim.included_txs().len(), 2);

    // One padded response.
    h.sim.push_fault(EA, OneShot::Pad { bytes: 3_000 });
    assert!(h.get_from(EA, &path).body.len() >= 3_000);
    assert!(h.get_from(EA, &path).body.len() < 1_000);
    assert!(h.sim.requests_to(EA) > 10);
}

#[test]
fn reads_answer_as_the_gateway_does() {
    let (mut h, _a) = funded(1, 10_000_000);
    let nobody = addr(&key(8));
    let r = h.get(&format!("/cosmos/auth/v1beta1/accounts/{nobody}"));
    assert_eq!(r.status, 404);
    assert_eq!(cr::parse_account(&r.body).unwrap(), None);
    let r = h.get(&format!("/cosmos/tx/v1beta1/txs/{}", "0A".repeat(32)));
    assert_eq!(r.status, 404);
    let e = cr::parse_chain_error(&r.body).unwrap();
    assert_eq!(e.message, format!("rpc error: code = NotFound desc = tx not found: {}", "0A".repeat(32)));
    assert_eq!(cr::parse_balances(&h.get(&format!("/cosmos/bank/v1beta1/balances/{nobody}")).body).unwrap().balances, vec![]);
    assert_eq!(h.get("/cosmos/auth/v1beta1/accounts/akash1xyz").status, 400);
    assert_eq!(h.get("/nothing/here").status, 501);
    let r = h.raw(EA, HttpMethod::Post, &format!("/cosmos/auth/v1beta1/accounts/{nobody}"), vec![], 0).unwrap();
    assert_eq!(r.status, 501);
    let p = cr::parse_deployment_params(&h.get("/akash/deployment/v1beta4/params").body).unwrap();
    assert_eq!(p.iter().map(|c| (c.denom.as_str(), c.amount)).collect::<Vec<_>>(), vec![("uact", 500_000), ("uakt", 500_000)]);
    let st = cr::parse_bme_status(&h.get("/akash/bme/v1/status").body).unwrap();
    assert!(st.mints_allowed);
    let b = cr::parse_latest_block(&h.get("/cosmos/base/tendermint/v1beta1/blocks/latest").body).unwrap();
    assert_eq!((b.height, b.time_unix_secs, b.chain_id.as_str()), (1, GENESIS_NANOS / SEC, CHAIN));
    // Broadcast bodies are checked.
    let r = h.raw(EA, HttpMethod::Post, "/cosmos/tx/v1beta1/txs", br#"{"tx_bytes":"AAAA"}"#.to_vec(), 0).unwrap();
    assert_eq!(r.status, 400);
    let r = h.raw(EA, HttpMethod::Post, "/cosmos/tx/v1beta1/txs", b"not json".to_vec(), 0).unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn a_year_of_idle_blocks_is_instant_and_lagging_views_stay_bounded() {
    let (mut h, a) = funded(1, 10_000_000);
    let owner = addr(&a);
    let signed = sign(&a, &h.unsigned(&a, vec![cm::mint_act(&owner, &owner, &cm::coin(1_000, "uakt")).unwrap()]));
    h.broadcast(&signed.tx_raw);
    h.advance(365 * 24 * 3600);
    assert_eq!(h.sim.height(), 1 + 365 * 24 * 600);
    assert_eq!(h.sim.balance(&owner, "uact"), 600);
    h.sim.set_behaviour(EB, Behaviour::Lagging { blocks: 1_000 });
    assert_eq!(h.height(EB), h.sim.height() - chain::SNAPSHOT_DEPTH);
}

#[path = "deployment_tests.rs"]
mod deployment_tests;
