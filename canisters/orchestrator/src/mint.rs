//! ACT for deployments: principals' AKT is burned for ACT (`MsgMintACT`) by the treasury, in
//! batches (one signature for many requests). Minted ACT is spendable only after the epoch
//! settles the burn's ledger record, and minting can be halted: requests wait (and expire), a
//! burn already on chain is followed until its record executes. Each request is charged exactly
//! the AKT it burned plus its share of the fee, and credited its exact share of the ACT minted.

use crate::akash::{client, keys, pipeline};
use crate::canister::Orchestrator;
use crate::governance;
use crate::logs::Level;
use crate::runtime::Runtime;
use crate::state::chain::{Charges, MintState};
use crate::state::State;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash_orchestrator_types::{Error, MintActArg};

/// Smallest mint (1 AKT): each batch costs a signature and a fee.
pub const MIN_MINT_UAKT: u64 = 1_000_000;
/// Set aside per request for its share of the mint transaction's fee.
pub const MINT_FEE_RESERVE_UAKT: u64 = 50_000;
/// Requests waiting longer (minting halted) are released.
pub const MINT_REQUEST_MAX_WAIT_SECS: u64 = 6 * 3600;
/// Most requests in one batch.
pub const MAX_MINT_BATCH_REQUESTS: usize = 50;
/// Ledger records read when looking for a burn's record (newest first).
pub const MINT_RECORDS_LOOKUP_LIMIT: u32 = 20;
/// A burn whose record has not executed after this long is reported in the logs.
pub const MINT_SETTLE_WARN_SECS: u64 = 3600;
pub const UACT: &str = "uact";
/// The status of a record the chain canceled (and refunded).
pub const LEDGER_RECORD_CANCELED: &str = "ledger_record_status_canceled";

/// Every check of `mint_act` (its validator's too); the owner whose AKT is burned. Changes nothing.
pub fn check_mint(s: &State, caller: Principal, arg: &MintActArg) -> Result<Principal, Error> {
    let owner = governance::acting_owner(s, caller, arg.owner)?;
    let config = s.config();
    if config.paused {
        return Err(Error::Paused);
    }
    if arg.amount_uakt < MIN_MINT_UAKT {
        return Err(Error::InvalidArgument { field: "amount_uakt".into(), reason: format!("at least {MIN_MINT_UAKT} uakt") });
    }
    let available = s.balance(&owner).available_uakt;
    let needed = mint_set_aside_uakt(s, arg.amount_uakt);
    if available < needed {
        return Err(Error::InsufficientBalance { available_uakt: available, requested_uakt: needed });
    }
    Ok(owner)
}

/// AKT a mint of `amount_uakt` sets aside: the amount, its fee reserve and the service fee.
pub fn mint_set_aside_uakt(s: &State, amount_uakt: u64) -> u64 {
    amount_uakt.saturating_add(MINT_FEE_RESERVE_UAKT).saturating_add(s.config().akash_service_fee_uakt)
}

/// `mint_act`: reserves the AKT; the next batch burns it.
pub async fn mint_act<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: MintActArg) -> Result<u64, Error> {
    let owner = o.read(|s| check_mint(s, caller, &arg))?;
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    keys::signer_account(o, SignerId::Treasury).await?;
    let id = o.mutate(|s| {
        let charges = Charges { fee_reserve_uakt: MINT_FEE_RESERVE_UAKT, service_fee_uakt: s.config().akash_service_fee_uakt };
        s.request_mint(o.now_nanos(), owner, arg.amount_uakt, charges)
    })?;
    pipeline::schedule(o, 0);
    Ok(id)
}

/// Called by each pipeline run: starts a batch when minting is allowed, and credits a burn's
/// ACT once its ledger record executed.
pub async fn step<R: Runtime>(o: &Orchestrator<R>) {
    let batch = o.read(|s| s.book().mint_batch.clone());
    match batch {
        None => {
            if o.read(|s| s.waiting_mint_requests(1).is_empty()) {
                return;
            }
            match client::bme_status(o).await {
                Ok(st) if st.mints_allowed => {
                    let Ok(treasury) = keys::signer_account(o, SignerId::Treasury).await else { return };
                    let now = o.now_secs();
                    if let Some(msg) = o.mutate(|s| s.start_mint_batch(now, &treasury.address, MAX_MINT_BATCH_REQUESTS)) {
                        o.log(Level::Info, format!("ACT mint batch queued as message {msg}"));
                    }
                }
                Ok(st) => {
                    o.log(Level::Warn, format!("ACT minting halted ({})", st.status));
                    let n = o.mutate(|s| s.expire_mint_requests(o.now_nanos(), MINT_REQUEST_MAX_WAIT_SECS));
                    if n > 0 {
                        o.log(Level::Warn, format!("{n} ACT mint requests released after waiting {MINT_REQUEST_MAX_WAIT_SECS} s"));
                    }
                }
                Err(e) => o.log(Level::Warn, format!("reading the BME status: {e}")),
            }
        }
        Some(b) => {
            let MintState::Burned { height, since_secs, .. } = b.state else { return };
            let Some(treasury) = o.read(|s| s.tx_account(&SignerId::Treasury)) else { return };
            match client::mint_records(o, &treasury.address, MINT_RECORDS_LOOKUP_LIMIT).await {
                Ok(records) => {
                    let record = records.iter().find(|r| r.id.height == height && r.id.source == treasury.address);
                    if let Some(r) = record.filter(|r| r.status == LEDGER_RECORD_CANCELED) {
                        o.log(Level::Warn, format!("burn of height {height} canceled by the chain; AKT refunded"));
                        o.mutate(|s| s.cancel_mint(o.now_nanos(), &r.status));
                        return;
                    }
                    let minted = record.and_then(|r| r.executed_record.as_ref()).map(|e| &e.minted.coin);
                    match minted {
                        Some(coin) if coin.denom == UACT => {
                            let Ok(uact) = u64::try_from(coin.amount) else {
                                o.log(Level::Error, format!("minted amount {} does not fit", coin.amount));
                                return;
                            };
                            o.log(Level::Info, format!("ACT minted: {uact} uact for {} uakt", b.total_uakt));
                            o.mutate(|s| s.complete_mint(o.now_nanos(), uact));
                        }
                        Some(coin) => o.log(Level::Error, format!("mint record of height {height} minted {}", coin.denom)),
                        None => {
                            if o.now_secs().saturating_sub(since_secs) > MINT_SETTLE_WARN_SECS {
                                o.log(Level::Warn, format!("burn of height {height} not settled after {MINT_SETTLE_WARN_SECS} s"));
                            }
                        }
                    }
                }
                Err(e) => o.log(Level::Warn, format!("reading mint records: {e}")),
            }
        }
    }
}
