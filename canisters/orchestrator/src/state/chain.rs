//! The Akash side of the books: signing accounts and their transaction slots, messages waiting
//! for a transaction, withdrawals, ACT mints and owner accounts. Pure functions only: the
//! pipeline (`akash::pipeline`) decides, these apply, journal and keep the totals.
//!
//! Money rule: whatever a flow may spend on chain is reserved from the principal's available
//! balance before any message exists; fees are charged from that reserve as transactions land;
//! what is left returns to the principal when the flow ends.

use super::State;
use crate::storage::{Candid, SignerId};
use candid::{CandidType, Deserialize, Principal};
use ic_akash_orchestrator_types::{Change, Error, TxOutcome};

/// The signing data and transaction slot of one Akash account.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TxAccount {
    /// Compressed secp256k1 key (33 bytes), fetched once from threshold ECDSA.
    pub public_key: Vec<u8>,
    pub address: String,
    /// Fetched once from the chain (quorum read), then tracked here.
    pub account_number: Option<u64>,
    /// The sequence the next new transaction uses; `None` = read it from the chain first.
    pub next_sequence: Option<u64>,
    /// Messages waiting for a transaction, oldest first.
    pub queue: Vec<u64>,
    /// The transaction(s) signed for one sequence and not yet resolved.
    pub slot: Option<Slot>,
    /// After a batch failed to simulate for an unknown reason: one message per transaction.
    pub singles: bool,
    /// Owner accounts: the treasury's fee allowance is in place.
    pub opened: bool,
    /// Owner accounts: the last deployment sequence used (each new one is higher).
    pub last_dseq: Option<u64>,
}

/// Everything signed for one sequence. At most one of the candidates can ever be included (they
/// share the sequence), so the slot is resolved by looking each of them up.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub sequence: u64,
    pub candidates: Vec<Candidate>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Upper-case hex SHA-256 of `tx_raw`.
    pub hash: String,
    /// The exact bytes; rebroadcasting them is safe (same hash, included at most once).
    pub tx_raw: Vec<u8>,
    pub msg_ids: Vec<u64>,
    pub fee_uakt: u64,
    pub gas_limit: u64,
    pub signed_at_secs: u64,
    /// The tx's `timeout_timestamp`: no block after it can include the tx.
    pub timeout_secs: u64,
    pub broadcasts: u32,
    pub last_broadcast_secs: u64,
    /// Some node accepted it into its mempool (or the answer was lost): it may be included.
    pub maybe_in_mempool: bool,
}

/// Who pays a message's fee share, and what is left of what they set aside for fees.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    pub principal: Principal,
    pub fee_reserve_left_uakt: u64,
    pub fee_paid_uakt: u64,
}

/// Why a message exists: decides what its outcome does to the books.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    Withdraw { withdraw_id: u64, to: String, amount_uakt: u64 },
    Mint { mint_id: u64 },
    OpenAccount { owner: Principal },
    /// A step of a deployment (see `state::deployment`).
    Deployment { deployment_id: u64, step: super::deployment::DeploymentStep },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingMsg {
    pub id: u64,
    pub signer: SignerId,
    pub type_url: String,
    pub value: Vec<u8>,
    pub payers: Vec<Payer>,
    pub purpose: Purpose,
    pub created_secs: u64,
    /// Transactions that carried it and failed or were refused before inclusion.
    pub attempts: u32,
}

impl PendingMsg {
    pub fn any(&self) -> ic_akash::proto::cosmos::Any {
        ic_akash::proto::cosmos::Any { type_url: self.type_url.clone(), value: self.value.clone() }
    }

    /// Fee shares of `fee` for each payer (even split, the remainder to the first ones).
    pub fn fee_shares(&self, fee: u64) -> Vec<u64> {
        split_evenly(fee, self.payers.len())
    }

    /// Whether every payer's share of `fee` fits in what it has left for fees.
    pub fn can_pay(&self, fee: u64) -> bool {
        self.fee_shares(fee).iter().zip(&self.payers).all(|(s, p)| *s <= p.fee_reserve_left_uakt)
    }
}

/// `total` split in `n` integer parts that differ by at most one and add up exactly.
pub fn split_evenly(total: u64, n: usize) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let (q, r) = (total / n as u64, total % n as u64);
    (0..n as u64).map(|i| q + u64::from(i < r)).collect()
}

