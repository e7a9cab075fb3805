//! The runtime on the Internet Computer.

use super::{CallError, HttpError, HttpMethod, HttpRequest, HttpResponse, Runtime, Task};
use crate::ledger::{ArchiveCallback, BlockRange, GetBlocksArgs, QueryArchiveError, QueryArchiveResult, QueryBlocksResponse};
use crate::xrc::{GetExchangeRateRequest, GetExchangeRateResult};
use candid::{CandidType, Nat, Principal};
use ic_cdk::call::{Call, CallFailed};
use ic_cdk_management_canister as mgmt;
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Bounded-wait calls give up after this long; the outcome is then unknown.
pub const CALL_TIMEOUT_SECS: u32 = 120;
const SYS_UNKNOWN: u32 = 6;

pub type TimerHandler = fn(Task) -> Pin<Box<dyn Future<Output = ()>>>;

pub struct IcRuntime {
    /// Runs a task on the canister's global orchestrator (set by `main.rs`).
    pub on_timer: TimerHandler,
}

fn call_error(e: CallFailed) -> CallError {
    match e {
        CallFailed::CallRejected(r) if r.raw_reject_code() == SYS_UNKNOWN => {
            CallError::Unknown { message: r.reject_message().to_string() }
        }
        CallFailed::CallRejected(r) => {
            CallError::Rejected { code: r.raw_reject_code(), message: r.reject_message().to_string() }
        }
        other => CallError::Rejected { code: 0, message: other.to_string() },
    }
}

async fn call<A: CandidType, T: for<'de> candid::Deserialize<'de> + CandidType>(
    id: Principal,
    method: &str,
    arg: A,
    cycles: u128,
) -> Result<T, CallError> {
    let response = Call::bounded_wait(id, method)
        .with_arg(arg)
        .with_cycles(cycles)
        .change_timeout(CALL_TIMEOUT_SECS)
        .await
        .map_err(call_error)?;
    response.candid::<T>().map_err(|e| CallError::Decode { message: e.to_string() })
}

fn key_id(name: &str) -> mgmt::EcdsaKeyId {
    mgmt::EcdsaKeyId { curve: mgmt::EcdsaCurve::Secp256k1, name: name.to_string() }
}

impl Runtime for IcRuntime {
    fn time_nanos(&self) -> u64 {
        ic_cdk::api::time()
    }
    fn caller(&self) -> Principal {
        ic_cdk::api::msg_caller()
    }
    fn canister_id(&self) -> Principal {
        ic_cdk::api::canister_self()
    }
    fn is_controller(&self, principal: &Principal) -> bool {
        ic_cdk::api::is_controller(principal)
    }
    fn cycles_balance(&self) -> u128 {
        ic_cdk::api::canister_cycle_balance()
    }

    async fn icrc2_transfer_from(&self, ledger: Principal, arg: TransferFromArgs) -> Result<Result<Nat, TransferFromError>, CallError> {
        call(ledger, "icrc2_transfer_from", arg, 0).await
    }

    async fn query_blocks(&self, ledger: Principal, arg: GetBlocksArgs) -> Result<QueryBlocksResponse, CallError> {
        call(ledger, "query_blocks", arg, 0).await
    }

    async fn query_archive(&self, callback: ArchiveCallback, arg: GetBlocksArgs) -> Result<Result<BlockRange, QueryArchiveError>, CallError> {
        let r: QueryArchiveResult = call(callback.principal, &callback.method, arg, 0).await?;
        Ok(match r {
            QueryArchiveResult::Ok(b) => Ok(b),
            QueryArchiveResult::Err(e) => Err(e),
        })
    }

    async fn get_exchange_rate(&self, xrc: Principal, arg: GetExchangeRateRequest, cycles: u128) -> Result<GetExchangeRateResult, CallError> {
        call(xrc, "get_exchange_rate", arg, cycles).await
    }

    async fn ecdsa_public_key(&self, key_name: &str, derivation_path: Vec<Vec<u8>>) -> Result<Vec<u8>, CallError> {
        let arg = mgmt::EcdsaPublicKeyArgs { canister_id: None, derivation_path, key_id: key_id(key_name) };
        mgmt::ecdsa_public_key(&arg)
            .await
            .map(|r| r.public_key)
            .map_err(|e| CallError::Rejected { code: 0, message: e.to_string() })
    }

    async fn sign_with_ecdsa(&self, key_name: &str, derivation_path: Vec<Vec<u8>>, message_hash: [u8; 32]) -> Result<Vec<u8>, CallError> {
        let arg = mgmt::SignWithEcdsaArgs { message_hash: message_hash.to_vec(), derivation_path, key_id: key_id(key_name) };
        mgmt::sign_with_ecdsa(&arg)
            .await
            .map(|r| r.signature)
            .map_err(|e| CallError::Rejected { code: 0, message: e.to_string() })
    }

    async fn http_request(&self, request: HttpRequest, _cycles: u128) -> Result<HttpResponse, HttpError> {
        // ic-cdk 0.20 attaches the exact cost itself; `_cycles` is what the caller accounts.
        let method = match request.method {
            HttpMethod::Get => mgmt::HttpMethod::GET,
            HttpMethod::Post => mgmt::HttpMethod::POST,
            HttpMethod::Put if request.replicated => {
                return Err(HttpError::Rejected { message: "PUT outcalls must be non-replicated".into() });
            }
            HttpMethod::Put => mgmt::HttpMethod::PUT,
        };
        let mut r = mgmt::HttpRequest::new(request.url)
            .with_method(method)
            .with_max_response_bytes(request.max_response_bytes)
            .with_transform(mgmt::TransformContext {
                function: mgmt::TransformFunc::new(ic_cdk::api::canister_self(), TRANSFORM_METHOD.to_string()),
                context: request.transform_context,
            });
        if !request.replicated {
            r = r.non_replicated();
        }
        for (name, value) in request.headers {
            r = r.with_header(name, value);
        }
        if !request.body.is_empty() {
            r = r.with_body(request.body);
        }
        let result = r.send().await.map_err(|e| classify_http_error(e.to_string()))?;
        Ok(HttpResponse { status: u16::try_from(result.status.0).unwrap_or(0), body: result.body })
    }

    fn set_timer(&self, delay_secs: u64, task: Task) {
        let handler = self.on_timer;
        ic_cdk_timers::set_timer(Duration::from_secs(delay_secs), async move { handler(task).await });
    }

    fn debug_print(&self, line: &str) {
        ic_cdk::api::debug_print(line);
    }
}

/// The canister's query method that runs `transform::apply` on each replica's response.
pub const TRANSFORM_METHOD: &str = "transform_http";

/// Sorts the management canister's reject messages into what the client does next.
fn classify_http_error(message: String) -> HttpError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("size limit") || lower.contains("exceeds") && lower.contains("bytes") {
        HttpError::ResponseTooLarge
    } else if lower.contains("consensus") {
        HttpError::NoConsensus
    } else if lower.contains("cycles") {
        HttpError::Rejected { message }
    } else {
        HttpError::Unreachable { message }
    }
}
