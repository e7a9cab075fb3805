//! Money in by pull: the payer approves (ICRC-2), the orchestrator takes with
//! `icrc2_transfer_from` and credits by the returned block index.
//!
//! The deposit is persisted before the ledger is called, with the `created_at_time` it sends.
//! If the answer is lost (timeout, upgrade), a timer sends the same transfer again: the ledger
//! either runs it (it had not) or answers `Duplicate` with the first block (it had). Either way
//! the block is credited once, at the price agreed when the deposit started.

use crate::canister::Orchestrator;
use crate::guard::FlowGuard;
use crate::logs::Level;
use crate::metrics::LedgerMethod;
use crate::runtime::{Runtime, Task};
use crate::state::{PendingDeposit, State};
use crate::{conversion, rate};
use candid::{Nat, Principal};
use ic_akash_orchestrator_types::{Credit, DepositIcpArg, Error};
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc1::transfer::Memo;
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};

/// First retry of a deposit whose answer was lost; later ones wait a quarter of its age, up to
/// `MAX_RETRY_DELAY_SECS`.
pub const FIRST_RETRY_DELAY_SECS: u64 = 5;
pub const MAX_RETRY_DELAY_SECS: u64 = 600;
/// The ICP ledger deduplicates for 24 hours; retries must happen well within that.
pub const DEPOSIT_RETRY_DEADLINE_SECS: u64 = 20 * 3600;

pub(crate) fn check_caller(caller: Principal) -> Result<(), Error> {
    if caller == Principal::anonymous() {
        return Err(Error::AnonymousCaller);
    }
    Ok(())
}

pub(crate) fn check_beneficiary(beneficiary: Principal) -> Result<(), Error> {
    if beneficiary == Principal::anonymous() || beneficiary == Principal::management_canister() {
        return Err(Error::InvalidArgument {
            field: "beneficiary".into(),
            reason: "must be a user, canister or DAO principal".into(),
        });
    }
    Ok(())
}

/// Every check of `deposit_icp` made before the ledger is called (its validator's too); the
/// beneficiary. Changes nothing.
pub fn check_deposit(s: &State, caller: Principal, arg: &DepositIcpArg) -> Result<Principal, Error> {
    check_caller(caller)?;
    let beneficiary = arg.beneficiary.unwrap_or(caller);
    check_beneficiary(beneficiary)?;
    if let Some(sub) = &arg.from_subaccount {
        if sub.len() != 32 {
            return Err(Error::InvalidArgument {
                field: "from_subaccount".into(),
                reason: format!("must be 32 bytes, not {}", sub.len()),
            });
        }
    }
    let config = s.config();
    if config.paused {
        return Err(Error::Paused);
    }
    if arg.amount_e8s < config.min_deposit_e8s {
        return Err(Error::AmountTooSmall { min_e8s: config.min_deposit_e8s });
    }
    if s.pending_deposit_count() >= config.max_flows_in_progress as u64 {
        return Err(Error::TooManyFlows { max: config.max_flows_in_progress });
    }
    Ok(beneficiary)
}

pub async fn deposit_icp<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: DepositIcpArg) -> Result<Credit, Error> {
    let beneficiary = o.read(|s| check_deposit(s, caller, &arg))?;
    let config = o.read(|s| s.config().clone());
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let _guard = FlowGuard::acquire(&o.guards, caller, config.max_flows_in_progress)?;

    let rate = rate::current_rate(o).await?;
    let quote = conversion::quote(arg.amount_e8s, &rate, config.fee_bps);
    let now = o.now_nanos();
    let pending = PendingDeposit {
        payer: caller,
        from_subaccount: arg.from_subaccount,
        beneficiary,
        amount_e8s: arg.amount_e8s,
        created_at_time_nanos: now,
        quote,
    };
    let id = o.mutate(|s| s.start_deposit(now, pending));
    let result = attempt(o, id, false).await;
    if matches!(result, Err(Error::DepositPending { .. })) {
        o.rt.set_timer(FIRST_RETRY_DELAY_SECS, Task::RetryPendingDeposits);
    }
    result
}

/// What a `transfer_from` answer means for a deposit.
enum Outcome {
    Taken(u64),
    /// The ledger looked at this transfer and refused it: it never ran, nor did an earlier send
    /// of it (the ledger answers `Duplicate` before anything else).
    NotTaken(Error),
    /// This send did not run (call refused, ledger busy); an earlier send may have.
    NotRun(Error),
    /// This send may have run.
    Unknown,
}

