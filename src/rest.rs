//! Parsers for the chain REST responses the orchestrator reads, and the bodies of the requests it
//! posts ([`broadcast_request_body`], [`simulate_request_body`]). Responses are the Cosmos SDK
//! gRPC-gateway JSON: proto field names in snake_case, 64-bit integers as strings, enums by name,
//! `Any` with `@type`, bytes in base64.
//!
//! Why hand-written accessors rather than derived structs: a response comes from an untrusted
//! HTTPS outcall, so every error names the field path that was wrong, and the rules of proto3 JSON
//! are followed exactly: unknown fields are ignored (the chain adds fields on upgrades), absent
//! scalars take their zero value (the gateway may omit defaults), 64-bit integers are accepted as
//! strings or numbers. Money never goes through floats: integer coin amounts become `u128`, and
//! `DecCoin` / `LegacyDec` amounts become exact fixed-point [`Dec`] values (18 decimals).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use std::fmt;

mod grants;
pub mod provider;
mod requests;
pub use grants::{parse_authz_grants, parse_fee_allowance, AuthzGrant, AuthzGrants, DepositGrant, FeeAllowance};
pub use requests::{broadcast_request_body, simulate_request_body};

/// Largest body parsed, checked before parsing: the Internet Computer's HTTPS outcall response
/// limit (2 MB), so the canister and the command accept the same bodies.
pub const MAX_REST_RESPONSE_BYTES: usize = 2_000_000;

/// gRPC status code `NotFound`, which the gateway returns for a missing account or transaction.
pub const GRPC_NOT_FOUND: u32 = 5;

/// SDK error code for "account sequence mismatch" (codespace `sdk`).
pub const SDK_CODE_WRONG_SEQUENCE: u32 = 32;

// ---------------------------------------------------------------------------------------------
// Errors

/// An error body from the chain: `{"code": 5, "message": "...", "details": []}` (the gRPC status
/// the gateway relays).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainError {
    /// gRPC status code (5 NotFound, 3 InvalidArgument, 2 Unknown for a failed simulation...).
    pub code: u32,
    /// The message, e.g. "rpc error: code = NotFound desc = ...".
    pub message: String,
}

impl ChainError {
    /// Whether the chain said the thing does not exist (account never funded, tx not yet included).
    pub fn is_not_found(&self) -> bool {
        self.code == GRPC_NOT_FOUND
    }

    /// Whether this is the "account sequence mismatch" a retry with a fresh sequence fixes.
    pub fn is_sequence_mismatch(&self) -> bool {
        self.message.contains("account sequence mismatch") || self.message.contains("incorrect account sequence")
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chain error {}: {}", self.code, self.message)
    }
}

/// Why a response was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestError {
    /// The body exceeds [`MAX_REST_RESPONSE_BYTES`]; nothing was parsed.
    TooLarge { len: usize, max: usize },
    /// The body is not JSON (the parser's message).
    NotJson(String),
    /// The chain answered with an error body.
    Chain(ChainError),
    /// A required field is absent or null.
    Missing { path: String },
    /// A field has the wrong JSON type.
    WrongType { path: String, expected: &'static str },
    /// A malformed integer or decimal string.
    BadNumber { path: String, value: String },
    /// A number too large for its type.
    Overflow { path: String, value: String },
    /// Bytes that are not valid base64.
    BadBase64 { path: String },
    /// An account `@type` this crate does not read.
    UnsupportedAccountType { path: String, type_url: String },
    /// A time that is not RFC 3339 (`2026-06-11T10:00:00Z`), or before 1970.
    BadTime { path: String, value: String },
    /// An `Any` (`@type`) this crate does not read where it must understand the value, e.g. a
    /// periodic fee allowance, whose period limits a caller could not see.
    UnsupportedType { path: String, type_url: String },
}

impl fmt::Display for RestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestError::TooLarge { len, max } => write!(f, "response is {len} bytes, more than {max}"),
            RestError::NotJson(e) => write!(f, "response is not JSON: {e}"),
            RestError::Chain(e) => write!(f, "{e}"),
            RestError::Missing { path } => write!(f, "response field {path} is missing"),
            RestError::WrongType { path, expected } => write!(f, "response field {path} is not {expected}"),
            RestError::BadNumber { path, value } => write!(f, "response field {path} is not a valid number: {value:?}"),
            RestError::Overflow { path, value } => write!(f, "response field {path} is out of range: {value:?}"),
            RestError::BadBase64 { path } => write!(f, "response field {path} is not base64"),
            RestError::UnsupportedAccountType { path, type_url } => {
                write!(f, "response field {path} has unsupported account type {type_url:?}")
            }
            RestError::BadTime { path, value } => write!(f, "response field {path} is not an RFC 3339 time: {value:?}"),
            RestError::UnsupportedType { path, type_url } => {
                write!(f, "response field {path} has unsupported type {type_url:?}")
            }
        }
    }
}

impl std::error::Error for RestError {}

// ---------------------------------------------------------------------------------------------
// Numbers

