//! The chain state machine: accounts and balances, the ante handler (CheckTx, DeliverTx and
//! simulation modes, in the Cosmos SDK's order), the mempool with CometBFT's cache, block
//! production every 6 s of virtual time, the tx index, and snapshots of recent heights for
//! lagging nodes.

use super::bme;
use super::{deployment, escrow, market};
use super::feegrant::{self, Allowance};
use super::authz;
use super::msgs::{self, code, Event, ExecCtx, Failure};
use super::proto::{self, coins_string, AuthInfo, Coin, TxBody, TxRaw, SIGN_MODE_DIRECT};
use super::rest::rfc3339;
use ic_akash::address::{self, Address};
use ic_akash::signer::PublicKey;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::rc::Rc;

pub const DENOM_UAKT: &str = "uakt";
pub const DENOM_UACT: &str = "uact";
pub const BLOCK_SECS: u64 = 6;
pub const BLOCK_NANOS: u64 = BLOCK_SECS * 1_000_000_000;
pub const FEE_COLLECTOR: &str = "fee_collector";
pub const BME_MODULE: &str = "bme";
pub const MINT_MODULE: &str = "mint";
/// Account numbers of genesis accounts start here (module accounts take the lower ones on a
/// real chain), so a client that confuses "0" with "unknown" is caught.
pub const FIRST_ACCOUNT_NUMBER: u64 = 10;
/// Heights of committed state kept for lagging nodes.
pub const SNAPSHOT_DEPTH: u64 = 64;
/// Ante handler gas: a fixed part (store reads and writes, secp256k1 verification)...
pub const ANTE_BASE_GAS: u64 = 60_000;
/// ...plus `TxSizeCostPerByte` per byte of the tx (counted with 64-byte signatures, so a
/// simulation with an empty signature costs what the signed tx will).
pub const GAS_PER_BYTE: u64 = 10;
/// The simulation's gas meter is infinite: its limit is `u64::MAX`.
pub const SIMULATE_GAS_WANTED: u64 = u64::MAX;
pub const MAX_MEMO_CHARS: usize = 256;

/// `authtypes.NewModuleAddress(name)`: the first 20 bytes of SHA-256 of the name.
pub fn module_address(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[..20]);
    Address(a).to_string()
}

/// An account as the auth module stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub address: String,
    pub account_number: u64,
    pub sequence: u64,
    /// Set by the first tx the account signs.
    pub pub_key: Option<PublicKey>,
}

/// Everything committed on chain (cloned per transaction branch; kept per height for lagging
/// nodes behind an `Rc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub accounts: BTreeMap<String, Account>,
    pub balances: BTreeMap<String, BTreeMap<String, u128>>,
    pub supply: BTreeMap<String, u128>,
    pub next_account_number: u64,
    pub modules: BTreeSet<String>,
    /// (granter, grantee) → allowance.
    pub fee_grants: BTreeMap<(String, String), Allowance>,
    /// (granter, grantee, msg type URL) → grant.
    pub authz_grants: BTreeMap<(String, String, String), authz::Grant>,
    pub bme: bme::BmeState,
    pub deployments: deployment::DeploymentsState,
    pub escrow: escrow::EscrowState,
    pub market: market::MarketState,
}

impl Default for State {
    fn default() -> Self {
        State {
            accounts: BTreeMap::new(),
            balances: BTreeMap::new(),
            supply: BTreeMap::new(),
            next_account_number: FIRST_ACCOUNT_NUMBER,
            modules: [FEE_COLLECTOR, BME_MODULE, MINT_MODULE, escrow::ESCROW_MODULE].iter().map(|m| module_address(m)).collect(),
            fee_grants: BTreeMap::new(),
            authz_grants: BTreeMap::new(),
            bme: bme::BmeState::default(),
            deployments: deployment::DeploymentsState::default(),
            escrow: escrow::EscrowState::default(),
            market: market::MarketState::default(),
        }
    }
}

impl State {
    pub fn is_module(&self, addr: &str) -> bool {
        self.modules.contains(addr)
    }

    /// Creates the account with the next account number if it does not exist.
    pub fn ensure_account(&mut self, addr: &str) {
        if self.is_module(addr) || self.accounts.contains_key(addr) {
            return;
        }
        let n = self.next_account_number;
        self.next_account_number += 1;
        self.accounts.insert(addr.to_string(), Account { address: addr.to_string(), account_number: n, sequence: 0, pub_key: None });
    }

