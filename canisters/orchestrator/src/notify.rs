//! Money in by push: ICP transferred to (orchestrator, deposit subaccount of the beneficiary),
//! then `notify_deposit(block_index)` by anyone. The block is read from the ledger (or from the
//! archive the ledger points to), checked, and credited once.
//!
//! Nothing is locked while the block is read: concurrent notifies of one block each read it,
//! and the first to apply the credit wins; the others find the credit and return it. So
//! repeated and concurrent notifies return the same result and credit once.

use crate::canister::{Orchestrator, NANOS_PER_SEC};
use crate::deposit::{check_beneficiary, check_caller};
use crate::guard::FlowGuard;
use crate::metrics::LedgerMethod;
use crate::ledger::{account_identifier, deposit_subaccount, Block, GetBlocksArgs, Operation, QueryArchiveError};
use crate::runtime::Runtime;
use crate::state::State;
use crate::{conversion, rate};
use candid::Principal;
use ic_akash_orchestrator_types::{Account, Credit, DepositAccount, Error, NotifyDepositArg};

/// The account to which ICP for `beneficiary` is sent before `notify_deposit`.
pub fn deposit_account(orchestrator: Principal, beneficiary: Principal) -> DepositAccount {
    let subaccount = deposit_subaccount(&beneficiary);
    DepositAccount {
        beneficiary,
        account: Account { owner: orchestrator, subaccount: Some(subaccount.to_vec()) },
        account_identifier: hex::encode(account_identifier(&orchestrator, &subaccount)),
    }
}

fn unavailable(reason: String) -> Error {
    Error::LedgerUnavailable { reason }
}

/// Reads block `index` from the ledger, following the archive callback for old blocks.
pub async fn fetch_block<R: Runtime>(o: &Orchestrator<R>, ledger: Principal, index: u64) -> Result<Block, Error> {
    let arg = GetBlocksArgs { start: index, length: 1 };
    let resp = o.rt.query_blocks(ledger, arg).await.map_err(|e| {
        o.counters.borrow_mut().ledger_failure(LedgerMethod::QueryBlocks);
        unavailable(format!("query_blocks: {e}"))
    })?;
    if index >= resp.chain_length {
        return Err(Error::BlockNotFound { block_index: index });
    }
    if index >= resp.first_block_index {
        let offset = (index - resp.first_block_index) as usize;
        return resp.blocks.into_iter().nth(offset).ok_or(Error::BlockNotFound { block_index: index });
    }
    let range = resp
        .archived_blocks
        .into_iter()
        .find(|r| r.start <= index && index < r.start.saturating_add(r.length))
        .ok_or(Error::BlockNotFound { block_index: index })?;
    match o.rt.query_archive(range.callback, arg).await {
        Ok(Ok(blocks)) => blocks.blocks.into_iter().next().ok_or(Error::BlockNotFound { block_index: index }),
        Ok(Err(QueryArchiveError::BadFirstBlockIndex { .. })) => Err(Error::BlockNotFound { block_index: index }),
        Ok(Err(QueryArchiveError::Other { error_code, error_message })) => {
            Err(unavailable(format!("archive error {error_code}: {error_message}")))
        }
        Err(e) => {
            o.counters.borrow_mut().ledger_failure(LedgerMethod::QueryArchive);
            Err(unavailable(format!("archive: {e}")))
        }
    }
}

/// The ICP amount `block` pays to `beneficiary`'s deposit account, or why it is not a deposit.
pub fn deposit_amount(
    block: &Block,
    index: u64,
    orchestrator: Principal,
    beneficiary: Principal,
    now_nanos: u64,
    max_age_secs: u64,
) -> Result<u64, Error> {
    let not = |reason: String| Error::NotADeposit { block_index: index, reason };
    let Some(Operation::Transfer { to, amount, .. }) = &block.transaction.operation else {
        return Err(not("not a transfer".into()));
    };
    let expected = account_identifier(&orchestrator, &deposit_subaccount(&beneficiary));
    if to.as_slice() != expected.as_slice() {
        return Err(not(format!(
            "pays account {}, not the deposit account {} of {beneficiary}",
            hex::encode(to),
            hex::encode(expected)
        )));
    }
    if amount.e8s == 0 {
        return Err(not("transfers 0 e8s".into()));
    }
    let age_secs = now_nanos.saturating_sub(block.timestamp.timestamp_nanos) / NANOS_PER_SEC;
    if age_secs > max_age_secs {
        return Err(Error::BlockTooOld { block_index: index, age_secs, max_age_secs });
    }
    Ok(amount.e8s)
}

/// The checks `notify_deposit` makes before it reads the ledger (its validator's too): the
/// beneficiary, and the credit already made for this block if there is one. Changes nothing.
pub fn check_notify(s: &State, caller: Principal, arg: &NotifyDepositArg) -> Result<(Principal, Option<Credit>), Error> {
    check_caller(caller)?;
    let beneficiary = arg.beneficiary.unwrap_or(caller);
    check_beneficiary(beneficiary)?;
    if let Some(done) = s.credited(arg.block_index) {
        return Ok((beneficiary, Some(done)));
    }
    if s.config().paused {
        return Err(Error::Paused);
    }
    Ok((beneficiary, None))
}

pub async fn notify_deposit<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: NotifyDepositArg) -> Result<Credit, Error> {
    let (beneficiary, done) = o.read(|s| check_notify(s, caller, &arg))?;
    if let Some(done) = done {
        return Ok(done);
    }
    let config = o.read(|s| s.config().clone());
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let _guard = FlowGuard::acquire(&o.guards, caller, config.max_flows_in_progress)?;

    let block = fetch_block(o, config.ledger_id, arg.block_index).await?;
    let amount_e8s = deposit_amount(
        &block,
        arg.block_index,
        o.rt.canister_id(),
        beneficiary,
        o.now_nanos(),
        config.notify_max_block_age_secs,
    )?;
    if let Some(done) = o.read(|s| s.credited(arg.block_index)) {
        return Ok(done);
    }
    let rate = rate::current_rate(o).await?;
    let quote = conversion::quote(amount_e8s, &rate, config.fee_bps);
    let now = o.now_nanos();
    Ok(o.mutate(|s| s.credit(now, beneficiary, arg.block_index, None, quote)))
}
