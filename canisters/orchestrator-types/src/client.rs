//! A typed client of the orchestrator for canisters that call it (feature `client`).
//!
//! ```ignore
//! let orch = OrchestratorClient::new(orchestrator_id, IcTransport);
//! orch.approve_deposit(ledger_id, 500_000_000, orch.ledger_fee(ledger_id).await?).await?;
//! let credit = orch.deposit_icp(DepositIcpArg { amount_e8s: 500_000_000, beneficiary: None, from_subaccount: None }).await?;
//! let id = orch.create_deployment(CreateDeploymentArg { sdl, deposit_uact: 5_000_000, ..Default::default() }).await?;
//! ```
//!
//! (The ledger calls fail with `ClientError<ApproveError>`, the orchestrator's with
//! `ClientError<Error>`; `canisters/example-client` is a complete canister built on this.)
//!
//! Every method returns [`ClientError`], which keeps apart a call that failed in the system
//! ([`ClientError::Call`]: reject code and message), the orchestrator's own typed answer
//! ([`ClientError::Refused`] with its stable [`Error`] variants) and an interface mismatch
//! ([`ClientError::Candid`]).
//!
//! **Lost answers.** Methods that move money and cannot be repeated safely (`deposit_icp`,
//! `mint_act`, `create_deployment`, `top_up_deployment`, `update_deployment`, `withdraw`,
//! `get_provider_token`) wait without a bound ([`Wait::Unbounded`]), so their answer is never
//! replaced by `SYS_UNKNOWN`; the price is that the calling canister cannot stop while one is in
//! flight. The others wait at most [`BOUNDED_WAIT_SECS`] and are safe to call again: reads, and
//! `notify_deposit` and `close_deployment`, which give the same outcome when repeated. When a
//! call fails with [`CallFailure::may_have_run`] (`SYS_UNKNOWN`, or the orchestrator trapped
//! after a commit point), do not pay again: read `get_balance`, `get_journal` or
//! `list_deployments` to learn what happened, then decide.

use crate::{
    Balance, Config, CreateDeploymentArg, Credit, DepositAccount, DepositIcpArg, DeploymentPage, DeploymentView, Error,
    GetDeploymentHistoryArg, GetJournalArg, GetProviderTokenArg, JournalPage, ListDeploymentsArg, MintActArg, NotifyDepositArg,
    ProviderToken, Quote, Stats, TopUpDeploymentArg, UpdateDeploymentArg, WithdrawArg,
};
use candid::utils::ArgumentEncoder;
use candid::{CandidType, Nat, Principal};
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc2::approve::{ApproveArgs, ApproveError};
use serde::de::DeserializeOwned;

/// How long a bounded-wait call may wait for its answer before it fails with `SYS_UNKNOWN`.
pub const BOUNDED_WAIT_SECS: u32 = 120;

/// The IC's reject code for "the outcome is unknown" (a bounded-wait call timed out).
pub const SYS_UNKNOWN: u32 = 6;
/// The IC's reject code for "the callee trapped": its changes up to its last commit point (an
/// `await`) stay.
pub const CANISTER_ERROR: u32 = 5;

/// Whether a call may give up waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// At most [`BOUNDED_WAIT_SECS`]; then `SYS_UNKNOWN`, and the call may or may not have run.
    Bounded,
    /// Until the answer comes: it is never lost.
    Unbounded,
}

/// A call that got no reply: the IC's reject code and message (code 0: it was never sent, e.g.
/// too few cycles).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallFailure {
    pub code: u32,
    pub message: String,
}

impl CallFailure {
    /// Whether the callee may have acted on the call: `SYS_UNKNOWN`, or a trap after it had
    /// already committed changes. Anything else means it did nothing.
    pub fn may_have_run(&self) -> bool {
        self.code == SYS_UNKNOWN || self.code == CANISTER_ERROR
    }
}

