//! Withdrawals, ACT mints and owner accounts, end to end against the simulated Akash chain: the
//! transaction pipeline under every fault the chain's endpoints can show.

mod support;

use ic_akash_orchestrator::akash::pipeline::{MAX_MSG_ATTEMPTS, TIMEOUT_MARGIN_SECS};
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::owner_account::open_akash_account;
use ic_akash_orchestrator::runtime::fake::akash::{Behaviour, OneShot};
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::storage::SignerId;
use ic_akash_orchestrator::withdraw::{withdraw, WITHDRAW_FEE_RESERVE_UAKT};
use ic_akash_orchestrator_types::{Change, ConfigArg, Error, GetJournalArg, MintActArg, TxOutcome, WithdrawArg};
use candid::Principal;
use ic_akash_orchestrator::config::DEFAULT_AKASH_SERVICE_FEE_UAKT as SERVICE_FEE;
use support::{dest, user, Env, ENDPOINTS};

fn w(amount_uakt: u64, to: &str) -> WithdrawArg {
    WithdrawArg { amount_uakt, to_akash_address: to.to_string(), owner: None }
}

fn journal(env: &Env, p: Principal) -> Vec<Change> {
    env.o
        .read(|s| s.journal_page(&GetJournalArg { principal: Some(p), start: None, length: 100 }))
        .entries
        .into_iter()
        .map(|e| e.change)
        .collect()
}

fn withdrawn_fee(changes: &[Change], id: u64) -> Option<(u64, String)> {
    changes.iter().find_map(|c| match c {
        Change::Withdrawn { withdraw_id, fee_uakt, tx_hash, .. } if *withdraw_id == id => Some((*fee_uakt, tx_hash.clone())),
        _ => None,
    })
}

#[test]
fn a_withdrawal_sends_exactly_the_amount_once_and_charges_the_exact_fee() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    let credited = env.credit_akt(alice, 2);
    let to = dest(1);
    let id = block_on(withdraw(&env.o, alice, w(5_000_000, &to))).unwrap();
    let b = env.o.read(|s| s.balance(&alice));
    let expected = (credited - 5_000_000 - WITHDRAW_FEE_RESERVE_UAKT - SERVICE_FEE, 5_000_000 + WITHDRAW_FEE_RESERVE_UAKT);
    assert_eq!((b.available_uakt, b.reserved_uakt), expected);
    env.check();
    assert!(env.run_until_idle(120));

    assert_eq!(env.sim().balance(&to, "uakt"), 5_000_000);
    let changes = journal(&env, alice);
    let (fee, hash) = withdrawn_fee(&changes, id).expect("Withdrawn in the journal");
    let tx = env.sim().tx(&hash).cloned().expect("the journaled hash is on chain");
    assert_eq!(tx.fee[0].amount, u128::from(fee), "the principal pays exactly the fee of its transaction");
    assert_eq!(tx.code, 0);
    assert!(changes.iter().any(|c| matches!(c, Change::AkashTx { tx_hash, outcome: TxOutcome::Included { code: 0, .. }, .. } if *tx_hash == hash)));
    let b = env.o.read(|s| s.balance(&alice));
    assert_eq!((b.available_uakt, b.reserved_uakt), (credited - 5_000_000 - fee - SERVICE_FEE, 0));
    assert_eq!(env.o.read(|s| s.book().service_fees_uakt), SERVICE_FEE);
    env.check_chain();
    env.assert_no_tx_repeated();
}