/// `total` split in proportion to `weights`, exactly: floors, then the remaining units to the
/// largest fractional parts (earliest first on ties).
pub fn split_proportionally(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return split_evenly(total, weights.len());
    }
    let mut parts: Vec<(u64, u128)> = weights
        .iter()
        .map(|w| {
            let num = u128::from(total) * u128::from(*w);
            ((num / sum) as u64, num % sum)
        })
        .collect();
    let given: u64 = parts.iter().map(|p| p.0).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take((total - given) as usize) {
        parts[i].0 += 1;
    }
    parts.into_iter().map(|p| p.0).collect()
}

/// AKT waiting to be burned for ACT in the next mint.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MintRequest {
    pub id: u64,
    pub principal: Principal,
    pub amount_uakt: u64,
    pub fee_reserve_uakt: u64,
    pub created_secs: u64,
}

/// One `MsgMintACT` for several requests (one signature for all of them).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MintBatch {
    pub msg_id: u64,
    pub requests: Vec<MintRequest>,
    pub total_uakt: u64,
    pub state: MintState,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum MintState {
    /// The message waits for (or is in) a transaction.
    Submitted,
    /// Burned in block `height`; ACT comes when the epoch settles the ledger record.
    Burned { tx_hash: String, height: u64, since_secs: u64 },
}

/// Totals and singletons of the Akash side.
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct AkashBook {
    pub next_msg_id: u64,
    pub next_withdraw_id: u64,
    pub next_mint_id: u64,
    pub withdrawn_uakt: u64,
    pub chain_fees_uakt: u64,
    pub burned_uakt: u64,
    pub minted_uact: u64,
    pub mint_batch: Option<MintBatch>,
    /// Reservations made with `State::reserve` (not by a flow of this module).
    pub other_reserved_uakt: u64,
    /// Flat fees per Akash operation, which pay for its signature and outcalls.
    pub service_fees_uakt: u64,
    pub next_deployment_id: u64,
    /// ACT in the escrows of deployments not yet settled.
    pub act_in_escrow_uact: u64,
    /// ACT paid to providers by settled escrows (deposits less refunds).
    pub act_spent_uact: u64,
    /// Deployments that ended, by how; `None` in a state written before they were counted
    /// (`State::count_ended_deployments_once` fills it at the upgrade).
    pub deployments_ended: Option<super::summary::EndedDeployments>,
}

/// What an Akash operation costs its principal besides its amount: a reserve for its share of
/// transaction fees (unused part returned) and the flat service fee (kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charges {
    pub fee_reserve_uakt: u64,
    pub service_fee_uakt: u64,
}

/// What happened to a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsgOutcome {
    /// In a block with code 0.
    Succeeded { tx_hash: String, height: u64 },
    /// Will not be done: failed on chain, refused by simulation, or out of attempts.
    Failed { reason: String },
}

impl State {
    pub fn book(&self) -> &AkashBook {
        &self.akash_book.get().0
    }

    pub(super) fn update_book(&mut self, f: impl FnOnce(&mut AkashBook)) {
        let mut b = self.akash_book.get().0.clone();
        f(&mut b);
        self.akash_book.set(Candid(b));
    }

    pub fn tx_account(&self, id: &SignerId) -> Option<TxAccount> {
        self.akash_accounts.get(id).map(|a| a.0)
    }

    /// Writes `acc`, and keeps the set of accounts with work (queued messages or a slot) exact,
    /// so that the pipeline and `post_upgrade` never scan idle accounts.
    pub fn put_tx_account(&mut self, id: SignerId, acc: TxAccount) {
        if acc.queue.is_empty() && acc.slot.is_none() {
            self.akash_active.remove(&id);
        } else {
            self.akash_active.insert(id, ());
        }
        self.akash_accounts.insert(id, Candid(acc));
    }

    /// Registers a signer's key the first time it is fetched.
    pub fn register_key(&mut self, id: SignerId, public_key: Vec<u8>, address: String) -> TxAccount {
        if let Some(a) = self.tx_account(&id) {
            return a;
        }
        let acc = TxAccount {
            public_key,
            address,
            account_number: None,
            next_sequence: None,
            queue: Vec::new(),
            slot: None,
            singles: false,
            opened: false,
            last_dseq: None,
        };
        self.put_tx_account(id, acc.clone());
        acc
    }

