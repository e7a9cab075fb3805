//! The canister's state, in stable memory, and the pure functions that change it.
//!
//! Flows (async) decide what happened; the functions here apply it, append it to the journal and
//! keep the totals, all within one message so that a change is either whole or absent.
//! Opening the state after an upgrade reads only headers: nothing here replays history.

pub mod chain;
pub mod deployment;
pub mod governance;
pub mod summary;

use crate::storage::{
    AccountRecord, Candid, Memories, Memory, SignerId, ACCOUNTS_MEMORY_ID, AKASH_ACCOUNTS_MEMORY_ID,
    AKASH_ACTIVE_MEMORY_ID, AKASH_BOOK_MEMORY_ID, AKASH_MSGS_MEMORY_ID, CONFIG_MEMORY_ID, CREDITED_BLOCKS_MEMORY_ID,
    DEPLOYMENTS_ACTIVE_MEMORY_ID, DEPLOYMENTS_BY_OWNER_MEMORY_ID, DEPLOYMENTS_MEMORY_ID, DEPLOYMENT_HISTORY_MEMORY_ID,
    DEPLOYMENT_SDLS_MEMORY_ID, OWNER_GOVERNANCE_MEMORY_ID,
    JOURNAL_BY_PRINCIPAL_MEMORY_ID, JOURNAL_DATA_MEMORY_ID, JOURNAL_INDEX_MEMORY_ID, MINT_REQUESTS_MEMORY_ID,
    PENDING_DEPOSITS_MEMORY_ID, TOTALS_MEMORY_ID,
};
use chain::{AkashBook, MintRequest, PendingMsg, TxAccount};
use candid::{CandidType, Deserialize, Principal};
use ic_akash_orchestrator_types::{
    Balance, Change, Config, ConfigArg, Credit, Error, GetJournalArg, JournalEntry, JournalPage,
    Quote, Rate, Source, Stats,
};
use ic_stable_structures::{StableBTreeMap, StableCell, StableLog};

/// Most journal entries one `get_journal` call returns.
pub const MAX_JOURNAL_PAGE_ENTRIES: u64 = 100;

/// Sums kept up to date by every change, so that reading them costs nothing.
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub icp_received_e8s: u64,
    pub credited_gross_uakt: u64,
    pub fees_uakt: u64,
    pub available_uakt: u64,
    pub reserved_uakt: u64,
    pub principals: u64,
    pub next_deposit_id: u64,
    /// The last rate fetched from XRC, reused while it is fresh.
    pub rate: Option<Rate>,
}

/// An ICRC-2 pull whose ledger answer is not known yet. Retrying it with the same
/// `created_at_time` and memo either reaches the ledger's deduplication or runs it once.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingDeposit {
    pub payer: Principal,
    pub from_subaccount: Option<Vec<u8>>,
    pub beneficiary: Principal,
    pub amount_e8s: u64,
    pub created_at_time_nanos: u64,
    /// The price agreed when the flow started; the credit uses it whenever the answer comes.
    pub quote: Quote,
}

