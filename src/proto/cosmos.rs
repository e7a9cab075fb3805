//! Cosmos SDK protobuf types.

/// `cosmos.base.v1beta1.Coin`: an integer amount (decimal string) of a denom.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Coin {
    #[prost(string, tag = "1")]
    pub denom: String,
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `cosmos.base.v1beta1.DecCoin`: the amount is a `LegacyDec` written as its 18-decimal atomics
/// (no decimal point) in the protobuf bytes; see [`crate::dec`].
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DecCoin {
    #[prost(string, tag = "1")]
    pub denom: String,
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Any {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.protobuf.Timestamp`: `TxBody.timeout_timestamp`, grant and allowance expirations. We
/// write whole seconds only (`nanos` 0, which protobuf omits), as the SDK does for a `Date` without
/// milliseconds.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `cosmos.tx.v1beta1.TxBody`. We write `messages`, `memo`, `timeout_height` and
/// `timeout_timestamp`; the other fields exist so a decoded transaction shows everything it carries
/// instead of silently dropping it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TxBody {
    #[prost(message, repeated, tag = "1")]
    pub messages: Vec<Any>,
    #[prost(string, tag = "2")]
    pub memo: String,
    #[prost(uint64, tag = "3")]
    pub timeout_height: u64,
    /// Cosmos SDK 0.53 unordered transactions (never set by us).
    #[prost(bool, tag = "4")]
    pub unordered: bool,
    #[prost(message, optional, tag = "5")]
    pub timeout_timestamp: Option<Timestamp>,
    #[prost(message, repeated, tag = "1023")]
    pub extension_options: Vec<Any>,
    #[prost(message, repeated, tag = "2047")]
    pub non_critical_extension_options: Vec<Any>,
}

/// `cosmos.tx.signing.v1beta1.SignMode` values we name.
pub mod sign_mode {
    /// `SIGN_MODE_DIRECT`: the signature covers the protobuf `SignDoc`.
    pub const DIRECT: i32 = 1;
    /// `SIGN_MODE_LEGACY_AMINO_JSON`.
    pub const LEGACY_AMINO_JSON: i32 = 127;
}

/// `cosmos.tx.v1beta1.ModeInfo.Single`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ModeInfoSingle {
    #[prost(int32, tag = "1")]
    pub mode: i32,
}

/// `cosmos.tx.v1beta1.ModeInfo`, single-signer branch only (field 2, `multi`, is multisig, which we
/// never build; a decoded multisig shows `single: None`).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ModeInfo {
    #[prost(message, optional, tag = "1")]
    pub single: Option<ModeInfoSingle>,
}

/// `cosmos.tx.v1beta1.SignerInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SignerInfo {
    #[prost(message, optional, tag = "1")]
    pub public_key: Option<Any>,
    #[prost(message, optional, tag = "2")]
    pub mode_info: Option<ModeInfo>,
    #[prost(uint64, tag = "3")]
    pub sequence: u64,
}

/// `cosmos.tx.v1beta1.Fee`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Fee {
    #[prost(message, repeated, tag = "1")]
    pub amount: Vec<Coin>,
    #[prost(uint64, tag = "2")]
    pub gas_limit: u64,
    #[prost(string, tag = "3")]
    pub payer: String,
    #[prost(string, tag = "4")]
    pub granter: String,
}

/// `cosmos.tx.v1beta1.AuthInfo` (the deprecated `tip`, field 3, is left out).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AuthInfo {
    #[prost(message, repeated, tag = "1")]
    pub signer_infos: Vec<SignerInfo>,
    #[prost(message, optional, tag = "2")]
    pub fee: Option<Fee>,
}

/// `cosmos.tx.v1beta1.SignDoc`: what SIGN_MODE_DIRECT signs (SHA-256 of its bytes).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct SignDoc {
    #[prost(bytes = "vec", tag = "1")]
    pub body_bytes: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub auth_info_bytes: Vec<u8>,
    #[prost(string, tag = "3")]
    pub chain_id: String,
    #[prost(uint64, tag = "4")]
    pub account_number: u64,
}