    /// Accounts with queued messages or a transaction in flight.
    pub fn active_signers(&self) -> Vec<SignerId> {
        self.akash_active.keys().collect()
    }

    pub fn akash_account_count(&self) -> u64 {
        self.akash_accounts.len()
    }

    /// Whether the pipeline has anything to do: messages queued or in flight, a mint batch, or
    /// mint requests waiting. Reads one set's head and two headers, whatever the history.
    pub fn akash_work_open(&self) -> bool {
        !self.akash_active.is_empty() || self.book().mint_batch.is_some() || !self.mint_requests.is_empty()
    }

    pub fn pending_msg(&self, id: u64) -> Option<PendingMsg> {
        self.akash_msgs.get(&id).map(|m| m.0)
    }

    pub fn put_pending_msg(&mut self, msg: PendingMsg) {
        self.akash_msgs.insert(msg.id, Candid(msg));
    }

    pub fn pending_msg_count(&self) -> u64 {
        self.akash_msgs.len()
    }

    /// Queues a message on `signer`'s account (whose key must be registered).
    pub(super) fn enqueue(&mut self, now_secs: u64, signer: SignerId, any: ic_akash::proto::cosmos::Any, payers: Vec<Payer>, purpose: Purpose) -> u64 {
        let id = self.book().next_msg_id;
        self.update_book(|b| b.next_msg_id += 1);
        let msg = PendingMsg {
            id,
            signer,
            type_url: any.type_url,
            value: any.value,
            payers,
            purpose,
            created_secs: now_secs,
            attempts: 0,
        };
        self.put_pending_msg(msg);
        let mut acc = self.tx_account(&signer).expect("BUG: messages are queued only on registered accounts");
        acc.queue.push(id);
        self.put_tx_account(signer, acc);
        id
    }

    /// Moves `amount` from available to reserved without a journal entry of its own (the
    /// flow's own entry says why).
    /// Also takes `service_fee` (kept by the orchestrator: it pays the cycles of the
    /// operation's signature and outcalls), all or nothing.
    pub(super) fn take_reserve(&mut self, p: Principal, amount: u64, service_fee: u64) -> Result<crate::storage::AccountRecord, Error> {
        let mut acc = self.account(&p);
        let needed = amount.checked_add(service_fee).ok_or(Error::InvalidArgument {
            field: "amount_uakt".into(),
            reason: "too large".into(),
        })?;
        if acc.available_uakt < needed {
            return Err(Error::InsufficientBalance { available_uakt: acc.available_uakt, requested_uakt: needed });
        }
        acc.available_uakt -= needed;
        acc.reserved_uakt += amount;
        self.update_totals(|t| {
            t.available_uakt -= needed;
            t.reserved_uakt += amount;
        });
        self.update_book(|b| b.service_fees_uakt += service_fee);
        Ok(acc)
    }

    /// Ends a reservation of `reserved`: `spent` leaves the books through `to_total`, the rest
    /// returns to available. Returns the account as changed (not yet written).
    pub(super) fn end_reserve(&mut self, p: Principal, reserved: u64, spent: u64) -> crate::storage::AccountRecord {
        let mut acc = self.account(&p);
        assert!(spent <= reserved && acc.reserved_uakt >= reserved, "BUG: ending more than was reserved");
        acc.reserved_uakt -= reserved;
        acc.available_uakt += reserved - spent;
        self.update_totals(|t| {
            t.reserved_uakt -= reserved;
            t.available_uakt += reserved - spent;
        });
        acc
    }

    /// `withdraw`: reserves amount and fee reserve, journals, and queues a send from the treasury.
    pub fn request_withdraw(
        &mut self,
        now_nanos: u64,
        p: Principal,
        treasury_address: &str,
        to: String,
        amount_uakt: u64,
        charges: Charges,
    ) -> Result<u64, Error> {
        let Charges { fee_reserve_uakt, service_fee_uakt } = charges;
        let coin = ic_akash::msgs::coin(u128::from(amount_uakt), "uakt");
        let any = ic_akash::msgs::bank_send(treasury_address, &to, &[coin])
            .map_err(|e| Error::InvalidArgument { field: "to_akash_address".into(), reason: e.to_string() })?;
        let total = amount_uakt.checked_add(fee_reserve_uakt).ok_or(Error::InvalidArgument {
            field: "amount_uakt".into(),
            reason: "too large".into(),
        })?;
        let acc = self.take_reserve(p, total, service_fee_uakt)?;
        let withdraw_id = self.book().next_withdraw_id;
        self.update_book(|b| b.next_withdraw_id += 1);
        let change = Change::WithdrawRequested { withdraw_id, to: to.clone(), amount_uakt, service_fee_uakt };
        self.commit(now_nanos, p, acc, change);
        let payer = Payer { principal: p, fee_reserve_left_uakt: fee_reserve_uakt, fee_paid_uakt: 0 };
        let purpose = Purpose::Withdraw { withdraw_id, to, amount_uakt };
        self.enqueue(now_nanos / crate::canister::NANOS_PER_SEC, SignerId::Treasury, any, vec![payer], purpose);
        Ok(withdraw_id)
    }

