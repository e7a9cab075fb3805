//! The Akash REST client: chain reads and writes over HTTPS outcalls to the endpoints of
//! `config.akash_api_urls`, parsed by the core's parsers (`ic_akash::rest`).
//!
//! Rules:
//! - Each call starts at the next endpoint in turn (load spreads) and moves on when an endpoint
//!   gives no usable answer: transport error, no consensus among the replicas, a status that is
//!   not the chain's answer (429, 5xx, others), a body that does not parse. Each is logged and
//!   counted.
//! - Reads that decide money (account, balance, tx, BME status and ledger, grants, deployment
//!   params, a deployment with its escrow, a lease) are quorum reads: endpoints are asked one by
//!   one until `config.akash_read_quorum` of them gave equal parsed answers, so one lagging or
//!   lying endpoint decides nothing. Other reads (simulate, latest block, open bids) take the
//!   first usable answer.
//! - A broadcast is one non-replicated outcall (one replica; nothing is decided from its answer
//!   but "try again"), failing over like the others: the same signed bytes sent twice are one tx.
//! - `max_response_bytes` is sized per call ([`ACCOUNT_MAX_RESPONSE_BYTES`]...); a response too
//!   large is asked again of the same endpoint with twice the limit, up to
//!   [`MAX_RESPONSE_BYTES_LIMIT`].
//! - Every outcall attaches `runtime::http_request_cost_cycles(request bytes, max_response_bytes)`
//!   and is counted per [`CallKind`] in [`HttpStats`] (calls, cycles, errors), exported at
//!   `/metrics`.
//! - The configuration is read at the start of each call, so a change applies to the next call.
//!
//! What a status means: the gateway relays the chain's gRPC status as an HTTP status with a JSON
//! body `{"code","message"}`. A 2xx body, or a 400/404/500 body that is such a chain error, goes
//! to the parser, which turns the chain's "not found" into an answer where there is one (no
//! account, no tx yet, no fee allowance). A chain error left over is the endpoint's failure for a
//! read, and the chain's verdict ([`ApiError::Chain`]) for a simulation or a broadcast when its
//! gRPC code says the request itself was refused ([`is_verdict_code`]).

use crate::akash::transform;
use crate::canister::Orchestrator;
use crate::logs::Level;
use crate::runtime::{http_request_cost_cycles, HttpError, HttpMethod, HttpRequest, HttpResponse, Runtime};
use ic_akash::rest::{self, ChainError, RestError};
use std::collections::BTreeMap;
use std::fmt;

/// The IC's limit on an HTTPS outcall response.
pub const MAX_RESPONSE_BYTES_LIMIT: u64 = 2_000_000;
/// An account is a few hundred bytes (a vesting account about 2 KB).
pub const ACCOUNT_MAX_RESPONSE_BYTES: u64 = 4_096;
/// A page of balances: a few coins, more with IBC denoms.
pub const BALANCES_MAX_RESPONSE_BYTES: u64 = 8_192;
/// A simulation carries the result's events, about 2 KB per message of a batch.
pub const SIMULATE_MAX_RESPONSE_BYTES: u64 = 65_536;
/// A sync broadcast answers with an almost empty `tx_response` (a `raw_log` on refusal).
pub const BROADCAST_MAX_RESPONSE_BYTES: u64 = 8_192;
/// A tx by hash carries the whole tx body and its events.
pub const TX_MAX_RESPONSE_BYTES: u64 = 65_536;
/// The latest block comes with its transactions and commit signatures, twice (`block`, `sdk_block`).
pub const LATEST_BLOCK_MAX_RESPONSE_BYTES: u64 = 262_144;
pub const BME_STATUS_MAX_RESPONSE_BYTES: u64 = 4_096;
/// BME ledger records: this much plus [`BME_LEDGER_RECORD_MAX_RESPONSE_BYTES`] per record asked.
pub const BME_LEDGER_BASE_MAX_RESPONSE_BYTES: u64 = 2_048;
pub const BME_LEDGER_RECORD_MAX_RESPONSE_BYTES: u64 = 2_048;
pub const FEE_ALLOWANCE_MAX_RESPONSE_BYTES: u64 = 4_096;
pub const AUTHZ_GRANTS_MAX_RESPONSE_BYTES: u64 = 8_192;
pub const DEPLOYMENT_PARAMS_MAX_RESPONSE_BYTES: u64 = 4_096;
pub const PROVIDER_MAX_RESPONSE_BYTES: u64 = 8_192;
/// Most open bids one `bids` read asks for (`pagination.limit`).
pub const MAX_BIDS_PER_READ: u32 = 50;
/// A bid is about 1.5 KB (its `resources_offer` repeats the group's resources): room for
/// [`MAX_BIDS_PER_READ`] of them and the page.
pub const BIDS_MAX_RESPONSE_BYTES: u64 = 2_048 + MAX_BIDS_PER_READ as u64 * 1_536;
/// A deployment carries every group's full spec (about 1.5 KB a group with one resource) and its
/// escrow account with one entry per deposit: room for several groups and many top-ups.
pub const DEPLOYMENT_MAX_RESPONSE_BYTES: u64 = 16_384;
/// A lease and its escrow payment: under 1 KB.
pub const LEASE_MAX_RESPONSE_BYTES: u64 = 4_096;
/// Most records one `mint_records` call asks for.
pub const MAX_BME_LEDGER_RECORDS: u32 = 100;
/// Most pages of balances followed to find one denom.
pub const MAX_BALANCE_PAGES: usize = 10;