/// A non-negative integer amount as the chain writes it (`"123"`): digits only, no sign, no
/// exponent, at most 39 digits, within `u128`.
pub fn parse_u128(s: &str) -> Option<u128> {
    if s.is_empty() || s.len() > 39 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An exact decimal with 18 fractional digits (Cosmos `LegacyDec`), held as its atomics
/// (value × 10^18). Signed, because escrow balances may go negative when overdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec {
    /// The value times 10^18.
    pub atomics: i128,
}

/// Why a decimal string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecParseError {
    /// Not `-?digits(.digits)?` with at most 18 fractional digits.
    Malformed,
    /// Beyond the `i128` atomics range (about 1.7 × 10^20).
    Overflow,
}

impl Dec {
    /// 10^18, the atomics of 1.
    pub const ONE: i128 = 1_000_000_000_000_000_000;

    /// Parses `"1"`, `"1.5"`, `"-0.000000000000000001"`, `"1.000000000000000000"`.
    pub fn parse(s: &str) -> Result<Dec, DecParseError> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 18 || (body.contains('.') && frac.is_empty()) {
            return Err(DecParseError::Malformed);
        }
        let int = int.trim_start_matches('0');
        if int.len() > 21 {
            return Err(DecParseError::Overflow);
        }
        let iv: i128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| DecParseError::Overflow)? };
        let mut fv: i128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| DecParseError::Malformed)? };
        for _ in frac.len()..18 {
            fv *= 10;
        }
        let atomics = iv.checked_mul(Dec::ONE).and_then(|a| a.checked_add(fv)).ok_or(DecParseError::Overflow)?;
        Ok(Dec { atomics: if neg { -atomics } else { atomics } })
    }

    /// The integer part, rounded toward negative infinity (whole uakt/uact available).
    pub fn floor(self) -> i128 {
        self.atomics.div_euclid(Dec::ONE)
    }

    /// The integer part, rounded toward positive infinity (whole units needed to cover it).
    pub fn ceil(self) -> i128 {
        let f = self.floor();
        if self.atomics.rem_euclid(Dec::ONE) == 0 {
            f
        } else {
            f + 1
        }
    }
}

impl fmt::Display for Dec {
    /// The chain's form: 18 fractional digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.atomics < 0 { "-" } else { "" };
        let a = self.atomics.unsigned_abs();
        let one = Dec::ONE as u128;
        write!(f, "{sign}{}.{:018}", a / one, a % one)
    }
}

/// Unix seconds (rounded down) of an RFC 3339 time as the chain writes it:
/// `YYYY-MM-DDTHH:MM:SS`, optional fraction of up to 9 digits, then `Z` or `±HH:MM`. Years 0001
/// to 9999, the range of a protobuf `Timestamp`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        if d.iter().all(u8::is_ascii_digit) {
            Some(d.iter().fold(0i64, |a, c| a * 10 + i64::from(c - b'0')))
        } else {
            None
        }
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if year == 0 || !(1..=12).contains(&month) || day < 1 || day > month_days[(month - 1) as usize] {
        return None;
    }
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let mut i = 19;
    if sep(i, b".") {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        i += 1 + digits;
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    // Days since 1970-01-01 of the civil date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + min * 60 + sec - offset)
}

// ---------------------------------------------------------------------------------------------
// Path-aware access to a JSON value

/// A JSON value and its path in the response, for error messages.
#[derive(Clone)]
struct J<'a> {
    v: Option<&'a Value>,
    path: String,
}

impl<'a> J<'a> {
    fn root(v: &'a Value) -> J<'a> {
        J { v: Some(v), path: "$".into() }
    }

    fn at(&self, key: &str) -> J<'a> {
        J { v: self.v.and_then(|v| v.get(key)), path: format!("{}.{key}", self.path) }
    }