/// What a call through the client can end in besides success. `E` is the callee's own error
/// type: the orchestrator's [`Error`], or the ledger's `ApproveError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError<E = Error> {
    /// The call itself failed (rejected, timed out, never sent).
    Call(CallFailure),
    /// The callee answered with its own typed error.
    Refused(E),
    /// The argument could not be encoded or the reply decoded: the callee does not speak the
    /// interface this crate was built for.
    Candid(String),
}

impl<E: std::fmt::Display> std::fmt::Display for ClientError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Call(c) => write!(f, "call failed (reject code {}): {}", c.code, c.message),
            ClientError::Refused(e) => write!(f, "{e}"),
            ClientError::Candid(m) => write!(f, "candid: {m}"),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for ClientError<E> {}

/// How the client reaches other canisters: [`IcTransport`] on the IC; tests give their own.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Calls `method` of `canister` with candid-encoded `arg`; the reply's bytes, or why there is
    /// none.
    async fn call(&self, canister: Principal, method: &str, arg: Vec<u8>, wait: Wait) -> Result<Vec<u8>, CallFailure>;
}

/// Inter-canister calls with ic-cdk.
#[derive(Clone, Copy, Debug, Default)]
pub struct IcTransport;

impl Transport for IcTransport {
    async fn call(&self, canister: Principal, method: &str, arg: Vec<u8>, wait: Wait) -> Result<Vec<u8>, CallFailure> {
        use ic_cdk::call::{Call, CallFailed};
        let call = match wait {
            Wait::Bounded => Call::bounded_wait(canister, method).change_timeout(BOUNDED_WAIT_SECS),
            Wait::Unbounded => Call::unbounded_wait(canister, method),
        };
        match call.take_raw_args(arg).await {
            Ok(reply) => Ok(reply.into_bytes()),
            Err(CallFailed::CallRejected(r)) => Err(CallFailure { code: r.raw_reject_code(), message: r.reject_message().to_string() }),
            Err(other) => Err(CallFailure { code: 0, message: other.to_string() }),
        }
    }
}

/// Argument lists the client sends: none or one value.
trait Args: ArgumentEncoder {
    /// The arguments' types, named in `c` (for the test against the `.did` file).
    #[cfg(test)]
    fn add_types(c: &mut candid::types::internal::TypeContainer) -> Vec<candid::types::Type>;
}
impl Args for () {
    #[cfg(test)]
    fn add_types(_: &mut candid::types::internal::TypeContainer) -> Vec<candid::types::Type> {
        Vec::new()
    }
}
impl<A: CandidType> Args for (A,) {
    #[cfg(test)]
    fn add_types(c: &mut candid::types::internal::TypeContainer) -> Vec<candid::types::Type> {
        vec![c.add::<A>()]
    }
}

/// The orchestrator at `id`, called through `transport`. Methods are named as in
/// `candid/orchestrator.did`; the caller is the canister running this code.
pub struct OrchestratorClient<T> {
    pub id: Principal,
    pub transport: T,
}

impl<T: Transport> OrchestratorClient<T> {
    pub fn new(id: Principal, transport: T) -> Self {
        OrchestratorClient { id, transport }
    }

    /// One call: encode, send, decode the reply as `R`.
    async fn call<A: Args, R: CandidType + DeserializeOwned, E>(&self, canister: Principal, method: &'static str, args: A, wait: Wait) -> Result<R, ClientError<E>> {
        #[cfg(test)]
        tests::record::<A, R>(canister == self.id, method);
        let arg = candid::encode_args(args).map_err(|e| ClientError::Candid(format!("{method} argument: {e}")))?;
        let reply = self.transport.call(canister, method, arg, wait).await.map_err(ClientError::Call)?;
        candid::decode_one(&reply).map_err(|e| ClientError::Candid(format!("{method} reply: {e}")))
    }

    /// A call to the orchestrator whose reply is `Result<R, Error>`.
    async fn fallible<A: Args, R: CandidType + DeserializeOwned>(&self, method: &'static str, args: A, wait: Wait) -> Result<R, ClientError> {
        self.call::<A, Result<R, Error>, Error>(self.id, method, args, wait).await?.map_err(ClientError::Refused)
    }

