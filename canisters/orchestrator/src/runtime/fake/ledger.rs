//! A simulated ICP ledger with the rules the orchestrator relies on: ICRC-1 transfers and
//! ICRC-2 approvals with fees, allowance expiry and expected allowance; `transfer_from` checks in
//! the ledger's order; deduplication of transactions carrying `created_at_time` within the
//! 24-hour window (and `TooOld` / `CreatedInFuture` outside it); blocks with legacy account
//! identifiers, the oldest of them moved to an archive reachable only through the callback
//! `query_blocks` returns.

use crate::ledger::{
    account_identifier, ArchivedBlocksRange, Block, BlockRange, GetBlocksArgs, Operation,
    QueryArchiveError, QueryBlocksResponse, TimeStamp, Tokens, Transaction,
};
use candid::{Nat, Principal};
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const LEDGER_FEE_E8S: u64 = 10_000;
pub const TX_WINDOW_NANOS: u64 = 24 * 3600 * 1_000_000_000;
pub const PERMITTED_DRIFT_NANOS: u64 = 60 * 1_000_000_000;
/// Most blocks one `query_blocks` answer carries, like the ledger.
pub const MAX_BLOCKS_PER_QUERY: u64 = 2_000;
pub const MAX_MEMO_BYTES: usize = 32;
pub const ARCHIVE_METHOD: &str = "get_blocks";

pub type AccountId = [u8; 32];

pub fn account_id(a: &Account) -> AccountId {
    account_identifier(&a.owner, &a.subaccount.unwrap_or([0; 32]))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Allowance {
    amount: u64,
    expires_at: Option<u64>,
}

/// Why an ICRC-1 transfer or approve was refused (the fake's own, simpler error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerError {
    InsufficientFunds { balance: u64 },
    AllowanceChanged { current: u64 },
    Expired,
    TooOld,
    CreatedInFuture,
    Duplicate { duplicate_of: u64 },
    MemoTooLong,
}

pub struct FakeLedger {
    pub id: Principal,
    pub archive_id: Principal,
    pub fee_e8s: u64,
    balances: BTreeMap<AccountId, u64>,
    allowances: BTreeMap<(AccountId, AccountId), Allowance>,
    blocks: Vec<Block>,
    /// transaction hash -> (block index, created_at_time)
    seen: BTreeMap<[u8; 32], (u64, u64)>,
    /// Blocks below this index live only in the archive.
    archived_upto: u64,
    pub minting_account: AccountId,
}

impl FakeLedger {
    pub fn new(id: Principal, archive_id: Principal) -> Self {
        FakeLedger {
            id,
            archive_id,
            fee_e8s: LEDGER_FEE_E8S,
            balances: BTreeMap::new(),
            allowances: BTreeMap::new(),
            blocks: Vec::new(),
            seen: BTreeMap::new(),
            archived_upto: 0,
            minting_account: account_identifier(&Principal::from_slice(&[0xEE]), &[0; 32]),
        }
    }

    pub fn balance_of(&self, a: &Account) -> u64 {
        self.balances.get(&account_id(a)).copied().unwrap_or(0)
    }

    /// Sum of every balance: minted minus fees burned.
    pub fn total_supply(&self) -> u64 {
        self.balances.values().sum()
    }

    pub fn allowance(&self, from: &Account, spender: &Account, now: u64) -> u64 {
        self.live_allowance(&(account_id(from), account_id(spender)), now)
    }

    fn live_allowance(&self, key: &(AccountId, AccountId), now: u64) -> u64 {
        match self.allowances.get(key) {
            Some(a) if a.expires_at.is_none_or(|t| t > now) => a.amount,
            _ => 0,
        }
    }