pub struct State {
    config: StableCell<Candid<Config>, Memory>,
    totals: StableCell<Candid<Totals>, Memory>,
    accounts: StableBTreeMap<Principal, AccountRecord, Memory>,
    journal: StableLog<Candid<JournalEntry>, Memory, Memory>,
    /// (principal, n) -> journal position of that principal's n-th entry.
    journal_by_principal: StableBTreeMap<(Principal, u64), u64, Memory>,
    /// Every ICP block ever credited, forever: a block is credited once.
    credited_blocks: StableBTreeMap<u64, Candid<Credit>, Memory>,
    pending_deposits: StableBTreeMap<u64, Candid<PendingDeposit>, Memory>,
    /// Every Akash signing account ever used (key, account number, sequence, queue, slot).
    akash_accounts: StableBTreeMap<SignerId, Candid<TxAccount>, Memory>,
    /// The accounts with queued messages or a transaction in flight.
    akash_active: StableBTreeMap<SignerId, (), Memory>,
    /// Messages not yet ended, by id.
    akash_msgs: StableBTreeMap<u64, Candid<PendingMsg>, Memory>,
    /// ACT mint requests waiting for the next batch.
    mint_requests: StableBTreeMap<u64, Candid<MintRequest>, Memory>,
    akash_book: StableCell<Candid<AkashBook>, Memory>,
    deployments: StableBTreeMap<u64, Candid<deployment::Deployment>, Memory>,
    /// SDL texts, apart from the records (written once, read when a manifest is sent).
    deployment_sdls: StableBTreeMap<u64, Candid<String>, Memory>,
    deployments_by_owner: StableBTreeMap<(Principal, u64), (), Memory>,
    /// Deployments not ended.
    deployments_active: StableBTreeMap<u64, (), Memory>,
    /// (deployment, n) -> journal position of its n-th history entry.
    deployment_history: StableBTreeMap<(u64, u64), u64, Memory>,
    /// Owner -> the governance canister that alone acts for it (see `crate::governance`).
    owner_governance: StableBTreeMap<Principal, Principal, Memory>,
}

impl State {
    /// A fresh state (install).
    pub fn new(memories: &Memories, config: Config) -> Self {
        let mut s = Self::open(memories);
        s.config.set(Candid(config));
        s.count_ended_deployments_once();
        s
    }