    /// The first of several names that is present (`id` and its pre-v1beta4 alias `bid_id`...).
    fn at_any(&self, keys: &[&str]) -> J<'a> {
        keys.iter()
            .map(|k| self.at(k))
            .find(|j| j.present())
            .unwrap_or_else(|| self.at(keys[0]))
    }

    fn present(&self) -> bool {
        !matches!(self.v, None | Some(Value::Null))
    }

    fn missing(&self) -> RestError {
        RestError::Missing { path: self.path.clone() }
    }

    fn wrong(&self, expected: &'static str) -> RestError {
        RestError::WrongType { path: self.path.clone(), expected }
    }

    /// The value, which must be present.
    fn req(&self) -> Result<&'a Value, RestError> {
        match self.v {
            None | Some(Value::Null) => Err(self.missing()),
            Some(v) => Ok(v),
        }
    }

    fn object(&self) -> Result<&'a serde_json::Map<String, Value>, RestError> {
        self.req()?.as_object().ok_or_else(|| self.wrong("an object"))
    }

    /// A string; absent means "" (proto3 default).
    fn str(&self) -> Result<String, RestError> {
        match self.v {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.wrong("a string")),
        }
    }

    fn bool(&self) -> Result<bool, RestError> {
        match self.v {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.wrong("a boolean")),
        }
    }

    /// An unsigned integer, as a string (64-bit fields) or a number (32-bit fields); absent is 0.
    fn uint(&self) -> Result<u128, RestError> {
        let text = match self.v {
            None | Some(Value::Null) => return Ok(0),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(self.wrong("an integer")),
        };
        let bad = || RestError::BadNumber { path: self.path.clone(), value: text.clone() };
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        parse_u128(&text).ok_or_else(|| RestError::Overflow { path: self.path.clone(), value: text.clone() })
    }

    fn u64(&self) -> Result<u64, RestError> {
        let v = self.uint()?;
        u64::try_from(v).map_err(|_| RestError::Overflow { path: self.path.clone(), value: v.to_string() })
    }

    fn u32(&self) -> Result<u32, RestError> {
        let v = self.uint()?;
        u32::try_from(v).map_err(|_| RestError::Overflow { path: self.path.clone(), value: v.to_string() })
    }

    /// A decimal string (LegacyDec); absent is 0.
    fn dec(&self) -> Result<Dec, RestError> {
        let text = match self.v {
            None | Some(Value::Null) => return Ok(Dec::default()),
            Some(Value::String(s)) => s,
            Some(_) => return Err(self.wrong("a decimal string")),
        };
        Dec::parse(text).map_err(|e| match e {
            DecParseError::Malformed => RestError::BadNumber { path: self.path.clone(), value: text.clone() },
            DecParseError::Overflow => RestError::Overflow { path: self.path.clone(), value: text.clone() },
        })
    }

    /// An RFC 3339 time as Unix seconds; absent is `None` (no expiration).
    fn time_secs(&self) -> Result<Option<u64>, RestError> {
        let text = match self.v {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s,
            Some(_) => return Err(self.wrong("an RFC 3339 time string")),
        };
        let secs = parse_rfc3339(text).and_then(|t| u64::try_from(t).ok());
        secs.map(Some).ok_or_else(|| RestError::BadTime { path: self.path.clone(), value: text.clone() })
    }

    /// A repeated field; absent is empty.
    fn array(&self) -> Result<Vec<J<'a>>, RestError> {
        match self.v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => {
                Ok(a.iter().enumerate().map(|(i, v)| J { v: Some(v), path: format!("{}[{i}]", self.path) }).collect())
            }
            Some(_) => Err(self.wrong("an array")),
        }
    }

    /// Bytes in base64; absent is empty.
    fn bytes(&self) -> Result<Vec<u8>, RestError> {
        let s = self.str()?;
        STANDARD.decode(s.as_bytes()).map_err(|_| RestError::BadBase64 { path: self.path.clone() })
    }

    /// An enum by name (the gateway's form) or number, as its name; absent is `names[0]`.
    fn enum_name(&self, names: &[(&'static str, i64)]) -> Result<String, RestError> {
        match self.v {
            None | Some(Value::Null) => Ok(names.first().map(|n| n.0.to_string()).unwrap_or_default()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => {
                let i = n.as_i64().ok_or_else(|| self.wrong("an enum name or number"))?;
                Ok(names.iter().find(|(_, v)| *v == i).map(|(n, _)| n.to_string()).unwrap_or_else(|| i.to_string()))
            }
            Some(_) => Err(self.wrong("an enum name or number")),
        }
    }
}

/// Checks the size, parses the JSON and turns a chain error body into [`RestError::Chain`].
fn parse_body(body: &[u8]) -> Result<Value, RestError> {
    if body.len() > MAX_REST_RESPONSE_BYTES {
        return Err(RestError::TooLarge { len: body.len(), max: MAX_REST_RESPONSE_BYTES });
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| RestError::NotJson(e.to_string()))?;
    if !v.is_object() {
        return Err(RestError::WrongType { path: "$".into(), expected: "an object" });
    }
    if let Some(e) = chain_error(&v) {
        return Err(RestError::Chain(e));
    }
    Ok(v)
}

/// The gateway's error shape: a top-level numeric `code` with a `message` (successful responses
/// never have a top-level `code`; a tx response's `code` is nested in `tx_response`).
fn chain_error(v: &Value) -> Option<ChainError> {
    let code = v.get("code")?;
    let code = code.as_u64().or_else(|| code.as_str().and_then(|s| s.parse().ok()))?;
    let message = match v.get("message").or_else(|| v.get("error")) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    Some(ChainError { code: u32::try_from(code).unwrap_or(u32::MAX), message })
}

/// Parses a chain error body on its own (for a non-2xx status whose body the caller holds).
pub fn parse_chain_error(body: &[u8]) -> Result<ChainError, RestError> {
    if body.len() > MAX_REST_RESPONSE_BYTES {
        return Err(RestError::TooLarge { len: body.len(), max: MAX_REST_RESPONSE_BYTES });
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| RestError::NotJson(e.to_string()))?;
    chain_error(&v).ok_or(RestError::Missing { path: "$.code".into() })
}

// ---------------------------------------------------------------------------------------------
// Shared types

/// An integer coin (`cosmos.base.v1beta1.Coin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coin {
    pub denom: String,
    pub amount: u128,
}

/// A decimal coin (`DecCoin`, or an escrow `Balance`, which may be negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecCoin {
    pub denom: String,
    pub amount: Dec,
}

