//! Read-only answers and the methods that are not available yet.

use crate::canister::Orchestrator;
use crate::deposit::{check_beneficiary, check_caller};
use crate::runtime::Runtime;
use crate::{conversion, rate};
use candid::Principal;
use ic_akash_orchestrator_types::{Balance, Config, DepositAccount, Error, GetJournalArg, JournalPage, Quote, Stats};

pub fn get_balance<R: Runtime>(o: &Orchestrator<R>, caller: Principal, of: Option<Principal>) -> Balance {
    o.read(|s| s.balance(&of.unwrap_or(caller)))
}

pub fn get_deposit_account<R: Runtime>(o: &Orchestrator<R>, caller: Principal, beneficiary: Option<Principal>) -> Result<DepositAccount, Error> {
    let beneficiary = beneficiary.unwrap_or(caller);
    check_beneficiary(beneficiary)?;
    Ok(crate::notify::deposit_account(o.rt.canister_id(), beneficiary))
}

/// The journal is public, like the ledger it mirrors: anyone can audit any principal.
pub fn get_journal<R: Runtime>(o: &Orchestrator<R>, arg: GetJournalArg) -> JournalPage {
    o.read(|s| s.journal_page(&arg))
}

/// The configuration in force (install argument, upgrades and `set_config` applied); public, so
/// anyone can see the fee, the rate bounds, the Akash endpoints and whether it is paused.
pub fn get_config<R: Runtime>(o: &Orchestrator<R>) -> Config {
    o.read(|s| s.config().clone())
}

pub fn get_stats<R: Runtime>(o: &Orchestrator<R>) -> Stats {
    Stats {
        flows_in_progress: o.flows_in_progress(),
        cycles_balance: o.rt.cycles_balance(),
        ..o.read(|s| s.stats())
    }
}

/// What `icp_e8s` buys now. An update call because a stale rate is fetched from XRC (paid from
/// the shared cache budget, rate-limited per caller).
pub async fn quote<R: Runtime>(o: &Orchestrator<R>, caller: Principal, icp_e8s: u64) -> Result<Quote, Error> {
    check_caller(caller)?;
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let rate = rate::current_rate(o).await?;
    let fee_bps = o.read(|s| s.config().fee_bps);
    Ok(conversion::quote(icp_e8s, &rate, fee_bps))
}