    pub fn balance(&self, addr: &str, denom: &str) -> u128 {
        self.balances.get(addr).and_then(|b| b.get(denom)).copied().unwrap_or(0)
    }

    /// Non-zero balances sorted by denom.
    pub fn all_balances(&self, addr: &str) -> Vec<Coin> {
        self.balances
            .get(addr)
            .map(|b| b.iter().filter(|(_, a)| **a > 0).map(|(d, a)| Coin::new(*a, d)).collect())
            .unwrap_or_default()
    }

    fn credit(&mut self, addr: &str, c: &Coin) {
        self.ensure_account(addr);
        *self.balances.entry(addr.to_string()).or_default().entry(c.denom.clone()).or_default() += c.amount;
    }

    fn debit(&mut self, addr: &str, c: &Coin) -> Result<(), Failure> {
        let have = self.balance(addr, &c.denom);
        if have < c.amount {
            return Err(Failure::insufficient_funds(have, c.amount, &c.denom));
        }
        if c.amount > 0 {
            *self.balances.get_mut(addr).and_then(|b| b.get_mut(&c.denom)).expect("checked above") -= c.amount;
        }
        Ok(())
    }

    /// Moves one coin without events (module transfers inside EndBlockers).
    pub fn move_coins(&mut self, from: &str, to: &str, c: &Coin) -> Result<(), Failure> {
        self.debit(from, c)?;
        self.credit(to, c);
        Ok(())
    }

    /// A bank send: all coins or none, the recipient account created if needed, with the
    /// bank's events.
    pub fn send(&mut self, from: &str, to: &str, coins: &[Coin]) -> Result<Vec<Event>, Failure> {
        for c in coins {
            let have = self.balance(from, &c.denom);
            if have < c.amount {
                return Err(Failure::insufficient_funds(have, c.amount, &c.denom));
            }
        }
        for c in coins {
            self.move_coins(from, to, c)?;
        }
        let amount = coins_string(coins);
        Ok(vec![
            Event::new("coin_spent", &[("spender", from), ("amount", &amount)]),
            Event::new("coin_received", &[("receiver", to), ("amount", &amount)]),
            Event::new("transfer", &[("recipient", to), ("sender", from), ("amount", &amount)]),
        ])
    }

    /// Creates coins in a module account.
    pub fn mint(&mut self, module: &str, c: &Coin) {
        self.credit(module, c);
        *self.supply.entry(c.denom.clone()).or_default() += c.amount;
    }

    /// Destroys coins held by a module account.
    pub fn burn(&mut self, module: &str, c: &Coin) -> Result<(), Failure> {
        self.debit(module, c)?;
        let s = self.supply.entry(c.denom.clone()).or_default();
        *s = s.saturating_sub(c.amount);
        Ok(())
    }
}

/// How the ante handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// CheckTx: the minimum gas price applies.
    Check,
    /// In a block.
    Deliver,
    /// `/simulate`: no signature check, infinite gas.
    Simulate,
}

/// A transaction decoded and checked statelessly.
#[derive(Clone, Debug)]
pub struct DecodedTx {
    pub hash: String,
    pub raw: Vec<u8>,
    pub tx_raw: TxRaw,
    pub body: TxBody,
    pub auth: AuthInfo,
    /// The unique signer the messages name.
    pub signer: String,
    pub signers: Vec<String>,
    pub msg_types: Vec<String>,
    pub size_for_gas: u64,
}

impl DecodedTx {
    pub fn sequence(&self) -> u64 {
        self.auth.signer_infos.first().map(|s| s.sequence).unwrap_or(0)
    }
}

/// Upper-case hex SHA-256: the CometBFT tx hash.
pub fn tx_hash(raw: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(raw))
}

