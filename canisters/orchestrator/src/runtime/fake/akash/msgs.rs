//! The message executor: every message kind the simulated chain knows implements [`MsgKind`]
//! (decode + `ValidateBasic` + signer, gas, execution, JSON) and is listed in [`KINDS`]. A new
//! module (deployments, leases, escrow) is one more file with its kinds added to that list.

use super::chain::State;
use super::{authz, bank, bme, deployment, escrow, feegrant, market};
use serde_json::Value;
use std::fmt;

/// SDK root error codes (codespace "sdk") the model uses.
pub mod code {
    pub const TX_DECODE: u32 = 2;
    pub const UNAUTHORIZED: u32 = 4;
    pub const INSUFFICIENT_FUNDS: u32 = 5;
    pub const UNKNOWN_REQUEST: u32 = 6;
    pub const INVALID_ADDRESS: u32 = 7;
    pub const INVALID_PUBKEY: u32 = 8;
    pub const UNKNOWN_ADDRESS: u32 = 9;
    pub const INVALID_COINS: u32 = 10;
    pub const OUT_OF_GAS: u32 = 11;
    pub const MEMO_TOO_LARGE: u32 = 12;
    pub const INSUFFICIENT_FEE: u32 = 13;
    pub const NO_SIGNATURES: u32 = 15;
    pub const INVALID_REQUEST: u32 = 18;
    pub const TX_IN_MEMPOOL_CACHE: u32 = 19;
    pub const TX_TIMEOUT_HEIGHT: u32 = 30;
    pub const UNKNOWN_EXTENSION_OPTIONS: u32 = 31;
    pub const WRONG_SEQUENCE: u32 = 32;
    pub const NOT_SUPPORTED: u32 = 37;
    pub const TX_TIMEOUT: u32 = 42;
}

/// Why a transaction or one of its messages failed: what the node reports as
/// `codespace` / `code` / `raw_log`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub codespace: &'static str,
    pub code: u32,
    pub log: String,
}

impl Failure {
    pub fn new(codespace: &'static str, code: u32, log: impl Into<String>) -> Self {
        Failure { codespace, code, log: log.into() }
    }

    pub fn sdk(code: u32, log: impl Into<String>) -> Self {
        Failure::new("sdk", code, log)
    }

    /// A tx that does not decode (code 2).
    pub fn parse(err: impl fmt::Display) -> Self {
        Failure::sdk(code::TX_DECODE, format!("{err}: tx parse error"))
    }

    pub fn invalid_address(field: &str, err: impl fmt::Display) -> Self {
        Failure::sdk(code::INVALID_ADDRESS, format!("invalid {field} address: {err}: invalid address"))
    }

    pub fn invalid_request(msg: impl fmt::Display) -> Self {
        Failure::sdk(code::INVALID_REQUEST, format!("{msg}: invalid request"))
    }

    pub fn insufficient_funds(have: u128, want: u128, denom: &str) -> Self {
        Failure::sdk(
            code::INSUFFICIENT_FUNDS,
            format!("spendable balance {have}{denom} is smaller than {want}{denom}: insufficient funds"),
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.codespace, self.code, self.log)
    }
}

/// An ABCI event (`type` and attributes, all indexed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

impl Event {
    pub fn new(kind: &str, attributes: &[(&str, &str)]) -> Self {
        Event {
            kind: kind.to_string(),
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

/// What a message sees while it runs (inside the transaction's cached branch of the state).
pub struct ExecCtx<'a> {
    pub state: &'a mut State,
    /// The transaction's signer (equal to the message's signer field, checked before).
    pub signer: &'a str,
    pub height: u64,
    pub time_nanos: u64,
    pub msg_index: usize,
    pub events: Vec<Event>,
}

impl ExecCtx<'_> {
    /// Adds an event tagged with this message's index, as SDK 0.50+ does.
    pub fn emit(&mut self, kind: &str, attributes: &[(&str, &str)]) {
        let mut e = Event::new(kind, attributes);
        e.attributes.push(("msg_index".into(), self.msg_index.to_string()));
        self.events.push(e);
    }

    /// Moves coins between accounts with the bank's checks and events.
    pub fn send(&mut self, from: &str, to: &str, coins: &[super::proto::Coin]) -> Result<(), Failure> {
        let events = self.state.send(from, to, coins)?;
        for mut e in events {
            e.attributes.push(("msg_index".into(), self.msg_index.to_string()));
            self.events.push(e);
        }
        Ok(())
    }
}

/// One kind of message the chain executes.
pub trait MsgKind: Sync {
    fn type_url(&self) -> &'static str;
    /// The module name the `message` event reports.
    fn module(&self) -> &'static str;
    /// Decodes `value` strictly and runs `ValidateBasic`; returns the address that must sign.
    /// A value that does not decode is [`Failure::parse`] (the whole tx is undecodable).
    fn validate(&self, value: &[u8]) -> Result<String, Failure>;
    /// Gas the message consumes when it runs (deterministic).
    fn gas(&self, value: &[u8]) -> u64;
    /// Runs the message against `ctx.state` (the caller reverts everything on error).
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure>;
    /// The message's proto3 JSON fields (without `@type`), as a tx query shows them.
    fn json(&self, value: &[u8]) -> Value;
}

/// Every message kind the simulated chain runs.
pub static KINDS: &[&dyn MsgKind] = &[
    &bank::MsgSendKind,
    &bme::MsgMintActKind,
    &feegrant::MsgGrantAllowanceKind,
    &feegrant::MsgRevokeAllowanceKind,
    &authz::MsgGrantKind,
    &authz::MsgRevokeKind,
    &deployment::MsgCreateDeploymentKind,
    &deployment::MsgUpdateDeploymentKind,
    &deployment::MsgCloseDeploymentKind,
    &escrow::MsgAccountDepositKind,
    &market::MsgCreateLeaseKind,
    &market::MsgCloseLeaseKind,
];

pub fn find(type_url: &str) -> Option<&'static dyn MsgKind> {
    KINDS.iter().copied().find(|k| k.type_url() == type_url)
}

/// A valid SDK denom: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
pub fn valid_denom(d: &str) -> bool {
    let b = d.as_bytes();
    (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c))
}

/// `sdk.Coins.Validate` for a non-empty set: valid denoms, positive amounts, sorted, unique.
pub fn validate_coins(coins: &[super::proto::Coin]) -> Result<(), String> {
    for (i, c) in coins.iter().enumerate() {
        if !valid_denom(&c.denom) {
            return Err(format!("invalid denom: {}", c.denom));
        }
        if c.amount == 0 {
            return Err(format!("coin {c} amount is not positive"));
        }
        if i > 0 {
            let prev = &coins[i - 1].denom;
            if prev == &c.denom {
                return Err(format!("duplicate denomination {}", c.denom));
            }
            if prev > &c.denom {
                return Err(format!("denomination {} is not sorted", c.denom));
            }
        }
    }
    Ok(())
}

/// Parses an account address as `sdk.AccAddressFromBech32` does, with the SDK-style error text.
pub fn check_address(field: &str, addr: &str) -> Result<(), Failure> {
    if addr.is_empty() {
        return Err(Failure::invalid_address(field, "empty address string is not allowed"));
    }
    ic_akash::address::validate(addr).map_err(|e| Failure::invalid_address(field, e))
}
