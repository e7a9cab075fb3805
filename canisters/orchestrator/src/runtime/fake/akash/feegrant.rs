//! `cosmos.feegrant.v1beta1`: `MsgGrantAllowance` / `MsgRevokeAllowance` with `BasicAllowance`
//! and `AllowedMsgAllowance` (wrapping a basic one); the ante handler spends them through
//! [`Allowance::accept`]. `PeriodicAllowance` is not modelled (refused as undecodable).

use super::bank::coins_json;
use super::msgs::{self, code, ExecCtx, Failure, MsgKind};
use super::proto::{coins_string, decode_any, decode_coin, decode_timestamp, encode_timestamp, Any, Coin};
use super::rest::rfc3339;
use super::wire::{Reader, Writer};
use serde_json::{json, Value};

pub const MSG_GRANT_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.MsgGrantAllowance";
pub const MSG_REVOKE_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.MsgRevokeAllowance";
pub const BASIC_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.BasicAllowance";
pub const ALLOWED_MSG_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.AllowedMsgAllowance";

/// A stored fee allowance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowance {
    /// Empty: no limit.
    pub spend_limit: Vec<Coin>,
    /// Nanoseconds since the epoch.
    pub expiration: Option<u64>,
    /// `Some` for an `AllowedMsgAllowance`: the type URLs it pays for.
    pub allowed_messages: Option<Vec<String>>,
}

