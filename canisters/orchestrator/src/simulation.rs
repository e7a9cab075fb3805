//! The whole orchestrator in a simulated world, natively: the fake runtime (ICP ledger, XRC,
//! threshold ECDSA, timers in virtual time), the simulated Akash chain behind its REST endpoints
//! and simulated providers behind the Akash Console proxy. The flow tests build their worlds from
//! these pieces (`tests/support`), and `ic-akash simulate` runs a deployment's whole life on a
//! [`Simulation`]. Nothing here changes the orchestrator's state: it runs the canister's own code
//! (endpoint functions, timers) and reads the books and the chain to check that they agree.

use crate::canister::{Orchestrator, NANOS_PER_SEC};
use crate::lifecycle;
use crate::runtime::fake::akash::market::Provider;
use crate::runtime::fake::akash::AkashSim;
use crate::runtime::fake::provider::{Certificate, ProviderSpec, ProviderWorld};
use crate::runtime::fake::{block_on, FakeRuntime, HttpRouter};
use crate::runtime::Runtime;
use crate::storage::{RawMemory, SignerId};
use candid::Principal;
use ic_akash_orchestrator_types::{ConfigArg, DeploymentState, OrchestratorArg};
use icrc_ledger_types::icrc1::account::Account;
use std::cell::RefCell;
use std::rc::Rc;

/// The simulated chain's REST endpoints, as configured in the orchestrator.
pub const ENDPOINTS: [&str; 3] = ["https://api-a.test", "https://api-b.test", "https://api-c.test"];
pub const CHAIN_ID: &str = "akashnet-2";
/// AKT the operator put in the treasury account at genesis (the pool withdrawals and mints use).
pub const TREASURY_GENESIS_UAKT: u128 = 1_000_000_000_000;
/// The simulated Akash Console provider proxy.
pub const PROXY: &str = "https://provider-proxy.test";
/// The AKT price in ACT at which a [`Simulation`]'s chain mints (numerator, denominator): AKT at
/// $0.60 and ACT at $1, as the fake XRC prices AKT.
pub const SIM_ACT_PER_AKT: (u128, u128) = (6, 10);

/// A provider `n`: on chain (address, host URI, bidding `price` uact per block the block after
/// an order opens) and off chain (healthy, publicly trusted certificate, at
/// `https://provider-{n}.test:8443`). Its key is never 32 equal bytes (the tests' withdrawal
/// destinations are), so its address is never one of theirs.
pub fn provider_pair(n: u8, price: &str) -> (Provider, ProviderSpec) {
    let mut seed = [n; 32];
    seed[0] = 0xa5;
    seed[1] = 0x5a;
    let key = ic_akash::signer::LocalSigner::from_bytes(&seed).expect("BUG: a fixed valid secp256k1 key");
    let address = ic_akash::address::address_of(&ic_akash::signer::Signer::public_key(&key));
    let spec = ProviderSpec::new(address.clone(), format!("https://provider-{n}.test:8443"));
    let mut chain = Provider::new(&address, price);
    chain.host_uri = spec.host_uri.clone();
    (chain, spec)
}

/// The region of [`demo_market`]'s dearer providers.
pub const DEMO_REGION: &str = "us-west";

/// A market where the choice shows: two providers in [`DEMO_REGION`] at different prices (the
/// cheaper one serving a self-signed certificate, so reachable through the proxy only) and the
/// cheapest of all in another region (`region` attributes on chain).
pub fn demo_market() -> Vec<(Provider, ProviderSpec)> {
    [(1, "400", DEMO_REGION, false), (2, "250", DEMO_REGION, true), (3, "100", "eu-central", false)]
        .into_iter()
        .map(|(n, price, region, self_signed)| {
            let (mut on_chain, spec) = provider_pair(n, price);
            on_chain.attributes = vec![("region".into(), region.into())];
            let spec = if self_signed { spec.with_certificate(Certificate::SelfSignedOnChain) } else { spec };
            (on_chain, spec)
        })
        .collect()
}

