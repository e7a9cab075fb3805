//! Push deposits: a transfer to a deposit account, then `notify_deposit` by anyone.

mod support;

use ic_akash_orchestrator::notify::notify_deposit;
use ic_akash_orchestrator::queries::get_deposit_account;
use ic_akash_orchestrator::runtime::fake::{block_on, poll_once, Fault, Method};
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator_types::{Error, NotifyDepositArg};
use icrc_ledger_types::icrc1::account::Account;
use support::{user, Env, ICP};

fn arg(block_index: u64, beneficiary: Option<candid::Principal>) -> NotifyDepositArg {
    NotifyDepositArg { block_index, beneficiary }
}

#[test]
fn a_person_transfers_then_notifies_and_is_credited_once() {
    let mut env = Env::new();
    let alice = user(1);
    env.mint(alice, 10 * ICP);
    let account = get_deposit_account(&env.o, alice, None).unwrap();
    assert_eq!(account.account.owner, env.rt.canister_id());
    assert_eq!(account.account_identifier.len(), 64);
    let block = env.push(alice, alice, 3 * ICP);
    env.check();

    let credit = block_on(notify_deposit(&env.o, alice, arg(block, None))).unwrap();
    assert_eq!(credit.block_index, block);
    assert_eq!(credit.quote.gross_uakt, 24_000_000);
    assert_eq!(credit.balance.available_uakt, 24_000_000 - 240_000);
    env.check_exact();
    // Again: the same answer, no second credit, no ledger call.
    let reads = env.calls(Method::QueryBlocks);
    assert_eq!(block_on(notify_deposit(&env.o, alice, arg(block, None))), Ok(credit.clone()));
    assert_eq!(env.calls(Method::QueryBlocks), reads);
    assert_eq!(env.o.read(|s| s.balance(&alice)), credit.balance);
    env.check_exact();
}

#[test]
fn an_sns_treasury_transfer_is_notified_by_a_third_party_for_the_dao() {
    let mut env = Env::new();
    let (treasury, dao, bot) = (user(20), user(21), user(22));
    env.mint(treasury, 1_000 * ICP);
    // The proposal transfers to the DAO's deposit account (what `get_deposit_account(dao)` says).
    let block = env.push(treasury, dao, 100 * ICP);
    let credit = block_on(notify_deposit(&env.o, bot, arg(block, Some(dao)))).unwrap();
    assert_eq!(credit.beneficiary, dao);
    assert_eq!(env.o.read(|s| s.balance(&dao)).available_uakt, 792_000_000);
    assert_eq!(env.o.read(|s| s.balance(&bot)).available_uakt, 0);
    env.check_exact();
}

#[test]
fn concurrent_notifies_of_one_block_return_the_same_credit_and_credit_once() {
    let mut env = Env::new();
    let (alice, bob, carol) = (user(1), user(2), user(3));
    env.mint(alice, 10 * ICP);
    let block = env.push(alice, alice, ICP);
    env.rt.hold(Method::QueryBlocks);
    let mut a = Box::pin(notify_deposit(&env.o, bob, arg(block, Some(alice))));
    let mut b = Box::pin(notify_deposit(&env.o, carol, arg(block, Some(alice))));
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    env.rt.release(Method::QueryBlocks);
    let (ra, rb) = (block_on(a).unwrap(), block_on(b).unwrap());
    assert_eq!(ra, rb);
    assert_eq!(env.o.read(|s| s.balance(&alice)).available_uakt, 7_920_000);
    env.check_exact();
}

#[test]
fn wrongly_addressed_unknown_and_non_transfer_blocks_get_errors_and_no_credit() {
    let mut env = Env::new();
    let (alice, mallory) = (user(1), user(6));
    env.mint(alice, 10 * ICP);
    let block = env.push(alice, alice, ICP);
    // Mallory claims alice's transfer for herself: it does not pay her deposit account.
    let e = block_on(notify_deposit(&env.o, mallory, arg(block, None))).unwrap_err();
    assert!(matches!(e, Error::NotADeposit { ref reason, .. } if reason.contains("not the deposit account")), "{e:?}");
    // A transfer to the orchestrator's main account is not a push deposit either.
    let now = env.now();
    let me = env.me();
    let direct = env.rt.world().ledger.transfer(now, alice, None, &me, ICP, None, None).unwrap();
    assert!(matches!(block_on(notify_deposit(&env.o, alice, arg(direct, None))), Err(Error::NotADeposit { .. })));
    // A mint is not a transfer.
    assert!(matches!(block_on(notify_deposit(&env.o, alice, arg(0, None))), Err(Error::NotADeposit { .. })));
    // Beyond the chain.
    assert_eq!(block_on(notify_deposit(&env.o, alice, arg(10_000, None))), Err(Error::BlockNotFound { block_index: 10_000 }));
    assert_eq!(env.o.read(|s| s.totals().icp_received_e8s), 0);
    // Alice's own notify still works afterwards.
    block_on(notify_deposit(&env.o, alice, arg(block, None))).unwrap();
    env.check();
}