    /// The state already in stable memory (upgrade); empty structures if there is none.
    pub fn open(memories: &Memories) -> Self {
        State {
            config: StableCell::init(memories.get(CONFIG_MEMORY_ID), Candid(crate::config::default_config())),
            totals: StableCell::init(memories.get(TOTALS_MEMORY_ID), Candid(Totals::default())),
            accounts: StableBTreeMap::init(memories.get(ACCOUNTS_MEMORY_ID)),
            journal: StableLog::init(memories.get(JOURNAL_INDEX_MEMORY_ID), memories.get(JOURNAL_DATA_MEMORY_ID)),
            journal_by_principal: StableBTreeMap::init(memories.get(JOURNAL_BY_PRINCIPAL_MEMORY_ID)),
            credited_blocks: StableBTreeMap::init(memories.get(CREDITED_BLOCKS_MEMORY_ID)),
            pending_deposits: StableBTreeMap::init(memories.get(PENDING_DEPOSITS_MEMORY_ID)),
            akash_accounts: StableBTreeMap::init(memories.get(AKASH_ACCOUNTS_MEMORY_ID)),
            akash_active: StableBTreeMap::init(memories.get(AKASH_ACTIVE_MEMORY_ID)),
            akash_msgs: StableBTreeMap::init(memories.get(AKASH_MSGS_MEMORY_ID)),
            mint_requests: StableBTreeMap::init(memories.get(MINT_REQUESTS_MEMORY_ID)),
            akash_book: StableCell::init(memories.get(AKASH_BOOK_MEMORY_ID), Candid(AkashBook::default())),
            deployments: StableBTreeMap::init(memories.get(DEPLOYMENTS_MEMORY_ID)),
            deployment_sdls: StableBTreeMap::init(memories.get(DEPLOYMENT_SDLS_MEMORY_ID)),
            deployments_by_owner: StableBTreeMap::init(memories.get(DEPLOYMENTS_BY_OWNER_MEMORY_ID)),
            deployments_active: StableBTreeMap::init(memories.get(DEPLOYMENTS_ACTIVE_MEMORY_ID)),
            deployment_history: StableBTreeMap::init(memories.get(DEPLOYMENT_HISTORY_MEMORY_ID)),
            owner_governance: StableBTreeMap::init(memories.get(OWNER_GOVERNANCE_MEMORY_ID)),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config.get().0
    }

    pub fn totals(&self) -> &Totals {
        &self.totals.get().0
    }

    fn update_totals(&mut self, f: impl FnOnce(&mut Totals)) {
        let mut t = self.totals.get().0.clone();
        f(&mut t);
        self.totals.set(Candid(t));
    }

    fn account(&self, p: &Principal) -> AccountRecord {
        self.accounts.get(p).unwrap_or_default()
    }

    fn put_account(&mut self, p: Principal, record: AccountRecord) {
        if self.accounts.insert(p, record).is_none() {
            self.update_totals(|t| t.principals += 1);
        }
    }

    /// Appends to the journal and to the principal's index.
    fn record(&mut self, now_nanos: u64, principal: Principal, change: Change) -> u64 {
        let acc = self.account(&principal);
        self.commit(now_nanos, principal, acc, change)
    }

    /// Appends `change` to the journal and the principal's index, and writes `acc` (the
    /// principal's account as the change leaves it) once, with its journal length advanced.
    fn commit(&mut self, now_nanos: u64, principal: Principal, mut acc: AccountRecord, change: Change) -> u64 {
        let seq = self.journal.len();
        let entry = JournalEntry { seq, timestamp_nanos: now_nanos, principal, change };
        self.journal
            .append(&Candid(entry))
            .expect("stable memory is full: the journal cannot grow");
        self.journal_by_principal.insert((principal, acc.journal_len), seq);
        acc.journal_len += 1;
        self.put_account(principal, acc);
        seq
    }

    pub fn balance(&self, p: &Principal) -> Balance {
        self.account(p).balance()
    }

    pub fn set_config(&mut self, now_nanos: u64, by: Principal, arg: ConfigArg, config: Config) {
        self.config.set(Candid(config));
        self.record(now_nanos, by, Change::ConfigChanged { by, arg });
    }

    pub fn cached_rate(&self) -> Option<&Rate> {
        self.totals().rate.as_ref()
    }

    pub fn set_cached_rate(&mut self, rate: Rate) {
        self.update_totals(|t| t.rate = Some(rate));
    }

    /// The credit already made for `block_index`, if any.
    pub fn credited(&self, block_index: u64) -> Option<Credit> {
        self.credited_blocks.get(&block_index).map(|c| c.0)
    }

    /// Credits `quote` to `beneficiary` for ICP block `block_index`, once: a block already
    /// credited returns its first credit unchanged.
    pub fn credit(
        &mut self,
        now_nanos: u64,
        beneficiary: Principal,
        block_index: u64,
        payer: Option<Principal>,
        quote: Quote,
    ) -> Credit {
        if let Some(done) = self.credited(block_index) {
            return done;
        }
        let mut acc = self.account(&beneficiary);
        acc.available_uakt = acc.available_uakt.checked_add(quote.uakt).expect("BUG: uakt balance overflow");
        let q = quote.clone();
        self.update_totals(|t| {
            t.icp_received_e8s += q.icp_e8s;
            t.credited_gross_uakt += q.gross_uakt;
            t.fees_uakt += q.fee_uakt;
            t.available_uakt += q.uakt;
        });
        let change = Change::Credited { source: Source::IcpBlock(block_index), payer, quote: quote.clone() };
        self.commit(now_nanos, beneficiary, acc, change);
        let credit = Credit { beneficiary, block_index, quote, balance: acc.balance() };
        self.credited_blocks.insert(block_index, Candid(credit.clone()));
        credit
    }

    /// Persists an ICRC-2 pull before the ledger is called; returns its id.
    pub fn start_deposit(&mut self, now_nanos: u64, d: PendingDeposit) -> u64 {
        let id = self.totals().next_deposit_id;
        self.update_totals(|t| t.next_deposit_id += 1);
        let change = Change::DepositStarted {
            deposit_id: id,
            payer: d.payer,
            amount_e8s: d.amount_e8s,
            created_at_time_nanos: d.created_at_time_nanos,
        };
        self.record(now_nanos, d.beneficiary, change);
        self.pending_deposits.insert(id, Candid(d));
        id
    }

    pub fn pending_deposit(&self, id: u64) -> Option<PendingDeposit> {
        self.pending_deposits.get(&id).map(|d| d.0)
    }

    /// Pending deposits, at most `limit` (the global flow cap keeps them few).
    pub fn pending_deposit_ids(&self, limit: usize) -> Vec<u64> {
        self.pending_deposits.keys().take(limit).collect()
    }

    pub fn pending_deposit_count(&self) -> u64 {
        self.pending_deposits.len()
    }

    /// The ledger took the ICP in `block_index`: credit at the agreed quote.
    pub fn complete_deposit(&mut self, now_nanos: u64, id: u64, block_index: u64) -> Option<Credit> {
        let d = self.pending_deposits.remove(&id)?.0;
        Some(self.credit(now_nanos, d.beneficiary, block_index, Some(d.payer), d.quote))
    }

    /// The ledger took nothing.
    pub fn fail_deposit(&mut self, now_nanos: u64, id: u64, reason: String) {
        if let Some(d) = self.pending_deposits.remove(&id) {
            self.record(now_nanos, d.0.beneficiary, Change::DepositFailed { deposit_id: id, reason });
        }
    }

    /// Sets `amount_uakt` aside from `p`'s available balance.
    pub fn reserve(&mut self, now_nanos: u64, p: Principal, amount_uakt: u64, purpose: String) -> Result<Balance, Error> {
        let mut acc = self.account(&p);
        if acc.available_uakt < amount_uakt {
            return Err(Error::InsufficientBalance { available_uakt: acc.available_uakt, requested_uakt: amount_uakt });
        }
        acc.available_uakt -= amount_uakt;
        acc.reserved_uakt += amount_uakt;
        self.update_totals(|t| {
            t.available_uakt -= amount_uakt;
            t.reserved_uakt += amount_uakt;
        });
        self.update_book(|b| b.other_reserved_uakt += amount_uakt);
        self.commit(now_nanos, p, acc, Change::Reserved { amount_uakt, purpose });
        Ok(acc.balance())
    }

    /// Returns reserved money to `p`'s available balance.
    pub fn release(&mut self, now_nanos: u64, p: Principal, amount_uakt: u64, purpose: String) -> Result<Balance, Error> {
        let mut acc = self.account(&p);
        if acc.reserved_uakt < amount_uakt {
            return Err(Error::InvalidArgument {
                field: "amount_uakt".into(),
                reason: format!("{amount_uakt} exceeds the {} uakt reserved", acc.reserved_uakt),
            });
        }
        acc.reserved_uakt -= amount_uakt;
        acc.available_uakt += amount_uakt;
        self.update_totals(|t| {
            t.reserved_uakt -= amount_uakt;
            t.available_uakt += amount_uakt;
        });
        self.update_book(|b| b.other_reserved_uakt = b.other_reserved_uakt.saturating_sub(amount_uakt));
        self.commit(now_nanos, p, acc, Change::Released { amount_uakt, purpose });
        Ok(acc.balance())
    }

    /// A page of one principal's journal, or of the whole journal.
    pub fn journal_page(&self, arg: &GetJournalArg) -> JournalPage {
        let start = arg.start.unwrap_or(0);
        let length = arg.length.min(MAX_JOURNAL_PAGE_ENTRIES);
        let entry = |seq: u64| self.journal.get(seq).map(|e| e.0);
        match arg.principal {
            None => {
                let total = self.journal.len();
                let end = start.saturating_add(length).min(total);
                JournalPage { entries: (start..end).filter_map(entry).collect(), total }
            }
            Some(p) => {
                let total = self.account(&p).journal_len;
                let end = start.saturating_add(length).min(total);
                let entries = (start..end)
                    .filter_map(|n| self.journal_by_principal.get(&(p, n)))
                    .filter_map(entry)
                    .collect();
                JournalPage { entries, total }
            }
        }
    }

    pub fn stats(&self) -> Stats {
        let t = self.totals();
        Stats {
            icp_received_e8s: t.icp_received_e8s,
            credited_gross_uakt: t.credited_gross_uakt,
            fees_uakt: t.fees_uakt,
            available_uakt: t.available_uakt,
            reserved_uakt: t.reserved_uakt,
            principals: t.principals,
            journal_entries: self.journal.len(),
            deposits_pending: self.pending_deposits.len(),
            flows_in_progress: 0,
            cycles_balance: 0,
            withdrawn_uakt: self.book().withdrawn_uakt,
            chain_fees_uakt: self.book().chain_fees_uakt,
            burned_uakt: self.book().burned_uakt,
            service_fees_uakt: self.book().service_fees_uakt,
            minted_uact: self.book().minted_uact,
            akash_msgs_pending: self.akash_msgs.len(),
            deployments_active: self.deployments_active.len(),
            deployments_total: self.deployments.len(),
            act_in_escrow_uact: self.book().act_in_escrow_uact,
            act_spent_uact: self.book().act_spent_uact,
        }
    }

    /// Checks that the books balance: the totals equal the sums over accounts and over credits,
    /// and what was credited equals what is held plus fees. Reads everything: for tests and audit.
    pub fn check_invariants(&self) -> Result<(), String> {
        let t = self.totals();
        let (mut available, mut reserved, mut principals) = (0u64, 0u64, 0u64);
        for entry in self.accounts.iter() {
            let a = entry.value();
            available += a.available_uakt;
            reserved += a.reserved_uakt;
            principals += 1;
        }
        let (mut icp, mut gross, mut fees) = (0u64, 0u64, 0u64);
        for entry in self.credited_blocks.iter() {
            let q = &entry.value().0.quote;
            icp += q.icp_e8s;
            gross += q.gross_uakt;
            fees += q.fee_uakt;
            if q.uakt + q.fee_uakt != q.gross_uakt {
                return Err(format!("credit of block {} does not add up: {q:?}", entry.key()));
            }
        }
        let b = self.book();
        let out = b.withdrawn_uakt + b.chain_fees_uakt + b.burned_uakt + b.service_fees_uakt;
        let (pools, act_reserved, deposited) = self.deployment_sums();
        let checks = [
            ("available", available, t.available_uakt),
            ("reserved", reserved, t.reserved_uakt),
            ("reserved = open flows + deployment fee pools + other reservations", self.expected_reserved() + pools + b.other_reserved_uakt, t.reserved_uakt),
            ("principals", principals, t.principals),
            ("icp received", icp, t.icp_received_e8s),
            ("credited gross", gross, t.credited_gross_uakt),
            ("fees", fees, t.fees_uakt),
            ("held + fees + withdrawn + chain fees + burned + service fees = credited", available + reserved + fees + out, t.credited_gross_uakt),
            ("act held + set aside for deployments + in escrow + spent = act minted", self.act_held() + act_reserved + b.act_in_escrow_uact + b.act_spent_uact, b.minted_uact),
            ("act in escrow = deposits of open deployments", deposited, b.act_in_escrow_uact),
        ];
        for (what, actual, expected) in checks {
            if actual != expected {
                return Err(format!("{what}: sum {actual} != total {expected}"));
            }
        }
        self.check_ended_counts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ic_akash_orchestrator_types::RateSource;
    use crate::storage::RawMemory;

    fn state() -> State {
        State::new(&Memories::open(RawMemory::default()), crate::config::default_config())
    }

    fn quote(icp_e8s: u64, gross: u64, fee: u64) -> Quote {
        Quote {
            icp_e8s,
            gross_uakt: gross,
            fee_uakt: fee,
            uakt: gross - fee,
            fee_bps: 100,
            rate: Rate { numerator: 8, denominator: 1, uakt_per_icp: 8_000_000, source: RateSource::IcpAkt, timestamp_secs: 1 },
        }
    }

    fn p(n: u8) -> Principal {
        Principal::from_slice(&[n; 10])
    }

    #[test]
    fn a_block_is_credited_once_and_the_first_result_is_returned_again() {
        let mut s = state();
        let first = s.credit(1, p(1), 7, None, quote(100, 1000, 10));
        let again = s.credit(2, p(2), 7, None, quote(999, 9999, 99));
        assert_eq!(first, again);
        assert_eq!(s.balance(&p(1)).available_uakt, 990);
        assert_eq!(s.balance(&p(2)), Balance::default());
        assert_eq!(s.totals().icp_received_e8s, 100);
        s.check_invariants().unwrap();
    }

    #[test]
    fn reservations_move_money_without_creating_any() {
        let mut s = state();
        s.credit(1, p(1), 1, None, quote(100, 1000, 10));
        assert_eq!(s.reserve(2, p(1), 991, "x".into()), Err(Error::InsufficientBalance { available_uakt: 990, requested_uakt: 991 }));
        assert_eq!(s.reserve(2, p(1), 400, "lease".into()).unwrap(), Balance { available_uakt: 590, reserved_uakt: 400, act_uact: 0 });
        assert!(s.release(3, p(1), 401, "x".into()).is_err());
        assert_eq!(s.release(3, p(1), 100, "lease".into()).unwrap(), Balance { available_uakt: 690, reserved_uakt: 300, act_uact: 0 });
        s.check_invariants().unwrap();
        let page = s.journal_page(&GetJournalArg { principal: Some(p(1)), start: None, length: 10 });
        assert_eq!(page.total, 3);
        assert!(matches!(page.entries[1].change, Change::Reserved { amount_uakt: 400, .. }));
    }

    #[test]
    fn pending_deposits_complete_or_fail_once() {
        let mut s = state();
        let d = PendingDeposit {
            payer: p(1),
            from_subaccount: None,
            beneficiary: p(2),
            amount_e8s: 100,
            created_at_time_nanos: 5,
            quote: quote(100, 800, 8),
        };
        let a = s.start_deposit(1, d.clone());
        let b = s.start_deposit(1, d);
        assert_ne!(a, b);
        assert_eq!(s.pending_deposit_count(), 2);
        let credit = s.complete_deposit(2, a, 42).unwrap();
        assert_eq!(credit.balance.available_uakt, 792);
        assert_eq!(s.complete_deposit(3, a, 43), None);
        s.fail_deposit(3, b, "no allowance".into());
        assert_eq!(s.pending_deposit_count(), 0);
        assert_eq!(s.balance(&p(2)).available_uakt, 792);
        s.check_invariants().unwrap();
    }

    #[test]
    fn journal_pages_are_capped_and_per_principal() {
        let mut s = state();
        for i in 0..150 {
            s.credit(i, p((i % 2) as u8), i, None, quote(1, 10, 0));
        }
        let all = s.journal_page(&GetJournalArg { principal: None, start: Some(20), length: 1000 });
        assert_eq!((all.total, all.entries.len()), (150, MAX_JOURNAL_PAGE_ENTRIES as usize));
        assert_eq!(all.entries[0].seq, 20);
        let mine = s.journal_page(&GetJournalArg { principal: Some(p(1)), start: Some(70), length: 10 });
        assert_eq!(mine.total, 75);
        assert_eq!(mine.entries.len(), 5);
        assert!(mine.entries.iter().all(|e| e.principal == p(1)));
        let beyond = s.journal_page(&GetJournalArg { principal: Some(p(1)), start: Some(u64::MAX), length: 10 });
        assert!(beyond.entries.is_empty());
    }

    #[test]
    fn reopening_the_memory_keeps_everything() {
        let raw = RawMemory::default();
        {
            let mut s = State::new(&Memories::open(raw.clone()), crate::config::default_config());
            s.credit(1, p(1), 9, None, quote(100, 1000, 10));
        }
        let s = State::open(&Memories::open(raw));
        assert_eq!(s.balance(&p(1)).available_uakt, 990);
        assert!(s.credited(9).is_some());
        s.check_invariants().unwrap();
    }
}