#[test]
fn withdrawals_ready_together_share_one_transaction_and_its_fee_exactly() {
    let env = Env::with_chain(ConfigArg::default());
    let users: Vec<Principal> = (1..=5).map(user).collect();
    for u in &users {
        env.credit_akt(*u, 1);
    }
    let treasury = env.treasury();
    // Queued in the same message round: one run of the pipeline sees all five.
    let ids: Vec<u64> = users
        .iter()
        .enumerate()
        .map(|(i, u)| block_on(withdraw(&env.o, *u, w(1_000_000 + i as u64, &dest(10 + i as u8)))).unwrap())
        .collect();
    assert!(env.run_until_idle(120));
    let txs: Vec<_> = env.sim().included_txs().iter().filter(|t| t.signer == treasury).cloned().collect();
    assert_eq!(txs.len(), 1, "one transaction, one signature");
    assert_eq!(txs[0].messages.len(), 5);
    let fee = u64::try_from(txs[0].fee[0].amount).unwrap();
    let charged: u64 = users.iter().zip(&ids).map(|(u, id)| withdrawn_fee(&journal(&env, *u), *id).unwrap().0).sum();
    assert_eq!(charged, fee);
    for i in 0..5u8 {
        assert_eq!(env.sim().balance(&dest(10 + i), "uakt"), 1_000_000 + u128::from(i));
    }
    env.check_chain();
}

#[test]
fn bad_withdrawals_are_refused_with_what_was_wrong_and_nothing_queued() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    let credited = env.credit_akt(alice, 1);
    let to = dest(1);
    assert_eq!(block_on(withdraw(&env.o, Principal::anonymous(), w(2_000_000, &to))), Err(Error::AnonymousCaller));
    assert!(matches!(block_on(withdraw(&env.o, alice, w(10, &to))), Err(Error::InvalidArgument { field, .. }) if field == "amount_uakt"));
    assert!(matches!(block_on(withdraw(&env.o, alice, w(2_000_000, "cosmos1xyz"))), Err(Error::InvalidArgument { field, .. }) if field == "to_akash_address"));
    let mut broken = to.clone();
    broken.pop();
    broken.push(if to.ends_with('q') { 'p' } else { 'q' });
    assert!(matches!(block_on(withdraw(&env.o, alice, w(2_000_000, &broken))), Err(Error::InvalidArgument { field, .. }) if field == "to_akash_address"));
    assert!(matches!(block_on(withdraw(&env.o, alice, w(credited, &to))), Err(Error::InsufficientBalance { .. })));
    let controller = env.rt.controller();
    ic_akash_orchestrator::lifecycle::set_config(&env.o, controller, ConfigArg { paused: Some(true), ..Default::default() }).unwrap();
    assert_eq!(block_on(withdraw(&env.o, alice, w(2_000_000, &to))), Err(Error::Paused));
    assert_eq!(env.o.read(|s| s.pending_msg_count()), 0);
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, credited);
    env.check();
}

#[test]
fn mints_burn_each_principals_akt_and_credit_its_exact_share_of_the_act_after_the_epoch() {
    let env = Env::with_chain(ConfigArg::default());
    let users: Vec<Principal> = (1..=3).map(user).collect();
    for u in &users {
        env.credit_akt(*u, 2);
    }
    env.sim().set_oracle_price(6543, 10_000); // 1 AKT = 0.6543 ACT
    let amounts = [1_000_000u64, 2_500_000, 3_333_333];
    for (u, a) in users.iter().zip(amounts) {
        block_on(mint_act(&env.o, *u, MintActArg { amount_uakt: a, owner: None })).unwrap();
    }
    env.check();
    assert!(env.run_until_idle(600));
    let minted = env.o.read(|s| s.book().minted_uact);
    let total: u64 = amounts.iter().sum();
    assert_eq!(u128::from(minted), u128::from(total) * 6543 / 10_000, "the chain minted floor(burned × price)");
    let acts: Vec<u64> = users.iter().map(|u| env.o.read(|s| s.balance(u)).act_uact).collect();
    assert_eq!(acts.iter().sum::<u64>(), minted);
    for (act, a) in acts.iter().zip(amounts) {
        let exact = u128::from(minted) * u128::from(a) / u128::from(total);
        assert!(u128::from(*act) == exact || u128::from(*act) == exact + 1, "share {act} vs {exact}");
    }
    let treasury = env.treasury();
    let mint_txs = env.sim().included_txs().iter().filter(|t| t.signer == treasury).count();
    assert_eq!(mint_txs, 1, "three requests, one MsgMintACT");
    env.check_chain();
}

