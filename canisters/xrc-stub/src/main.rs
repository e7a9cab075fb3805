//! Endpoints of the XRC stand-in: the real `get_exchange_rate`, and rates for controllers.

use candid::Principal;
use ic_akash_xrc_stub::{answer, default_rates, GetExchangeRateRequest, GetExchangeRateResult, Pair, PairRate, Rates};
use std::cell::RefCell;

const NANOS_PER_SEC: u64 = 1_000_000_000;

thread_local! {
    static RATES: RefCell<Rates> = RefCell::default();
}

fn install(rates: Option<Vec<PairRate>>) {
    match Rates::new(rates.unwrap_or_else(default_rates)) {
        Ok(r) => RATES.with(|cell| *cell.borrow_mut() = r),
        Err(e) => ic_cdk::trap(format!("invalid install argument: {e}")),
    }
}

fn controllers_only() -> Result<(), String> {
    let caller = ic_cdk::api::msg_caller();
    if caller == Principal::anonymous() || !ic_cdk::api::is_controller(&caller) {
        return Err("only controllers set rates".into());
    }
    Ok(())
}

/// The pairs to answer (default: ICP/USD, AKT/USD and ICP/AKT, see `default_rates`).
#[ic_cdk::init]
fn init(rates: Option<Vec<PairRate>>) {
    install(rates);
}

/// Rates are on the heap: an upgrade starts again from its argument (or the defaults).
#[ic_cdk::post_upgrade]
fn post_upgrade(rates: Option<Vec<PairRate>>) {
    install(rates);
}

/// The real XRC's method: needs 1B cycles attached (kept) and a non-anonymous caller.
#[ic_cdk::update]
fn get_exchange_rate(req: GetExchangeRateRequest) -> GetExchangeRateResult {
    let now_secs = ic_cdk::api::time() / NANOS_PER_SEC;
    let cycles = ic_cdk::api::msg_cycles_available();
    let (result, keep) = RATES.with(|r| answer(&r.borrow(), ic_cdk::api::msg_caller(), cycles, now_secs, &req));
    ic_cdk::api::msg_cycles_accept(keep);
    result
}

/// Sets or replaces one pair's rate (`rate_e9 / 10^9` quote per base).
#[ic_cdk::update]
fn set_rate(rate: PairRate) -> Result<(), String> {
    controllers_only()?;
    RATES.with(|r| r.borrow_mut().set(rate))
}

/// Removes a pair (e.g. ICP/AKT, to make the orchestrator go through USD); whether it was set.
#[ic_cdk::update]
fn remove_rate(pair: Pair) -> Result<bool, String> {
    controllers_only()?;
    Ok(RATES.with(|r| r.borrow_mut().remove(&pair)))
}

#[ic_cdk::query]
fn get_rates() -> Vec<PairRate> {
    RATES.with(|r| r.borrow().list())
}

ic_cdk::export_candid!();

fn main() {}

/// `candid/<name>.did` is what the code exports (`UPDATE_DID=1 cargo test` rewrites it).
#[cfg(test)]
#[path = "../../candid_file_check.rs"]
mod candid_file_check;