/// Decodes a tx and runs the stateless checks (`validateBasicTxMsgs`, message `ValidateBasic`).
pub fn decode_tx(raw: &[u8]) -> Result<DecodedTx, Failure> {
    let tx_raw = TxRaw::decode(raw).map_err(Failure::parse)?;
    let body = TxBody::decode(&tx_raw.body_bytes).map_err(Failure::parse)?;
    let auth = AuthInfo::decode(&tx_raw.auth_info_bytes).map_err(Failure::parse)?;
    if auth.tip {
        return Err(Failure::sdk(code::NOT_SUPPORTED, "tips are not supported: not supported"));
    }
    if body.messages.is_empty() {
        return Err(Failure::invalid_request("must contain at least one message"));
    }
    let mut signers: Vec<String> = Vec::new();
    let mut msg_types = Vec::new();
    for m in &body.messages {
        let kind = msgs::find(&m.type_url).ok_or_else(|| Failure::parse(format!("unable to resolve type URL {}", m.type_url)))?;
        let signer = kind.validate(&m.value)?;
        if !signers.contains(&signer) {
            signers.push(signer);
        }
        msg_types.push(m.type_url.clone());
    }
    let fee = &auth.fee;
    if !fee.payer.is_empty() {
        msgs::check_address("fee payer", &fee.payer)?;
        if !signers.contains(&fee.payer) {
            signers.push(fee.payer.clone());
        }
    }
    if !fee.granter.is_empty() {
        msgs::check_address("fee granter", &fee.granter)?;
    }
    let n = tx_raw.signatures.len().max(1);
    let size_for_gas = TxRaw {
        body_bytes: tx_raw.body_bytes.clone(),
        auth_info_bytes: tx_raw.auth_info_bytes.clone(),
        signatures: vec![vec![0u8; 64]; n],
    }
    .encode()
    .len() as u64;
    Ok(DecodedTx {
        hash: tx_hash(raw),
        raw: raw.to_vec(),
        signer: signers[0].clone(),
        signers,
        msg_types,
        size_for_gas,
        tx_raw,
        body,
        auth,
    })
}

/// What a transaction did in a block (or in a simulation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    pub code: u32,
    pub codespace: String,
    pub raw_log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<Event>,
}

/// A transaction included in a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludedTx {
    pub height: u64,
    /// Position in its block.
    pub index: u32,
    pub time_nanos: u64,
    pub hash: String,
    pub raw: Vec<u8>,
    pub signer: String,
    pub sequence: u64,
    pub code: u32,
    pub codespace: String,
    pub raw_log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<Event>,
    /// (type URL, value bytes) of each message.
    pub messages: Vec<(String, Vec<u8>)>,
    pub fee: Vec<Coin>,
    pub memo: String,
}

/// The chain: committed state, mempool, index.
pub struct Chain {
    pub chain_id: String,
    pub genesis_nanos: u64,
    /// Minimum gas price of CheckTx, in uakt per gas: numerator / denominator.
    pub min_gas_price: (u128, u128),
    /// Height of the last committed block (1 at genesis: a chain has no block 0).
    pub height: u64,
    committed: Rc<State>,
    /// (first height, state): the state as of every height from the first to the next entry's.
    snapshots: VecDeque<(u64, Rc<State>)>,
    /// CheckTx state: committed plus the ante effects of the mempool.
    check: State,
    mempool: Vec<DecodedTx>,
    /// CometBFT's cache: hashes in the mempool or committed.
    cache: BTreeSet<String>,
    txs: Vec<IncludedTx>,
    by_hash: HashMap<String, usize>,
    by_height: BTreeMap<u64, Vec<usize>>,
    executions: BTreeMap<(String, String, Vec<u8>), u32>,
    dropped: Vec<String>,
    /// Hashes in the mempool that the ante handler will refuse at delivery, as timed out
    /// ([`super::OneShot::RefusedAtDelivery`]).
    refuse_at_delivery: BTreeSet<String>,
    /// Hashes refused at delivery as timed out → the timeout height their refusal named: the
    /// same bytes are refused again by CheckTx.
    timed_out: BTreeMap<String, u64>,
    /// EndBlocker events by height.
    pub block_events: BTreeMap<u64, Vec<Event>>,
}

impl Chain {
    pub fn new(chain_id: &str, genesis_nanos: u64) -> Self {
        let state = Rc::new(State::default());
        Chain {
            chain_id: chain_id.to_string(),
            genesis_nanos,
            min_gas_price: (25, 10_000),
            height: 1,
            committed: state.clone(),
            snapshots: VecDeque::from([(1, state.clone())]),
            check: (*state).clone(),
            mempool: Vec::new(),
            cache: BTreeSet::new(),
            txs: Vec::new(),
            by_hash: HashMap::new(),
            by_height: BTreeMap::new(),
            executions: BTreeMap::new(),
            dropped: Vec::new(),
            refuse_at_delivery: BTreeSet::new(),
            timed_out: BTreeMap::new(),
            block_events: BTreeMap::new(),
        }
    }

