//! A dapp canister (the example client, `canisters/example-client`) pays, deploys, watches and
//! closes through the typed client, against the orchestrator's own code in the native
//! simulation. The transport plays the replica: it candid-decodes each request, runs the
//! endpoint's library function with the example canister as caller (or the fake ICP ledger's
//! `icrc2_approve`), and candid-encodes the reply, so the bytes cross the same interface they
//! would on the IC.

mod support;

use candid::{CandidType, Nat, Principal};
use ic_akash_example_client::{self as example, RentArg};
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::runtime::fake::ledger::LedgerError;
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator::{deposit, mint, notify, queries, withdraw};
use ic_akash_orchestrator_types::client::{CallFailure, ClientError, OrchestratorClient, Transport, Wait, SYS_UNKNOWN};
use ic_akash_orchestrator_types::{ConfigArg, CreateDeploymentArg, DeploymentState, DeploymentView, Error};
use icrc_ledger_types::icrc2::approve::{ApproveArgs, ApproveError};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use support::{provider_pair, Env, ICP};

/// The IC's reject codes the replica uses here.
const DESTINATION_INVALID: u32 = 3;
const CANISTER_ERROR: u32 = 5;

const DEPOSIT_UACT: u64 = 5_000_000;

fn web_sdl() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap()
}

/// The example client canister's principal (a canister id's shape).
fn app() -> Principal {
    Principal::from_slice(&[0, 0, 0, 0, 0, 0x30, 0, 7, 1, 1])
}

/// The replica between the calling canister and the orchestrator and ICP ledger.
struct Replica<'a> {
    env: &'a Env,
    caller: Principal,
    /// Calls to fail before they reach anyone, in order.
    rejects: RefCell<Vec<CallFailure>>,
}

fn decode<A: DeserializeOwned + CandidType>(arg: &[u8]) -> Result<A, CallFailure> {
    candid::decode_one(arg).map_err(|e| CallFailure { code: CANISTER_ERROR, message: format!("argument: {e}") })
}

fn reply<R: CandidType>(r: R) -> Result<Vec<u8>, CallFailure> {
    Ok(candid::encode_one(r).expect("replies encode"))
}

impl Replica<'_> {
    fn ledger(&self, method: &str, arg: &[u8]) -> Result<Vec<u8>, CallFailure> {
        let now = self.env.now();
        match method {
            "icrc1_fee" => reply(Nat::from(self.env.rt.world().ledger.fee_e8s)),
            "icrc2_approve" => {
                let a: ApproveArgs = decode(arg)?;
                assert_eq!(a.from_subaccount, None, "the fake ledger approves from default accounts");
                let amount = u64::try_from(a.amount.0).expect("amounts in e8s fit u64");
                let expected = a.expected_allowance.map(|n| u64::try_from(n.0).unwrap());
                let r = self.env.rt.world().ledger.approve(now, self.caller, &a.spender, amount, expected, a.expires_at);
                reply(r.map(Nat::from).map_err(|e| match e {
                    LedgerError::InsufficientFunds { balance } => ApproveError::InsufficientFunds { balance: balance.into() },
                    LedgerError::AllowanceChanged { current } => ApproveError::AllowanceChanged { current_allowance: current.into() },
                    LedgerError::Expired => ApproveError::Expired { ledger_time: now },
                    other => ApproveError::GenericError { error_code: Nat::from(0u8), message: format!("{other:?}") },
                }))
            }
            other => Err(no_method(other)),
        }
    }

    /// The orchestrator's endpoints, as `main.rs` runs them.
    async fn orchestrator(&self, method: &str, arg: &[u8]) -> Result<Vec<u8>, CallFailure> {
        let (o, caller) = (&self.env.o, self.caller);
        match method {
            "deposit_icp" => reply(deposit::deposit_icp(o, caller, decode(arg)?).await),
            "notify_deposit" => reply(notify::notify_deposit(o, caller, decode(arg)?).await),
            "get_deposit_account" => reply(queries::get_deposit_account(o, caller, decode(arg)?)),
            "quote" => reply(queries::quote(o, caller, decode(arg)?).await),
            "get_balance" => reply(queries::get_balance(o, caller, decode(arg)?)),
            "get_journal" => reply(queries::get_journal(o, decode(arg)?)),
            "mint_act" => reply(mint::mint_act(o, caller, decode(arg)?).await),
            "withdraw" => reply(withdraw::withdraw(o, caller, decode(arg)?).await),
            "create_deployment" => reply(deployments::create_deployment(o, caller, decode(arg)?).await),
            "top_up_deployment" => reply(deployments::top_up_deployment(o, caller, decode(arg)?).await),
            "update_deployment" => reply(deployments::update_deployment(o, caller, decode(arg)?).await),
            "close_deployment" => reply(deployments::close_deployment(o, caller, decode(arg)?)),
            "get_provider_token" => reply(deployments::get_provider_token(o, caller, decode(arg)?).await),
            "get_deployment" => reply(views::get_deployment(o, caller, decode(arg)?)),
            "list_deployments" => reply(views::list_deployments(o, caller, decode(arg)?)),
            "get_deployment_history" => reply(views::get_deployment_history(o, caller, decode(arg)?)),
            "get_config" => reply(o.read(|s| s.config().clone())),
            "get_stats" => reply(queries::get_stats(o)),
            other => Err(no_method(other)),
        }
    }
}

