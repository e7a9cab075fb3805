//! The native runtime: simulated ledger, XRC, threshold ECDSA and timers, a clock the test moves,
//! scripted faults, and calls that can be held in flight so tests can interleave flows and
//! upgrade in the middle of one.

pub mod akash;
pub mod ledger;
pub mod provider;
pub mod xrc;

use super::{CallError, HttpError, HttpRequest, HttpResponse, Runtime, Task};
use crate::canister::{Orchestrator, NANOS_PER_SEC};
use crate::ledger::{ArchiveCallback, BlockRange, GetBlocksArgs, QueryArchiveError, QueryBlocksResponse};
use crate::xrc::{GetExchangeRateRequest, GetExchangeRateResult};
use candid::{Nat, Principal};
use k256::ecdsa::{signature::hazmat::PrehashSigner, Signature, SigningKey};
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};
use ledger::FakeLedger;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use xrc::FakeXrc;

/// 2027-01-15, a plausible "now".
pub const GENESIS_NANOS: u64 = 1_800_000_000 * NANOS_PER_SEC;
pub const INITIAL_CYCLES: u128 = 10_000_000_000_000;

/// Calls that faults and holds can target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    TransferFrom,
    QueryBlocks,
    QueryArchive,
    Xrc,
    EcdsaPublicKey,
    SignWithEcdsa,
    Http,
}

/// What goes wrong with the next call of a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Refused before running (`CallError::Rejected`).
    Reject,
    /// Runs on the callee, but the answer is lost (`CallError::Unknown`).
    LoseResponse,
}

