//! SNS proposal validators. A DAO registers each state-changing method as a generic function
//! with its `validate_*` twin: SNS governance calls the validator with the proposal's payload
//! when the proposal is made, and shows its `Ok` text to the voters; an `Err` stops the proposal.
//!
//! A validator takes exactly the target's argument, runs the target's own checks as if the
//! caller (the DAO's governance canister) were calling the target now, and changes nothing: no
//! state, no rate limit, no key fetch. Its text is the request rendered by `consent`.

use crate::canister::Orchestrator;
use crate::runtime::Runtime;
use crate::state::State;
use crate::{consent, deployments, deposit, governance, mint, notify, withdraw};
use candid::Principal;
use ic_akash_orchestrator_types::{
    CreateDeploymentArg, DepositIcpArg, Error, MintActArg, NotifyDepositArg, SetOwnerGovernanceArg, TopUpDeploymentArg, UpdateDeploymentArg,
    WithdrawArg,
};

/// What SNS governance expects of a validator: the rendering, or why the proposal is refused.
pub type Validation = Result<String, String>;

fn validate<R: Runtime>(o: &Orchestrator<R>, f: impl FnOnce(&State) -> Result<consent::Rendering, Error>) -> Validation {
    o.read(f).map(|r| r.markdown()).map_err(|e| e.to_string())
}

pub fn validate_deposit_icp<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: DepositIcpArg) -> Validation {
    validate(o, |s| {
        deposit::check_deposit(s, caller, &arg)?;
        Ok(consent::deposit_icp(s, caller, &arg))
    })
}

pub fn validate_notify_deposit<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: NotifyDepositArg) -> Validation {
    let canister_id = o.rt.canister_id();
    validate(o, |s| {
        let (beneficiary, credited) = notify::check_notify(s, caller, &arg)?;
        Ok(consent::notify_deposit(canister_id, beneficiary, &arg, credited.as_ref()))
    })
}

pub fn validate_create_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: CreateDeploymentArg) -> Validation {
    validate(o, |s| {
        let plan = deployments::check_create(s, caller, &arg)?;
        Ok(consent::create(s, &arg, &plan))
    })
}

pub fn validate_top_up_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: TopUpDeploymentArg) -> Validation {
    validate(o, |s| {
        let d = deployments::check_top_up(s, caller, &arg)?;
        Ok(consent::top_up(s, &arg, Some(&d)))
    })
}

pub fn validate_update_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: UpdateDeploymentArg) -> Validation {
    validate(o, |s| {
        let plan = deployments::check_update(s, caller, &arg)?;
        Ok(consent::update(s, arg.deployment_id, Some(&plan.deployment), Some(&plan.old), &plan.new))
    })
}

pub fn validate_close_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, deployment_id: u64) -> Validation {
    validate(o, |s| {
        let d = deployments::check_close(s, caller, deployment_id)?;
        Ok(consent::close(s, deployment_id, Some(&d)))
    })
}

pub fn validate_withdraw<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: WithdrawArg) -> Validation {
    validate(o, |s| {
        let plan = withdraw::check_withdraw(s, caller, &arg)?;
        Ok(consent::withdraw(s, plan.owner, &arg, plan.needed_uakt))
    })
}

pub fn validate_mint_act<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: MintActArg) -> Validation {
    validate(o, |s| {
        let owner = mint::check_mint(s, caller, &arg)?;
        Ok(consent::mint(s, owner, &arg))
    })
}

pub fn validate_set_owner_governance<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: SetOwnerGovernanceArg) -> Validation {
    validate(o, |s| {
        governance::check_set_owner_governance(s, caller, &arg)?;
        Ok(consent::set_owner_governance(s, &arg))
    })
}
