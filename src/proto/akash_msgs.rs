//! Akash transaction messages (node v2.x): deployment v1beta4, escrow v1, market v1beta5, bme v1,
//! and the escrow deposit authorization granted through authz.
//! Field numbers, enum values and presence rules checked against the `@akashnetwork/chain-sdk`
//! generated encoders: sub-messages are `Option` and always `Some` when we build them, as the SDK
//! writes every sub-message that is not `undefined`.

use super::akash::GroupSpec;
use super::cosmos::Coin;

/// `akash.deployment.v1.DeploymentID`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DeploymentId {
    #[prost(string, tag = "1")]
    pub owner: String,
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
}

/// `akash.base.deposit.v1.Source`: where a deposit's funds come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Source {
    Invalid = 0,
    Balance = 1,
    Grant = 2,
}

/// `akash.base.deposit.v1.Deposit`. `sources` is written unpacked (one tag-5 varint per entry), as
/// the SDK writes it, so it needs `packed = "false"` (prost packs proto3 enums by default).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Deposit {
    #[prost(message, optional, tag = "1")]
    pub amount: Option<Coin>,
    #[prost(enumeration = "Source", repeated, packed = "false", tag = "5")]
    pub sources: Vec<i32>,
}

/// `akash.deployment.v1beta4.MsgCreateDeployment`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateDeployment {
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
    #[prost(message, repeated, tag = "2")]
    pub groups: Vec<GroupSpec>,
    #[prost(bytes = "vec", tag = "3")]
    pub hash: Vec<u8>,
    #[prost(message, optional, tag = "4")]
    pub deposit: Option<Deposit>,
}

/// `akash.deployment.v1beta4.MsgUpdateDeployment` (field 2 is reserved: the hash is field 3).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgUpdateDeployment {
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
    #[prost(bytes = "vec", tag = "3")]
    pub hash: Vec<u8>,
}

/// `akash.deployment.v1beta4.MsgCloseDeployment`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgCloseDeployment {
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
}

/// `akash.escrow.id.v1.Scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Scope {
    Invalid = 0,
    Deployment = 1,
    Bid = 2,
}

/// `akash.escrow.id.v1.Account`: an escrow account, e.g. deployment scope with xid `{owner}/{dseq}`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct EscrowAccountId {
    #[prost(enumeration = "Scope", tag = "1")]
    pub scope: i32,
    #[prost(string, tag = "2")]
    pub xid: String,
}

/// `akash.escrow.v1.MsgAccountDeposit`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgAccountDeposit {
    #[prost(string, tag = "1")]
    pub signer: String,
    #[prost(message, optional, tag = "2")]
    pub id: Option<EscrowAccountId>,
    #[prost(message, optional, tag = "3")]
    pub deposit: Option<Deposit>,
}

/// `akash.market.v1.BidID` (same fields as `LeaseID`).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct BidId {
    #[prost(string, tag = "1")]
    pub owner: String,
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
    #[prost(uint32, tag = "3")]
    pub gseq: u32,
    #[prost(uint32, tag = "4")]
    pub oseq: u32,
    #[prost(string, tag = "5")]
    pub provider: String,
    #[prost(uint32, tag = "6")]
    pub bseq: u32,
}

/// `akash.market.v1.LeaseID`: identical in shape to [`BidId`].
pub type LeaseId = BidId;

/// `akash.market.v1.LeaseClosedReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum LeaseClosedReason {
    Invalid = 0,
    Owner = 1,
    Unstable = 10000,
    Decommission = 10001,
    Unspecified = 10002,
    ManifestTimeout = 10003,
    InsufficientFunds = 20000,
}

/// `akash.market.v1beta5.MsgCreateLease`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgCreateLease {
    #[prost(message, optional, tag = "1")]
    pub bid_id: Option<BidId>,
}

/// `akash.market.v1beta5.MsgCloseLease`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgCloseLease {
    #[prost(message, optional, tag = "1")]
    pub id: Option<LeaseId>,
    #[prost(enumeration = "LeaseClosedReason", tag = "2")]
    pub reason: i32,
}

/// `akash.bme.v1.MsgMintACT`: burn `coins_to_burn` (uakt) to mint ACT for `to` (== owner).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgMintAct {
    #[prost(string, tag = "1")]
    pub owner: String,
    #[prost(string, tag = "2")]
    pub to: String,
    #[prost(message, optional, tag = "3")]
    pub coins_to_burn: Option<Coin>,
}

/// `akash.escrow.v1.DepositAuthorization.Scope`: what a deposit grant may fund (same numbers as
/// the escrow account [`Scope`], but a distinct proto enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DepositScope {
    Invalid = 0,
    Deployment = 1,
    Bid = 2,
}

/// `akash.escrow.v1.DepositAuthorization` (an authz authorization): the grantee may fund escrow
/// deposits of the given scopes from the granter's balance, up to `spend_limit` in total. `scopes`
/// is written unpacked, one tag-2 varint per entry, as the SDK writes it.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DepositAuthorization {
    #[prost(message, optional, tag = "1")]
    pub spend_limit: Option<Coin>,
    #[prost(enumeration = "DepositScope", repeated, packed = "false", tag = "2")]
    pub scopes: Vec<i32>,
}

/// Type URLs of the messages above, as node v2.1 registers them.
pub mod type_url {
    pub const MSG_CREATE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgCreateDeployment";
    pub const MSG_UPDATE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgUpdateDeployment";
    pub const MSG_CLOSE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgCloseDeployment";
    pub const MSG_ACCOUNT_DEPOSIT: &str = "/akash.escrow.v1.MsgAccountDeposit";
    pub const MSG_CREATE_LEASE: &str = "/akash.market.v1beta5.MsgCreateLease";
    pub const MSG_CLOSE_LEASE: &str = "/akash.market.v1beta5.MsgCloseLease";
    pub const MSG_MINT_ACT: &str = "/akash.bme.v1.MsgMintACT";
    /// The authorization's own type URL (inside `Grant.authorization`).
    pub const DEPOSIT_AUTHORIZATION: &str = "/akash.escrow.v1.DepositAuthorization";
    /// The key authz stores a [`super::DepositAuthorization`] under: its Go `MsgTypeURL()`, which
    /// returns the type URL of `MsgAccountDeposit`. `MsgRevoke` and the grants query
    /// (`msg_type_url=`) take this value, not [`DEPOSIT_AUTHORIZATION`].
    pub const DEPOSIT_AUTHORIZATION_MSG_TYPE_URL: &str = MSG_ACCOUNT_DEPOSIT;
}
