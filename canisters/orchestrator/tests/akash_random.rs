//! Many principals withdrawing, minting ACT and opening accounts at once, while the chain's
//! endpoints fail in every way the simulation knows (5xx, timeouts, lost answers, stale
//! sequences, dropped transactions, one endpoint lagging, lying or diverging) and the canister
//! is upgraded. After every step the books balance; at the end the chain shows exactly the
//! intended effects: every withdrawal landed once, every burn was credited, nothing repeated.

mod support;

use candid::Principal;
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::owner_account::open_akash_account;
use ic_akash_orchestrator::runtime::fake::akash::{Behaviour, OneShot};
use ic_akash_orchestrator::runtime::fake::{block_on, Rng};
use ic_akash_orchestrator::withdraw::withdraw;
use ic_akash_orchestrator_types::{Change, ConfigArg, GetJournalArg, MintActArg, WithdrawArg};
use std::collections::BTreeMap;
use support::{dest, user, Env, ENDPOINTS};

fn run(seed: u64, steps: usize) {
    let mut env = Env::with_chain(ConfigArg { akash_tx_timeout_secs: Some(60), ..Default::default() });
    let mut rng = Rng(seed);
    let users: Vec<Principal> = (1..=8).map(user).collect();
    for u in &users {
        env.credit_akt(*u, 5);
    }
    env.sim().set_oracle_price(6543, 10_000);
    let faults = [OneShot::Timeout, OneShot::ServerError, OneShot::StaleSequence, OneShot::DropBroadcast, OneShot::RefusedAtDelivery];
    let behaviours = [
        Behaviour::Lying,
        Behaviour::Lagging { blocks: 15 },
        Behaviour::Diverging,
        Behaviour::ServerErrors,
        Behaviour::Down,
    ];
    let mut next_amount = 1_000_000u64;
    for step in 0..steps {
        let who = users[rng.below(users.len() as u64) as usize];
        match rng.below(12) {
            0..=3 => {
                // Distinct amounts, so a repeated send would show as equal message bytes.
                next_amount += 1 + rng.below(1000);
                let to = dest(1 + users.iter().position(|u| *u == who).unwrap() as u8);
                let _ = block_on(withdraw(&env.o, who, WithdrawArg { amount_uakt: next_amount, to_akash_address: to, owner: None }));
            }
            4..=5 => {
                let _ = block_on(mint_act(&env.o, who, MintActArg { amount_uakt: 1_000_000 + rng.below(2_000_000), owner: None }));
            }
            6 => {
                let _ = block_on(open_akash_account(&env.o, who));
            }
            7 => {
                let f = faults[rng.below(faults.len() as u64) as usize];
                env.sim().push_global_fault(f);
            }
            8 => {
                // At most one bad endpoint at a time (the quorum is 2 of 3).
                let mut sim = env.sim();
                for e in ENDPOINTS {
                    sim.set_behaviour(e, Behaviour::Healthy);
                }
                if rng.below(2) == 0 {
                    let e = ENDPOINTS[rng.below(3) as usize];
                    sim.set_behaviour(e, behaviours[rng.below(behaviours.len() as u64) as usize]);
                }
            }
            9 => env.sim().set_minting_halted(rng.below(3) == 0),
            10 if step % 5 == 0 => env.upgrade(None),
            _ => {}
        }
        env.run_for(1 + rng.below(20));
        env.check();
    }
    {
        let mut sim = env.sim();
        sim.clear_faults();
        for e in ENDPOINTS {
            sim.set_behaviour(e, Behaviour::Healthy);
        }
        sim.set_minting_halted(false);
    }
    assert!(env.run_until_idle(3600), "seed {seed}: Akash work left after an hour");
    env.check_chain();

    // Each principal's destination received exactly its landed withdrawals; every request ended once.
    let mut landed: BTreeMap<Principal, u128> = BTreeMap::new();
    for u in &users {
        let entries = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(*u), start: None, length: 100 })).total;
        let mut requested = Vec::new();
        let mut ended = Vec::new();
        let mut start = 0;
        while start < entries {
            let page = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(*u), start: Some(start), length: 100 }));
            start += page.entries.len() as u64;
            for e in page.entries {
                match e.change {
                    Change::WithdrawRequested { withdraw_id, .. } => requested.push(withdraw_id),
                    Change::Withdrawn { withdraw_id, amount_uakt, .. } => {
                        ended.push(withdraw_id);
                        *landed.entry(*u).or_default() += u128::from(amount_uakt);
                    }
                    Change::WithdrawFailed { withdraw_id, .. } => ended.push(withdraw_id),
                    _ => {}
                }
            }
        }
        requested.sort();
        ended.sort();
        assert_eq!(requested, ended, "seed {seed}: every withdrawal ends exactly once");
    }
    for (i, u) in users.iter().enumerate() {
        let on_chain = env.sim().balance(&dest(1 + i as u8), "uakt");
        assert_eq!(on_chain, landed.get(u).copied().unwrap_or(0), "seed {seed}: destination of {u}");
    }
    env.assert_no_tx_repeated();
    let sim = env.sim();
    assert!(sim.included_txs().len() > 3, "seed {seed}: the run did something");
    let failed_txs = sim.included_txs().iter().filter(|t| t.code != 0).count();
    let book = env.o.read(|s| s.book().clone());
    eprintln!(
        "seed {seed:x}: {} txs ({failed_txs} failed on chain), {} dropped, withdrawn {} uakt, burned {}, minted {}, fees {}",
        sim.included_txs().len(),
        sim.dropped_txs().len(),
        book.withdrawn_uakt,
        book.burned_uakt,
        book.minted_uact,
        book.chain_fees_uakt
    );
}

#[test]
fn concurrent_flows_under_every_fault_end_with_exact_on_chain_effects() {
    for seed in [0x9E37_79B9_7F4A_7C15, 0xDEAD_BEEF_CAFE_F00D, 42] {
        run(seed, 150);
    }
}
