//! The transform each replica runs on its own HTTPS outcall response before consensus.
//!
//! Replicas agree only on equal bytes, so each response is reduced to what the client reads:
//! the JSON body keeps exactly the fields the core parser of that call reads (see [`shape`]),
//! written in canonical form (sorted keys, no white space), so volatile fields (timestamps,
//! `tx` bodies, logs, request ids, pagination totals...) and the order of keys cannot split the
//! replicas. An error (a non-2xx status, or a chain error body) keeps its status and is reduced
//! to `{"code","message"}`; a body that is not a JSON object keeps its status and its first
//! [`NON_JSON_PREFIX_BYTES`] bytes. Headers are dropped by the caller (`main.rs`).
//!
//! The transform is deterministic, keeps the status code, and never panics, whatever the bytes.

use crate::akash::client::CallKind;
use crate::runtime::HttpResponse;
use serde_json::{Map, Value};

/// Version of the reduction rules, first byte of every transform context. A context of another
/// version (or an unknown call kind) gets the generic reduction: the whole JSON, canonical.
pub const TRANSFORM_VERSION: u8 = 1;

/// A body that is not a JSON object is cut to this many bytes.
pub const NON_JSON_PREFIX_BYTES: usize = 256;

/// An error message is cut to this many bytes (on a character boundary).
pub const ERROR_MESSAGE_MAX_BYTES: usize = 1024;

/// The context for a call of `kind`: `[TRANSFORM_VERSION, kind]`.
pub fn context(kind: CallKind) -> Vec<u8> {
    vec![TRANSFORM_VERSION, kind as u8]
}