    /// Block 1 is at genesis, then one block every 6 s.
    pub fn block_time(&self, height: u64) -> u64 {
        self.genesis_nanos + height.saturating_sub(1) * BLOCK_NANOS
    }

    pub fn state(&self) -> &State {
        &self.committed
    }

    /// The committed state as of `height` (clamped to what is kept).
    pub fn state_at(&self, height: u64) -> Rc<State> {
        self.snapshots
            .iter()
            .rev()
            .find(|(h, _)| *h <= height)
            .or(self.snapshots.front())
            .map(|(_, s)| s.clone())
            .expect("BUG: a snapshot is always kept")
    }

    /// The oldest height whose state is kept.
    pub fn oldest_kept_height(&self) -> u64 {
        self.height.saturating_sub(SNAPSHOT_DEPTH)
    }

    /// Changes the current state outside a block (genesis funding, test settings).
    pub fn mutate(&mut self, f: impl Fn(&mut State)) {
        f(Rc::make_mut(&mut self.committed));
        f(&mut self.check);
        self.record_snapshot();
    }

    fn record_snapshot(&mut self) {
        match self.snapshots.back_mut() {
            Some((h, s)) if *h == self.height => *s = self.committed.clone(),
            _ => self.snapshots.push_back((self.height, self.committed.clone())),
        }
        let oldest = self.oldest_kept_height();
        while self.snapshots.len() >= 2 && self.snapshots[1].0 <= oldest {
            self.snapshots.pop_front();
        }
    }

    pub fn mempool_len(&self) -> usize {
        self.mempool.len()
    }

    pub fn included(&self) -> &[IncludedTx] {
        &self.txs
    }

    pub fn tx(&self, hash: &str) -> Option<&IncludedTx> {
        self.by_hash.get(&hash.to_ascii_uppercase()).map(|i| &self.txs[*i])
    }

    pub fn txs_at(&self, height: u64) -> Vec<&IncludedTx> {
        self.by_height.get(&height).map(|v| v.iter().map(|i| &self.txs[*i]).collect()).unwrap_or_default()
    }

    pub fn executions(&self, signer: &str, type_url: &str, value: &[u8]) -> u32 {
        self.executions.get(&(signer.to_string(), type_url.to_string(), value.to_vec())).copied().unwrap_or(0)
    }

    pub fn dropped(&self) -> &[String] {
        &self.dropped
    }

    /// The tx `hash`, in the mempool, will be refused by the ante handler when its block runs
    /// it, as a tx whose timeout passed while it waited (see [`Chain::refused_at_delivery`]).
    pub fn refuse_at_delivery(&mut self, hash: &str) {
        self.refuse_at_delivery.insert(hash.to_ascii_uppercase());
    }

    /// FinalizeBlock for a tx whose ante handler fails (here TxTimeoutHeightDecorator, which
    /// runs before any decorator that consumes gas or writes state): baseapp drops the ante's
    /// cached writes and returns the error as the tx's result, with its gas wanted, the gas
    /// consumed so far (none) and no events (ante events are only kept when the ante handler
    /// passes). So no fee is deducted, the sequence does not advance, no message runs, and the
    /// tx stays in the block and in the index with its error code.
    fn refused_at_delivery(tx: &DecodedTx, height: u64) -> (TxResult, u64) {
        let timeout = match tx.body.timeout_height {
            t if t > 0 && t < height => t,
            _ => height - 1,
        };
        let f = timeout_height_failure(height, timeout);
        let result = TxResult {
            code: f.code,
            codespace: f.codespace.to_string(),
            raw_log: f.log,
            gas_wanted: tx.auth.fee.gas_limit,
            gas_used: 0,
            events: Vec::new(),
        };
        (result, timeout)
    }

    /// Produces every block due at `now_nanos`.
    pub fn advance_to(&mut self, now_nanos: u64) {
        let target = 1 + now_nanos.saturating_sub(self.genesis_nanos) / BLOCK_NANOS;
        while self.height < target {
            if self.mempool.is_empty() {
                // Empty blocks in which nothing happens by itself are skipped (escrow accrual is
                // settled in bulk): up to the next BME epoch with work, or deployment event.
                let eb = self.committed.bme.epoch_blocks;
                let epoch = (self.committed.bme.has_work() && eb > 0).then(|| (self.height / eb + 1) * eb);
                let next = [epoch, deployment::next_event(&self.committed, self.height)].into_iter().flatten().min();
                let stop = match next {
                    Some(n) if n <= target => n - 1,
                    _ => target,
                };
                if stop > self.height {
                    self.skip_to(stop);
                }
                if self.height >= target {
                    break;
                }
            }
            self.produce_block();
        }
        self.record_snapshot_if_needed();
    }

