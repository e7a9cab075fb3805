//! ICRC-2 pull deposits, end to end against the simulated ledger and XRC.

mod support;

use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::runtime::fake::{block_on, poll_once, Fault, Method};
use ic_akash_orchestrator_types::{Balance, Change, ConfigArg, DepositIcpArg, Error, GetJournalArg, Source};
use support::{deposit, user, Env, ICP};


#[test]
fn a_pull_deposit_takes_the_icp_once_and_credits_its_akt_value_by_block_index() {
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.check();

    let credit = block_on(deposit_icp(&env.o, alice, deposit(2 * ICP))).unwrap();
    env.check_exact();
    // 8 AKT per ICP (ICP $4.80, AKT $0.60), 1% fee rounded up.
    assert_eq!(credit.quote.gross_uakt, 16_000_000);
    assert_eq!(credit.quote.fee_uakt, 160_000);
    assert_eq!(credit.balance, Balance { available_uakt: 15_840_000, reserved_uakt: 0, act_uact: 0 });
    assert_eq!(env.o.read(|s| s.balance(&alice)), credit.balance);
    // The payer paid amount + ledger fee (and a fee for the approval); the orchestrator got the amount.
    assert_eq!(env.icp(alice), 10 * ICP - 2 * ICP - 2 * 10_000);
    assert_eq!(env.icp_held(), 2 * ICP);

    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(alice), start: None, length: 10 }));
    assert_eq!(journal.total, 2);
    assert!(matches!(journal.entries[0].change, Change::DepositStarted { amount_e8s, .. } if amount_e8s == 2 * ICP));
    match &journal.entries[1].change {
        Change::Credited { source, payer, quote } => {
            assert_eq!(*source, Source::IcpBlock(credit.block_index));
            assert_eq!(*payer, Some(alice));
            assert_eq!(quote.rate.uakt_per_icp, 8_000_000);
        }
        other => panic!("expected a credit, got {other:?}"),
    }
}

#[test]
fn a_member_can_pay_for_a_dao() {
    let env = Env::new();
    let (member, dao) = (user(1), user(9));
    env.fund(member, 10 * ICP, 5 * ICP);
    let credit = block_on(deposit_icp(&env.o, member, DepositIcpArg { beneficiary: Some(dao), ..deposit(ICP) })).unwrap();
    assert_eq!(credit.beneficiary, dao);
    assert_eq!(env.o.read(|s| s.balance(&dao)).available_uakt, 7_920_000);
    assert_eq!(env.o.read(|s| s.balance(&member)), Balance::default());
    env.check_exact();
}

#[test]
fn ledger_refusals_take_nothing_and_are_journaled() {
    let env = Env::new();
    let alice = user(1);
    env.mint(alice, ICP);
    // No approval at all.
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP / 2))).unwrap_err();
    assert_eq!(e, Error::InsufficientAllowance { allowance_e8s: 0 });
    // Approved, but the amount plus fee is more than the balance.
    env.approve(alice, 2 * ICP);
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap_err();
    assert!(matches!(e, Error::InsufficientFunds { balance_e8s } if balance_e8s == ICP - 10_000), "{e:?}");
    env.check_exact();
    assert_eq!(env.icp_held(), 0);
    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(alice), start: None, length: 10 }));
    let failed = journal.entries.iter().filter(|e| matches!(e.change, Change::DepositFailed { .. })).count();
    assert_eq!(failed, 2);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 0);
}

#[test]
fn bad_arguments_and_anonymous_callers_are_refused_before_any_call() {
    let env = Env::new();
    let alice = user(1);
    let anon = candid::Principal::anonymous();
    assert_eq!(block_on(deposit_icp(&env.o, anon, deposit(ICP))), Err(Error::AnonymousCaller));
    let e = block_on(deposit_icp(&env.o, alice, DepositIcpArg { beneficiary: Some(anon), ..deposit(ICP) })).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "beneficiary"));
    let e = block_on(deposit_icp(&env.o, alice, DepositIcpArg { from_subaccount: Some(vec![1; 31]), ..deposit(ICP) })).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "from_subaccount"));
    assert_eq!(block_on(deposit_icp(&env.o, alice, deposit(999_999))), Err(Error::AmountTooSmall { min_e8s: 1_000_000 }));
    assert_eq!(env.calls(Method::TransferFrom) + env.calls(Method::Xrc), 0);
}

