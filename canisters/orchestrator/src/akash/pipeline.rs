//! The transaction pipeline: one queue per Akash account, never losing or repeating a message.
//!
//! Per account, messages wait in a queue; those ready together go into one transaction (one
//! signature). The account number and sequence are read once (quorum) and then tracked. A
//! transaction is simulated for gas, signed, persisted with its exact bytes, and only then
//! broadcast; it carries a `timeout_timestamp`, so once that time (plus a margin) has passed and
//! a quorum of endpoints does not know its hash, it can never be included and its messages are
//! signed again. One transaction per account is in flight: the next one is signed only when the
//! last one is resolved, so no two transactions ever compete for a sequence.
//!
//! Outcomes: included with code 0 (messages done), included with another code (fee paid; the
//! failing message fails, the others are queued again), dropped (queued again). Each is journaled
//! for the principals whose messages the transaction carried.

use crate::akash::client::{self, ApiError};
use crate::akash::keys::EcdsaSigner;
use crate::canister::Orchestrator;
use crate::logs::Level;
use crate::metrics::TxFailure;
use crate::runtime::{Runtime, Task};
use crate::state::chain::{Candidate, MsgOutcome, PendingMsg, Slot, TxAccount};
use crate::storage::SignerId;
use ic_akash::signer::PublicKey;
use ic_akash::tx::{self, UnsignedTx};
use ic_akash_orchestrator_types::TxOutcome;

/// How often the pipeline looks at accounts with work.
pub const PIPELINE_TICK_SECS: u64 = 6;
/// A transaction accepted by a node but not yet in a block is sent again after this long.
pub const REBROADCAST_AFTER_SECS: u64 = 30;
/// Block time may trail the canister's clock; a tx is declared dropped only this long after
/// its `timeout_timestamp`.
pub const TIMEOUT_MARGIN_SECS: u64 = 60;
/// Transactions a message may ride in (dropped, refused, out of gas) before it fails.
pub const MAX_MSG_ATTEMPTS: u32 = 4;
/// A message not in a block within this time fails (its reserve returns to its payers).
pub const MSG_DEADLINE_SECS: u64 = 24 * 3600;
/// Gas limit of the transaction sent to `simulate` (not signed, not charged).
pub const SIMULATION_GAS_LIMIT: u64 = 10_000_000;
/// Code CheckTx returns for bytes it already has.
pub const CODE_TX_IN_CACHE: u32 = 19;
pub const TX_MEMO: &str = "ic-akash";

/// Runs the pipeline now, unless a run is already scheduled.
pub fn schedule<R: Runtime>(o: &Orchestrator<R>, delay_secs: u64) {
    if !o.pipeline_scheduled.replace(true) {
        o.rt.set_timer(delay_secs, Task::AkashPipeline);
    }
}

/// One pass over every account with work (concurrently), and the ACT mint step.
pub async fn run<R: Runtime>(o: &Orchestrator<R>) {
    o.pipeline_scheduled.set(false);
    if o.pipeline_running.replace(true) {
        return;
    }
    crate::mint::step(o).await;
    let signers = o.read(|s| s.active_signers());
    crate::util::join_all(signers.into_iter().map(|id| process_account(o, id))).await;
    o.pipeline_running.set(false);
    if o.read(|s| s.akash_work_open()) {
        schedule(o, PIPELINE_TICK_SECS);
    }
}

async fn process_account<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let Some(acc) = o.read(|s| s.tx_account(&id)) else { return };
    if acc.slot.is_some() {
        resolve_slot(o, id).await;
    }
    let Some(acc) = o.read(|s| s.tx_account(&id)) else { return };
    if acc.slot.is_none() && !acc.queue.is_empty() {
        expire_old_messages(o, id);
        sign_next(o, id).await;
    }
}

fn now_secs<R: Runtime>(o: &Orchestrator<R>) -> u64 {
    o.now_secs()
}

fn msgs_of<R: Runtime>(o: &Orchestrator<R>, ids: &[u64]) -> Vec<PendingMsg> {
    o.read(|s| ids.iter().filter_map(|id| s.pending_msg(*id)).collect())
}