    /// Moves to `height` without producing blocks (nothing happens in them but escrow accrual).
    fn skip_to(&mut self, height: u64) {
        if deployment::accrues(&self.committed) {
            let mut state = (*self.committed).clone();
            deployment::settle_all(&mut state, height);
            self.height = height;
            self.committed = Rc::new(state);
            self.check = (*self.committed).clone();
            self.record_snapshot();
        } else {
            self.height = height;
        }
    }

    fn record_snapshot_if_needed(&mut self) {
        let oldest = self.oldest_kept_height();
        while self.snapshots.len() >= 2 && self.snapshots[1].0 <= oldest {
            self.snapshots.pop_front();
        }
    }

    /// Builds the next block from the mempool in arrival order: a tx that no longer passes the
    /// ante handler is dropped (and leaves the cache), except one marked to be refused at
    /// delivery, which is included with its error; the others are included, failed or not.
    fn produce_block(&mut self) {
        let h = self.height + 1;
        let t = self.block_time(h);
        let mut state = (*self.committed).clone();
        state.bme.sequence = 1;
        let pending = std::mem::take(&mut self.mempool);
        let mut index = 0u32;
        for tx in pending {
            let outcome = if self.refuse_at_delivery.remove(&tx.hash) {
                let (result, timeout) = Self::refused_at_delivery(&tx, h);
                // CometBFT's mempool update takes a tx whose result is not OK out of the cache
                // (keep_invalid_txs_in_cache = false): the same bytes are judged again by CheckTx.
                self.cache.remove(&tx.hash);
                self.timed_out.insert(tx.hash.clone(), timeout);
                Ok(result)
            } else {
                deliver(&mut state, &tx, &self.chain_id, h, t, Mode::Deliver)
            };
            match outcome {
                Err(_) => {
                    self.cache.remove(&tx.hash);
                    self.dropped.push(tx.hash.clone());
                }
                Ok(result) => {
                    if result.code == 0 {
                        for m in &tx.body.messages {
                            *self.executions.entry((tx.signer.clone(), m.type_url.clone(), m.value.clone())).or_default() += 1;
                        }
                    }
                    let i = self.txs.len();
                    self.by_hash.insert(tx.hash.clone(), i);
                    self.by_height.entry(h).or_default().push(i);
                    self.txs.push(IncludedTx {
                        height: h,
                        index,
                        time_nanos: t,
                        hash: tx.hash.clone(),
                        raw: tx.raw.clone(),
                        signer: tx.signer.clone(),
                        sequence: tx.sequence(),
                        code: result.code,
                        codespace: result.codespace,
                        raw_log: result.raw_log,
                        gas_wanted: result.gas_wanted,
                        gas_used: result.gas_used,
                        events: result.events,
                        messages: tx.body.messages.iter().map(|m| (m.type_url.clone(), m.value.clone())).collect(),
                        fee: tx.auth.fee.amount.clone(),
                        memo: tx.body.memo.clone(),
                    });
                    index += 1;
                }
            }
        }
        let mut events = bme::end_block(&mut state, h);
        events.extend(deployment::end_block(&mut state, h));
        if !events.is_empty() {
            self.block_events.insert(h, events);
        }
        self.height = h;
        self.committed = Rc::new(state);
        self.check = (*self.committed).clone();
        self.record_snapshot();
    }