#[test]
fn a_lost_answer_is_settled_by_the_retry_timer_through_ledger_deduplication() {
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.rt.fail_next(Method::TransferFrom, Fault::LoseResponse);
    let e = block_on(deposit_icp(&env.o, alice, deposit(2 * ICP))).unwrap_err();
    let Error::DepositPending { deposit_id } = e else { panic!("expected pending, got {e:?}") };
    // The ledger did take the ICP; nothing is credited yet, and the books still hold.
    assert_eq!(env.icp_held(), 2 * ICP);
    assert_eq!(env.o.read(|s| s.balance(&alice)), Balance::default());
    env.check();

    let ran = env.rt.run_timers_for(&env.o, 60);
    assert!(ran >= 1);
    assert_eq!(env.o.read(|s| s.pending_deposit(deposit_id)), None);
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, 15_840_000);
    // Taken once: the retry got `Duplicate` with the first block.
    assert_eq!(env.icp(alice), 10 * ICP - 2 * ICP - 2 * 10_000);
    assert_eq!(env.calls(Method::TransferFrom), 2);
    env.check_exact();
}

#[test]
fn a_call_refused_before_running_fails_the_deposit_at_once() {
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.rt.fail_next(Method::TransferFrom, Fault::Reject);
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap_err();
    assert!(matches!(e, Error::LedgerUnavailable { .. }), "{e:?}");
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 0);
    assert!(env.rt.pending_timers().is_empty());
    // And the next attempt works.
    block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap();
    env.check_exact();
}

#[test]
fn the_ledger_keeps_saying_nothing_until_the_deadline_then_the_deposit_is_closed() {
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    env.rt.fail_next(Method::TransferFrom, Fault::Reject);
    env.rt.fail_next(Method::TransferFrom, Fault::LoseResponse);
    // First attempt refused (failed at once); second lost.
    assert!(block_on(deposit_icp(&env.o, alice, deposit(ICP))).is_err());
    env.rt.hold(Method::TransferFrom);
    let mut f = Box::pin(deposit_icp(&env.o, alice, deposit(ICP)));
    assert!(poll_once(f.as_mut()).is_pending());
    env.rt.release(Method::TransferFrom);
    assert!(matches!(block_on(f), Err(Error::DepositPending { .. })));
    // From now on every retry is refused: the deposit stays pending and retries back off...
    for _ in 0..200 {
        env.rt.fail_next(Method::TransferFrom, Fault::Reject);
    }
    env.rt.run_timers_for(&env.o, 3600);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 1);
    let retries_first_hour = env.calls(Method::TransferFrom);
    assert!(retries_first_hour < 40, "{retries_first_hour} retries in an hour");
    // ...and after the deadline it is closed, with the reason in the journal.
    env.rt.run_timers_for(&env.o, 21 * 3600);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 0);
    assert!(env.rt.pending_timers().is_empty());
    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(alice), start: None, length: 10 }));
    assert!(journal.entries.iter().any(|e| matches!(&e.change, Change::DepositFailed { reason, .. } if reason.contains("unresolved"))));
    env.check();
}

#[test]
fn concurrent_deposits_by_one_principal_are_one_at_a_time() {
    let env = Env::new();
    let (alice, bob) = (user(1), user(2));
    for p in [alice, bob] {
        env.fund(p, 10 * ICP, 5 * ICP);
    }
    env.rt.hold(Method::TransferFrom);
    let mut first = Box::pin(deposit_icp(&env.o, alice, deposit(ICP)));
    assert!(poll_once(first.as_mut()).is_pending());
    assert_eq!(block_on(deposit_icp(&env.o, alice, deposit(ICP))), Err(Error::AlreadyProcessing));
    // Another principal is not blocked by alice's flow.
    let mut other = Box::pin(deposit_icp(&env.o, bob, deposit(ICP)));
    assert!(poll_once(other.as_mut()).is_pending());
    env.rt.release(Method::TransferFrom);
    block_on(first).unwrap();
    block_on(other).unwrap();
    block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap();
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, 2 * 7_920_000);
    env.check_exact();
}

#[test]
fn the_global_cap_on_flows_is_enforced() {
    let env = Env::with(ConfigArg { max_flows_in_progress: Some(1), ..Default::default() });
    let (alice, bob) = (user(1), user(2));
    for p in [alice, bob] {
        env.fund(p, 10 * ICP, 5 * ICP);
    }
    env.rt.hold(Method::TransferFrom);
    let mut first = Box::pin(deposit_icp(&env.o, alice, deposit(ICP)));
    assert!(poll_once(first.as_mut()).is_pending());
    assert_eq!(block_on(deposit_icp(&env.o, bob, deposit(ICP))), Err(Error::TooManyFlows { max: 1 }));
    env.rt.release(Method::TransferFrom);
    block_on(first).unwrap();
    assert_eq!(env.o.flows_in_progress(), 0);
    block_on(deposit_icp(&env.o, bob, deposit(ICP))).unwrap();
    env.check_exact();
}

#[test]
fn paused_refuses_deposits() {
    let env = Env::with(ConfigArg { paused: Some(true), ..Default::default() });
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    assert_eq!(block_on(deposit_icp(&env.o, alice, deposit(ICP))), Err(Error::Paused));
    assert_eq!(env.calls(Method::TransferFrom), 0);
}