fn coin(j: &J) -> Result<Coin, RestError> {
    j.object()?;
    Ok(Coin { denom: j.at("denom").str()?, amount: j.at("amount").uint()? })
}

fn dec_coin(j: &J) -> Result<DecCoin, RestError> {
    j.object()?;
    Ok(DecCoin { denom: j.at("denom").str()?, amount: j.at("amount").dec()? })
}

fn opt<T>(j: &J, f: impl Fn(&J) -> Result<T, RestError>) -> Result<Option<T>, RestError> {
    if j.present() {
        f(j).map(Some)
    } else {
        Ok(None)
    }
}

fn list<T>(j: &J, f: impl Fn(&J) -> Result<T, RestError>) -> Result<Vec<T>, RestError> {
    j.array()?.iter().map(f).collect()
}

/// A page of a list query.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Page {
    /// The key of the next page (base64, to pass as `pagination.key`), `None` on the last page.
    pub next_key: Option<String>,
    /// The total, when the query asked for it (0 otherwise).
    pub total: u64,
}

fn page(j: &J) -> Result<Page, RestError> {
    if !j.present() {
        return Ok(Page::default());
    }
    let k = j.at("next_key").str()?;
    Ok(Page { next_key: if k.is_empty() { None } else { Some(k) }, total: j.at("total").u64()? })
}

// ---------------------------------------------------------------------------------------------
// Accounts and balances

/// An account's signing data (`/cosmos/auth/v1beta1/accounts/{addr}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub address: String,
    pub account_number: u64,
    pub sequence: u64,
    /// The public key's `@type` and bytes; `None` until the account has signed a transaction.
    pub pub_key: Option<(String, Vec<u8>)>,
}

/// Parses an account response. `Ok(None)` when the chain says NotFound: an address that never
/// received funds has no account.
pub fn parse_account(body: &[u8]) -> Result<Option<Account>, RestError> {
    let v = match parse_body(body) {
        Err(RestError::Chain(e)) if e.is_not_found() => return Ok(None),
        other => other?,
    };
    let root = J::root(&v);
    let acc = root.at("account");
    acc.object()?;
    let type_url = acc.at("@type").str()?;
    // Module and vesting accounts wrap a BaseAccount.
    let base = match type_url.as_str() {
        "/cosmos.auth.v1beta1.BaseAccount" => acc.clone(),
        "/cosmos.auth.v1beta1.ModuleAccount" => acc.at("base_account"),
        t if t.starts_with("/cosmos.vesting.v1beta1.") => acc.at("base_vesting_account").at("base_account"),
        _ => {
            return Err(RestError::UnsupportedAccountType { path: acc.at("@type").path, type_url });
        }
    };
    base.object()?;
    let pk = base.at("pub_key");
    let pub_key = if pk.present() {
        pk.object()?;
        Some((pk.at("@type").str()?, pk.at("key").bytes()?))
    } else {
        None
    };
    Ok(Some(Account {
        address: base.at("address").str()?,
        account_number: base.at("account_number").u64()?,
        sequence: base.at("sequence").u64()?,
        pub_key,
    }))
}

/// A page of bank balances (`/cosmos/bank/v1beta1/balances/{addr}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Balances {
    pub balances: Vec<Coin>,
    pub page: Page,
}

impl Balances {
    /// The amount of `denom` (0 when absent: the bank omits zero balances).
    pub fn amount_of(&self, denom: &str) -> u128 {
        self.balances.iter().filter(|c| c.denom == denom).map(|c| c.amount).sum()
    }
}

/// Parses a balances response.
pub fn parse_balances(body: &[u8]) -> Result<Balances, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    Ok(Balances { balances: list(&root.at("balances"), coin)?, page: page(&root.at("pagination"))? })
}

// ---------------------------------------------------------------------------------------------
// Transactions

/// Gas from `POST /cosmos/tx/v1beta1/simulate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasInfo {
    pub gas_wanted: u64,
    pub gas_used: u64,
}

/// Parses a simulate response. A failing simulation (wrong sequence, insufficient funds...) is
/// a chain error body: [`RestError::Chain`].
pub fn parse_simulate(body: &[u8]) -> Result<GasInfo, RestError> {
    let v = parse_body(body)?;
    let g = J::root(&v).at("gas_info");
    g.object()?;
    Ok(GasInfo { gas_wanted: g.at("gas_wanted").u64()?, gas_used: g.at("gas_used").u64()? })
}

/// The result of a sync broadcast (`POST /cosmos/tx/v1beta1/txs`): CheckTx only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastResult {
    /// Upper-case hex hash.
    pub txhash: String,
    /// 0 when CheckTx accepted the tx (it is in the mempool, not yet in a block).
    pub code: u32,
    pub codespace: String,
    pub raw_log: String,
}

impl BroadcastResult {
    /// Whether CheckTx refused the tx for a stale sequence (re-read the account and re-sign).
    pub fn is_sequence_mismatch(&self) -> bool {
        self.code == SDK_CODE_WRONG_SEQUENCE && self.codespace == "sdk"
    }
}