/// What a call asks the chain; labels the metrics and selects the transform.
/// The byte values travel in transform contexts: never reuse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum CallKind {
    Account = 1,
    Balances = 2,
    Simulate = 3,
    Broadcast = 4,
    Tx = 5,
    LatestBlock = 6,
    BmeStatus = 7,
    BmeLedger = 8,
    FeeAllowance = 9,
    AuthzGrants = 10,
    DeploymentParams = 11,
    /// A provider's registration (host URI) on chain.
    Provider = 12,
    /// `PUT /deployment/{dseq}/manifest` at a provider (directly or through the proxy).
    SendManifest = 13,
    /// `GET /lease/.../status` at a provider.
    LeaseStatus = 14,
    /// The open bids on a deployment.
    Bids = 15,
    /// A deployment with its groups and escrow account.
    Deployment = 16,
    /// A lease with its escrow payment.
    Lease = 17,
}

impl CallKind {
    pub const ALL: [CallKind; 17] = [
        CallKind::Account,
        CallKind::Balances,
        CallKind::Simulate,
        CallKind::Broadcast,
        CallKind::Tx,
        CallKind::LatestBlock,
        CallKind::BmeStatus,
        CallKind::BmeLedger,
        CallKind::FeeAllowance,
        CallKind::AuthzGrants,
        CallKind::DeploymentParams,
        CallKind::Provider,
        CallKind::SendManifest,
        CallKind::LeaseStatus,
        CallKind::Bids,
        CallKind::Deployment,
        CallKind::Lease,
    ];

    pub fn from_byte(b: u8) -> Option<CallKind> {
        CallKind::ALL.into_iter().find(|k| *k as u8 == b)
    }

    /// The metrics label.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Account => "account",
            CallKind::Balances => "balances",
            CallKind::Simulate => "simulate",
            CallKind::Broadcast => "broadcast",
            CallKind::Tx => "tx",
            CallKind::LatestBlock => "latest_block",
            CallKind::BmeStatus => "bme_status",
            CallKind::BmeLedger => "bme_ledger",
            CallKind::FeeAllowance => "fee_allowance",
            CallKind::AuthzGrants => "authz_grants",
            CallKind::DeploymentParams => "deployment_params",
            CallKind::Provider => "provider",
            CallKind::SendManifest => "send_manifest",
            CallKind::LeaseStatus => "lease_status",
            CallKind::Bids => "bids",
            CallKind::Deployment => "deployment",
            CallKind::Lease => "lease",
        }
    }
}