    /// `mint_act`: reserves the AKT to burn and a fee reserve until the next mint batch.
    pub fn request_mint(
        &mut self,
        now_nanos: u64,
        p: Principal,
        amount_uakt: u64,
        charges: Charges,
    ) -> Result<u64, Error> {
        let Charges { fee_reserve_uakt, service_fee_uakt } = charges;
        let total = amount_uakt.checked_add(fee_reserve_uakt).ok_or(Error::InvalidArgument {
            field: "amount_uakt".into(),
            reason: "too large".into(),
        })?;
        let acc = self.take_reserve(p, total, service_fee_uakt)?;
        let mint_id = self.book().next_mint_id;
        self.update_book(|b| b.next_mint_id += 1);
        self.commit(now_nanos, p, acc, Change::ActMintRequested { mint_id, amount_uakt, service_fee_uakt });
        let req = MintRequest {
            id: mint_id,
            principal: p,
            amount_uakt,
            fee_reserve_uakt,
            created_secs: now_nanos / crate::canister::NANOS_PER_SEC,
        };
        self.mint_requests.insert(mint_id, Candid(req));
        Ok(mint_id)
    }

    pub fn waiting_mint_requests(&self, limit: usize) -> Vec<MintRequest> {
        self.mint_requests.values().take(limit).map(|r| r.0).collect()
    }

    /// Puts waiting requests (at most `limit`) into one `MsgMintACT` from the treasury.
    pub fn start_mint_batch(&mut self, now_secs: u64, treasury_address: &str, limit: usize) -> Option<u64> {
        if self.book().mint_batch.is_some() {
            return None;
        }
        let requests = self.waiting_mint_requests(limit);
        if requests.is_empty() {
            return None;
        }
        for r in &requests {
            self.mint_requests.remove(&r.id);
        }
        let total_uakt: u64 = requests.iter().map(|r| r.amount_uakt).sum();
        let coin = ic_akash::msgs::coin(u128::from(total_uakt), "uakt");
        let any = ic_akash::msgs::mint_act(treasury_address, treasury_address, &coin)
            .expect("BUG: the treasury address and a positive uakt coin make a valid MsgMintACT");
        let payers = requests
            .iter()
            .map(|r| Payer { principal: r.principal, fee_reserve_left_uakt: r.fee_reserve_uakt, fee_paid_uakt: 0 })
            .collect();
        let mint_id = requests[0].id;
        let msg_id = self.enqueue(now_secs, SignerId::Treasury, any, payers, Purpose::Mint { mint_id });
        self.update_book(|b| b.mint_batch = Some(MintBatch { msg_id, requests, total_uakt, state: MintState::Submitted }));
        Some(msg_id)
    }

    /// Requests that waited longer than `max_wait_secs` (minting halted): released.
    pub fn expire_mint_requests(&mut self, now_nanos: u64, max_wait_secs: u64) -> usize {
        let now_secs = now_nanos / crate::canister::NANOS_PER_SEC;
        let old: Vec<MintRequest> = self
            .mint_requests
            .values()
            .map(|r| r.0)
            .filter(|r| now_secs.saturating_sub(r.created_secs) > max_wait_secs)
            .collect();
        for r in &old {
            self.mint_requests.remove(&r.id);
            let acc = self.end_reserve(r.principal, r.amount_uakt + r.fee_reserve_uakt, 0);
            let reason = format!("minting stayed halted for {max_wait_secs} s");
            self.commit(now_nanos, r.principal, acc, Change::ActMintFailed { mint_id: r.id, reason, fee_uakt: 0 });
        }
        old.len()
    }