/// A simulated HTTPS peer (the Akash chain's REST endpoints, a provider...).
///
/// `serve` is called once per replica for a replicated request (each replica makes its own
/// request, so a POST arrives `replicas` times) and once for a non-replicated one. Each response
/// goes through the canister's transform, and replicated answers must agree.
pub trait HttpService {
    fn serve(&mut self, now_nanos: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// Several simulated peers behind one world: each request goes to the first service whose
/// predicate accepts its URL (the chain's REST endpoints, the providers and their proxy...).
#[derive(Default)]
pub struct HttpRouter {
    routes: Vec<Route>,
}

/// Which URLs a service takes, and the service.
type Route = (Box<dyn Fn(&str) -> bool>, Rc<RefCell<dyn HttpService>>);

impl HttpRouter {
    pub fn route(mut self, accepts: impl Fn(&str) -> bool + 'static, service: Rc<RefCell<dyn HttpService>>) -> Self {
        self.routes.push((Box::new(accepts), service));
        self
    }
}

impl HttpService for HttpRouter {
    fn serve(&mut self, now_nanos: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        match self.routes.iter().find(|(accepts, _)| accepts(&request.url)) {
            Some((_, service)) => service.borrow_mut().serve(now_nanos, replica, request),
            None => Err(HttpError::Unreachable { message: format!("no host for {}", request.url) }),
        }
    }
}

/// Replicas of the simulated subnet (3f+1 with f = 1): consensus needs 2f+1 equal answers.
pub const FAKE_REPLICAS: usize = 4;

pub struct World {
    pub now_nanos: u64,
    pub canister_id: Principal,
    pub controllers: BTreeSet<Principal>,
    pub caller: Principal,
    pub ledger: FakeLedger,
    pub xrc: FakeXrc,
    pub cycles: u128,
    pub timers: Vec<(u64, Task)>,
    faults: BTreeMap<Method, VecDeque<Fault>>,
    held: BTreeSet<Method>,
    pub calls: BTreeMap<Method, u64>,
    ecdsa_master: [u8; 32],
    /// Serves HTTPS outcalls; none means every outcall is refused.
    pub http: Option<Rc<RefCell<dyn HttpService>>>,
    /// Cycles attached to HTTPS outcalls in all.
    pub http_cycles: u128,
    /// Bytes of every outcall's request (URL, headers, body) and of the response limits asked.
    pub http_request_bytes: u64,
    pub http_max_response_bytes: u64,
    /// Lines written to the canister log, oldest first.
    pub canister_log: Vec<String>,
}

/// Cheap to clone: every clone sees the same world.
#[derive(Clone)]
pub struct FakeRuntime(Rc<RefCell<World>>);

impl Default for FakeRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeRuntime {
    pub fn new() -> Self {
        let canister_id = Principal::from_slice(&[0, 0, 0, 0, 2, 0, 0, 7, 1, 1]);
        let ledger = FakeLedger::new(Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, 1, 1]), Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 3, 1, 1]));
        let mut xrc = FakeXrc::new();
        xrc.set_usd_price_e9("ICP", 4_800_000_000);
        xrc.set_usd_price_e9("AKT", 600_000_000);
        FakeRuntime(Rc::new(RefCell::new(World {
            now_nanos: GENESIS_NANOS,
            canister_id,
            controllers: BTreeSet::from([Principal::from_slice(&[0xC0; 29])]),
            caller: Principal::anonymous(),
            ledger,
            xrc,
            cycles: INITIAL_CYCLES,
            timers: Vec::new(),
            faults: BTreeMap::new(),
            held: BTreeSet::new(),
            calls: BTreeMap::new(),
            ecdsa_master: [7; 32],
            http: None,
            http_cycles: 0,
            http_request_bytes: 0,
            http_max_response_bytes: 0,
            canister_log: Vec::new(),
        })))
    }

    pub fn world(&self) -> std::cell::RefMut<'_, World> {
        self.0.borrow_mut()
    }

    pub fn controller(&self) -> Principal {
        *self.0.borrow().controllers.iter().next().expect("BUG: the fake has a controller")
    }

    pub fn advance_secs(&self, secs: u64) {
        self.0.borrow_mut().now_nanos += secs * NANOS_PER_SEC;
    }

    pub fn fail_next(&self, method: Method, fault: Fault) {
        self.0.borrow_mut().faults.entry(method).or_default().push_back(fault);
    }

    /// Forgets every scripted fault not yet used.
    pub fn clear_faults(&self) {
        self.0.borrow_mut().faults.clear();
    }

    /// Calls of `method` wait, before running, until `release`.
    pub fn hold(&self, method: Method) {
        self.0.borrow_mut().held.insert(method);
    }

    pub fn release(&self, method: Method) {
        self.0.borrow_mut().held.remove(&method);
    }

    pub fn calls(&self, method: Method) -> u64 {
        self.0.borrow().calls.get(&method).copied().unwrap_or(0)
    }

    /// Serves this world's HTTPS outcalls with `service` (tests keep their own handle to it).
    pub fn set_http_service(&self, service: Rc<RefCell<dyn HttpService>>) {
        self.0.borrow_mut().http = Some(service);
    }

    pub fn cycles_spent(&self) -> u128 {
        INITIAL_CYCLES - self.0.borrow().cycles
    }

    /// What an upgrade does to timers: they are gone.
    pub fn drop_timers(&self) {
        self.0.borrow_mut().timers.clear();
    }

    pub fn pending_timers(&self) -> Vec<(u64, Task)> {
        self.0.borrow().timers.clone()
    }

    /// Runs every timer that is due now, and those they set that are due too.
    pub fn run_due_timers(&self, o: &Orchestrator<FakeRuntime>) -> usize {
        let mut ran = 0;
        loop {
            let now = self.0.borrow().now_nanos;
            let due = {
                let mut w = self.0.borrow_mut();
                let pos = w.timers.iter().position(|(t, _)| *t <= now);
                pos.map(|i| w.timers.remove(i).1)
            };
            let Some(task) = due else { return ran };
            block_on(crate::tasks::run(o, task));
            ran += 1;
        }
    }

    /// Moves the clock timer by timer until none is left within `max_secs`.
    pub fn run_timers_for(&self, o: &Orchestrator<FakeRuntime>, max_secs: u64) -> usize {
        let end = self.0.borrow().now_nanos + max_secs * NANOS_PER_SEC;
        let mut ran = self.run_due_timers(o);
        loop {
            let next = self.0.borrow().timers.iter().map(|(t, _)| *t).min();
            match next {
                Some(t) if t <= end => {
                    let mut w = self.0.borrow_mut();
                    w.now_nanos = t.max(w.now_nanos);
                    drop(w);
                    ran += self.run_due_timers(o);
                }
                _ => {
                    self.0.borrow_mut().now_nanos = end;
                    return ran;
                }
            }
        }
    }

    /// Counts the call, waits while it is held, and says which fault (if any) applies.
    async fn enter(&self, method: Method) -> Option<Fault> {
        *self.0.borrow_mut().calls.entry(method).or_default() += 1;
        std::future::poll_fn(|_| if self.0.borrow().held.contains(&method) { Poll::Pending } else { Poll::Ready(()) }).await;
        self.0.borrow_mut().faults.get_mut(&method).and_then(|q| q.pop_front())
    }

    fn ecdsa_key(&self, key_name: &str, path: &[Vec<u8>]) -> SigningKey {
        let mut h = Sha256::new();
        h.update(self.0.borrow().ecdsa_master);
        h.update(key_name.as_bytes());
        for p in path {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p);
        }
        SigningKey::from_slice(&h.finalize()).expect("BUG: a SHA-256 output is a valid key with overwhelming probability")
    }
}