/// The fields of a response that are kept.
enum Shape {
    /// Any value, kept as it is.
    Leaf,
    /// An object with these keys only (absent keys stay absent).
    Obj(&'static [(&'static str, Shape)]),
    /// An array whose elements have this shape.
    Arr(&'static Shape),
    /// An object keyed by names (a provider's services), each value of this shape.
    Map(&'static Shape),
}

use Shape::{Arr, Leaf, Map as MapOf, Obj};

const COIN: Shape = Obj(&[("denom", Leaf), ("amount", Leaf)]);
const PUB_KEY: Shape = Obj(&[("@type", Leaf), ("key", Leaf)]);
const BASE_ACCOUNT_FIELDS: &[(&str, Shape)] =
    &[("address", Leaf), ("account_number", Leaf), ("sequence", Leaf), ("pub_key", PUB_KEY)];
const BASE_ACCOUNT: Shape = Obj(BASE_ACCOUNT_FIELDS);

/// `rest::parse_account`: a BaseAccount, or one wrapped by a module or vesting account.
const ACCOUNT: Shape = Obj(&[(
    "account",
    Obj(&[
        ("@type", Leaf),
        ("address", Leaf),
        ("account_number", Leaf),
        ("sequence", Leaf),
        ("pub_key", PUB_KEY),
        ("base_account", BASE_ACCOUNT),
        ("base_vesting_account", Obj(&[("base_account", BASE_ACCOUNT)])),
    ]),
)]);

/// `rest::parse_balances`, without the pagination total (the client reads one denom's amount
/// and follows `next_key`).
const BALANCES: Shape = Obj(&[("balances", Arr(&COIN)), ("pagination", Obj(&[("next_key", Leaf)]))]);

/// `rest::parse_simulate`: gas only (the simulated result's events and logs are dropped).
const SIMULATE: Shape = Obj(&[("gas_info", Obj(&[("gas_wanted", Leaf), ("gas_used", Leaf)]))]);

/// `rest::parse_broadcast`.
const BROADCAST: Shape =
    Obj(&[("tx_response", Obj(&[("txhash", Leaf), ("code", Leaf), ("codespace", Leaf), ("raw_log", Leaf)]))]);

/// `rest::parse_tx`: the result, its block time and its events; not the tx body, logs, data or
/// the events' `index` flags.
const TX: Shape = Obj(&[(
    "tx_response",
    Obj(&[
        ("txhash", Leaf),
        ("height", Leaf),
        ("code", Leaf),
        ("codespace", Leaf),
        ("raw_log", Leaf),
        ("gas_wanted", Leaf),
        ("gas_used", Leaf),
        ("timestamp", Leaf),
        ("events", Arr(&Obj(&[("type", Leaf), ("attributes", Arr(&Obj(&[("key", Leaf), ("value", Leaf)])))]))),
    ]),
)]);

/// `rest::parse_bme_status`.
const BME_STATUS: Shape = Obj(&[
    ("status", Leaf),
    ("collateral_ratio", Leaf),
    ("warn_threshold", Leaf),
    ("halt_threshold", Leaf),
    ("mints_allowed", Leaf),
    ("refunds_allowed", Leaf),
]);

/// `rest::parse_deployment_params`.
const DEPLOYMENT_PARAMS: Shape = Obj(&[("params", Obj(&[("min_deposits", Arr(&COIN))]))]);

const HEADER: Shape = Obj(&[("header", Obj(&[("height", Leaf), ("time", Leaf), ("chain_id", Leaf)]))]);

/// `rest::parse_latest_block`: the header's height, time and chain id (of `sdk_block`, and of
/// `block` for nodes without it), not the transactions, evidence or commit signatures.
const LATEST_BLOCK: Shape = Obj(&[("sdk_block", HEADER), ("block", HEADER)]);

const COIN_PRICE: Shape = Obj(&[("coin", COIN), ("price", Leaf)]);

/// `rest::parse_bme_ledger_records`.
const BME_LEDGER: Shape = Obj(&[
    (
        "records",
        Arr(&Obj(&[
            ("id", Obj(&[("denom", Leaf), ("to_denom", Leaf), ("source", Leaf), ("height", Leaf), ("sequence", Leaf)])),
            ("status", Leaf),
            ("pending_record", Obj(&[("owner", Leaf), ("to", Leaf), ("coins_to_burn", COIN), ("denom_to_mint", Leaf)])),
            (
                "executed_record",
                Obj(&[
                    ("burned_from", Leaf),
                    ("minted_to", Leaf),
                    ("burner", Leaf),
                    ("minter", Leaf),
                    ("burned", COIN_PRICE),
                    ("minted", COIN_PRICE),
                    ("remint_credit_issued", COIN_PRICE),
                    ("remint_credit_accrued", COIN_PRICE),
                ]),
            ),
        ])),
    ),
    ("pagination", Obj(&[("next_key", Leaf)])),
]);

const BASIC_ALLOWANCE: Shape = Obj(&[("@type", Leaf), ("spend_limit", Arr(&COIN)), ("expiration", Leaf)]);

/// `rest::parse_fee_allowance`: a basic allowance, or one inside an allowed-messages allowance.
const FEE_ALLOWANCE: Shape = Obj(&[(
    "allowance",
    Obj(&[
        ("granter", Leaf),
        ("grantee", Leaf),
        (
            "allowance",
            Obj(&[
                ("@type", Leaf),
                ("spend_limit", Arr(&COIN)),
                ("expiration", Leaf),
                ("allowance", BASIC_ALLOWANCE),
                ("allowed_messages", Leaf),
            ]),
        ),
    ]),
)]);

/// `rest::parse_authz_grants`.
const AUTHZ_GRANTS: Shape = Obj(&[
    (
        "grants",
        Arr(&Obj(&[
            ("authorization", Obj(&[("@type", Leaf), ("spend_limit", COIN), ("scopes", Leaf)])),
            ("expiration", Leaf),
        ])),
    ),
    ("pagination", Obj(&[("next_key", Leaf)])),
]);

/// `rest::provider::parse_provider`: owner, host URI and attributes (not the contact info).
const PROVIDER: Shape = Obj(&[(
    "provider",
    Obj(&[("owner", Leaf), ("host_uri", Leaf), ("attributes", Arr(&Obj(&[("key", Leaf), ("value", Leaf)])))]),
)]);

/// A BidID / LeaseID (`rest::bid_id`).
const BID_ID: Shape =
    Obj(&[("owner", Leaf), ("dseq", Leaf), ("gseq", Leaf), ("oseq", Leaf), ("provider", Leaf), ("bseq", Leaf)]);

/// A DecCoin (price, rate, escrow balances).
const DEC_COIN: Shape = COIN;

const QUANTITY: Shape = Obj(&[("val", Leaf)]);

/// `rest::parse_bids`: per bid its id (`id`, or `bid_id` before v1beta4), state, price, height
/// and the size of each resource unit offered (not the resources' attributes and endpoints, nor
/// the bid's escrow account); the page's `next_key`, not its total.
const BIDS: Shape = Obj(&[
    (
        "bids",
        Arr(&Obj(&[(
            "bid",
            Obj(&[
                ("id", BID_ID),
                ("bid_id", BID_ID),
                ("state", Leaf),
                ("price", DEC_COIN),
                ("created_at", Leaf),
                (
                    "resources_offer",
                    Arr(&Obj(&[
                        ("count", Leaf),
                        (
                            "resources",
                            Obj(&[
                                ("cpu", Obj(&[("units", QUANTITY)])),
                                ("memory", Obj(&[("quantity", QUANTITY)])),
                                ("storage", Arr(&Obj(&[("quantity", QUANTITY)]))),
                                ("gpu", Obj(&[("units", QUANTITY)])),
                            ]),
                        ),
                    ])),
                ),
            ]),
        )])),
    ),
    ("pagination", Obj(&[("next_key", Leaf)])),
]);

const DEPLOYMENT_ID: Shape = Obj(&[("owner", Leaf), ("dseq", Leaf)]);
const GROUP_ID: Shape = Obj(&[("gseq", Leaf)]);

/// `rest::parse_deployment`: the deployment (id as `id` or `deployment_id`), per group its
/// sequence, state, name and height (not the spec's requirements and resources, which the
/// orchestrator wrote itself), and the escrow account with its deposits.
const DEPLOYMENT: Shape = Obj(&[
    (
        "deployment",
        Obj(&[("id", DEPLOYMENT_ID), ("deployment_id", DEPLOYMENT_ID), ("state", Leaf), ("hash", Leaf), ("created_at", Leaf)]),
    ),
    (
        "groups",
        Arr(&Obj(&[
            ("id", GROUP_ID),
            ("group_id", GROUP_ID),
            ("state", Leaf),
            ("group_spec", Obj(&[("name", Leaf)])),
            ("created_at", Leaf),
        ])),
    ),
    (
        "escrow_account",
        Obj(&[
            ("id", Obj(&[("scope", Leaf), ("xid", Leaf)])),
            (
                "state",
                Obj(&[
                    ("owner", Leaf),
                    ("state", Leaf),
                    ("transferred", Arr(&DEC_COIN)),
                    ("settled_at", Leaf),
                    ("funds", Arr(&DEC_COIN)),
                    (
                        "deposits",
                        Arr(&Obj(&[("owner", Leaf), ("height", Leaf), ("source", Leaf), ("balance", DEC_COIN), ("direct", Leaf)])),
                    ),
                ]),
            ),
        ]),
    ),
]);

/// `rest::parse_lease`: the lease (id as `id` or `lease_id`) and its escrow payment.
const LEASE: Shape = Obj(&[
    (
        "lease",
        Obj(&[
            ("id", BID_ID),
            ("lease_id", BID_ID),
            ("state", Leaf),
            ("price", DEC_COIN),
            ("created_at", Leaf),
            ("closed_on", Leaf),
            ("reason", Leaf),
        ]),
    ),
    (
        "escrow_payment",
        Obj(&[
            ("id", Obj(&[("aid", Obj(&[("xid", Leaf)])), ("xid", Leaf)])),
            (
                "state",
                Obj(&[
                    ("owner", Leaf),
                    ("state", Leaf),
                    ("rate", DEC_COIN),
                    ("balance", DEC_COIN),
                    ("unsettled", DEC_COIN),
                    ("withdrawn", COIN),
                ]),
            ),
        ]),
    ),
]);

/// `rest::provider::parse_lease_status`: per service its readiness and URIs, and the forwarded
/// ports (not generations or the other replica counters, which move while replicas ask).
const LEASE_STATUS: Shape = Obj(&[
    (
        "services",
        MapOf(&Obj(&[("name", Leaf), ("available", Leaf), ("total", Leaf), ("ready_replicas", Leaf), ("uris", Leaf)])),
    ),
    (
        "forwarded_ports",
        MapOf(&Arr(&Obj(&[("host", Leaf), ("port", Leaf), ("externalPort", Leaf), ("proto", Leaf), ("name", Leaf)]))),
    ),
]);

/// The fields kept for `kind`; `None` keeps the whole body (canonical).
fn shape(kind: CallKind) -> Option<&'static Shape> {
    match kind {
        CallKind::Account => Some(&ACCOUNT),
        CallKind::Balances => Some(&BALANCES),
        CallKind::Simulate => Some(&SIMULATE),
        CallKind::Broadcast => Some(&BROADCAST),
        CallKind::Tx => Some(&TX),
        CallKind::BmeStatus => Some(&BME_STATUS),
        CallKind::DeploymentParams => Some(&DEPLOYMENT_PARAMS),
        CallKind::LatestBlock => Some(&LATEST_BLOCK),
        CallKind::BmeLedger => Some(&BME_LEDGER),
        CallKind::FeeAllowance => Some(&FEE_ALLOWANCE),
        CallKind::AuthzGrants => Some(&AUTHZ_GRANTS),
        CallKind::Provider => Some(&PROVIDER),
        CallKind::LeaseStatus => Some(&LEASE_STATUS),
        CallKind::Bids => Some(&BIDS),
        CallKind::Deployment => Some(&DEPLOYMENT),
        CallKind::Lease => Some(&LEASE),
        // The manifest upload is non-replicated and answers an empty body or an error.
        CallKind::SendManifest => None,
    }
}

