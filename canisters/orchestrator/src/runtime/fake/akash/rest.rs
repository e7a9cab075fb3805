//! The REST gateway: routes, request parsing and the JSON a Cosmos SDK 0.53 node writes (proto
//! field names, 64-bit integers as strings, enums by name, `Any` with `@type`, bytes in base64,
//! errors as `{"code", "message", "details"}` with the gRPC code and the HTTP status the gateway
//! maps it to). Module queries reach the app through ABCI, which is why their error messages
//! read "rpc error: code = ... desc = ...: <sdk error>".

use super::authz;
use super::bank::{coin_json, coins_json};
use super::bme::{self, dec_string, LedgerId, LedgerRecord, DEC_ONE};
use super::chain::{self, Chain, IncludedTx, State, BME_MODULE, DENOM_UACT, DENOM_UAKT};
use super::msgs;
use super::proto::{self, AuthInfo, TxBody, TxRaw};
use crate::runtime::{HttpMethod, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The lie a lying node adds to balances.
pub const LIE_BALANCE_UAKT: u128 = 1_000_000;
/// The lie a lying node adds to minted amounts in ledger records.
pub const LIE_MINTED_UACT: u128 = 1_000_000;
/// Default page size of list queries (`query.DefaultLimit`).
pub const DEFAULT_LIMIT: usize = 100;

// ---------------------------------------------------------------------------------------------
// Time

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn rfc3339_parts(nanos: u64) -> (String, u64) {
    let secs = nanos / 1_000_000_000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let r = secs % 86_400;
    (format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", r / 3600, r % 3600 / 60, r % 60), nanos % 1_000_000_000)
}

/// A protobuf `Timestamp` in JSON: RFC 3339 UTC with 0, 3, 6 or 9 fractional digits.
pub fn rfc3339(nanos: u64) -> String {
    let (base, frac) = rfc3339_parts(nanos);
    if frac == 0 {
        return format!("{base}Z");
    }
    let mut f = format!("{frac:09}");
    while f.ends_with("000") {
        f.truncate(f.len() - 3);
    }
    format!("{base}.{f}Z")
}

/// Go's `time.RFC3339` (whole seconds), as `TxResponse.timestamp` is written.
pub fn rfc3339_secs(nanos: u64) -> String {
    format!("{}Z", rfc3339_parts(nanos).0)
}

// ---------------------------------------------------------------------------------------------
// Responses

pub fn json_response(status: u16, v: &Value) -> HttpResponse {
    HttpResponse { status, body: serde_json::to_vec(v).expect("BUG: JSON values serialise") }
}

fn ok(v: Value) -> HttpResponse {
    json_response(200, &v)
}

/// A gRPC status as the gateway writes it.
pub fn error(http: u16, code: u32, message: impl Into<String>) -> HttpResponse {
    json_response(http, &json!({"code": code, "message": message.into(), "details": []}))
}

/// A query's NotFound status after the ABCI round trip (404, code 5).
pub(super) fn not_found(desc: impl std::fmt::Display) -> HttpResponse {
    error(404, 5, format!("rpc error: code = NotFound desc = {desc}"))
}

/// A query's InvalidArgument status after the ABCI round trip (400, code 3).
fn invalid_argument(desc: impl std::fmt::Display) -> HttpResponse {
    error(400, 3, format!("rpc error: code = InvalidArgument desc = {desc}: invalid request"))
}

/// A module error that is no gRPC status (a missing fee grant): gRPC Internal (500, code 13).
fn internal(desc: impl std::fmt::Display) -> HttpResponse {
    error(500, 13, desc.to_string())
}

pub fn not_implemented() -> HttpResponse {
    error(501, 12, "Not Implemented")
}

fn method_not_allowed() -> HttpResponse {
    error(501, 12, "Method Not Allowed")
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Percent-decoding (and `+` as space in queries).
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value (unreserved characters kept).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Splits `/path?query` into the decoded path and the query pairs.
pub fn split_path(rest: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    let path = percent_decode(path, false);
    let pairs = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(kv, true), String::new()),
        })
        .collect();
    (path, pairs)
}

