//! What Akash work costs the canister in cycles, counted (not timed) on the simulated chain:
//! HTTPS outcall cycles as attached (the IC's formula for a 13-node subnet) and threshold-ECDSA
//! signatures at the `key_1` price. `cargo test -p ic-akash-orchestrator --test akash_costs --
//! --nocapture` prints the table the README reports; the assertions keep batching honest.

mod support;

use ic_akash_orchestrator::akash::keys::SIGN_WITH_ECDSA_CYCLES;

use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::owner_account::open_akash_account;
use ic_akash_orchestrator::runtime::fake::{block_on, Method};
use ic_akash_orchestrator::withdraw::withdraw;
use ic_akash_orchestrator_types::{ConfigArg, MintActArg, WithdrawArg};
use support::{dest, user, Env};


struct Cost {
    outcalls: u64,
    outcall_cycles: u128,
    signatures: u64,
}

impl Cost {
    fn total(&self) -> u128 {
        self.outcall_cycles + u128::from(self.signatures) * SIGN_WITH_ECDSA_CYCLES
    }
}

/// Runs `work` on a fresh chain (after the treasury key is known and principals are funded) and
/// counts what it cost until the pipeline is idle again.
fn measure(principals: u8, work: impl FnOnce(&Env)) -> Cost {
    let env = Env::with_chain(ConfigArg::default());
    for i in 1..=principals {
        env.credit_akt(user(i), 3);
    }
    let cycles0 = env.rt.world().http_cycles;
    let (calls0, sigs0) = (env.rt.calls(Method::Http), env.rt.calls(Method::SignWithEcdsa));
    work(&env);
    assert!(env.run_until_idle(900));
    env.check_chain();
    let outcall_cycles = env.rt.world().http_cycles - cycles0;
    Cost {
        outcalls: env.rt.calls(Method::Http) - calls0,
        outcall_cycles,
        signatures: env.rt.calls(Method::SignWithEcdsa) - sigs0,
    }
}

fn withdrawals(n: u8) -> impl FnOnce(&Env) {
    move |env: &Env| {
        for i in 1..=n {
            let arg = WithdrawArg { amount_uakt: 1_000_000 + u64::from(i), to_akash_address: dest(i), owner: None };
            block_on(withdraw(&env.o, user(i), arg)).unwrap();
        }
    }
}

#[test]
fn cycles_per_akash_operation() {
    let one = measure(1, withdrawals(1));
    let ten = measure(10, withdrawals(10));
    let mint = measure(3, |env| {
        for i in 1..=3 {
            block_on(mint_act(&env.o, user(i), MintActArg { amount_uakt: 2_000_000, owner: None })).unwrap();
        }
    });
    let open = measure(1, |env| {
        block_on(open_akash_account(&env.o, user(1))).unwrap();
    });
    println!("| operation | outcalls | outcall cycles | signatures | total cycles (key_1) |");
    println!("|---|---|---|---|---|");
    for (name, c) in [("1 withdrawal", &one), ("10 withdrawals, batched", &ten), ("3 ACT mints, batched", &mint), ("open an owner account", &open)] {
        println!("| {name} | {} | {} | {} | {} |", c.outcalls, c.outcall_cycles, c.signatures, c.total());
    }
    assert_eq!(one.signatures, 1);
    assert_eq!(ten.signatures, 1, "ten withdrawals ready together are one transaction");
    assert_eq!(mint.signatures, 1, "three mint requests are one MsgMintACT");
    assert!(ten.total() < 2 * one.total(), "batching: ten cost less than two singles");
    // A withdrawal's outcalls (simulate, broadcast, confirmation reads) stay within a few billion cycles.
    assert!(one.outcall_cycles < 10_000_000_000, "{}", one.outcall_cycles);
}
