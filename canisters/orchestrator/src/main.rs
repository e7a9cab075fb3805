//! Endpoints of the ic-akash orchestrator canister. Each one reads the caller and time through
//! the runtime and hands over to a flow in the library.

use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::runtime::ic::IcRuntime;
use ic_akash_orchestrator::runtime::{Runtime, Task};
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::proposals::{self, Validation};
use ic_akash_orchestrator::{deposit, governance, icrc21, metrics, mint, notify, owner_account, queries, tasks, withdraw, Orchestrator};
use ic_akash_orchestrator_types::{
    AkashAccounts, Balance, Config, ConfigArg, CreateDeploymentArg, Credit, DepositAccount, DepositIcpArg, DeploymentPage, DeploymentView, Error,
    GetDeploymentHistoryArg, GetJournalArg, GetProviderTokenArg, HttpRequest, HttpResponse, Icrc21ConsentInfo, Icrc21ConsentMessageRequest,
    Icrc21Error, JournalPage, ListDeploymentsArg, MintActArg, NotifyDepositArg, OrchestratorArg, ProviderToken, Quote, SetOwnerGovernanceArg,
    Stats, SupportedStandard, TopUpDeploymentArg, UpdateDeploymentArg, WithdrawArg,
};
use candid::Principal;
use ic_akash_orchestrator::storage::RawMemory;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

thread_local! {
    static ORCHESTRATOR: Cell<Option<&'static Orchestrator<IcRuntime>>> = const { Cell::new(None) };
}

fn orchestrator() -> &'static Orchestrator<IcRuntime> {
    ORCHESTRATOR.with(|o| o.get()).expect("BUG: the orchestrator is set in init and post_upgrade")
}

fn on_timer(task: Task) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move { tasks::run(orchestrator(), task).await })
}

fn install(o: Result<Orchestrator<IcRuntime>, Error>) {
    match o {
        Ok(o) => ORCHESTRATOR.with(|cell| cell.set(Some(Box::leak(Box::new(o))))),
        Err(e) => ic_cdk::trap(format!("invalid install argument: {e}")),
    }
}

fn caller() -> Principal {
    orchestrator().rt.caller()
}

#[ic_cdk::init]
fn init(arg: Option<OrchestratorArg>) {
    install(lifecycle::init(IcRuntime { on_timer }, RawMemory::default(), arg));
}

#[ic_cdk::post_upgrade]
fn post_upgrade(arg: Option<OrchestratorArg>) {
    install(lifecycle::post_upgrade(IcRuntime { on_timer }, RawMemory::default(), arg));
}

/// Anonymous update calls are refused before the canister pays to run them, except consent
/// messages, which ICRC-21 requires for anonymous (cold) signers.
#[ic_cdk::inspect_message]
fn inspect_message() {
    if ic_cdk::api::msg_caller() != Principal::anonymous() || ic_cdk::api::msg_method_name() == "icrc21_canister_call_consent_message" {
        ic_cdk::api::accept_message();
    }
}

/// Takes `amount_e8s` approved with `icrc2_approve` and credits its AKT value.
#[ic_cdk::update]
async fn deposit_icp(arg: DepositIcpArg) -> Result<Credit, Error> {
    deposit::deposit_icp(orchestrator(), caller(), arg).await
}

/// Credits a transfer to a deposit account (see `get_deposit_account`), once.
#[ic_cdk::update]
async fn notify_deposit(arg: NotifyDepositArg) -> Result<Credit, Error> {
    notify::notify_deposit(orchestrator(), caller(), arg).await
}

/// Where to send ICP for `beneficiary` (default: the caller) before `notify_deposit`.
#[ic_cdk::query]
fn get_deposit_account(beneficiary: Option<Principal>) -> Result<DepositAccount, Error> {
    queries::get_deposit_account(orchestrator(), caller(), beneficiary)
}

/// What an amount of ICP buys now, fee included.
#[ic_cdk::update]
async fn quote(icp_e8s: u64) -> Result<Quote, Error> {
    queries::quote(orchestrator(), caller(), icp_e8s).await
}

#[ic_cdk::query]
fn get_balance(of: Option<Principal>) -> Balance {
    queries::get_balance(orchestrator(), caller(), of)
}

#[ic_cdk::query]
fn get_journal(arg: GetJournalArg) -> JournalPage {
    queries::get_journal(orchestrator(), arg)
}

/// Sends unreserved AKT to an Akash address; returns the withdrawal id (its outcome follows in
/// the journal as `Withdrawn` or `WithdrawFailed`).
#[ic_cdk::update]
async fn withdraw(arg: WithdrawArg) -> Result<u64, Error> {
    withdraw::withdraw(orchestrator(), caller(), arg).await
}

/// Burns AKT for ACT (what deployments are paid in); returns the mint id (outcome in the
/// journal: `ActMintBurned`, then `ActMinted`, or `ActMintFailed`).
#[ic_cdk::update]
async fn mint_act(arg: MintActArg) -> Result<u64, Error> {
    mint::mint_act(orchestrator(), caller(), arg).await
}

/// Opens the caller's own Akash account (the treasury grants it a fee allowance).
#[ic_cdk::update]
async fn open_akash_account() -> Result<AkashAccounts, Error> {
    owner_account::open_akash_account(orchestrator(), caller()).await
}

/// The treasury's Akash address and `of`'s own (default: the caller), where known.
#[ic_cdk::query]
fn get_akash_accounts(of: Option<Principal>) -> AkashAccounts {
    owner_account::akash_accounts(orchestrator(), Some(of.unwrap_or_else(caller)))
}