fn classify(answer: Result<Result<Nat, TransferFromError>, crate::runtime::CallError>) -> Outcome {
    let block = |n: Nat| match u64::try_from(n.0) {
        Ok(b) => Outcome::Taken(b),
        Err(_) => Outcome::Unknown,
    };
    let refused = |reason: String| Outcome::NotTaken(Error::LedgerRefused { reason });
    match answer {
        Ok(Ok(n)) => block(n),
        Ok(Err(TransferFromError::Duplicate { duplicate_of })) => block(duplicate_of),
        Ok(Err(TransferFromError::InsufficientAllowance { allowance })) => {
            Outcome::NotTaken(Error::InsufficientAllowance { allowance_e8s: u64::try_from(allowance.0).unwrap_or(u64::MAX) })
        }
        Ok(Err(TransferFromError::InsufficientFunds { balance })) => {
            Outcome::NotTaken(Error::InsufficientFunds { balance_e8s: u64::try_from(balance.0).unwrap_or(u64::MAX) })
        }
        Ok(Err(TransferFromError::TemporarilyUnavailable)) => {
            Outcome::NotRun(Error::LedgerUnavailable { reason: "ledger temporarily unavailable".into() })
        }
        Ok(Err(e)) => refused(e.to_string()),
        Err(e) if e.may_have_executed() => Outcome::Unknown,
        Err(e) => Outcome::NotRun(Error::LedgerUnavailable { reason: e.to_string() }),
    }
}

/// Sends (or, on a retry, sends again) pending deposit `id` to the ledger and applies the answer.
async fn attempt<R: Runtime>(o: &Orchestrator<R>, id: u64, retry: bool) -> Result<Credit, Error> {
    let Some(d) = o.read(|s| s.pending_deposit(id)) else {
        return Err(Error::InvalidArgument { field: "deposit_id".into(), reason: format!("no pending deposit {id}") });
    };
    let ledger = o.read(|s| s.config().ledger_id);
    let arg = TransferFromArgs {
        spender_subaccount: None,
        from: Account { owner: d.payer, subaccount: d.from_subaccount.as_deref().map(to_subaccount) },
        to: Account { owner: o.rt.canister_id(), subaccount: None },
        amount: Nat::from(d.amount_e8s),
        fee: None,
        memo: Some(Memo::from(id)),
        created_at_time: Some(d.created_at_time_nanos),
    };
    let answer = o.rt.icrc2_transfer_from(ledger, arg).await;
    if answer.is_err() {
        o.counters.borrow_mut().ledger_failure(LedgerMethod::TransferFrom);
    }
    let now = o.now_nanos();
    match classify(answer) {
        Outcome::Taken(block) => o
            .mutate(|s| s.complete_deposit(now, id, block))
            // Another retry completed it while this one awaited: the block's credit stands.
            .or_else(|| o.read(|s| s.credited(block)))
            .ok_or(Error::DepositPending { deposit_id: id }),
        Outcome::NotTaken(e) => {
            o.mutate(|s| s.fail_deposit(now, id, e.to_string()));
            Err(e)
        }
        // On the first send nothing ran: the deposit simply failed. On a retry, the lost first
        // send may have run, so the deposit stays pending.
        Outcome::NotRun(e) if !retry => {
            o.mutate(|s| s.fail_deposit(now, id, e.to_string()));
            Err(e)
        }
        Outcome::NotRun(e) => {
            o.log(Level::Warn, format!("deposit {id}: retry not run ({e}); stays pending"));
            Err(Error::DepositPending { deposit_id: id })
        }
        Outcome::Unknown => {
            o.log(Level::Warn, format!("deposit {id}: ledger answer lost; will retry"));
            Err(Error::DepositPending { deposit_id: id })
        }
    }
}

fn to_subaccount(bytes: &[u8]) -> [u8; 32] {
    let mut s = [0u8; 32];
    s.copy_from_slice(&bytes[..32]);
    s
}

fn age_secs<R: Runtime>(o: &Orchestrator<R>, d: &PendingDeposit) -> u64 {
    o.now_nanos().saturating_sub(d.created_at_time_nanos) / crate::canister::NANOS_PER_SEC
}

/// Timer task: settle every pending deposit whose answer was lost.
/// Reschedules itself while deposits stay pending, backing off as they age.
pub async fn retry_pending<R: Runtime>(o: &Orchestrator<R>) {
    if o.retry_in_progress.replace(true) {
        return;
    }
    let limit = o.read(|s| s.config().max_flows_in_progress) as usize;
    let ids = o.read(|s| s.pending_deposit_ids(limit));
    for id in ids {
        let Some(d) = o.read(|s| s.pending_deposit(id)) else { continue };
        let age_secs = age_secs(o, &d);
        if age_secs > DEPOSIT_RETRY_DEADLINE_SECS {
            let now = o.now_nanos();
            let reason = format!(
                "ledger gave no answer for {age_secs} s; the ledger's deduplication window is closing, \
                 so deposit {id} (created_at_time {}) is closed unresolved: controllers reconcile it from the ledger",
                d.created_at_time_nanos
            );
            o.log(Level::Error, reason.clone());
            o.mutate(|s| s.fail_deposit(now, id, reason));
            continue;
        }
        let _ = attempt(o, id, true).await;
    }
    o.retry_in_progress.set(false);
    let oldest = o.read(|s| s.pending_deposit_ids(1).first().and_then(|id| s.pending_deposit(*id)));
    if let Some(d) = oldest {
        let age_secs = age_secs(o, &d);
        let delay = (age_secs / 4).clamp(FIRST_RETRY_DELAY_SECS, MAX_RETRY_DELAY_SECS);
        o.rt.set_timer(delay, Task::RetryPendingDeposits);
    }
}
