//! The transaction envelope as a node decodes it (`TxRaw`, `TxBody`, `AuthInfo`...), plus the
//! shared `Coin`, `Any` and `Timestamp`, with encoders for the sign doc and for tests.

use super::wire::{Reader, Value, WireError, Writer};

pub const TX_RAW: &str = "cosmos.tx.v1beta1.TxRaw";
pub const SECP256K1_PUBKEY: &str = "/cosmos.crypto.secp256k1.PubKey";
pub const SIGN_MODE_DIRECT: i32 = 1;

/// `cosmos.base.v1beta1.Coin` with its amount read as an integer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Coin {
    pub denom: String,
    pub amount: u128,
}

impl Coin {
    pub fn new(amount: u128, denom: &str) -> Self {
        Coin { denom: denom.to_string(), amount }
    }

    pub fn encode(&self) -> Writer {
        let mut w = Writer::new();
        w.string(1, &self.denom).string(2, &self.amount.to_string());
        w
    }
}

impl std::fmt::Display for Coin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// Coins as the SDK prints them: `5uact,10uakt` (empty list: "").
pub fn coins_string(coins: &[Coin]) -> String {
    coins.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",")
}

pub fn decode_coin(b: &[u8]) -> Result<Coin, WireError> {
    let (denom, amount) = decode_denom_amount(b, "cosmos.base.v1beta1.Coin")?;
    // math.Int unmarshals digits only (an optional sign, which the coin check then refuses).
    Ok(Coin { denom, amount: parse_big_int(&amount, 39)? })
}