    /// The burn's ledger record executed and minted `minted_uact` to the treasury: each request
    /// gets its exact share, in proportion to the AKT it burned.
    pub fn complete_mint(&mut self, now_nanos: u64, minted_uact: u64) {
        let Some(batch) = self.book().mint_batch.clone() else { return };
        if !matches!(batch.state, MintState::Burned { .. }) {
            return;
        }
        let weights: Vec<u64> = batch.requests.iter().map(|r| r.amount_uakt).collect();
        let shares = split_proportionally(minted_uact, &weights);
        for (r, share) in batch.requests.iter().zip(shares) {
            let mut acc = self.account(&r.principal);
            acc.act_uact += share;
            let change = Change::ActMinted { mint_id: r.id, burned_uakt: r.amount_uakt, minted_uact: share };
            self.commit(now_nanos, r.principal, acc, change);
        }
        self.update_book(|b| {
            b.minted_uact += minted_uact;
            b.mint_batch = None;
        });
    }

    /// The chain canceled the burn's ledger record and refunded the AKT to the treasury: each
    /// request gets back what it burned (the transaction fee stays paid).
    pub fn cancel_mint(&mut self, now_nanos: u64, reason: &str) {
        let Some(batch) = self.book().mint_batch.clone() else { return };
        if !matches!(batch.state, MintState::Burned { .. }) {
            return;
        }
        for r in &batch.requests {
            let mut acc = self.account(&r.principal);
            acc.available_uakt += r.amount_uakt;
            self.update_totals(|t| t.available_uakt += r.amount_uakt);
            let change = Change::ActMintFailed { mint_id: r.id, reason: format!("canceled by the chain: {reason}"), fee_uakt: 0 };
            self.commit(now_nanos, r.principal, acc, change);
        }
        self.update_book(|b| {
            b.burned_uakt -= batch.total_uakt;
            b.mint_batch = None;
        });
    }

    /// Charges each payer its share of a transaction fee from its fee reserve.
    pub fn charge_fee(&mut self, msg: &mut PendingMsg, fee_uakt: u64) {
        let shares = msg.fee_shares(fee_uakt);
        for (payer, share) in msg.payers.iter_mut().zip(shares) {
            assert!(share <= payer.fee_reserve_left_uakt, "BUG: fee share above the payer's reserve (checked before signing)");
            payer.fee_reserve_left_uakt -= share;
            payer.fee_paid_uakt += share;
            let mut acc = self.account(&payer.principal);
            acc.reserved_uakt -= share;
            self.put_account(payer.principal, acc);
            self.update_totals(|t| t.reserved_uakt -= share);
            self.update_book(|b| b.chain_fees_uakt += share);
        }
    }

    /// Records a transaction's end in the journal of every principal with a message in it.
    pub fn journal_tx(&mut self, now_nanos: u64, signer_address: &str, tx_hash: &str, msgs: &[PendingMsg], outcome: TxOutcome) {
        let mut seen: Vec<Principal> = Vec::new();
        for m in msgs {
            for p in &m.payers {
                if !seen.contains(&p.principal) {
                    seen.push(p.principal);
                }
            }
        }
        for p in seen {
            let change = Change::AkashTx {
                tx_hash: tx_hash.to_string(),
                account: signer_address.to_string(),
                outcome: outcome.clone(),
            };
            self.record(now_nanos, p, change);
        }
    }

