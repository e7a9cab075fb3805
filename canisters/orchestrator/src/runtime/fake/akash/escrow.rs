//! The escrow module (`akash.escrow.v1`): one account per deployment (`deployment` scope, xid
//! `{owner}/{dseq}`) holding its deposits in the escrow module account, and one payment per lease
//! (xid `{gseq}/{oseq}/{provider}/{bseq}`) drawing its rate every block.
//!
//! Model (deterministic, exact): amounts are `LegacyDec` atomics (10^18 per unit). Every block,
//! each open payment accrues `rate` from the account's `funds` into its `balance` (and the
//! account's `transferred`); the integer part of a payment's balance is withdrawn to the provider
//! at once (as a provider's withdrawal would, the fraction stays in the balance). A block the
//! funds cannot pay in full is not paid: the account is overdrawn (the deployment module then
//! closes everything, see [`super::deployment`]). Closing an account refunds the integer part of
//! its funds to the depositors in proportion to what each deposited (largest remainder, ties in
//! deposit order); fractions below one unit stay in the module as dust.
//!
//! Deposits come from a `balance` source (the signer's bank balance) or a `grant` source (the
//! balance of a granter whose `DepositAuthorization` to the signer covers the amount: its spend
//! limit decreases, and the granter is recorded as the depositor, so refunds go back to it). The
//! sources are tried in the order listed; the first that covers the whole amount pays.

use super::authz::{Authorization, MSG_ACCOUNT_DEPOSIT};
use super::bank::coin_json;
use super::bme::{dec_string, DEC_ONE};
use super::chain::{module_address, State, DENOM_UACT};
use super::market::BidId;
use super::msgs::{self, code, ExecCtx, Failure, MsgKind};
use super::proto::{decode_coin, push_enum, Coin};
use super::wire::{Reader, Writer};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const MSG_ACCOUNT_DEPOSIT_URL: &str = MSG_ACCOUNT_DEPOSIT;
pub const ESCROW_MODULE: &str = "escrow";
pub const SOURCE_BALANCE: i32 = 1;
pub const SOURCE_GRANT: i32 = 2;
pub const SCOPE_DEPLOYMENT: i32 = 1;
pub const SCOPE_BID: i32 = 2;
pub const SOURCE_NAMES: &[&str] = &["invalid", "balance", "grant"];
pub const SCOPE_NAMES: &[&str] = &["invalid", "deployment", "bid"];

/// Codespace "escrow" codes used by the model (distinct and stable; not the node's numbers).
pub const CODE_ACCOUNT_NOT_FOUND: u32 = 3;
pub const CODE_ACCOUNT_CLOSED: u32 = 4;
pub const CODE_INVALID_DENOM: u32 = 6;
pub const CODE_NO_GRANT: u32 = 9;

/// State of an account or a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscrowStatus {
    Open,
    Closed,
    Overdrawn,
}

impl EscrowStatus {
    pub fn name(self) -> &'static str {
        match self {
            EscrowStatus::Open => "open",
            EscrowStatus::Closed => "closed",
            EscrowStatus::Overdrawn => "overdrawn",
        }
    }
}

/// One deposit into an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Depositor {
    /// Who paid (the granter for a grant deposit): refunds go here.
    pub owner: String,
    pub height: u64,
    /// [`SOURCE_BALANCE`] or [`SOURCE_GRANT`].
    pub source: i32,
    /// Whole units deposited.
    pub amount: u128,
}

/// A deployment's escrow account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscrowAccount {
    pub owner: String,
    pub dseq: u64,
    pub state: EscrowStatus,
    pub denom: String,
    /// Unspent funds, in atomics.
    pub funds: u128,
    /// Paid to payments so far, in atomics.
    pub transferred: u128,
    pub settled_at: u64,
    pub deposits: Vec<Depositor>,
    /// (depositor, whole units) refunded when the account closed.
    pub refunds: Vec<(String, u128)>,
}

impl EscrowAccount {
    pub fn xid(&self) -> String {
        format!("{}/{}", self.owner, self.dseq)
    }

    pub fn deposited(&self) -> u128 {
        self.deposits.iter().map(|d| d.amount).sum()
    }
}