/// Parses a broadcast response.
pub fn parse_broadcast(body: &[u8]) -> Result<BroadcastResult, RestError> {
    let v = parse_body(body)?;
    let t = J::root(&v).at("tx_response");
    t.object()?;
    let txhash = t.at("txhash").str()?;
    if txhash.is_empty() {
        return Err(t.at("txhash").missing());
    }
    Ok(BroadcastResult {
        txhash,
        code: t.at("code").u32()?,
        codespace: t.at("codespace").str()?,
        raw_log: t.at("raw_log").str()?,
    })
}

/// An ABCI event of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

/// A transaction included in a block (`GET /cosmos/tx/v1beta1/txs/{hash}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    pub txhash: String,
    pub height: u64,
    /// 0 on success; a failed tx is included too, and still consumed its sequence and fee.
    pub code: u32,
    pub codespace: String,
    pub raw_log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<Event>,
    /// The including block's time (RFC 3339) as the chain wrote it; "" when absent.
    pub timestamp: String,
}

impl TxResult {
    /// The value of the first attribute `key` of the first event of type `kind`
    /// (e.g. `("akash.deployment.v1.EventDeploymentCreated", "dseq")`).
    pub fn attribute(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|e| e.attributes.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a tx-by-hash response. `Ok(None)` when the chain does not know the hash (yet): a
/// broadcast tx is "pending" until it is included in a block.
pub fn parse_tx(body: &[u8]) -> Result<Option<TxResult>, RestError> {
    let v = match parse_body(body) {
        Err(RestError::Chain(e)) if e.is_not_found() => return Ok(None),
        other => other?,
    };
    let t = J::root(&v).at("tx_response");
    t.object()?;
    let events = list(&t.at("events"), |e| {
        e.object()?;
        Ok(Event {
            kind: e.at("type").str()?,
            attributes: list(&e.at("attributes"), |a| {
                a.object()?;
                Ok((a.at("key").str()?, a.at("value").str()?))
            })?,
        })
    })?;
    Ok(Some(TxResult {
        txhash: t.at("txhash").str()?,
        height: t.at("height").u64()?,
        code: t.at("code").u32()?,
        codespace: t.at("codespace").str()?,
        raw_log: t.at("raw_log").str()?,
        gas_wanted: t.at("gas_wanted").u64()?,
        gas_used: t.at("gas_used").u64()?,
        events,
        timestamp: t.at("timestamp").str()?,
    }))
}

/// The message index in a failed transaction's log: the SDK writes
/// `failed to execute message; message index: N: <reason>`. `None` when the log has no index
/// (the failure was not in a message, e.g. out of gas or a bad sequence).
pub fn failed_message_index(raw_log: &str) -> Option<usize> {
    const MARK: &str = "message index: ";
    let at = raw_log.find(MARK)? + MARK.len();
    let rest = &raw_log[at..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    rest[..digits].parse().ok()
}

/// The latest block's header (`GET /cosmos/base/tendermint/v1beta1/blocks/latest`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub height: u64,
    /// The block time as the chain wrote it (RFC 3339, nanoseconds).
    pub time: String,
    /// [`Self::time`] in Unix seconds, rounded down: the clock `timeout_timestamp` and grant
    /// expirations are checked against.
    pub time_unix_secs: u64,
    pub chain_id: String,
}

/// Parses the latest block. SDK 0.50+ answers with both `sdk_block` (addresses in bech32) and the
/// deprecated `block`; the header is read from `sdk_block` and from `block` when that is absent.
pub fn parse_latest_block(body: &[u8]) -> Result<BlockInfo, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    let block = root.at_any(&["sdk_block", "block"]);
    block.object()?;
    let h = block.at("header");
    h.object()?;
    let height = h.at("height").u64()?;
    if height == 0 {
        return Err(h.at("height").missing());
    }
    let t = h.at("time");
    let time = t.str()?;
    let time_unix_secs = t.time_secs()?.ok_or_else(|| t.missing())?;
    Ok(BlockInfo { height, time, time_unix_secs, chain_id: h.at("chain_id").str()? })
}

// ---------------------------------------------------------------------------------------------
// Market: bids and leases

/// A bid's or lease's identifier (BidID and LeaseID have the same fields).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BidId {
    pub owner: String,
    pub dseq: u64,
    pub gseq: u32,
    pub oseq: u32,
    pub provider: String,
    pub bseq: u32,
}

fn bid_id(j: &J) -> Result<BidId, RestError> {
    j.object()?;
    Ok(BidId {
        owner: j.at("owner").str()?,
        dseq: j.at("dseq").u64()?,
        gseq: j.at("gseq").u32()?,
        oseq: j.at("oseq").u32()?,
        provider: j.at("provider").str()?,
        bseq: j.at("bseq").u32()?,
    })
}