    /// CheckTx: on success the tx is in the mempool. `keep` false runs every check but leaves
    /// the mempool as it was (a node that accepts and then loses the tx).
    #[allow(clippy::result_large_err)]
    pub fn check_tx(&mut self, raw: &[u8], keep: bool) -> Result<DecodedTx, (Failure, Option<Box<DecodedTx>>)> {
        let hash = tx_hash(raw);
        if self.cache.contains(&hash) {
            return Err((Failure::sdk(code::TX_IN_MEMPOOL_CACHE, ""), None));
        }
        let tx = decode_tx(raw).map_err(|f| (f, None))?;
        let mut branch = self.check.clone();
        let (h, t) = (self.height, self.block_time(self.height));
        if let Some(timeout) = self.timed_out.get(&hash) {
            // Refused at delivery as timed out: still timed out for every later block.
            return Err((timeout_height_failure(h, *timeout), Some(Box::new(tx))));
        }
        ante(&mut branch, &tx, &self.chain_id, h, t, Mode::Check, self.min_gas_price)
            .map_err(|(f, _)| (f, Some(Box::new(tx.clone()))))?;
        if keep {
            self.check = branch;
            self.cache.insert(hash);
            self.mempool.push(tx.clone());
        }
        Ok(tx)
    }

    /// `/simulate` against `state` (the CheckTx state, or a lagging node's): gas used and
    /// events, or the failure with the gas used until it.
    pub fn simulate(&self, raw: &[u8], state: Option<&State>) -> Result<TxResult, (Failure, u64)> {
        let tx = decode_tx(raw).map_err(|f| (f, 0))?;
        let mut branch = state.cloned().unwrap_or_else(|| self.check.clone());
        let (h, t) = (self.height, self.block_time(self.height));
        let r = deliver(&mut branch, &tx, &self.chain_id, h, t, Mode::Simulate)?;
        if r.code != 0 {
            return Err((Failure { codespace: "sdk", code: r.code, log: r.raw_log }, r.gas_used));
        }
        Ok(r)
    }
}

/// TxTimeoutHeightDecorator's refusal at `height` of a tx with timeout height `timeout`.
fn timeout_height_failure(height: u64, timeout: u64) -> Failure {
    Failure::sdk(code::TX_TIMEOUT_HEIGHT, format!("block height: {height}, timeout height: {timeout}: tx timeout height"))
}

/// Ante gas of a tx: fixed part plus its size.
pub fn ante_gas(tx: &DecodedTx) -> u64 {
    ANTE_BASE_GAS + GAS_PER_BYTE * tx.size_for_gas
}

