//! `cosmos.authz.v1beta1`: `MsgGrant` (with Akash's `DepositAuthorization`, or a
//! `GenericAuthorization`) and `MsgRevoke`. Grants are stored by (granter, grantee, message type
//! URL); escrow deposits from a grant will spend them once the escrow module is modelled.

use super::bank::coin_json;
use super::msgs::{self, code, ExecCtx, Failure, MsgKind};
use super::proto::{decode_any, decode_coin, decode_timestamp, encode_timestamp, push_enum, Any, Coin};
use super::rest::rfc3339;
use super::wire::{Reader, Writer};
use serde_json::{json, Value};

pub const MSG_GRANT: &str = "/cosmos.authz.v1beta1.MsgGrant";
pub const MSG_REVOKE: &str = "/cosmos.authz.v1beta1.MsgRevoke";
pub const DEPOSIT_AUTHORIZATION: &str = "/akash.escrow.v1.DepositAuthorization";
pub const GENERIC_AUTHORIZATION: &str = "/cosmos.authz.v1beta1.GenericAuthorization";
/// What a `DepositAuthorization` authorizes.
pub const MSG_ACCOUNT_DEPOSIT: &str = "/akash.escrow.v1.MsgAccountDeposit";

/// `DepositAuthorization.Scope` names by value.
pub const SCOPES: &[&str] = &["invalid", "deployment", "bid"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authorization {
    Deposit { spend_limit: Coin, scopes: Vec<i32> },
    Generic { msg: String },
}

impl Authorization {
    pub fn from_any(a: &Any) -> Result<Self, Failure> {
        match a.type_url.as_str() {
            DEPOSIT_AUTHORIZATION => {
                let (mut limit, mut scopes) = (None, Vec::new());
                Reader::each(&a.value, "akash.escrow.v1.DepositAuthorization", true, |f, v| {
                    match f {
                        1 => limit = Some(decode_coin(v.bytes("spend_limit")?)?),
                        2 => push_enum(v, &mut scopes, "scopes")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })
                .map_err(Failure::parse)?;
                let spend_limit = limit.ok_or_else(|| Failure::sdk(code::INVALID_COINS, "spend limit cannot be nil: invalid coins"))?;
                Ok(Authorization::Deposit { spend_limit, scopes })
            }
            GENERIC_AUTHORIZATION => {
                let mut msg = String::new();
                Reader::each(&a.value, "cosmos.authz.v1beta1.GenericAuthorization", true, |f, v| {
                    if f != 1 {
                        return Ok(false);
                    }
                    msg = v.string("msg")?;
                    Ok(true)
                })
                .map_err(Failure::parse)?;
                Ok(Authorization::Generic { msg })
            }
            other => Err(Failure::parse(format!("unable to resolve type URL {other}"))),
        }
    }

    /// The message type this authorization lets the grantee run.
    pub fn msg_type_url(&self) -> &str {
        match self {
            Authorization::Deposit { .. } => MSG_ACCOUNT_DEPOSIT,
            Authorization::Generic { msg } => msg,
        }
    }

    pub fn validate(&self) -> Result<(), Failure> {
        match self {
            Authorization::Deposit { spend_limit, scopes } => {
                msgs::validate_coins(std::slice::from_ref(spend_limit))
                    .map_err(|e| Failure::sdk(code::INVALID_COINS, format!("spend limit: {e}: invalid coins")))?;
                if scopes.is_empty() {
                    return Err(Failure::invalid_request("deposit authorization scopes cannot be empty"));
                }
                for (i, s) in scopes.iter().enumerate() {
                    if !(1..=2).contains(s) || scopes[..i].contains(s) {
                        return Err(Failure::invalid_request(format!("invalid deposit authorization scope {s}")));
                    }
                }
                Ok(())
            }
            Authorization::Generic { msg } => {
                if msg.is_empty() {
                    return Err(Failure::invalid_request("msg type url cannot be empty"));
                }
                Ok(())
            }
        }
    }

    pub fn to_any(&self) -> Any {
        let mut w = Writer::new();
        match self {
            Authorization::Deposit { spend_limit, scopes } => {
                w.message(1, &spend_limit.encode());
                for s in scopes {
                    w.uint_always(2, *s as u64);
                }
                Any { type_url: DEPOSIT_AUTHORIZATION.into(), value: w.finish() }
            }
            Authorization::Generic { msg } => {
                w.string(1, msg);
                Any { type_url: GENERIC_AUTHORIZATION.into(), value: w.finish() }
            }
        }
    }

    pub fn json(&self) -> Value {
        match self {
            Authorization::Deposit { spend_limit, scopes } => json!({
                "@type": DEPOSIT_AUTHORIZATION,
                "spend_limit": coin_json(spend_limit),
                "scopes": scopes.iter().map(|s| SCOPES.get(*s as usize).copied().unwrap_or("invalid")).collect::<Vec<_>>(),
            }),
            Authorization::Generic { msg } => json!({"@type": GENERIC_AUTHORIZATION, "msg": msg}),
        }
    }
}

/// A stored grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub authorization: Authorization,
    /// Nanoseconds since the epoch.
    pub expiration: Option<u64>,
}

impl Grant {
    pub fn json(&self) -> Value {
        json!({"authorization": self.authorization.json(), "expiration": self.expiration.map(rfc3339)})
    }

    pub fn is_live(&self, time_nanos: u64) -> bool {
        self.expiration.is_none_or(|e| e > time_nanos)
    }
}

struct MsgGrant {
    granter: String,
    grantee: String,
    grant: Option<Grant>,
}

fn decode_grant(value: &[u8]) -> Result<MsgGrant, Failure> {
    let (mut granter, mut grantee, mut grant_bytes) = (String::new(), String::new(), None);
    Reader::each(value, "cosmos.authz.v1beta1.MsgGrant", true, |f, v| {
        match f {
            1 => granter = v.string("granter")?,
            2 => grantee = v.string("grantee")?,
            3 => grant_bytes = Some(v.bytes("grant")?.to_vec()),
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    let grant = match grant_bytes {
        None => None,
        Some(b) => {
            let (mut auth, mut exp) = (None, None);
            Reader::each(&b, "cosmos.authz.v1beta1.Grant", true, |f, v| {
                match f {
                    1 => auth = Some(decode_any(v.bytes("authorization")?)?),
                    2 => exp = Some(decode_timestamp(v.bytes("expiration")?)?),
                    _ => return Ok(false),
                }
                Ok(true)
            })
            .map_err(Failure::parse)?;
            let auth = auth.ok_or_else(|| Failure::invalid_request("authorization is nil"))?;
            Some(Grant { authorization: Authorization::from_any(&auth)?, expiration: exp })
        }
    };
    Ok(MsgGrant { granter, grantee, grant })
}

/// `MsgGrant` bytes (for tests).
pub fn encode_grant(granter: &str, grantee: &str, grant: &Grant) -> Vec<u8> {
    let mut g = Writer::new();
    g.message(1, &grant.authorization.to_any().encode());
    if let Some(e) = grant.expiration {
        g.message(2, &encode_timestamp(e));
    }
    let mut w = Writer::new();
    w.string(1, granter).string(2, grantee).message(3, &g);
    w.finish()
}

/// `MsgRevoke` bytes (for tests).
pub fn encode_revoke(granter: &str, grantee: &str, msg_type_url: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.string(1, granter).string(2, grantee).string(3, msg_type_url);
    w.finish()
}

fn check_pair(granter: &str, grantee: &str) -> Result<(), Failure> {
    msgs::check_address("granter", granter)?;
    msgs::check_address("grantee", grantee)?;
    if granter == grantee {
        return Err(Failure::invalid_request("granter and grantee cannot be same"));
    }
    Ok(())
}

pub struct MsgGrantKind;

impl MsgKind for MsgGrantKind {
    fn type_url(&self) -> &'static str {
        MSG_GRANT
    }
    fn module(&self) -> &'static str {
        "authz"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let m = decode_grant(value)?;
        check_pair(&m.granter, &m.grantee)?;
        let g = m.grant.ok_or_else(|| Failure::invalid_request("authorization is nil"))?;
        g.authorization.validate()?;
        Ok(m.granter)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        20_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let m = decode_grant(value)?;
        let grant = m.grant.expect("validated");
        if grant.expiration.is_some_and(|e| e <= ctx.time_nanos) {
            return Err(Failure::new("authz", 13, "expiration must be after the current block time"));
        }
        ctx.state.ensure_account(&m.grantee);
        let url = grant.authorization.msg_type_url().to_string();
        ctx.emit(
            "cosmos.authz.v1beta1.EventGrant",
            &[("grantee", &format!("{:?}", m.grantee)), ("granter", &format!("{:?}", m.granter)), ("msg_type_url", &format!("{url:?}"))],
        );
        ctx.state.authz_grants.insert((m.granter, m.grantee, url), grant);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_grant(value) {
            Ok(m) => json!({"granter": m.granter, "grantee": m.grantee, "grant": m.grant.map(|g| g.json())}),
            Err(_) => json!({}),
        }
    }
}

fn decode_revoke(value: &[u8]) -> Result<(String, String, String), Failure> {
    let (mut granter, mut grantee, mut url) = (String::new(), String::new(), String::new());
    Reader::each(value, "cosmos.authz.v1beta1.MsgRevoke", true, |f, v| {
        match f {
            1 => granter = v.string("granter")?,
            2 => grantee = v.string("grantee")?,
            3 => url = v.string("msg_type_url")?,
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    Ok((granter, grantee, url))
}

pub struct MsgRevokeKind;

impl MsgKind for MsgRevokeKind {
    fn type_url(&self) -> &'static str {
        MSG_REVOKE
    }
    fn module(&self) -> &'static str {
        "authz"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (granter, grantee, url) = decode_revoke(value)?;
        check_pair(&granter, &grantee)?;
        if url.is_empty() {
            return Err(Failure::invalid_request("missing msg method name"));
        }
        Ok(granter)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        10_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (granter, grantee, url) = decode_revoke(value)?;
        if ctx.state.authz_grants.remove(&(granter.clone(), grantee.clone(), url.clone())).is_none() {
            return Err(Failure::new("authz", 2, format!("failed to delete grant with key {granter}/{grantee}/{url}: authorization not found")));
        }
        ctx.emit(
            "cosmos.authz.v1beta1.EventRevoke",
            &[("grantee", &format!("{grantee:?}")), ("granter", &format!("{granter:?}")), ("msg_type_url", &format!("{url:?}"))],
        );
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_revoke(value) {
            Ok((granter, grantee, url)) => json!({"granter": granter, "grantee": grantee, "msg_type_url": url}),
            Err(_) => json!({}),
        }
    }
}