fn decode_basic(b: &[u8]) -> Result<(Vec<Coin>, Option<u64>), super::wire::WireError> {
    let (mut limit, mut exp) = (Vec::new(), None);
    Reader::each(b, "cosmos.feegrant.v1beta1.BasicAllowance", true, |f, v| {
        match f {
            1 => limit.push(decode_coin(v.bytes("spend_limit")?)?),
            2 => exp = Some(decode_timestamp(v.bytes("expiration")?)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((limit, exp))
}

impl Allowance {
    /// From the `Any` a grant carries.
    pub fn from_any(a: &Any) -> Result<Self, Failure> {
        match a.type_url.as_str() {
            BASIC_ALLOWANCE => {
                let (spend_limit, expiration) = decode_basic(&a.value).map_err(Failure::parse)?;
                Ok(Allowance { spend_limit, expiration, allowed_messages: None })
            }
            ALLOWED_MSG_ALLOWANCE => {
                let (mut inner, mut allowed) = (None, Vec::new());
                Reader::each(&a.value, "cosmos.feegrant.v1beta1.AllowedMsgAllowance", true, |f, v| {
                    match f {
                        1 => inner = Some(decode_any(v.bytes("allowance")?)?),
                        2 => allowed.push(v.string("allowed_messages")?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })
                .map_err(Failure::parse)?;
                let inner = inner.ok_or_else(|| Failure::invalid_request("allowance should not be empty"))?;
                if inner.type_url != BASIC_ALLOWANCE {
                    return Err(Failure::parse(format!("unable to resolve type URL {} (the simulated chain models BasicAllowance only)", inner.type_url)));
                }
                let (spend_limit, expiration) = decode_basic(&inner.value).map_err(Failure::parse)?;
                Ok(Allowance { spend_limit, expiration, allowed_messages: Some(allowed) })
            }
            other => Err(Failure::parse(format!("unable to resolve type URL {other}"))),
        }
    }

    /// `ValidateBasic` of the allowance.
    pub fn validate(&self) -> Result<(), Failure> {
        if !self.spend_limit.is_empty() {
            msgs::validate_coins(&self.spend_limit)
                .map_err(|e| Failure::sdk(code::INVALID_COINS, format!("send amount is invalid: {e}: invalid coins")))?;
        }
        if let Some(m) = &self.allowed_messages {
            if m.is_empty() {
                return Err(Failure::new("feegrant", 6, "allowed messages shouldn't be empty: allowed messages are empty"));
            }
        }
        Ok(())
    }

    /// Spends `fee` for a tx with `msg_types` at `block_time`: `Ok(true)` when the allowance is
    /// used up and is removed.
    pub fn accept(&mut self, fee: &[Coin], msg_types: &[String], block_time: u64) -> Result<bool, Failure> {
        if let Some(allowed) = &self.allowed_messages {
            if !msg_types.iter().all(|t| allowed.contains(t)) {
                return Err(Failure::new("feegrant", 7, "message does not exist in allowed messages: message not allowed"));
            }
        }
        if let Some(exp) = self.expiration {
            if exp < block_time {
                return Err(Failure::new("feegrant", 3, "basic allowance: fee allowance expired"));
            }
        }
        if self.spend_limit.is_empty() {
            return Ok(false);
        }
        let mut left = self.spend_limit.clone();
        for c in fee.iter().filter(|c| c.amount > 0) {
            match left.iter_mut().find(|l| l.denom == c.denom) {
                Some(l) if l.amount >= c.amount => l.amount -= c.amount,
                _ => return Err(Failure::new("feegrant", 2, "basic allowance: fee limit exceeded")),
            }
        }
        left.retain(|c| c.amount > 0);
        let used_up = left.is_empty();
        self.spend_limit = left;
        Ok(used_up)
    }

    /// The allowance as the gateway shows it (an `Any` in JSON).
    pub fn json(&self) -> Value {
        let basic = json!({
            "@type": BASIC_ALLOWANCE,
            "spend_limit": coins_json(&self.spend_limit),
            "expiration": self.expiration.map(rfc3339),
        });
        match &self.allowed_messages {
            None => basic,
            Some(m) => json!({"@type": ALLOWED_MSG_ALLOWANCE, "allowance": basic, "allowed_messages": m}),
        }
    }

    /// The allowance as an `Any` (for tests building grants).
    pub fn to_any(&self) -> Any {
        let mut basic = Writer::new();
        for c in &self.spend_limit {
            basic.message(1, &c.encode());
        }
        if let Some(e) = self.expiration {
            basic.message(2, &encode_timestamp(e));
        }
        let basic = Any { type_url: BASIC_ALLOWANCE.into(), value: basic.finish() };
        match &self.allowed_messages {
            None => basic,
            Some(m) => {
                let mut w = Writer::new();
                w.message(1, &basic.encode());
                for t in m {
                    w.bytes_always(2, t.as_bytes());
                }
                Any { type_url: ALLOWED_MSG_ALLOWANCE.into(), value: w.finish() }
            }
        }
    }
}

/// Granter and grantee of a grant or revoke message, with the SDK's checks.
fn pair(b: &[u8], name: &str, third: Option<&mut Option<Any>>) -> Result<(String, String), Failure> {
    let (mut granter, mut grantee) = (String::new(), String::new());
    let mut any = None;
    let want_any = third.is_some();
    Reader::each(b, name, true, |f, v| {
        match f {
            1 => granter = v.string("granter")?,
            2 => grantee = v.string("grantee")?,
            3 if want_any => any = Some(decode_any(v.bytes("allowance")?)?),
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    if let Some(t) = third {
        *t = any;
    }
    Ok((granter, grantee))
}

fn check_pair(granter: &str, grantee: &str) -> Result<(), Failure> {
    msgs::check_address("granter", granter)?;
    msgs::check_address("grantee", grantee)?;
    if granter == grantee {
        return Err(Failure::sdk(code::INVALID_ADDRESS, "cannot self-grant fee authorization: invalid address"));
    }
    Ok(())
}

/// `MsgGrantAllowance` bytes (for tests).
pub fn encode_grant_allowance(granter: &str, grantee: &str, allowance: &Allowance) -> Vec<u8> {
    let mut w = Writer::new();
    w.string(1, granter).string(2, grantee).message(3, &allowance.to_any().encode());
    w.finish()
}

/// `MsgRevokeAllowance` bytes (for tests).
pub fn encode_revoke_allowance(granter: &str, grantee: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.string(1, granter).string(2, grantee);
    w.finish()
}

pub struct MsgGrantAllowanceKind;

impl MsgGrantAllowanceKind {
    fn decode(value: &[u8]) -> Result<(String, String, Allowance), Failure> {
        let mut any = None;
        let (granter, grantee) = pair(value, "cosmos.feegrant.v1beta1.MsgGrantAllowance", Some(&mut any))?;
        let any = any.ok_or_else(|| Failure::sdk(code::INVALID_REQUEST, "allowance should not be empty: invalid request"))?;
        Ok((granter, grantee, Allowance::from_any(&any)?))
    }
}

impl MsgKind for MsgGrantAllowanceKind {
    fn type_url(&self) -> &'static str {
        MSG_GRANT_ALLOWANCE
    }
    fn module(&self) -> &'static str {
        "feegrant"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (granter, grantee, allowance) = Self::decode(value)?;
        check_pair(&granter, &grantee)?;
        allowance.validate()?;
        Ok(granter)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        20_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (granter, grantee, allowance) = Self::decode(value)?;
        let key = (granter.clone(), grantee.clone());
        if ctx.state.fee_grants.contains_key(&key) {
            return Err(Failure::invalid_request("fee allowance already exists"));
        }
        if allowance.expiration.is_some_and(|e| e < ctx.time_nanos) {
            return Err(Failure::invalid_request("expiration is before current block time"));
        }
        ctx.state.ensure_account(&grantee);
        ctx.state.fee_grants.insert(key, allowance);
        ctx.emit("set_feegrant", &[("granter", &granter), ("grantee", &grantee)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match Self::decode(value) {
            Ok((granter, grantee, a)) => json!({"granter": granter, "grantee": grantee, "allowance": a.json()}),
            Err(_) => json!({}),
        }
    }
}

pub struct MsgRevokeAllowanceKind;

impl MsgKind for MsgRevokeAllowanceKind {
    fn type_url(&self) -> &'static str {
        MSG_REVOKE_ALLOWANCE
    }
    fn module(&self) -> &'static str {
        "feegrant"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (granter, grantee) = pair(value, "cosmos.feegrant.v1beta1.MsgRevokeAllowance", None)?;
        check_pair(&granter, &grantee)?;
        Ok(granter)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        10_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (granter, grantee) = pair(value, "cosmos.feegrant.v1beta1.MsgRevokeAllowance", None)?;
        if ctx.state.fee_grants.remove(&(granter.clone(), grantee.clone())).is_none() {
            return Err(not_found());
        }
        ctx.emit("revoke_feegrant", &[("granter", &granter), ("grantee", &grantee)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match pair(value, "cosmos.feegrant.v1beta1.MsgRevokeAllowance", None) {
            Ok((granter, grantee)) => json!({"granter": granter, "grantee": grantee}),
            Err(_) => json!({}),
        }
    }
}

/// The keeper's "no grant" error (`sdkerrors.ErrNotFound.Wrap("fee-grant not found")`).
pub fn not_found() -> Failure {
    Failure::sdk(38, "fee-grant not found: not found")
}

/// Fee coins as the ante handler prints them.
pub fn fee_string(fee: &[Coin]) -> String {
    coins_string(fee)
}