/// Starts a deployment from an SDL; returns its id at once (follow it with `get_deployment`).
#[ic_cdk::update]
async fn create_deployment(arg: CreateDeploymentArg) -> Result<u64, Error> {
    deployments::create_deployment(orchestrator(), caller(), arg).await
}

/// Adds ACT from the owner's balance to a deployment's escrow (the owner, or its governance).
#[ic_cdk::update]
async fn top_up_deployment(arg: TopUpDeploymentArg) -> Result<DeploymentView, Error> {
    deployments::top_up_deployment(orchestrator(), caller(), arg).await
}

/// A new SDL (same groups) for an active deployment; the manifest is sent again.
#[ic_cdk::update]
async fn update_deployment(arg: UpdateDeploymentArg) -> Result<DeploymentView, Error> {
    deployments::update_deployment(orchestrator(), caller(), arg).await
}

/// Closes a deployment; the unspent escrow comes back to the owner's ACT.
#[ic_cdk::update]
fn close_deployment(deployment_id: u64) -> Result<DeploymentView, Error> {
    deployments::close_deployment(orchestrator(), caller(), deployment_id)
}

/// A provider token for the caller's own deployment (status, logs, events, shell...).
#[ic_cdk::update]
async fn get_provider_token(arg: GetProviderTokenArg) -> Result<ProviderToken, Error> {
    deployments::get_provider_token(orchestrator(), caller(), arg).await
}

#[ic_cdk::query]
fn get_deployment(deployment_id: u64) -> Result<DeploymentView, Error> {
    views::get_deployment(orchestrator(), caller(), deployment_id)
}

#[ic_cdk::query]
fn list_deployments(arg: ListDeploymentsArg) -> Result<DeploymentPage, Error> {
    views::list_deployments(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn get_deployment_history(arg: GetDeploymentHistoryArg) -> Result<JournalPage, Error> {
    views::get_deployment_history(orchestrator(), caller(), arg)
}

/// From now on only `governance` acts for `owner` (null: the owner itself again). Called by the
/// owner while it has no governance, then only by its governance canister; journaled.
#[ic_cdk::update]
fn set_owner_governance(arg: SetOwnerGovernanceArg) -> Result<(), Error> {
    governance::set_owner_governance(orchestrator(), caller(), arg)
}

/// The governance canister that alone acts for `owner`, if any.
#[ic_cdk::query]
fn get_owner_governance(owner: Principal) -> Option<Principal> {
    orchestrator().read(|s| s.governance_of(&owner))
}

// SNS proposal validators: the target's argument, the target's checks as if the caller (the
// DAO's governance canister) called it now, nothing changed; `Ok` is the text voters see.

#[ic_cdk::query]
fn validate_deposit_icp(arg: DepositIcpArg) -> Validation {
    proposals::validate_deposit_icp(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_notify_deposit(arg: NotifyDepositArg) -> Validation {
    proposals::validate_notify_deposit(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_create_deployment(arg: CreateDeploymentArg) -> Validation {
    proposals::validate_create_deployment(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_top_up_deployment(arg: TopUpDeploymentArg) -> Validation {
    proposals::validate_top_up_deployment(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_update_deployment(arg: UpdateDeploymentArg) -> Validation {
    proposals::validate_update_deployment(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_close_deployment(deployment_id: u64) -> Validation {
    proposals::validate_close_deployment(orchestrator(), caller(), deployment_id)
}

#[ic_cdk::query]
fn validate_withdraw(arg: WithdrawArg) -> Validation {
    proposals::validate_withdraw(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_mint_act(arg: MintActArg) -> Validation {
    proposals::validate_mint_act(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn validate_set_owner_governance(arg: SetOwnerGovernanceArg) -> Validation {
    proposals::validate_set_owner_governance(orchestrator(), caller(), arg)
}

/// ICRC-21: what a call will do, for a wallet to show before signing (anonymous callers too).
#[ic_cdk::update]
fn icrc21_canister_call_consent_message(req: Icrc21ConsentMessageRequest) -> Result<Icrc21ConsentInfo, Icrc21Error> {
    icrc21::consent_message(orchestrator(), caller(), req)
}

#[ic_cdk::query]
fn icrc10_supported_standards() -> Vec<SupportedStandard> {
    icrc21::supported_standards()
}

#[ic_cdk::query]
fn get_config() -> Config {
    queries::get_config(orchestrator())
}

#[ic_cdk::update]
fn set_config(arg: ConfigArg) -> Result<Config, Error> {
    lifecycle::set_config(orchestrator(), caller(), arg)
}

#[ic_cdk::query]
fn get_stats() -> Stats {
    queries::get_stats(orchestrator())
}

/// `/metrics` (Prometheus) and `/logs`, through the HTTP gateway.
#[ic_cdk::query]
fn http_request(req: HttpRequest) -> HttpResponse {
    metrics::http_request(orchestrator(), &req)
}

/// Runs on each replica's HTTPS outcall response before consensus (not part of the interface).
#[ic_cdk::query(hidden = true)]
fn transform_http(args: ic_cdk_management_canister::TransformArgs) -> ic_cdk_management_canister::HttpRequestResult {
    let status = u16::try_from(args.response.status.0).unwrap_or(0);
    let response = ic_akash_orchestrator::runtime::HttpResponse { status, body: args.response.body };
    let out = ic_akash_orchestrator::akash::transform::apply(&args.context, response);
    ic_cdk_management_canister::HttpRequestResult { status: out.status.into(), headers: vec![], body: out.body }
}

ic_cdk::export_candid!();

fn main() {}

/// `candid/<name>.did` is what the code exports (`UPDATE_DID=1 cargo test` rewrites it).
#[cfg(test)]
#[path = "../../candid_file_check.rs"]
mod candid_file_check;
