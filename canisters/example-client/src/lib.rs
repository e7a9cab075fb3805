//! An example dapp canister that rents a container on Akash through the ic-akash orchestrator:
//! it pays with its own ICP, deploys an SDL, reads the deployment's status and closes it, each
//! in a few lines of the typed client (`ic_akash_orchestrator_types::client`).
//!
//! The flow is generic over the client's [`Transport`], so `cargo test` runs it against the
//! orchestrator's own code (`canisters/orchestrator/tests/client_canister.rs`); `main.rs` only
//! holds the endpoints.

use candid::{CandidType, Deserialize, Principal};
use ic_akash_orchestrator_types::client::{ClientError, OrchestratorClient, Transport};
use ic_akash_orchestrator_types::{CreateDeploymentArg, DepositIcpArg, DeploymentView};

/// Install argument: whom to pay and where the ICP is.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitArg {
    pub orchestrator: Principal,
    /// The ICP ledger the orchestrator takes payments on.
    pub ledger: Principal,
}

/// `rent`: pay `icp_e8s` of this canister's ICP and deploy `sdl`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RentArg {
    /// The SDL (YAML); its prices must be in `uact`.
    pub sdl: String,
    /// ICP to convert to AKT at the orchestrator (the ledger fees are paid on top).
    pub icp_e8s: u64,
    /// ACT put in the deployment's escrow.
    pub deposit_uact: u64,
    /// AKT burned for ACT first (0: use ACT this canister already holds at the orchestrator).
    pub mint_uakt: u64,
}

/// A client error as text for the caller, saying when the call may have run (so that trying
/// again could pay twice).
fn explain<E: std::fmt::Display>(step: &str, e: ClientError<E>) -> String {
    match &e {
        ClientError::Call(c) if c.may_have_run() => {
            format!("{step}: {e}; it may have run: read the orchestrator's journal (get_journal) before trying again")
        }
        _ => format!("{step}: {e}"),
    }
}

/// Approves the orchestrator on the ledger, deposits the ICP and creates the deployment (with
/// `mint_uakt` of the credit burned for its ACT); returns the deployment id.
pub async fn rent<T: Transport>(orchestrator: &OrchestratorClient<T>, ledger: Principal, arg: RentArg) -> Result<u64, String> {
    let fee = orchestrator.ledger_fee(ledger).await.map_err(|e| explain("icrc1_fee", e))?;
    orchestrator.approve_deposit(ledger, arg.icp_e8s, fee).await.map_err(|e| explain("icrc2_approve", e))?;
    let deposit = DepositIcpArg { amount_e8s: arg.icp_e8s, beneficiary: None, from_subaccount: None };
    orchestrator.deposit_icp(deposit).await.map_err(|e| explain("deposit_icp", e))?;
    let mint_uakt = (arg.mint_uakt > 0).then_some(arg.mint_uakt);
    let deployment = CreateDeploymentArg { sdl: arg.sdl, deposit_uact: arg.deposit_uact, mint_uakt, ..Default::default() };
    orchestrator.create_deployment(deployment).await.map_err(|e| explain("create_deployment", e))
}

/// The deployment as the orchestrator sees it (state, leases, service URIs, escrow, cost).
pub async fn status<T: Transport>(orchestrator: &OrchestratorClient<T>, deployment_id: u64) -> Result<DeploymentView, String> {
    orchestrator.get_deployment(deployment_id).await.map_err(|e| explain("get_deployment", e))
}

/// Closes the deployment; the unspent escrow comes back to this canister's ACT at the
/// orchestrator.
pub async fn close<T: Transport>(orchestrator: &OrchestratorClient<T>, deployment_id: u64) -> Result<DeploymentView, String> {
    orchestrator.close_deployment(deployment_id).await.map_err(|e| explain("close_deployment", e))
}