/// Reduces `response` to what the replicas must agree on; `context` says what kind of call
/// it answers ([`context`]).
pub fn apply(context: &[u8], response: HttpResponse) -> HttpResponse {
    let HttpResponse { status, body } = response;
    let kind = match context {
        [TRANSFORM_VERSION, k] => CallKind::from_byte(*k),
        _ => None,
    };
    let value = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        _ => return HttpResponse { status, body: prefix(&body) },
    };
    let success = (200..300).contains(&status);
    let reduced = if !success || is_chain_error(&value) {
        error_body(&value)
    } else {
        match kind.and_then(shape) {
            Some(s) => reduce_object(&value, s),
            None => Value::Object(value),
        }
    };
    HttpResponse { status, body: ic_akash::json::canonical(&reduced).into_bytes() }
}

fn prefix(body: &[u8]) -> Vec<u8> {
    body[..body.len().min(NON_JSON_PREFIX_BYTES)].to_vec()
}

/// The gateway's error shape as `ic_akash::rest` recognises it: a top-level `code` that is a
/// number or a numeric string (a success never has one; a tx's `code` is nested).
fn is_chain_error(v: &Map<String, Value>) -> bool {
    match v.get("code") {
        Some(Value::Number(n)) => n.is_u64(),
        Some(Value::String(s)) => s.parse::<u64>().is_ok(),
        _ => false,
    }
}

/// `{"code","message"}` of an error body (`error` is the message's other name), message cut to
/// [`ERROR_MESSAGE_MAX_BYTES`].
fn error_body(v: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    if let Some(code @ (Value::Number(_) | Value::String(_))) = v.get("code") {
        out.insert("code".into(), code.clone());
    }
    if let Some(Value::String(m)) = v.get("message").or_else(|| v.get("error")) {
        let mut end = m.len().min(ERROR_MESSAGE_MAX_BYTES);
        while !m.is_char_boundary(end) {
            end -= 1;
        }
        out.insert("message".into(), Value::String(m[..end].to_string()));
    }
    Value::Object(out)
}

fn reduce_object(v: &Map<String, Value>, shape: &Shape) -> Value {
    match shape {
        Obj(fields) => {
            let mut out = Map::new();
            for (name, field_shape) in fields.iter() {
                if let Some(x) = v.get(*name) {
                    out.insert((*name).to_string(), reduce(x, field_shape));
                }
            }
            Value::Object(out)
        }
        // Not an object where one was expected: kept as it is, so the parser says what is wrong.
        _ => Value::Object(v.clone()),
    }
}