    /// Takes `amount_e8s` the caller approved (see [`Self::approve_deposit`]) and credits its AKT
    /// value. `Refused(DepositPending)` means the ledger's answer was lost: the orchestrator
    /// settles the deposit by itself (see `get_journal`); do not pay again.
    pub async fn deposit_icp(&self, arg: DepositIcpArg) -> Result<Credit, ClientError> {
        self.fallible("deposit_icp", (arg,), Wait::Unbounded).await
    }

    /// Credits a transfer to a deposit account, once; repeating it returns the same credit.
    pub async fn notify_deposit(&self, arg: NotifyDepositArg) -> Result<Credit, ClientError> {
        self.fallible("notify_deposit", (arg,), Wait::Bounded).await
    }

    /// Where to transfer ICP for `beneficiary` (default: the caller) before `notify_deposit`.
    pub async fn get_deposit_account(&self, beneficiary: Option<Principal>) -> Result<DepositAccount, ClientError> {
        self.fallible("get_deposit_account", (beneficiary,), Wait::Bounded).await
    }

    /// What `icp_e8s` buys now, fee included.
    pub async fn quote(&self, icp_e8s: u64) -> Result<Quote, ClientError> {
        self.fallible("quote", (icp_e8s,), Wait::Bounded).await
    }

    /// `of`'s balance (default: the caller).
    pub async fn get_balance(&self, of: Option<Principal>) -> Result<Balance, ClientError> {
        self.call(self.id, "get_balance", (of,), Wait::Bounded).await
    }

    /// Journal entries: what happened to a deposit, mint or withdrawal whose answer was lost.
    pub async fn get_journal(&self, arg: GetJournalArg) -> Result<JournalPage, ClientError> {
        self.call(self.id, "get_journal", (arg,), Wait::Bounded).await
    }

    /// Burns AKT for ACT; returns the mint id (the outcome follows in the journal).
    pub async fn mint_act(&self, arg: MintActArg) -> Result<u64, ClientError> {
        self.fallible("mint_act", (arg,), Wait::Unbounded).await
    }

    /// Starts a deployment; returns its id at once (follow it with [`Self::get_deployment`]).
    pub async fn create_deployment(&self, arg: CreateDeploymentArg) -> Result<u64, ClientError> {
        self.fallible("create_deployment", (arg,), Wait::Unbounded).await
    }

    pub async fn top_up_deployment(&self, arg: TopUpDeploymentArg) -> Result<DeploymentView, ClientError> {
        self.fallible("top_up_deployment", (arg,), Wait::Unbounded).await
    }

    pub async fn update_deployment(&self, arg: UpdateDeploymentArg) -> Result<DeploymentView, ClientError> {
        self.fallible("update_deployment", (arg,), Wait::Unbounded).await
    }

    /// Closes a deployment (the refund follows); safe to repeat until it has ended.
    pub async fn close_deployment(&self, deployment_id: u64) -> Result<DeploymentView, ClientError> {
        self.fallible("close_deployment", (deployment_id,), Wait::Bounded).await
    }

    pub async fn get_deployment(&self, deployment_id: u64) -> Result<DeploymentView, ClientError> {
        self.fallible("get_deployment", (deployment_id,), Wait::Bounded).await
    }

    pub async fn list_deployments(&self, arg: ListDeploymentsArg) -> Result<DeploymentPage, ClientError> {
        self.fallible("list_deployments", (arg,), Wait::Bounded).await
    }

    pub async fn get_deployment_history(&self, arg: GetDeploymentHistoryArg) -> Result<JournalPage, ClientError> {
        self.fallible("get_deployment_history", (arg,), Wait::Bounded).await
    }

    /// A provider token for the caller's deployment (charged a service fee).
    pub async fn get_provider_token(&self, arg: GetProviderTokenArg) -> Result<ProviderToken, ClientError> {
        self.fallible("get_provider_token", (arg,), Wait::Unbounded).await
    }

