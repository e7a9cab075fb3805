//! Cosmos transactions signed with SIGN_MODE_DIRECT: the body and auth-info bytes, the `SignDoc`
//! whose SHA-256 the key signs, and the `TxRaw` that is broadcast. Signing is split so the
//! canister can compute [`UnsignedTx::sign_digest`], have threshold ECDSA sign it, and call
//! [`assemble`]; the command and the tests use [`sign`] with a local key.

use crate::address;
use crate::msgs::{self, MsgError};
use crate::proto::cosmos::{
    sign_mode, type_url, Any, AuthInfo, Coin, Fee, ModeInfo, ModeInfoSingle, Secp256k1PubKey, SignDoc, SignerInfo,
    Timestamp, TxBody, TxRaw,
};
use crate::signer::{self, PublicKey, Signer, SignerError};
use base64::Engine;
use prost::Message;
use sha2::{Digest, Sha256};
use std::fmt;

/// The Cosmos SDK default `MaxMemoCharacters`; a longer memo is refused by the ante handler.
pub const MAX_MEMO_CHARS: usize = 256;

/// Latest `timeout_timestamp` a `google.protobuf.Timestamp` can hold (9999-12-31T23:59:59Z); the
/// chain cannot decode a later one.
pub const MAX_TIMESTAMP_SECS: u64 = 253_402_300_799;

/// Why a transaction could not be built or signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxError {
    /// A transaction without messages.
    NoMessages,
    /// An empty chain id (the signature would be valid on no chain, or on the wrong one).
    EmptyChainId,
    /// A memo over [`MAX_MEMO_CHARS`] characters.
    MemoTooLong { chars: usize },
    /// A gas limit of zero.
    ZeroGas,
    /// A fee coin the chain would refuse.
    InvalidFee(MsgError),
    /// A fee payer or granter that is not a valid address.
    InvalidAddress { field: &'static str, error: address::AddressError },
    /// The signer's key is not the key the transaction names.
    KeyMismatch,
    /// The signer failed or returned a signature that does not verify.
    Signer(SignerError),
    /// A gas price that is not `<decimal><denom>` with at most 18 fractional digits.
    InvalidGasPrice(String),
    /// A fee too large to compute.
    FeeOverflow,
    /// A `timeout_timestamp` of 0 (already past) or after [`MAX_TIMESTAMP_SECS`].
    InvalidTimeoutTimestamp { secs: u64 },
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxError::NoMessages => write!(f, "a transaction needs at least one message"),
            TxError::EmptyChainId => write!(f, "empty chain id"),
            TxError::MemoTooLong { chars } => write!(f, "memo has {chars} characters, at most {MAX_MEMO_CHARS} allowed"),
            TxError::ZeroGas => write!(f, "gas limit must be positive"),
            TxError::InvalidFee(e) => write!(f, "invalid fee: {e}"),
            TxError::InvalidAddress { field, error } => write!(f, "{field}: {error}"),
            TxError::KeyMismatch => write!(f, "the signer's public key is not the transaction's public key"),
            TxError::Signer(e) => write!(f, "{e}"),
            TxError::InvalidGasPrice(s) => {
                write!(f, "invalid gas price '{s}' (expected e.g. 0.025uakt, at most 18 decimals)")
            }
            TxError::FeeOverflow => write!(f, "fee too large"),
            TxError::InvalidTimeoutTimestamp { secs } => {
                write!(f, "timeout timestamp {secs} must be between 1 and {MAX_TIMESTAMP_SECS} (Unix seconds)")
            }
        }
    }
}

impl std::error::Error for TxError {}

impl From<SignerError> for TxError {
    fn from(e: SignerError) -> Self {
        TxError::Signer(e)
    }
}

/// Everything a single-signer transaction needs before its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedTx {
    pub messages: Vec<Any>,
    pub memo: String,
    /// Block height after which the tx is invalid; 0 for none.
    pub timeout_height: u64,
    /// Block time (Unix seconds) after which the tx is invalid (`TxBody.timeout_timestamp`, Cosmos
    /// SDK 0.53): a tx that missed its moment cannot be included later, so a lost broadcast is
    /// final once the chain passes this time. `None` writes no field.
    pub timeout_timestamp_secs: Option<u64>,
    pub public_key: PublicKey,
    /// The account's sequence (nonce) as the chain reports it now.
    pub sequence: u64,
    pub account_number: u64,
    pub chain_id: String,
    pub fee: Vec<Coin>,
    pub gas_limit: u64,
    pub fee_payer: Option<String>,
    pub fee_granter: Option<String>,
}

