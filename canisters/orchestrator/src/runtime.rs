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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Work a timer runs later. A closed list rather than closures so that, after an upgrade (which
/// drops every timer), `post_upgrade` can schedule again what the persisted state still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Task {
    /// Ask the ledger again about ICRC-2 deposits whose answer was lost.
    RetryPendingDeposits,
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

    async fn http_request(&self, request: HttpRequest) -> Result<HttpResponse, CallError>;

    /// Run `task` after `delay_secs`.
    fn set_timer(&self, delay_secs: u64, task: Task);
}
