//! Typed builders of the chain messages the orchestrator sends, each returning the `Any` that goes
//! into a transaction body. They check what the chain would refuse in `ValidateBasic` (addresses,
//! denoms, zero amounts, deposit sources) so a bad message fails here, before gas is spent.

use crate::address;
use crate::proto::akash::GroupSpec;
use crate::proto::akash_msgs::{
    self as am, type_url as akash_url, BidId, DeploymentId, Deposit, DepositAuthorization, DepositScope,
    EscrowAccountId, LeaseClosedReason, Scope, Source,
};
use crate::proto::cosmos::{
    type_url as cosmos_url, AllowedMsgAllowance, Any, BasicAllowance, Coin, Grant, MsgGrant, MsgGrantAllowance,
    MsgRevoke, MsgRevokeAllowance, MsgSend, Timestamp,
};
use crate::tx::MAX_TIMESTAMP_SECS;
use prost::Message;
use std::fmt;

/// Denom of AKT (fees, MintACT burns, sends).
pub const DENOM_UAKT: &str = "uakt";
/// Denom of ACT (deployment deposits and prices since node v2.0).
pub const DENOM_UACT: &str = "uact";

/// Why a message was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsgError {
    /// An address field is not a valid `akash1...` address.
    Address { field: &'static str, error: address::AddressError },
    /// A coin with an empty denom.
    EmptyDenom { field: &'static str },
    /// A denom the Cosmos SDK would refuse (`[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`).
    InvalidDenom { field: &'static str, denom: String },
    /// An amount that is not a canonical non-negative integer (digits only, no leading zero).
    InvalidAmount { field: &'static str, amount: String },
    /// A zero amount where the chain requires a positive one.
    ZeroAmount { field: &'static str },
    /// A denom other than the one the chain accepts for this field.
    WrongDenom { field: &'static str, expected: &'static str, found: String },
    /// A deposit without sources.
    NoSources,
    /// A deposit source listed twice.
    RepeatedSource(Source),
    /// The `invalid` (0) deposit source.
    InvalidSource,
    /// Deployment sequence 0 (the chain refuses it as an id).
    ZeroDseq,
    /// Group or order sequence 0 in a bid/lease id.
    ZeroSequence { field: &'static str },
    /// A deployment without groups.
    NoGroups,
    /// A group without a name or without resources.
    InvalidGroup { index: usize, reason: &'static str },
    /// A group price written as a decimal instead of its 18-decimal atomics (see [`crate::dec`]).
    PriceNotAtomics { group: usize, amount: String },
    /// `MsgMintACT` with `to` different from `owner` (ACT is not transferable).
    MintToOther,
    /// A send without coins.
    NoCoins,
    /// Send coins not sorted by denom or with a repeated denom (the chain requires sorted, unique).
    UnsortedCoins,
    /// A coin string like `5000000uakt` that does not parse.
    InvalidCoinString(String),
    /// A grant or allowance whose granter is its grantee (the chain refuses it).
    SelfGrant,
    /// An expiration of 0 or after 9999-12-31 (Unix seconds).
    InvalidExpiration { secs: u64 },
    /// A message type URL that is not `/` followed by a name.
    InvalidTypeUrl { field: &'static str, type_url: String },
    /// A deposit authorization without scopes.
    NoScopes,
    /// A deposit authorization scope listed twice.
    RepeatedScope(DepositScope),
    /// The `invalid` (0) deposit authorization scope.
    InvalidScope,
}

impl fmt::Display for MsgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MsgError::Address { field, error } => write!(f, "{field}: {error}"),
            MsgError::EmptyDenom { field } => write!(f, "{field}: empty denom"),
            MsgError::InvalidDenom { field, denom } => write!(f, "{field}: invalid denom '{denom}'"),
            MsgError::InvalidAmount { field, amount } => {
                write!(f, "{field}: invalid amount '{amount}' (expected a non-negative integer)")
            }
            MsgError::ZeroAmount { field } => write!(f, "{field}: amount must be positive"),
            MsgError::WrongDenom { field, expected, found } => {
                write!(f, "{field}: denom must be '{expected}', not '{found}'")
            }
            MsgError::NoSources => write!(f, "deposit sources must not be empty"),
            MsgError::RepeatedSource(s) => write!(f, "deposit source {s:?} is listed twice"),
            MsgError::InvalidSource => write!(f, "deposit source 'invalid' is not allowed"),
            MsgError::ZeroDseq => write!(f, "dseq must be positive"),
            MsgError::ZeroSequence { field } => write!(f, "{field} must be positive"),
            MsgError::NoGroups => write!(f, "a deployment needs at least one group"),
            MsgError::InvalidGroup { index, reason } => write!(f, "group {index}: {reason}"),
            MsgError::PriceNotAtomics { group, amount } => write!(
                f,
                "group {group}: price '{amount}' is not in 18-decimal atomics (convert with dec::to_atomics)"
            ),
            MsgError::MintToOther => write!(f, "MsgMintACT: 'to' must equal 'owner'"),
            MsgError::NoCoins => write!(f, "no coins to send"),
            MsgError::UnsortedCoins => write!(f, "coins must be sorted by denom with no repeats"),
            MsgError::InvalidCoinString(s) => {
                write!(f, "invalid coin '{s}' (expected an integer followed by a denom, e.g. 5000000uakt)")
            }
            MsgError::SelfGrant => write!(f, "granter and grantee must differ"),
            MsgError::InvalidExpiration { secs } => {
                write!(f, "expiration {secs} must be between 1 and {MAX_TIMESTAMP_SECS} (Unix seconds)")
            }
            MsgError::InvalidTypeUrl { field, type_url } => {
                write!(f, "{field}: invalid message type URL '{type_url}' (expected e.g. /akash.escrow.v1.MsgAccountDeposit)")
            }
            MsgError::NoScopes => write!(f, "deposit authorization scopes must not be empty"),
            MsgError::RepeatedScope(s) => write!(f, "deposit authorization scope {s:?} is listed twice"),
            MsgError::InvalidScope => write!(f, "deposit authorization scope 'invalid' is not allowed"),
        }
    }
}

impl std::error::Error for MsgError {}

/// A coin of `amount` `denom` (no validation; the builders validate).
pub fn coin(amount: u128, denom: &str) -> Coin {
    Coin { denom: denom.to_string(), amount: amount.to_string() }
}

/// Parses `5000000uakt` into a coin: leading integer, then a valid denom.
pub fn parse_coin(s: &str) -> Result<Coin, MsgError> {
    let s = s.trim();
    let split = s.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    let (amount, denom) = s.split_at(split);
    if amount.is_empty() || denom.is_empty() {
        return Err(MsgError::InvalidCoinString(s.to_string()));
    }
    let c = Coin { denom: denom.to_string(), amount: canonical_integer(amount) };
    check_coin("coin", &c, false).map_err(|_| MsgError::InvalidCoinString(s.to_string()))?;
    Ok(c)
}

/// Drops leading zeros so `007` parses as `7` (user input only; message amounts must be canonical).
fn canonical_integer(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() { "0".to_string() } else { t.to_string() }
}

fn check_address(field: &'static str, s: &str) -> Result<(), MsgError> {
    address::validate(s).map_err(|error| MsgError::Address { field, error })
}

/// The Cosmos SDK denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn check_denom(field: &'static str, denom: &str) -> Result<(), MsgError> {
    if denom.is_empty() {
        return Err(MsgError::EmptyDenom { field });
    }
    let b = denom.as_bytes();
    let ok = (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(MsgError::InvalidDenom { field, denom: denom.to_string() })
    }
}

/// Largest number of digits an amount may have (the SDK's `Int` holds 256 bits, 77 digits).
const MAX_AMOUNT_DIGITS: usize = 76;

pub(crate) fn check_coin(field: &'static str, c: &Coin, allow_zero: bool) -> Result<(), MsgError> {
    check_denom(field, &c.denom)?;
    let a = &c.amount;
    let canonical = !a.is_empty()
        && a.len() <= MAX_AMOUNT_DIGITS
        && a.bytes().all(|b| b.is_ascii_digit())
        && (a == "0" || !a.starts_with('0'));
    if !canonical {
        return Err(MsgError::InvalidAmount { field, amount: a.clone() });
    }
    if a == "0" && !allow_zero {
        return Err(MsgError::ZeroAmount { field });
    }
    Ok(())
}

/// The chain's rule for deposit sources and authorization scopes: at least one, none the
/// `invalid` (0) value, no repeats; each fault maps to the caller's error.
fn check_enum_list<T: Copy + PartialEq>(
    items: &[T],
    invalid: T,
    (empty, invalid_err, repeated): (MsgError, MsgError, fn(T) -> MsgError),
) -> Result<(), MsgError> {
    if items.is_empty() {
        return Err(empty);
    }
    for (i, s) in items.iter().enumerate() {
        if *s == invalid {
            return Err(invalid_err);
        }
        if items[..i].contains(s) {
            return Err(repeated(*s));
        }
    }
    Ok(())
}

fn check_sources(sources: &[Source]) -> Result<(), MsgError> {
    check_enum_list(sources, Source::Invalid, (MsgError::NoSources, MsgError::InvalidSource, MsgError::RepeatedSource))
}

fn check_scopes(scopes: &[DepositScope]) -> Result<(), MsgError> {
    check_enum_list(scopes, DepositScope::Invalid, (MsgError::NoScopes, MsgError::InvalidScope, MsgError::RepeatedScope))
}

/// Positive coins, sorted by denom with no repeats (the SDK's `Coins.Validate`).
fn check_coins(field: &'static str, coins: &[Coin]) -> Result<(), MsgError> {
    for c in coins {
        check_coin(field, c, false)?;
    }
    if coins.windows(2).any(|w| w[0].denom >= w[1].denom) {
        return Err(MsgError::UnsortedCoins);
    }
    Ok(())
}

/// Two valid, distinct addresses: the chain refuses a grant to oneself.
fn check_granter_grantee(granter: &str, grantee: &str) -> Result<(), MsgError> {
    check_address("granter", granter)?;
    check_address("grantee", grantee)?;
    if granter == grantee {
        return Err(MsgError::SelfGrant);
    }
    Ok(())
}

/// An expiration as a whole-second `Timestamp`. Only the range is checked here; the chain also
/// refuses an expiration before its current block time, which only the caller knows.
fn expiration(secs: Option<u64>) -> Result<Option<Timestamp>, MsgError> {
    match secs {
        None => Ok(None),
        Some(s) if s == 0 || s > MAX_TIMESTAMP_SECS => Err(MsgError::InvalidExpiration { secs: s }),
        Some(s) => Ok(Some(Timestamp { seconds: s as i64, nanos: 0 })),
    }
}

/// `/` then a dotted proto name (`/akash.escrow.v1.MsgAccountDeposit`).
fn check_type_url(field: &'static str, url: &str) -> Result<(), MsgError> {
    let name = url.strip_prefix('/').unwrap_or("");
    let ok = !name.is_empty()
        && name.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if ok {
        Ok(())
    } else {
        Err(MsgError::InvalidTypeUrl { field, type_url: url.to_string() })
    }
}

fn deployment_id(owner: &str, dseq: u64) -> Result<DeploymentId, MsgError> {
    check_address("owner", owner)?;
    if dseq == 0 {
        return Err(MsgError::ZeroDseq);
    }
    Ok(DeploymentId { owner: owner.to_string(), dseq })
}

fn deposit(amount: &Coin, sources: &[Source]) -> Result<Deposit, MsgError> {
    check_coin("deposit", amount, false)?;
    check_sources(sources)?;
    Ok(Deposit { amount: Some(amount.clone()), sources: sources.iter().map(|s| *s as i32).collect() })
}

fn any<M: Message>(type_url: &str, msg: &M) -> Any {
    Any { type_url: type_url.to_string(), value: msg.encode_to_vec() }
}

fn check_groups(groups: &[GroupSpec]) -> Result<(), MsgError> {
    if groups.is_empty() {
        return Err(MsgError::NoGroups);
    }
    for (index, g) in groups.iter().enumerate() {
        if g.name.is_empty() {
            return Err(MsgError::InvalidGroup { index, reason: "empty name" });
        }
        if g.resources.is_empty() {
            return Err(MsgError::InvalidGroup { index, reason: "no resources" });
        }
        for ru in &g.resources {
            if let Some(price) = &ru.price {
                check_denom("price", &price.denom)?;
                if price.amount.is_empty() || !price.amount.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(MsgError::PriceNotAtomics { group: index, amount: price.amount.clone() });
                }
            }
        }
    }
    Ok(())
}

/// `MsgCreateDeployment`: the groups and the 32-byte manifest hash come from the SDL; the deposit
/// must be ACT (`uact`) since node v2.0 — a `uakt` deposit is refused by the chain.
pub fn create_deployment(
    owner: &str,
    dseq: u64,
    groups: Vec<GroupSpec>,
    hash: [u8; 32],
    deposit_amount: &Coin,
    sources: &[Source],
) -> Result<Any, MsgError> {
    let id = deployment_id(owner, dseq)?;
    check_groups(&groups)?;
    if deposit_amount.denom != DENOM_UACT {
        check_coin("deposit", deposit_amount, false)?;
        return Err(MsgError::WrongDenom { field: "deposit", expected: DENOM_UACT, found: deposit_amount.denom.clone() });
    }
    let msg = am::MsgCreateDeployment {
        id: Some(id),
        groups,
        hash: hash.to_vec(),
        deposit: Some(deposit(deposit_amount, sources)?),
    };
    Ok(any(akash_url::MSG_CREATE_DEPLOYMENT, &msg))
}

/// `MsgUpdateDeployment`: points the deployment at a new manifest hash (new SDL version).
pub fn update_deployment(owner: &str, dseq: u64, hash: [u8; 32]) -> Result<Any, MsgError> {
    let msg = am::MsgUpdateDeployment { id: Some(deployment_id(owner, dseq)?), hash: hash.to_vec() };
    Ok(any(akash_url::MSG_UPDATE_DEPLOYMENT, &msg))
}

/// `MsgCloseDeployment`: closes the deployment, its leases, and refunds the escrow.
pub fn close_deployment(owner: &str, dseq: u64) -> Result<Any, MsgError> {
    let msg = am::MsgCloseDeployment { id: Some(deployment_id(owner, dseq)?) };
    Ok(any(akash_url::MSG_CLOSE_DEPLOYMENT, &msg))
}

/// `MsgAccountDeposit` into a deployment's escrow (xid `{owner}/{dseq}`), signed by `signer`
/// (usually the owner). `uakt` or `uact` are both accepted by the chain for top-ups.
pub fn account_deposit(
    signer: &str,
    owner: &str,
    dseq: u64,
    amount: &Coin,
    sources: &[Source],
) -> Result<Any, MsgError> {
    check_address("signer", signer)?;
    let id = deployment_id(owner, dseq)?;
    let msg = am::MsgAccountDeposit {
        signer: signer.to_string(),
        id: Some(EscrowAccountId { scope: Scope::Deployment as i32, xid: format!("{}/{}", id.owner, id.dseq) }),
        deposit: Some(deposit(amount, sources)?),
    };
    Ok(any(akash_url::MSG_ACCOUNT_DEPOSIT, &msg))
}

fn check_bid_id(id: &BidId) -> Result<(), MsgError> {
    check_address("owner", &id.owner)?;
    check_address("provider", &id.provider)?;
    if id.dseq == 0 {
        return Err(MsgError::ZeroDseq);
    }
    if id.gseq == 0 {
        return Err(MsgError::ZeroSequence { field: "gseq" });
    }
    if id.oseq == 0 {
        return Err(MsgError::ZeroSequence { field: "oseq" });
    }
    Ok(())
}

/// `MsgCreateLease`: accepts the provider's bid (must be sent before the provider's bid timeout).
pub fn create_lease(bid_id: &BidId) -> Result<Any, MsgError> {
    check_bid_id(bid_id)?;
    Ok(any(akash_url::MSG_CREATE_LEASE, &am::MsgCreateLease { bid_id: Some(bid_id.clone()) }))
}

/// `MsgCloseLease` with a reason (the owner closes with [`LeaseClosedReason::Owner`]).
pub fn close_lease(lease_id: &BidId, reason: LeaseClosedReason) -> Result<Any, MsgError> {
    check_bid_id(lease_id)?;
    let msg = am::MsgCloseLease { id: Some(lease_id.clone()), reason: reason as i32 };
    Ok(any(akash_url::MSG_CLOSE_LEASE, &msg))
}

/// `MsgMintACT`: burns `coins_to_burn` AKT (`uakt`) to mint ACT for the owner; `to` must be the
/// owner because ACT is not transferable.
pub fn mint_act(owner: &str, to: &str, coins_to_burn: &Coin) -> Result<Any, MsgError> {
    check_address("owner", owner)?;
    check_address("to", to)?;
    if owner != to {
        return Err(MsgError::MintToOther);
    }
    check_coin("coins_to_burn", coins_to_burn, false)?;
    if coins_to_burn.denom != DENOM_UAKT {
        return Err(MsgError::WrongDenom {
            field: "coins_to_burn",
            expected: DENOM_UAKT,
            found: coins_to_burn.denom.clone(),
        });
    }
    let msg = am::MsgMintAct { owner: owner.to_string(), to: to.to_string(), coins_to_burn: Some(coins_to_burn.clone()) };
    Ok(any(akash_url::MSG_MINT_ACT, &msg))
}

/// `cosmos.bank.v1beta1.MsgSend`; coins must be positive, sorted by denom, with no repeats.
pub fn bank_send(from: &str, to: &str, amount: &[Coin]) -> Result<Any, MsgError> {
    check_address("from_address", from)?;
    check_address("to_address", to)?;
    if amount.is_empty() {
        return Err(MsgError::NoCoins);
    }
    check_coins("amount", amount)?;
    let msg = MsgSend { from_address: from.to_string(), to_address: to.to_string(), amount: amount.to_vec() };
    Ok(any(cosmos_url::MSG_SEND, &msg))
}

/// `cosmos.feegrant.v1beta1.MsgGrantAllowance`: `granter` pays `grantee`'s fees up to
/// `spend_limit` (sorted, positive; empty means no limit) until `expiration_secs` (Unix seconds;
/// `None` for no end). With `allowed_messages` the `BasicAllowance` is wrapped in an
/// `AllowedMsgAllowance`, so the grant pays only for transactions made of those message types;
/// with none it is a plain `BasicAllowance` (the chain refuses an empty allowed list).
pub fn grant_fee_allowance(
    granter: &str,
    grantee: &str,
    spend_limit: &[Coin],
    expiration_secs: Option<u64>,
    allowed_messages: &[&str],
) -> Result<Any, MsgError> {
    check_granter_grantee(granter, grantee)?;
    check_coins("spend_limit", spend_limit)?;
    let basic = any(
        cosmos_url::BASIC_ALLOWANCE,
        &BasicAllowance { spend_limit: spend_limit.to_vec(), expiration: expiration(expiration_secs)? },
    );
    let allowance = if allowed_messages.is_empty() {
        basic
    } else {
        for m in allowed_messages {
            check_type_url("allowed_messages", m)?;
        }
        let allowed = AllowedMsgAllowance {
            allowance: Some(basic),
            allowed_messages: allowed_messages.iter().map(|m| m.to_string()).collect(),
        };
        any(cosmos_url::ALLOWED_MSG_ALLOWANCE, &allowed)
    };
    let msg = MsgGrantAllowance { granter: granter.to_string(), grantee: grantee.to_string(), allowance: Some(allowance) };
    Ok(any(cosmos_url::MSG_GRANT_ALLOWANCE, &msg))
}

/// `cosmos.feegrant.v1beta1.MsgRevokeAllowance`: ends `granter`'s fee allowance to `grantee`.
pub fn revoke_fee_allowance(granter: &str, grantee: &str) -> Result<Any, MsgError> {
    check_granter_grantee(granter, grantee)?;
    let msg = MsgRevokeAllowance { granter: granter.to_string(), grantee: grantee.to_string() };
    Ok(any(cosmos_url::MSG_REVOKE_ALLOWANCE, &msg))
}

/// `cosmos.authz.v1beta1.MsgGrant` of an `akash.escrow.v1.DepositAuthorization`: `grantee` may
/// fund escrow deposits of `scopes` (non-empty, distinct) from `granter`'s balance, up to
/// `spend_limit` in total, until `expiration_secs` (`None`: no end). Deposits then name the
/// granter with the `grant` source. The grant is stored under
/// [`akash_url::DEPOSIT_AUTHORIZATION_MSG_TYPE_URL`].
pub fn grant_deposit_authorization(
    granter: &str,
    grantee: &str,
    spend_limit: &Coin,
    scopes: &[DepositScope],
    expiration_secs: Option<u64>,
) -> Result<Any, MsgError> {
    check_granter_grantee(granter, grantee)?;
    check_coin("spend_limit", spend_limit, false)?;
    check_scopes(scopes)?;
    let authorization = DepositAuthorization {
        spend_limit: Some(spend_limit.clone()),
        scopes: scopes.iter().map(|s| *s as i32).collect(),
    };
    let grant = Grant {
        authorization: Some(any(akash_url::DEPOSIT_AUTHORIZATION, &authorization)),
        expiration: expiration(expiration_secs)?,
    };
    let msg = MsgGrant { granter: granter.to_string(), grantee: grantee.to_string(), grant: Some(grant) };
    Ok(any(cosmos_url::MSG_GRANT, &msg))
}

/// `cosmos.authz.v1beta1.MsgRevoke`: removes `granter`'s grant to `grantee` stored under
/// `msg_type_url` (for a deposit authorization,
/// [`akash_url::DEPOSIT_AUTHORIZATION_MSG_TYPE_URL`]).
pub fn revoke_authorization(granter: &str, grantee: &str, msg_type_url: &str) -> Result<Any, MsgError> {
    check_granter_grantee(granter, grantee)?;
    check_type_url("msg_type_url", msg_type_url)?;
    let msg = MsgRevoke { granter: granter.to_string(), grantee: grantee.to_string(), msg_type_url: msg_type_url.to_string() };
    Ok(any(cosmos_url::MSG_REVOKE, &msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::akash::{Cpu, Memory, ResourceUnit, ResourceValue, Resources};
    use crate::proto::cosmos::DecCoin;

    const A: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
    const B: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";

    pub(crate) fn group() -> GroupSpec {
        GroupSpec {
            name: "dcloud".into(),
            requirements: Some(Default::default()),
            resources: vec![ResourceUnit {
                resource: Some(Resources {
                    id: 1,
                    cpu: Some(Cpu { units: Some(ResourceValue { val: b"500".to_vec() }), attributes: vec![] }),
                    memory: Some(Memory { quantity: Some(ResourceValue { val: b"536870912".to_vec() }), attributes: vec![] }),
                    ..Default::default()
                }),
                count: 1,
                price: Some(DecCoin { denom: "uact".into(), amount: crate::dec::to_atomics("1000").unwrap() }),
            }],
        }
    }

    #[test]
    fn create_deployment_round_trips() {
        let any = create_deployment(A, 42, vec![group()], [7; 32], &coin(500000, "uact"), &[Source::Balance]).unwrap();
        assert_eq!(any.type_url, "/akash.deployment.v1beta4.MsgCreateDeployment");
        let m = am::MsgCreateDeployment::decode(any.value.as_slice()).unwrap();
        assert_eq!(m.id.unwrap().dseq, 42);
        assert_eq!(m.hash, vec![7; 32]);
        assert_eq!(m.groups, vec![group()]);
        let d = m.deposit.unwrap();
        assert_eq!(d.sources, vec![1]);
        // Sources are written unpacked: tag (5 << 3 | 0) = 40 followed by the value.
        assert!(Deposit { amount: None, sources: vec![1, 2] }.encode_to_vec() == vec![40, 1, 40, 2]);
    }

    #[test]
    fn create_deployment_refuses_bad_input() {
        let d = coin(500000, "uact");
        assert!(matches!(create_deployment("akash1xyz", 1, vec![group()], [0; 32], &d, &[Source::Balance]), Err(MsgError::Address { field: "owner", .. })));
        assert_eq!(create_deployment(A, 0, vec![group()], [0; 32], &d, &[Source::Balance]), Err(MsgError::ZeroDseq));
        assert_eq!(create_deployment(A, 1, vec![], [0; 32], &d, &[Source::Balance]), Err(MsgError::NoGroups));
        assert_eq!(create_deployment(A, 1, vec![group()], [0; 32], &d, &[]), Err(MsgError::NoSources));
        assert_eq!(
            create_deployment(A, 1, vec![group()], [0; 32], &d, &[Source::Grant, Source::Grant]),
            Err(MsgError::RepeatedSource(Source::Grant))
        );
        assert_eq!(create_deployment(A, 1, vec![group()], [0; 32], &d, &[Source::Invalid]), Err(MsgError::InvalidSource));
        assert_eq!(create_deployment(A, 1, vec![group()], [0; 32], &coin(0, "uact"), &[Source::Balance]), Err(MsgError::ZeroAmount { field: "deposit" }));
        assert!(matches!(create_deployment(A, 1, vec![group()], [0; 32], &coin(5, "uakt"), &[Source::Balance]), Err(MsgError::WrongDenom { .. })));
        let mut g = group();
        g.resources[0].price.as_mut().unwrap().amount = "1.5".into();
        assert!(matches!(create_deployment(A, 1, vec![g], [0; 32], &d, &[Source::Balance]), Err(MsgError::PriceNotAtomics { .. })));
        let mut g = group();
        g.name.clear();
        assert!(matches!(create_deployment(A, 1, vec![g], [0; 32], &d, &[Source::Balance]), Err(MsgError::InvalidGroup { .. })));
    }

    #[test]
    fn coins_are_validated() {
        assert_eq!(parse_coin("5000000uakt").unwrap(), coin(5000000, "uakt"));
        assert_eq!(parse_coin("007uact").unwrap(), coin(7, "uact"));
        assert!(parse_coin("uakt").is_err());
        assert!(parse_coin("5").is_err());
        assert!(parse_coin("5.5uakt").is_err());
        assert!(parse_coin("5u").is_err());
        let bad = Coin { denom: "uakt".into(), amount: "01".into() };
        assert!(matches!(bank_send(A, B, &[bad]), Err(MsgError::InvalidAmount { .. })));
        let empty = Coin { denom: "".into(), amount: "1".into() };
        assert_eq!(bank_send(A, B, &[empty]), Err(MsgError::EmptyDenom { field: "amount" }));
        assert_eq!(bank_send(A, B, &[]), Err(MsgError::NoCoins));
        assert_eq!(bank_send(A, B, &[coin(1, "uakt"), coin(1, "uact")]), Err(MsgError::UnsortedCoins));
        assert!(bank_send(A, B, &[coin(1, "uact"), coin(1, "uakt")]).is_ok());
    }

    #[test]
    fn mint_act_rules() {
        assert_eq!(mint_act(A, B, &coin(1, "uakt")), Err(MsgError::MintToOther));
        assert!(matches!(mint_act(A, A, &coin(1, "uact")), Err(MsgError::WrongDenom { .. })));
        let any = mint_act(A, A, &coin(1000000, "uakt")).unwrap();
        let m = am::MsgMintAct::decode(any.value.as_slice()).unwrap();
        assert_eq!(m.coins_to_burn.unwrap().amount, "1000000");
    }

    #[test]
    fn fee_allowance_plain_and_wrapped() {
        let any = grant_fee_allowance(A, B, &[coin(5000000, "uakt")], Some(1_900_000_000), &[]).unwrap();
        assert_eq!(any.type_url, "/cosmos.feegrant.v1beta1.MsgGrantAllowance");
        let m = MsgGrantAllowance::decode(any.value.as_slice()).unwrap();
        assert_eq!((m.granter.as_str(), m.grantee.as_str()), (A, B));
        let inner = m.allowance.unwrap();
        assert_eq!(inner.type_url, "/cosmos.feegrant.v1beta1.BasicAllowance");
        let basic = BasicAllowance::decode(inner.value.as_slice()).unwrap();
        assert_eq!(basic.spend_limit, vec![coin(5000000, "uakt")]);
        assert_eq!(basic.expiration, Some(Timestamp { seconds: 1_900_000_000, nanos: 0 }));

        let allowed = [akash_url::MSG_CREATE_DEPLOYMENT, akash_url::MSG_CREATE_LEASE];
        let any = grant_fee_allowance(A, B, &[], None, &allowed).unwrap();
        let m = MsgGrantAllowance::decode(any.value.as_slice()).unwrap();
        let outer = m.allowance.unwrap();
        assert_eq!(outer.type_url, "/cosmos.feegrant.v1beta1.AllowedMsgAllowance");
        let w = AllowedMsgAllowance::decode(outer.value.as_slice()).unwrap();
        assert_eq!(w.allowed_messages, allowed);
        let basic = BasicAllowance::decode(w.allowance.unwrap().value.as_slice()).unwrap();
        assert_eq!(basic, BasicAllowance { spend_limit: vec![], expiration: None });

        let r = MsgRevokeAllowance::decode(revoke_fee_allowance(A, B).unwrap().value.as_slice()).unwrap();
        assert_eq!((r.granter.as_str(), r.grantee.as_str()), (A, B));
    }

    #[test]
    fn fee_allowance_refuses_bad_input() {
        let l = [coin(1, "uakt")];
        assert_eq!(grant_fee_allowance(A, A, &l, None, &[]), Err(MsgError::SelfGrant));
        assert!(matches!(grant_fee_allowance("akash1x", B, &l, None, &[]), Err(MsgError::Address { field: "granter", .. })));
        assert!(matches!(grant_fee_allowance(A, "", &l, None, &[]), Err(MsgError::Address { field: "grantee", .. })));
        assert_eq!(grant_fee_allowance(A, B, &[coin(0, "uakt")], None, &[]), Err(MsgError::ZeroAmount { field: "spend_limit" }));
        assert_eq!(grant_fee_allowance(A, B, &[coin(1, "uakt"), coin(1, "uact")], None, &[]), Err(MsgError::UnsortedCoins));
        assert_eq!(grant_fee_allowance(A, B, &l, Some(0), &[]), Err(MsgError::InvalidExpiration { secs: 0 }));
        assert_eq!(
            grant_fee_allowance(A, B, &l, Some(MAX_TIMESTAMP_SECS + 1), &[]),
            Err(MsgError::InvalidExpiration { secs: MAX_TIMESTAMP_SECS + 1 })
        );
        assert!(grant_fee_allowance(A, B, &l, Some(MAX_TIMESTAMP_SECS), &[]).is_ok());
        for bad in ["", "/", "akash.escrow.v1.MsgAccountDeposit", "/a..b", "/a b", "/a."] {
            assert!(matches!(grant_fee_allowance(A, B, &l, None, &[bad]), Err(MsgError::InvalidTypeUrl { .. })), "{bad:?}");
        }
        assert_eq!(revoke_fee_allowance(B, B), Err(MsgError::SelfGrant));
    }

    #[test]
    fn deposit_authorization_grant_and_revoke() {
        let scopes = [DepositScope::Deployment, DepositScope::Bid];
        let any = grant_deposit_authorization(A, B, &coin(10000000, "uact"), &scopes, Some(1_900_000_000)).unwrap();
        assert_eq!(any.type_url, "/cosmos.authz.v1beta1.MsgGrant");
        let m = MsgGrant::decode(any.value.as_slice()).unwrap();
        let g = m.grant.unwrap();
        assert_eq!(g.expiration, Some(Timestamp { seconds: 1_900_000_000, nanos: 0 }));
        let a = g.authorization.unwrap();
        assert_eq!(a.type_url, "/akash.escrow.v1.DepositAuthorization");
        let d = DepositAuthorization::decode(a.value.as_slice()).unwrap();
        assert_eq!((d.spend_limit, d.scopes), (Some(coin(10000000, "uact")), vec![1, 2]));
        // Scopes are written unpacked: tag (2 << 3 | 0) = 16 per value.
        assert_eq!(DepositAuthorization { spend_limit: None, scopes: vec![1, 2] }.encode_to_vec(), vec![16, 1, 16, 2]);

        let c = coin(1, "uact");
        assert_eq!(grant_deposit_authorization(A, A, &c, &scopes, None), Err(MsgError::SelfGrant));
        assert_eq!(grant_deposit_authorization(A, B, &c, &[], None), Err(MsgError::NoScopes));
        assert_eq!(grant_deposit_authorization(A, B, &c, &[DepositScope::Invalid], None), Err(MsgError::InvalidScope));
        assert_eq!(
            grant_deposit_authorization(A, B, &c, &[DepositScope::Bid, DepositScope::Bid], None),
            Err(MsgError::RepeatedScope(DepositScope::Bid))
        );
        assert_eq!(grant_deposit_authorization(A, B, &coin(0, "uact"), &scopes, None), Err(MsgError::ZeroAmount { field: "spend_limit" }));
        assert_eq!(grant_deposit_authorization(A, B, &c, &scopes, Some(0)), Err(MsgError::InvalidExpiration { secs: 0 }));

        let r = revoke_authorization(A, B, akash_url::DEPOSIT_AUTHORIZATION_MSG_TYPE_URL).unwrap();
        assert_eq!(r.type_url, "/cosmos.authz.v1beta1.MsgRevoke");
        let r = MsgRevoke::decode(r.value.as_slice()).unwrap();
        assert_eq!(r.msg_type_url, "/akash.escrow.v1.MsgAccountDeposit");
        assert!(matches!(revoke_authorization(A, B, "MsgAccountDeposit"), Err(MsgError::InvalidTypeUrl { field: "msg_type_url", .. })));
    }

    #[test]
    fn deposit_and_lease() {
        let any = account_deposit(A, A, 9, &coin(100, "uakt"), &[Source::Balance]).unwrap();
        let m = am::MsgAccountDeposit::decode(any.value.as_slice()).unwrap();
        assert_eq!(m.id.unwrap(), EscrowAccountId { scope: 1, xid: format!("{A}/9") });
        let bid = BidId { owner: A.into(), dseq: 9, gseq: 1, oseq: 1, provider: B.into(), bseq: 0 };
        assert!(create_lease(&bid).is_ok());
        assert!(close_lease(&bid, LeaseClosedReason::Owner).is_ok());
        let bad = BidId { gseq: 0, ..bid.clone() };
        assert_eq!(create_lease(&bad), Err(MsgError::ZeroSequence { field: "gseq" }));
        let bad = BidId { provider: "x".into(), ..bid };
        assert!(matches!(create_lease(&bad), Err(MsgError::Address { field: "provider", .. })));
    }
}