impl UnsignedTx {
    fn validate(&self) -> Result<(), TxError> {
        if self.gas_limit == 0 {
            return Err(TxError::ZeroGas);
        }
        self.validate_except_gas()
    }

    /// Everything [`Self::validate`] checks but the gas limit, which a simulation does not know yet.
    fn validate_except_gas(&self) -> Result<(), TxError> {
        if self.messages.is_empty() {
            return Err(TxError::NoMessages);
        }
        if self.chain_id.is_empty() {
            return Err(TxError::EmptyChainId);
        }
        let chars = self.memo.chars().count();
        if chars > MAX_MEMO_CHARS {
            return Err(TxError::MemoTooLong { chars });
        }
        if let Some(secs) = self.timeout_timestamp_secs {
            if secs == 0 || secs > MAX_TIMESTAMP_SECS {
                return Err(TxError::InvalidTimeoutTimestamp { secs });
            }
        }
        for c in &self.fee {
            msgs::check_coin("fee", c, false).map_err(TxError::InvalidFee)?;
        }
        if self.fee.windows(2).any(|w| w[0].denom >= w[1].denom) {
            return Err(TxError::InvalidFee(MsgError::UnsortedCoins));
        }
        for (field, v) in [("fee_payer", &self.fee_payer), ("fee_granter", &self.fee_granter)] {
            if let Some(a) = v {
                address::validate(a).map_err(|error| TxError::InvalidAddress { field, error })?;
            }
        }
        Ok(())
    }

    /// `TxBody` bytes: the messages, memo, timeout height and timeout timestamp (whole seconds).
    pub fn body_bytes(&self) -> Vec<u8> {
        TxBody {
            messages: self.messages.clone(),
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            // Validated to fit: at most MAX_TIMESTAMP_SECS.
            timeout_timestamp: self
                .timeout_timestamp_secs
                .map(|s| Timestamp { seconds: i64::try_from(s).unwrap_or(i64::MAX), nanos: 0 }),
            ..Default::default()
        }
        .encode_to_vec()
    }

    /// `AuthInfo` bytes: one signer (secp256k1 key, SIGN_MODE_DIRECT, sequence) and the fee.
    pub fn auth_info_bytes(&self) -> Vec<u8> {
        let public_key = Any {
            type_url: type_url::SECP256K1_PUBKEY.to_string(),
            value: Secp256k1PubKey { key: self.public_key.0.to_vec() }.encode_to_vec(),
        };
        AuthInfo {
            signer_infos: vec![SignerInfo {
                public_key: Some(public_key),
                mode_info: Some(ModeInfo { single: Some(ModeInfoSingle { mode: sign_mode::DIRECT }) }),
                sequence: self.sequence,
            }],
            fee: Some(Fee {
                amount: self.fee.clone(),
                gas_limit: self.gas_limit,
                payer: self.fee_payer.clone().unwrap_or_default(),
                granter: self.fee_granter.clone().unwrap_or_default(),
            }),
        }
        .encode_to_vec()
    }

    /// The SIGN_MODE_DIRECT `SignDoc` bytes (after validating the transaction).
    pub fn sign_doc_bytes(&self) -> Result<Vec<u8>, TxError> {
        self.validate()?;
        Ok(SignDoc {
            body_bytes: self.body_bytes(),
            auth_info_bytes: self.auth_info_bytes(),
            chain_id: self.chain_id.clone(),
            account_number: self.account_number,
        }
        .encode_to_vec())
    }

    /// SHA-256 of the sign doc: the digest handed to the signer.
    pub fn sign_digest(&self) -> Result<[u8; 32], TxError> {
        Ok(Sha256::digest(self.sign_doc_bytes()?).into())
    }