    /// Ends a message: applies its purpose's effect and releases what is left of its reserves.
    pub fn settle_msg(&mut self, now_nanos: u64, msg: PendingMsg, outcome: MsgOutcome) {
        self.akash_msgs.remove(&msg.id);
        match (&msg.purpose, outcome) {
            (Purpose::Withdraw { withdraw_id, to, amount_uakt }, outcome) => {
                let payer = &msg.payers[0];
                let reserved = amount_uakt + payer.fee_reserve_left_uakt;
                let (spent, change) = match outcome {
                    MsgOutcome::Succeeded { tx_hash, .. } => (
                        *amount_uakt,
                        Change::Withdrawn {
                            withdraw_id: *withdraw_id,
                            to: to.clone(),
                            amount_uakt: *amount_uakt,
                            fee_uakt: payer.fee_paid_uakt,
                            tx_hash,
                        },
                    ),
                    MsgOutcome::Failed { reason } => {
                        (0, Change::WithdrawFailed { withdraw_id: *withdraw_id, reason, fee_uakt: payer.fee_paid_uakt })
                    }
                };
                let acc = self.end_reserve(payer.principal, reserved, spent);
                self.update_book(|b| b.withdrawn_uakt += spent);
                self.commit(now_nanos, payer.principal, acc, change);
            }
            (Purpose::Mint { .. }, outcome) => {
                let Some(mut batch) = self.book().mint_batch.clone() else { return };
                match outcome {
                    MsgOutcome::Succeeded { tx_hash, height } => {
                        for (r, payer) in batch.requests.iter().zip(&msg.payers) {
                            let acc = self.end_reserve(r.principal, r.amount_uakt + payer.fee_reserve_left_uakt, r.amount_uakt);
                            let change = Change::ActMintBurned {
                                mint_id: r.id,
                                burned_uakt: r.amount_uakt,
                                fee_uakt: payer.fee_paid_uakt,
                                tx_hash: tx_hash.clone(),
                            };
                            self.commit(now_nanos, r.principal, acc, change);
                        }
                        let since_secs = now_nanos / crate::canister::NANOS_PER_SEC;
                        batch.state = MintState::Burned { tx_hash, height, since_secs };
                        let burned = batch.total_uakt;
                        self.update_book(|b| {
                            b.burned_uakt += burned;
                            b.mint_batch = Some(batch);
                        });
                    }
                    MsgOutcome::Failed { reason } => {
                        for (r, payer) in batch.requests.iter().zip(&msg.payers) {
                            let acc = self.end_reserve(r.principal, r.amount_uakt + payer.fee_reserve_left_uakt, 0);
                            let change = Change::ActMintFailed { mint_id: r.id, reason: reason.clone(), fee_uakt: payer.fee_paid_uakt };
                            self.commit(now_nanos, r.principal, acc, change);
                        }
                        self.update_book(|b| b.mint_batch = None);
                    }
                }
            }
            (Purpose::Deployment { step, .. }, outcome) => {
                let step = step.clone();
                self.deployment_msg_settled(now_nanos, &msg, &step, outcome);
            }
            (Purpose::OpenAccount { owner }, outcome) => {
                let payer = &msg.payers[0];
                let acc = self.end_reserve(payer.principal, payer.fee_reserve_left_uakt, 0);
                match outcome {
                    MsgOutcome::Succeeded { tx_hash, .. } => {
                        let id = SignerId::Owner(*owner);
                        let mut owner_acc = self.tx_account(&id).expect("BUG: an owner account is registered before it is opened");
                        owner_acc.opened = true;
                        let address = owner_acc.address.clone();
                        self.put_tx_account(id, owner_acc);
                        let change = Change::AkashAccountOpened { address, fee_uakt: payer.fee_paid_uakt, tx_hash };
                        self.commit(now_nanos, payer.principal, acc, change);
                    }
                    MsgOutcome::Failed { reason } => {
                        let change = Change::Released { amount_uakt: payer.fee_reserve_left_uakt, purpose: format!("opening the Akash account failed: {reason}") };
                        self.commit(now_nanos, payer.principal, acc, change);
                    }
                }
            }
        }
    }

    /// `open_akash_account`: reserves the fee and queues the treasury's fee allowance for the
    /// owner account (which also creates the account on chain).
    pub fn request_open_account(
        &mut self,
        now_nanos: u64,
        owner: Principal,
        treasury_address: &str,
        allowance_uakt: u64,
        allowed_messages: &[&str],
        charges: Charges,
    ) -> Result<u64, Error> {
        let Charges { fee_reserve_uakt, service_fee_uakt } = charges;
        let id = SignerId::Owner(owner);
        let owner_acc = self.tx_account(&id).expect("BUG: the owner's key is registered first");
        let coin = ic_akash::msgs::coin(u128::from(allowance_uakt), "uakt");
        let any = ic_akash::msgs::grant_fee_allowance(treasury_address, &owner_acc.address, &[coin], None, allowed_messages)
            .map_err(|e| Error::InvalidArgument { field: "owner_fee_allowance_uakt".into(), reason: e.to_string() })?;
        let acc = self.take_reserve(owner, fee_reserve_uakt, service_fee_uakt)?;
        let change = Change::AkashAccountRequested { address: owner_acc.address.clone(), fee_reserve_uakt, service_fee_uakt };
        self.commit(now_nanos, owner, acc, change);
        let payer = Payer { principal: owner, fee_reserve_left_uakt: fee_reserve_uakt, fee_paid_uakt: 0 };
        Ok(self.enqueue(now_nanos / crate::canister::NANOS_PER_SEC, SignerId::Treasury, any, vec![payer], Purpose::OpenAccount { owner }))
    }

