//! The client against scripted endpoints: each test says what each endpoint (and each replica)
//! answers, and checks what the client concludes, which outcalls it made and what it counted.

use super::*;
use crate::runtime::fake::{block_on, FakeRuntime, HttpService, FAKE_REPLICAS};
use crate::storage::RawMemory;
use ic_akash_orchestrator_types::{ConfigArg, OrchestratorArg};
use std::cell::RefCell;
use std::rc::Rc;

const E1: &str = "https://e1.test";
const E2: &str = "https://e2.test";
const E3: &str = "https://e3.test";
const ADDR: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
const HASH: &str = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

/// What one endpoint answers: (replica, request) -> response.
type Handler = Box<dyn FnMut(usize, &HttpRequest) -> Result<HttpResponse, HttpError>>;

/// One request as an endpoint saw it.
#[derive(Clone, Debug)]
struct Seen {
    url: String,
    replica: usize,
    max_response_bytes: u64,
    replicated: bool,
    request_bytes: u64,
}

#[derive(Default)]
struct Script {
    endpoints: Vec<(&'static str, Handler)>,
    seen: Vec<Seen>,
}

impl HttpService for Script {
    fn serve(&mut self, _now: u64, replica: usize, r: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.seen.push(Seen {
            url: r.url.clone(),
            replica,
            max_response_bytes: r.max_response_bytes,
            replicated: r.replicated,
            request_bytes: request_bytes(r),
        });
        match self.endpoints.iter_mut().find(|(base, _)| r.url.starts_with(&format!("{base}/"))) {
            Some((_, handler)) => handler(replica, r),
            None => Err(HttpError::Unreachable { message: format!("no such host: {}", r.url) }),
        }
    }
}

impl Script {
    /// Outcalls made to `base` (a replicated outcall reaches it once per replica).
    fn outcalls(&self, base: &str) -> Vec<Seen> {
        self.seen.iter().filter(|s| s.url.starts_with(&format!("{base}/")) && s.replica == 0).cloned().collect()
    }

    fn first_hosts(&self) -> Vec<String> {
        self.seen.iter().filter(|s| s.replica == 0).map(|s| s.url[..15].to_string()).collect()
    }
}

struct T {
    o: Orchestrator<FakeRuntime>,
    script: Rc<RefCell<Script>>,
}

fn setup(urls: &[&str], quorum: u8, endpoints: Vec<(&'static str, Handler)>) -> T {
    let rt = FakeRuntime::new();
    let config = ConfigArg {
        akash_api_urls: Some(urls.iter().map(|u| u.to_string()).collect()),
        akash_read_quorum: Some(quorum),
        ..Default::default()
    };
    let o = crate::lifecycle::init(rt.clone(), RawMemory::default(), Some(OrchestratorArg::Init(config))).unwrap();
    let script = Rc::new(RefCell::new(Script { endpoints, seen: Vec::new() }));
    rt.set_http_service(script.clone());
    T { o, script }
}

fn respond(status: u16, body: impl Into<String>) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse { status, body: body.into().into_bytes() })
}

/// Always the same answer.
fn fixed(status: u16, body: impl Into<String>) -> Handler {
    let body = body.into();
    Box::new(move |_, _| respond(status, body.clone()))
}

fn down() -> Handler {
    Box::new(|_, _| Err(HttpError::Unreachable { message: "connection refused".into() }))
}

fn account_json(sequence: u64) -> String {
    format!(
        r#"{{"account":{{"@type":"/cosmos.auth.v1beta1.BaseAccount","address":"{ADDR}","pub_key":null,"account_number":"42","sequence":"{sequence}"}}}}"#
    )
}

fn tx_json(height: u64, timestamp: &str) -> String {
    format!(
        r#"{{"tx":{{"body":{{"memo":"m"}}}},"tx_response":{{"height":"{height}","txhash":"{HASH}","code":0,"codespace":"","raw_log":"","gas_wanted":"200000","gas_used":"150000","timestamp":"{timestamp}","events":[{{"type":"message","attributes":[{{"key":"action","value":"x","index":true}}]}}]}}}}"#
    )
}