    /// The `TxRaw` that `POST /cosmos/tx/v1beta1/simulate` takes: this body and auth info with
    /// exactly one empty signature (the node skips signature checks when simulating, but counts
    /// one signature per signer; cosmjs's `simulate` sends the same shape). A zero gas limit is
    /// allowed here, since simulating is how the gas limit is found.
    pub fn simulation_tx_bytes(&self) -> Result<Vec<u8>, TxError> {
        self.validate_except_gas()?;
        Ok(TxRaw { body_bytes: self.body_bytes(), auth_info_bytes: self.auth_info_bytes(), signatures: vec![Vec::new()] }
            .encode_to_vec())
    }
}

/// A signed transaction ready to broadcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTx {
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    /// 64-byte r||s, low-S.
    pub signature: [u8; 64],
    /// The `TxRaw` bytes (what `tx_bytes` in a broadcast request carries, base64-encoded).
    pub tx_raw: Vec<u8>,
}

impl SignedTx {
    /// Base64 of the `TxRaw` bytes, for `POST /cosmos/tx/v1beta1/txs`.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.tx_raw)
    }

    /// The transaction hash as the chain reports it: upper-case hex SHA-256 of the `TxRaw` bytes.
    pub fn hash(&self) -> String {
        tx_hash(&self.tx_raw)
    }
}

/// Upper-case hex SHA-256 of `TxRaw` bytes (the Cosmos/CometBFT transaction hash).
pub fn tx_hash(tx_raw: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(tx_raw))
}

/// Builds the signed transaction from a signature made out of band (threshold ECDSA): the
/// signature is normalised to low-S and must verify against the transaction's public key.
pub fn assemble(unsigned: &UnsignedTx, signature: &[u8; 64]) -> Result<SignedTx, TxError> {
    let digest = unsigned.sign_digest()?;
    let sig = signer::normalize_low_s(signature)?;
    unsigned.public_key.verify_digest(&digest, &sig)?;
    let body_bytes = unsigned.body_bytes();
    let auth_info_bytes = unsigned.auth_info_bytes();
    let tx_raw = TxRaw {
        body_bytes: body_bytes.clone(),
        auth_info_bytes: auth_info_bytes.clone(),
        signatures: vec![sig.to_vec()],
    }
    .encode_to_vec();
    Ok(SignedTx { body_bytes, auth_info_bytes, signature: sig, tx_raw })
}

/// Signs with `signer` (normalised to low-S and verified by [`signer::sign_checked`]).
pub async fn sign<S: Signer + ?Sized>(signer: &S, unsigned: &UnsignedTx) -> Result<SignedTx, TxError> {
    if signer.public_key() != unsigned.public_key {
        return Err(TxError::KeyMismatch);
    }
    let digest = unsigned.sign_digest()?;
    let sig = signer::sign_checked(signer, digest).await?;
    assemble(unsigned, &sig)
}

/// A gas price as an exact decimal: `amount = numerator / 10^scale` per unit of gas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasPrice {
    pub numerator: u128,
    pub scale: u32,
    pub denom: String,
}

/// Parses `0.025uakt` (digits with at most one `.` and 18 fractional digits, then a denom).
pub fn parse_gas_price(s: &str) -> Result<GasPrice, TxError> {
    let bad = || TxError::InvalidGasPrice(s.to_string());
    let split = s.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')).ok_or_else(bad)?;
    let (num, denom) = s.split_at(split);
    msgs::check_coin("gas price", &Coin { denom: denom.to_string(), amount: "1".into() }, false).map_err(|_| bad())?;
    let (whole, frac) = match num.split_once('.') {
        Some((w, f)) => (w, f.trim_end_matches('0')),
        None => (num, ""),
    };
    if (whole.is_empty() && frac.is_empty() && !num.contains('0')) || frac.contains('.') || frac.len() > 18 {
        return Err(bad());
    }
    let digits = format!("{whole}{frac}");
    let digits = digits.trim_start_matches('0');
    // At most 20 significant digits keeps gas (< 2^64) × numerator below 2^128.
    if digits.len() > 20 {
        return Err(bad());
    }
    let numerator = if digits.is_empty() { 0 } else { digits.parse::<u128>().map_err(|_| bad())? };
    Ok(GasPrice { numerator, scale: frac.len() as u32, denom: denom.to_string() })
}