fn rejected(method: Method) -> CallError {
    CallError::Rejected { code: 2, message: format!("{method:?}: injected reject") }
}

fn lost(method: Method) -> CallError {
    CallError::Unknown { message: format!("{method:?}: injected lost response") }
}

impl Runtime for FakeRuntime {
    fn time_nanos(&self) -> u64 {
        self.0.borrow().now_nanos
    }
    fn caller(&self) -> Principal {
        self.0.borrow().caller
    }
    fn canister_id(&self) -> Principal {
        self.0.borrow().canister_id
    }
    fn is_controller(&self, principal: &Principal) -> bool {
        self.0.borrow().controllers.contains(principal)
    }
    fn cycles_balance(&self) -> u128 {
        self.0.borrow().cycles
    }

    async fn icrc2_transfer_from(&self, ledger: Principal, arg: TransferFromArgs) -> Result<Result<Nat, TransferFromError>, CallError> {
        let fault = self.enter(Method::TransferFrom).await;
        if fault == Some(Fault::Reject) {
            return Err(rejected(Method::TransferFrom));
        }
        let mut w = self.0.borrow_mut();
        if ledger != w.ledger.id {
            return Err(CallError::Rejected { code: 3, message: format!("no canister {ledger}") });
        }
        let (now, me) = (w.now_nanos, w.canister_id);
        let result = w.ledger.transfer_from(now, me, &arg);
        match fault {
            Some(Fault::LoseResponse) => Err(lost(Method::TransferFrom)),
            _ => Ok(result),
        }
    }

    async fn query_blocks(&self, ledger: Principal, arg: GetBlocksArgs) -> Result<QueryBlocksResponse, CallError> {
        if self.enter(Method::QueryBlocks).await.is_some() {
            return Err(rejected(Method::QueryBlocks));
        }
        let w = self.0.borrow();
        if ledger != w.ledger.id {
            return Err(CallError::Rejected { code: 3, message: format!("no canister {ledger}") });
        }
        Ok(w.ledger.query_blocks(arg))
    }

    async fn query_archive(&self, callback: ArchiveCallback, arg: GetBlocksArgs) -> Result<Result<BlockRange, QueryArchiveError>, CallError> {
        if self.enter(Method::QueryArchive).await.is_some() {
            return Err(rejected(Method::QueryArchive));
        }
        let w = self.0.borrow();
        if callback.principal != w.ledger.archive_id || callback.method != ledger::ARCHIVE_METHOD {
            return Err(CallError::Rejected { code: 3, message: format!("no method {} on {}", callback.method, callback.principal) });
        }
        Ok(w.ledger.query_archive(arg))
    }

    async fn get_exchange_rate(&self, xrc: Principal, arg: GetExchangeRateRequest, cycles: u128) -> Result<GetExchangeRateResult, CallError> {
        let fault = self.enter(Method::Xrc).await;
        if fault == Some(Fault::Reject) {
            return Err(rejected(Method::Xrc));
        }
        let mut w = self.0.borrow_mut();
        if xrc != Principal::from_text(crate::config::MAINNET_XRC_ID).expect("BUG: constant") {
            return Err(CallError::Rejected { code: 3, message: format!("no canister {xrc}") });
        }
        if w.cycles < cycles {
            return Err(CallError::Rejected { code: 0, message: "out of cycles".into() });
        }
        let now_secs = w.now_nanos / NANOS_PER_SEC;
        let (answer, kept) = w.xrc.get_exchange_rate(now_secs, &arg, cycles);
        w.cycles -= kept.min(cycles);
        match fault {
            Some(Fault::LoseResponse) => Err(lost(Method::Xrc)),
            _ => Ok(answer),
        }
    }

    async fn ecdsa_public_key(&self, key_name: &str, derivation_path: Vec<Vec<u8>>) -> Result<Vec<u8>, CallError> {
        if self.enter(Method::EcdsaPublicKey).await.is_some() {
            return Err(rejected(Method::EcdsaPublicKey));
        }
        Ok(self.ecdsa_key(key_name, &derivation_path).verifying_key().to_encoded_point(true).as_bytes().to_vec())
    }

    async fn sign_with_ecdsa(&self, key_name: &str, derivation_path: Vec<Vec<u8>>, message_hash: [u8; 32]) -> Result<Vec<u8>, CallError> {
        if self.enter(Method::SignWithEcdsa).await.is_some() {
            return Err(rejected(Method::SignWithEcdsa));
        }
        let sig: Signature = self
            .ecdsa_key(key_name, &derivation_path)
            .sign_prehash(&message_hash)
            .map_err(|e| CallError::Rejected { code: 5, message: e.to_string() })?;
        Ok(sig.to_bytes().to_vec())
    }