const NOT_FOUND: &str = r#"{"code":5,"message":"rpc error: code = NotFound desc = not found","details":[]}"#;

fn sequence(r: Result<Option<rest::Account>, ApiError>) -> u64 {
    r.unwrap().unwrap().sequence
}

#[test]
fn a_down_endpoint_is_passed_over_and_counted() {
    let t = setup(&[E1, E2, E3], 2, vec![(E1, down()), (E2, fixed(200, account_json(7))), (E3, fixed(200, account_json(7)))]);
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    assert_eq!(t.script.borrow().first_hosts(), [E1, E2, E3]);
    let stats = t.o.http_stats.borrow().get(CallKind::Account);
    assert_eq!((stats.calls, stats.errors), (3, 1));
    assert!(t.o.logs.borrow().lines().any(|l| l.message.contains(E1) && l.message.contains("connection refused")));

    // A first-answer call fails over too: past a 503 and a 429.
    let t = setup(
        &[E1, E2, E3],
        2,
        vec![
            (E1, fixed(503, "<html>Service Unavailable</html>")),
            (E2, fixed(429, r#"{"code":8,"message":"rate limited"}"#)),
            (E3, fixed(200, r#"{"gas_info":{"gas_wanted":"0","gas_used":"81234"},"result":{"events":[]}}"#)),
        ],
    );
    assert_eq!(block_on(simulate(&t.o, b"tx")).unwrap(), rest::GasInfo { gas_wanted: 0, gas_used: 81_234 });
    assert_eq!(t.o.http_stats.borrow().get(CallKind::Simulate).errors, 2);

    // Nobody answers: each endpoint's failure is in the error.
    let t = setup(&[E1, E2], 1, vec![(E1, down()), (E2, fixed(502, "bad gateway"))]);
    match block_on(account(&t.o, ADDR)) {
        Err(ApiError::Unavailable { kind: CallKind::Account, reason }) => {
            assert!(reason.contains(E1) && reason.contains("connection refused") && reason.contains("HTTP 502"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_lying_endpoint_decides_nothing() {
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, account_json(7))), (E2, fixed(200, account_json(99))), (E3, fixed(200, account_json(7)))]);
    // Whichever endpoint the rotation starts at, the lie is outvoted.
    for _ in 0..3 {
        assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    }
    // A lie about a tx ("not found") is outvoted too, and so is a lie that it exists.
    let found = tx_json(100, "2026-11-21T11:00:00Z");
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, found.clone())), (E2, fixed(404, NOT_FOUND)), (E3, fixed(200, found))]);
    for _ in 0..3 {
        assert_eq!(block_on(tx(&t.o, HASH)).unwrap().unwrap().height, 100);
    }
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(404, NOT_FOUND)), (E2, fixed(200, tx_json(5, "x"))), (E3, fixed(404, NOT_FOUND))]);
    for _ in 0..3 {
        assert_eq!(block_on(tx(&t.o, HASH)).unwrap(), None);
    }
}

#[test]
fn a_lagging_endpoint_costs_one_more_question() {
    // E1 is a block behind: it has not seen the last tx (older sequence, tx unknown).
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, account_json(6))), (E2, fixed(200, account_json(7))), (E3, fixed(200, account_json(7)))]);
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    assert_eq!(t.script.borrow().first_hosts(), [E1, E2, E3]);
    // Starting at E2, two questions are enough.
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    assert_eq!(t.script.borrow().first_hosts()[3..], [E2, E3]);

    let t = setup(
        &[E1, E2, E3],
        2,
        vec![(E1, fixed(404, NOT_FOUND)), (E2, fixed(200, tx_json(100, "2026-11-21T11:00:00Z"))), (E3, fixed(200, tx_json(100, "2026-11-21T11:00:00Z")))],
    );
    let r = block_on(tx(&t.o, HASH)).unwrap().unwrap();
    assert_eq!((r.height, r.attribute("message", "action")), (100, Some("x")));
}