/// Whether `url` is on one of the chain's [`ENDPOINTS`].
fn is_chain_url(url: &str) -> bool {
    ENDPOINTS.iter().any(|e| url.strip_prefix(e).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?'])))
}

/// `config` pointed at the simulated chain ([`ENDPOINTS`], [`CHAIN_ID`]).
pub fn chain_config(config: ConfigArg) -> ConfigArg {
    ConfigArg { akash_api_urls: Some(ENDPOINTS.iter().map(|u| u.to_string()).collect()), akash_chain_id: Some(CHAIN_ID.into()), ..config }
}

/// `config` going through the simulated proxy, unless it sets `provider_proxy_url` (`""`: direct).
pub fn proxy_config(config: ConfigArg) -> ConfigArg {
    ConfigArg { provider_proxy_url: config.provider_proxy_url.clone().or_else(|| Some(PROXY.into())), ..config }
}

/// A simulated chain starting now, serving every outcall of `rt`, with [`TREASURY_GENESIS_UAKT`]
/// in the treasury account at genesis.
pub fn start_chain(rt: &FakeRuntime, treasury: &str) -> Rc<RefCell<AkashSim>> {
    let sim = AkashSim::new(CHAIN_ID, &ENDPOINTS, rt.time_nanos()).shared();
    rt.set_http_service(sim.clone());
    sim.borrow_mut().mint(treasury, TREASURY_GENESIS_UAKT, "uakt");
    sim
}

/// Providers on `chain`: each `(on chain, off chain)` pair is registered (bidding; its `host_uri`
/// set to the spec's) and served, with the proxy at [`PROXY`], by a [`ProviderWorld`] that reads
/// the chain. From then on outcalls to the chain's [`ENDPOINTS`] reach the chain, all others the
/// providers' world.
pub fn open_market(rt: &FakeRuntime, chain: &Rc<RefCell<AkashSim>>, providers: Vec<(Provider, ProviderSpec)>) -> Rc<RefCell<ProviderWorld>> {
    let mut world = ProviderWorld::new(chain.clone(), PROXY);
    for (mut on_chain, spec) in providers {
        assert_eq!(on_chain.address, spec.address, "a provider pair names one provider");
        on_chain.host_uri = spec.host_uri.clone();
        chain.borrow_mut().set_provider(on_chain);
        world.add_provider(spec);
    }
    let world = Rc::new(RefCell::new(world));
    let router = HttpRouter::default().route(is_chain_url, chain.clone()).route(|_| true, world.clone());
    rt.set_http_service(Rc::new(RefCell::new(router)));
    world
}

/// The treasury's Akash address (registers its key on first use).
pub fn treasury_address(o: &Orchestrator<FakeRuntime>) -> Result<String, String> {
    block_on(crate::akash::keys::signer_account(o, SignerId::Treasury)).map(|a| a.address).map_err(|e| format!("treasury key: {e:?}"))
}

/// Gives `p` ICP on the simulated ledger.
pub fn mint_icp(rt: &FakeRuntime, p: Principal, e8s: u64) {
    let mut w = rt.world();
    let now = w.now_nanos;
    w.ledger.mint(now, &Account { owner: p, subaccount: None }, e8s);
}

/// `p`'s ICP on the simulated ledger (its default account).
pub fn icp_balance(rt: &FakeRuntime, p: Principal) -> u64 {
    rt.world().ledger.balance_of(&Account { owner: p, subaccount: None })
}

/// `p` approves the orchestrator for `e8s` on the simulated ledger (ICRC-2, fee included by the caller's choice).
pub fn approve_icp(rt: &FakeRuntime, p: Principal, e8s: u64) -> Result<(), String> {
    let me = Account { owner: rt.canister_id(), subaccount: None };
    let mut w = rt.world();
    let now = w.now_nanos;
    w.ledger.approve(now, p, &me, e8s, None, None).map(|_| ()).map_err(|e| format!("icrc2_approve: {e:?}"))
}

/// The books, as the state checks them: balances, reservations, escrows and fees add up to what
/// was received; and every credited e8s is on the ledger, in the orchestrator's main account or
/// in the deposit accounts of `beneficiaries`.
pub fn check_books(rt: &FakeRuntime, o: &Orchestrator<FakeRuntime>, beneficiaries: &[Principal]) -> Result<(), String> {
    o.read(|s| s.check_invariants()).map_err(|e| format!("invariant broken: {e}"))?;
    let received = o.read(|s| s.totals().icp_received_e8s);
    let held = icp_held(rt, beneficiaries);
    if received > held {
        return Err(format!("credited {received} e8s but the ledger holds {held}"));
    }
    Ok(())
}

/// ICP the orchestrator holds on the ledger: its main account and the deposit accounts of `beneficiaries`.
pub fn icp_held(rt: &FakeRuntime, beneficiaries: &[Principal]) -> u64 {
    let id = rt.canister_id();
    let w = rt.world();
    let mut total = w.ledger.balance_of(&Account { owner: id, subaccount: None });
    for b in beneficiaries {
        let sub = crate::notify::deposit_account(id, *b).account.subaccount.expect("BUG: a deposit account has a subaccount");
        let sub: [u8; 32] = sub.try_into().expect("BUG: subaccounts are 32 bytes");
        total += w.ledger.balance_of(&Account { owner: id, subaccount: Some(sub) });
    }
    total
}

/// The chain agrees with the books, exactly (when nothing is in flight): the treasury's AKT is its
/// genesis amount less what was withdrawn, paid in fees and burned; its ACT is what was minted less
/// what is in escrows and what escrows paid to providers; the chain collected the fees charged.
pub fn check_chain(o: &Orchestrator<FakeRuntime>, chain: &AkashSim) -> Result<(), String> {
    let treasury = treasury_address(o)?;
    let b = o.read(|s| s.book().clone());
    let expected = TREASURY_GENESIS_UAKT - u128::from(b.withdrawn_uakt + b.chain_fees_uakt + b.burned_uakt);
    let on_chain = chain.balance(&treasury, "uakt");
    if on_chain != expected {
        return Err(format!(
            "treasury uakt on chain {on_chain} vs books {expected} (withdrawn {}, fees {}, burned {})",
            b.withdrawn_uakt, b.chain_fees_uakt, b.burned_uakt
        ));
    }
    let act = chain.balance(&treasury, "uact");
    let expected = u128::from(b.minted_uact - b.act_in_escrow_uact - b.act_spent_uact);
    if act != expected {
        return Err(format!("treasury uact on chain {act} vs ACT credited less escrowed and spent {expected}"));
    }
    if chain.fees_collected() != u128::from(b.chain_fees_uakt) {
        return Err(format!("fees the chain collected {} vs fees charged to principals {}", chain.fees_collected(), b.chain_fees_uakt));
    }
    Ok(())
}

/// Whether no message is between the chain and the books: none pending, and no deployment's
/// escrow closed on chain but not yet read back.
pub fn quiet(o: &Orchestrator<FakeRuntime>) -> bool {
    o.read(|s| {
        s.pending_msg_count() == 0
            && s.active_deployments().into_iter().filter_map(|id| s.deployment(id)).all(|d| !matches!(d.state(), DeploymentState::Closing { .. }))
    })
}

/// When [`quiet`]: the treasury's ACT on chain is what the books say is held or set aside, and
/// each open escrow holds exactly what the books deposited in it.
pub fn check_escrows(o: &Orchestrator<FakeRuntime>, chain: &AkashSim) -> Result<(), String> {
    if !quiet(o) {
        return Ok(());
    }
    let b = o.read(|s| s.book().clone());
    let on_chain = chain.balance(&treasury_address(o)?, "uact");
    if on_chain != u128::from(b.minted_uact - b.act_in_escrow_uact - b.act_spent_uact) {
        return Err(format!("treasury ACT on chain {on_chain} vs books (minted {}, in escrow {}, spent {})", b.minted_uact, b.act_in_escrow_uact, b.act_spent_uact));
    }
    let escrows: Vec<(String, u64, u64)> = o.read(|s| {
        s.active_deployments()
            .into_iter()
            .filter_map(|id| s.deployment(id))
            .filter_map(|d| Some((s.tx_account(&SignerId::Owner(d.owner))?.address, d.dseq?, d.deposited_uact)))
            .collect()
    });
    for (owner, dseq, deposited) in escrows {
        if let Some(acc) = chain.escrow_account(&owner, dseq) {
            if acc.refunds.is_empty() && acc.deposited() != u128::from(deposited) {
                return Err(format!("escrow {owner}/{dseq} holds deposits of {} uact, the books {deposited}", acc.deposited()));
            }
        }
    }
    Ok(())
}

/// One orchestrator over a [`FakeRuntime`], with the simulated chain and a market of providers
/// behind the proxy.
pub struct Simulation {
    pub rt: FakeRuntime,
    pub raw: RawMemory,
    pub o: Orchestrator<FakeRuntime>,
    pub chain: Rc<RefCell<AkashSim>>,
    pub providers: Rc<RefCell<ProviderWorld>>,
}

impl Simulation {
    /// An orchestrator installed with `config` (pointed at the simulated chain, through the
    /// proxy), the chain minting ACT at [`SIM_ACT_PER_AKT`], and `providers` on the market.
    pub fn new(config: ConfigArg, providers: Vec<(Provider, ProviderSpec)>) -> Result<Self, String> {
        let rt = FakeRuntime::new();
        let raw = RawMemory::default();
        let config = proxy_config(chain_config(config));
        let o = lifecycle::init(rt.clone(), raw.clone(), Some(OrchestratorArg::Init(config))).map_err(|e| format!("init: {e:?}"))?;
        let chain = start_chain(&rt, &treasury_address(&o)?);
        chain.borrow_mut().set_oracle_price(SIM_ACT_PER_AKT.0, SIM_ACT_PER_AKT.1);
        let providers = open_market(&rt, &chain, providers);
        Ok(Simulation { rt, raw, o, chain, providers })
    }

    pub fn now_nanos(&self) -> u64 {
        self.rt.time_nanos()
    }

    /// Moves virtual time to the next timer (if one is due within `max_secs`, else by `max_secs`),
    /// runs every timer due then, and brings the chain to the same time. Returns whether a timer ran.
    pub fn run_next(&self, max_secs: u64) -> bool {
        let end = self.now_nanos() + max_secs * NANOS_PER_SEC;
        let next = self.rt.pending_timers().iter().map(|(t, _)| *t).min().filter(|t| *t <= end);
        let to = next.unwrap_or(end).max(self.now_nanos());
        self.rt.world().now_nanos = to;
        let ran = self.rt.run_due_timers(&self.o) > 0;
        self.chain.borrow_mut().advance_to(to);
        ran
    }

    /// Every check after a step: the books; the chain's escrows and the treasury's ACT when
    /// [`quiet`]; and the chain exactly when no Akash work is open.
    pub fn check(&self, beneficiaries: &[Principal]) -> Result<(), String> {
        check_books(&self.rt, &self.o, beneficiaries)?;
        let chain = self.chain.borrow();
        check_escrows(&self.o, &chain)?;
        if quiet(&self.o) && !self.o.read(|s| s.akash_work_open()) {
            check_chain(&self.o, &chain)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ic_akash_orchestrator_types::{DepositIcpArg, MintActArg};

    fn funded() -> (Simulation, Principal) {
        let sim = Simulation::new(ConfigArg::default(), vec![provider_pair(1, "300")]).unwrap();
        let p = Principal::from_slice(&[9, 9, 9, 1]);
        mint_icp(&sim.rt, p, 10 * 100_000_000);
        approve_icp(&sim.rt, p, 5 * 100_000_000 + 10_000).unwrap();
        let arg = DepositIcpArg { amount_e8s: 5 * 100_000_000, beneficiary: None, from_subaccount: None };
        block_on(crate::deposit::deposit_icp(&sim.o, p, arg)).unwrap();
        (sim, p)
    }

    #[test]
    fn timers_run_one_at_a_time_and_the_checks_hold() {
        let (sim, p) = funded();
        block_on(crate::mint::mint_act(&sim.o, p, MintActArg { amount_uakt: 10_000_000, owner: None })).unwrap();
        let start = sim.now_nanos();
        let mut steps = 0;
        while sim.o.read(|s| s.balance(&p).act_uact) == 0 {
            assert!(sim.run_next(600), "a mint has timers until it settles");
            sim.check(&[]).unwrap();
            steps += 1;
            assert!(steps < 1000, "the mint settles");
        }
        assert_eq!(sim.o.read(|s| s.balance(&p).act_uact), 6_000_000, "10 AKT at SIM_ACT_PER_AKT");
        assert!(sim.now_nanos() > start, "virtual time moved");
        assert!(sim.chain.borrow().height() > 1, "the chain made blocks");
        while sim.o.read(|s| s.akash_work_open()) {
            sim.run_next(60);
        }
        check_chain(&sim.o, &sim.chain.borrow()).unwrap();
        // The clock goes to the next timer within the window, or to the window's end.
        for _ in 0..20 {
            let before = sim.now_nanos();
            let next = sim.rt.pending_timers().iter().map(|(t, _)| *t).min().filter(|t| *t <= before + 60 * NANOS_PER_SEC);
            let ran = sim.run_next(60);
            assert_eq!(ran, next.is_some());
            assert_eq!(sim.now_nanos(), next.map_or(before + 60 * NANOS_PER_SEC, |t| t.max(before)));
        }
    }

    #[test]
    fn the_checks_see_a_chain_that_disagrees() {
        let (sim, p) = funded();
        sim.check(&[p]).unwrap();
        let treasury = treasury_address(&sim.o).unwrap();
        sim.chain.borrow_mut().mint(&treasury, 1, "uakt");
        let e = sim.check(&[]).unwrap_err();
        assert!(e.contains("treasury uakt on chain"), "{e}");
        sim.chain.borrow_mut().mint(&treasury, 1, "uact");
        assert!(check_escrows(&sim.o, &sim.chain.borrow()).unwrap_err().contains("treasury ACT on chain"));
    }

    #[test]
    fn the_books_check_sees_icp_missing_from_the_ledger() {
        let (sim, _) = funded();
        // ICP leaves the orchestrator's account behind the books' back.
        let outside = Account { owner: Principal::from_slice(&[7, 7, 7]), subaccount: None };
        {
            let mut w = sim.rt.world();
            let (now, me) = (w.now_nanos, w.canister_id);
            w.ledger.transfer(now, me, None, &outside, 100_000, None, Some(now)).unwrap();
        }
        let e = check_books(&sim.rt, &sim.o, &[]).unwrap_err();
        assert!(e.contains("but the ledger holds"), "{e}");
    }
}