#[test]
fn requests_wait_while_minting_is_halted_and_then_settle() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    env.credit_akt(alice, 1);
    env.sim().set_minting_halted(true);
    block_on(mint_act(&env.o, alice, MintActArg { amount_uakt: 2_000_000, owner: None })).unwrap();
    env.run_for(300);
    assert_eq!(env.o.read(|s| s.balance(&alice)).act_uact, 0);
    assert!(env.o.read(|s| s.book().mint_batch.is_none()), "no burn while halted");
    env.check_chain();
    env.sim().set_minting_halted(false);
    assert!(env.run_until_idle(600));
    assert!(env.o.read(|s| s.balance(&alice)).act_uact > 0);
    env.check_chain();
}

#[test]
fn an_owner_account_is_opened_with_a_fee_allowance_from_the_treasury_once() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    let credited = env.credit_akt(alice, 1);
    let accounts = block_on(open_akash_account(&env.o, alice)).unwrap();
    let owner = accounts.owner.clone().unwrap();
    assert_eq!(accounts.treasury.as_deref(), Some(env.treasury().as_str()));
    // A second call while the grant is in flight queues nothing more.
    assert_eq!(block_on(open_akash_account(&env.o, alice)).unwrap(), accounts);
    assert!(env.run_until_idle(120));
    let grant = env.sim().fee_grant(&env.treasury(), &owner).expect("fee allowance on chain");
    let _ = grant;
    assert!(env.sim().account(&owner).is_some(), "the grant created the account");
    assert!(env.o.read(|s| s.tx_account(&SignerId::Owner(alice))).unwrap().opened);
    let fee = journal(&env, alice)
        .iter()
        .find_map(|c| match c {
            Change::AkashAccountOpened { fee_uakt, .. } => Some(*fee_uakt),
            _ => None,
        })
        .unwrap();
    assert!(fee > 0);
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, credited - fee - SERVICE_FEE);
    assert_eq!(block_on(open_akash_account(&env.o, alice)).unwrap().owner, Some(owner));
    env.run_for(60);
    assert_eq!(env.sim().included_txs().len(), 1, "opened once");
    env.check_chain();
}

#[test]
fn a_dropped_transaction_is_signed_again_after_its_timeout_and_lands_once() {
    let env = Env::with_chain(ConfigArg { akash_tx_timeout_secs: Some(60), ..Default::default() });
    let alice = user(1);
    env.credit_akt(alice, 1);
    // The first send and its rebroadcast (same bytes, 30 s later) are both lost.
    env.sim().push_global_fault(OneShot::DropBroadcast);
    env.sim().push_global_fault(OneShot::DropBroadcast);
    let to = dest(3);
    let id = block_on(withdraw(&env.o, alice, w(3_000_000, &to))).unwrap();
    env.run_for(60);
    assert_eq!(env.sim().balance(&to, "uakt"), 0, "dropped, not included");
    assert!(env.run_until_idle(60 + TIMEOUT_MARGIN_SECS + 200));
    assert_eq!(env.sim().balance(&to, "uakt"), 3_000_000);
    let changes = journal(&env, alice);
    assert!(changes.iter().any(|c| matches!(c, Change::AkashTx { outcome: TxOutcome::Dropped, .. })), "the drop is journaled");
    assert!(withdrawn_fee(&changes, id).is_some());
    env.check_chain();
    env.assert_no_tx_repeated();
}