#[test]
fn no_quorum_is_a_disagreement_or_unavailable() {
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, account_json(1))), (E2, fixed(200, account_json(2))), (E3, fixed(200, account_json(3)))]);
    assert_eq!(block_on(account(&t.o, ADDR)), Err(ApiError::Disagreement { kind: CallKind::Account, answers: 3, quorum: 2 }));
    assert!(t.o.logs.borrow().lines().any(|l| l.message.contains("no 2 endpoints agree")));

    // Two differing answers and a down endpoint: still a disagreement.
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, account_json(1))), (E2, down()), (E3, fixed(200, account_json(3)))]);
    assert_eq!(block_on(account(&t.o, ADDR)), Err(ApiError::Disagreement { kind: CallKind::Account, answers: 2, quorum: 2 }));

    // One answer where two are needed: unavailable, and the answer is not used.
    let t = setup(&[E1, E2, E3], 2, vec![(E1, fixed(200, account_json(1))), (E2, down()), (E3, fixed(500, "oops"))]);
    match block_on(account(&t.o, ADDR)) {
        Err(ApiError::Unavailable { reason, .. }) => assert!(reason.contains("1 of the 2 needed"), "{reason}"),
        other => panic!("{other:?}"),
    }

    // Once the endpoints left cannot make a quorum, the client stops asking.
    let t = setup(&[E1, E2, E3], 3, vec![(E1, down()), (E2, fixed(200, account_json(1))), (E3, fixed(200, account_json(1)))]);
    assert!(matches!(block_on(account(&t.o, ADDR)), Err(ApiError::Unavailable { .. })));
    assert_eq!(t.script.borrow().first_hosts(), [E1]);
}