/// `cosmos.tx.v1beta1.TxRaw`: what is broadcast; body and auth info stay the exact signed bytes.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct TxRaw {
    #[prost(bytes = "vec", tag = "1")]
    pub body_bytes: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub auth_info_bytes: Vec<u8>,
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub signatures: Vec<Vec<u8>>,
}

/// `cosmos.crypto.secp256k1.PubKey` (33-byte compressed key).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Secp256k1PubKey {
    #[prost(bytes = "vec", tag = "1")]
    pub key: Vec<u8>,
}

/// `cosmos.bank.v1beta1.MsgSend`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgSend {
    #[prost(string, tag = "1")]
    pub from_address: String,
    #[prost(string, tag = "2")]
    pub to_address: String,
    #[prost(message, repeated, tag = "3")]
    pub amount: Vec<Coin>,
}

/// `cosmos.feegrant.v1beta1.BasicAllowance`: the grantee's fees are paid by the granter up to
/// `spend_limit` (empty: no limit) until `expiration` (none: no end).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct BasicAllowance {
    #[prost(message, repeated, tag = "1")]
    pub spend_limit: Vec<Coin>,
    #[prost(message, optional, tag = "2")]
    pub expiration: Option<Timestamp>,
}

/// `cosmos.feegrant.v1beta1.AllowedMsgAllowance`: an allowance (an `Any`, usually a
/// [`BasicAllowance`]) usable only for transactions whose messages all have one of these type URLs.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct AllowedMsgAllowance {
    #[prost(message, optional, tag = "1")]
    pub allowance: Option<Any>,
    #[prost(string, repeated, tag = "2")]
    pub allowed_messages: Vec<String>,
}

/// `cosmos.feegrant.v1beta1.MsgGrantAllowance`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgGrantAllowance {
    #[prost(string, tag = "1")]
    pub granter: String,
    #[prost(string, tag = "2")]
    pub grantee: String,
    #[prost(message, optional, tag = "3")]
    pub allowance: Option<Any>,
}

/// `cosmos.feegrant.v1beta1.MsgRevokeAllowance`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgRevokeAllowance {
    #[prost(string, tag = "1")]
    pub granter: String,
    #[prost(string, tag = "2")]
    pub grantee: String,
}

/// `cosmos.authz.v1beta1.Grant`: an authorization (an `Any`, e.g.
/// `akash.escrow.v1.DepositAuthorization`) and its optional expiration.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Grant {
    #[prost(message, optional, tag = "1")]
    pub authorization: Option<Any>,
    #[prost(message, optional, tag = "2")]
    pub expiration: Option<Timestamp>,
}

/// `cosmos.authz.v1beta1.MsgGrant`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgGrant {
    #[prost(string, tag = "1")]
    pub granter: String,
    #[prost(string, tag = "2")]
    pub grantee: String,
    #[prost(message, optional, tag = "3")]
    pub grant: Option<Grant>,
}

/// `cosmos.authz.v1beta1.MsgRevoke`: removes the grant stored under `msg_type_url` (the
/// authorization's `MsgTypeURL()`, not the authorization's own type URL).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct MsgRevoke {
    #[prost(string, tag = "1")]
    pub granter: String,
    #[prost(string, tag = "2")]
    pub grantee: String,
    #[prost(string, tag = "3")]
    pub msg_type_url: String,
}

/// Type URLs of the Cosmos messages, keys and allowances above.
pub mod type_url {
    pub const MSG_SEND: &str = "/cosmos.bank.v1beta1.MsgSend";
    pub const SECP256K1_PUBKEY: &str = "/cosmos.crypto.secp256k1.PubKey";
    pub const MSG_GRANT_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.MsgGrantAllowance";
    pub const MSG_REVOKE_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.MsgRevokeAllowance";
    pub const BASIC_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.BasicAllowance";
    pub const ALLOWED_MSG_ALLOWANCE: &str = "/cosmos.feegrant.v1beta1.AllowedMsgAllowance";
    pub const MSG_GRANT: &str = "/cosmos.authz.v1beta1.MsgGrant";
    pub const MSG_REVOKE: &str = "/cosmos.authz.v1beta1.MsgRevoke";
}