#[test]
fn a_transaction_refused_at_delivery_costs_nothing_and_its_messages_land_once() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    let credited = env.credit_akt(alice, 1);
    // The first send is accepted, then refused by the ante handler in its block (as timed out).
    env.sim().push_global_fault(OneShot::RefusedAtDelivery);
    let to = dest(8);
    let id = block_on(withdraw(&env.o, alice, w(2_000_000, &to))).unwrap();
    assert!(env.run_until_idle(300));

    assert_eq!(env.sim().balance(&to, "uakt"), 2_000_000, "the amount arrived exactly once");
    let treasury = env.treasury();
    let txs: Vec<_> = env.sim().included_txs().iter().filter(|t| t.signer == treasury).cloned().collect();
    assert_eq!(txs.len(), 2, "the refused transaction and the one that landed");
    let (refused, landed) = (&txs[0], &txs[1]);
    assert_eq!((refused.code, refused.codespace.as_str()), (30, "sdk"), "{}", refused.raw_log);
    assert!(refused.raw_log.ends_with("tx timeout height"), "{}", refused.raw_log);
    assert!(refused.events.is_empty(), "no fee, no sequence");
    assert_eq!(landed.code, 0);
    assert_eq!(landed.sequence, refused.sequence, "the refused transaction took no sequence");
    assert_eq!(landed.messages, refused.messages, "the same message, signed again");

    let changes = journal(&env, alice);
    assert!(
        changes.iter().any(|c| matches!(c, Change::AkashTx { tx_hash, outcome: TxOutcome::Included { code, .. }, .. }
            if *tx_hash == refused.hash && *code == refused.code)),
        "the refusal is journaled: {changes:?}"
    );
    let (fee, hash) = withdrawn_fee(&changes, id).expect("Withdrawn in the journal");
    assert_eq!(hash, landed.hash, "withdrawn by the transaction that landed");
    assert_eq!(u128::from(fee), landed.fee[0].amount, "exactly the fee of the transaction that landed");
    assert_eq!(env.sim().fees_collected(), landed.fee[0].amount, "the refused transaction paid nothing");
    let b = env.o.read(|s| s.balance(&alice));
    assert_eq!((b.available_uakt, b.reserved_uakt), (credited - 2_000_000 - fee - SERVICE_FEE, 0), "one fee and the service fee");
    env.check_chain();
    env.assert_no_tx_repeated();
}

#[test]
fn lost_broadcast_answers_and_stale_sequences_never_repeat_a_transaction() {
    let env = Env::with_chain(ConfigArg::default());
    let users: Vec<Principal> = (1..=3).map(user).collect();
    for u in &users {
        env.credit_akt(*u, 1);
    }
    // The first send is served but its answer lost; the next is refused by a stale node.
    env.sim().push_global_fault(OneShot::Timeout);
    block_on(withdraw(&env.o, users[0], w(1_100_000, &dest(1)))).unwrap();
    env.run_for(12);
    env.sim().push_global_fault(OneShot::StaleSequence);
    block_on(withdraw(&env.o, users[1], w(1_200_000, &dest(2)))).unwrap();
    env.run_for(12);
    block_on(withdraw(&env.o, users[2], w(1_300_000, &dest(3)))).unwrap();
    assert!(env.run_until_idle(600));
    for (i, amount) in [1_100_000u128, 1_200_000, 1_300_000].into_iter().enumerate() {
        assert_eq!(env.sim().balance(&dest(i as u8 + 1), "uakt"), amount);
    }
    env.check_chain();
    env.assert_no_tx_repeated();
}

#[test]
fn one_lying_and_one_lagging_endpoint_decide_nothing() {
    for bad in [Behaviour::Lying, Behaviour::Lagging { blocks: 20 }, Behaviour::Diverging, Behaviour::ServerErrors, Behaviour::Down] {
        let env = Env::with_chain(ConfigArg::default());
        env.sim().set_behaviour(ENDPOINTS[0], bad);
        let alice = user(1);
        env.credit_akt(alice, 2);
        let id = block_on(withdraw(&env.o, alice, w(4_000_000, &dest(4)))).unwrap();
        block_on(mint_act(&env.o, alice, MintActArg { amount_uakt: 3_000_000, owner: None })).unwrap();
        assert!(env.run_until_idle(900), "{bad:?}: work left");
        assert_eq!(env.sim().balance(&dest(4), "uakt"), 4_000_000, "{bad:?}");
        assert!(withdrawn_fee(&journal(&env, alice), id).is_some(), "{bad:?}");
        assert!(env.o.read(|s| s.balance(&alice)).act_uact > 0, "{bad:?}");
        env.check_chain();
        env.assert_no_tx_repeated();
    }
}

#[test]
fn responses_larger_than_expected_are_fetched_again_with_a_larger_limit() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    env.credit_akt(alice, 1);
    env.sim().set_padding(None, Some(300_000));
    block_on(withdraw(&env.o, alice, w(2_000_000, &dest(5)))).unwrap();
    assert!(env.run_until_idle(300));
    env.sim().set_padding(None, None);
    assert_eq!(env.sim().balance(&dest(5), "uakt"), 2_000_000);
    env.check_chain();
}