#[test]
fn archived_blocks_are_read_from_the_archive() {
    let mut env = Env::new();
    let alice = user(1);
    env.mint(alice, 10 * ICP);
    let block = env.push(alice, alice, 2 * ICP);
    env.rt.world().ledger.archive_all();
    env.mint(alice, ICP);
    let credit = block_on(notify_deposit(&env.o, alice, arg(block, None))).unwrap();
    assert_eq!(credit.quote.icp_e8s, 2 * ICP);
    assert_eq!(env.calls(Method::QueryArchive), 1);
    env.check_exact();
}

#[test]
fn too_old_blocks_are_refused() {
    let mut env = Env::new();
    let alice = user(1);
    env.mint(alice, 10 * ICP);
    let block = env.push(alice, alice, ICP);
    env.rt.advance_secs(31 * 24 * 3600);
    let e = block_on(notify_deposit(&env.o, alice, arg(block, None))).unwrap_err();
    assert!(matches!(e, Error::BlockTooOld { max_age_secs, .. } if max_age_secs == 30 * 24 * 3600), "{e:?}");
    assert_eq!(env.o.read(|s| s.totals().icp_received_e8s), 0);
}

#[test]
fn ledger_and_archive_failures_are_retryable_errors() {
    let mut env = Env::new();
    let alice = user(1);
    env.mint(alice, 10 * ICP);
    let block = env.push(alice, alice, ICP);
    env.rt.fail_next(Method::QueryBlocks, Fault::Reject);
    assert!(matches!(block_on(notify_deposit(&env.o, alice, arg(block, None))), Err(Error::LedgerUnavailable { .. })));
    env.rt.world().ledger.archive_all();
    env.rt.fail_next(Method::QueryArchive, Fault::Reject);
    assert!(matches!(block_on(notify_deposit(&env.o, alice, arg(block, None))), Err(Error::LedgerUnavailable { .. })));
    assert_eq!(env.o.read(|s| s.totals().icp_received_e8s), 0);
    block_on(notify_deposit(&env.o, alice, arg(block, None))).unwrap();
    env.check_exact();
}

#[test]
fn many_notifies_by_one_caller_are_rate_limited() {
    let env = Env::new();
    let mallory = user(6);
    let mut limited = false;
    for i in 0..30 {
        match block_on(notify_deposit(&env.o, mallory, arg(1_000 + i, None))) {
            Err(Error::RateLimited { .. }) => {
                limited = true;
                break;
            }
            Err(Error::BlockNotFound { .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(limited);
    assert_eq!(env.calls(Method::QueryBlocks), 20);
    assert!(matches!(block_on(notify_deposit(&env.o, candid::Principal::anonymous(), arg(1, None))), Err(Error::AnonymousCaller)));
}

#[test]
fn deposit_accounts_are_distinct_per_beneficiary_and_match_the_ledger() {
    let mut env = Env::new();
    let (a, b) = (user(1), user(2));
    let da = get_deposit_account(&env.o, a, None).unwrap();
    let db = get_deposit_account(&env.o, a, Some(b)).unwrap();
    assert_ne!(da.account, db.account);
    // The account identifier is where the ledger books a transfer to the ICRC-1 account.
    env.mint(a, ICP);
    env.push(a, b, 1_000_000);
    let sub: [u8; 32] = db.account.subaccount.clone().unwrap().try_into().unwrap();
    assert_eq!(env.rt.world().ledger.balance_of(&Account { owner: db.account.owner, subaccount: Some(sub) }), 1_000_000);
    assert!(get_deposit_account(&env.o, a, Some(candid::Principal::anonymous())).is_err());
}
