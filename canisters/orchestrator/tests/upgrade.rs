//! Upgrades in the middle of flows, and what an upgrade costs.

mod support;

use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::notify::notify_deposit;
use ic_akash_orchestrator::runtime::fake::{block_on, poll_once, Fault, Method};
use ic_akash_orchestrator::runtime::Task;
use ic_akash_orchestrator_types::{ConfigArg, Error, NotifyDepositArg, OrchestratorArg};
use support::{deposit, user, Env, ICP};


#[test]
fn an_upgrade_while_the_ledger_call_is_in_flight_loses_nothing() {
    let mut env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.rt.hold(Method::TransferFrom);
    let mut flow = Box::pin(deposit_icp(&env.o, alice, deposit(2 * ICP)));
    assert!(poll_once(flow.as_mut()).is_pending());
    // The flow is persisted before the call: upgrade now, from the stable memory image.
    drop(flow);
    env.upgrade(None);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 1);
    assert_eq!(env.rt.pending_timers(), vec![(env.now(), Task::RetryPendingDeposits)]);
    env.rt.release(Method::TransferFrom);
    env.rt.run_due_timers(&env.o);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 0);
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, 15_840_000);
    assert_eq!(env.icp(alice), 10 * ICP - 2 * ICP - 2 * 10_000);
    env.check_exact();
}

#[test]
fn an_upgrade_after_the_ledger_ran_but_before_the_answer_credits_once() {
    let mut env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.rt.fail_next(Method::TransferFrom, Fault::LoseResponse);
    assert!(matches!(block_on(deposit_icp(&env.o, alice, deposit(2 * ICP))), Err(Error::DepositPending { .. })));
    env.upgrade(Some(OrchestratorArg::Upgrade(Some(ConfigArg { fee_bps: Some(0), ..Default::default() }))));
    env.rt.run_due_timers(&env.o);
    // Credited at the quote agreed before the upgrade (1% fee), not the new configuration's.
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, 15_840_000);
    assert_eq!(env.o.read(|s| s.config().fee_bps), 0);
    assert_eq!(env.icp(alice), 10 * ICP - 2 * ICP - 2 * 10_000);
    env.check_exact();
}

#[test]
fn balances_journal_credited_blocks_and_configuration_survive_upgrades() {
    let mut env = Env::new();
    let (alice, bob) = (user(1), user(2));
    env.mint(alice, 10 * ICP);
    env.mint(bob, 10 * ICP);
    env.approve(alice, 5 * ICP);
    block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap();
    let block = env.push(bob, bob, ICP);
    let credit = block_on(notify_deposit(&env.o, bob, NotifyDepositArg { block_index: block, beneficiary: None })).unwrap();
    let before = (env.o.read(|s| s.stats()), env.o.read(|s| s.balance(&alice)), env.o.read(|s| s.config().clone()));
    env.upgrade(None);
    env.upgrade(Some(OrchestratorArg::Upgrade(None)));
    let after = (env.o.read(|s| s.stats()), env.o.read(|s| s.balance(&alice)), env.o.read(|s| s.config().clone()));
    assert_eq!(before, after);
    // A notify of the same block after the upgrade is still the first credit.
    assert_eq!(block_on(notify_deposit(&env.o, bob, NotifyDepositArg { block_index: block, beneficiary: None })), Ok(credit));
    env.check_exact();
    // An upgrade with an install argument is refused (it would not reset anything).
    let e = lifecycle::post_upgrade(env.rt.clone(), env.raw.image(), Some(OrchestratorArg::Init(ConfigArg::default())));
    assert!(e.is_err());
}

/// What `post_upgrade` reads from stable memory, after a history of `deposits` deposits.
fn upgrade_read_bytes(deposits: u32) -> u64 {
    let env = Env::new();
    for i in 0..deposits {
        let p = user((i % 50) as u8 + 1);
        env.fund(p, 2 * ICP, 2 * ICP);
        block_on(deposit_icp(&env.o, p, deposit(ICP))).unwrap();
        env.rt.advance_secs(61); // past the per-principal rate window
    }
    assert_eq!(env.o.read(|s| s.stats().journal_entries), 2 * deposits as u64);
    let image = env.raw.image();
    let o = lifecycle::post_upgrade(env.rt.clone(), image.clone(), None).unwrap();
    let read = image.bytes_read();
    drop(o);
    read
}

#[test]
fn post_upgrade_cost_does_not_grow_with_history() {
    let small = upgrade_read_bytes(2);
    let large = upgrade_read_bytes(1000);
    assert!(small > 0);
    assert_eq!(small, large, "post_upgrade read {small} bytes after 2 deposits but {large} after 1000");
}