    /// Whether an open-account message for `owner` is already queued or in flight.
    pub fn open_account_pending(&self, owner: Principal) -> bool {
        self.tx_account(&SignerId::Treasury).is_some_and(|t| {
            t.queue.iter().chain(t.slot.iter().flat_map(|s| s.candidates.iter().flat_map(|c| c.msg_ids.iter()))).any(|id| {
                self.pending_msg(*id).is_some_and(|m| m.purpose == Purpose::OpenAccount { owner })
            })
        })
    }

    /// What the reservations must add up to: every open flow's amount and unused fee reserve.
    pub(super) fn expected_reserved(&self) -> u64 {
        let mut sum = 0u64;
        for m in self.akash_msgs.values() {
            let m = m.0;
            let fees: u64 = m.payers.iter().map(|p| p.fee_reserve_left_uakt).sum();
            sum += fees;
            match m.purpose {
                Purpose::Withdraw { amount_uakt, .. } => sum += amount_uakt,
                Purpose::Mint { .. } => {
                    if let Some(b) = &self.book().mint_batch {
                        if b.msg_id == m.id {
                            sum += b.total_uakt;
                        }
                    }
                }
                Purpose::OpenAccount { .. } | Purpose::Deployment { .. } => {}
            }
        }
        for r in self.mint_requests.values() {
            sum += r.0.amount_uakt + r.0.fee_reserve_uakt;
        }
        sum
    }

    /// ACT held for principals adds up to what was minted.
    pub(super) fn act_held(&self) -> u64 {
        self.accounts.values().map(|a| a.act_uact).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Memories, RawMemory};
    use ic_akash_orchestrator_types::{Quote, Rate, RateSource};

    const TREASURY: &str = "akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgve5x";
    const TO: &str = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls";

    fn p(n: u8) -> Principal {
        Principal::from_slice(&[n; 10])
    }

    /// A state where principals 1..=n hold `uakt` each and the treasury key is registered.
    fn funded(n: u8, uakt: u64) -> State {
        let mut s = State::new(&Memories::open(RawMemory::default()), crate::config::default_config());
        for i in 1..=n {
            let rate = Rate { numerator: 1, denominator: 1, uakt_per_icp: 1, source: RateSource::IcpAkt, timestamp_secs: 0 };
            let quote = Quote { icp_e8s: uakt, gross_uakt: uakt, fee_uakt: 0, uakt, fee_bps: 0, rate };
            s.credit(0, p(i), u64::from(i), None, quote);
        }
        s.register_key(SignerId::Treasury, vec![2; 33], TREASURY.into());
        s.check_invariants().unwrap();
        s
    }

    fn queued(s: &State) -> Vec<PendingMsg> {
        let acc = s.tx_account(&SignerId::Treasury).unwrap();
        acc.queue.iter().map(|id| s.pending_msg(*id).unwrap()).collect()
    }

