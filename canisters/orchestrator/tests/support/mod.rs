//! A simulated IC for flow tests: one orchestrator over a fake runtime, users with ICP, and the
//! books checked after every step. The world is built from `ic_akash_orchestrator::simulation`
//! (chain, providers, proxy, checks), which `ic-akash simulate` uses too.
#![allow(dead_code)]

use candid::Principal;
use ic_akash_orchestrator::canister::Orchestrator;
use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::notify::deposit_account;
use ic_akash_orchestrator::runtime::fake::{FakeRuntime, Method};
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator::storage::RawMemory;
use ic_akash_orchestrator_types::{ConfigArg, DeploymentState, DeploymentView, DepositIcpArg, OrchestratorArg};
use icrc_ledger_types::icrc1::account::Account;
use ic_akash_orchestrator::runtime::fake::akash::chain::IncludedTx;
use ic_akash_orchestrator::runtime::fake::akash::AkashSim;
use ic_akash_orchestrator::runtime::fake::akash::market::Provider;
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::runtime::fake::provider::{ProviderSpec, ProviderWorld};
use ic_akash_orchestrator::simulation;
use std::cell::{RefCell, RefMut};
use std::rc::Rc;

// Not every test file uses every name.
#[allow(unused_imports)]
pub use ic_akash_orchestrator::simulation::{provider_pair, CHAIN_ID, ENDPOINTS, PROXY, TREASURY_GENESIS_UAKT};

pub const ICP: u64 = 100_000_000;

pub struct Env {
    pub rt: FakeRuntime,
    pub raw: RawMemory,
    pub o: Orchestrator<FakeRuntime>,
    /// Beneficiaries whose deposit accounts may hold ICP, for the ledger reconciliation.
    pub beneficiaries: Vec<Principal>,
    /// The simulated Akash chain, when the test has one.
    pub chain: Option<Rc<RefCell<AkashSim>>>,
    /// The simulated providers and proxy, when the test has them ([`Env::with_market`]).
    pub providers: Option<Rc<RefCell<ProviderWorld>>>,
}

/// `deposit_icp` of `amount_e8s` for the caller, from its default account.
pub fn deposit(amount_e8s: u64) -> DepositIcpArg {
    DepositIcpArg { amount_e8s, beneficiary: None, from_subaccount: None }
}

/// A valid Akash address derived from `n` (the destination of a withdrawal).
pub fn dest(n: u8) -> String {
    let key = ic_akash::signer::LocalSigner::from_bytes(&[n.max(1); 32]).unwrap();
    ic_akash::address::address_of(&ic_akash::signer::Signer::public_key(&key))
}

pub fn user(n: u8) -> Principal {
    Principal::from_slice(&[n, n, n, 1])
}

impl Env {
    pub fn new() -> Self {
        Self::with(ConfigArg::default())
    }

    pub fn with(config: ConfigArg) -> Self {
        let rt = FakeRuntime::new();
        let raw = RawMemory::default();
        let o = lifecycle::init(rt.clone(), raw.clone(), Some(OrchestratorArg::Init(config))).unwrap();
        Env { rt, raw, o, beneficiaries: Vec::new(), chain: None, providers: None }
    }

    /// An orchestrator whose Akash endpoints are a simulated chain; the treasury account holds
    /// `TREASURY_GENESIS_UAKT` at genesis.
    pub fn with_chain(config: ConfigArg) -> Self {
        let mut env = Self::with(simulation::chain_config(config));
        env.chain = Some(simulation::start_chain(&env.rt, &env.treasury()));
        env
    }