/// The ante handler, in the SDK's decorator order. On error the caller drops `state`.
/// Returns the gas used and the ante events.
pub fn ante(
    state: &mut State,
    tx: &DecodedTx,
    chain_id: &str,
    height: u64,
    block_time: u64,
    mode: Mode,
    min_gas_price: (u128, u128),
) -> Result<(u64, Vec<Event>), (Failure, u64)> {
    let fail = |f: Failure| Err((f, 0));
    // ExtensionOptionsDecorator.
    if !tx.body.extension_options.is_empty() {
        return fail(Failure::sdk(code::UNKNOWN_EXTENSION_OPTIONS, "unknown extension options"));
    }
    // ValidateBasicDecorator.
    let sigs = &tx.tx_raw.signatures;
    if sigs.is_empty() {
        return fail(Failure::sdk(code::NO_SIGNATURES, "no signatures supplied"));
    }
    if sigs.len() != tx.signers.len() {
        return fail(Failure::sdk(
            code::UNAUTHORIZED,
            format!("wrong number of signers; expected {}, got {}: unauthorized", tx.signers.len(), sigs.len()),
        ));
    }
    let fee = &tx.auth.fee;
    if msgs::validate_coins(&fee.amount).is_err() {
        return fail(Failure::sdk(code::INSUFFICIENT_FEE, format!("invalid fee provided: {}: insufficient fee", coins_string(&fee.amount))));
    }
    // TxTimeoutHeightDecorator (height and, since SDK 0.53, timestamp).
    if tx.body.timeout_height > 0 && height > tx.body.timeout_height {
        return fail(timeout_height_failure(height, tx.body.timeout_height));
    }
    if let Some(ts) = tx.body.timeout_timestamp {
        if ts < block_time {
            return fail(Failure::sdk(
                code::TX_TIMEOUT,
                format!("block time: {}, timeout timestamp: {}: tx timeout", rfc3339(block_time), rfc3339(ts)),
            ));
        }
    }
    if tx.body.unordered {
        return fail(Failure::sdk(code::NOT_SUPPORTED, "unordered transactions are not enabled: not supported"));
    }
    // ValidateMemoDecorator.
    let chars = tx.body.memo.chars().count();
    if chars > MAX_MEMO_CHARS {
        return fail(Failure::sdk(
            code::MEMO_TOO_LARGE,
            format!("maximum number of characters is {MAX_MEMO_CHARS} but received {chars} characters: memo too large"),
        ));
    }
    // ConsumeGasForTxSizeDecorator (and the signature gas, counted in the fixed part).
    let gas = ante_gas(tx);
    if mode != Mode::Simulate && gas > fee.gas_limit {
        return Err((
            Failure::sdk(
                code::OUT_OF_GAS,
                format!("out of gas in location: txSize; gasWanted: {}, gasUsed: {gas}: out of gas", fee.gas_limit),
            ),
            gas,
        ));
    }
    let fail = |f: Failure| Err((f, gas));
    // DeductFeeDecorator.
    if mode == Mode::Check && min_gas_price.0 > 0 {
        let (num, den) = min_gas_price;
        let product = u128::from(fee.gas_limit) * num;
        let required = product / den + u128::from(product % den != 0);
        let got = fee.amount.iter().find(|c| c.denom == DENOM_UAKT).map(|c| c.amount).unwrap_or(0);
        if got < required {
            return fail(Failure::sdk(
                code::INSUFFICIENT_FEE,
                format!("insufficient fees; got: {} required: {required}{DENOM_UAKT}: insufficient fee", coins_string(&fee.amount)),
            ));
        }
    }
    let payer = if fee.payer.is_empty() { tx.signer.clone() } else { fee.payer.clone() };
    if !state.accounts.contains_key(&payer) {
        return fail(Failure::sdk(code::UNKNOWN_ADDRESS, format!("fee payer address: {payer} does not exist: unknown address")));
    }
    let mut deduct_from = payer.clone();
    if !fee.granter.is_empty() && fee.granter != payer {
        let key = (fee.granter.clone(), payer.clone());
        let wrap = |f: Failure| Failure { log: format!("{} does not allow to pay fees for {payer}: {}", fee.granter, f.log), ..f };
        let Some(allowance) = state.fee_grants.get_mut(&key) else {
            return fail(wrap(feegrant::not_found()));
        };
        match allowance.accept(&fee.amount, &tx.msg_types, block_time) {
            Ok(true) => {
                state.fee_grants.remove(&key);
            }
            Ok(false) => {}
            Err(f) => return fail(wrap(f)),
        }
        deduct_from = fee.granter.clone();
        if !state.accounts.contains_key(&deduct_from) {
            return fail(Failure::sdk(code::UNKNOWN_ADDRESS, format!("fee payer address: {deduct_from} does not exist: unknown address")));
        }
    }
    let mut events = Vec::new();
    let fee_amount: Vec<Coin> = fee.amount.iter().filter(|c| c.amount > 0).cloned().collect();
    if !fee_amount.is_empty() {
        match state.send(&deduct_from, &module_address(FEE_COLLECTOR), &fee_amount) {
            Ok(ev) => events.extend(ev),
            Err(f) => return fail(Failure { log: format!("{}: insufficient funds", f.log), ..f }),
        }
        events.push(Event::new("message", &[("sender", &deduct_from)]));
    }
    events.push(Event::new("tx", &[("fee", &coins_string(&fee.amount)), ("fee_payer", &deduct_from)]));
    // SetPubKeyDecorator.
    let si = tx.auth.signer_infos.first().cloned().unwrap_or_default();
    if tx.auth.signer_infos.len() != sigs.len() {
        return fail(Failure::sdk(
            code::UNAUTHORIZED,
            format!("invalid number of signer;  expected: {}, got {}: unauthorized", sigs.len(), tx.auth.signer_infos.len()),
        ));
    }
    let Some(acc) = state.accounts.get_mut(&tx.signer) else {
        return fail(Failure::sdk(code::UNKNOWN_ADDRESS, format!("account {} does not exist: unknown address", tx.signer)));
    };
    if let Some(pk) = &si.public_key {
        if pk.type_url != proto::SECP256K1_PUBKEY {
            return fail(Failure::sdk(code::INVALID_PUBKEY, format!("unsupported public key type {}: invalid pubkey", pk.type_url)));
        }
        let bytes = proto::decode_pubkey(&pk.value).map_err(|e| (Failure::parse(e), gas))?;
        let key = if bytes.len() == 33 { PublicKey::from_sec1(&bytes).ok() } else { None };
        let Some(key) = key else {
            return fail(Failure::sdk(code::INVALID_PUBKEY, "invalid secp256k1 public key: invalid pubkey"));
        };
        if address::address_of(&key) != tx.signer {
            return fail(Failure::sdk(
                code::INVALID_PUBKEY,
                format!("pubKey does not match signer address {} with signer index: 0: invalid pubkey", tx.signer),
            ));
        }
        if acc.pub_key.is_none() {
            acc.pub_key = Some(key);
        }
    }
    // SigVerificationDecorator: sequence, then signature.
    if acc.pub_key.is_none() && mode != Mode::Simulate {
        return fail(Failure::sdk(code::INVALID_PUBKEY, "pubkey on account is not set: invalid pubkey"));
    }
    if si.sequence != acc.sequence {
        return fail(Failure::sdk(
            code::WRONG_SEQUENCE,
            format!("account sequence mismatch, expected {}, got {}: incorrect account sequence", acc.sequence, si.sequence),
        ));
    }
    if mode != Mode::Simulate {
        let verification_failed = || {
            Failure::sdk(
                code::UNAUTHORIZED,
                format!(
                    "signature verification failed; please verify account number ({}) and chain-id ({chain_id}): unauthorized",
                    acc.account_number
                ),
            )
        };
        let doc = proto::sign_doc(&tx.tx_raw.body_bytes, &tx.tx_raw.auth_info_bytes, chain_id, acc.account_number);
        let digest: [u8; 32] = Sha256::digest(&doc).into();
        let sig: Option<[u8; 64]> = sigs[0].as_slice().try_into().ok();
        let ok = si.mode == Some(SIGN_MODE_DIRECT)
            && sig.is_some_and(|s| acc.pub_key.expect("checked above").verify_digest(&digest, &s).is_ok());
        if !ok {
            return fail(verification_failed());
        }
    }
    // IncrementSequenceDecorator.
    let seq = acc.sequence;
    acc.sequence += 1;
    events.push(Event::new("tx", &[("acc_seq", &format!("{}/{seq}", tx.signer))]));
    use base64::Engine;
    events.push(Event::new("tx", &[("signature", &base64::engine::general_purpose::STANDARD.encode(&sigs[0]))]));
    Ok((gas, events))
}

