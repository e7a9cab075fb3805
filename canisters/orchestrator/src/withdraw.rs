//! `withdraw`: AKT out of the orchestrator to any Akash address, sent by the treasury. The
//! amount and a fee reserve are set aside at once; the send rides the pipeline (batched with
//! other treasury messages) and the principal is charged exactly its share of the fee.

use crate::akash::{keys, pipeline};
use crate::canister::Orchestrator;
use crate::governance;
use crate::runtime::Runtime;
use crate::state::chain::Charges;
use crate::state::State;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash_orchestrator_types::{Error, WithdrawArg};

/// Set aside per withdrawal for its share of the transaction fee (what is not used returns).
pub const WITHDRAW_FEE_RESERVE_UAKT: u64 = 50_000;

/// What a withdrawal sets aside, once its checks passed.
pub struct WithdrawPlan {
    pub owner: Principal,
    pub to: String,
    /// The amount, the fee reserve and the service fee.
    pub needed_uakt: u64,
}

/// Every check of `withdraw` (its validator's too). Changes nothing.
pub fn check_withdraw(s: &State, caller: Principal, arg: &WithdrawArg) -> Result<WithdrawPlan, Error> {
    let owner = governance::acting_owner(s, caller, arg.owner)?;
    if s.config().paused {
        return Err(Error::Paused);
    }
    let plan = plan_withdraw(s, owner, arg)?;
    let available = s.balance(&owner).available_uakt;
    if available < plan.needed_uakt {
        return Err(Error::InsufficientBalance { available_uakt: available, requested_uakt: plan.needed_uakt });
    }
    Ok(plan)
}

/// The checks of a withdrawal that depend on the request alone (amount, address), and what it
/// sets aside for `owner`.
pub fn plan_withdraw(s: &State, owner: Principal, arg: &WithdrawArg) -> Result<WithdrawPlan, Error> {
    let config = s.config();
    if arg.amount_uakt < config.withdraw_min_uakt {
        return Err(Error::InvalidArgument {
            field: "amount_uakt".into(),
            reason: format!("at least {} uakt", config.withdraw_min_uakt),
        });
    }
    let to = arg.to_akash_address.trim().to_string();
    if !to.starts_with("akash1") {
        return Err(Error::InvalidArgument { field: "to_akash_address".into(), reason: "not an akash1... address".into() });
    }
    ic_akash::address::validate(&to)
        .map_err(|e| Error::InvalidArgument { field: "to_akash_address".into(), reason: e.to_string() })?;
    let needed_uakt = arg.amount_uakt.saturating_add(WITHDRAW_FEE_RESERVE_UAKT).saturating_add(config.akash_service_fee_uakt);
    Ok(WithdrawPlan { owner, to, needed_uakt })
}

pub async fn withdraw<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: WithdrawArg) -> Result<u64, Error> {
    let plan = o.read(|s| check_withdraw(s, caller, &arg))?;
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let treasury = keys::signer_account(o, SignerId::Treasury).await?;
    let id = o.mutate(|s| {
        let charges = Charges { fee_reserve_uakt: WITHDRAW_FEE_RESERVE_UAKT, service_fee_uakt: s.config().akash_service_fee_uakt };
        s.request_withdraw(o.now_nanos(), plan.owner, &treasury.address, plan.to, arg.amount_uakt, charges)
    })?;
    pipeline::schedule(o, 0);
    Ok(id)
}