    /// [`Env::with_chain`] plus providers: each `(on chain, off chain)` pair is registered on
    /// the simulated chain (bidding; its `host_uri` set to the spec's) and served, with the
    /// Akash Console proxy at [`PROXY`], by a [`ProviderWorld`] that reads the chain. Outcalls to
    /// the chain's [`ENDPOINTS`] reach the chain, all others the providers' world. The
    /// orchestrator goes through the proxy unless `config` sets `provider_proxy_url` (`""`: direct).
    pub fn with_market(config: ConfigArg, providers: Vec<(Provider, ProviderSpec)>) -> Self {
        let mut env = Self::with_chain(simulation::proxy_config(config));
        let sim = env.chain.clone().expect("with_chain has a chain");
        env.providers = Some(simulation::open_market(&env.rt, &sim, providers));
        env
    }

    pub fn sim(&self) -> std::cell::RefMut<'_, AkashSim> {
        self.chain.as_ref().expect("a test with a chain").borrow_mut()
    }

    /// The simulated providers and proxy ([`Env::with_market`]).
    pub fn providers(&self) -> RefMut<'_, ProviderWorld> {
        self.providers.as_ref().expect("a test with providers (Env::with_market)").borrow_mut()
    }

    /// The treasury's Akash address (registers its key on first use).
    pub fn treasury(&self) -> String {
        simulation::treasury_address(&self.o).unwrap()
    }

    /// `p` holds about `icp` ICP worth of AKT in the orchestrator (8 AKT per ICP, 1% fee).
    pub fn credit_akt(&self, p: Principal, icp: u64) -> u64 {
        self.fund(p, icp * ICP + 20_000, icp * ICP + 10_000);
        block_on(ic_akash_orchestrator::deposit::deposit_icp(&self.o, p, deposit(icp * ICP))).unwrap().balance.available_uakt
    }

    /// Runs timers (and so the chain's blocks) for `secs` of virtual time.
    pub fn run_for(&self, secs: u64) {
        self.rt.run_timers_for(&self.o, secs);
        let now = self.now();
        self.sim().advance_to(now);
    }

    /// Runs until no Akash work is left (or `max_secs` passed); returns whether it got there.
    pub fn run_until_idle(&self, max_secs: u64) -> bool {
        let mut waited = 0;
        while waited < max_secs {
            if self.akash_idle() {
                return true;
            }
            self.run_for(6);
            waited += 6;
        }
        self.akash_idle()
    }

    pub fn akash_idle(&self) -> bool {
        !self.o.read(|s| s.akash_work_open())
    }

    /// Every included transaction's messages ran at most once (tests give withdrawals distinct
    /// amounts, so equal bytes would mean a repeat), and each signer's transactions took
    /// consecutive sequences: none lost, none competing. A tx the ante handler refused in its
    /// block (no `acc_seq` event) took no sequence.
    pub fn assert_no_tx_repeated(&self) {
        let sim = self.sim();
        let mut seen = std::collections::BTreeSet::new();
        for tx in sim.included_txs().iter().filter(|t| t.code == 0) {
            for m in &tx.messages {
                assert!(seen.insert((tx.signer.clone(), m.clone())), "message executed twice in {}", tx.hash);
            }
        }
        let took_sequence =
            |tx: &&IncludedTx| tx.events.iter().any(|e| e.kind == "tx" && e.attributes.iter().any(|(k, _)| k == "acc_seq"));
        let mut next: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        for tx in sim.included_txs().iter().filter(took_sequence) {
            let n = next.entry(tx.signer.as_str()).or_insert(tx.sequence);
            assert_eq!(tx.sequence, *n, "sequence gap or repeat for {}", tx.signer);
            *n += 1;
        }
    }

    /// The chain agrees with the books: the treasury's AKT is its genesis amount less what was
    /// withdrawn, paid in fees and burned; its ACT is what was minted less what is in escrows
    /// and what escrows paid to providers. Exact when nothing is in flight.
    pub fn check_chain(&self) {
        self.check();
        simulation::check_chain(&self.o, &self.sim()).unwrap_or_else(|e| panic!("the chain disagrees with the books: {e}"));
    }

    pub fn me(&self) -> Account {
        Account { owner: self.rt.canister_id(), subaccount: None }
    }

    pub fn now(&self) -> u64 {
        self.rt.time_nanos()
    }

    /// Gives `p` ICP on the ledger.
    pub fn mint(&self, p: Principal, e8s: u64) {
        simulation::mint_icp(&self.rt, p, e8s);
    }

    /// `p` gets `balance_e8s` and approves the orchestrator for `approved_e8s`.
    pub fn fund(&self, p: Principal, balance_e8s: u64, approved_e8s: u64) {
        self.mint(p, balance_e8s);
        self.approve(p, approved_e8s);
    }

    /// `p` approves the orchestrator for `e8s` (fee included by the caller's choice).
    pub fn approve(&self, p: Principal, e8s: u64) {
        simulation::approve_icp(&self.rt, p, e8s).unwrap();
    }

    pub fn icp(&self, p: Principal) -> u64 {
        simulation::icp_balance(&self.rt, p)
    }

    /// `from` transfers ICP to the deposit account of `beneficiary`; returns the block index.
    pub fn push(&mut self, from: Principal, beneficiary: Principal, e8s: u64) -> u64 {
        if !self.beneficiaries.contains(&beneficiary) {
            self.beneficiaries.push(beneficiary);
        }
        let to = deposit_account(self.rt.canister_id(), beneficiary).account;
        let to = Account { owner: to.owner, subaccount: to.subaccount.map(|s| s.try_into().unwrap()) };
        let now = self.now();
        self.rt.world().ledger.transfer(now, from, None, &to, e8s, None, Some(now)).unwrap()
    }

    /// ICP held by the orchestrator on the ledger: its main account and every deposit account.
    pub fn icp_held(&self) -> u64 {
        simulation::icp_held(&self.rt, &self.beneficiaries)
    }

    /// The books after a step: the state's own invariants, and every credited e8s is on the
    /// ledger in an orchestrator account (pushed ICP not yet notified may be there too).
    pub fn check(&self) {
        simulation::check_books(&self.rt, &self.o, &self.beneficiaries).unwrap_or_else(|e| panic!("{e}"));
    }

    /// The same as `check`, when every transfer has been credited: nothing more, nothing less.
    pub fn check_exact(&self) {
        self.check();
        assert_eq!(self.o.read(|s| s.totals().icp_received_e8s), self.icp_held());
    }

    /// An upgrade: in-flight calls and timers are gone, the new code opens a copy of the stable
    /// memory image. The simulated world (chain, providers, the router to them) stays: it is the
    /// runtime's.
    pub fn upgrade(&mut self, arg: Option<OrchestratorArg>) {
        self.rt.drop_timers();
        let image = self.raw.image();
        let o = lifecycle::post_upgrade(self.rt.clone(), image.clone(), arg).unwrap();
        self.o = o;
        self.raw = image;
    }

    pub fn calls(&self, m: Method) -> u64 {
        self.rt.calls(m)
    }

    /// `owner`'s view of deployment `id`.
    pub fn deployment(&self, owner: Principal, id: u64) -> DeploymentView {
        ic_akash_orchestrator::deployments::views::get_deployment(&self.o, owner, id).unwrap()
    }

    /// Runs `step` (6 s of virtual time and the test's checks) until `pred` holds for the
    /// deployment; panics after `max_secs`.
    pub fn run_deployment_until(
        &self,
        owner: Principal,
        id: u64,
        max_secs: u64,
        step: impl Fn(&Env),
        pred: impl Fn(&DeploymentView) -> bool,
    ) -> DeploymentView {
        let mut waited = 0;
        loop {
            let v = self.deployment(owner, id);
            if pred(&v) {
                return v;
            }
            assert!(waited < max_secs, "deployment {id} still {:?} after {max_secs} s", v.state);
            step(self);
            waited += 6;
        }
    }
}

pub fn is_active(v: &DeploymentView) -> bool {
    v.state == DeploymentState::Active
}

pub fn is_ended(v: &DeploymentView) -> bool {
    matches!(v.state, DeploymentState::Closed { .. } | DeploymentState::Failed { .. })
}
