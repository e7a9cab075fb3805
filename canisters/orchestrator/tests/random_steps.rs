//! Random sequences of deposits, notifies, faults, price moves, reservations, timers and
//! upgrades, with the books checked after every step.

mod support;

use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::notify::notify_deposit;
use ic_akash_orchestrator::runtime::fake::{Rng, block_on, poll_once, Fault, Method};
use ic_akash_orchestrator::xrc::ExchangeRateError;
use ic_akash_orchestrator_types::{DepositIcpArg, Error, NotifyDepositArg};
use std::task::Poll;
use support::{user, Env, ICP};

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut env = Env::new();
    let users: Vec<_> = (1..=6).map(user).collect();
    for u in &users {
        env.fund(*u, 1_000 * ICP, 500 * ICP);
    }
    let mut pushed: Vec<(u64, candid::Principal)> = Vec::new();
    for step in 0..steps {
        let u = users[rng.below(users.len() as u64) as usize];
        let amount = 1_000_000 + rng.below(5 * ICP);
        match rng.below(12) {
            0..=2 => {
                let beneficiary = if rng.below(3) == 0 { Some(users[0]) } else { None };
                let r = block_on(deposit_icp(&env.o, u, DepositIcpArg { amount_e8s: amount, beneficiary, from_subaccount: None }));
                if let Ok(c) = &r {
                    assert_eq!(c.quote.icp_e8s, amount);
                }
            }
            3 | 4 => {
                let b = users[rng.below(users.len() as u64) as usize];
                let block = env.push(u, b, amount);
                pushed.push((block, b));
                let notifier = users[rng.below(users.len() as u64) as usize];
                let _ = block_on(notify_deposit(&env.o, notifier, NotifyDepositArg { block_index: block, beneficiary: Some(b) }));
            }
            5 if !pushed.is_empty() => {
                let (block, b) = pushed[rng.below(pushed.len() as u64) as usize];
                let wrong = rng.below(4) == 0;
                let beneficiary = if wrong { u } else { b };
                let r = block_on(notify_deposit(&env.o, u, NotifyDepositArg { block_index: block, beneficiary: Some(beneficiary) }));
                if let Ok(c) = r {
                    assert_eq!(c.beneficiary, b, "a block is only ever credited to the account it paid");
                }
            }
            6 => {
                let m = [Method::TransferFrom, Method::QueryBlocks, Method::Xrc][rng.below(3) as usize];
                let f = if rng.below(2) == 0 { Fault::Reject } else { Fault::LoseResponse };
                env.rt.fail_next(m, f);
            }
            7 => {
                let price = 2_000_000_000 + rng.below(8_000_000_000);
                env.rt.world().xrc.set_usd_price_e9("ICP", price);
                if rng.below(4) == 0 {
                    env.rt.world().xrc.next_errors.push_back(ExchangeRateError::RateLimited);
                }
            }
            8 => {
                let available = env.o.read(|s| s.balance(&u)).available_uakt;
                let now = env.now();
                if rng.below(2) == 0 && available > 0 {
                    env.o.mutate(|s| s.reserve(now, u, rng.below(available) + 1, "test".into())).unwrap();
                } else {
                    let reserved = env.o.read(|s| s.balance(&u)).reserved_uakt;
                    if reserved > 0 {
                        env.o.mutate(|s| s.release(now, u, rng.below(reserved) + 1, "test".into())).unwrap();
                    }
                }
            }
            9 => {
                env.rt.advance_secs(rng.below(900));
                env.rt.run_due_timers(&env.o);
            }
            10 => env.upgrade(None),
            _ => {
                // Two deposits in flight at once, one of them cut off by an upgrade half the time.
                let v = users[rng.below(users.len() as u64) as usize];
                env.rt.hold(Method::TransferFrom);
                let mut a = Box::pin(deposit_icp(&env.o, u, DepositIcpArg { amount_e8s: amount, beneficiary: None, from_subaccount: None }));
                let mut b = Box::pin(deposit_icp(&env.o, v, DepositIcpArg { amount_e8s: amount, beneficiary: None, from_subaccount: None }));
                let pa = poll_once(a.as_mut());
                let pb = poll_once(b.as_mut());
                if rng.below(2) == 0 {
                    drop((a, b));
                    env.upgrade(None);
                    env.rt.release(Method::TransferFrom);
                } else {
                    env.rt.release(Method::TransferFrom);
                    let a_holds_the_guard = pa.is_pending();
                    let ra = match pa {
                        Poll::Ready(r) => r,
                        Poll::Pending => block_on(a),
                    };
                    let rb = match pb {
                        Poll::Ready(r) => r,
                        Poll::Pending => block_on(b),
                    };
                    if u == v && a_holds_the_guard {
                        assert!(matches!(rb, Err(Error::AlreadyProcessing | Error::RateLimited { .. })), "{rb:?}");
                    }
                    let _ = ra;
                }
            }
        }
        env.check();
        assert!(env.o.flows_in_progress() == 0, "step {step}: a guard outlived its flow");
    }
    // Settle: faults stop, retries run to the end, every pushed block is notified; then nothing
    // is missing.
    env.rt.clear_faults();
    env.rt.world().xrc.next_errors.clear();
    env.rt.advance_secs(120);
    env.rt.run_timers_for(&env.o, 24 * 3600);
    assert_eq!(env.o.read(|s| s.pending_deposit_count()), 0);
    env.rt.advance_secs(600);
    for (block, b) in &pushed {
        block_on(notify_deposit(&env.o, *b, NotifyDepositArg { block_index: *block, beneficiary: Some(*b) })).unwrap();
    }
    env.check_exact();
    assert!(env.o.read(|s| s.totals().icp_received_e8s) > 0, "seed {seed}: nothing was ever credited");
}

#[test]
fn random_steps_keep_the_books_balanced() {
    for seed in [0x9E37_79B9_7F4A_7C15, 42, 7_777_777, 123_456_789_987] {
        run(seed, 250);
    }
}
