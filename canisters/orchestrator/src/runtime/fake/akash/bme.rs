//! The burn-mint equilibrium module (`akash.bme.v1`): `MsgMintACT` moves the burned AKT into the
//! module and leaves a pending ledger record; at each epoch boundary (every `epoch_blocks`
//! blocks) the EndBlocker executes pending records at the oracle price unless minting is halted.
//! As on the node: a request while the circuit breaker is tripped fails; a record whose output
//! truncates to zero, or falls below `min_mint`, is canceled and the AKT refunded.

use super::bank::coin_json;
use super::chain::{module_address, State, BME_MODULE, DENOM_UACT, DENOM_UAKT};
use super::msgs::{self, code, Event, ExecCtx, Failure, MsgKind};
use super::proto::{decode_coin, Coin};
use super::wire::{Reader, Writer};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const MSG_MINT_ACT: &str = "/akash.bme.v1.MsgMintACT";
/// Codespace "bme" codes used by the model (the node registers its own numbers; the model only
/// needs them distinct and stable).
pub const CODE_INVALID_DENOM: u32 = 3;
pub const CODE_CIRCUIT_BREAKER: u32 = 10;

/// 10^18: the atomics of 1 in a `LegacyDec`.
pub const DEC_ONE: u128 = 1_000_000_000_000_000_000;

/// `akash.bme.v1.LedgerRecordID` (ordered as the node's store key orders records).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LedgerId {
    pub denom: String,
    pub to_denom: String,
    pub source: String,
    pub height: u64,
    pub sequence: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRecord {
    pub owner: String,
    pub to: String,
    pub coins_to_burn: Coin,
    pub denom_to_mint: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutedRecord {
    pub burned_from: String,
    pub minted_to: String,
    /// The AKT burned, with the AKT price (as `remint_credit_accrued`: the node records an AKT
    /// burn there and leaves `burned` empty).
    pub burned: Coin,
    pub burned_price: u128,
    /// The full amount minted (the owner received `minted - spread`).
    pub minted: Coin,
    pub minted_price: u128,
    pub spread: Coin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanceledRecord {
    pub owner: String,
    pub to: String,
    /// `epsilon` (output truncates to zero) or `minimum_mint`.
    pub cancel_reason: String,
    pub coins_to_burn: Coin,
    pub denom_to_mint: String,
}

/// One ledger record in any state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerRecord {
    Pending(PendingRecord),
    Executed(ExecutedRecord),
    Canceled(CanceledRecord),
}

impl LedgerRecord {
    pub fn status_name(&self) -> &'static str {
        match self {
            LedgerRecord::Pending(_) => "ledger_record_status_pending",
            LedgerRecord::Executed(_) => "ledger_record_status_executed",
            LedgerRecord::Canceled(_) => "ledger_record_status_canceled",
        }
    }
}