const BID_STATES: &[(&str, i64)] = &[("invalid", 0), ("open", 1), ("active", 2), ("lost", 3), ("closed", 4)];
const LEASE_STATES: &[(&str, i64)] = &[("invalid", 0), ("active", 1), ("insufficient_funds", 2), ("closed", 3)];
const LEASE_CLOSED_REASONS: &[(&str, i64)] = &[
    ("lease_closed_invalid", 0),
    ("lease_closed_owner", 1),
    ("lease_closed_reason_unstable", 10000),
    ("lease_closed_reason_decommission", 10001),
    ("lease_closed_reason_unspecified", 10002),
    ("lease_closed_reason_manifest_timeout", 10003),
    ("lease_closed_reason_insufficient_funds", 20000),
];
const ESCROW_STATES: &[(&str, i64)] = &[("invalid", 0), ("open", 1), ("closed", 2), ("overdrawn", 3)];
const DEPLOYMENT_STATES: &[(&str, i64)] = &[("invalid", 0), ("active", 1), ("closed", 2)];
const GROUP_STATES: &[(&str, i64)] =
    &[("invalid", 0), ("open", 1), ("paused", 2), ("insufficient_funds", 3), ("closed", 4)];
const ESCROW_SCOPES: &[(&str, i64)] = &[("invalid", 0), ("deployment", 1), ("bid", 2)];
const DEPOSIT_SOURCES: &[(&str, i64)] = &[("invalid", 0), ("balance", 1), ("grant", 2)];
const MINT_STATUSES: &[(&str, i64)] = &[
    ("mint_status_unspecified", 0),
    ("mint_status_healthy", 1),
    ("mint_status_warning", 2),
    ("mint_status_halt_cr", 3),
    ("mint_status_halt_oracle", 4),
];

/// What a provider offers for one resource unit of a bid (summary of `resources_offer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceOffer {
    pub count: u32,
    /// CPU in millicores.
    pub cpu_millis: u128,
    pub memory_bytes: u128,
    /// Sum over the storage volumes.
    pub storage_bytes: u128,
    pub gpu_units: u128,
}

fn resource_offer(j: &J) -> Result<ResourceOffer, RestError> {
    j.object()?;
    let r = j.at("resources");
    let mut storage_bytes: u128 = 0;
    for s in r.at("storage").array()? {
        let q = s.at("quantity").at("val");
        storage_bytes = storage_bytes
            .checked_add(q.uint()?)
            .ok_or_else(|| RestError::Overflow { path: q.path.clone(), value: "sum".into() })?;
    }
    Ok(ResourceOffer {
        count: j.at("count").u32()?,
        cpu_millis: r.at("cpu").at("units").at("val").uint()?,
        memory_bytes: r.at("memory").at("quantity").at("val").uint()?,
        storage_bytes,
        gpu_units: r.at("gpu").at("units").at("val").uint()?,
    })
}

/// A provider's bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bid {
    pub id: BidId,
    /// "open", "active", "lost", "closed" (or another name a later chain adds).
    pub state: String,
    /// Price per block.
    pub price: DecCoin,
    pub created_at: u64,
    pub resources_offer: Vec<ResourceOffer>,
}

/// A page of bids (`/akash/market/v1beta5/bids/list`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bids {
    pub bids: Vec<Bid>,
    pub page: Page,
}

/// Parses a bid list.
pub fn parse_bids(body: &[u8]) -> Result<Bids, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    let bids = list(&root.at("bids"), |entry| {
        entry.object()?;
        let b = entry.at("bid");
        b.object()?;
        Ok(Bid {
            id: bid_id(&b.at_any(&["id", "bid_id"]))?,
            state: b.at("state").enum_name(BID_STATES)?,
            price: dec_coin(&b.at("price"))?,
            created_at: b.at("created_at").u64()?,
            resources_offer: list(&b.at("resources_offer"), resource_offer)?,
        })
    })?;
    Ok(Bids { bids, page: page(&root.at("pagination"))? })
}

/// A lease's escrow payment (what flows from the deployment's escrow to the provider).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscrowPayment {
    /// The escrow account this payment draws on (`xid` "{owner}/{dseq}").
    pub account_xid: String,
    /// The payment id ("{gseq}/{oseq}/{provider}/{bseq}" form).
    pub xid: String,
    pub owner: String,
    /// "open", "closed", "overdrawn".
    pub state: String,
    pub rate: Option<DecCoin>,
    pub balance: Option<DecCoin>,
    pub unsettled: Option<DecCoin>,
    pub withdrawn: Option<Coin>,
}

fn escrow_payment(j: &J) -> Result<EscrowPayment, RestError> {
    j.object()?;
    let id = j.at("id");
    let st = j.at("state");
    Ok(EscrowPayment {
        account_xid: id.at("aid").at("xid").str()?,
        xid: id.at("xid").str()?,
        owner: st.at("owner").str()?,
        state: st.at("state").enum_name(ESCROW_STATES)?,
        rate: opt(&st.at("rate"), dec_coin)?,
        balance: opt(&st.at("balance"), dec_coin)?,
        unsettled: opt(&st.at("unsettled"), dec_coin)?,
        withdrawn: opt(&st.at("withdrawn"), coin)?,
    })
}