/// Fails queued messages older than `MSG_DEADLINE_SECS` (nothing of theirs is on chain).
fn expire_old_messages<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let now = now_secs(o);
    let now_nanos = o.now_nanos();
    o.mutate(|s| {
        let Some(mut acc) = s.tx_account(&id) else { return };
        let expired: Vec<PendingMsg> = acc
            .queue
            .iter()
            .filter_map(|m| s.pending_msg(*m))
            .filter(|m| now.saturating_sub(m.created_secs) > MSG_DEADLINE_SECS)
            .collect();
        if expired.is_empty() {
            return;
        }
        acc.queue.retain(|m| !expired.iter().any(|e| e.id == *m));
        s.put_tx_account(id, acc);
        for m in expired {
            let reason = format!("not in a block within {MSG_DEADLINE_SECS} s");
            s.settle_msg(now_nanos, m, MsgOutcome::Failed { reason });
        }
    });
}

/// Reads the account number and sequence from the chain if they are not tracked yet.
async fn ensure_sequence<R: Runtime>(o: &Orchestrator<R>, id: SignerId, acc: &TxAccount) -> Option<(u64, u64)> {
    if let (Some(n), Some(seq)) = (acc.account_number, acc.next_sequence) {
        return Some((n, seq));
    }
    match client::account(o, &acc.address).await {
        Ok(Some(a)) => {
            o.mutate(|s| {
                if let Some(mut cur) = s.tx_account(&id) {
                    cur.account_number = Some(a.account_number);
                    cur.next_sequence = Some(a.sequence);
                    s.put_tx_account(id, cur);
                }
            });
            Some((a.account_number, a.sequence))
        }
        Ok(None) => {
            o.log(Level::Warn, format!("Akash account {} ({id:?}) does not exist on chain yet: fund or open it", acc.address));
            None
        }
        Err(e) => {
            o.log(Level::Warn, format!("reading Akash account {}: {e}", acc.address));
            None
        }
    }
}

/// Fails one queued message now (simulation says it cannot succeed, or its fee would exceed
/// its reserve).
fn fail_queued<R: Runtime>(o: &Orchestrator<R>, id: SignerId, msg: PendingMsg, reason: String) {
    let now_nanos = o.now_nanos();
    o.log(Level::Warn, format!("Akash message {} of {id:?} fails: {reason}", msg.id));
    o.mutate(|s| {
        if let Some(mut acc) = s.tx_account(&id) {
            acc.queue.retain(|m| *m != msg.id);
            s.put_tx_account(id, acc);
        }
        s.settle_msg(now_nanos, msg, MsgOutcome::Failed { reason });
    });
}

fn set_singles<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    o.mutate(|s| {
        if let Some(mut acc) = s.tx_account(&id) {
            acc.singles = true;
            s.put_tx_account(id, acc);
        }
    });
}

