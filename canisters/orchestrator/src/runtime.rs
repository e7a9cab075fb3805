//! The one interface through which the orchestrator touches the world: time, caller, ledger,
//! XRC, threshold ECDSA, HTTPS outcalls, timers and cycles. `ic::IcRuntime` implements it on
//! the Internet Computer; `fake::FakeRuntime` implements it natively with simulated peers, so
//! every flow, awaits and failures included, runs in `cargo test`.

use crate::ledger::{ArchiveCallback, BlockRange, GetBlocksArgs, QueryArchiveError, QueryBlocksResponse};
use crate::xrc::{GetExchangeRateRequest, GetExchangeRateResult};
use candid::{Nat, Principal};
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};

pub mod ic;
#[cfg(not(target_arch = "wasm32"))]
pub mod fake;

/// Why an inter-canister call gave no usable answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The call was refused before it ran (destination missing, queue full, callee trapped...):
    /// nothing happened on the other side.
    Rejected { code: u32, message: String },
    /// The answer was lost (bounded-wait timeout, `SYS_UNKNOWN`): the call may have run.
    Unknown { message: String },
    /// The answer came but does not decode as the expected candid type.
    Decode { message: String },
}

impl CallError {
    /// Whether the callee may have executed the call; decides between "retry" and "failed".
    pub fn may_have_executed(&self) -> bool {
        !matches!(self, CallError::Rejected { .. })
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Rejected { code, message } => write!(f, "rejected ({code}): {message}"),
            CallError::Unknown { message } => write!(f, "outcome unknown: {message}"),
            CallError::Decode { message } => write!(f, "undecodable answer: {message}"),
        }
    }
}

/// An HTTPS outcall, as the orchestrator makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub method: HttpMethod,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Paid for whatever comes back, so set per request.
    pub max_response_bytes: u64,
    /// Replicated: every replica makes the call and they must agree on the transformed
    /// response. Non-replicated: one replica calls; cheaper, but its answer is one replica's word,
    /// so it is used only where nothing is decided from it (broadcasting signed bytes).
    pub replicated: bool,
    /// Context handed to the canister's transform (`transform::apply`), which reduces each
    /// replica's response to what must agree.
    pub transform_context: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    /// Accepted by the IC only non-replicated (`replicated: false`); the provider API's
    /// `PUT /deployment/{dseq}/manifest` needs it.
    Put,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why an HTTPS outcall gave no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The response was larger than `max_response_bytes` (retry with a larger limit).
    ResponseTooLarge,
    /// The replicas saw different responses, even after the transform.
    NoConsensus,
    /// The server could not be reached or did not answer in time; the request may have arrived.
    Unreachable { message: String },
    /// Refused before it was made (not enough cycles, malformed request...).
    Rejected { message: String },
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::ResponseTooLarge => write!(f, "response larger than max_response_bytes"),
            HttpError::NoConsensus => write!(f, "replicas saw different responses"),
            HttpError::Unreachable { message } => write!(f, "unreachable: {message}"),
            HttpError::Rejected { message } => write!(f, "rejected: {message}"),
        }
    }
}

/// Nodes of an application subnet, which the outcall price scales with.
pub const SUBNET_NODES: u128 = 13;

/// What an HTTPS outcall costs on a `SUBNET_NODES` subnet: a base per node plus the request
/// bytes and the reserved response bytes (paid whether used or not).
pub fn http_request_cost_cycles(request_bytes: u64, max_response_bytes: u64) -> u128 {
    let n = SUBNET_NODES;
    (3_000_000 + 60_000 * n) * n + (400 * request_bytes as u128 + 800 * max_response_bytes as u128) * n
}

/// Work a timer runs later. A closed list rather than closures so that, after an upgrade (which
/// drops every timer), `post_upgrade` can schedule again what the persisted state still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Task {
    /// Ask the ledger again about ICRC-2 deposits whose answer was lost.
    RetryPendingDeposits,
    /// Move Akash transactions along (sign, broadcast, confirm) and settle ACT mints.
    AkashPipeline,
    /// Move deployments along (bids, leases, manifests, escrow checks, closes).
    Deployments,
}

/// Effects, as seen by the flows. Methods are async where the IC makes them calls.
#[allow(async_fn_in_trait)]
pub trait Runtime {
    /// Nanoseconds since the epoch (IC time: the same for the whole message).
    fn time_nanos(&self) -> u64;
    fn caller(&self) -> Principal;
    fn canister_id(&self) -> Principal;
    fn is_controller(&self, principal: &Principal) -> bool;
    fn cycles_balance(&self) -> u128;

    async fn icrc2_transfer_from(
        &self,
        ledger: Principal,
        arg: TransferFromArgs,
    ) -> Result<Result<Nat, TransferFromError>, CallError>;

    /// The ICP ledger's `query_blocks` (blocks still on the ledger plus where archived ones are).
    async fn query_blocks(
        &self,
        ledger: Principal,
        arg: GetBlocksArgs,
    ) -> Result<QueryBlocksResponse, CallError>;

    /// An archive's block range, through the callback the ledger handed out.
    async fn query_archive(
        &self,
        callback: ArchiveCallback,
        arg: GetBlocksArgs,
    ) -> Result<Result<BlockRange, QueryArchiveError>, CallError>;

    /// XRC's `get_exchange_rate`, with `cycles` attached (XRC refunds what it does not use).
    async fn get_exchange_rate(
        &self,
        xrc: Principal,
        arg: GetExchangeRateRequest,
        cycles: u128,
    ) -> Result<GetExchangeRateResult, CallError>;

    /// The compressed SEC1 public key for `derivation_path` under `key_name`.
    async fn ecdsa_public_key(
        &self,
        key_name: &str,
        derivation_path: Vec<Vec<u8>>,
    ) -> Result<Vec<u8>, CallError>;

    /// 64-byte r||s over `message_hash` (not normalised: callers normalise and verify).
    async fn sign_with_ecdsa(
        &self,
        key_name: &str,
        derivation_path: Vec<Vec<u8>>,
        message_hash: [u8; 32],
    ) -> Result<Vec<u8>, CallError>;

    /// An HTTPS outcall with `cycles` attached (see [`http_request_cost_cycles`]).
    async fn http_request(&self, request: HttpRequest, cycles: u128) -> Result<HttpResponse, HttpError>;

    /// Run `task` after `delay_secs`.
    fn set_timer(&self, delay_secs: u64, task: Task);

    /// Writes a line to the canister log (what `dfx canister logs` shows).
    fn debug_print(&self, line: &str);
}