/// Fields 1 (denom) and 2 (amount, text) of a `Coin` or `DecCoin`.
pub fn decode_denom_amount(b: &[u8], message: &str) -> Result<(String, String), WireError> {
    let (mut denom, mut amount) = (String::new(), String::new());
    Reader::each(b, message, true, |f, v| {
        match f {
            1 => denom = v.string("denom")?,
            2 => amount = v.string("amount")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((denom, amount))
}

/// An integer written as digits only, at most `max_digits` of them (empty is 0), refused as Go's
/// `big.Int` unmarshalling refuses anything else.
pub fn parse_big_int(text: &str, max_digits: usize) -> Result<u128, WireError> {
    let bad = || WireError(format!("math/big: cannot unmarshal {text:?} into a *big.Int"));
    if text.is_empty() {
        return Ok(0);
    }
    if text.len() > max_digits || !text.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

/// `google.protobuf.Any`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Any {
    pub type_url: String,
    pub value: Vec<u8>,
}

impl Any {
    pub fn encode(&self) -> Writer {
        let mut w = Writer::new();
        w.string(1, &self.type_url).bytes(2, &self.value);
        w
    }
}

pub fn decode_any(b: &[u8]) -> Result<Any, WireError> {
    let mut a = Any { type_url: String::new(), value: Vec::new() };
    Reader::each(b, "google.protobuf.Any", true, |f, v| {
        match f {
            1 => a.type_url = v.string("type_url")?,
            2 => a.value = v.bytes("value")?.to_vec(),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(a)
}

/// `google.protobuf.Timestamp` as nanoseconds since the epoch (negative times are refused).
pub fn decode_timestamp(b: &[u8]) -> Result<u64, WireError> {
    let (mut secs, mut nanos) = (0i64, 0i64);
    Reader::each(b, "google.protobuf.Timestamp", true, |f, v| {
        match f {
            1 => secs = v.varint("seconds")? as i64,
            2 => nanos = i64::from(v.varint("nanos")? as i32),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if secs < 0 || !(0..1_000_000_000).contains(&nanos) {
        return Err(WireError("timestamp out of range".into()));
    }
    (secs as u64)
        .checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(nanos as u64))
        .ok_or_else(|| WireError("timestamp out of range".into()))
}

pub fn encode_timestamp(nanos: u64) -> Writer {
    let mut w = Writer::new();
    w.uint(1, nanos / 1_000_000_000).uint(2, nanos % 1_000_000_000);
    w
}

/// `cosmos.tx.v1beta1.TxRaw`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRaw {
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    pub signatures: Vec<Vec<u8>>,
}

impl TxRaw {
    pub fn decode(b: &[u8]) -> Result<Self, WireError> {
        let mut t = TxRaw { body_bytes: Vec::new(), auth_info_bytes: Vec::new(), signatures: Vec::new() };
        Reader::each(b, TX_RAW, true, |f, v| {
            match f {
                1 => t.body_bytes = v.bytes("body_bytes")?.to_vec(),
                2 => t.auth_info_bytes = v.bytes("auth_info_bytes")?.to_vec(),
                3 => t.signatures.push(v.bytes("signatures")?.to_vec()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(t)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.bytes(1, &self.body_bytes).bytes(2, &self.auth_info_bytes);
        for s in &self.signatures {
            w.bytes_always(3, s);
        }
        w.finish()
    }
}

/// `cosmos.tx.v1beta1.TxBody`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxBody {
    pub messages: Vec<Any>,
    pub memo: String,
    pub timeout_height: u64,
    pub unordered: bool,
    /// Nanoseconds since the epoch; `None` when unset.
    pub timeout_timestamp: Option<u64>,
    pub extension_options: Vec<Any>,
    pub non_critical_extension_options: Vec<Any>,
}

impl TxBody {
    pub fn decode(b: &[u8]) -> Result<Self, WireError> {
        let mut t = TxBody::default();
        Reader::each(b, "cosmos.tx.v1beta1.TxBody", true, |f, v| {
            match f {
                1 => t.messages.push(decode_any(v.bytes("messages")?)?),
                2 => t.memo = v.string("memo")?,
                3 => t.timeout_height = v.varint("timeout_height")?,
                4 => t.unordered = v.bool("unordered")?,
                5 => t.timeout_timestamp = Some(decode_timestamp(v.bytes("timeout_timestamp")?)?),
                1023 => t.extension_options.push(decode_any(v.bytes("extension_options")?)?),
                2047 => t.non_critical_extension_options.push(decode_any(v.bytes("non_critical_extension_options")?)?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        // A zero timestamp means "not set" (the SDK ignores the Unix epoch too).
        if t.timeout_timestamp == Some(0) {
            t.timeout_timestamp = None;
        }
        Ok(t)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        for m in &self.messages {
            w.message(1, &m.encode());
        }
        w.string(2, &self.memo).uint(3, self.timeout_height).uint(4, u64::from(self.unordered));
        if let Some(ts) = self.timeout_timestamp {
            w.message(5, &encode_timestamp(ts));
        }
        for m in &self.extension_options {
            w.message(1023, &m.encode());
        }
        for m in &self.non_critical_extension_options {
            w.message(2047, &m.encode());
        }
        w.finish()
    }
}

/// `cosmos.tx.v1beta1.SignerInfo` (single-signer branch; `multi` is only noticed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerInfo {
    pub public_key: Option<Any>,
    /// `mode_info.single.mode`; `None` for multisig or no mode info.
    pub mode: Option<i32>,
    pub sequence: u64,
}

/// `cosmos.tx.v1beta1.Fee`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fee {
    pub amount: Vec<Coin>,
    pub gas_limit: u64,
    pub payer: String,
    pub granter: String,
}

/// `cosmos.tx.v1beta1.AuthInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthInfo {
    pub signer_infos: Vec<SignerInfo>,
    pub fee: Fee,
    /// The deprecated tip (field 3) was set: refused, as SDK 0.53 refuses it.
    pub tip: bool,
}

fn decode_mode_info(b: &[u8]) -> Result<Option<i32>, WireError> {
    let mut mode = None;
    Reader::each(b, "cosmos.tx.v1beta1.ModeInfo", true, |f, v| {
        match f {
            1 => {
                let mut m = 0i32;
                Reader::each(v.bytes("single")?, "cosmos.tx.v1beta1.ModeInfo.Single", true, |f, v| {
                    if f != 1 {
                        return Ok(false);
                    }
                    m = v.varint("mode")? as i32;
                    Ok(true)
                })?;
                mode = Some(m);
            }
            2 => mode = None,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(mode)
}

impl AuthInfo {
    pub fn decode(b: &[u8]) -> Result<Self, WireError> {
        let mut a = AuthInfo::default();
        Reader::each(b, "cosmos.tx.v1beta1.AuthInfo", true, |f, v| {
            match f {
                1 => {
                    let mut s = SignerInfo::default();
                    Reader::each(v.bytes("signer_infos")?, "cosmos.tx.v1beta1.SignerInfo", true, |f, v| {
                        match f {
                            1 => s.public_key = Some(decode_any(v.bytes("public_key")?)?),
                            2 => s.mode = decode_mode_info(v.bytes("mode_info")?)?,
                            3 => s.sequence = v.varint("sequence")?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    a.signer_infos.push(s);
                }
                2 => {
                    let fee = &mut a.fee;
                    Reader::each(v.bytes("fee")?, "cosmos.tx.v1beta1.Fee", true, |f, v| {
                        match f {
                            1 => fee.amount.push(decode_coin(v.bytes("amount")?)?),
                            2 => fee.gas_limit = v.varint("gas_limit")?,
                            3 => fee.payer = v.string("payer")?,
                            4 => fee.granter = v.string("granter")?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                3 => a.tip = true,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(a)
    }
}

/// `cosmos.crypto.secp256k1.PubKey` bytes.
pub fn decode_pubkey(b: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut key = Vec::new();
    Reader::each(b, "cosmos.crypto.secp256k1.PubKey", true, |f, v| {
        if f != 1 {
            return Ok(false);
        }
        key = v.bytes("key")?.to_vec();
        Ok(true)
    })?;
    Ok(key)
}

/// The SIGN_MODE_DIRECT `SignDoc` bytes.
pub fn sign_doc(body_bytes: &[u8], auth_info_bytes: &[u8], chain_id: &str, account_number: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.bytes(1, body_bytes).bytes(2, auth_info_bytes).string(3, chain_id).uint(4, account_number);
    w.finish()
}

/// Reads a repeated enum written packed or not.
pub fn push_enum(v: Value<'_>, out: &mut Vec<i32>, what: &str) -> Result<(), WireError> {
    match v {
        Value::Varint(x) => out.push(x as i32),
        Value::Bytes(b) => {
            // A packed run: bare varints back to back.
            let mut pos = 0;
            while pos < b.len() {
                let mut x: u64 = 0;
                let mut shift = 0;
                loop {
                    let Some(&byte) = b.get(pos) else { return Err(WireError(format!("{what}: truncated packed varint"))) };
                    pos += 1;
                    x |= u64::from(byte & 0x7f) << shift;
                    shift += 7;
                    if byte & 0x80 == 0 {
                        break;
                    }
                    if shift >= 70 {
                        return Err(WireError(format!("{what}: varint too long")));
                    }
                }
                out.push(x as i32);
            }
        }
        _ => return Err(WireError(format!("{what}: wrong wire type"))),
    }
    Ok(())
}
