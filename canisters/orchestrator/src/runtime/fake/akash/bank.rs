//! `cosmos.bank.v1beta1.MsgSend`. ACT (`uact`) is not transferable on Akash (AEP-76: bank sends
//! of uact are disabled), so a send of uact fails as the bank's send-enabled check fails it.

use super::msgs::{self, code, ExecCtx, Failure, MsgKind};
use super::proto::{decode_coin, Coin};
use super::wire::{Reader, Writer};
use serde_json::{json, Value};

pub const MSG_SEND: &str = "/cosmos.bank.v1beta1.MsgSend";
/// Denoms whose bank sends are disabled.
pub const SEND_DISABLED: &[&str] = &["uact"];

pub struct MsgSend {
    pub from_address: String,
    pub to_address: String,
    pub amount: Vec<Coin>,
}

impl MsgSend {
    pub fn decode(b: &[u8]) -> Result<Self, Failure> {
        let mut m = MsgSend { from_address: String::new(), to_address: String::new(), amount: Vec::new() };
        Reader::each(b, "cosmos.bank.v1beta1.MsgSend", true, |f, v| {
            match f {
                1 => m.from_address = v.string("from_address")?,
                2 => m.to_address = v.string("to_address")?,
                3 => m.amount.push(decode_coin(v.bytes("amount")?)?),
                _ => return Ok(false),
            }
            Ok(true)
        })
        .map_err(Failure::parse)?;
        Ok(m)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.string(1, &self.from_address).string(2, &self.to_address);
        for c in &self.amount {
            w.message(3, &c.encode());
        }
        w.finish()
    }
}

pub fn coins_json(coins: &[Coin]) -> Value {
    Value::Array(coins.iter().map(coin_json).collect())
}

pub fn coin_json(c: &Coin) -> Value {
    json!({"denom": c.denom, "amount": c.amount.to_string()})
}

pub struct MsgSendKind;

impl MsgKind for MsgSendKind {
    fn type_url(&self) -> &'static str {
        MSG_SEND
    }
    fn module(&self) -> &'static str {
        "bank"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let m = MsgSend::decode(value)?;
        msgs::check_address("from", &m.from_address)?;
        msgs::check_address("to", &m.to_address)?;
        if m.amount.is_empty() {
            return Err(Failure::sdk(code::INVALID_COINS, ": invalid coins"));
        }
        msgs::validate_coins(&m.amount)
            .map_err(|e| Failure::sdk(code::INVALID_COINS, format!("{e}: {}: invalid coins", super::proto::coins_string(&m.amount))))?;
        Ok(m.from_address)
    }
    fn gas(&self, value: &[u8]) -> u64 {
        let coins = MsgSend::decode(value).map(|m| m.amount.len() as u64).unwrap_or(1);
        20_000 + 5_000 * coins
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let m = MsgSend::decode(value)?;
        if let Some(c) = m.amount.iter().find(|c| SEND_DISABLED.contains(&c.denom.as_str())) {
            return Err(Failure::new("bank", 5, format!("{} transfers are currently disabled: send transactions are disabled", c.denom)));
        }
        if ctx.state.is_module(&m.to_address) {
            return Err(Failure::sdk(code::UNAUTHORIZED, format!("{} is not allowed to receive funds: unauthorized", m.to_address)));
        }
        ctx.send(&m.from_address, &m.to_address, &m.amount)?;
        let sender = m.from_address.clone();
        ctx.emit("message", &[("sender", &sender)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match MsgSend::decode(value) {
            Ok(m) => json!({"from_address": m.from_address, "to_address": m.to_address, "amount": coins_json(&m.amount)}),
            Err(_) => json!({}),
        }
    }
}