/// A lease (`/akash/market/v1beta5/leases/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub id: BidId,
    /// "active", "insufficient_funds", "closed".
    pub state: String,
    /// Price per block.
    pub price: DecCoin,
    pub created_at: u64,
    /// Block height the lease closed at (0 while open).
    pub closed_on: u64,
    /// Why it closed, e.g. "lease_closed_owner" ("lease_closed_invalid" while open).
    pub reason: String,
    pub escrow_payment: Option<EscrowPayment>,
}

/// Parses a lease response.
pub fn parse_lease(body: &[u8]) -> Result<Lease, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    let l = root.at("lease");
    l.object()?;
    Ok(Lease {
        id: bid_id(&l.at_any(&["id", "lease_id"]))?,
        state: l.at("state").enum_name(LEASE_STATES)?,
        price: dec_coin(&l.at("price"))?,
        created_at: l.at("created_at").u64()?,
        closed_on: l.at("closed_on").u64()?,
        reason: l.at("reason").enum_name(LEASE_CLOSED_REASONS)?,
        escrow_payment: opt(&root.at("escrow_payment"), escrow_payment)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Deployments

/// One depositor of an escrow account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Depositor {
    pub owner: String,
    pub height: u64,
    /// "balance" or "grant".
    pub source: String,
    pub balance: Option<DecCoin>,
    pub direct: bool,
}

/// A deployment's escrow account (`escrow_account`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscrowAccount {
    /// "deployment" (or "bid").
    pub scope: String,
    /// "{owner}/{dseq}".
    pub xid: String,
    pub owner: String,
    /// "open", "closed", "overdrawn".
    pub state: String,
    /// Total spent, per denom.
    pub transferred: Vec<DecCoin>,
    /// Block height of the last settlement.
    pub settled_at: u64,
    /// Unspent funds per denom (negative when overdrawn).
    pub funds: Vec<DecCoin>,
    pub deposits: Vec<Depositor>,
}

fn escrow_account(j: &J) -> Result<EscrowAccount, RestError> {
    j.object()?;
    let id = j.at("id");
    let st = j.at("state");
    Ok(EscrowAccount {
        scope: id.at("scope").enum_name(ESCROW_SCOPES)?,
        xid: id.at("xid").str()?,
        owner: st.at("owner").str()?,
        state: st.at("state").enum_name(ESCROW_STATES)?,
        transferred: list(&st.at("transferred"), dec_coin)?,
        settled_at: st.at("settled_at").u64()?,
        funds: list(&st.at("funds"), dec_coin)?,
        deposits: list(&st.at("deposits"), |d| {
            d.object()?;
            Ok(Depositor {
                owner: d.at("owner").str()?,
                height: d.at("height").u64()?,
                source: d.at("source").enum_name(DEPOSIT_SOURCES)?,
                balance: opt(&d.at("balance"), dec_coin)?,
                direct: d.at("direct").bool()?,
            })
        })?,
    })
}

/// A group of a deployment (its spec is not parsed: the orchestrator built it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub gseq: u32,
    /// "open", "paused", "insufficient_funds", "closed".
    pub state: String,
    pub name: String,
    pub created_at: u64,
}

/// A deployment with its groups and escrow account (`/akash/deployment/v1beta4/deployments/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentInfo {
    pub owner: String,
    pub dseq: u64,
    /// "active" or "closed".
    pub state: String,
    /// The on-chain deployment hash (32 bytes when set).
    pub hash: Vec<u8>,
    pub created_at: u64,
    pub groups: Vec<Group>,
    pub escrow_account: Option<EscrowAccount>,
}

/// Parses a deployment info response. A missing deployment is a chain error with code 5
/// ([`ChainError::is_not_found`]).
pub fn parse_deployment(body: &[u8]) -> Result<DeploymentInfo, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    let d = root.at("deployment");
    d.object()?;
    let id = d.at_any(&["id", "deployment_id"]);
    id.object()?;
    let groups = list(&root.at("groups"), |g| {
        g.object()?;
        Ok(Group {
            gseq: g.at_any(&["id", "group_id"]).at("gseq").u32()?,
            state: g.at("state").enum_name(GROUP_STATES)?,
            name: g.at("group_spec").at("name").str()?,
            created_at: g.at("created_at").u64()?,
        })
    })?;
    Ok(DeploymentInfo {
        owner: id.at("owner").str()?,
        dseq: id.at("dseq").u64()?,
        state: d.at("state").enum_name(DEPLOYMENT_STATES)?,
        hash: d.at("hash").bytes()?,
        created_at: d.at("created_at").u64()?,
        groups,
        escrow_account: opt(&root.at("escrow_account"), escrow_account)?,
    })
}

/// Parses `/akash/deployment/v1beta4/params`: the minimum deposit per denom.
pub fn parse_deployment_params(body: &[u8]) -> Result<Vec<Coin>, RestError> {
    let v = parse_body(body)?;
    let p = J::root(&v).at("params");
    p.object()?;
    list(&p.at("min_deposits"), coin)
}

// ---------------------------------------------------------------------------------------------
// BME (AKT -> ACT minting)