/// Builds, simulates, signs and persists the next transaction of `id`, then broadcasts it.
async fn sign_next<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let Some(acc) = o.read(|s| s.tx_account(&id)) else { return };
    let config = o.read(|s| s.config().clone());
    let Some((account_number, sequence)) = ensure_sequence(o, id, &acc).await else { return };
    let limit = if acc.singles { 1 } else { usize::from(config.akash_max_msgs_per_tx) };
    let ids: Vec<u64> = acc.queue.iter().take(limit).copied().collect();
    let msgs = msgs_of(o, &ids);
    if msgs.is_empty() {
        return;
    }
    let Ok(key) = PublicKey::from_sec1(&acc.public_key) else {
        o.log(Level::Error, format!("BUG: stored key of {id:?} is invalid"));
        return;
    };
    let fee_granter = match id {
        SignerId::Treasury => None,
        SignerId::Owner(_) => o.read(|s| s.tx_account(&SignerId::Treasury)).map(|t| t.address),
    };
    let now = now_secs(o);
    let timeout_secs = now + config.akash_tx_timeout_secs;
    let mut utx = UnsignedTx {
        messages: msgs.iter().map(PendingMsg::any).collect(),
        memo: TX_MEMO.to_string(),
        timeout_height: 0,
        timeout_timestamp_secs: Some(timeout_secs),
        public_key: key,
        sequence,
        account_number,
        chain_id: config.akash_chain_id.clone(),
        fee: Vec::new(),
        gas_limit: SIMULATION_GAS_LIMIT,
        fee_payer: None,
        fee_granter,
    };
    let sim_bytes = match utx.simulation_tx_bytes() {
        Ok(b) => b,
        Err(e) => {
            o.log(Level::Error, format!("building a transaction of {id:?}: {e}"));
            return;
        }
    };
    let gas = match client::simulate(o, &sim_bytes).await {
        Ok(g) => g,
        Err(ApiError::Chain(e)) => {
            if e.is_sequence_mismatch() {
                o.counters.borrow_mut().tx_failure(TxFailure::SequenceMismatch);
                o.log(Level::Warn, format!("simulation of {id:?} at sequence {sequence}: {e}; reading the sequence again"));
                o.mutate(|s| {
                    if let Some(mut a) = s.tx_account(&id) {
                        a.next_sequence = None;
                        s.put_tx_account(id, a);
                    }
                });
            } else {
                o.counters.borrow_mut().tx_failure(TxFailure::SimulationRefused);
                if let Some(i) = ic_akash::rest::failed_message_index(&e.message).filter(|i| *i < msgs.len()) {
                    fail_queued(o, id, msgs[i].clone(), format!("simulation: {}", e.message));
                } else if msgs.len() > 1 {
                    set_singles(o, id);
                } else {
                    fail_queued(o, id, msgs[0].clone(), format!("simulation: {}", e.message));
                }
            }
            return;
        }
        Err(e) => {
            o.log(Level::Warn, format!("simulating a transaction of {id:?}: {e}"));
            return;
        }
    };
    let gas_limit = gas.gas_used.saturating_mul(u64::from(config.akash_gas_margin_percent)).div_ceil(100).max(1);
    let fee_uakt = match tx::parse_gas_price(&config.akash_gas_price)
        .and_then(|p| tx::fee_for_gas(gas_limit, &p))
        .ok()
        .and_then(|c| c.amount.parse::<u64>().ok())
    {
        Some(f) => f,
        None => {
            o.log(Level::Error, format!("fee for {gas_limit} gas at {} does not compute", config.akash_gas_price));
            return;
        }
    };
    let shares = crate::state::chain::split_evenly(fee_uakt, msgs.len());
    if let Some(i) = msgs.iter().zip(&shares).position(|(m, share)| !m.can_pay(*share)) {
        if msgs.len() > 1 {
            set_singles(o, id);
        } else {
            let reason = format!("the transaction fee ({fee_uakt} uakt) exceeds what was set aside for fees");
            fail_queued(o, id, msgs[i].clone(), reason);
        }
        return;
    }
    utx.gas_limit = gas_limit;
    utx.fee = vec![ic_akash::msgs::coin(u128::from(fee_uakt), "uakt")];
    let signer = EcdsaSigner { o, id, key };
    let signed = match tx::sign(&signer, &utx).await {
        Ok(s) => s,
        Err(e) => {
            o.counters.borrow_mut().tx_failure(TxFailure::SigningFailed);
            o.log(Level::Warn, format!("signing a transaction of {id:?}: {e}"));
            return;
        }
    };
    let candidate = Candidate {
        hash: signed.hash(),
        tx_raw: signed.tx_raw,
        msg_ids: msgs.iter().map(|m| m.id).collect(),
        fee_uakt,
        gas_limit,
        signed_at_secs: now,
        timeout_secs,
        broadcasts: 0,
        last_broadcast_secs: 0,
        maybe_in_mempool: false,
    };
    // Persisted before it leaves: from here on it may be on chain.
    let persisted = o.mutate(|s| {
        let Some(mut a) = s.tx_account(&id) else { return false };
        if a.slot.is_some() || a.next_sequence != Some(sequence) {
            return false; // another run got here first
        }
        a.queue.retain(|m| !candidate.msg_ids.contains(m));
        a.slot = Some(Slot { sequence, candidates: vec![candidate.clone()] });
        s.put_tx_account(id, a);
        true
    });
    if persisted {
        o.log(Level::Info, format!("{id:?} signed {} ({} messages, sequence {sequence}, fee {fee_uakt} uakt)", candidate.hash, candidate.msg_ids.len()));
        broadcast(o, id).await;
    }
}