fn q<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// What a request does (faults target some kinds only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Broadcast,
    Simulate,
    Read,
}

pub fn kind_of(method: HttpMethod, path: &str) -> Kind {
    match (method, path) {
        (HttpMethod::Post, "/cosmos/tx/v1beta1/txs") => Kind::Broadcast,
        (HttpMethod::Post, "/cosmos/tx/v1beta1/simulate") => Kind::Simulate,
        _ => Kind::Read,
    }
}

/// How a node answers reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOpts {
    /// Blocks behind the chain.
    pub lag: u64,
    /// Answers with wrong data.
    pub lie: bool,
}

/// What happens to the next broadcast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BroadcastFault {
    None,
    /// CheckTx from a stale state: sequence mismatch, "expected" one below the committed one.
    StaleSequence,
    /// Accepted (code 0) but never gossiped: not in the mempool.
    Drop,
    /// Accepted (code 0) into the mempool, then refused by the ante handler at delivery.
    RefusedAtDelivery,
}

/// A node's view of the chain for reads.
struct View<'a> {
    chain: &'a Chain,
    height: u64,
    state: std::rc::Rc<State>,
    lie: bool,
}

impl View<'_> {
    fn time(&self) -> u64 {
        self.chain.block_time(self.height)
    }
}

/// Serves one request against the chain.
pub fn serve(
    chain: &mut Chain,
    method: HttpMethod,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
    opts: ReadOpts,
    fault: BroadcastFault,
) -> HttpResponse {
    match kind_of(method, path) {
        Kind::Broadcast => return broadcast(chain, body, fault),
        Kind::Simulate => {
            let lagged = (opts.lag > 0).then(|| chain.state_at(chain.height.saturating_sub(opts.lag)));
            return simulate(chain, body, lagged.as_deref());
        }
        Kind::Read => {}
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let is_post_route = matches!(path, "/cosmos/tx/v1beta1/txs" | "/cosmos/tx/v1beta1/simulate");
    if method != HttpMethod::Get {
        return if is_post_route || route_exists(&segs) { method_not_allowed() } else { not_implemented() };
    }
    if is_post_route {
        return method_not_allowed();
    }
    let height = chain.height.saturating_sub(opts.lag).max(chain.oldest_kept_height().min(chain.height));
    let view = View { chain, height, state: chain.state_at(height), lie: opts.lie };
    match segs.as_slice() {
        ["cosmos", "auth", "v1beta1", "accounts", addr] => account(&view, addr),
        ["cosmos", "bank", "v1beta1", "balances", addr] => balances(&view, addr),
        ["cosmos", "bank", "v1beta1", "balances", addr, "by_denom"] => balance_by_denom(&view, addr, q(query, "denom").unwrap_or("")),
        ["cosmos", "tx", "v1beta1", "txs", hash] => get_tx(&view, hash),
        ["cosmos", "base", "tendermint", "v1beta1", "blocks", "latest"] => block(&view, view.height),
        ["cosmos", "base", "tendermint", "v1beta1", "blocks", h] => match h.parse::<u64>() {
            Ok(h) if h <= view.height && h > 0 => block(&view, h),
            Ok(h) if h > view.height => error(
                400,
                3,
                format!("rpc error: code = InvalidArgument desc = requested block height is bigger then the chain length: {h}: invalid request"),
            ),
            _ => error(400, 3, format!("rpc error: code = InvalidArgument desc = invalid height {h}: invalid request")),
        },
        ["akash", "bme", "v1", "status"] => bme_status(&view),
        ["akash", "bme", "v1", "params"] => bme_params(&view),
        ["akash", "bme", "v1", "ledger"] => bme_ledger(&view, query),
        ["cosmos", "feegrant", "v1beta1", "allowance", granter, grantee] => allowance(&view, granter, grantee),
        ["cosmos", "authz", "v1beta1", "grants"] => grants(&view, query),
        ["akash", "deployment", "v1beta4", "params"] => ok(json!({
            "params": {"min_deposits": [coin_json(&proto::Coin::new(500_000, DENOM_UACT)), coin_json(&proto::Coin::new(500_000, DENOM_UAKT))]}
        })),
        _ => super::queries::serve(&view.state, segs.as_slice(), query).unwrap_or_else(not_implemented),
    }
}

fn route_exists(segs: &[&str]) -> bool {
    matches!(
        segs,
        ["cosmos", "auth", "v1beta1", "accounts", _]
            | ["cosmos", "bank", "v1beta1", "balances", _]
            | ["cosmos", "tx", "v1beta1", "txs", _]
            | ["cosmos", "base", "tendermint", "v1beta1", "blocks", _]
            | ["akash", "bme", "v1", _]
            | ["cosmos", "feegrant", "v1beta1", "allowance", _, _]
            | ["cosmos", "authz", "v1beta1", "grants"]
            | ["akash", "deployment", "v1beta4", "params"]
    ) || super::queries::route_exists(segs)
}

// ---------------------------------------------------------------------------------------------
// Accounts and balances

fn account(view: &View, addr: &str) -> HttpResponse {
    if let Err(e) = ic_akash::address::validate(addr) {
        return invalid_argument(format!("decoding bech32 failed: {e}"));
    }
    let Some(acc) = view.state.accounts.get(addr) else {
        return not_found(format!("account {addr} not found: key not found"));
    };
    let seq = acc.sequence + u64::from(view.lie);
    ok(json!({
        "account": {
            "@type": "/cosmos.auth.v1beta1.BaseAccount",
            "address": acc.address,
            "pub_key": acc.pub_key.map(|k| json!({"@type": proto::SECP256K1_PUBKEY, "key": B64.encode(k.0)})),
            "account_number": acc.account_number.to_string(),
            "sequence": seq.to_string(),
        }
    }))
}

fn lied_balances(view: &View, addr: &str) -> Vec<proto::Coin> {
    let mut coins = view.state.all_balances(addr);
    if view.lie {
        match coins.iter_mut().find(|c| c.denom == DENOM_UAKT) {
            Some(c) => c.amount += LIE_BALANCE_UAKT,
            None => {
                coins.push(proto::Coin::new(LIE_BALANCE_UAKT, DENOM_UAKT));
                coins.sort();
            }
        }
    }
    coins
}

fn balances(view: &View, addr: &str) -> HttpResponse {
    if let Err(e) = ic_akash::address::validate(addr) {
        return invalid_argument(format!("invalid address: decoding bech32 failed: {e}"));
    }
    let coins = lied_balances(view, addr);
    ok(json!({"balances": coins_json(&coins), "pagination": {"next_key": null, "total": coins.len().to_string()}}))
}

fn balance_by_denom(view: &View, addr: &str, denom: &str) -> HttpResponse {
    if let Err(e) = ic_akash::address::validate(addr) {
        return invalid_argument(format!("invalid address: decoding bech32 failed: {e}"));
    }
    if !msgs::valid_denom(denom) {
        return invalid_argument(format!("invalid denom: {denom}"));
    }
    let amount = lied_balances(view, addr).into_iter().find(|c| c.denom == denom).map(|c| c.amount).unwrap_or(0);
    ok(json!({"balance": coin_json(&proto::Coin::new(amount, denom))}))
}

// ---------------------------------------------------------------------------------------------
// Transactions

fn events_json(events: &[msgs::Event]) -> Value {
    Value::Array(
        events
            .iter()
            .map(|e| {
                json!({
                    "type": e.kind,
                    "attributes": e.attributes.iter().map(|(k, v)| json!({"key": k, "value": v, "index": true})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// A `cosmos.tx.v1beta1.Tx` in JSON (messages decoded by their kinds).
pub fn tx_json(raw: &[u8]) -> Value {
    let Ok(tx) = TxRaw::decode(raw) else { return Value::Null };
    let body = TxBody::decode(&tx.body_bytes).unwrap_or_default();
    let auth = AuthInfo::decode(&tx.auth_info_bytes).unwrap_or_default();
    let messages: Vec<Value> = body
        .messages
        .iter()
        .map(|m| {
            let mut v = msgs::find(&m.type_url).map(|k| k.json(&m.value)).unwrap_or_else(|| json!({}));
            if let Some(o) = v.as_object_mut() {
                o.insert("@type".into(), json!(m.type_url));
            }
            v
        })
        .collect();
    let signer_infos: Vec<Value> = auth
        .signer_infos
        .iter()
        .map(|s| {
            json!({
                "public_key": s.public_key.as_ref().map(|pk| json!({"@type": pk.type_url, "key": B64.encode(proto::decode_pubkey(&pk.value).unwrap_or_default())})),
                "mode_info": {"single": {"mode": match s.mode { Some(1) => "SIGN_MODE_DIRECT".to_string(), Some(127) => "SIGN_MODE_LEGACY_AMINO_JSON".to_string(), Some(m) => m.to_string(), None => "SIGN_MODE_UNSPECIFIED".to_string() }}},
                "sequence": s.sequence.to_string(),
            })
        })
        .collect();
    json!({
        "body": {
            "messages": messages,
            "memo": body.memo,
            "timeout_height": body.timeout_height.to_string(),
            "unordered": body.unordered,
            "timeout_timestamp": body.timeout_timestamp.map(rfc3339),
            "extension_options": [],
            "non_critical_extension_options": [],
        },
        "auth_info": {
            "signer_infos": signer_infos,
            "fee": {
                "amount": coins_json(&auth.fee.amount),
                "gas_limit": auth.fee.gas_limit.to_string(),
                "payer": auth.fee.payer,
                "granter": auth.fee.granter,
            },
            "tip": null,
        },
        "signatures": tx.signatures.iter().map(|s| B64.encode(s)).collect::<Vec<_>>(),
    })
}

fn tx_response_json(t: &IncludedTx) -> Value {
    let mut tx = tx_json(&t.raw);
    if let Some(o) = tx.as_object_mut() {
        o.insert("@type".into(), json!("/cosmos.tx.v1beta1.Tx"));
    }
    json!({
        "height": t.height.to_string(),
        "txhash": t.hash,
        "codespace": t.codespace,
        "code": t.code,
        "data": "",
        "raw_log": t.raw_log,
        "logs": [],
        "info": "",
        "gas_wanted": t.gas_wanted.to_string(),
        "gas_used": t.gas_used.to_string(),
        "tx": tx,
        "timestamp": rfc3339_secs(t.time_nanos),
        "events": events_json(&t.events),
    })
}

fn get_tx(view: &View, hash: &str) -> HttpResponse {
    if hex::decode(hash).map(|b| b.len() != 32).unwrap_or(true) {
        return error(500, 2, format!("rpc error: code = Unknown desc = invalid tx hash {hash}: unknown request"));
    }
    let hash = hash.to_ascii_uppercase();
    let found = view.chain.tx(&hash).filter(|t| t.height <= view.height);
    match (found, view.lie) {
        (Some(t), false) => ok(json!({"tx": tx_json(&t.raw), "tx_response": tx_response_json(t)})),
        (None, false) | (Some(_), true) => not_found(format!("tx not found: {hash}")),
        (None, true) => ok(json!({
            "tx": null,
            "tx_response": {
                "height": view.height.to_string(), "txhash": hash, "codespace": "", "code": 0, "data": "",
                "raw_log": "", "logs": [], "info": "", "gas_wanted": "200000", "gas_used": "100000",
                "tx": null, "timestamp": rfc3339_secs(view.time()), "events": [],
            }
        })),
    }
}

fn broadcast_response(hash: &str, code: u32, codespace: &str, log: &str, gas_wanted: u64, gas_used: u64) -> HttpResponse {
    ok(json!({
        "tx_response": {
            "height": "0", "txhash": hash, "codespace": codespace, "code": code, "data": "",
            "raw_log": log, "logs": [], "info": "", "gas_wanted": gas_wanted.to_string(),
            "gas_used": gas_used.to_string(), "tx": null, "timestamp": "", "events": [],
        }
    }))
}

fn body_json(body: &[u8]) -> Result<Value, HttpResponse> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| error(400, 3, format!("proto: syntax error: {e}")))?;
    if !v.is_object() {
        return Err(error(400, 3, "proto: syntax error: expected an object"));
    }
    Ok(v)
}

fn tx_bytes(v: &Value) -> Result<Option<Vec<u8>>, HttpResponse> {
    match v.get("tx_bytes") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => B64
            .decode(s.as_bytes())
            .map(Some)
            .map_err(|e| error(400, 3, format!("proto: (line 1:13): invalid value for bytes field tx_bytes: {e}"))),
        Some(_) => Err(error(400, 3, "proto: invalid value for bytes field tx_bytes")),
    }
}

fn broadcast(chain: &mut Chain, body: &[u8], fault: BroadcastFault) -> HttpResponse {
    let v = match body_json(body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let raw = match tx_bytes(&v) {
        Ok(Some(b)) => b,
        Ok(None) => return error(400, 3, "invalid empty tx"),
        Err(r) => return r,
    };
    let mode = match v.get("mode") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(1) => "BROADCAST_MODE_BLOCK".into(),
            Some(2) => "BROADCAST_MODE_SYNC".into(),
            Some(3) => "BROADCAST_MODE_ASYNC".into(),
            _ => "BROADCAST_MODE_UNSPECIFIED".into(),
        },
        _ => "BROADCAST_MODE_UNSPECIFIED".into(),
    };
    let async_mode = match mode.as_str() {
        "BROADCAST_MODE_SYNC" => false,
        "BROADCAST_MODE_ASYNC" => true,
        "BROADCAST_MODE_BLOCK" => return error(400, 3, "unsupported return type block; supported types: sync, async"),
        _ => return error(400, 3, "unsupported return type ; supported types: sync, async"),
    };
    let hash = chain::tx_hash(&raw);
    if fault == BroadcastFault::StaleSequence {
        if let Ok(tx) = chain::decode_tx(&raw) {
            let committed = chain.state().accounts.get(&tx.signer).map(|a| a.sequence).unwrap_or(0);
            let log = format!(
                "account sequence mismatch, expected {}, got {}: incorrect account sequence",
                committed.saturating_sub(1),
                tx.sequence()
            );
            return broadcast_response(&hash, msgs::code::WRONG_SEQUENCE, "sdk", &log, tx.auth.fee.gas_limit, chain::ANTE_BASE_GAS);
        }
    }
    let keep = fault != BroadcastFault::Drop;
    match chain.check_tx(&raw, keep) {
        Ok(tx) => {
            if fault == BroadcastFault::RefusedAtDelivery {
                chain.refuse_at_delivery(&hash);
            }
            broadcast_response(&hash, 0, "", "", tx.auth.fee.gas_limit, chain::ante_gas(&tx))
        }
        Err(_) if async_mode => broadcast_response(&hash, 0, "", "", 0, 0),
        Err((f, tx)) => {
            let gas_wanted = tx.as_ref().map(|t| t.auth.fee.gas_limit).unwrap_or(0);
            let gas_used = tx.as_deref().map(chain::ante_gas).unwrap_or(0).min(gas_wanted.max(1));
            broadcast_response(&hash, f.code, f.codespace, &f.log, gas_wanted, if tx.is_some() { gas_used } else { 0 })
        }
    }
}

fn simulate(chain: &mut Chain, body: &[u8], lagged: Option<&State>) -> HttpResponse {
    let v = match body_json(body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let raw = match tx_bytes(&v) {
        Ok(Some(b)) => b,
        Ok(None) => return error(400, 3, "rpc error: code = InvalidArgument desc = empty txBytes is not allowed: invalid request"),
        Err(r) => return r,
    };
    match chain.simulate(&raw, lagged) {
        Ok(r) => ok(json!({
            "gas_info": {"gas_wanted": r.gas_wanted.to_string(), "gas_used": r.gas_used.to_string()},
            "result": {"data": "", "log": "", "events": events_json(&r.events), "msg_responses": []},
        })),
        Err((f, gas_used)) => error(
            500,
            2,
            format!(
                "rpc error: code = Unknown desc = {} With gas wanted: '{}' and gas used: '{gas_used}' : unknown request",
                f.log,
                chain::SIMULATE_GAS_WANTED
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Blocks

fn fake_hash(tag: &str, height: u64) -> String {
    B64.encode(Sha256::digest(format!("{tag}/{height}").as_bytes()))
}

fn block(view: &View, height: u64) -> HttpResponse {
    let chain = view.chain;
    let txs: Vec<String> = chain.txs_at(height).iter().map(|t| B64.encode(&t.raw)).collect();
    let block_id = |h: u64| json!({"hash": fake_hash("block", h), "part_set_header": {"total": 1, "hash": fake_hash("parts", h)}});
    let header = |proposer: Value| {
        json!({
            "version": {"block": "11", "app": "0"},
            "chain_id": chain.chain_id,
            "height": height.to_string(),
            "time": rfc3339(chain.block_time(height)),
            "last_block_id": block_id(height.saturating_sub(1)),
            "last_commit_hash": fake_hash("commit", height),
            "data_hash": fake_hash("data", height),
            "validators_hash": fake_hash("vals", 0),
            "next_validators_hash": fake_hash("vals", 0),
            "consensus_hash": fake_hash("consensus", 0),
            "app_hash": fake_hash("app", height),
            "last_results_hash": fake_hash("results", height),
            "evidence_hash": fake_hash("evidence", height),
            "proposer_address": proposer,
        })
    };
    let last_commit = json!({"height": height.saturating_sub(1).to_string(), "round": 0, "block_id": block_id(height.saturating_sub(1)), "signatures": []});
    let proposer_bytes = &Sha256::digest(b"validator")[..20];
    let mut valcons = [0u8; 20];
    valcons.copy_from_slice(proposer_bytes);
    let valcons = bech32("akashvalcons", &valcons);
    ok(json!({
        "block_id": block_id(height),
        "block": {"header": header(json!(B64.encode(proposer_bytes))), "data": {"txs": txs}, "evidence": {"evidence": []}, "last_commit": last_commit},
        "sdk_block": {"header": header(json!(valcons)), "data": {"txs": txs}, "evidence": {"evidence": []}, "last_commit": last_commit},
    }))
}

/// Bech32 (BIP-173) of 8-bit data under `hrp`.
fn bech32(hrp: &str, data: &[u8]) -> String {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut five = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in data {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            five.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        five.push(((acc << (5 - bits)) & 31) as u8);
    }
    let polymod = |values: &[u8]| {
        let mut chk: u32 = 1;
        for v in values {
            let top = chk >> 25;
            chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(*v);
            for (i, g) in GEN.iter().enumerate() {
                if (top >> i) & 1 == 1 {
                    chk ^= g;
                }
            }
        }
        chk
    };
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    values.extend(&five);
    values.extend([0u8; 6]);
    let pm = polymod(&values) ^ 1;
    let mut out = format!("{hrp}1");
    for v in five {
        out.push(CHARSET[v as usize] as char);
    }
    for i in 0..6 {
        out.push(CHARSET[((pm >> (5 * (5 - i))) & 31) as usize] as char);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// BME

fn bme_status(view: &View) -> HttpResponse {
    let st = &view.state;
    let b = &st.bme;
    let vault = st.balance(&chain::module_address(BME_MODULE), DENOM_UAKT);
    let pending: u128 = b.pending.values().map(|p| p.coins_to_burn.amount).sum();
    let collateral = vault.saturating_sub(pending).saturating_mul(b.price_atomics);
    let outstanding = st.supply.get(DENOM_UACT).copied().unwrap_or(0);
    let cr = collateral.checked_div(outstanding).unwrap_or(collateral);
    let (status, mints) = if b.halted { ("mint_status_halt_cr", false) } else { ("mint_status_healthy", true) };
    ok(json!({
        "status": status,
        "collateral_ratio": dec_string(cr),
        "warn_threshold": dec_string(DEC_ONE / 100 * 95),
        "halt_threshold": dec_string(DEC_ONE / 100 * 90),
        "mints_allowed": mints,
        "refunds_allowed": true,
    }))
}

fn bme_params(view: &View) -> HttpResponse {
    let b = &view.state.bme;
    ok(json!({
        "params": {
            "circuit_breaker_warn_threshold": 9500,
            "circuit_breaker_halt_threshold": 9000,
            "min_epoch_blocks": b.epoch_blocks.to_string(),
            "epoch_blocks_backoff_percent": 10,
            "mint_spread_bps": b.mint_spread_bps,
            "settle_spread_bps": 0,
            "max_endblocker_records": 1000,
            "min_mint": [coin_json(&proto::Coin::new(b.min_mint_uact, DENOM_UACT))],
        }
    }))
}

fn ledger_key(state_idx: usize, id: &LedgerId, reverse: bool) -> String {
    B64.encode(format!("{state_idx}|{}|{}|{}|{}|{}|{}", id.denom, id.to_denom, id.source, id.height, id.sequence, u8::from(reverse)))
}

fn parse_ledger_key(key: &str) -> Option<(usize, LedgerId, bool)> {
    let text = String::from_utf8(B64.decode(key).ok()?).ok()?;
    let p: Vec<&str> = text.split('|').collect();
    if p.len() != 7 {
        return None;
    }
    Some((
        p[0].parse().ok()?,
        LedgerId { denom: p[1].into(), to_denom: p[2].into(), source: p[3].into(), height: p[4].parse().ok()?, sequence: p[5].parse().ok()? },
        p[6] == "1",
    ))
}

fn bme_ledger(view: &View, query: &[(String, String)]) -> HttpResponse {
    let source = q(query, "filters.source").unwrap_or("");
    let denom = q(query, "filters.denom").unwrap_or("");
    let to_denom = q(query, "filters.to_denom").unwrap_or("");
    let status = q(query, "filters.status").unwrap_or("");
    let limit = match q(query, "pagination.limit").map(|l| l.parse::<usize>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(0)) => DEFAULT_LIMIT,
        Some(Ok(l)) => l,
        Some(Err(_)) => return error(400, 3, "proto: invalid value for uint64 field limit"),
    };
    let mut offset = match q(query, "pagination.offset").map(|l| l.parse::<usize>()) {
        None => 0,
        Some(Ok(o)) => o,
        Some(Err(_)) => return error(400, 3, "proto: invalid value for uint64 field offset"),
    };
    let mut reverse = matches!(q(query, "pagination.reverse"), Some("true") | Some("1"));
    if offset > 0 && status.is_empty() {
        return error(400, 3, "rpc error: code = InvalidArgument desc = invalid request parameters. if offset is set, filter.status must be provided: invalid request");
    }
    let mut states: Vec<usize> = match status {
        "" => vec![0, 1, 2],
        s => match bme::STATUS_NAMES.iter().position(|n| *n == s) {
            Some(i) => vec![i],
            None => return error(400, 3, "rpc error: code = InvalidArgument desc = invalid status filter value: invalid request"),
        },
    };
    let mut resume: Option<(usize, LedgerId)> = None;
    if let Some(key) = q(query, "pagination.key").filter(|k| !k.is_empty()) {
        let Some((idx, id, rev)) = parse_ledger_key(key) else {
            return error(400, 3, "rpc error: code = InvalidArgument desc = invalid pagination key: invalid request");
        };
        reverse = rev;
        states.retain(|s| if rev { *s <= idx } else { *s >= idx });
        resume = Some((idx, id));
    }
    if reverse {
        states.sort_by(|a, b| b.cmp(a));
    }
    let all = view.state.bme.records();
    let bonus = if view.lie { LIE_MINTED_UACT } else { 0 };
    let mut records = Vec::new();
    let mut next_key = None;
    'outer: for s in states {
        let mut entries: Vec<&(LedgerId, LedgerRecord)> =
            all.iter().filter(|(_, r)| bme::STATUS_NAMES[s] == r.status_name()).collect();
        if reverse {
            entries.reverse();
        }
        for (id, rec) in entries {
            if let Some((ri, rid)) = &resume {
                if *ri == s && (if reverse { id > rid } else { id < rid }) {
                    continue;
                }
            }
            if (!source.is_empty() && id.source != source)
                || (!denom.is_empty() && id.denom != denom)
                || (!to_denom.is_empty() && id.to_denom != to_denom)
            {
                continue;
            }
            if offset > 0 {
                offset -= 1;
                continue;
            }
            if records.len() == limit {
                next_key = Some(ledger_key(s, id, reverse));
                break 'outer;
            }
            records.push(bme::record_json(id, rec, bonus));
        }
    }
    let total = records.len();
    ok(json!({"records": records, "pagination": {"next_key": next_key, "total": total.to_string()}}))
}

// ---------------------------------------------------------------------------------------------
// Grants

fn allowance(view: &View, granter: &str, grantee: &str) -> HttpResponse {
    for a in [granter, grantee] {
        if let Err(e) = ic_akash::address::validate(a) {
            return error(500, 2, format!("rpc error: code = Unknown desc = decoding bech32 failed: {e}: unknown request"));
        }
    }
    match view.state.fee_grants.get(&(granter.to_string(), grantee.to_string())) {
        Some(a) => ok(json!({"allowance": {"granter": granter, "grantee": grantee, "allowance": a.json()}})),
        None => internal("fee-grant not found: not found"),
    }
}

fn grants(view: &View, query: &[(String, String)]) -> HttpResponse {
    let granter = q(query, "granter").unwrap_or("");
    let grantee = q(query, "grantee").unwrap_or("");
    let url = q(query, "msg_type_url").unwrap_or("");
    for a in [granter, grantee] {
        if let Err(e) = ic_akash::address::validate(a) {
            return error(500, 2, format!("rpc error: code = Unknown desc = decoding bech32 failed: {e}: unknown request"));
        }
    }
    let now = view.time();
    let live: Vec<&authz::Grant> = view
        .state
        .authz_grants
        .iter()
        .filter(|((g, e, u), grant)| g == granter && e == grantee && (url.is_empty() || u == url) && grant.is_live(now))
        .map(|(_, g)| g)
        .collect();
    if !url.is_empty() && live.is_empty() {
        return not_found(format!("no authorization found for {url} type"));
    }
    let total = live.len();
    ok(json!({
        "grants": live.iter().map(|g| g.json()).collect::<Vec<_>>(),
        "pagination": if url.is_empty() { json!({"next_key": null, "total": total.to_string()}) } else { Value::Null },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_800_000_000_000_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(rfc3339(1_800_000_000_500_000_000), "2027-01-15T08:00:00.500Z");
        assert_eq!(rfc3339(1_800_000_000_000_001_000), "2027-01-15T08:00:00.000001Z");
        assert_eq!(rfc3339(951_782_400_000_000_001), "2000-02-29T00:00:00.000000001Z");
        assert_eq!(rfc3339_secs(1_800_000_000_500_000_000), "2027-01-15T08:00:00Z");
    }

    #[test]
    fn bech32_matches_the_core() {
        let a = [7u8; 20];
        assert_eq!(bech32("akash", &a), ic_akash::address::Address(a).to_string());
    }

    #[test]
    fn urls_split_and_decode() {
        let (p, q) = split_path("/cosmos/authz/v1beta1/grants?granter=a&msg_type_url=%2Fakash.escrow.v1.MsgAccountDeposit&x");
        assert_eq!(p, "/cosmos/authz/v1beta1/grants");
        assert_eq!(q[1], ("msg_type_url".into(), "/akash.escrow.v1.MsgAccountDeposit".into()));
        assert_eq!(q[2], ("x".into(), String::new()));
        assert_eq!(percent_decode("a%2", false), "a%2");
        assert_eq!(percent_decode("a+b%20c", true), "a b c");
    }
}