fn reduce(v: &Value, shape: &Shape) -> Value {
    match (v, shape) {
        (Value::Object(m), Obj(_)) => reduce_object(m, shape),
        (Value::Array(items), Arr(elem)) => Value::Array(items.iter().map(|x| reduce(x, elem)).collect()),
        (Value::Object(m), MapOf(elem)) => Value::Object(m.iter().map(|(k, x)| (k.clone(), reduce(x, elem))).collect()),
        // A leaf, or a value of another type than expected (the parser refuses it either way).
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ic_akash::rest;

    fn run(kind: CallKind, status: u16, body: &str) -> HttpResponse {
        apply(&context(kind), HttpResponse { status, body: body.as_bytes().to_vec() })
    }

    fn text(r: &HttpResponse) -> &str {
        std::str::from_utf8(&r.body).unwrap()
    }

    const ACCOUNT_A: &str = r#"{
        "account": {"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": "akash1xyz",
            "pub_key": {"@type": "/cosmos.crypto.secp256k1.PubKey", "key": "AjQ2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2"},
            "account_number": "42", "sequence": "7"}
    }"#;
    // The same account, keys in another order, white space, and an unknown field.
    const ACCOUNT_B: &str = r#"{"account":{"sequence":"7","account_number":"42","address":"akash1xyz","@type":"/cosmos.auth.v1beta1.BaseAccount","pub_key":{"key":"AjQ2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2","@type":"/cosmos.crypto.secp256k1.PubKey"},"new_field":1}}"#;

    const TX_A: &str = r#"{"tx": {"body": {"messages": [{"@type": "/cosmos.bank.v1beta1.MsgSend"}], "memo": "a"}},
        "tx_response": {"height": "100", "txhash": "ABCD", "codespace": "", "code": 0, "data": "12",
            "raw_log": "", "logs": [], "info": "", "gas_wanted": "200000", "gas_used": "120000",
            "tx": {"@type": "/cosmos.tx.v1beta1.Tx"}, "timestamp": "2026-11-21T11:00:00Z",
            "events": [{"type": "message", "attributes": [{"key": "action", "value": "send", "index": true}]}]}}"#;
    const TX_B: &str = r#"{"tx_response":{"txhash":"ABCD","height":"100","code":0,"codespace":"","raw_log":"","gas_wanted":"200000","gas_used":"120000","timestamp":"2026-11-21T11:00:00Z","logs":[{"msg_index":0}],"events":[{"type":"message","attributes":[{"value":"send","key":"action","index":false}]}],"info":"x"},"tx":null}"#;

    #[test]
    fn responses_differing_in_volatile_fields_transform_to_the_same_bytes() {
        let pairs = [
            (CallKind::Account, ACCOUNT_A, ACCOUNT_B),
            (CallKind::Tx, TX_A, TX_B),
            (
                CallKind::Balances,
                r#"{"balances":[{"denom":"uakt","amount":"5"}],"pagination":{"next_key":null,"total":"1"}}"#,
                r#"{ "pagination": {"total": "0", "next_key": null}, "balances": [ {"amount": "5", "denom": "uakt"} ] }"#,
            ),
            (
                CallKind::Simulate,
                r#"{"gas_info":{"gas_wanted":"0","gas_used":"81234"},"result":{"data":"","log":"","events":[{"type":"a"}]}}"#,
                r#"{"result":{"events":[]},"gas_info":{"gas_used":"81234","gas_wanted":"0"}}"#,
            ),
            (
                CallKind::Broadcast,
                r#"{"tx_response":{"height":"0","txhash":"AB","codespace":"","code":0,"raw_log":"","timestamp":"","logs":[]}}"#,
                r#"{"tx_response":{"txhash":"AB","code":0,"codespace":"","raw_log":"","timestamp":"x"}}"#,
            ),
            (
                CallKind::BmeLedger,
                r#"{"records":[],"pagination":{"next_key":null,"total":"3"}}"#,
                r#"{"records":[],"pagination":{"next_key":null,"total":"4"}}"#,
            ),
            (
                CallKind::LatestBlock,
                r#"{"block_id":{"hash":"x"},"sdk_block":{"header":{"height":"5","time":"t","chain_id":"c","app_hash":"1"},"data":{"txs":["AA"]}}}"#,
                r#"{"block_id":{"hash":"y"},"sdk_block":{"header":{"chain_id":"c","height":"5","time":"t","app_hash":"2"},"last_commit":{}}}"#,
            ),
        ];
        for (kind, a, b) in pairs {
            let (ta, tb) = (run(kind, 200, a), run(kind, 200, b));
            assert_eq!(ta, tb, "{kind:?}: {} vs {}", text(&ta), text(&tb));
            assert_eq!(ta.status, 200);
        }
        // Canonical: sorted keys, no white space.
        assert_eq!(
            text(&run(CallKind::Account, 200, ACCOUNT_A)),
            r#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","account_number":"42","address":"akash1xyz","pub_key":{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"AjQ2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2"},"sequence":"7"}}"#
        );
    }

    #[test]
    fn transformed_bodies_parse_to_the_same_values() {
        let same = |kind, body: &str| run(kind, 200, body).body;
        for b in [ACCOUNT_A, ACCOUNT_B] {
            assert_eq!(rest::parse_account(&same(CallKind::Account, b)).unwrap(), rest::parse_account(b.as_bytes()).unwrap());
        }
        let module = r#"{"account":{"@type":"/cosmos.auth.v1beta1.ModuleAccount","base_account":{"address":"akash1m","pub_key":null,"account_number":"3","sequence":"0"},"name":"bme","permissions":["minter"]}}"#;
        let vesting = r#"{"account":{"@type":"/cosmos.vesting.v1beta1.ContinuousVestingAccount","base_vesting_account":{"base_account":{"address":"akash1v","account_number":"9","sequence":"2"},"original_vesting":[{"denom":"uakt","amount":"1"}],"end_time":"5"},"start_time":"1"}}"#;
        for b in [module, vesting] {
            let parsed = rest::parse_account(b.as_bytes()).unwrap();
            assert!(parsed.is_some());
            assert_eq!(rest::parse_account(&same(CallKind::Account, b)).unwrap(), parsed);
        }
        for b in [TX_A, TX_B] {
            let t = rest::parse_tx(&same(CallKind::Tx, b)).unwrap();
            assert_eq!(t, rest::parse_tx(b.as_bytes()).unwrap());
            assert_eq!(t.unwrap().attribute("message", "action"), Some("send"));
        }
        let bal = r#"{"balances":[{"denom":"uact","amount":"9"},{"denom":"uakt","amount":"340282366920938463463374607431768211455"}],"pagination":{"next_key":"AAE=","total":"0"}}"#;
        let (orig, tr) = (rest::parse_balances(bal.as_bytes()).unwrap(), rest::parse_balances(&same(CallKind::Balances, bal)).unwrap());
        assert_eq!((orig.balances, orig.page.next_key), (tr.balances, tr.page.next_key));
        let bme = r#"{"status":"mint_status_healthy","collateral_ratio":"1.500000000000000000","warn_threshold":"1.2","halt_threshold":"1.1","mints_allowed":true,"refunds_allowed":false,"height":"77"}"#;
        assert_eq!(rest::parse_bme_status(&same(CallKind::BmeStatus, bme)).unwrap(), rest::parse_bme_status(bme.as_bytes()).unwrap());
        let params = r#"{"params":{"min_deposits":[{"denom":"uakt","amount":"500000"},{"denom":"uact","amount":"500000"}],"other":1}}"#;
        assert_eq!(
            rest::parse_deployment_params(&same(CallKind::DeploymentParams, params)).unwrap(),
            rest::parse_deployment_params(params.as_bytes()).unwrap()
        );
        let sim = r#"{"gas_info":{"gas_wanted":"0","gas_used":"81234"},"result":{"events":[]}}"#;
        assert_eq!(rest::parse_simulate(&same(CallKind::Simulate, sim)).unwrap(), rest::parse_simulate(sim.as_bytes()).unwrap());
        let block = r#"{"block_id":{"hash":"x"},"block":{"header":{"chain_id":"akashnet-2","height":"123","time":"2026-11-21T11:00:00.5Z","app_hash":"y"},"data":{"txs":["AAAA"]},"last_commit":{"signatures":[]}},"sdk_block":{"header":{"chain_id":"akashnet-2","height":"123","time":"2026-11-21T11:00:00.5Z","proposer_address":"akashvalcons1"}}}"#;
        let legacy = r#"{"block":{"header":{"chain_id":"akashnet-2","height":"9","time":"2026-11-21T11:00:00Z"},"data":{"txs":[]}}}"#;
        for b in [block, legacy] {
            let parsed = rest::parse_latest_block(b.as_bytes()).unwrap();
            assert_eq!(rest::parse_latest_block(&same(CallKind::LatestBlock, b)).unwrap(), parsed);
        }
        let ledger = r#"{"records":[{"id":{"denom":"uakt","to_denom":"uact","source":"akash1s","height":"120","sequence":"1"},"status":"ledger_record_status_executed","executed_record":{"burned_from":"a","minted_to":"b","burner":"c","minter":"d","burned":{"coin":{"denom":"uakt","amount":"1000000"},"price":"0.6"},"minted":{"coin":{"denom":"uact","amount":"600000"},"price":"1"},"remint_credit_issued":{"coin":{"denom":"uact","amount":"1"},"price":"1"}}},{"id":{"denom":"uakt","to_denom":"uact","source":"akash1s","height":"130","sequence":"0"},"status":"ledger_record_status_pending","pending_record":{"owner":"a","to":"a","coins_to_burn":{"denom":"uakt","amount":"5"},"denom_to_mint":"uact"}}],"pagination":{"next_key":null,"total":"2"}}"#;
        let (orig, tr) = (rest::parse_bme_ledger_records(ledger.as_bytes()).unwrap(), rest::parse_bme_ledger_records(&same(CallKind::BmeLedger, ledger)).unwrap());
        assert_eq!(orig.records.len(), 2);
        assert_eq!((orig.records, orig.page.next_key), (tr.records, tr.page.next_key));
        let basic = r#"{"allowance":{"granter":"akash1a","grantee":"akash1b","allowance":{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","spend_limit":[{"denom":"uakt","amount":"4999000"}],"expiration":"2030-03-17T17:46:40Z"}}}"#;
        let wrapped = r#"{"allowance":{"granter":"akash1a","grantee":"akash1b","allowance":{"@type":"/cosmos.feegrant.v1beta1.AllowedMsgAllowance","allowance":{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","spend_limit":[],"expiration":null},"allowed_messages":["/akash.market.v1beta5.MsgCreateLease"]}}}"#;
        for b in [basic, wrapped] {
            let parsed = rest::parse_fee_allowance(b.as_bytes()).unwrap();
            assert!(parsed.is_some());
            assert_eq!(rest::parse_fee_allowance(&same(CallKind::FeeAllowance, b)).unwrap(), parsed);
        }
        let grants = r#"{"grants":[{"authorization":{"@type":"/akash.escrow.v1.DepositAuthorization","spend_limit":{"denom":"uact","amount":"5000000"},"scopes":["deployment","bid"]},"expiration":"2030-03-17T17:46:40Z"},{"authorization":{"@type":"/cosmos.authz.v1beta1.GenericAuthorization","msg":"/x"},"expiration":null}],"pagination":{"next_key":null,"total":"2"}}"#;
        let (orig, tr) = (rest::parse_authz_grants(grants.as_bytes()).unwrap(), rest::parse_authz_grants(&same(CallKind::AuthzGrants, grants)).unwrap());
        assert!(orig.deposit().is_some());
        assert_eq!(orig.grants, tr.grants);
        let bc = r#"{"tx_response":{"txhash":"AB","code":32,"codespace":"sdk","raw_log":"account sequence mismatch"}}"#;
        assert_eq!(rest::parse_broadcast(&same(CallKind::Broadcast, bc)).unwrap(), rest::parse_broadcast(bc.as_bytes()).unwrap());
    }

    // As the simulated chain serves them (`runtime/fake/akash/queries.rs`), with what a real node
    // adds (attributes, endpoints, the bid's escrow account, requirements, unknown fields).
    const BIDS_A: &str = r#"{"bids":[{"bid":{"id":{"owner":"akash1o","dseq":"100","gseq":1,"oseq":1,"provider":"akash1p","bseq":0},"state":"open","price":{"denom":"uact","amount":"1.500000000000000000"},"created_at":"12","resources_offer":[{"resources":{"id":1,"cpu":{"units":{"val":"500"},"attributes":[{"key":"arch","value":"amd64"}]},"memory":{"quantity":{"val":"536870912"},"attributes":[]},"storage":[{"name":"default","quantity":{"val":"1073741824"},"attributes":[]},{"name":"data","quantity":{"val":"5"},"attributes":[{"key":"class","value":"beta2"}]}],"gpu":{"units":{"val":"0"},"attributes":[]},"endpoints":[{"kind":"SHARED_HTTP","sequence_number":0}]},"count":2}]},"escrow_account":{"id":{"scope":"bid","xid":"x"},"state":{"funds":[]}}},{"bid":{"bid_id":{"owner":"akash1o","dseq":"100","gseq":1,"oseq":1,"provider":"akash1q","bseq":3},"state":1,"price":{"denom":"uact","amount":"2"},"created_at":"13","resources_offer":[]},"escrow_account":null}],"pagination":{"next_key":"MQ==","total":"7"}}"#;
    const BIDS_B: &str = r#"{"pagination":{"total":"2","next_key":"MQ=="},"bids":[{"escrow_account":null,"bid":{"created_at":"12","state":"open","resources_offer":[{"count":2,"resources":{"gpu":{"units":{"val":"0"}},"storage":[{"quantity":{"val":"1073741824"}},{"quantity":{"val":"5"},"name":"other"}],"memory":{"quantity":{"val":"536870912"}},"cpu":{"units":{"val":"500"}},"id":9}}],"price":{"amount":"1.500000000000000000","denom":"uact"},"id":{"bseq":0,"provider":"akash1p","oseq":1,"gseq":1,"dseq":"100","owner":"akash1o"},"new_field":true}},{"bid":{"bid_id":{"owner":"akash1o","dseq":"100","gseq":1,"oseq":1,"provider":"akash1q","bseq":3},"state":1,"price":{"denom":"uact","amount":"2"},"created_at":"13","resources_offer":[]}}]}"#;
    const DEPLOYMENT_A: &str = r#"{"deployment":{"id":{"owner":"akash1o","dseq":"100"},"state":"active","hash":"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=","created_at":"11"},"groups":[{"id":{"owner":"akash1o","dseq":"100","gseq":1},"state":"open","group_spec":{"name":"dcloud","requirements":{"signed_by":{"all_of":[],"any_of":[]},"attributes":[{"key":"region","value":"us-west"}]},"resources":[{"resource":{"id":1,"cpu":{"units":{"val":"500"}}},"count":1,"price":{"denom":"uact","amount":"10000.000000000000000000"}}]},"created_at":"11"}],"escrow_account":{"id":{"scope":"deployment","xid":"akash1o/100"},"state":{"owner":"akash1o","state":"open","transferred":[{"denom":"uact","amount":"4.500000000000000000"}],"settled_at":"14","funds":[{"denom":"uact","amount":"999995.500000000000000000"}],"deposits":[{"owner":"akash1o","height":"11","source":"balance","balance":{"denom":"uact","amount":"999995.500000000000000000"},"direct":false}]}}}"#;
    const DEPLOYMENT_B: &str = r#"{"escrow_account":{"state":{"deposits":[{"direct":false,"balance":{"amount":"999995.500000000000000000","denom":"uact"},"source":"balance","height":"11","owner":"akash1o"}],"funds":[{"amount":"999995.500000000000000000","denom":"uact"}],"settled_at":"14","transferred":[{"amount":"4.500000000000000000","denom":"uact"}],"state":"open","owner":"akash1o"},"id":{"xid":"akash1o/100","scope":"deployment"}},"groups":[{"created_at":"11","group_spec":{"resources":[],"name":"dcloud"},"state":"open","id":{"gseq":1,"dseq":"100","owner":"akash1o"}}],"deployment":{"created_at":"11","hash":"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=","state":"active","id":{"dseq":"100","owner":"akash1o"},"version":"x"},"height":"15"}"#;
    const LEASE_A: &str = r#"{"lease":{"id":{"owner":"akash1o","dseq":"100","gseq":1,"oseq":1,"provider":"akash1p","bseq":0},"state":"closed","price":{"denom":"uact","amount":"1.500000000000000000"},"created_at":"12","closed_on":"40","reason":"lease_closed_reason_unstable"},"escrow_payment":{"id":{"aid":{"scope":"deployment","xid":"akash1o/100"},"xid":"1/1/akash1p/0"},"state":{"owner":"akash1p","state":"closed","rate":{"denom":"uact","amount":"1.500000000000000000"},"balance":{"denom":"uact","amount":"0.500000000000000000"},"unsettled":{"denom":"uact","amount":"0.000000000000000000"},"withdrawn":{"denom":"uact","amount":"42"}}}}"#;
    const LEASE_B: &str = r#"{"escrow_payment":{"state":{"withdrawn":{"amount":"42","denom":"uact"},"unsettled":{"amount":"0.000000000000000000","denom":"uact"},"balance":{"amount":"0.500000000000000000","denom":"uact"},"rate":{"amount":"1.500000000000000000","denom":"uact"},"state":"closed","owner":"akash1p"},"id":{"xid":"1/1/akash1p/0","aid":{"xid":"akash1o/100","scope":"deployment"}}},"lease":{"reason":"lease_closed_reason_unstable","closed_on":"40","created_at":"12","price":{"amount":"1.500000000000000000","denom":"uact"},"state":"closed","id":{"bseq":0,"provider":"akash1p","oseq":1,"gseq":1,"dseq":"100","owner":"akash1o"}},"height":"41"}"#;

    #[test]
    fn deployment_market_reads_keep_what_the_parsers_read_and_drop_the_rest() {
        for (kind, a, b) in [(CallKind::Bids, BIDS_A, BIDS_B), (CallKind::Deployment, DEPLOYMENT_A, DEPLOYMENT_B), (CallKind::Lease, LEASE_A, LEASE_B)] {
            let (ta, tb) = (run(kind, 200, a), run(kind, 200, b));
            assert_eq!(ta, tb, "{kind:?}: {} vs {}", text(&ta), text(&tb));
            for dropped in ["attributes", "endpoints", "escrow_account\":{\"id\":{\"scope\":\"bid", "requirements", "resources\":[", "\"total\"", "height\":\"15", "height\":\"41", "new_field", "version", "\"name\":\"default"] {
                assert!(!text(&ta).contains(dropped), "{kind:?} keeps {dropped}: {}", text(&ta));
            }
        }
        // Bids: everything the parser reads, but the page total.
        for b in [BIDS_A, BIDS_B] {
            let (orig, tr) = (rest::parse_bids(b.as_bytes()).unwrap(), rest::parse_bids(&run(CallKind::Bids, 200, b).body).unwrap());
            assert_eq!(orig.bids.len(), 2);
            assert_eq!((&orig.bids, &orig.page.next_key), (&tr.bids, &tr.page.next_key));
            assert_eq!(tr.bids[1].id.bseq, 3, "the pre-v1beta4 bid_id is kept");
            assert_eq!(tr.bids[0].resources_offer[0].storage_bytes, 1_073_741_829);
        }
        for b in [DEPLOYMENT_A, DEPLOYMENT_B] {
            let orig = rest::parse_deployment(b.as_bytes()).unwrap();
            assert_eq!(rest::parse_deployment(&run(CallKind::Deployment, 200, b).body).unwrap(), orig);
            assert_eq!(orig.escrow_account.unwrap().funds[0].amount.atomics, 999_995_500_000_000_000_000_000);
        }
        for b in [LEASE_A, LEASE_B] {
            let orig = rest::parse_lease(b.as_bytes()).unwrap();
            assert_eq!(rest::parse_lease(&run(CallKind::Lease, 200, b).body).unwrap(), orig);
            assert_eq!(orig.escrow_payment.unwrap().withdrawn.unwrap().amount, 42);
        }
        // Older names of the ids, and absent escrow parts.
        let old = r#"{"deployment":{"deployment_id":{"owner":"akash1o","dseq":"7"},"state":2,"hash":"","created_at":"3"},"groups":[{"group_id":{"owner":"akash1o","dseq":"7","gseq":2},"state":4,"group_spec":{"name":"g"},"created_at":"3"}],"escrow_account":null}"#;
        let parsed = rest::parse_deployment(old.as_bytes()).unwrap();
        assert_eq!((parsed.dseq, parsed.groups[0].gseq, parsed.escrow_account.is_none()), (7, 2, true));
        assert_eq!(rest::parse_deployment(&run(CallKind::Deployment, 200, old).body).unwrap(), parsed);
        let old = r#"{"lease":{"lease_id":{"owner":"akash1o","dseq":"7","gseq":2,"oseq":1,"provider":"akash1p","bseq":0},"state":1,"price":{"denom":"uact","amount":"1"},"created_at":"3"},"escrow_payment":null}"#;
        let parsed = rest::parse_lease(old.as_bytes()).unwrap();
        assert_eq!((parsed.id.gseq, parsed.state.as_str(), parsed.escrow_payment.is_none()), (2, "active", true));
        assert_eq!(rest::parse_lease(&run(CallKind::Lease, 200, old).body).unwrap(), parsed);
        // Not found stays the chain's error, which the client makes `None`.
        let nf = r#"{"code":5,"message":"rpc error: code = NotFound desc = lease not found","details":[]}"#;
        let r = run(CallKind::Lease, 404, nf);
        assert!(matches!(rest::parse_lease(&r.body), Err(rest::RestError::Chain(e)) if e.is_not_found()));
    }

    #[test]
    fn errors_keep_status_code_and_message_only() {
        let nf = r#"{"code": 5, "message": "rpc error: code = NotFound desc = tx not found: AB", "details": [{"request_id": "r-17"}]}"#;
        let r = run(CallKind::Tx, 404, nf);
        assert_eq!(r.status, 404);
        assert_eq!(text(&r), r#"{"code":5,"message":"rpc error: code = NotFound desc = tx not found: AB"}"#);
        assert_eq!(rest::parse_tx(&r.body).unwrap(), None);
        // A chain error with a 2xx status is reduced too.
        let r = run(CallKind::Account, 200, r#"{"code":"5","message":"account akash1 not found","details":[]}"#);
        assert_eq!((r.status, text(&r)), (200, r#"{"code":"5","message":"account akash1 not found"}"#));
        assert_eq!(rest::parse_account(&r.body).unwrap(), None);
        // A failed simulation: the message survives (the client reads the failing message index).
        let sim = r#"{"code":2,"message":"failed to execute message; message index: 1: insufficient funds","details":[]}"#;
        let r = run(CallKind::Simulate, 500, sim);
        assert_eq!(rest::parse_simulate(&r.body), rest::parse_simulate(sim.as_bytes()));
        // `error` is the message's other name; long messages are cut on a character boundary.
        let long = format!(r#"{{"code":13,"error":"{}"}}"#, "é".repeat(2000));
        let r = run(CallKind::Balances, 503, &long);
        let e = rest::parse_chain_error(&r.body).unwrap();
        assert_eq!((r.status, e.code, e.message.len()), (503, 13, ERROR_MESSAGE_MAX_BYTES));
        // A non-2xx JSON body without a code keeps only what an error has.
        assert_eq!(text(&run(CallKind::Account, 429, r#"{"retry_after":"3s","ts":1}"#)), "{}");
    }

    #[test]
    fn non_json_bodies_keep_status_and_a_bounded_prefix() {
        let html = format!("<html><body>502 Bad Gateway {}</body></html>", "x".repeat(1000));
        let r = run(CallKind::Tx, 502, &html);
        assert_eq!((r.status, r.body.as_slice()), (502, &html.as_bytes()[..NON_JSON_PREFIX_BYTES]));
        assert_eq!(run(CallKind::Tx, 200, "[1,2]").body, b"[1,2]");
        assert_eq!(run(CallKind::Tx, 204, "").body, b"");
    }

    #[test]
    fn unknown_contexts_get_the_generic_reduction() {
        let body = r#"{ "b": 1, "a": {"d": [1, 2], "c": null} }"#;
        for ctx in [vec![], vec![TRANSFORM_VERSION], vec![TRANSFORM_VERSION + 1, CallKind::Tx as u8], vec![TRANSFORM_VERSION, 0], vec![TRANSFORM_VERSION, 255, 1]] {
            let r = apply(&ctx, HttpResponse { status: 200, body: body.as_bytes().to_vec() });
            assert_eq!(text(&r), r#"{"a":{"c":null,"d":[1,2]},"b":1}"#, "{ctx:?}");
        }
    }

    #[test]
    fn wrong_types_are_kept_for_the_parser_to_refuse() {
        let body = r#"{"account":["not","an","object"]}"#;
        let r = run(CallKind::Account, 200, body);
        assert_eq!(rest::parse_account(&r.body), rest::parse_account(body.as_bytes()));
        let body = r#"{"tx_response":{"events":{"type":"x"}}}"#;
        let r = run(CallKind::Tx, 200, body);
        assert_eq!(rest::parse_tx(&r.body), rest::parse_tx(body.as_bytes()));
    }

    use crate::runtime::fake::Rng;

    #[test]
    fn arbitrary_bytes_never_panic_and_give_the_same_answer_twice() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let seeds: Vec<&[u8]> = vec![ACCOUNT_A.as_bytes(), TX_A.as_bytes(), br#"{"code":5}"#, b"", b"\xff\xfe{"];
        for i in 0..3000 {
            let mut body = seeds[i % seeds.len()].to_vec();
            for _ in 0..(rng.next_u64() % 8) {
                if body.is_empty() {
                    body.push(rng.next_u64() as u8);
                    continue;
                }
                let at = (rng.next_u64() as usize) % body.len();
                match rng.next_u64() % 3 {
                    0 => body[at] = rng.next_u64() as u8,
                    1 => {
                        body.remove(at);
                    }
                    _ => body.insert(at, b"{}[]\",:0\\"[(rng.next_u64() % 9) as usize]),
                }
            }
            let status = [200u16, 404, 500, 0, 65535][(rng.next_u64() % 5) as usize];
            let ctx = [TRANSFORM_VERSION, (rng.next_u64() % 19) as u8];
            let a = apply(&ctx, HttpResponse { status, body: body.clone() });
            let b = apply(&ctx, HttpResponse { status, body });
            assert_eq!(a, b);
            assert_eq!(a.status, status);
        }
        // Deep nesting stops at the JSON parser's depth limit instead of the stack.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(run(CallKind::Tx, 200, &deep).body.len(), NON_JSON_PREFIX_BYTES);
    }
}