/// Updates the slot's newest candidate.
fn update_candidate<R: Runtime>(o: &Orchestrator<R>, id: SignerId, f: impl FnOnce(&mut Candidate)) {
    o.mutate(|s| {
        let Some(mut a) = s.tx_account(&id) else { return };
        if let Some(c) = a.slot.as_mut().and_then(|sl| sl.candidates.last_mut()) {
            f(c);
            s.put_tx_account(id, a);
        }
    });
}

/// Sends the slot's newest candidate (the same bytes every time).
async fn broadcast<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let Some(c) = o.read(|s| s.tx_account(&id)).and_then(|a| a.slot).and_then(|sl| sl.candidates.last().cloned()) else {
        return;
    };
    let now = now_secs(o);
    match client::broadcast(o, &c.tx_raw).await {
        Ok(r) if r.code == 0 || r.code == CODE_TX_IN_CACHE => update_candidate(o, id, |c| {
            c.maybe_in_mempool = true;
            c.broadcasts += 1;
            c.last_broadcast_secs = now;
        }),
        Ok(r) if r.is_sequence_mismatch() => {
            o.counters.borrow_mut().tx_failure(TxFailure::SequenceMismatch);
            update_candidate(o, id, |c| {
                c.broadcasts += 1;
                c.last_broadcast_secs = now;
            });
            o.log(Level::Warn, format!("broadcast of {}: {}", c.hash, r.raw_log));
            sequence_mismatch(o, id).await;
        }
        Ok(r) => {
            o.counters.borrow_mut().tx_failure(TxFailure::CheckRefused);
            o.log(Level::Warn, format!("broadcast of {} refused ({} {}): {}", c.hash, r.codespace, r.code, r.raw_log));
            update_candidate(o, id, |c| {
                c.broadcasts += 1;
                c.last_broadcast_secs = now;
            });
            if !c.maybe_in_mempool {
                // No node ever took these bytes: they cannot be included.
                abandon_slot(o, id, None, format!("refused by CheckTx: code {} {}", r.code, r.raw_log), true);
            }
        }
        Err(e) => {
            // The request may have reached a node: assume it is in a mempool.
            o.log(Level::Warn, format!("broadcast of {}: {e}", c.hash));
            update_candidate(o, id, |c| {
                c.maybe_in_mempool = true;
                c.broadcasts += 1;
                c.last_broadcast_secs = now;
            });
        }
    }
}

/// "Account sequence mismatch": read the sequence from the chain (quorum) and act on it.
async fn sequence_mismatch<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let Some(acc) = o.read(|s| s.tx_account(&id)) else { return };
    let Some(slot) = acc.slot.clone() else { return };
    let chain_seq = match client::account(o, &acc.address).await {
        Ok(Some(a)) => a.sequence,
        Ok(None) => return,
        Err(e) => {
            o.log(Level::Warn, format!("reading the sequence of {}: {e}", acc.address));
            return;
        }
    };
    let in_mempool = slot.candidates.iter().any(|c| c.maybe_in_mempool);
    if chain_seq < slot.sequence && !in_mempool {
        // We were ahead of the chain and no node holds our bytes: sign again at its sequence.
        abandon_slot(o, id, Some(chain_seq), format!("sequence {} ahead of the chain's {chain_seq}", slot.sequence), false);
    }
    // chain == ours: the node's check state was stale; the next tick sends the same bytes again.
    // chain > ours: something at our sequence is in a block; the next tick finds it by hash.
    // chain < ours but the bytes may be in a mempool: wait for their timeout.
}