/// Status filter values the ledger query accepts (exact enum names, else InvalidArgument).
pub const STATUS_NAMES: &[&str] =
    &["ledger_record_status_pending", "ledger_record_status_executed", "ledger_record_status_canceled"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BmeState {
    /// AKT price in ACT (ACT is $1), as `LegacyDec` atomics: 0.6543 is 654_300_000_000_000_000.
    pub price_atomics: u128,
    /// Circuit breaker tripped: `MsgMintACT` fails and pending records wait.
    pub halted: bool,
    pub epoch_blocks: u64,
    pub mint_spread_bps: u32,
    /// Smallest uact output a mint may have (smaller ones are canceled and refunded).
    pub min_mint_uact: u128,
    pub pending: BTreeMap<LedgerId, PendingRecord>,
    pub executed: BTreeMap<LedgerId, ExecutedRecord>,
    pub canceled: BTreeMap<LedgerId, CanceledRecord>,
    /// Ledger sequence within the current block (the node resets it to 1 in BeginBlocker).
    pub sequence: u64,
    pub total_minted_uact: u128,
    pub total_burned_uakt: u128,
}

impl Default for BmeState {
    fn default() -> Self {
        BmeState {
            price_atomics: 600_000_000_000_000_000,
            halted: false,
            epoch_blocks: 10,
            mint_spread_bps: 0,
            min_mint_uact: 0,
            pending: BTreeMap::new(),
            executed: BTreeMap::new(),
            canceled: BTreeMap::new(),
            sequence: 1,
            total_minted_uact: 0,
            total_burned_uakt: 0,
        }
    }
}

impl BmeState {
    /// Every record, pending first, then executed, then canceled (the node's scan order).
    pub fn records(&self) -> Vec<(LedgerId, LedgerRecord)> {
        let p = self.pending.iter().map(|(k, v)| (k.clone(), LedgerRecord::Pending(v.clone())));
        let e = self.executed.iter().map(|(k, v)| (k.clone(), LedgerRecord::Executed(v.clone())));
        let c = self.canceled.iter().map(|(k, v)| (k.clone(), LedgerRecord::Canceled(v.clone())));
        p.chain(e).chain(c).collect()
    }

    /// Whether an epoch at some later height would change anything.
    pub fn has_work(&self) -> bool {
        !self.halted && !self.pending.is_empty()
    }
}

/// `LegacyDec` text of atomics: `0.654300000000000000`.
pub fn dec_string(atomics: u128) -> String {
    format!("{}.{:018}", atomics / DEC_ONE, atomics % DEC_ONE)
}

/// `akash.bme.v1.MsgMintACT`.
pub struct MsgMintAct {
    pub owner: String,
    pub to: String,
    pub coins_to_burn: Option<Coin>,
}

impl MsgMintAct {
    pub fn decode(b: &[u8]) -> Result<Self, Failure> {
        let mut m = MsgMintAct { owner: String::new(), to: String::new(), coins_to_burn: None };
        Reader::each(b, "akash.bme.v1.MsgMintACT", true, |f, v| {
            match f {
                1 => m.owner = v.string("owner")?,
                2 => m.to = v.string("to")?,
                3 => m.coins_to_burn = Some(decode_coin(v.bytes("coins_to_burn")?)?),
                _ => return Ok(false),
            }
            Ok(true)
        })
        .map_err(Failure::parse)?;
        Ok(m)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.string(1, &self.owner).string(2, &self.to);
        if let Some(c) = &self.coins_to_burn {
            w.message(3, &c.encode());
        }
        w.finish()
    }
}

pub struct MsgMintActKind;

impl MsgKind for MsgMintActKind {
    fn type_url(&self) -> &'static str {
        MSG_MINT_ACT
    }
    fn module(&self) -> &'static str {
        "bme"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let m = MsgMintAct::decode(value)?;
        msgs::check_address("owner", &m.owner)?;
        msgs::check_address("to", &m.to)?;
        if m.to != m.owner {
            return Err(Failure::invalid_request("to must be the same as owner when minting ACT"));
        }
        let Some(c) = &m.coins_to_burn else {
            return Err(Failure::sdk(code::INVALID_COINS, "coins to burn must be set: invalid coins"));
        };
        msgs::validate_coins(std::slice::from_ref(c)).map_err(|e| Failure::sdk(code::INVALID_COINS, format!("invalid coins: {e}: invalid coins")))?;
        Ok(m.owner)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        45_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let m = MsgMintAct::decode(value)?;
        let burn = m.coins_to_burn.expect("validated");
        if burn.denom != DENOM_UAKT {
            return Err(Failure::new("bme", CODE_INVALID_DENOM, format!("invalid swap route {} -> {DENOM_UACT}: invalid denom", burn.denom)));
        }
        if ctx.state.bme.halted {
            return Err(Failure::new("bme", CODE_CIRCUIT_BREAKER, "circuit breaker is active"));
        }
        let id = LedgerId {
            denom: burn.denom.clone(),
            to_denom: DENOM_UACT.into(),
            source: m.owner.clone(),
            height: ctx.height,
            sequence: ctx.state.bme.sequence,
        };
        ctx.send(&m.owner, &module_address(BME_MODULE), std::slice::from_ref(&burn))?;
        ctx.state.bme.sequence += 1;
        ctx.state.bme.pending.insert(
            id,
            PendingRecord { owner: m.owner.clone(), to: m.to, coins_to_burn: burn, denom_to_mint: DENOM_UACT.into() },
        );
        ctx.emit("message", &[("sender", &m.owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match MsgMintAct::decode(value) {
            Ok(m) => json!({"owner": m.owner, "to": m.to, "coins_to_burn": m.coins_to_burn.as_ref().map(coin_json)}),
            Err(_) => json!({}),
        }
    }
}

/// EndBlocker: at an epoch boundary, executes the pending AKT→ACT records in key order.
pub fn end_block(state: &mut State, height: u64) -> Vec<Event> {
    let mut events = Vec::new();
    let bme = &state.bme;
    if bme.halted || bme.epoch_blocks == 0 || !height.is_multiple_of(bme.epoch_blocks) || bme.pending.is_empty() {
        return events;
    }
    let module = module_address(BME_MODULE);
    let price = bme.price_atomics;
    let spread_bps = u128::from(bme.mint_spread_bps);
    let min_mint = bme.min_mint_uact;
    let pending: Vec<(LedgerId, PendingRecord)> = std::mem::take(&mut state.bme.pending).into_iter().collect();
    for (id, rec) in pending {
        let amount = rec.coins_to_burn.amount;
        let minted = amount.checked_mul(price).map(|p| p / DEC_ONE).unwrap_or(u128::MAX / DEC_ONE);
        let cancel = if minted == 0 {
            Some("epsilon")
        } else if minted < min_mint {
            Some("minimum_mint")
        } else {
            None
        };
        if let Some(reason) = cancel {
            state.move_coins(&module, &rec.owner, &rec.coins_to_burn).expect("BUG: the module holds pending burns");
            state.bme.canceled.insert(
                id,
                CanceledRecord {
                    owner: rec.owner,
                    to: rec.to,
                    cancel_reason: reason.into(),
                    coins_to_burn: rec.coins_to_burn,
                    denom_to_mint: rec.denom_to_mint,
                },
            );
            continue;
        }
        let spread = minted * spread_bps / 10_000;
        state.burn(&module, &rec.coins_to_burn).expect("BUG: the module holds pending burns");
        state.mint(&module, &Coin::new(minted, DENOM_UACT));
        state.move_coins(&module, &rec.to, &Coin::new(minted - spread, DENOM_UACT)).expect("BUG: just minted");
        state.bme.total_burned_uakt += amount;
        state.bme.total_minted_uact += minted;
        events.push(Event::new(
            "akash.bme.v1.EventLedgerRecordExecuted",
            &[("burned_from", &rec.owner), ("minted_to", &rec.to), ("minted", &format!("{minted}{DENOM_UACT}"))],
        ));
        state.bme.executed.insert(
            id,
            ExecutedRecord {
                burned_from: rec.owner,
                minted_to: rec.to,
                burned: rec.coins_to_burn,
                burned_price: price,
                minted: Coin::new(minted, DENOM_UACT),
                minted_price: DEC_ONE,
                spread: Coin::new(spread, DENOM_UACT),
            },
        );
    }
    events
}

/// The JSON of one ledger entry (`QueryLedgerRecordEntry`).
pub fn record_json(id: &LedgerId, rec: &LedgerRecord, minted_bonus: u128) -> Value {
    let mut v = json!({
        "id": {
            "denom": id.denom,
            "to_denom": id.to_denom,
            "source": id.source,
            "height": id.height.to_string(),
            "sequence": id.sequence.to_string(),
        },
        "status": rec.status_name(),
    });
    let obj = v.as_object_mut().expect("object");
    match rec {
        LedgerRecord::Pending(p) => {
            obj.insert(
                "pending_record".into(),
                json!({
                    "owner": p.owner,
                    "to": p.to,
                    "coins_to_burn": coin_json(&p.coins_to_burn),
                    "denom_to_mint": p.denom_to_mint,
                }),
            );
        }
        LedgerRecord::Executed(e) => {
            let minted = Coin::new(e.minted.amount + minted_bonus, &e.minted.denom);
            obj.insert(
                "executed_record".into(),
                json!({
                    "burned_from": e.burned_from,
                    "minted_to": e.minted_to,
                    "burner": BME_MODULE,
                    "minter": BME_MODULE,
                    "burned": null,
                    "minted": {"coin": coin_json(&minted), "price": dec_string(e.minted_price)},
                    "spread": coin_json(&e.spread),
                    "remint_credit_issued": null,
                    "remint_credit_accrued": {"coin": coin_json(&e.burned), "price": dec_string(e.burned_price)},
                }),
            );
        }
        LedgerRecord::Canceled(c) => {
            obj.insert(
                "canceled_record".into(),
                json!({
                    "owner": c.owner,
                    "to": c.to,
                    "cancel_reason": c.cancel_reason,
                    "coins_to_burn": coin_json(&c.coins_to_burn),
                    "denom_to_mint": c.denom_to_mint,
                }),
            );
        }
    }
    v
}