/// `/akash/bme/v1/status`: whether ACT can be minted now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BmeStatus {
    /// "mint_status_healthy", "mint_status_warning", "mint_status_halt_cr", "mint_status_halt_oracle".
    pub status: String,
    pub collateral_ratio: Dec,
    pub warn_threshold: Dec,
    pub halt_threshold: Dec,
    pub mints_allowed: bool,
    pub refunds_allowed: bool,
}

/// Parses the BME status.
pub fn parse_bme_status(body: &[u8]) -> Result<BmeStatus, RestError> {
    let v = parse_body(body)?;
    let r = J::root(&v);
    Ok(BmeStatus {
        status: r.at("status").enum_name(MINT_STATUSES)?,
        collateral_ratio: r.at("collateral_ratio").dec()?,
        warn_threshold: r.at("warn_threshold").dec()?,
        halt_threshold: r.at("halt_threshold").dec()?,
        mints_allowed: r.at("mints_allowed").bool()?,
        refunds_allowed: r.at("refunds_allowed").bool()?,
    })
}

const LEDGER_RECORD_STATUSES: &[(&str, i64)] = &[
    ("ledger_record_status_invalid", 0),
    ("ledger_record_status_pending", 1),
    ("ledger_record_status_executed", 2),
    // Node v2.1: a mint whose output truncates to zero or is below the minimum is canceled and
    // its AKT refunded.
    ("ledger_record_status_canceled", 3),
];

/// The key of a BME ledger record: which conversion (`denom` → `to_denom`), who asked (`source`)
/// and when (`height`, `sequence` within the block).
/// Ordered and hashable so a caller can key its own records by it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LedgerRecordId {
    pub denom: String,
    pub to_denom: String,
    pub source: String,
    pub height: u64,
    pub sequence: u64,
}

/// A coin and the oracle price it was converted at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoinPrice {
    pub coin: Coin,
    pub price: Dec,
}

/// A mint or burn waiting for the next epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerPendingRecord {
    pub owner: String,
    pub to: String,
    pub coins_to_burn: Coin,
    pub denom_to_mint: String,
}

/// A settled mint or burn: what was burned and minted, at which prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerExecutedRecord {
    pub burned_from: String,
    pub minted_to: String,
    pub burner: String,
    pub minter: String,
    /// Absent on AKT -> ACT records of node v2.0-v2.1 (the burned AKT is in
    /// `remint_credit_accrued` there).
    pub burned: Option<CoinPrice>,
    pub minted: CoinPrice,
    pub remint_credit_issued: Option<CoinPrice>,
    pub remint_credit_accrued: Option<CoinPrice>,
}

/// One ledger entry: pending (until its epoch) or executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRecordEntry {
    pub id: LedgerRecordId,
    /// "ledger_record_status_pending" or "ledger_record_status_executed".
    pub status: String,
    pub pending_record: Option<LedgerPendingRecord>,
    pub executed_record: Option<LedgerExecutedRecord>,
}

/// A page of ledger records (`/akash/bme/v1/ledger?filters.source=..&filters.status=..`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRecords {
    pub records: Vec<LedgerRecordEntry>,
    pub page: Page,
}

fn coin_price(j: &J) -> Result<CoinPrice, RestError> {
    j.object()?;
    Ok(CoinPrice { coin: coin(&j.at("coin"))?, price: j.at("price").dec()? })
}

/// Parses BME ledger records: how the orchestrator learns that a `MsgMintACT` settled and how
/// much ACT it minted.
pub fn parse_bme_ledger_records(body: &[u8]) -> Result<LedgerRecords, RestError> {
    let v = parse_body(body)?;
    let root = J::root(&v);
    let records = list(&root.at("records"), |e| {
        e.object()?;
        let id = e.at("id");
        id.object()?;
        Ok(LedgerRecordEntry {
            id: LedgerRecordId {
                denom: id.at("denom").str()?,
                to_denom: id.at("to_denom").str()?,
                source: id.at("source").str()?,
                height: id.at("height").u64()?,
                sequence: id.at("sequence").u64()?,
            },
            status: e.at("status").enum_name(LEDGER_RECORD_STATUSES)?,
            pending_record: opt(&e.at("pending_record"), |p| {
                p.object()?;
                Ok(LedgerPendingRecord {
                    owner: p.at("owner").str()?,
                    to: p.at("to").str()?,
                    coins_to_burn: coin(&p.at("coins_to_burn"))?,
                    denom_to_mint: p.at("denom_to_mint").str()?,
                })
            })?,
            executed_record: opt(&e.at("executed_record"), |x| {
                x.object()?;
                Ok(LedgerExecutedRecord {
                    burned_from: x.at("burned_from").str()?,
                    minted_to: x.at("minted_to").str()?,
                    burner: x.at("burner").str()?,
                    minter: x.at("minter").str()?,
                    burned: opt(&x.at("burned"), coin_price)?,
                    minted: coin_price(&x.at("minted"))?,
                    remint_credit_issued: opt(&x.at("remint_credit_issued"), coin_price)?,
                    remint_credit_accrued: opt(&x.at("remint_credit_accrued"), coin_price)?,
                })
            })?,
        })
    })?;
    Ok(LedgerRecords { records, page: page(&root.at("pagination"))? })
}

#[cfg(test)]
mod tests;