/// Ends the slot without inclusion: its messages go back to the front of the queue (a message
/// out of attempts fails), the dropped candidates are journaled.
fn abandon_slot<R: Runtime>(o: &Orchestrator<R>, id: SignerId, next_sequence: Option<u64>, reason: String, count_attempt: bool) {
    let now_nanos = o.now_nanos();
    o.log(Level::Warn, format!("{id:?}: transaction not included ({reason}); its messages are queued again"));
    o.mutate(|s| {
        let Some(mut acc) = s.tx_account(&id) else { return };
        let Some(slot) = acc.slot.take() else { return };
        let mut back: Vec<u64> = Vec::new();
        for c in &slot.candidates {
            let msgs: Vec<PendingMsg> = c.msg_ids.iter().filter_map(|m| s.pending_msg(*m)).collect();
            s.journal_tx(now_nanos, &acc.address, &c.hash, &msgs, TxOutcome::Dropped);
            for m in c.msg_ids.iter() {
                if !back.contains(m) {
                    back.push(*m);
                }
            }
        }
        let mut failed = Vec::new();
        let mut requeue = Vec::new();
        for m in back {
            let Some(mut msg) = s.pending_msg(m) else { continue };
            if count_attempt {
                msg.attempts += 1;
            }
            if msg.attempts >= MAX_MSG_ATTEMPTS {
                failed.push(msg);
            } else {
                s.put_pending_msg(msg);
                requeue.push(m);
            }
        }
        requeue.extend(acc.queue.iter().copied());
        acc.queue = requeue;
        acc.next_sequence = next_sequence.or(Some(slot.sequence));
        s.put_tx_account(id, acc);
        for msg in failed {
            let r = format!("{reason} ({MAX_MSG_ATTEMPTS} attempts)");
            s.settle_msg(now_nanos, msg, MsgOutcome::Failed { reason: r });
        }
    });
}

/// Looks the slot's transactions up (quorum) and ends the slot when one is in a block or all
/// are past their timeout; otherwise sends the newest again when due.
async fn resolve_slot<R: Runtime>(o: &Orchestrator<R>, id: SignerId) {
    let Some(acc) = o.read(|s| s.tx_account(&id)) else { return };
    let Some(slot) = acc.slot.clone() else { return };
    for c in slot.candidates.iter().rev() {
        match client::tx(o, &c.hash).await {
            Ok(Some(result)) => {
                included(o, id, c, result);
                return;
            }
            Ok(None) => {}
            Err(e) => {
                o.log(Level::Warn, format!("looking up {}: {e}", c.hash));
                return;
            }
        }
    }
    let now = now_secs(o);
    let latest_timeout = slot.candidates.iter().map(|c| c.timeout_secs).max().unwrap_or(0);
    if now >= latest_timeout + TIMEOUT_MARGIN_SECS {
        // No block after the timeout can hold any candidate, and a quorum does not know them.
        let chain_seq = match client::account(o, &acc.address).await {
            Ok(Some(a)) => a.sequence,
            Ok(None) => slot.sequence,
            Err(e) => {
                o.log(Level::Warn, format!("reading the sequence of {}: {e}", acc.address));
                return;
            }
        };
        if chain_seq > slot.sequence && now < latest_timeout + 10 * TIMEOUT_MARGIN_SECS {
            // The sequence moved, so a candidate is probably in a block an index has not caught up with.
            o.log(Level::Warn, format!("{id:?}: sequence {} used on chain but no candidate found yet", slot.sequence));
            return;
        }
        o.counters.borrow_mut().tx_failure(TxFailure::TimedOut);
        abandon_slot(o, id, Some(chain_seq), "past its timeout and in no block".into(), true);
        return;
    }
    let c = slot.candidates.last().expect("BUG: a slot has a candidate");
    // Past its timeout no node takes it any more: only wait for the margin to pass.
    if now < c.timeout_secs && (!c.maybe_in_mempool || now.saturating_sub(c.last_broadcast_secs) >= REBROADCAST_AFTER_SECS) {
        broadcast(o, id).await;
    }
}

