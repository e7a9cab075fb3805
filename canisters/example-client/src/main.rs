//! Endpoints of the example client canister: only controllers may spend its ICP.

use candid::Principal;
use ic_akash_example_client::{InitArg, RentArg};
use ic_akash_orchestrator_types::client::{IcTransport, OrchestratorClient};
use ic_akash_orchestrator_types::DeploymentView;
use std::cell::Cell;

thread_local! {
    static IDS: Cell<Option<InitArg>> = const { Cell::new(None) };
}

fn ids() -> InitArg {
    IDS.with(|c| c.get()).expect("BUG: set in init and post_upgrade")
}

fn orchestrator() -> OrchestratorClient<IcTransport> {
    OrchestratorClient::new(ids().orchestrator, IcTransport)
}

fn controllers_only() -> Result<(), String> {
    let caller = ic_cdk::api::msg_caller();
    if caller == Principal::anonymous() || !ic_cdk::api::is_controller(&caller) {
        return Err("only this canister's controllers may call it".into());
    }
    Ok(())
}

#[ic_cdk::init]
fn init(arg: InitArg) {
    IDS.with(|c| c.set(Some(arg)));
}

/// The ids are kept on the heap: give them again on upgrade.
#[ic_cdk::post_upgrade]
fn post_upgrade(arg: InitArg) {
    IDS.with(|c| c.set(Some(arg)));
}

/// Pays `icp_e8s` to the orchestrator and deploys `sdl`; returns the deployment id.
#[ic_cdk::update]
async fn rent(arg: RentArg) -> Result<u64, String> {
    controllers_only()?;
    ic_akash_example_client::rent(&orchestrator(), ids().ledger, arg).await
}

/// The deployment's state, leases, service URIs and costs.
#[ic_cdk::update]
async fn status(deployment_id: u64) -> Result<DeploymentView, String> {
    controllers_only()?;
    ic_akash_example_client::status(&orchestrator(), deployment_id).await
}

/// Closes the deployment; the refund comes back to this canister's ACT at the orchestrator.
#[ic_cdk::update]
async fn close(deployment_id: u64) -> Result<DeploymentView, String> {
    controllers_only()?;
    ic_akash_example_client::close(&orchestrator(), deployment_id).await
}

ic_cdk::export_candid!();

fn main() {}

/// `candid/<name>.did` is what the code exports (`UPDATE_DID=1 cargo test` rewrites it).
#[cfg(test)]
#[path = "../../candid_file_check.rs"]
mod candid_file_check;
