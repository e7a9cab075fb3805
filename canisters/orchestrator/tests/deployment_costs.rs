//! What a deployment's lifecycle (create → Active → close and refund) costs the canister,
//! counted on the simulation: threshold signatures (`key_1` price), HTTPS outcalls with their
//! request and maximum response bytes (the IC's formula for a 13-node subnet, as attached), and
//! XRC calls. For one lifecycle, and for ten concurrent ones from ten owners (treasury
//! transactions are shared). `cargo test -p ic-akash-orchestrator --release --test deployment_costs
//! -- --nocapture` prints the table the README reports.

mod support;

use ic_akash_orchestrator::akash::keys::SIGN_WITH_ECDSA_CYCLES;

use candid::Principal;
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::rate::XRC_CALL_CYCLES;
use ic_akash_orchestrator::runtime::fake::{block_on, Method};
use ic_akash_orchestrator_types::{ConfigArg, CreateDeploymentArg, DeploymentState, MintActArg};
use support::{provider_pair, user, Env};

/// The README's targets, per lifecycle on average over ten concurrent ones.
const TARGET_SIGNATURES_PER_LIFECYCLE: f64 = 4.5;
const TARGET_CYCLES_PER_LIFECYCLE: u128 = 120_000_000_000;

#[derive(Debug)]
struct Cost {
    lifecycles: u64,
    signatures: u64,
    outcalls: u64,
    request_bytes: u64,
    max_response_bytes: u64,
    outcall_cycles: u128,
    xrc_calls: u64,
}

impl Cost {
    fn total(&self) -> u128 {
        self.outcall_cycles + u128::from(self.signatures) * SIGN_WITH_ECDSA_CYCLES + u128::from(self.xrc_calls) * XRC_CALL_CYCLES
    }
    fn per(&self, x: u128) -> u128 {
        x / u128::from(self.lifecycles)
    }
}

/// `n` owners, each with AKT and ACT already (deposits and mints are not part of a lifecycle),
/// each creating one deployment at the same moment, waiting for Active, then closing it.
fn measure(n: u8) -> Cost {
    let (p1, s1) = provider_pair(1, "300");
    let (p2, s2) = provider_pair(2, "500");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2)]);
    let owners: Vec<Principal> = (1..=n).map(user).collect();
    for o in &owners {
        env.credit_akt(*o, 20);
        block_on(mint_act(&env.o, *o, MintActArg { amount_uakt: 20_000_000, owner: None })).unwrap();
    }
    assert!(env.run_until_idle(3600));
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap();
    let w = env.rt.world();
    let start = (w.http_cycles, w.http_request_bytes, w.http_max_response_bytes);
    drop(w);
    let calls = |m| env.rt.calls(m);
    let (sig0, http0, xrc0) = (calls(Method::SignWithEcdsa), calls(Method::Http), calls(Method::Xrc));
    let ids: Vec<u64> = owners
        .iter()
        .map(|o| block_on(deployments::create_deployment(&env.o, *o, CreateDeploymentArg { sdl: sdl.clone(), deposit_uact: 5_000_000, ..Default::default() })).unwrap())
        .collect();
    let state = |o: Principal, id: u64| views::get_deployment(&env.o, o, id).unwrap().state;
    for _ in 0..400 {
        if owners.iter().zip(&ids).all(|(o, id)| state(*o, *id) == DeploymentState::Active) {
            break;
        }
        env.run_for(6);
        env.check();
    }
    for (o, id) in owners.iter().zip(&ids) {
        assert_eq!(state(*o, *id), DeploymentState::Active);
        deployments::close_deployment(&env.o, *o, *id).unwrap();
    }
    for _ in 0..200 {
        if owners.iter().zip(&ids).all(|(o, id)| matches!(state(*o, *id), DeploymentState::Closed { .. })) {
            break;
        }
        env.run_for(6);
        env.check();
    }
    assert!(env.run_until_idle(600));
    env.check_chain();
    let (signatures, outcalls, xrc_calls) = (calls(Method::SignWithEcdsa) - sig0, calls(Method::Http) - http0, calls(Method::Xrc) - xrc0);
    let w = env.rt.world();
    Cost {
        lifecycles: u64::from(n),
        signatures,
        outcalls,
        request_bytes: w.http_request_bytes - start.1,
        max_response_bytes: w.http_max_response_bytes - start.2,
        outcall_cycles: w.http_cycles - start.0,
        xrc_calls,
    }
}

#[test]
fn cycles_per_deployment_lifecycle() {
    let one = measure(1);
    let ten = measure(10);
    println!("| lifecycles | signatures | outcalls | request bytes | max response bytes | outcall cycles | XRC calls | total cycles | per lifecycle: signatures | per lifecycle: cycles |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for c in [&one, &ten] {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {} |",
            c.lifecycles,
            c.signatures,
            c.outcalls,
            c.request_bytes,
            c.max_response_bytes,
            c.outcall_cycles,
            c.xrc_calls,
            c.total(),
            c.signatures as f64 / c.lifecycles as f64,
            c.per(c.total())
        );
    }
    // Per owner: create, lease, the provider token (manifest and status), close; the treasury's
    // fee allowance, deposit grant and the rest are shared by concurrent owners.
    let sigs_per = ten.signatures as f64 / 10.0;
    assert!(sigs_per <= TARGET_SIGNATURES_PER_LIFECYCLE, "{sigs_per} signatures per lifecycle");
    assert!(ten.per(ten.total()) <= TARGET_CYCLES_PER_LIFECYCLE, "{} cycles per lifecycle", ten.per(ten.total()));
    assert!(ten.per(ten.total()) < one.total(), "concurrent lifecycles share treasury transactions");
    assert_eq!(one.xrc_calls, 0, "a lifecycle paid in ACT needs no exchange rate");
}