/// A lease's payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// The provider.
    pub owner: String,
    pub state: EscrowStatus,
    pub denom: String,
    /// Per block, in atomics.
    pub rate: u128,
    /// Accrued and not withdrawn (below one unit after every block), in atomics.
    pub balance: u128,
    /// Whole units withdrawn to the provider.
    pub withdrawn: u128,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EscrowState {
    /// (owner, dseq) → account.
    pub accounts: BTreeMap<(String, u64), EscrowAccount>,
    /// Lease id → payment.
    pub payments: BTreeMap<BidId, Payment>,
}

pub fn escrow_address() -> String {
    module_address(ESCROW_MODULE)
}

/// `akash.base.deposit.v1.Deposit`: (amount, sources).
pub fn decode_deposit(b: &[u8]) -> Result<(Option<Coin>, Vec<i32>), Failure> {
    let (mut amount, mut sources) = (None, Vec::new());
    Reader::each(b, "akash.base.deposit.v1.Deposit", true, |f, v| {
        match f {
            1 => amount = Some(decode_coin(v.bytes("amount")?)?),
            5 => push_enum(v, &mut sources, "sources")?,
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    Ok((amount, sources))
}

pub fn encode_deposit(amount: &Coin, sources: &[i32]) -> Writer {
    let mut w = Writer::new();
    w.message(1, &amount.encode());
    for s in sources {
        w.uint_always(5, *s as u64);
    }
    w
}

/// `Deposit.ValidateBasic`: a positive valid coin, sources non-empty, known, without repeats.
pub fn validate_deposit(amount: &Option<Coin>, sources: &[i32]) -> Result<Coin, Failure> {
    let Some(c) = amount else {
        return Err(Failure::sdk(code::INVALID_COINS, "deposit amount cannot be empty: invalid coins"));
    };
    msgs::validate_coins(std::slice::from_ref(c)).map_err(|e| Failure::sdk(code::INVALID_COINS, format!("deposit: {e}: invalid coins")))?;
    if sources.is_empty() {
        return Err(Failure::invalid_request("deposit sources cannot be empty"));
    }
    for (i, s) in sources.iter().enumerate() {
        if !(1..=2).contains(s) || sources[..i].contains(s) {
            return Err(Failure::invalid_request(format!("invalid deposit source {s}")));
        }
    }
    Ok(c.clone())
}

pub fn deposit_json(amount: &Option<Coin>, sources: &[i32]) -> Value {
    json!({
        "amount": amount.as_ref().map(coin_json),
        "sources": sources.iter().map(|s| SOURCE_NAMES.get(*s as usize).copied().unwrap_or("invalid")).collect::<Vec<_>>(),
    })
}

/// Takes `coin` from the first of `sources` that covers it into the escrow module, for a deposit
/// signed by `signer`. Returns the depositor and the source used.
pub fn fund(ctx: &mut ExecCtx<'_>, signer: &str, coin: &Coin, sources: &[i32]) -> Result<(String, i32), Failure> {
    let module = escrow_address();
    let mut first_failure = None;
    for &source in sources {
        match source {
            SOURCE_BALANCE => {
                let have = ctx.state.balance(signer, &coin.denom);
                if have >= coin.amount {
                    ctx.send(signer, &module, std::slice::from_ref(coin))?;
                    return Ok((signer.to_string(), SOURCE_BALANCE));
                }
                first_failure.get_or_insert(Failure::insufficient_funds(have, coin.amount, &coin.denom));
            }
            SOURCE_GRANT => {
                let now = ctx.time_nanos;
                let state = &*ctx.state;
                let found = state.authz_grants.iter().find_map(|((granter, grantee, url), g)| {
                    let Authorization::Deposit { spend_limit, scopes } = &g.authorization else { return None };
                    let covers = grantee == signer
                        && url == MSG_ACCOUNT_DEPOSIT
                        && g.is_live(now)
                        && scopes.contains(&SCOPE_DEPLOYMENT)
                        && spend_limit.denom == coin.denom
                        && spend_limit.amount >= coin.amount
                        && state.balance(granter, &coin.denom) >= coin.amount;
                    covers.then(|| granter.clone())
                });
                let Some(granter) = found else {
                    first_failure.get_or_insert(Failure::new(
                        "escrow",
                        CODE_NO_GRANT,
                        format!("no deposit authorization to {signer} covers {coin}: unauthorized"),
                    ));
                    continue;
                };
                let key = (granter.clone(), signer.to_string(), MSG_ACCOUNT_DEPOSIT.to_string());
                let grant = ctx.state.authz_grants.get_mut(&key).expect("found above");
                if let Authorization::Deposit { spend_limit, .. } = &mut grant.authorization {
                    spend_limit.amount -= coin.amount;
                    if spend_limit.amount == 0 {
                        ctx.state.authz_grants.remove(&key);
                    }
                }
                ctx.send(&granter, &module, std::slice::from_ref(coin))?;
                return Ok((granter, SOURCE_GRANT));
            }
            _ => {}
        }
    }
    Err(first_failure.unwrap_or_else(|| Failure::invalid_request("no deposit source")))
}

/// Charges the open payments of account `key` for the blocks up to `height`, withdrawing whole
/// units to the providers. Returns `true` when a block could not be paid (the account is then
/// overdrawn, settled at `height`; the caller closes the deployment).
pub fn settle(state: &mut State, key: &(String, u64), height: u64) -> bool {
    let Some(acc) = state.escrow.accounts.get(key) else { return false };
    if acc.state != EscrowStatus::Open || height <= acc.settled_at {
        return false;
    }
    let blocks = u128::from(height - acc.settled_at);
    let (owner, dseq) = key.clone();
    let ids: Vec<BidId> = state
        .escrow
        .payments
        .range(BidId::first_of(&owner, dseq)..)
        .take_while(|(id, _)| id.owner == owner && id.dseq == dseq)
        .filter(|(_, p)| p.state == EscrowStatus::Open)
        .map(|(id, _)| id.clone())
        .collect();
    let total_rate: u128 = ids.iter().map(|id| state.escrow.payments[id].rate).sum();
    let acc = state.escrow.accounts.get_mut(key).expect("checked above");
    let paid = acc.funds.checked_div(total_rate).map_or(blocks, |b| b.min(blocks));
    acc.funds -= total_rate * paid;
    acc.transferred += total_rate * paid;
    acc.settled_at = height;
    let denom = acc.denom.clone();
    let module = escrow_address();
    for id in &ids {
        let p = state.escrow.payments.get_mut(id).expect("listed above");
        p.balance += p.rate * paid;
        let whole = p.balance / DEC_ONE;
        p.balance -= whole * DEC_ONE;
        p.withdrawn += whole;
        let provider = p.owner.clone();
        if whole > 0 {
            state.move_coins(&module, &provider, &Coin::new(whole, &denom)).expect("BUG: the escrow module holds the deposits");
        }
    }
    paid < blocks
}

/// Closes payment `id` (after a settlement): no more accrual.
pub fn close_payment(state: &mut State, id: &BidId, status: EscrowStatus) {
    if let Some(p) = state.escrow.payments.get_mut(id) {
        if p.state == EscrowStatus::Open {
            p.state = status;
        }
    }
}

/// Closes account `key` with `status` and refunds the whole units of its funds to the
/// depositors in proportion to their deposits. Returns the refunds.
pub fn close_account(state: &mut State, key: &(String, u64), status: EscrowStatus) -> Vec<(String, u128)> {
    let Some(acc) = state.escrow.accounts.get_mut(key) else { return Vec::new() };
    if acc.state != EscrowStatus::Open {
        return Vec::new();
    }
    acc.state = status;
    let refundable = acc.funds / DEC_ONE;
    // Weights per depositor, in order of first deposit.
    let mut weights: Vec<(String, u128)> = Vec::new();
    for d in &acc.deposits {
        match weights.iter_mut().find(|(o, _)| *o == d.owner) {
            Some((_, w)) => *w += d.amount,
            None => weights.push((d.owner.clone(), d.amount)),
        }
    }
    let total: u128 = weights.iter().map(|(_, w)| w).sum();
    let mut shares: Vec<(String, u128, u128)> = weights
        .iter()
        .map(|(o, w)| (o.clone(), mul_div(refundable, *w, total), mul_rem(refundable, *w, total)))
        .collect();
    let given: u128 = shares.iter().map(|s| s.1).sum();
    let mut left = refundable - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    acc.funds -= refundable * DEC_ONE;
    let denom = acc.denom.clone();
    let refunds: Vec<(String, u128)> = shares.into_iter().filter(|s| s.1 > 0).map(|s| (s.0, s.1)).collect();
    acc.refunds = refunds.clone();
    let module = escrow_address();
    for (to, amount) in &refunds {
        state.move_coins(&module, to, &Coin::new(*amount, &denom)).expect("BUG: the escrow module holds the deposits");
    }
    refunds
}

/// `a × b / c` rounded down without overflow for the amounts in play (`a`, `b` below 2^64 each
/// in practice; falls back to 128-bit splitting otherwise).
fn mul_div(a: u128, b: u128, c: u128) -> u128 {
    if c == 0 {
        return 0;
    }
    match a.checked_mul(b) {
        Some(p) => p / c,
        None => (a / c) * b + (a % c) * b / c,
    }
}

fn mul_rem(a: u128, b: u128, c: u128) -> u128 {
    if c == 0 {
        return 0;
    }
    match a.checked_mul(b) {
        Some(p) => p % c,
        None => ((a % c) * b) % c,
    }
}

/// The block at which account `key` will fail to pay (its open payments need more than its
/// funds), if it has open payments.
pub fn overdraw_height(state: &State, acc: &EscrowAccount) -> Option<u64> {
    if acc.state != EscrowStatus::Open {
        return None;
    }
    let rate: u128 = state
        .escrow
        .payments
        .range(BidId::first_of(&acc.owner, acc.dseq)..)
        .take_while(|(id, _)| id.owner == acc.owner && id.dseq == acc.dseq)
        .filter(|(_, p)| p.state == EscrowStatus::Open)
        .map(|(_, p)| p.rate)
        .sum();
    if rate == 0 {
        return None;
    }
    let blocks = u64::try_from(acc.funds / rate).unwrap_or(u64::MAX / 2);
    Some(acc.settled_at.saturating_add(blocks).saturating_add(1))
}

// ---------------------------------------------------------------------------------------------
// JSON

pub fn dec_coin_json(atomics: u128, denom: &str) -> Value {
    json!({"denom": denom, "amount": dec_string(atomics)})
}

/// `akash.escrow.types.v1.Account`.
pub fn account_json(acc: &EscrowAccount) -> Value {
    let total = acc.deposited();
    json!({
        "id": {"scope": "deployment", "xid": acc.xid()},
        "state": {
            "owner": acc.owner,
            "state": acc.state.name(),
            "transferred": [dec_coin_json(acc.transferred, &acc.denom)],
            "settled_at": acc.settled_at.to_string(),
            "funds": [dec_coin_json(acc.funds, &acc.denom)],
            "deposits": acc.deposits.iter().map(|d| json!({
                "owner": d.owner,
                "height": d.height.to_string(),
                "source": SOURCE_NAMES[d.source as usize],
                "balance": dec_coin_json(mul_div(acc.funds, d.amount, total), &acc.denom),
                "direct": false,
            })).collect::<Vec<_>>(),
        }
    })
}

/// `akash.escrow.types.v1.Payment`.
pub fn payment_json(id: &BidId, p: &Payment) -> Value {
    json!({
        "id": {
            "aid": {"scope": "deployment", "xid": format!("{}/{}", id.owner, id.dseq)},
            "xid": format!("{}/{}/{}/{}", id.gseq, id.oseq, id.provider, id.bseq),
        },
        "state": {
            "owner": p.owner,
            "state": p.state.name(),
            "rate": dec_coin_json(p.rate, &p.denom),
            "balance": dec_coin_json(p.balance, &p.denom),
            "unsettled": dec_coin_json(0, &p.denom),
            "withdrawn": coin_json(&Coin::new(p.withdrawn, &p.denom)),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// MsgAccountDeposit

pub struct MsgAccountDeposit {
    pub signer: String,
    pub scope: i32,
    pub xid: String,
    pub amount: Option<Coin>,
    pub sources: Vec<i32>,
}

impl MsgAccountDeposit {
    pub fn decode(b: &[u8]) -> Result<Self, Failure> {
        let mut m = MsgAccountDeposit { signer: String::new(), scope: 0, xid: String::new(), amount: None, sources: Vec::new() };
        let mut dep = None;
        Reader::each(b, "akash.escrow.v1.MsgAccountDeposit", true, |f, v| {
            match f {
                1 => m.signer = v.string("signer")?,
                2 => {
                    Reader::each(v.bytes("id")?, "akash.escrow.id.v1.Account", true, |f, v| {
                        match f {
                            1 => m.scope = v.varint("scope")? as i32,
                            2 => m.xid = v.string("xid")?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                3 => dep = Some(v.bytes("deposit")?.to_vec()),
                _ => return Ok(false),
            }
            Ok(true)
        })
        .map_err(Failure::parse)?;
        if let Some(d) = dep {
            let (a, s) = decode_deposit(&d)?;
            m.amount = a;
            m.sources = s;
        }
        Ok(m)
    }
}

/// Parses a deployment xid `{owner}/{dseq}`.
pub fn parse_xid(xid: &str) -> Option<(String, u64)> {
    let (owner, dseq) = xid.split_once('/')?;
    let dseq: u64 = dseq.parse().ok()?;
    (dseq > 0 && ic_akash::address::validate(owner).is_ok()).then(|| (owner.to_string(), dseq))
}

pub struct MsgAccountDepositKind;

impl MsgKind for MsgAccountDepositKind {
    fn type_url(&self) -> &'static str {
        MSG_ACCOUNT_DEPOSIT
    }
    fn module(&self) -> &'static str {
        "escrow"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let m = MsgAccountDeposit::decode(value)?;
        msgs::check_address("signer", &m.signer)?;
        if !(1..=2).contains(&m.scope) {
            return Err(Failure::invalid_request(format!("invalid escrow account scope {}", m.scope)));
        }
        if m.xid.is_empty() {
            return Err(Failure::invalid_request("escrow account xid cannot be empty"));
        }
        validate_deposit(&m.amount, &m.sources)?;
        Ok(m.signer)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        40_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let m = MsgAccountDeposit::decode(value)?;
        let coin = m.amount.clone().expect("validated");
        let not_found = || Failure::new("escrow", CODE_ACCOUNT_NOT_FOUND, format!("account {}: escrow account not found", m.xid));
        if m.scope != SCOPE_DEPLOYMENT {
            return Err(not_found());
        }
        let key = parse_xid(&m.xid).ok_or_else(not_found)?;
        let acc = ctx.state.escrow.accounts.get(&key).ok_or_else(not_found)?;
        if acc.state != EscrowStatus::Open {
            return Err(Failure::new("escrow", CODE_ACCOUNT_CLOSED, format!("account {}: escrow account closed", m.xid)));
        }
        if coin.denom != acc.denom {
            return Err(Failure::new(
                "escrow",
                CODE_INVALID_DENOM,
                format!("deposit denom {} does not match the account's {}: invalid denomination", coin.denom, acc.denom),
            ));
        }
        let (depositor, source) = fund(ctx, &m.signer, &coin, &m.sources)?;
        let height = ctx.height;
        let acc = ctx.state.escrow.accounts.get_mut(&key).expect("checked above");
        acc.funds += coin.amount * DEC_ONE;
        acc.deposits.push(Depositor { owner: depositor, height, source, amount: coin.amount });
        ctx.emit("message", &[("sender", &m.signer)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match MsgAccountDeposit::decode(value) {
            Ok(m) => json!({
                "signer": m.signer,
                "id": {"scope": SCOPE_NAMES.get(m.scope as usize).copied().unwrap_or("invalid"), "xid": m.xid},
                "deposit": deposit_json(&m.amount, &m.sources),
            }),
            Err(_) => json!({}),
        }
    }
}

/// The only denom deployments are funded and priced in since node v2.0.
pub const DEPLOYMENT_DENOM: &str = DENOM_UACT;