fn no_method(method: &str) -> CallFailure {
    CallFailure { code: CANISTER_ERROR, message: format!("Canister has no update method '{method}'") }
}

impl Transport for Replica<'_> {
    async fn call(&self, canister: Principal, method: &str, arg: Vec<u8>, _wait: Wait) -> Result<Vec<u8>, CallFailure> {
        if let Some(failure) = self.rejects.borrow_mut().pop() {
            return Err(failure);
        }
        let ledger = self.env.o.read(|s| s.config().ledger_id);
        if canister == ledger {
            self.ledger(method, &arg)
        } else if canister == self.env.rt.canister_id() {
            self.orchestrator(method, &arg).await
        } else {
            Err(CallFailure { code: DESTINATION_INVALID, message: format!("canister {canister} not found") })
        }
    }
}

/// The client as the canister `caller` holds it.
fn client(env: &Env, caller: Principal) -> OrchestratorClient<Replica<'_>> {
    OrchestratorClient::new(env.rt.canister_id(), Replica { env, caller, rejects: RefCell::default() })
}

/// Steps the world (checking the books each time) until the example canister's `status` of `id`
/// satisfies `pred`.
fn status_until(env: &Env, orch: &OrchestratorClient<Replica>, id: u64, max_secs: u64, pred: impl Fn(&DeploymentView) -> bool) -> DeploymentView {
    let mut waited = 0;
    loop {
        let v = block_on(example::status(orch, id)).unwrap();
        if pred(&v) {
            return v;
        }
        assert!(waited < max_secs, "deployment {id} still {:?} after {max_secs} s", v.state);
        env.run_for(6);
        env.check();
        waited += 6;
    }
}

#[test]
fn a_canister_rents_watches_and_closes_a_deployment_through_the_client() {
    let (p1, s1) = provider_pair(1, "300");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    env.mint(app(), 10 * ICP);
    let fee = env.rt.world().ledger.fee_e8s;
    let orch = client(&env, app());
    let ledger = env.o.read(|s| s.config().ledger_id);

    // Rent: approve, deposit 3 ICP, create with 10 AKT burned for the deposit's ACT.
    let rent = RentArg { sdl: web_sdl(), icp_e8s: 3 * ICP, deposit_uact: DEPOSIT_UACT, mint_uakt: 10_000_000 };
    let id = block_on(example::rent(&orch, ledger, rent)).unwrap();
    assert_eq!(env.icp(app()), 7 * ICP - 2 * fee, "3 ICP, the approval's fee and the transfer's fee left the canister");
    assert_eq!(env.o.read(|s| s.totals().icp_received_e8s), 3 * ICP);
    let credited = block_on(orch.get_balance(None)).unwrap();
    assert!(credited.reserved_uakt >= 10_000_000, "the mint and the fee pool are set aside: {credited:?}");
    env.check();

    let v = status_until(&env, &orch, id, 1800, |v| v.state == DeploymentState::Active);
    assert_eq!(v.owner, app(), "the canister owns its deployment");
    assert_eq!(v.cost.deposited_uact, DEPOSIT_UACT);
    assert_eq!(v.leases.len(), 1);
    assert!(v.services.iter().any(|s| !s.uris.is_empty()), "service URIs: {:?}", v.services);
    for _ in 0..100 {
        env.run_for(6);
        env.check();
    }

    let act_before = block_on(orch.get_balance(None)).unwrap().act_uact;
    let closing = block_on(example::close(&orch, id)).unwrap();
    assert!(!matches!(closing.state, DeploymentState::Closed { .. } | DeploymentState::Failed { .. }), "{:?}", closing.state);
    let v = status_until(&env, &orch, id, 600, |v| matches!(v.state, DeploymentState::Closed { .. } | DeploymentState::Failed { .. }));
    let DeploymentState::Closed { refund_uact, .. } = v.state else { panic!("not closed: {:?}", v.state) };
    assert!(refund_uact > 0 && refund_uact < DEPOSIT_UACT, "refund {refund_uact}");
    assert_eq!(v.cost.refunded_uact, refund_uact);
    assert_eq!(block_on(orch.get_balance(None)).unwrap().act_uact, act_before + refund_uact, "the refund is the canister's ACT");
    // Closing again is refused with a typed error, not a trap.
    assert!(matches!(block_on(orch.close_deployment(id)), Err(ClientError::Refused(Error::WrongDeploymentState { .. }))));
    assert!(env.run_until_idle(600));
    env.check();
    env.check_chain();
    assert_eq!(block_on(orch.get_balance(None)).unwrap().reserved_uakt, 0, "nothing left set aside");
}

