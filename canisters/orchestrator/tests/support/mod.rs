//! A simulated IC for flow tests: one orchestrator over a fake runtime, users with ICP, and the
//! books checked after every step.
#![allow(dead_code)]

use candid::Principal;
use ic_akash_orchestrator::canister::Orchestrator;
use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::notify::deposit_account;
use ic_akash_orchestrator::runtime::fake::{FakeRuntime, Method};
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator::storage::RawMemory;
use ic_akash_orchestrator_types::{ConfigArg, DepositIcpArg, OrchestratorArg};
use icrc_ledger_types::icrc1::account::Account;

pub const ICP: u64 = 100_000_000;

pub struct Env {
    pub rt: FakeRuntime,
    pub raw: RawMemory,
    pub o: Orchestrator<FakeRuntime>,
    /// Beneficiaries whose deposit accounts may hold ICP, for the ledger reconciliation.
    pub beneficiaries: Vec<Principal>,
}

/// `deposit_icp` of `amount_e8s` for the caller, from its default account.
pub fn deposit(amount_e8s: u64) -> DepositIcpArg {
    DepositIcpArg { amount_e8s, beneficiary: None, from_subaccount: None }
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
        Env { rt, raw, o, beneficiaries: Vec::new() }
    }

    pub fn me(&self) -> Account {
        Account { owner: self.rt.canister_id(), subaccount: None }
    }

    pub fn now(&self) -> u64 {
        self.rt.time_nanos()
    }

    /// Gives `p` ICP on the ledger.
    pub fn mint(&self, p: Principal, e8s: u64) {
        let now = self.now();
        self.rt.world().ledger.mint(now, &Account { owner: p, subaccount: None }, e8s);
    }

    /// `p` gets `balance_e8s` and approves the orchestrator for `approved_e8s`.
    pub fn fund(&self, p: Principal, balance_e8s: u64, approved_e8s: u64) {
        self.mint(p, balance_e8s);
        self.approve(p, approved_e8s);
    }

    /// `p` approves the orchestrator for `e8s` (fee included by the caller's choice).
    pub fn approve(&self, p: Principal, e8s: u64) {
        let (now, me) = (self.now(), self.me());
        self.rt.world().ledger.approve(now, p, &me, e8s, None, None).unwrap();
    }

    pub fn icp(&self, p: Principal) -> u64 {
        self.rt.world().ledger.balance_of(&Account { owner: p, subaccount: None })
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
        let id = self.rt.canister_id();
        let w = self.rt.world();
        let mut total = w.ledger.balance_of(&Account { owner: id, subaccount: None });
        for b in &self.beneficiaries {
            let sub = deposit_account(id, *b).account.subaccount.unwrap();
            total += w.ledger.balance_of(&Account { owner: id, subaccount: Some(sub.try_into().unwrap()) });
        }
        total
    }

    /// The books after a step: the state's own invariants, and every credited e8s is on the
    /// ledger in an orchestrator account (pushed ICP not yet notified may be there too).
    pub fn check(&self) {
        self.o.read(|s| s.check_invariants()).unwrap_or_else(|e| panic!("invariant broken: {e}"));
        let received = self.o.read(|s| s.totals().icp_received_e8s);
        let held = self.icp_held();
        assert!(received <= held, "credited {received} e8s but the ledger holds {held}");
    }

    /// The same as `check`, when every transfer has been credited: nothing more, nothing less.
    pub fn check_exact(&self) {
        self.check();
        assert_eq!(self.o.read(|s| s.totals().icp_received_e8s), self.icp_held());
    }

    /// An upgrade: in-flight calls and timers are gone, the new code opens a copy of the stable
    /// memory image.
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
}