    #[test]
    fn a_withdrawal_reserves_then_spends_exactly_amount_and_fee() {
        let mut s = funded(1, 10_000_000);
        let id = s.request_withdraw(1, p(1), TREASURY, TO.into(), 4_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 7 }).unwrap();
        assert_eq!(s.balance(&p(1)).available_uakt, 5_949_993);
        assert_eq!(s.balance(&p(1)).reserved_uakt, 4_050_000);
        s.check_invariants().unwrap();
        let mut msg = queued(&s).remove(0);
        assert_eq!(msg.purpose, Purpose::Withdraw { withdraw_id: id, to: TO.into(), amount_uakt: 4_000_000 });
        s.charge_fee(&mut msg, 3_001);
        s.put_pending_msg(msg.clone());
        s.check_invariants().unwrap();
        s.settle_msg(2, msg, MsgOutcome::Succeeded { tx_hash: "AB".into(), height: 9 });
        let b = s.balance(&p(1));
        assert_eq!((b.available_uakt, b.reserved_uakt), (10_000_000 - 4_000_000 - 3_001 - 7, 0));
        assert_eq!((s.book().withdrawn_uakt, s.book().chain_fees_uakt, s.book().service_fees_uakt), (4_000_000, 3_001, 7));
        s.check_invariants().unwrap();
    }

    #[test]
    fn a_failed_withdrawal_returns_all_but_the_fee_paid() {
        let mut s = funded(1, 10_000_000);
        s.request_withdraw(1, p(1), TREASURY, TO.into(), 4_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }).unwrap();
        let mut msg = queued(&s).remove(0);
        s.charge_fee(&mut msg, 700);
        s.settle_msg(2, msg, MsgOutcome::Failed { reason: "no".into() });
        assert_eq!(s.balance(&p(1)).available_uakt, 10_000_000 - 700);
        assert_eq!(s.book().withdrawn_uakt, 0);
        s.check_invariants().unwrap();
        assert!(s.request_withdraw(1, p(1), TREASURY, "nope".into(), 1, Charges { fee_reserve_uakt: 0, service_fee_uakt: 0 }).is_err());
        assert_eq!(
            s.request_withdraw(1, p(1), TREASURY, TO.into(), 10_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }),
            Err(Error::InsufficientBalance { available_uakt: 9_999_300, requested_uakt: 10_050_000 })
        );
    }

    #[test]
    fn a_mint_batch_charges_each_request_its_burn_and_fee_share_and_splits_the_act_exactly() {
        let mut s = funded(3, 10_000_000);
        s.request_mint(1, p(1), 1_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }).unwrap();
        s.request_mint(1, p(2), 2_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }).unwrap();
        s.request_mint(1, p(3), 3_333_333, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }).unwrap();
        s.check_invariants().unwrap();
        let msg_id = s.start_mint_batch(2, TREASURY, 10).unwrap();
        assert!(s.start_mint_batch(2, TREASURY, 10).is_none(), "one batch at a time");
        s.check_invariants().unwrap();
        let mut msg = s.pending_msg(msg_id).unwrap();
        assert_eq!(msg.payers.len(), 3);
        s.charge_fee(&mut msg, 10);
        s.settle_msg(3, msg, MsgOutcome::Succeeded { tx_hash: "CD".into(), height: 40 });
        assert_eq!(s.book().burned_uakt, 6_333_333);
        assert_eq!(s.balance(&p(3)).available_uakt, 10_000_000 - 3_333_333 - 3);
        assert_eq!(s.balance(&p(1)).available_uakt, 10_000_000 - 1_000_000 - 4);
        s.check_invariants().unwrap();
        s.complete_mint(4, 4_143_210);
        let act: Vec<u64> = (1..=3).map(|i| s.balance(&p(i)).act_uact).collect();
        assert_eq!(act.iter().sum::<u64>(), 4_143_210);
        assert_eq!(act, vec![654_191, 1_308_382, 2_180_637]);
        assert!(s.book().mint_batch.is_none());
        s.check_invariants().unwrap();
    }

    #[test]
    fn mint_requests_expire_when_minting_stays_halted() {
        let mut s = funded(1, 5_000_000);
        s.request_mint(0, p(1), 1_000_000, Charges { fee_reserve_uakt: 50_000, service_fee_uakt: 0 }).unwrap();
        assert_eq!(s.expire_mint_requests(10 * 1_000_000_000, 3600), 0);
        assert_eq!(s.expire_mint_requests(3601 * 1_000_000_000, 3600), 1);
        assert_eq!(s.balance(&p(1)).available_uakt, 5_000_000);
        s.check_invariants().unwrap();
    }

    #[test]
    fn splits_add_up_exactly() {
        assert_eq!(split_evenly(10, 3), vec![4, 3, 3]);
        assert_eq!(split_evenly(0, 2), vec![0, 0]);
        assert!(split_evenly(5, 0).is_empty());
        assert_eq!(split_proportionally(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split_proportionally(7, &[2, 5]), vec![2, 5]);
        let w = [3, 7, 11, 13, 1_000_003];
        for total in [0u64, 1, 99, 65_431, u64::MAX / 2] {
            let s = split_proportionally(total, &w);
            assert_eq!(s.iter().sum::<u64>(), total);
            for (i, part) in s.iter().enumerate() {
                let exact = u128::from(total) * w[i] as u128 / w.iter().map(|x| *x as u128).sum::<u128>();
                assert!(u128::from(*part) == exact || u128::from(*part) == exact + 1);
            }
        }
    }
}