    async fn http_request(&self, request: HttpRequest, cycles: u128) -> Result<HttpResponse, HttpError> {
        let fault = self.enter(Method::Http).await;
        if fault == Some(Fault::Reject) {
            return Err(HttpError::Rejected { message: "Http: injected reject".into() });
        }
        let (service, now) = {
            let mut w = self.0.borrow_mut();
            if w.cycles < cycles {
                return Err(HttpError::Rejected { message: "out of cycles".into() });
            }
            w.cycles -= cycles;
            w.http_cycles += cycles;
            let headers: usize = request.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
            w.http_request_bytes += (request.url.len() + headers + request.body.len()) as u64;
            w.http_max_response_bytes += request.max_response_bytes;
            (w.http.clone(), w.now_nanos)
        };
        let Some(service) = service else {
            return Err(HttpError::Rejected { message: format!("no HTTP peer in this world for {}", request.url) });
        };
        let replicas = if request.replicated { FAKE_REPLICAS } else { 1 };
        let mut answers: Vec<Result<HttpResponse, HttpError>> = Vec::with_capacity(replicas);
        for replica in 0..replicas {
            let answer = service.borrow_mut().serve(now, replica, &request).and_then(|r| {
                if r.body.len() as u64 > request.max_response_bytes {
                    Err(HttpError::ResponseTooLarge)
                } else {
                    Ok(crate::akash::transform::apply(&request.transform_context, r))
                }
            });
            answers.push(answer);
        }
        if fault == Some(Fault::LoseResponse) {
            return Err(HttpError::Unreachable { message: "Http: injected timeout after the request was served".into() });
        }
        // Consensus: 2f+1 equal responses (or, non-replicated, the one answer).
        let needed = if replicas == 1 { 1 } else { 2 * (replicas - 1) / 3 + 1 };
        for r in answers.iter().flatten() {
            if answers.iter().filter(|b| b.as_ref().ok() == Some(r)).count() >= needed {
                return Ok(r.clone());
            }
        }
        // No agreement: the error most replicas saw, else no consensus.
        let first_err = answers.iter().find_map(|a| a.as_ref().err().cloned());
        match first_err {
            Some(e) if answers.iter().filter(|a| a.as_ref().err() == Some(&e)).count() >= needed => Err(e),
            _ => Err(HttpError::NoConsensus),
        }
    }

    fn set_timer(&self, delay_secs: u64, task: Task) {
        let mut w = self.0.borrow_mut();
        let due = w.now_nanos + delay_secs * NANOS_PER_SEC;
        w.timers.push((due, task));
    }

    fn debug_print(&self, line: &str) {
        self.0.borrow_mut().canister_log.push(line.to_string());
    }
}

/// A small deterministic generator (xorshift64) for randomized tests: seeds reproduce runs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform enough in `0..n` for tests (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Polls `fut` once.
pub fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// Runs `fut` to completion; a future that makes no progress (a held call never released) is a
/// test bug and panics with a clear message.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    for _ in 0..10_000 {
        if let Poll::Ready(v) = poll_once(fut.as_mut()) {
            return v;
        }
    }
    panic!("future still pending after 10000 polls: a held call was never released");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::HttpMethod;

    /// Answers its own name, so the test sees who served.
    struct Named(&'static str);

    impl HttpService for Named {
        fn serve(&mut self, _: u64, _: usize, _: &HttpRequest) -> Result<HttpResponse, HttpError> {
            Ok(HttpResponse { status: 200, body: self.0.as_bytes().to_vec() })
        }
    }

    fn get(url: &str) -> HttpRequest {
        HttpRequest {
            url: url.into(),
            method: HttpMethod::Get,
            headers: vec![],
            body: vec![],
            max_response_bytes: 100,
            replicated: true,
            transform_context: vec![],
        }
    }

    #[test]
    fn the_router_sends_each_url_to_its_service() {
        let mut router = HttpRouter::default()
            .route(|u| u.starts_with("https://chain.test"), Rc::new(RefCell::new(Named("chain"))))
            .route(|u| u.starts_with("https://provider.test"), Rc::new(RefCell::new(Named("provider"))));
        assert_eq!(router.serve(0, 0, &get("https://provider.test/status")).unwrap().body, b"provider");
        assert_eq!(router.serve(0, 1, &get("https://chain.test/x")).unwrap().body, b"chain");
        assert!(matches!(router.serve(0, 0, &get("https://nowhere.test/")), Err(HttpError::Unreachable { .. })));
    }
}