    /// Sends available AKT to an Akash address; returns the withdrawal id.
    pub async fn withdraw(&self, arg: WithdrawArg) -> Result<u64, ClientError> {
        self.fallible("withdraw", (arg,), Wait::Unbounded).await
    }

    pub async fn get_config(&self) -> Result<Config, ClientError> {
        self.call(self.id, "get_config", (), Wait::Bounded).await
    }

    pub async fn get_stats(&self) -> Result<Stats, ClientError> {
        self.call(self.id, "get_stats", (), Wait::Bounded).await
    }

    /// The ICP ledger's transfer fee in e8s (`icrc1_fee`): read it rather than assume 10_000.
    pub async fn ledger_fee(&self, ledger: Principal) -> Result<u64, ClientError<ApproveError>> {
        let fee: Nat = self.call(ledger, "icrc1_fee", (), Wait::Bounded).await?;
        u64::try_from(fee.0).map_err(|_| ClientError::Candid("icrc1_fee does not fit in u64".into()))
    }

    /// Lets the orchestrator take `amount_e8s` from the caller's default account with
    /// `deposit_icp`: an ICRC-2 approval of `amount_e8s + fee_e8s` on `ledger` (the ledger
    /// charges the fee of the transfer to the payer). Returns the ledger's block index. The
    /// approval replaces any earlier one, so repeating it after a lost answer does not approve
    /// more (it costs one more ledger fee).
    pub async fn approve_deposit(&self, ledger: Principal, amount_e8s: u64, fee_e8s: u64) -> Result<Nat, ClientError<ApproveError>> {
        let total = amount_e8s.checked_add(fee_e8s).ok_or_else(|| ClientError::Candid("amount_e8s + fee_e8s overflows u64".into()))?;
        let arg = ApproveArgs {
            from_subaccount: None,
            spender: Account { owner: self.id, subaccount: None },
            amount: Nat::from(total),
            expected_allowance: None,
            expires_at: None,
            fee: None,
            memo: None,
            created_at_time: None,
        };
        let reply: Result<Nat, ApproveError> = self.call(ledger, "icrc2_approve", (arg,), Wait::Bounded).await?;
        reply.map_err(ClientError::Refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candid::types::internal::TypeContainer;
    use candid::types::subtype::equal;
    use candid::types::{Type, TypeInner};
    use std::cell::RefCell;
    use std::collections::{BTreeMap, HashSet};

    /// Argument and result types of a method, named in the container.
    type Signature = fn(&mut TypeContainer) -> (Vec<Type>, Type);

    thread_local! {
        /// What each orchestrator method was called with and decoded as, by `OrchestratorClient::call`.
        static SIGNATURES: RefCell<BTreeMap<&'static str, Signature>> = RefCell::default();
    }

    fn signature<A: Args, R: CandidType>(c: &mut TypeContainer) -> (Vec<Type>, Type) {
        (A::add_types(c), c.add::<R>())
    }

    pub(super) fn record<A: Args, R: CandidType>(to_orchestrator: bool, method: &'static str) {
        if to_orchestrator {
            SIGNATURES.with(|s| s.borrow_mut().insert(method, signature::<A, R> as Signature));
        }
    }

    /// Answers every call with a reject, and remembers the calls.
    struct Rejecting(RefCell<Vec<(Principal, String, Wait)>>);

    impl Transport for Rejecting {
        async fn call(&self, canister: Principal, method: &str, _arg: Vec<u8>, wait: Wait) -> Result<Vec<u8>, CallFailure> {
            self.0.borrow_mut().push((canister, method.to_string(), wait));
            Err(CallFailure { code: 2, message: "queue full".into() })
        }
    }

    /// Plays the reply bytes it is given.
    struct Replying(Vec<u8>);

    impl Transport for Replying {
        async fn call(&self, _: Principal, _: &str, _: Vec<u8>, _: Wait) -> Result<Vec<u8>, CallFailure> {
            Ok(self.0.clone())
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("test transports answer at once"),
        }
    }

    fn orchestrator() -> Principal {
        Principal::from_slice(&[7, 7, 1])
    }

    /// Calls every orchestrator method of the client once; returns what the transport saw.
    fn call_everything() -> Vec<(Principal, String, Wait)> {
        let c = OrchestratorClient::new(orchestrator(), Rejecting(RefCell::default()));
        let failed = |r: Result<(), ClientError>| assert!(matches!(r, Err(ClientError::Call(CallFailure { code: 2, .. }))), "{r:?}");
        let deposit = DepositIcpArg { amount_e8s: 1, beneficiary: None, from_subaccount: None };
        block_on(async {
            failed(c.deposit_icp(deposit).await.map(drop));
            failed(c.notify_deposit(NotifyDepositArg { block_index: 1, beneficiary: None }).await.map(drop));
            failed(c.get_deposit_account(None).await.map(drop));
            failed(c.quote(1).await.map(drop));
            failed(c.get_balance(None).await.map(drop));
            failed(c.get_journal(GetJournalArg { principal: None, start: None, length: 1 }).await.map(drop));
            failed(c.mint_act(MintActArg { amount_uakt: 1, owner: None }).await.map(drop));
            failed(c.create_deployment(CreateDeploymentArg::default()).await.map(drop));
            failed(c.top_up_deployment(TopUpDeploymentArg { deployment_id: 1, amount_uact: 1 }).await.map(drop));
            failed(c.update_deployment(UpdateDeploymentArg { deployment_id: 1, sdl: String::new() }).await.map(drop));
            failed(c.close_deployment(1).await.map(drop));
            failed(c.get_deployment(1).await.map(drop));
            failed(c.list_deployments(ListDeploymentsArg { owner: None, after: None, length: 1 }).await.map(drop));
            failed(c.get_deployment_history(GetDeploymentHistoryArg { deployment_id: 1, start: None, length: 1 }).await.map(drop));
            failed(c.get_provider_token(GetProviderTokenArg { deployment_id: 1, scopes: vec![], ttl_secs: None }).await.map(drop));
            failed(c.withdraw(WithdrawArg { amount_uakt: 1, to_akash_address: String::new(), owner: None }).await.map(drop));
            failed(c.get_config().await.map(drop));
            failed(c.get_stats().await.map(drop));
        });
        c.transport.0.into_inner()
    }

    /// Every method the client calls is in `candid/orchestrator.did`, with exactly the argument
    /// and result types the client encodes and decodes.
    #[test]
    fn every_method_matches_the_did_file() {
        let calls = call_everything();
        assert_eq!(calls.len(), 18);
        assert!(calls.iter().all(|(to, _, _)| *to == orchestrator()));
        let did = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../candid/orchestrator.did")).unwrap();
        let (mut env, actor) = candid_parser::utils::CandidSource::Text(&did).load().unwrap();
        let actor = actor.expect("a service");
        let actor = match env.trace_type(&actor).unwrap().as_ref() {
            TypeInner::Class(_, service) => service.clone(),
            _ => actor,
        };
        let signatures = SIGNATURES.with(|s| s.borrow().clone());
        for (_, method, _) in &calls {
            let signature = signatures.get(method.as_str()).unwrap_or_else(|| panic!("{method}: no types recorded"));
            let mut rust = TypeContainer::new();
            let (args, ret) = signature(&mut rust);
            let func: Type = TypeInner::Func(candid::types::Function { modes: vec![], args, rets: vec![ret] }).into();
            let func = env.merge_type(rust.env, func);
            let ours = env.as_func(&func).unwrap().clone();
            let theirs = env.get_method(&actor, method).unwrap_or_else(|e| panic!("{method} is not in orchestrator.did: {e}")).clone();
            assert_eq!(ours.args.len(), theirs.args.len(), "{method}: argument count");
            assert_eq!(theirs.rets.len(), 1, "{method}: one result");
            let mut gamma = HashSet::new();
            for (a, b) in ours.args.iter().zip(&theirs.args) {
                equal(&mut gamma, &env, a, b).unwrap_or_else(|e| panic!("{method}: argument {a} vs {b}: {e}"));
            }
            equal(&mut gamma, &env, &ours.rets[0], &theirs.rets[0]).unwrap_or_else(|e| panic!("{method}: result: {e}"));
        }
    }

    /// Money-moving updates that cannot be repeated wait for their answer; everything else is
    /// bounded (and safe to call again).
    #[test]
    fn only_unrepeatable_updates_wait_without_bound() {
        let unbounded: Vec<String> = call_everything().into_iter().filter(|c| c.2 == Wait::Unbounded).map(|c| c.1).collect();
        assert_eq!(
            unbounded,
            ["deposit_icp", "mint_act", "create_deployment", "top_up_deployment", "update_deployment", "get_provider_token", "withdraw"]
        );
    }

    #[test]
    fn replies_are_typed_refusals_or_decode_failures() {
        let refusal = candid::encode_one(Result::<u64, Error>::Err(Error::InvalidSdl { path: "/services".into(), reason: "missing".into() })).unwrap();
        let c = OrchestratorClient::new(orchestrator(), Replying(refusal));
        let r = block_on(c.create_deployment(CreateDeploymentArg::default()));
        assert_eq!(r, Err(ClientError::Refused(Error::InvalidSdl { path: "/services".into(), reason: "missing".into() })));
        // A reply of another type is an interface mismatch, not a refusal.
        let c = OrchestratorClient::new(orchestrator(), Replying(candid::encode_one("hello").unwrap()));
        assert!(matches!(block_on(c.create_deployment(CreateDeploymentArg::default())), Err(ClientError::Candid(m)) if m.starts_with("create_deployment reply")));
        let ok = candid::encode_one(Result::<u64, Error>::Ok(42)).unwrap();
        let c = OrchestratorClient::new(orchestrator(), Replying(ok));
        assert_eq!(block_on(c.create_deployment(CreateDeploymentArg::default())), Ok(42));
    }

    #[test]
    fn the_approval_covers_amount_and_fee_for_the_orchestrator() {
        struct Ledger(RefCell<Option<ApproveArgs>>);
        impl Transport for Ledger {
            async fn call(&self, canister: Principal, method: &str, arg: Vec<u8>, wait: Wait) -> Result<Vec<u8>, CallFailure> {
                assert_eq!((canister, method, wait), (Principal::from_slice(&[9]), "icrc2_approve", Wait::Bounded));
                *self.0.borrow_mut() = Some(candid::decode_one(&arg).unwrap());
                Ok(candid::encode_one(Result::<Nat, ApproveError>::Err(ApproveError::InsufficientFunds { balance: Nat::from(5u8) })).unwrap())
            }
        }
        let c = OrchestratorClient::new(orchestrator(), Ledger(RefCell::default()));
        let r = block_on(c.approve_deposit(Principal::from_slice(&[9]), 100_000_000, 10_000));
        assert_eq!(r, Err(ClientError::Refused(ApproveError::InsufficientFunds { balance: Nat::from(5u8) })));
        let sent = c.transport.0.take().unwrap();
        assert_eq!(sent.spender, Account { owner: orchestrator(), subaccount: None });
        assert_eq!(sent.amount, Nat::from(100_010_000u64));
        assert_eq!(sent.expected_allowance, None, "an approval replaces the previous one");
        assert!(matches!(block_on(c.approve_deposit(Principal::from_slice(&[9]), u64::MAX, 1)), Err(ClientError::Candid(_))));
    }

    #[test]
    fn unknown_outcomes_are_told_apart() {
        let failure = |code| CallFailure { code, message: String::new() };
        assert!(failure(SYS_UNKNOWN).may_have_run());
        assert!(failure(CANISTER_ERROR).may_have_run());
        for code in [0, 1, 2, 3, 4] {
            assert!(!failure(code).may_have_run(), "{code}");
        }
    }
}
