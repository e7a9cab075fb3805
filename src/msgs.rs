//! Typed builders of the chain messages the orchestrator sends, each returning the `Any` that goes
//! into a transaction body. They check what the chain would refuse in `ValidateBasic` (addresses,
//! denoms, zero amounts, deposit sources) so a bad message fails here, before gas is spent.

use crate::address;
use crate::proto::akash::GroupSpec;
use crate::proto::akash_msgs::{
    self as am, type_url as akash_url, BidId, DeploymentId, Deposit, EscrowAccountId, LeaseClosedReason, Scope,
    Source,
};
use crate::proto::cosmos::{type_url as cosmos_url, Any, Coin, MsgSend};
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

fn check_sources(sources: &[Source]) -> Result<(), MsgError> {
    if sources.is_empty() {
        return Err(MsgError::NoSources);
    }
    for (i, s) in sources.iter().enumerate() {
        if *s == Source::Invalid {
            return Err(MsgError::InvalidSource);
        }
        if sources[..i].contains(s) {
            return Err(MsgError::RepeatedSource(*s));
        }
    }
    Ok(())
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
    for c in amount {
        check_coin("amount", c, false)?;
    }
    if amount.windows(2).any(|w| w[0].denom >= w[1].denom) {
        return Err(MsgError::UnsortedCoins);
    }
    let msg = MsgSend { from_address: from.to_string(), to_address: to.to_string(), amount: amount.to_vec() };
    Ok(any(cosmos_url::MSG_SEND, &msg))
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