/// A candidate is in a block: charge its fee, journal it, and end or requeue its messages.
fn included<R: Runtime>(o: &Orchestrator<R>, id: SignerId, c: &Candidate, result: ic_akash::rest::TxResult) {
    let now_nanos = o.now_nanos();
    o.log(Level::Info, format!("{} in block {} with code {}", c.hash, result.height, result.code));
    if !(result.code == 0 || result.attribute("tx", "acc_seq").is_some() || result.attribute("tx", "fee").is_some()) {
        o.counters.borrow_mut().tx_failure(TxFailure::RefusedAtDelivery);
        included_without_effect(o, id, c, &result);
        return;
    }
    if result.code != 0 {
        o.counters.borrow_mut().tx_failure(TxFailure::DeliverFailed);
    }
    o.mutate(|s| {
        let Some(mut acc) = s.tx_account(&id) else { return };
        let Some(slot) = acc.slot.take() else { return };
        let mut msgs: Vec<PendingMsg> = c.msg_ids.iter().filter_map(|m| s.pending_msg(*m)).collect();
        let shares = crate::state::chain::split_evenly(c.fee_uakt, msgs.len());
        for (m, share) in msgs.iter_mut().zip(shares) {
            s.charge_fee(m, share);
            s.put_pending_msg(m.clone());
        }
        let outcome = TxOutcome::Included { height: result.height, code: result.code, log: result.raw_log.clone() };
        s.journal_tx(now_nanos, &acc.address, &c.hash, &msgs, outcome);
        // Messages of other candidates of the slot (none in practice) go back to the queue.
        let mut requeue: Vec<u64> = slot
            .candidates
            .iter()
            .flat_map(|o| o.msg_ids.iter().copied())
            .filter(|m| !c.msg_ids.contains(m))
            .collect();
        let mut settle: Vec<(PendingMsg, MsgOutcome)> = Vec::new();
        if result.code == 0 {
            for m in msgs {
                settle.push((m, MsgOutcome::Succeeded { tx_hash: c.hash.clone(), height: result.height }));
            }
            acc.singles = false;
        } else {
            let reason = format!("failed on chain with code {} ({}): {}", result.code, result.codespace, result.raw_log);
            let culprit = ic_akash::rest::failed_message_index(&result.raw_log).filter(|i| *i < msgs.len());
            for (i, mut m) in msgs.into_iter().enumerate() {
                match culprit {
                    Some(k) if k == i => settle.push((m, MsgOutcome::Failed { reason: reason.clone() })),
                    Some(_) => requeue.push(m.id),
                    None => {
                        m.attempts += 1;
                        if m.attempts >= MAX_MSG_ATTEMPTS {
                            settle.push((m, MsgOutcome::Failed { reason: reason.clone() }));
                        } else {
                            requeue.push(m.id);
                            s.put_pending_msg(m);
                        }
                    }
                }
            }
            if culprit.is_none() && c.msg_ids.len() > 1 {
                acc.singles = true;
            }
        }
        requeue.extend(acc.queue.iter().copied());
        acc.queue = requeue;
        acc.next_sequence = Some(slot.sequence + 1);
        s.put_tx_account(id, acc);
        for (m, outcome) in settle {
            s.settle_msg(now_nanos, m, outcome);
        }
    });
}

/// A tx refused by the ante handler at delivery (e.g. past its timeout) sits in its block with an
/// error code but took no fee and no sequence (the SDK emits the `tx` events, fee and acc_seq,
/// only once the ante handler passed): journal it, queue its messages again, read the sequence.
fn included_without_effect<R: Runtime>(o: &Orchestrator<R>, id: SignerId, c: &Candidate, result: &ic_akash::rest::TxResult) {
    let now_nanos = o.now_nanos();
    let outcome = TxOutcome::Included { height: result.height, code: result.code, log: result.raw_log.clone() };
    o.mutate(|s| {
        let Some(acc) = s.tx_account(&id) else { return };
        let msgs: Vec<PendingMsg> = c.msg_ids.iter().filter_map(|m| s.pending_msg(*m)).collect();
        s.journal_tx(now_nanos, &acc.address, &c.hash, &msgs, outcome);
    });
    let reason = format!("refused at delivery with code {}: {}", result.code, result.raw_log);
    abandon_slot(o, id, None, reason, true);
    o.mutate(|s| {
        if let Some(mut acc) = s.tx_account(&id) {
            acc.next_sequence = None;
            s.put_tx_account(id, acc);
        }
    });
}