/// Runs a tx: the ante handler (whose failure means the tx is not included: `Err`), then its
/// messages atomically. A message failure or running out of gas keeps the fee and the sequence
/// increment and reverts the messages.
pub fn deliver(
    state: &mut State,
    tx: &DecodedTx,
    chain_id: &str,
    height: u64,
    time_nanos: u64,
    mode: Mode,
) -> Result<TxResult, (Failure, u64)> {
    let mut after_ante = state.clone();
    let (mut gas, ante_events) = ante(&mut after_ante, tx, chain_id, height, time_nanos, mode, (0, 1))?;
    *state = after_ante;
    let gas_wanted = if mode == Mode::Simulate { SIMULATE_GAS_WANTED } else { tx.auth.fee.gas_limit };
    let mut branch = state.clone();
    let mut events = ante_events.clone();
    let failed = |f: Failure, gas: u64| TxResult {
        code: f.code,
        codespace: f.codespace.to_string(),
        raw_log: f.log,
        gas_wanted,
        gas_used: gas,
        events: ante_events.clone(),
    };
    for (i, m) in tx.body.messages.iter().enumerate() {
        let kind = msgs::find(&m.type_url).expect("BUG: decode_tx checked the type URL");
        gas += kind.gas(&m.value);
        if mode != Mode::Simulate && gas > tx.auth.fee.gas_limit {
            let f = Failure::sdk(
                code::OUT_OF_GAS,
                format!("out of gas in location: {}; gasWanted: {}, gasUsed: {gas}: out of gas", kind.module(), tx.auth.fee.gas_limit),
            );
            return Ok(failed(f, gas));
        }
        let mut ctx = ExecCtx { state: &mut branch, signer: &tx.signer, height, time_nanos, msg_index: i, events: Vec::new() };
        ctx.emit("message", &[("action", &m.type_url), ("sender", &tx.signer), ("module", kind.module())]);
        if let Err(f) = kind.execute(&m.value, &mut ctx) {
            let f = Failure { log: format!("failed to execute message; message index: {i}: {}", f.log), ..f };
            return Ok(failed(f, gas));
        }
        events.extend(ctx.events);
    }
    *state = branch;
    Ok(TxResult { code: 0, codespace: String::new(), raw_log: String::new(), gas_wanted, gas_used: gas, events })
}