#[test]
fn orchestrator_errors_come_back_typed_and_rejects_as_call_failures() {
    let (p1, s1) = provider_pair(1, "300");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    env.mint(app(), 10 * ICP);
    let orch = client(&env, app());
    let ledger = env.o.read(|s| s.config().ledger_id);

    // The orchestrator's own error, variant and fields intact.
    let bad = CreateDeploymentArg { sdl: web_sdl().replace("denom: uact", "denom: usd"), deposit_uact: DEPOSIT_UACT, ..Default::default() };
    match block_on(orch.create_deployment(bad.clone())) {
        Err(ClientError::Refused(Error::InvalidSdl { path, reason })) => {
            assert!(path.starts_with("/profiles/placement/") && path.ends_with("/denom"), "{path}: {reason}");
        }
        other => panic!("expected InvalidSdl, got {other:?}"),
    }
    // The example canister passes it on as text, path included (the ICP it paid first is
    // credited as AKT and stays its own).
    let rent = RentArg { sdl: bad.sdl, icp_e8s: ICP, deposit_uact: DEPOSIT_UACT, mint_uakt: 0 };
    let text = block_on(example::rent(&orch, ledger, rent)).unwrap_err();
    assert!(text.starts_with("create_deployment: invalid SDL at \"/profiles/placement/") && text.contains("/denom"), "{text}");
    assert_eq!(block_on(orch.get_deployment(77)), Err(ClientError::Refused(Error::DeploymentNotFound { deployment_id: 77 })));
    assert_eq!(block_on(client(&env, Principal::anonymous()).mint_act(ic_akash_orchestrator_types::MintActArg { amount_uakt: 1, owner: None })), Err(ClientError::Refused(Error::AnonymousCaller)));

    // A reject is a call failure with its code, and says whether the call may have run.
    let timeout = CallFailure { code: SYS_UNKNOWN, message: "timed out".into() };
    orch.transport.rejects.borrow_mut().push(timeout.clone());
    let r = block_on(orch.get_balance(None));
    assert_eq!(r, Err(ClientError::Call(timeout)));
    assert!(matches!(r, Err(ClientError::Call(c)) if c.may_have_run()));
    let elsewhere = OrchestratorClient::new(Principal::from_slice(&[9, 9, 9]), Replica { env: &env, caller: app(), rejects: RefCell::default() });
    match block_on(elsewhere.get_stats()) {
        Err(ClientError::Call(c)) => assert!(c.code == DESTINATION_INVALID && !c.may_have_run(), "{c:?}"),
        other => panic!("expected a reject, got {other:?}"),
    }
    // The example canister's text says when paying again could pay twice.
    orch.transport.rejects.borrow_mut().push(CallFailure { code: SYS_UNKNOWN, message: "timed out".into() });
    let text = block_on(example::status(&orch, 0)).unwrap_err();
    assert!(text.contains("reject code 6") && text.contains("may have run"), "{text}");

    // A ledger refusal is the ledger's typed error.
    let poor = client(&env, Principal::from_slice(&[0, 0, 0, 0, 0, 0x30, 0, 8, 1, 1]));
    assert!(matches!(block_on(poor.approve_deposit(ledger, ICP, 10_000)), Err(ClientError::Refused(ApproveError::InsufficientFunds { .. }))));
    // What the refused calls left behind: the rent's deposit, credited; no deployment.
    let fee = env.rt.world().ledger.fee_e8s;
    assert_eq!(env.icp(app()), 9 * ICP - 2 * fee);
    assert!(block_on(orch.get_balance(None)).unwrap().available_uakt > 0);
    assert_eq!(env.o.read(|s| s.book().act_in_escrow_uact), 0);
    env.check();
}