#[test]
fn a_message_that_keeps_failing_ends_failed_with_its_reserve_returned() {
    let env = Env::with_chain(ConfigArg { akash_tx_timeout_secs: Some(30), ..Default::default() });
    let alice = user(1);
    let credited = env.credit_akt(alice, 1);
    for _ in 0..MAX_MSG_ATTEMPTS + 2 {
        env.sim().push_global_fault(OneShot::DropBroadcast);
    }
    let id = block_on(withdraw(&env.o, alice, w(2_000_000, &dest(6)))).unwrap();
    // Each drop is seen only after the timeout; the message gives up after MAX_MSG_ATTEMPTS.
    assert!(env.run_until_idle(u64::from(MAX_MSG_ATTEMPTS + 2) * (30 + TIMEOUT_MARGIN_SECS + 60)));
    env.sim().clear_faults();
    let changes = journal(&env, alice);
    let failed = changes.iter().any(|c| matches!(c, Change::WithdrawFailed { withdraw_id, fee_uakt: 0, .. } if *withdraw_id == id));
    assert!(failed && withdrawn_fee(&changes, id).is_none(), "fails, and only fails");
    let drops = changes.iter().filter(|c| matches!(c, Change::AkashTx { outcome: TxOutcome::Dropped, .. })).count();
    assert_eq!(drops, MAX_MSG_ATTEMPTS as usize, "one journaled drop per attempt");
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, credited - SERVICE_FEE);
    assert_eq!(env.sim().balance(&dest(6), "uakt"), 0);
    env.check_chain();
}

#[test]
fn an_upgrade_with_a_transaction_in_flight_resumes_it_and_sends_nothing_twice() {
    let mut env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    env.credit_akt(alice, 1);
    let id = block_on(withdraw(&env.o, alice, w(2_500_000, &dest(7)))).unwrap();
    env.rt.run_due_timers(&env.o);
    assert!(env.o.read(|s| s.tx_account(&SignerId::Treasury)).unwrap().slot.is_some(), "signed and sent");
    env.upgrade(None);
    assert!(env.run_until_idle(300));
    assert_eq!(env.sim().balance(&dest(7), "uakt"), 2_500_000);
    assert!(withdrawn_fee(&journal(&env, alice), id).is_some());
    env.check_chain();
    env.assert_no_tx_repeated();
}

#[test]
fn a_burn_the_chain_cancels_returns_the_akt_and_keeps_only_the_fee_paid() {
    let env = Env::with_chain(ConfigArg::default());
    let alice = user(1);
    let credited = env.credit_akt(alice, 1);
    let now = env.now();
    env.sim().advance_to(now);
    env.sim().set_min_mint(10_000_000); // 10 ACT, as on mainnet
    let id = block_on(mint_act(&env.o, alice, MintActArg { amount_uakt: 2_000_000, owner: None })).unwrap();
    assert!(env.run_until_idle(600));
    let changes = journal(&env, alice);
    let fee = changes
        .iter()
        .find_map(|c| match c {
            Change::ActMintBurned { mint_id, fee_uakt, .. } if *mint_id == id => Some(*fee_uakt),
            _ => None,
        })
        .expect("burned first");
    assert!(changes.iter().any(|c| matches!(c, Change::ActMintFailed { mint_id, .. } if *mint_id == id)));
    let b = env.o.read(|s| s.balance(&alice));
    assert_eq!((b.available_uakt, b.act_uact), (credited - fee - SERVICE_FEE, 0));
    env.check_chain();
}

#[test]
fn the_key_name_cannot_change_once_akash_accounts_exist() {
    let env = Env::with_chain(ConfigArg::default());
    let controller = env.rt.controller();
    let other = ConfigArg { ecdsa_key_name: Some("test_key_1".into()), ..Default::default() };
    env.treasury();
    let e = ic_akash_orchestrator::lifecycle::set_config(&env.o, controller, other).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "ecdsa_key_name"), "{e:?}");
}