    pub fn chain_length(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// Moves every block so far to the archive.
    pub fn archive_all(&mut self) {
        self.archived_upto = self.blocks.len() as u64;
    }

    fn push(&mut self, now: u64, operation: Operation, memo: Option<Vec<u8>>, created_at_time: Option<u64>) -> u64 {
        let index = self.blocks.len() as u64;
        let parent_hash = self.blocks.last().map(|b| Sha256::digest(format!("{b:?}")).to_vec());
        self.blocks.push(Block {
            parent_hash,
            transaction: Transaction {
                memo: 0,
                icrc1_memo: memo,
                operation: Some(operation),
                created_at_time: TimeStamp { timestamp_nanos: created_at_time.unwrap_or(now) },
            },
            timestamp: TimeStamp { timestamp_nanos: now },
        });
        index
    }

    /// Deduplication and time window, as the ledger applies them before anything else.
    fn check_time(&self, now: u64, created_at_time: Option<u64>, tx_hash: &[u8; 32]) -> Result<(), LedgerError> {
        let Some(t) = created_at_time else { return Ok(()) };
        if t.saturating_add(TX_WINDOW_NANOS + PERMITTED_DRIFT_NANOS) < now {
            return Err(LedgerError::TooOld);
        }
        if t > now.saturating_add(PERMITTED_DRIFT_NANOS) {
            return Err(LedgerError::CreatedInFuture);
        }
        if let Some((index, _)) = self.seen.get(tx_hash) {
            return Err(LedgerError::Duplicate { duplicate_of: *index });
        }
        Ok(())
    }

    fn remember(&mut self, now: u64, created_at_time: Option<u64>, tx_hash: [u8; 32], index: u64) {
        if let Some(t) = created_at_time {
            // Hashes leave the window as the ledger forgets them.
            self.seen.retain(|_, (_, c)| c.saturating_add(TX_WINDOW_NANOS + PERMITTED_DRIFT_NANOS) >= now);
            self.seen.insert(tx_hash, (index, t));
        }
    }

    pub fn mint(&mut self, now: u64, to: &Account, e8s: u64) -> u64 {
        *self.balances.entry(account_id(to)).or_default() += e8s;
        self.push(now, Operation::Mint(candid::Reserved), None, None)
    }

    fn debit(&mut self, from: &AccountId, amount: u64) -> Result<(), LedgerError> {
        let balance = self.balances.get(from).copied().unwrap_or(0);
        if balance < amount {
            return Err(LedgerError::InsufficientFunds { balance });
        }
        self.balances.insert(*from, balance - amount);
        Ok(())
    }

    /// ICRC-1 `icrc1_transfer` by `caller` (what a person or an SNS treasury does to push ICP).
    #[allow(clippy::too_many_arguments)]
    pub fn transfer(
        &mut self,
        now: u64,
        caller: Principal,
        from_subaccount: Option<[u8; 32]>,
        to: &Account,
        amount: u64,
        memo: Option<Vec<u8>>,
        created_at_time: Option<u64>,
    ) -> Result<u64, LedgerError> {
        if memo.as_ref().is_some_and(|m| m.len() > MAX_MEMO_BYTES) {
            return Err(LedgerError::MemoTooLong);
        }
        let from = account_id(&Account { owner: caller, subaccount: from_subaccount });
        let to = account_id(to);
        let hash = tx_hash(&("transfer", from, to, amount, &memo, created_at_time));
        self.check_time(now, created_at_time, &hash)?;
        self.debit(&from, amount + self.fee_e8s)?;
        *self.balances.entry(to).or_default() += amount;
        let op = Operation::Transfer {
            from: from.to_vec(),
            to: to.to_vec(),
            amount: Tokens { e8s: amount },
            fee: Tokens { e8s: self.fee_e8s },
            spender: None,
        };
        let index = self.push(now, op, memo, created_at_time);
        self.remember(now, created_at_time, hash, index);
        Ok(index)
    }

    /// ICRC-2 `icrc2_approve` by `caller`.
    pub fn approve(
        &mut self,
        now: u64,
        caller: Principal,
        spender: &Account,
        amount: u64,
        expected_allowance: Option<u64>,
        expires_at: Option<u64>,
    ) -> Result<u64, LedgerError> {
        if expires_at.is_some_and(|t| t <= now) {
            return Err(LedgerError::Expired);
        }
        let from = account_id(&Account { owner: caller, subaccount: None });
        let key = (from, account_id(spender));
        if let Some(expected) = expected_allowance {
            let current = self.live_allowance(&key, now);
            if current != expected {
                return Err(LedgerError::AllowanceChanged { current });
            }
        }
        self.debit(&from, self.fee_e8s)?;
        self.allowances.insert(key, Allowance { amount, expires_at });
        Ok(self.push(now, Operation::Approve(candid::Reserved), None, None))
    }

    /// ICRC-2 `icrc2_transfer_from` called by `spender`.
    pub fn transfer_from(&mut self, now: u64, spender: Principal, arg: &TransferFromArgs) -> Result<Nat, TransferFromError> {
        let fee = self.fee_e8s;
        if let Some(f) = &arg.fee {
            if f.0 != fee.into() {
                return Err(TransferFromError::BadFee { expected_fee: Nat::from(fee) });
            }
        }
        let generic = |message: &str| TransferFromError::GenericError { error_code: Nat::from(0u8), message: message.into() };
        let Ok(amount) = u64::try_from(arg.amount.0.clone()) else {
            return Err(generic("amount exceeds u64"));
        };
        let memo = arg.memo.as_ref().map(|m| m.0.to_vec());
        if memo.as_ref().is_some_and(|m| m.len() > MAX_MEMO_BYTES) {
            return Err(generic("memo longer than 32 bytes"));
        }
        let spender_account = Account { owner: spender, subaccount: arg.spender_subaccount };
        let from = account_id(&arg.from);
        let to = account_id(&arg.to);
        let spender_id = account_id(&spender_account);
        let hash = tx_hash(&("transfer_from", from, to, spender_id, amount, &memo, arg.created_at_time));
        match self.check_time(now, arg.created_at_time, &hash) {
            Ok(()) => {}
            Err(LedgerError::TooOld) => return Err(TransferFromError::TooOld),
            Err(LedgerError::CreatedInFuture) => return Err(TransferFromError::CreatedInFuture { ledger_time: now }),
            Err(LedgerError::Duplicate { duplicate_of }) => {
                return Err(TransferFromError::Duplicate { duplicate_of: Nat::from(duplicate_of) })
            }
            Err(e) => return Err(generic(&format!("{e:?}"))),
        }
        let key = (from, spender_id);
        let allowance = self.live_allowance(&key, now);
        if allowance < amount + fee {
            return Err(TransferFromError::InsufficientAllowance { allowance: Nat::from(allowance) });
        }
        if let Err(LedgerError::InsufficientFunds { balance }) = self.debit(&from, amount + fee) {
            return Err(TransferFromError::InsufficientFunds { balance: Nat::from(balance) });
        }
        *self.balances.entry(to).or_default() += amount;
        let a = self.allowances.get_mut(&key).expect("BUG: allowance checked above");
        a.amount -= amount + fee;
        let op = Operation::Transfer {
            from: from.to_vec(),
            to: to.to_vec(),
            amount: Tokens { e8s: amount },
            fee: Tokens { e8s: fee },
            spender: Some(spender_id.to_vec()),
        };
        let index = self.push(now, op, memo, arg.created_at_time);
        self.remember(now, arg.created_at_time, hash, index);
        Ok(Nat::from(index))
    }

    /// `query_blocks`: blocks still on the ledger, and archive ranges with their callback.
    pub fn query_blocks(&self, arg: GetBlocksArgs) -> QueryBlocksResponse {
        let chain_length = self.chain_length();
        let start = arg.start.min(chain_length);
        let end = start.saturating_add(arg.length.min(MAX_BLOCKS_PER_QUERY)).min(chain_length);
        let local_start = start.max(self.archived_upto);
        let blocks = if local_start < end {
            self.blocks[local_start as usize..end as usize].to_vec()
        } else {
            Vec::new()
        };
        let mut archived_blocks = Vec::new();
        if start < self.archived_upto {
            archived_blocks.push(ArchivedBlocksRange {
                start,
                length: end.min(self.archived_upto) - start,
                callback: candid::types::reference::Func {
                    principal: self.archive_id,
                    method: ARCHIVE_METHOD.to_string(),
                },
            });
        }
        QueryBlocksResponse {
            chain_length,
            certificate: None,
            blocks,
            first_block_index: local_start,
            archived_blocks,
        }
    }

    /// The archive's `get_blocks`.
    pub fn query_archive(&self, arg: GetBlocksArgs) -> Result<BlockRange, QueryArchiveError> {
        if arg.start >= self.archived_upto {
            return Err(QueryArchiveError::BadFirstBlockIndex { requested_index: arg.start, first_valid_index: 0 });
        }
        let end = arg.start.saturating_add(arg.length.min(MAX_BLOCKS_PER_QUERY)).min(self.archived_upto);
        Ok(BlockRange { blocks: self.blocks[arg.start as usize..end as usize].to_vec() })
    }
}

fn tx_hash<T: std::fmt::Debug>(t: &T) -> [u8; 32] {
    Sha256::digest(format!("{t:?}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: u8) -> Account {
        Account { owner: Principal::from_slice(&[n; 8]), subaccount: None }
    }

    const T0: u64 = 1_800_000_000_000_000_000;

    fn args(from: &Account, to: &Account, amount: u64, created_at_time: Option<u64>) -> TransferFromArgs {
        TransferFromArgs {
            spender_subaccount: None,
            from: *from,
            to: *to,
            amount: Nat::from(amount),
            fee: None,
            memo: None,
            created_at_time,
        }
    }

    #[test]
    fn transfer_from_needs_allowance_for_amount_and_fee_and_charges_both() {
        let mut l = FakeLedger::new(Principal::from_slice(&[1]), Principal::from_slice(&[2]));
        let (payer, me) = (acct(3), acct(4));
        l.mint(T0, &payer, 1_000_000);
        l.approve(T0, payer.owner, &me, 500_000, None, None).unwrap();
        assert_eq!(l.balance_of(&payer), 990_000);
        let e = l.transfer_from(T0, me.owner, &args(&payer, &me, 495_000, None)).unwrap_err();
        assert_eq!(e, TransferFromError::InsufficientAllowance { allowance: Nat::from(500_000u64) });
        l.transfer_from(T0, me.owner, &args(&payer, &me, 490_000, None)).unwrap();
        assert_eq!(l.balance_of(&payer), 490_000);
        assert_eq!(l.balance_of(&me), 490_000);
        assert_eq!(l.allowance(&payer, &me, T0), 0);
        assert_eq!(l.total_supply(), 1_000_000 - 2 * LEDGER_FEE_E8S);
    }

    #[test]
    fn created_at_time_deduplicates_within_the_window_only() {
        let mut l = FakeLedger::new(Principal::from_slice(&[1]), Principal::from_slice(&[2]));
        let (payer, me) = (acct(3), acct(4));
        l.mint(T0, &payer, 10_000_000);
        l.approve(T0, payer.owner, &me, 10_000_000, None, None).unwrap();
        let a = args(&payer, &me, 100_000, Some(T0));
        let first = l.transfer_from(T0, me.owner, &a).unwrap();
        let dup = l.transfer_from(T0 + 1000, me.owner, &a).unwrap_err();
        assert_eq!(dup, TransferFromError::Duplicate { duplicate_of: first });
        assert_eq!(l.balance_of(&me), 100_000);
        let old = l.transfer_from(T0 + TX_WINDOW_NANOS + PERMITTED_DRIFT_NANOS + 1, me.owner, &a).unwrap_err();
        assert_eq!(old, TransferFromError::TooOld);
        let future = args(&payer, &me, 1, Some(T0 + 2 * PERMITTED_DRIFT_NANOS));
        assert!(matches!(l.transfer_from(T0, me.owner, &future), Err(TransferFromError::CreatedInFuture { .. })));
        assert!(matches!(
            l.transfer_from(T0, me.owner, &TransferFromArgs { fee: Some(Nat::from(1u8)), ..a }),
            Err(TransferFromError::BadFee { .. })
        ));
    }

    #[test]
    fn expired_allowances_count_as_zero_and_expected_allowance_is_checked() {
        let mut l = FakeLedger::new(Principal::from_slice(&[1]), Principal::from_slice(&[2]));
        let (payer, me) = (acct(3), acct(4));
        l.mint(T0, &payer, 10_000_000);
        assert_eq!(l.approve(T0, payer.owner, &me, 5, None, Some(T0)), Err(LedgerError::Expired));
        l.approve(T0, payer.owner, &me, 1_000_000, None, Some(T0 + 10)).unwrap();
        assert_eq!(l.approve(T0, payer.owner, &me, 7, Some(3), None), Err(LedgerError::AllowanceChanged { current: 1_000_000 }));
        let e = l.transfer_from(T0 + 10, me.owner, &args(&payer, &me, 1, None)).unwrap_err();
        assert_eq!(e, TransferFromError::InsufficientAllowance { allowance: Nat::from(0u8) });
    }

    #[test]
    fn archived_blocks_are_only_reachable_through_the_callback() {
        let mut l = FakeLedger::new(Principal::from_slice(&[1]), Principal::from_slice(&[2]));
        for i in 0..5 {
            l.mint(T0 + i, &acct(3), 1);
        }
        l.archive_all();
        l.mint(T0 + 9, &acct(3), 1);
        let r = l.query_blocks(GetBlocksArgs { start: 2, length: 1 });
        assert!(r.blocks.is_empty());
        assert_eq!(r.archived_blocks.len(), 1);
        assert_eq!(r.archived_blocks[0].callback.principal, l.archive_id);
        assert_eq!(l.query_archive(GetBlocksArgs { start: 2, length: 1 }).unwrap().blocks[0].timestamp.timestamp_nanos, T0 + 2);
        let r = l.query_blocks(GetBlocksArgs { start: 5, length: 1 });
        assert_eq!((r.first_block_index, r.blocks.len(), r.chain_length), (5, 1, 6));
        assert!(l.query_archive(GetBlocksArgs { start: 5, length: 1 }).is_err());
    }
}