impl fmt::Display for CallKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a call gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No endpoint gave a usable answer (or too few for a quorum); `reason` sums up each
    /// endpoint's failure.
    Unavailable { kind: CallKind, reason: String },
    /// Endpoints answered, but fewer than the quorum agreed.
    Disagreement { kind: CallKind, answers: u8, quorum: u8 },
    /// The chain refused the request (a failing simulation, a malformed tx...).
    Chain(ChainError),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unavailable { kind, reason } => write!(f, "Akash API unavailable for {kind}: {reason}"),
            ApiError::Disagreement { kind, answers, quorum } => {
                write!(f, "Akash API endpoints disagree on {kind}: {answers} answers, fewer than {quorum} equal")
            }
            ApiError::Chain(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Outcalls of one kind since the canister started (heap: reset by an upgrade).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindStats {
    /// Outcalls made (each retry and each endpoint counts).
    pub calls: u64,
    /// Cycles attached to them.
    pub cycles: u128,
    /// Outcalls that gave no usable answer (transport error, no consensus, response too large,
    /// a status that is not the chain's answer, a body that does not parse).
    pub errors: u64,
}

/// The client's counters, and where the next call starts.
#[derive(Debug, Default)]
pub struct HttpStats {
    kinds: BTreeMap<CallKind, KindStats>,
    next_start: usize,
}

impl HttpStats {
    pub fn get(&self, kind: CallKind) -> KindStats {
        self.kinds.get(&kind).copied().unwrap_or_default()
    }

    fn entry(&mut self, kind: CallKind) -> &mut KindStats {
        self.kinds.entry(kind).or_default()
    }

    /// The endpoint the next call starts at, among `n`.
    fn rotate(&mut self, n: usize) -> usize {
        let start = self.next_start % n.max(1);
        self.next_start = self.next_start.wrapping_add(1);
        start
    }
}

// ---------------------------------------------------------------------------------------------
// Calls

/// Whether a chain error's gRPC code says the request itself was refused (so another endpoint
/// would say the same): Unknown (2, how the SDK reports a failing tx), InvalidArgument (3),
/// NotFound (5), FailedPrecondition (9), OutOfRange (11). Unavailable, Internal, deadlines,
/// rate limits... are the endpoint's trouble.
pub fn is_verdict_code(code: u32) -> bool {
    matches!(code, 2 | 3 | 5 | 9 | 11)
}

/// The account (number, sequence, public key); `None` when the chain has none (never funded).
pub async fn account<R: Runtime>(o: &Orchestrator<R>, address: &str) -> Result<Option<rest::Account>, ApiError> {
    let path = format!("/cosmos/auth/v1beta1/accounts/{}", encode(address));
    let call = Call::get(CallKind::Account, path, ACCOUNT_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::parse_account, |a, b| a == b).await
}

/// The amount of `denom` held by `address` (0 when absent), following pages until it is found.
pub async fn balance<R: Runtime>(o: &Orchestrator<R>, address: &str, denom: &str) -> Result<u128, ApiError> {
    /// What a page says about `denom`: its amount, or where to look next.
    fn look(b: &rest::Balances, denom: &str) -> Result<u128, Option<String>> {
        if b.balances.iter().any(|c| c.denom == denom) {
            Ok(b.amount_of(denom))
        } else {
            Err(b.page.next_key.clone())
        }
    }
    let mut key: Option<String> = None;
    for _ in 0..MAX_BALANCE_PAGES {
        let mut path = format!("/cosmos/bank/v1beta1/balances/{}", encode(address));
        if let Some(k) = &key {
            path.push_str(&format!("?pagination.key={}", encode(k)));
        }
        let call = Call::get(CallKind::Balances, path, BALANCES_MAX_RESPONSE_BYTES);
        // Endpoints agree when they say the same about this denom (other denoms do not matter).
        let page = quorum(o, &call, rest::parse_balances, |a, b| look(a, denom) == look(b, denom)).await?;
        match look(&page, denom) {
            Ok(amount) => return Ok(amount),
            Err(None) => return Ok(0),
            Err(Some(next)) => key = Some(next),
        }
    }
    Err(ApiError::Unavailable {
        kind: CallKind::Balances,
        reason: format!("{denom} not found in {MAX_BALANCE_PAGES} pages of balances of {address}"),
    })
}

/// Gas of a transaction (`UnsignedTx::simulation_tx_bytes`); a failing simulation is
/// [`ApiError::Chain`]. The first usable answer counts.
pub async fn simulate<R: Runtime>(o: &Orchestrator<R>, tx_raw: &[u8]) -> Result<rest::GasInfo, ApiError> {
    let mut call = Call::get(CallKind::Simulate, "/cosmos/tx/v1beta1/simulate".into(), SIMULATE_MAX_RESPONSE_BYTES);
    call.post(rest::simulate_request_body(tx_raw));
    first(o, &call, rest::parse_simulate, &[400, 404, 500]).await
}

/// Sends signed `TxRaw` bytes (sync mode: the answer is CheckTx's). Non-replicated.
pub async fn broadcast<R: Runtime>(o: &Orchestrator<R>, tx_raw: &[u8]) -> Result<rest::BroadcastResult, ApiError> {
    let mut call = Call::get(CallKind::Broadcast, "/cosmos/tx/v1beta1/txs".into(), BROADCAST_MAX_RESPONSE_BYTES);
    call.post(rest::broadcast_request_body(tx_raw));
    call.replicated = false;
    // Only a 400 is the chain refusing the bytes; after a 500 another node may take them.
    first(o, &call, rest::parse_broadcast, &[400]).await
}

/// A transaction by hash; `None` while a quorum says the chain does not know it.
pub async fn tx<R: Runtime>(o: &Orchestrator<R>, hash: &str) -> Result<Option<rest::TxResult>, ApiError> {
    let path = format!("/cosmos/tx/v1beta1/txs/{}", encode(hash));
    let call = Call::get(CallKind::Tx, path, TX_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::parse_tx, |a, b| a == b).await
}

/// The latest block's height and time (the first usable answer).
pub async fn latest_block<R: Runtime>(o: &Orchestrator<R>) -> Result<rest::BlockInfo, ApiError> {
    let call = Call::get(
        CallKind::LatestBlock,
        "/cosmos/base/tendermint/v1beta1/blocks/latest".into(),
        LATEST_BLOCK_MAX_RESPONSE_BYTES,
    );
    first(o, &call, rest::parse_latest_block, &[]).await
}

/// Whether ACT can be minted now. Endpoints agree on the status, the flags and the thresholds;
/// the collateral ratio moves with every price and is the first agreeing endpoint's.
pub async fn bme_status<R: Runtime>(o: &Orchestrator<R>) -> Result<rest::BmeStatus, ApiError> {
    let call = Call::get(CallKind::BmeStatus, "/akash/bme/v1/status".into(), BME_STATUS_MAX_RESPONSE_BYTES);
    let key = |s: &rest::BmeStatus| (s.status.clone(), s.mints_allowed, s.refunds_allowed, s.warn_threshold, s.halt_threshold);
    quorum(o, &call, rest::parse_bme_status, |a, b| key(a) == key(b)).await
}

/// The newest `limit` BME ledger records of `source` (at most [`MAX_BME_LEDGER_RECORDS`]),
/// newest first.
pub async fn mint_records<R: Runtime>(o: &Orchestrator<R>, source: &str, limit: u32) -> Result<Vec<rest::LedgerRecordEntry>, ApiError> {
    let limit = limit.clamp(1, MAX_BME_LEDGER_RECORDS);
    let path = format!("/akash/bme/v1/ledger?filters.source={}&pagination.limit={limit}&pagination.reverse=true", encode(source));
    let max = BME_LEDGER_BASE_MAX_RESPONSE_BYTES + u64::from(limit) * BME_LEDGER_RECORD_MAX_RESPONSE_BYTES;
    let call = Call::get(CallKind::BmeLedger, path, max);
    let page = quorum(o, &call, rest::parse_bme_ledger_records, |a, b| a.records == b.records).await?;
    Ok(page.records)
}

/// The fee allowance `granter` gives `grantee`; `None` when there is none.
pub async fn fee_allowance<R: Runtime>(o: &Orchestrator<R>, granter: &str, grantee: &str) -> Result<Option<rest::FeeAllowance>, ApiError> {
    let path = format!("/cosmos/feegrant/v1beta1/allowance/{}/{}", encode(granter), encode(grantee));
    let call = Call::get(CallKind::FeeAllowance, path, FEE_ALLOWANCE_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::parse_fee_allowance, |a, b| a == b).await
}

/// The escrow deposit authorizations `granter` gives `grantee` (authz grants stored under
/// `MsgAccountDeposit`); empty when there are none.
pub async fn deposit_grants<R: Runtime>(o: &Orchestrator<R>, granter: &str, grantee: &str) -> Result<rest::AuthzGrants, ApiError> {
    let path = format!(
        "/cosmos/authz/v1beta1/grants?granter={}&grantee={}&msg_type_url={}",
        encode(granter),
        encode(grantee),
        encode(ic_akash::proto::akash_msgs::type_url::DEPOSIT_AUTHORIZATION_MSG_TYPE_URL)
    );
    let call = Call::get(CallKind::AuthzGrants, path, AUTHZ_GRANTS_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::parse_authz_grants, |a, b| a.grants == b.grants).await
}

/// The deployment module's minimum deposits.
pub async fn deployment_params<R: Runtime>(o: &Orchestrator<R>) -> Result<Vec<rest::Coin>, ApiError> {
    let call = Call::get(CallKind::DeploymentParams, "/akash/deployment/v1beta4/params".into(), DEPLOYMENT_PARAMS_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::parse_deployment_params, |a, b| a == b).await
}

/// A provider's registration (where its API is); `None` when the chain does not know it.
pub async fn provider<R: Runtime>(o: &Orchestrator<R>, owner: &str) -> Result<Option<rest::provider::ProviderInfo>, ApiError> {
    let path = format!("/akash/provider/v1beta4/providers/{}", encode(owner));
    let call = Call::get(CallKind::Provider, path, PROVIDER_MAX_RESPONSE_BYTES);
    quorum(o, &call, rest::provider::parse_provider, |a, b| a == b).await
}

/// The open bids on deployment (`owner`, `dseq`), at most [`MAX_BIDS_PER_READ`] (the first
/// page). The first usable answer counts: a bid that is not what an endpoint said only makes
/// the `MsgCreateLease` that names it fail.
pub async fn bids<R: Runtime>(o: &Orchestrator<R>, owner: &str, dseq: u64) -> Result<Vec<rest::Bid>, ApiError> {
    let path = format!(
        "/akash/market/v1beta5/bids/list?filters.owner={}&filters.dseq={dseq}&filters.state=open&pagination.limit={MAX_BIDS_PER_READ}",
        encode(owner)
    );
    let call = Call::get(CallKind::Bids, path, BIDS_MAX_RESPONSE_BYTES);
    Ok(first(o, &call, rest::parse_bids, &[]).await?.bids)
}

/// Deployment (`owner`, `dseq`) with its groups and escrow account (funds, transferred); `None`
/// when the chain does not know it. Endpoints agree when they say exactly the same.
pub async fn deployment<R: Runtime>(o: &Orchestrator<R>, owner: &str, dseq: u64) -> Result<Option<rest::DeploymentInfo>, ApiError> {
    let path = format!("/akash/deployment/v1beta4/deployments/info?id.owner={}&id.dseq={dseq}", encode(owner));
    let call = Call::get(CallKind::Deployment, path, DEPLOYMENT_MAX_RESPONSE_BYTES);
    quorum(o, &call, |b: &[u8]| unless_not_found(rest::parse_deployment(b)), |a, b| a == b).await
}

/// The lease of bid `id` with its escrow payment; `None` when the chain does not know it.
/// Endpoints agree when they say exactly the same.
pub async fn lease<R: Runtime>(o: &Orchestrator<R>, id: &rest::BidId) -> Result<Option<rest::Lease>, ApiError> {
    let path = format!(
        "/akash/market/v1beta5/leases/info?id.owner={}&id.dseq={}&id.gseq={}&id.oseq={}&id.provider={}&id.bseq={}",
        encode(&id.owner),
        id.dseq,
        id.gseq,
        id.oseq,
        encode(&id.provider),
        id.bseq
    );
    let call = Call::get(CallKind::Lease, path, LEASE_MAX_RESPONSE_BYTES);
    quorum(o, &call, |b: &[u8]| unless_not_found(rest::parse_lease(b)), |a, b| a == b).await
}

/// The chain's "not found" as `None` (for parsers that leave it an error).
fn unless_not_found<T>(parsed: Result<T, RestError>) -> Result<Option<T>, RestError> {
    match parsed {
        Ok(v) => Ok(Some(v)),
        Err(RestError::Chain(e)) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Machinery

/// One request, to be sent to some endpoint.
pub(crate) struct Call {
    pub(crate) kind: CallKind,
    pub(crate) method: HttpMethod,
    /// Appended to the endpoint's base URL.
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) max_response_bytes: u64,
    pub(crate) replicated: bool,
}

impl Call {
    pub(crate) fn get(kind: CallKind, path: String, max_response_bytes: u64) -> Call {
        Call { kind, method: HttpMethod::Get, path, headers: Vec::new(), body: Vec::new(), max_response_bytes, replicated: true }
    }

    pub(crate) fn post(&mut self, body: Vec<u8>) {
        self.method = HttpMethod::Post;
        self.headers = vec![("Content-Type".into(), "application/json".into())];
        self.body = body;
    }
}

/// What one endpoint said.
enum Outcome<T> {
    Answer(T),
    /// The chain refused the request (only where the call's statuses allow it).
    Verdict(ChainError),
    /// Nothing usable: why.
    Failed(String),
}

/// The endpoints and quorum of the current configuration, in the order this call tries them.
fn endpoints<R: Runtime>(o: &Orchestrator<R>) -> (Vec<String>, usize) {
    let (mut urls, quorum) = o.read(|s| {
        let c = s.config();
        (c.akash_api_urls.clone(), usize::from(c.akash_read_quorum))
    });
    let start = o.http_stats.borrow_mut().rotate(urls.len());
    urls.rotate_left(start);
    let quorum = quorum.clamp(1, urls.len().max(1));
    (urls, quorum)
}

/// Bytes of the request the price counts: URL, headers, body.
fn request_bytes(r: &HttpRequest) -> u64 {
    let headers: usize = r.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
    (r.url.len() + headers + r.body.len()) as u64
}

/// One endpoint's response, asking again with a doubled `max_response_bytes` while the
/// response is too large (up to [`MAX_RESPONSE_BYTES_LIMIT`]).
pub(crate) async fn send<R: Runtime>(o: &Orchestrator<R>, base: &str, call: &Call) -> Result<HttpResponse, String> {
    let mut max = call.max_response_bytes.min(MAX_RESPONSE_BYTES_LIMIT);
    loop {
        let request = HttpRequest {
            url: format!("{base}{}", call.path),
            method: call.method,
            headers: call.headers.clone(),
            body: call.body.clone(),
            max_response_bytes: max,
            replicated: call.replicated,
            transform_context: transform::context(call.kind),
        };
        let cycles = http_request_cost_cycles(request_bytes(&request), max);
        {
            let mut stats = o.http_stats.borrow_mut();
            let k = stats.entry(call.kind);
            k.calls += 1;
            k.cycles += cycles;
        }
        match o.rt.http_request(request, cycles).await {
            Ok(r) => return Ok(r),
            Err(e) => {
                o.http_stats.borrow_mut().entry(call.kind).errors += 1;
                match e {
                    HttpError::ResponseTooLarge if max < MAX_RESPONSE_BYTES_LIMIT => {
                        max = max.saturating_mul(2).min(MAX_RESPONSE_BYTES_LIMIT);
                    }
                    HttpError::ResponseTooLarge => return Err(format!("response larger than {MAX_RESPONSE_BYTES_LIMIT} bytes")),
                    e => return Err(e.to_string()),
                }
            }
        }
    }
}

/// What a response means for a call. A 2xx body goes to the parser; so does a 400, 404 or 500
/// whose body is a chain error the gateway relays (the parser may make "not found" an answer).
/// A chain error left over is the chain's verdict on the request when its status is in
/// `verdict_statuses` (or 2xx) and its code [`is_verdict_code`]; otherwise the endpoint failed.
fn classify<T>(
    response: &HttpResponse,
    parse: &impl Fn(&[u8]) -> Result<T, RestError>,
    verdict_statuses: &[u16],
) -> Outcome<T> {
    let status = response.status;
    let success = (200..300).contains(&status);
    if !success {
        let relayed = rest::parse_chain_error(&response.body).ok();
        if !matches!(status, 400 | 404 | 500) || relayed.is_none() {
            let what = relayed.map(|e| format!(": {e}")).unwrap_or_default();
            return Outcome::Failed(format!("HTTP {status}{what}"));
        }
    }
    let verdicts = !verdict_statuses.is_empty() && (success || verdict_statuses.contains(&status));
    match parse(&response.body) {
        Ok(v) => Outcome::Answer(v),
        Err(RestError::Chain(e)) if verdicts && is_verdict_code(e.code) => Outcome::Verdict(e),
        Err(RestError::Chain(e)) => Outcome::Failed(format!("HTTP {status}: {e}")),
        Err(e) => Outcome::Failed(format!("HTTP {status}, undecodable: {e}")),
    }
}

/// Asks `base` and classifies its answer (counting and logging a failure).
async fn ask<R: Runtime, T>(
    o: &Orchestrator<R>,
    base: &str,
    call: &Call,
    parse: &impl Fn(&[u8]) -> Result<T, RestError>,
    verdict_statuses: &[u16],
) -> Outcome<T> {
    let outcome = match send(o, base, call).await {
        Ok(r) => {
            let outcome = classify(&r, parse, verdict_statuses);
            if matches!(outcome, Outcome::Failed(_)) {
                o.http_stats.borrow_mut().entry(call.kind).errors += 1;
            }
            outcome
        }
        Err(reason) => Outcome::Failed(reason),
    };
    if let Outcome::Failed(reason) = &outcome {
        // One endpoint among several: the call moves on to the next (the call's own error says more).
        o.log(Level::Debug, format!("Akash {} at {base}: {}", call.kind, bounded(reason)));
    }
    outcome
}

/// Cuts a reason for logs and errors.
fn bounded(s: &str) -> &str {
    const MAX: usize = 300;
    let mut end = s.len().min(MAX);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn unavailable(kind: CallKind, failures: &[(String, String)]) -> ApiError {
    let reason = if failures.is_empty() {
        "no endpoint configured".to_string()
    } else {
        failures.iter().map(|(url, why)| format!("{url}: {}", bounded(why))).collect::<Vec<_>>().join("; ")
    };
    ApiError::Unavailable { kind, reason }
}

/// The first usable answer, trying endpoints in turn.
async fn first<R: Runtime, T>(
    o: &Orchestrator<R>,
    call: &Call,
    parse: impl Fn(&[u8]) -> Result<T, RestError>,
    verdict_statuses: &[u16],
) -> Result<T, ApiError> {
    let (urls, _) = endpoints(o);
    let mut failures = Vec::new();
    for base in urls {
        match ask(o, &base, call, &parse, verdict_statuses).await {
            Outcome::Answer(v) => return Ok(v),
            Outcome::Verdict(e) => return Err(ApiError::Chain(e)),
            Outcome::Failed(why) => failures.push((base, why)),
        }
    }
    Err(unavailable(call.kind, &failures))
}

/// An answer that `quorum` endpoints gave alike (by `same`), asking one endpoint at a time and
/// stopping as soon as there is one, or once the endpoints left cannot make one.
async fn quorum<R: Runtime, T>(
    o: &Orchestrator<R>,
    call: &Call,
    parse: impl Fn(&[u8]) -> Result<T, RestError>,
    same: impl Fn(&T, &T) -> bool,
) -> Result<T, ApiError> {
    let (urls, needed) = endpoints(o);
    let total = urls.len();
    // Distinct answers, each with the endpoints that gave it.
    let mut groups: Vec<(T, Vec<String>)> = Vec::new();
    let mut failures = Vec::new();
    for (asked, base) in urls.into_iter().enumerate() {
        match ask(o, &base, call, &parse, &[]).await {
            Outcome::Answer(v) => match groups.iter_mut().position(|(g, _)| same(g, &v)) {
                Some(i) => {
                    groups[i].1.push(base);
                    if groups[i].1.len() >= needed {
                        return Ok(groups.swap_remove(i).0);
                    }
                }
                None if needed <= 1 => return Ok(v),
                None => groups.push((v, vec![base])),
            },
            Outcome::Verdict(e) => failures.push((base, e.to_string())),
            Outcome::Failed(why) => failures.push((base, why)),
        }
        let best = groups.iter().map(|(_, g)| g.len()).max().unwrap_or(0);
        if best + (total - asked - 1) < needed {
            break;
        }
    }
    let answers: usize = groups.iter().map(|(_, g)| g.len()).sum();
    if answers >= needed {
        let split = groups.iter().map(|(_, g)| g.join(", ")).collect::<Vec<_>>().join(" | ");
        o.log(Level::Error, format!("Akash {}: no {needed} endpoints agree: {split}", call.kind));
        return Err(ApiError::Disagreement {
            kind: call.kind,
            answers: u8::try_from(answers).unwrap_or(u8::MAX),
            quorum: u8::try_from(needed).unwrap_or(u8::MAX),
        });
    }
    if answers > 0 {
        let who = groups.iter().flat_map(|(_, g)| g.iter().cloned()).collect::<Vec<_>>().join(", ");
        failures.push((who, format!("answered, but {answers} of the {needed} needed")));
    }
    Err(unavailable(call.kind, &failures))
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
