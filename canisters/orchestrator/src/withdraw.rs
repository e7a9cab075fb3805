//! `withdraw`: AKT out of the orchestrator to any Akash address, sent by the treasury. The
//! amount and a fee reserve are set aside at once; the send rides the pipeline (batched with
//! other treasury messages) and the principal is charged exactly its share of the fee.

use crate::akash::{keys, pipeline};
use crate::canister::Orchestrator;
use crate::deposit::check_caller;
use crate::runtime::Runtime;
use crate::state::chain::Charges;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash_orchestrator_types::{Error, WithdrawArg};

/// Set aside per withdrawal for its share of the transaction fee (what is not used returns).
pub const WITHDRAW_FEE_RESERVE_UAKT: u64 = 50_000;

pub async fn withdraw<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: WithdrawArg) -> Result<u64, Error> {
    check_caller(caller)?;
    let config = o.read(|s| s.config().clone());
    if config.paused {
        return Err(Error::Paused);
    }
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
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let needed = arg.amount_uakt.saturating_add(WITHDRAW_FEE_RESERVE_UAKT).saturating_add(config.akash_service_fee_uakt);
    let available = o.read(|s| s.balance(&caller).available_uakt);
    if available < needed {
        return Err(Error::InsufficientBalance { available_uakt: available, requested_uakt: needed });
    }
    let treasury = keys::signer_account(o, SignerId::Treasury).await?;
    let id = o.mutate(|s| {
        let charges = Charges { fee_reserve_uakt: WITHDRAW_FEE_RESERVE_UAKT, service_fee_uakt: config.akash_service_fee_uakt };
        s.request_withdraw(o.now_nanos(), caller, &treasury.address, to, arg.amount_uakt, charges)
    })?;
    pipeline::schedule(o, 0);
    Ok(id)
}
