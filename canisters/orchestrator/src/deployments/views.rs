//! What owners read about their deployments: one deployment, a page of them, a history.

use super::{visible, MAX_DEPLOYMENTS_PAGE};
use crate::canister::Orchestrator;
use crate::runtime::Runtime;
use crate::state::deployment::Deployment;
use crate::state::State;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash_orchestrator_types::{
    DeploymentPage, DeploymentView, Error, GetDeploymentHistoryArg, JournalPage, LeaseInfo, ListDeploymentsArg,
};

/// The public form of a stored deployment.
pub fn view(s: &State, d: &Deployment) -> DeploymentView {
    DeploymentView {
        deployment_id: d.id,
        owner: d.owner,
        akash_owner: s.tx_account(&SignerId::Owner(d.owner)).map(|a| a.address),
        dseq: d.dseq,
        state: d.state(),
        sdl_hash: hex::encode(&d.sdl_hash),
        created_at_nanos: d.created_nanos,
        updated_at_nanos: d.updated_nanos,
        deposit_uact: d.deposit_uact,
        leases: d
            .leases
            .iter()
            .filter(|l| l.created)
            .map(|l| LeaseInfo {
                provider: l.provider.clone(),
                host_uri: l.host_uri.clone(),
                gseq: l.gseq,
                oseq: l.oseq,
                bseq: l.bseq,
                price_uact_per_block: l.price.clone(),
            })
            .collect(),
        services: d.services.clone(),
        escrow: d.escrow.clone(),
        auto_top_up: d.auto_top_up.clone(),
        cost: d.cost.clone(),
        failed_providers: d.failed_providers.clone(),
    }
}

/// The services of group `gseq` (1-based, in the SDL's group order), as the manifest names them.
pub fn services_of_group(sdl: &ic_akash::sdl::Sdl, gseq: u32) -> Vec<String> {
    let name = sdl.group_specs().get(gseq.saturating_sub(1) as usize).map(|g| g.name.clone()).unwrap_or_default();
    let manifest = sdl.manifest().as_array().cloned().unwrap_or_default();
    manifest
        .iter()
        .filter(|g| g["name"].as_str() == Some(name.as_str()))
        .flat_map(|g| g["services"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .collect()
}

pub fn get_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, id: u64) -> Result<DeploymentView, Error> {
    o.read(|s| visible(s, caller, id).map(|d| view(s, &d)))
}

/// An owner's deployments (the caller's, or those of an owner it governs), by id, a page at a time.
pub fn list_deployments<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: ListDeploymentsArg) -> Result<DeploymentPage, Error> {
    crate::deposit::check_caller(caller)?;
    let owner = arg.owner.unwrap_or(caller);
    let limit = arg.length.min(MAX_DEPLOYMENTS_PAGE) as usize;
    o.read(|s| {
        if !crate::governance::may_view(s, caller, owner) {
            return Err(Error::NotAuthorized { reason: "only the owner and its governance canister list its deployments".into() });
        }
        let ids = s.deployments_of(owner, arg.after, limit + 1);
        let more = ids.len() > limit;
        let deployments: Vec<DeploymentView> = ids.iter().take(limit).filter_map(|id| s.deployment(*id)).map(|d| view(s, &d)).collect();
        let next = if more { deployments.last().map(|d| d.deployment_id) } else { None };
        Ok(DeploymentPage { deployments, next })
    })
}

/// A deployment's history: every step with its transaction, amounts, prices and fees.
pub fn get_deployment_history<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: GetDeploymentHistoryArg) -> Result<JournalPage, Error> {
    let d = o.read(|s| visible(s, caller, arg.deployment_id))?;
    let limit = arg.length.min(crate::state::MAX_JOURNAL_PAGE_ENTRIES) as usize;
    let entries = o.read(|s| s.deployment_history(d.id, arg.start.unwrap_or(0), limit));
    Ok(JournalPage { entries, total: d.history_len })
}