#[test]
fn a_response_too_large_is_asked_again_with_twice_the_limit() {
    // A vesting account with a long history: about 10 KB.
    let padding = format!(r#"[{}"x"]"#, r#""x","#.repeat(2_500));
    let big = format!(
        r#"{{"account":{{"@type":"/cosmos.vesting.v1beta1.PeriodicVestingAccount","base_vesting_account":{{"base_account":{{"address":"{ADDR}","account_number":"42","sequence":"7"}}}},"vesting_periods":{padding}}}}}"#
    );
    assert!(big.len() > 2 * ACCOUNT_MAX_RESPONSE_BYTES as usize && big.len() < 4 * ACCOUNT_MAX_RESPONSE_BYTES as usize);
    let t = setup(&[E1, E2], 2, vec![(E1, fixed(200, big.clone())), (E2, fixed(200, big))]);
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    let limits: Vec<u64> = t.script.borrow().outcalls(E1).iter().map(|s| s.max_response_bytes).collect();
    assert_eq!(limits, [4_096, 8_192, 16_384]);
    let stats = t.o.http_stats.borrow().get(CallKind::Account);
    assert_eq!((stats.calls, stats.errors), (6, 4));

    // Beyond the IC's limit the endpoint is given up.
    let huge = "x".repeat(MAX_RESPONSE_BYTES_LIMIT as usize + 1);
    let t = setup(&[E1], 1, vec![(E1, fixed(200, huge))]);
    match block_on(account(&t.o, ADDR)) {
        Err(ApiError::Unavailable { reason, .. }) => assert!(reason.contains("larger than 2000000"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let limits: Vec<u64> = t.script.borrow().outcalls(E1).iter().map(|s| s.max_response_bytes).collect();
    assert_eq!(limits.first(), Some(&4_096));
    assert_eq!(limits.last(), Some(&MAX_RESPONSE_BYTES_LIMIT));
    assert_eq!(limits.len(), 10);
    assert!(limits.windows(2).all(|w| w[1] == (w[0] * 2).min(MAX_RESPONSE_BYTES_LIMIT)));
}

#[test]
fn cycles_are_the_formula_per_outcall_and_counted_per_kind() {
    let sim = r#"{"gas_info":{"gas_wanted":"0","gas_used":"1"}}"#;
    let bc = r#"{"tx_response":{"txhash":"AB","code":0,"codespace":"","raw_log":""}}"#;
    let handler = move |_: usize, r: &HttpRequest| match r.url.rsplit('/').next() {
        Some("simulate") => respond(200, sim),
        Some("txs") => respond(200, bc),
        _ => respond(200, account_json(7)),
    };
    let t = setup(&[E1, E2], 2, vec![(E1, Box::new(handler)), (E2, Box::new(handler))]);
    block_on(account(&t.o, ADDR)).unwrap();
    block_on(simulate(&t.o, &[7; 300])).unwrap();
    block_on(broadcast(&t.o, &[7; 300])).unwrap();
    let script = t.script.borrow();
    let mut total = 0;
    for (kind, suffix) in [(CallKind::Account, ADDR), (CallKind::Simulate, "simulate"), (CallKind::Broadcast, "txs")] {
        let expected: u128 = script
            .seen
            .iter()
            .filter(|s| s.replica == 0 && s.url.ends_with(suffix))
            .map(|s| http_request_cost_cycles(s.request_bytes, s.max_response_bytes))
            .sum();
        assert!(expected > 0);
        assert_eq!(t.o.http_stats.borrow().get(kind).cycles, expected, "{kind}");
        total += expected;
    }
    // Request bytes are URL, headers and body: a POST counts its content type and JSON body.
    let post = script.seen.iter().find(|s| s.url.ends_with("simulate")).unwrap();
    let body = rest::simulate_request_body(&[7; 300]);
    assert_eq!(post.request_bytes as usize, post.url.len() + "Content-Type".len() + "application/json".len() + body.len());
    assert_eq!(t.o.rt.world().http_cycles, total);
    let account_stats = t.o.http_stats.borrow().get(CallKind::Account);
    assert_eq!(account_stats.calls, 2);
    assert_eq!(account_stats.cycles, 2 * http_request_cost_cycles(script.seen[0].request_bytes, ACCOUNT_MAX_RESPONSE_BYTES));

    // Exported at /metrics, one series per kind.
    drop(script);
    let page = crate::metrics::encode_akash_http(&t.o.http_stats.borrow(), 0);
    assert!(page.contains("# TYPE akash_http_calls_total counter\n"));
    assert!(page.contains("akash_http_calls_total{kind=\"account\"} 2 0\n"), "{page}");
    assert!(page.contains(&format!("akash_http_cycles_total{{kind=\"simulate\"}} {} 0\n", t.o.http_stats.borrow().get(CallKind::Simulate).cycles)));
    assert!(page.contains("akash_http_errors_total{kind=\"tx\"} 0 0\n"));
    assert_eq!(page.lines().count(), 3 * (2 + CallKind::ALL.len()));
}

#[test]
fn broadcast_is_one_replica_and_fails_over_on_server_errors() {
    let ok = r#"{"tx_response":{"height":"0","txhash":"AB12","code":0,"codespace":"","raw_log":"","logs":[]}}"#;
    let t = setup(
        &[E1, E2, E3],
        2,
        vec![(E1, down()), (E2, fixed(500, r#"{"code":13,"message":"internal"}"#)), (E3, fixed(200, ok))],
    );
    let r = block_on(broadcast(&t.o, b"signed")).unwrap();
    assert_eq!((r.txhash.as_str(), r.code), ("AB12", 0));
    let script = t.script.borrow();
    assert_eq!(script.seen.len(), 3, "one replica per outcall");
    assert!(script.seen.iter().all(|s| !s.replicated && s.replica == 0 && s.url.ends_with("/cosmos/tx/v1beta1/txs")));
    drop(script);

    // CheckTx's refusal is an answer (no failover); a refused request (400) is the chain's verdict.
    let mismatch = r#"{"tx_response":{"txhash":"AB12","code":32,"codespace":"sdk","raw_log":"account sequence mismatch, expected 8, got 7"}}"#;
    let t = setup(&[E1, E2], 1, vec![(E1, fixed(200, mismatch)), (E2, fixed(200, ok))]);
    assert!(block_on(broadcast(&t.o, b"signed")).unwrap().is_sequence_mismatch());
    assert_eq!(t.script.borrow().seen.len(), 1);
    let t = setup(&[E1, E2], 1, vec![(E1, fixed(400, r#"{"code":3,"message":"tx parse error"}"#)), (E2, fixed(200, ok))]);
    assert!(matches!(block_on(broadcast(&t.o, b"x")), Err(ApiError::Chain(ChainError { code: 3, .. }))));
}

#[test]
fn replicas_that_disagree_fail_over_and_volatile_fields_do_not_split_them() {
    // E1 is load-balanced over nodes at different heights: each replica sees another sequence.
    let split: Handler = Box::new(|replica, _| respond(200, account_json(replica as u64)));
    let t = setup(&[E1, E2, E3], 2, vec![(E1, split), (E2, fixed(200, account_json(7))), (E3, fixed(200, account_json(7)))]);
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 7);
    assert_eq!(t.script.borrow().first_hosts(), [E1, E2, E3]);
    assert!(t.o.logs.borrow().lines().any(|l| l.message.contains(E1) && l.message.contains("replicas saw different")));
    assert_eq!(t.o.http_stats.borrow().get(CallKind::Account).errors, 1);

    // Replicas see other `tx` bodies, logs and flags: the transform makes them agree.
    let jitter: Handler = Box::new(|replica, _| {
        let body = tx_json(100, "2026-11-21T11:00:00Z")
            .replace(r#""memo":"m""#, &format!(r#""memo":"{replica}""#))
            .replace(r#""index":true"#, &format!(r#""index":{}"#, replica % 2 == 0))
            .replace(r#""raw_log":"""#, &format!(r#""logs":[{{"log":"{replica}"}}],"raw_log":"""#));
        respond(200, body)
    });
    let t = setup(&[E1, E2], 1, vec![(E1, jitter), (E2, down())]);
    assert_eq!(block_on(tx(&t.o, HASH)).unwrap().unwrap().height, 100);
    assert_eq!(t.script.borrow().first_hosts(), [E1]);
    assert_eq!(FAKE_REPLICAS, t.script.borrow().seen.len());
}

#[test]
fn simulation_failures_are_the_chains_answer() {
    let failing = r#"{"code":2,"message":"account sequence mismatch, expected 8, got 7: incorrect account sequence With gas wanted: '0' and gas used: '1000' ","details":[]}"#;
    let t = setup(&[E1, E2], 1, vec![(E1, fixed(500, failing)), (E2, fixed(200, r#"{"gas_info":{"gas_used":"5"}}"#))]);
    match block_on(simulate(&t.o, b"tx")) {
        Err(ApiError::Chain(e)) => assert!(e.is_sequence_mismatch() && e.code == 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(t.script.borrow().first_hosts(), [E1]);
    // An Internal or Unavailable error is the endpoint's, not the chain's verdict.
    let t = setup(&[E1, E2], 1, vec![(E1, fixed(500, r#"{"code":14,"message":"unavailable"}"#)), (E2, fixed(200, r#"{"gas_info":{"gas_used":"5"}}"#))]);
    assert_eq!(block_on(simulate(&t.o, b"tx")).unwrap().gas_used, 5);
    // A chain error is not an answer for a read: it is the endpoint's failure.
    let t = setup(&[E1, E2], 1, vec![(E1, fixed(500, r#"{"code":2,"message":"boom"}"#)), (E2, fixed(200, account_json(3)))]);
    assert_eq!(sequence(block_on(account(&t.o, ADDR))), 3);
}

#[test]
fn not_found_is_an_answer_where_the_parser_says_so() {
    let t = setup(&[E1, E2], 2, vec![(E1, fixed(404, NOT_FOUND)), (E2, fixed(404, NOT_FOUND))]);
    assert_eq!(block_on(account(&t.o, ADDR)), Ok(None));
    assert_eq!(block_on(tx(&t.o, HASH)), Ok(None));
    assert!(block_on(deposit_grants(&t.o, ADDR, ADDR)).unwrap().grants.is_empty());
    // No BME module there: not an answer.
    assert!(matches!(block_on(bme_status(&t.o)), Err(ApiError::Unavailable { .. })));
    // A missing fee grant is gRPC Internal with its own message (HTTP 500).
    let missing = r#"{"code":13,"message":"fee-grant not found: unauthorized","details":[]}"#;
    let t = setup(&[E1, E2], 2, vec![(E1, fixed(500, missing)), (E2, fixed(500, missing))]);
    assert_eq!(block_on(fee_allowance(&t.o, ADDR, ADDR)), Ok(None));
    let path = &t.script.borrow().seen[0].url;
    assert_eq!(path, &format!("{E1}/cosmos/feegrant/v1beta1/allowance/{ADDR}/{ADDR}"));
    // A 404 that is not the chain's (a wrong path behind a proxy) is a failure.
    let t = setup(&[E1], 1, vec![(E1, fixed(404, "404 page not found"))]);
    assert!(matches!(block_on(account(&t.o, ADDR)), Err(ApiError::Unavailable { .. })));
}

#[test]
fn balance_reads_one_denom_and_follows_pages() {
    let p1 = r#"{"balances":[{"denom":"ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2","amount":"1"}],"pagination":{"next_key":"AB+/","total":"2"}}"#;
    let p2 = r#"{"balances":[{"denom":"uact","amount":"5"},{"denom":"uakt","amount":"1234567"}],"pagination":{"next_key":null,"total":"0"}}"#;
    let pages = move |_: usize, r: &HttpRequest| respond(200, if r.url.contains("pagination.key=") { p2 } else { p1 });
    let t = setup(&[E1, E2], 2, vec![(E1, Box::new(pages)), (E2, Box::new(pages))]);
    assert_eq!(block_on(balance(&t.o, ADDR, "uakt")), Ok(1_234_567));
    let urls: Vec<String> = t.script.borrow().seen.iter().filter(|s| s.replica == 0).map(|s| s.url.clone()).collect();
    assert_eq!(urls.last().unwrap(), &format!("{E1}/cosmos/bank/v1beta1/balances/{ADDR}?pagination.key=AB%2B%2F"));
    assert_eq!(block_on(balance(&t.o, ADDR, "uosmo")), Ok(0));

    // Endpoints that differ on another denom still agree on this one.
    let a = r#"{"balances":[{"denom":"uact","amount":"5"},{"denom":"uakt","amount":"9"}]}"#;
    let b = r#"{"balances":[{"denom":"uact","amount":"6"},{"denom":"uakt","amount":"9"}]}"#;
    let t = setup(&[E1, E2], 2, vec![(E1, fixed(200, a)), (E2, fixed(200, b))]);
    assert_eq!(block_on(balance(&t.o, ADDR, "uakt")), Ok(9));
    assert!(matches!(block_on(balance(&t.o, ADDR, "uact")), Err(ApiError::Disagreement { .. })));
}

#[test]
fn calls_rotate_over_endpoints_and_follow_the_config() {
    let t = setup(&[E1, E2, E3], 1, vec![(E1, fixed(200, account_json(1))), (E2, fixed(200, account_json(2))), (E3, fixed(200, account_json(3)))]);
    let seqs: Vec<u64> = (0..4).map(|_| sequence(block_on(account(&t.o, ADDR)))).collect();
    assert_eq!(seqs, [1, 2, 3, 1]);
    let controller = t.o.rt.controller();
    crate::lifecycle::set_config(
        &t.o,
        controller,
        ConfigArg { akash_api_urls: Some(vec![E3.to_string(), E2.to_string()]), akash_read_quorum: Some(2), ..Default::default() },
    )
    .unwrap();
    assert_eq!(
        block_on(account(&t.o, ADDR)),
        Err(ApiError::Disagreement { kind: CallKind::Account, answers: 2, quorum: 2 })
    );
    assert!(t.script.borrow().first_hosts()[4..].iter().all(|h| h != E1));
}

#[test]
fn mint_records_ask_for_the_newest_records_of_a_source() {
    let body = format!(
        r#"{{"records":[{{"id":{{"denom":"uakt","to_denom":"uact","source":"{ADDR}","height":"120","sequence":"0"}},"status":"ledger_record_status_executed","executed_record":{{"burned_from":"{ADDR}","minted_to":"{ADDR}","burner":"b","minter":"m","burned":{{"coin":{{"denom":"uakt","amount":"1000000"}},"price":"0.6"}},"minted":{{"coin":{{"denom":"uact","amount":"600000"}},"price":"1"}}}}}}],"pagination":{{"next_key":null,"total":"17"}}}}"#
    );
    let t = setup(&[E1, E2], 2, vec![(E1, fixed(200, body.clone())), (E2, fixed(200, body))]);
    let records = block_on(mint_records(&t.o, ADDR, 5)).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].executed_record.as_ref().unwrap().minted.coin.amount, 600_000);
    let seen = t.script.borrow().seen[0].clone();
    assert_eq!(seen.url, format!("{E1}/akash/bme/v1/ledger?filters.source={ADDR}&pagination.limit=5&pagination.reverse=true"));
    assert_eq!(seen.max_response_bytes, BME_LEDGER_BASE_MAX_RESPONSE_BYTES + 5 * BME_LEDGER_RECORD_MAX_RESPONSE_BYTES);
}

#[test]
fn grants_latest_block_and_params_are_read() {
    let grants = r#"{"grants":[{"authorization":{"@type":"/akash.escrow.v1.DepositAuthorization","spend_limit":{"denom":"uact","amount":"5000000"},"scopes":["deployment"]},"expiration":"2030-03-17T17:46:40Z"}],"pagination":{"next_key":null,"total":"1"}}"#;
    let block = r#"{"block_id":{"hash":"x"},"block":{"header":{"chain_id":"akashnet-2","height":"123","time":"2026-11-21T11:00:00.123456789Z"},"data":{"txs":["AAAA"]}},"sdk_block":{"header":{"chain_id":"akashnet-2","height":"123","time":"2026-11-21T11:00:00.123456789Z","proposer_address":"akashvalcons1"}}}"#;
    let params = r#"{"params":{"min_deposits":[{"denom":"uakt","amount":"500000"},{"denom":"uact","amount":"500000"}]}}"#;
    let handler = move |_: usize, r: &HttpRequest| {
        if r.url.contains("/authz/") {
            respond(200, grants)
        } else if r.url.ends_with("/blocks/latest") {
            respond(200, block)
        } else {
            respond(200, params)
        }
    };
    let t = setup(&[E1, E2], 2, vec![(E1, Box::new(handler)), (E2, Box::new(handler))]);
    let g = block_on(deposit_grants(&t.o, ADDR, "akash1grantee")).unwrap();
    let (d, exp) = g.deposit().unwrap();
    assert_eq!((d.spend_limit.amount, exp), (5_000_000, Some(1_900_000_000)));
    assert_eq!(
        t.script.borrow().seen[0].url,
        format!("{E1}/cosmos/authz/v1beta1/grants?granter={ADDR}&grantee=akash1grantee&msg_type_url=%2Fakash.escrow.v1.MsgAccountDeposit")
    );
    let b = block_on(latest_block(&t.o)).unwrap();
    assert_eq!((b.height, b.chain_id.as_str()), (123, "akashnet-2"));
    assert_eq!(block_on(deployment_params(&t.o)).unwrap().len(), 2);
}