/// The fee for `gas_limit` at `price`: ceil(gas_limit × price), in integers only.
pub fn fee_for_gas(gas_limit: u64, price: &GasPrice) -> Result<Coin, TxError> {
    let product = (gas_limit as u128).checked_mul(price.numerator).ok_or(TxError::FeeOverflow)?;
    let div = 10u128.pow(price.scale);
    let amount = product / div + u128::from(product % div != 0);
    Ok(Coin { denom: price.denom.clone(), amount: amount.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::{now_or_never, LocalSigner};

    fn unsigned(signer: &LocalSigner) -> UnsignedTx {
        let owner = address::address_of(&signer.public_key());
        UnsignedTx {
            messages: vec![msgs::close_deployment(&owner, 7).unwrap()],
            memo: "hi".into(),
            timeout_height: 0,
            timeout_timestamp_secs: None,
            public_key: signer.public_key(),
            sequence: 3,
            account_number: 12,
            chain_id: "akashnet-2".into(),
            fee: vec![msgs::coin(5000, "uakt")],
            gas_limit: 200000,
            fee_payer: None,
            fee_granter: None,
        }
    }

    #[test]
    fn sign_and_decode_round_trip() {
        let s = LocalSigner::from_hex(&"11".repeat(32)).unwrap();
        let u = unsigned(&s);
        let signed = now_or_never(sign(&s, &u)).unwrap().unwrap();
        let raw = TxRaw::decode(signed.tx_raw.as_slice()).unwrap();
        assert_eq!(raw.signatures, vec![signed.signature.to_vec()]);
        let body = TxBody::decode(raw.body_bytes.as_slice()).unwrap();
        assert_eq!(body.memo, "hi");
        let auth = AuthInfo::decode(raw.auth_info_bytes.as_slice()).unwrap();
        assert_eq!(auth.signer_infos[0].sequence, 3);
        assert_eq!(auth.fee.unwrap().gas_limit, 200000);
        assert_eq!(signed.hash().len(), 64);
        assert_eq!(signed.hash(), signed.hash().to_uppercase());
        // Out-of-band assembly gives the same bytes.
        let digest = u.sign_digest().unwrap();
        let sig = s.sign_digest_sync(&digest).unwrap();
        assert_eq!(assemble(&u, &sig).unwrap(), signed);
    }

    #[test]
    fn bad_transactions_are_refused() {
        let s = LocalSigner::from_hex(&"11".repeat(32)).unwrap();
        let other = LocalSigner::from_hex(&"22".repeat(32)).unwrap();
        let u = unsigned(&s);
        assert_eq!(now_or_never(sign(&other, &u)).unwrap(), Err(TxError::KeyMismatch));
        assert_eq!(UnsignedTx { messages: vec![], ..u.clone() }.sign_digest(), Err(TxError::NoMessages));
        assert_eq!(UnsignedTx { chain_id: "".into(), ..u.clone() }.sign_digest(), Err(TxError::EmptyChainId));
        assert_eq!(UnsignedTx { gas_limit: 0, ..u.clone() }.sign_digest(), Err(TxError::ZeroGas));
        assert_eq!(UnsignedTx { memo: "x".repeat(257), ..u.clone() }.sign_digest(), Err(TxError::MemoTooLong { chars: 257 }));
        for secs in [0, MAX_TIMESTAMP_SECS + 1, u64::MAX] {
            let bad = UnsignedTx { timeout_timestamp_secs: Some(secs), ..u.clone() };
            assert_eq!(bad.sign_digest(), Err(TxError::InvalidTimeoutTimestamp { secs }));
            assert_eq!(bad.simulation_tx_bytes(), Err(TxError::InvalidTimeoutTimestamp { secs }));
        }
        assert!(matches!(UnsignedTx { fee: vec![msgs::coin(0, "uakt")], ..u.clone() }.sign_digest(), Err(TxError::InvalidFee(_))));
        assert!(matches!(UnsignedTx { fee_granter: Some("x".into()), ..u.clone() }.sign_digest(), Err(TxError::InvalidAddress { .. })));
        // A signature over another digest does not assemble.
        let sig = s.sign_digest_sync(&[1; 32]).unwrap();
        assert_eq!(assemble(&u, &sig), Err(TxError::Signer(SignerError::InvalidSignature)));
    }

    #[test]
    fn timeout_timestamp_is_body_field_5() {
        let s = LocalSigner::from_hex(&"11".repeat(32)).unwrap();
        let u = UnsignedTx { timeout_timestamp_secs: Some(1_800_000_000), ..unsigned(&s) };
        let body = TxBody::decode(u.body_bytes().as_slice()).unwrap();
        assert_eq!(body.timeout_timestamp, Some(Timestamp { seconds: 1_800_000_000, nanos: 0 }));
        assert!(!body.unordered);
        // Tag 5, length-delimited (0x2a), holding only `seconds` (nanos 0 is not written).
        let mut ts = vec![0x08];
        prost::encoding::encode_varint(1_800_000_000, &mut ts);
        let mut field = vec![0x2a, ts.len() as u8];
        field.extend_from_slice(&ts);
        assert!(u.body_bytes().ends_with(&field));
        // None writes nothing: the bytes are those of a body without the field.
        let none = unsigned(&s);
        assert!(TxBody::decode(none.body_bytes().as_slice()).unwrap().timeout_timestamp.is_none());
        assert_eq!(u.body_bytes()[..u.body_bytes().len() - field.len()], none.body_bytes()[..]);
        let signed = now_or_never(sign(&s, &u)).unwrap().unwrap();
        assert_eq!(signed.body_bytes, u.body_bytes());
    }

    #[test]
    fn simulation_tx_has_one_empty_signature() {
        let s = LocalSigner::from_hex(&"11".repeat(32)).unwrap();
        let u = UnsignedTx { gas_limit: 0, fee: vec![], ..unsigned(&s) };
        let raw = TxRaw::decode(u.simulation_tx_bytes().unwrap().as_slice()).unwrap();
        assert_eq!(raw.signatures, vec![Vec::<u8>::new()]);
        assert_eq!(raw.body_bytes, u.body_bytes());
        assert_eq!(raw.auth_info_bytes, u.auth_info_bytes());
        // The empty signature is on the wire (tag 3, length 0), not dropped.
        assert!(u.simulation_tx_bytes().unwrap().ends_with(&[0x1a, 0x00]));
        // Signing still needs a gas limit; the simulation does not.
        assert_eq!(u.sign_digest(), Err(TxError::ZeroGas));
        assert_eq!(UnsignedTx { messages: vec![], ..u.clone() }.simulation_tx_bytes(), Err(TxError::NoMessages));
        assert_eq!(UnsignedTx { chain_id: "".into(), ..u }.simulation_tx_bytes(), Err(TxError::EmptyChainId));
    }

    #[test]
    fn fee_rounds_up_with_integers() {
        let p = parse_gas_price("0.025uakt").unwrap();
        assert_eq!(p, GasPrice { numerator: 25, scale: 3, denom: "uakt".into() });
        assert_eq!(fee_for_gas(200000, &p).unwrap().amount, "5000");
        assert_eq!(fee_for_gas(200001, &p).unwrap().amount, "5001"); // 5000.025 → 5001
        assert_eq!(fee_for_gas(1, &p).unwrap().amount, "1");
        assert_eq!(fee_for_gas(0, &p).unwrap().amount, "0");
        let p = parse_gas_price("0.0025uakt").unwrap();
        assert_eq!(fee_for_gas(123457, &p).unwrap().amount, "309"); // 308.6425 → 309
        let p = parse_gas_price("1uakt").unwrap();
        assert_eq!(fee_for_gas(u64::MAX, &p).unwrap().amount, u64::MAX.to_string());
        let p = parse_gas_price("0.10uact").unwrap();
        assert_eq!((p.numerator, p.scale), (1, 1));
        assert_eq!(parse_gas_price("0uakt").unwrap().numerator, 0);
        for bad in ["", "uakt", "0.025", "1.2.3uakt", "-1uakt", "0.0000000000000000001uakt", ".uakt", "1,5uakt"] {
            assert!(parse_gas_price(bad).is_err(), "{bad}");
        }
    }
}
