//! Provider JWTs (AEP-64, algorithm `ES256K`): the tenant's credential for the provider API
//! (`Authorization: Bearer <jwt>`), so no client certificate is needed.
//!
//! A token is `base64url(header) "." base64url(payload) "." base64url(signature)`, without
//! padding. Header and payload are JSON with sorted keys (as the SDK's `json-stable-stringify`
//! writes them); the signature is a 64-byte r||s low-S secp256k1 ECDSA signature over
//! SHA-256 of the ASCII `header.payload`. The claims follow the JSON schema embedded in
//! `@akashnetwork/chain-sdk` (`specs/jwt-schema.json`): unknown fields are refused, `dseq` is an
//! integer >= 1, `services` is required for a deployment entry, scopes are unique.

use crate::signer::{PublicKey, Signer, SignerError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;

/// The header every token carries, sorted-key JSON.
pub const HEADER_JSON: &str = r#"{"alg":"ES256K","typ":"JWT"}"#;
/// The only algorithm produced and accepted (the SDK's default `ES256KADR36` is a wallet
/// variant signing an ADR-36 document, which a canister has no reason to use).
pub const ALG: &str = "ES256K";
/// The only claims version the schema knows.
pub const VERSION: &str = "v1";
/// Longest lifetime accepted (`exp - iat`): a day. The provider API is used for minutes at a time,
/// and a leaked long-lived token would be a standing credential.
pub const MAX_TTL_SECS: u64 = 86_400;
/// Largest integer claim accepted: JavaScript's `Number.MAX_SAFE_INTEGER`, so that every
/// consumer (the SDK parses claims as JS numbers) reads the same value.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// Longest token [`verify`] looks at, checked before decoding: real tokens are well under 4 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// An action a token may allow on a lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    SendManifest,
    GetManifest,
    Logs,
    Shell,
    Events,
    Status,
    Restart,
    HostnameMigrate,
    IpMigrate,
}

impl Scope {
    /// Every scope, in the schema's order.
    pub const ALL: [Scope; 9] = [
        Scope::SendManifest,
        Scope::GetManifest,
        Scope::Logs,
        Scope::Shell,
        Scope::Events,
        Scope::Status,
        Scope::Restart,
        Scope::HostnameMigrate,
        Scope::IpMigrate,
    ];

    /// The name used in the JSON claims.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SendManifest => "send-manifest",
            Scope::GetManifest => "get-manifest",
            Scope::Logs => "logs",
            Scope::Shell => "shell",
            Scope::Events => "events",
            Scope::Status => "status",
            Scope::Restart => "restart",
            Scope::HostnameMigrate => "hostname-migrate",
            Scope::IpMigrate => "ip-migrate",
        }
    }

    /// The scope with this JSON name.
    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deployment a granular provider permission covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentPermission {
    /// Deployment sequence, >= 1.
    pub dseq: u64,
    /// Group sequence (optional; >= 1 when given, as on chain).
    pub gseq: Option<u32>,
    /// Order sequence (optional, needs `gseq`; >= 1 when given).
    pub oseq: Option<u32>,
    /// Allowed actions, non-empty, unique.
    pub scope: Vec<Scope>,
    /// Service names the permission covers, non-empty, unique, each non-empty.
    pub services: Vec<String>,
}

/// What a token allows on one provider's leases (`leases.permissions[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderAccess {
    /// Every action on every lease with this provider.
    Full,
    /// These actions on every lease with this provider.
    Scoped(Vec<Scope>),
    /// Per-deployment permissions.
    Granular(Vec<DeploymentPermission>),
}

/// A provider entry of granular access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPermission {
    /// The provider's address (akash1...), unique across the permissions.
    pub provider: String,
    /// What this provider may be asked to do.
    pub access: ProviderAccess,
}

/// The `leases` claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leases {
    /// Every action on every lease of the issuer.
    Full,
    /// These actions on every lease of the issuer.
    Scoped(Vec<Scope>),
    /// Per-provider permissions (non-empty, providers unique).
    Granular(Vec<ProviderPermission>),
}

/// The claims of a provider JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// The lease owner's account address (akash1...): the provider checks the signature against
    /// this account's public key on chain.
    pub iss: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Not valid before, Unix seconds.
    pub nbf: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
    /// Optional unique id.
    pub jti: Option<String>,
    /// What the token allows.
    pub leases: Leases,
}

impl Claims {
    /// Claims valid from `now` for `ttl_secs` seconds (`iat = nbf = now`, as the SDK does).
    pub fn new(iss: impl Into<String>, now: u64, ttl_secs: u64, leases: Leases) -> Claims {
        Claims { iss: iss.into(), iat: now, nbf: now, exp: now.saturating_add(ttl_secs), jti: None, leases }
    }
}

/// What is wrong with one claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimProblem {
    /// A required field is absent.
    Missing,
    /// A field of the wrong JSON type (e.g. a string where an integer is expected).
    WrongType,
    /// A field the schema does not allow here.
    NotAllowed,
    /// Not an `akash1` + 38 lowercase alphanumerics address.
    NotAnAddress,
    /// An empty list or string where one item is required.
    Empty,
    /// A repeated scope, service or provider.
    Duplicate,
    /// An integer outside its range (dseq 0, beyond 2^53 - 1, ...).
    OutOfRange,
    /// An unknown scope name.
    UnknownScope,
    /// An unknown access level.
    UnknownAccess,
    /// A version other than "v1".
    UnsupportedVersion,
    /// The times are not `iat <= nbf < exp`.
    TimeOrder,
    /// `exp - iat` exceeds [`MAX_TTL_SECS`].
    TtlTooLong,
    /// `oseq` without `gseq`.
    OseqWithoutGseq,
}

impl fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimProblem::Missing => "is missing",
            ClaimProblem::WrongType => "has the wrong type",
            ClaimProblem::NotAllowed => "is not allowed here",
            ClaimProblem::NotAnAddress => "is not an akash1 address",
            ClaimProblem::Empty => "is empty",
            ClaimProblem::Duplicate => "has a duplicate",
            ClaimProblem::OutOfRange => "is out of range",
            ClaimProblem::UnknownScope => "is not a known scope",
            ClaimProblem::UnknownAccess => "is not full, scoped or granular",
            ClaimProblem::UnsupportedVersion => "is not \"v1\"",
            ClaimProblem::TimeOrder => "is not ordered iat <= nbf < exp",
            ClaimProblem::TtlTooLong => "gives a lifetime longer than a day",
            ClaimProblem::OseqWithoutGseq => "has oseq without gseq",
        })
    }
}

/// Why a token could not be made or accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwtError {
    /// The token is longer than [`MAX_TOKEN_BYTES`].
    TooLong(usize),
    /// Not three dot-separated parts.
    Malformed,
    /// A part is not unpadded base64url (`part` is "header", "payload" or "signature").
    Base64 { part: &'static str },
    /// A part is not JSON, or not a JSON object.
    Json { part: &'static str, message: String },
    /// The header's `alg` is not ES256K (the value found, or "" when absent).
    UnsupportedAlg(String),
    /// The header's `typ` is present and not "JWT".
    UnsupportedTyp(String),
    /// The header has a field other than `alg` and `typ`.
    UnexpectedHeaderField(String),
    /// The signature is not 64 bytes.
    SignatureLength(usize),
    /// The signature is high-S (a valid but non-canonical form the provider may refuse).
    HighS,
    /// The signature does not verify against the key.
    BadSignature,
    /// The public key is not a valid point.
    InvalidPublicKey,
    /// Signing failed.
    Signer(SignerError),
    /// A claim is invalid; `path` is a JSON path such as `leases.permissions[0].deployments[1].dseq`.
    Claim { path: String, problem: ClaimProblem },
    /// `now` is at or after `exp`.
    Expired { exp: u64, now: u64 },
    /// `now` is before `nbf`.
    NotYetValid { nbf: u64, now: u64 },
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::TooLong(n) => write!(f, "token is {n} bytes, more than {MAX_TOKEN_BYTES}"),
            JwtError::Malformed => write!(f, "token is not three dot-separated parts"),
            JwtError::Base64 { part } => write!(f, "token {part} is not unpadded base64url"),
            JwtError::Json { part, message } => write!(f, "token {part} is not a JSON object: {message}"),
            JwtError::UnsupportedAlg(a) => write!(f, "unsupported alg {a:?} (only ES256K)"),
            JwtError::UnsupportedTyp(t) => write!(f, "unsupported typ {t:?} (only JWT)"),
            JwtError::UnexpectedHeaderField(k) => write!(f, "unexpected header field {k:?}"),
            JwtError::SignatureLength(n) => write!(f, "signature is {n} bytes, not 64"),
            JwtError::HighS => write!(f, "signature is not low-S"),
            JwtError::BadSignature => write!(f, "signature does not verify against the public key"),
            JwtError::InvalidPublicKey => write!(f, "invalid secp256k1 public key"),
            JwtError::Signer(e) => write!(f, "signing failed: {e}"),
            JwtError::Claim { path, problem } => write!(f, "claim {path} {problem}"),
            JwtError::Expired { exp, now } => write!(f, "token expired at {exp} (now {now})"),
            JwtError::NotYetValid { nbf, now } => write!(f, "token not valid before {nbf} (now {now})"),
        }
    }
}

impl std::error::Error for JwtError {}

impl From<SignerError> for JwtError {
    fn from(e: SignerError) -> Self {
        match e {
            SignerError::HighS => JwtError::HighS,
            SignerError::InvalidSignature => JwtError::BadSignature,
            SignerError::InvalidPublicKey => JwtError::InvalidPublicKey,
            other => JwtError::Signer(other),
        }
    }
}

fn claim_err(path: impl Into<String>, problem: ClaimProblem) -> JwtError {
    JwtError::Claim { path: path.into(), problem }
}

/// Whether `s` matches the schema's address pattern `^akash1[a-z0-9]{38}$`.
pub fn is_akash_address(s: &str) -> bool {
    s.len() == 44
        && s.starts_with("akash1")
        && s.bytes().skip(6).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn check_scopes(path: &str, scopes: &[Scope]) -> Result<(), JwtError> {
    if scopes.is_empty() {
        return Err(claim_err(path, ClaimProblem::Empty));
    }
    for (i, s) in scopes.iter().enumerate() {
        if scopes[..i].contains(s) {
            return Err(claim_err(format!("{path}[{i}]"), ClaimProblem::Duplicate));
        }
    }
    Ok(())
}

impl Claims {
    /// Checks everything the schema and the SDK's validator check, plus the time order
    /// `iat <= nbf < exp` and the lifetime bound; does not look at the clock (see
    /// [`Claims::check_time`]).
    pub fn validate(&self) -> Result<(), JwtError> {
        if !is_akash_address(&self.iss) {
            return Err(claim_err("iss", ClaimProblem::NotAnAddress));
        }
        for (name, v) in [("iat", self.iat), ("nbf", self.nbf), ("exp", self.exp)] {
            if v > MAX_SAFE_INTEGER {
                return Err(claim_err(name, ClaimProblem::OutOfRange));
            }
        }
        if self.nbf < self.iat {
            return Err(claim_err("nbf", ClaimProblem::TimeOrder));
        }
        if self.exp <= self.nbf {
            return Err(claim_err("exp", ClaimProblem::TimeOrder));
        }
        if self.exp - self.iat > MAX_TTL_SECS {
            return Err(claim_err("exp", ClaimProblem::TtlTooLong));
        }
        if let Some(j) = &self.jti {
            if j.is_empty() {
                return Err(claim_err("jti", ClaimProblem::Empty));
            }
        }
        match &self.leases {
            Leases::Full => Ok(()),
            Leases::Scoped(s) => check_scopes("leases.scope", s),
            Leases::Granular(perms) => {
                if perms.is_empty() {
                    return Err(claim_err("leases.permissions", ClaimProblem::Empty));
                }
                for (i, p) in perms.iter().enumerate() {
                    let base = format!("leases.permissions[{i}]");
                    if !is_akash_address(&p.provider) {
                        return Err(claim_err(format!("{base}.provider"), ClaimProblem::NotAnAddress));
                    }
                    if perms[..i].iter().any(|q| q.provider == p.provider) {
                        return Err(claim_err(format!("{base}.provider"), ClaimProblem::Duplicate));
                    }
                    match &p.access {
                        ProviderAccess::Full => {}
                        ProviderAccess::Scoped(s) => check_scopes(&format!("{base}.scope"), s)?,
                        ProviderAccess::Granular(deps) => {
                            if deps.is_empty() {
                                return Err(claim_err(format!("{base}.deployments"), ClaimProblem::Empty));
                            }
                            for (j, d) in deps.iter().enumerate() {
                                d.validate(&format!("{base}.deployments[{j}]"))?;
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// Checks the token is usable at `now` (Unix seconds): `nbf <= now < exp`, as the SDK and
    /// the provider check it.
    pub fn check_time(&self, now: u64) -> Result<(), JwtError> {
        if now >= self.exp {
            return Err(JwtError::Expired { exp: self.exp, now });
        }
        if now < self.nbf {
            return Err(JwtError::NotYetValid { nbf: self.nbf, now });
        }
        Ok(())
    }
}

impl DeploymentPermission {
    fn validate(&self, base: &str) -> Result<(), JwtError> {
        if self.dseq == 0 || self.dseq > MAX_SAFE_INTEGER {
            return Err(claim_err(format!("{base}.dseq"), ClaimProblem::OutOfRange));
        }
        // Sequences start at 1 on chain; the SDK's validator also treats 0 as absent, so a
        // gseq of 0 with an oseq would be refused there.
        if self.gseq == Some(0) {
            return Err(claim_err(format!("{base}.gseq"), ClaimProblem::OutOfRange));
        }
        if self.oseq == Some(0) {
            return Err(claim_err(format!("{base}.oseq"), ClaimProblem::OutOfRange));
        }
        if self.oseq.is_some() && self.gseq.is_none() {
            return Err(claim_err(format!("{base}.oseq"), ClaimProblem::OseqWithoutGseq));
        }
        check_scopes(&format!("{base}.scope"), &self.scope)?;
        if self.services.is_empty() {
            return Err(claim_err(format!("{base}.services"), ClaimProblem::Empty));
        }
        for (i, s) in self.services.iter().enumerate() {
            if s.is_empty() {
                return Err(claim_err(format!("{base}.services[{i}]"), ClaimProblem::Empty));
            }
            if self.services[..i].contains(s) {
                return Err(claim_err(format!("{base}.services[{i}]"), ClaimProblem::Duplicate));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

fn scopes_json(scopes: &[Scope]) -> Value {
    Value::Array(scopes.iter().map(|s| Value::String(s.as_str().into())).collect())
}

impl Claims {
    /// The claims as a JSON value (fields as the schema names them; absent options omitted).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("iss".into(), Value::String(self.iss.clone()));
        m.insert("iat".into(), self.iat.into());
        m.insert("nbf".into(), self.nbf.into());
        m.insert("exp".into(), self.exp.into());
        m.insert("version".into(), VERSION.into());
        if let Some(j) = &self.jti {
            m.insert("jti".into(), Value::String(j.clone()));
        }
        let mut l = Map::new();
        match &self.leases {
            Leases::Full => {
                l.insert("access".into(), "full".into());
            }
            Leases::Scoped(s) => {
                l.insert("access".into(), "scoped".into());
                l.insert("scope".into(), scopes_json(s));
            }
            Leases::Granular(perms) => {
                l.insert("access".into(), "granular".into());
                let arr = perms
                    .iter()
                    .map(|p| {
                        let mut pm = Map::new();
                        pm.insert("provider".into(), Value::String(p.provider.clone()));
                        match &p.access {
                            ProviderAccess::Full => {
                                pm.insert("access".into(), "full".into());
                            }
                            ProviderAccess::Scoped(s) => {
                                pm.insert("access".into(), "scoped".into());
                                pm.insert("scope".into(), scopes_json(s));
                            }
                            ProviderAccess::Granular(deps) => {
                                pm.insert("access".into(), "granular".into());
                                let d = deps
                                    .iter()
                                    .map(|d| {
                                        let mut dm = Map::new();
                                        dm.insert("dseq".into(), d.dseq.into());
                                        if let Some(g) = d.gseq {
                                            dm.insert("gseq".into(), g.into());
                                        }
                                        if let Some(o) = d.oseq {
                                            dm.insert("oseq".into(), o.into());
                                        }
                                        dm.insert("scope".into(), scopes_json(&d.scope));
                                        dm.insert(
                                            "services".into(),
                                            Value::Array(d.services.iter().map(|s| Value::String(s.clone())).collect()),
                                        );
                                        Value::Object(dm)
                                    })
                                    .collect();
                                pm.insert("deployments".into(), Value::Array(d));
                            }
                        }
                        Value::Object(pm)
                    })
                    .collect();
                l.insert("permissions".into(), Value::Array(arr));
            }
        }
        m.insert("leases".into(), Value::Object(l));
        Value::Object(m)
    }

    /// Reads claims from JSON, refusing unknown fields, wrong types and fields the access level
    /// does not allow (as the schema does), then [`Claims::validate`]s them.
    pub fn from_json(v: &Value) -> Result<Claims, JwtError> {
        let obj = v.as_object().ok_or_else(|| claim_err("$", ClaimProblem::WrongType))?;
        only_keys(obj, "", &["iss", "iat", "nbf", "exp", "jti", "version", "leases"])?;
        let iss = req_str(obj, "", "iss")?.to_string();
        let iat = req_int(obj, "", "iat")?;
        let nbf = req_int(obj, "", "nbf")?;
        let exp = req_int(obj, "", "exp")?;
        if req_str(obj, "", "version")? != VERSION {
            return Err(claim_err("version", ClaimProblem::UnsupportedVersion));
        }
        let jti = match obj.get("jti") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(claim_err("jti", ClaimProblem::WrongType)),
        };
        let lv = obj.get("leases").ok_or_else(|| claim_err("leases", ClaimProblem::Missing))?;
        let lo = lv.as_object().ok_or_else(|| claim_err("leases", ClaimProblem::WrongType))?;
        only_keys(lo, "leases.", &["access", "scope", "permissions"])?;
        let leases = match req_str(lo, "leases.", "access")? {
            "full" => {
                forbid(lo, "leases.", &["scope", "permissions"])?;
                Leases::Full
            }
            "scoped" => {
                forbid(lo, "leases.", &["permissions"])?;
                Leases::Scoped(req_scopes(lo, "leases.", "scope")?)
            }
            "granular" => {
                forbid(lo, "leases.", &["scope"])?;
                let pv = lo.get("permissions").ok_or_else(|| claim_err("leases.permissions", ClaimProblem::Missing))?;
                let pa = pv.as_array().ok_or_else(|| claim_err("leases.permissions", ClaimProblem::WrongType))?;
                let mut perms = Vec::with_capacity(pa.len());
                for (i, p) in pa.iter().enumerate() {
                    perms.push(parse_permission(p, &format!("leases.permissions[{i}]"))?);
                }
                Leases::Granular(perms)
            }
            _ => return Err(claim_err("leases.access", ClaimProblem::UnknownAccess)),
        };
        let claims = Claims { iss, iat, nbf, exp, jti, leases };
        claims.validate()?;
        Ok(claims)
    }
}

fn parse_permission(v: &Value, base: &str) -> Result<ProviderPermission, JwtError> {
    let o = v.as_object().ok_or_else(|| claim_err(base, ClaimProblem::WrongType))?;
    let pre = format!("{base}.");
    only_keys(o, &pre, &["provider", "access", "scope", "deployments"])?;
    let provider = req_str(o, &pre, "provider")?.to_string();
    let access = match req_str(o, &pre, "access")? {
        "full" => {
            forbid(o, &pre, &["scope", "deployments"])?;
            ProviderAccess::Full
        }
        "scoped" => {
            forbid(o, &pre, &["deployments"])?;
            ProviderAccess::Scoped(req_scopes(o, &pre, "scope")?)
        }
        "granular" => {
            forbid(o, &pre, &["scope"])?;
            let dv = o.get("deployments").ok_or_else(|| claim_err(format!("{pre}deployments"), ClaimProblem::Missing))?;
            let da = dv.as_array().ok_or_else(|| claim_err(format!("{pre}deployments"), ClaimProblem::WrongType))?;
            let mut deps = Vec::with_capacity(da.len());
            for (j, d) in da.iter().enumerate() {
                let dbase = format!("{pre}deployments[{j}]");
                let dobj = d.as_object().ok_or_else(|| claim_err(dbase.clone(), ClaimProblem::WrongType))?;
                let dpre = format!("{dbase}.");
                only_keys(dobj, &dpre, &["dseq", "gseq", "oseq", "scope", "services"])?;
                let dseq = req_int(dobj, &dpre, "dseq")?;
                let gseq = opt_u32(dobj, &dpre, "gseq")?;
                let oseq = opt_u32(dobj, &dpre, "oseq")?;
                let scope = req_scopes(dobj, &dpre, "scope")?;
                let sv = dobj.get("services").ok_or_else(|| claim_err(format!("{dpre}services"), ClaimProblem::Missing))?;
                let sa = sv.as_array().ok_or_else(|| claim_err(format!("{dpre}services"), ClaimProblem::WrongType))?;
                let mut services = Vec::with_capacity(sa.len());
                for (k, s) in sa.iter().enumerate() {
                    let s = s.as_str().ok_or_else(|| claim_err(format!("{dpre}services[{k}]"), ClaimProblem::WrongType))?;
                    services.push(s.to_string());
                }
                deps.push(DeploymentPermission { dseq, gseq, oseq, scope, services });
            }
            ProviderAccess::Granular(deps)
        }
        _ => return Err(claim_err(format!("{pre}access"), ClaimProblem::UnknownAccess)),
    };
    Ok(ProviderPermission { provider, access })
}

fn only_keys(o: &Map<String, Value>, pre: &str, allowed: &[&str]) -> Result<(), JwtError> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(claim_err(format!("{pre}{k}"), ClaimProblem::NotAllowed)),
        None => Ok(()),
    }
}

fn forbid(o: &Map<String, Value>, pre: &str, keys: &[&str]) -> Result<(), JwtError> {
    match keys.iter().find(|k| o.contains_key(**k)) {
        Some(k) => Err(claim_err(format!("{pre}{k}"), ClaimProblem::NotAllowed)),
        None => Ok(()),
    }
}

fn req_str<'a>(o: &'a Map<String, Value>, pre: &str, key: &str) -> Result<&'a str, JwtError> {
    match o.get(key) {
        None => Err(claim_err(format!("{pre}{key}"), ClaimProblem::Missing)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(claim_err(format!("{pre}{key}"), ClaimProblem::WrongType)),
    }
}

fn req_int(o: &Map<String, Value>, pre: &str, key: &str) -> Result<u64, JwtError> {
    match o.get(key) {
        None => Err(claim_err(format!("{pre}{key}"), ClaimProblem::Missing)),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= MAX_SAFE_INTEGER => Ok(v),
            Some(_) => Err(claim_err(format!("{pre}{key}"), ClaimProblem::OutOfRange)),
            None if n.is_i64() => Err(claim_err(format!("{pre}{key}"), ClaimProblem::OutOfRange)),
            None => Err(claim_err(format!("{pre}{key}"), ClaimProblem::WrongType)),
        },
        Some(_) => Err(claim_err(format!("{pre}{key}"), ClaimProblem::WrongType)),
    }
}

fn opt_u32(o: &Map<String, Value>, pre: &str, key: &str) -> Result<Option<u32>, JwtError> {
    if !o.contains_key(key) {
        return Ok(None);
    }
    let v = req_int(o, pre, key)?;
    u32::try_from(v).map(Some).map_err(|_| claim_err(format!("{pre}{key}"), ClaimProblem::OutOfRange))
}

fn req_scopes(o: &Map<String, Value>, pre: &str, key: &str) -> Result<Vec<Scope>, JwtError> {
    let path = format!("{pre}{key}");
    let v = o.get(key).ok_or_else(|| claim_err(path.clone(), ClaimProblem::Missing))?;
    let a = v.as_array().ok_or_else(|| claim_err(path.clone(), ClaimProblem::WrongType))?;
    a.iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.as_str().ok_or_else(|| claim_err(format!("{path}[{i}]"), ClaimProblem::WrongType))?;
            Scope::parse(s).ok_or_else(|| claim_err(format!("{path}[{i}]"), ClaimProblem::UnknownScope))
        })
        .collect()
}

/// JSON with object keys sorted and no white space: the byte form the SDK signs.
pub use crate::json::canonical as canonical_json;

// ---------------------------------------------------------------------------------------------
// Tokens

/// `base64url(header) "." base64url(payload)`: the string whose SHA-256 is signed.
pub fn signing_input(claims: &Claims) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER_JSON),
        URL_SAFE_NO_PAD.encode(canonical_json(&claims.to_json()))
    )
}

/// The digest a signer signs for `signing_input`.
pub fn digest(signing_input: &str) -> [u8; 32] {
    Sha256::digest(signing_input.as_bytes()).into()
}

/// The finished token from the signing input and the 64-byte r||s signature.
pub fn assemble(signing_input: &str, signature: &[u8; 64]) -> String {
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Validates the claims, signs them with `signer` (low-S, checked against its key) and returns
/// the token.
pub async fn sign<S: Signer + ?Sized>(signer: &S, claims: &Claims) -> Result<String, JwtError> {
    claims.validate()?;
    let input = signing_input(claims);
    let sig = crate::signer::sign_checked(signer, digest(&input)).await?;
    Ok(assemble(&input, &sig))
}

fn b64(part: &'static str, s: &str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Base64 { part })
}

fn json_object(part: &'static str, bytes: &[u8]) -> Result<Value, JwtError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| JwtError::Json { part, message: e.to_string() })?;
    if !v.is_object() {
        return Err(JwtError::Json { part, message: "not an object".into() });
    }
    Ok(v)
}

/// Decodes a token without checking its signature: header checks (alg ES256K, typ JWT) and
/// claims validation only. For inspection; use [`verify`] to accept a token.
pub fn decode_unverified(token: &str) -> Result<(Claims, [u8; 64]), JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLong(token.len()));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed);
    };
    let header = json_object("header", &b64("header", h)?)?;
    let hobj = header.as_object().ok_or(JwtError::Malformed)?;
    match hobj.get("alg") {
        Some(Value::String(a)) if a == ALG => {}
        Some(Value::String(a)) => return Err(JwtError::UnsupportedAlg(a.clone())),
        Some(other) => return Err(JwtError::UnsupportedAlg(other.to_string())),
        None => return Err(JwtError::UnsupportedAlg(String::new())),
    }
    match hobj.get("typ") {
        None => {}
        Some(Value::String(t)) if t == "JWT" => {}
        Some(other) => return Err(JwtError::UnsupportedTyp(other.as_str().unwrap_or_default().to_string())),
    }
    if let Some(k) = hobj.keys().find(|k| *k != "alg" && *k != "typ") {
        return Err(JwtError::UnexpectedHeaderField(k.clone()));
    }
    let claims = Claims::from_json(&json_object("payload", &b64("payload", p)?)?)?;
    let sig = b64("signature", s)?;
    let sig: [u8; 64] = sig.as_slice().try_into().map_err(|_| JwtError::SignatureLength(sig.len()))?;
    Ok((claims, sig))
}

/// Accepts a token signed by `key`: parses it, checks the header, the claims and the low-S
/// signature over `header.payload` exactly as received. Does not look at the clock: call
/// [`Claims::check_time`] on the result.
pub fn verify(token: &str, key: &PublicKey) -> Result<Claims, JwtError> {
    let (claims, sig) = decode_unverified(token)?;
    // Both dots exist: decode_unverified split the token in three.
    let input = &token[..token.rfind('.').ok_or(JwtError::Malformed)?];
    key.verify_digest(&digest(input), &sig)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::{now_or_never, LocalSigner};

    const ISS: &str = "akash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
    const PROV: &str = "akash1q5pqxpq9qcrsszg2pvxq6rs0zqg3yyc5wkdwq8";

    fn signer() -> LocalSigner {
        LocalSigner::from_hex(&"11".repeat(32)).unwrap()
    }

    fn granular() -> Claims {
        Claims::new(
            ISS,
            1_700_000_000,
            900,
            Leases::Granular(vec![ProviderPermission {
                provider: PROV.into(),
                access: ProviderAccess::Granular(vec![DeploymentPermission {
                    dseq: 123,
                    gseq: Some(1),
                    oseq: Some(1),
                    scope: vec![Scope::SendManifest, Scope::Status],
                    services: vec!["web".into()],
                }]),
            }]),
        )
    }

    fn tok(c: &Claims) -> String {
        now_or_never(sign(&signer(), c)).unwrap().unwrap()
    }

    #[test]
    fn jwt_round_trip_all_access_levels() {
        let key = signer().public_key();
        for c in [
            Claims::new(ISS, 1_700_000_000, 900, Leases::Full),
            Claims::new(ISS, 1_700_000_000, 900, Leases::Scoped(vec![Scope::Logs, Scope::Shell])),
            granular(),
        ] {
            let t = tok(&c);
            assert_eq!(verify(&t, &key).unwrap(), c);
            assert!(c.check_time(1_700_000_000).is_ok());
        }
    }

    #[test]
    fn jwt_header_and_payload_are_sorted_json() {
        let c = Claims { jti: Some("x".into()), ..Claims::new(ISS, 10, 5, Leases::Full) };
        let input = signing_input(&c);
        let (h, p) = input.split_once('.').unwrap();
        assert_eq!(h, "eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ");
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
        assert_eq!(
            payload,
            format!(r#"{{"exp":15,"iat":10,"iss":"{ISS}","jti":"x","leases":{{"access":"full"}},"nbf":10,"version":"v1"}}"#)
        );
    }

    #[test]
    fn jwt_tampering_is_refused() {
        let key = signer().public_key();
        let t = tok(&Claims::new(ISS, 1_700_000_000, 900, Leases::Full));
        let (input, sig) = t.rsplit_once('.').unwrap();
        let (h, _) = input.split_once('.').unwrap();
        let other = Claims::new(ISS, 1_700_000_000, 3600, Leases::Full);
        let forged_payload = signing_input(&other);
        let forged = format!("{h}.{}.{sig}", forged_payload.split_once('.').unwrap().1);
        assert_eq!(verify(&forged, &key), Err(JwtError::BadSignature));
        let other_key = LocalSigner::from_hex(&"22".repeat(32)).unwrap().public_key();
        assert_eq!(verify(&t, &other_key), Err(JwtError::BadSignature));
        assert_eq!(verify(&format!("{t}."), &key), Err(JwtError::Malformed));
        assert_eq!(verify("a.b", &key), Err(JwtError::Malformed));
        assert!(matches!(verify(&format!("{input}.AAAA"), &key), Err(JwtError::SignatureLength(3))));
    }

    #[test]
    fn jwt_high_s_is_refused() {
        use k256::ecdsa::Signature;
        let key = signer().public_key();
        let t = tok(&Claims::new(ISS, 1_700_000_000, 900, Leases::Full));
        let (input, sig) = t.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
        let high = Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
        let high: [u8; 64] = high.to_bytes().into();
        assert_eq!(verify(&assemble(input, &high), &key), Err(JwtError::HighS));
    }

    #[test]
    fn jwt_other_alg_is_refused() {
        let key = signer().public_key();
        let t = tok(&Claims::new(ISS, 1_700_000_000, 900, Leases::Full));
        let rest = t.split_once('.').unwrap().1;
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256KADR36","typ":"JWT"}"#);
        assert_eq!(verify(&format!("{h}.{rest}"), &key), Err(JwtError::UnsupportedAlg("ES256KADR36".into())));
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        assert!(matches!(verify(&format!("{h}.{rest}"), &key), Err(JwtError::UnsupportedAlg(_))));
        assert!(matches!(verify(&"a".repeat(MAX_TOKEN_BYTES + 1), &key), Err(JwtError::TooLong(_))));
    }

    fn problem(c: &Claims) -> (String, ClaimProblem) {
        match c.validate() {
            Err(JwtError::Claim { path, problem }) => (path, problem),
            other => panic!("expected a claim error, got {other:?}"),
        }
    }

    #[test]
    fn jwt_invalid_claims_are_named() {
        let mut c = granular();
        c.iss = "cosmos1abc".into();
        assert_eq!(problem(&c), ("iss".into(), ClaimProblem::NotAnAddress));
        let mut c = granular();
        c.exp = c.nbf;
        assert_eq!(problem(&c), ("exp".into(), ClaimProblem::TimeOrder));
        let mut c = granular();
        c.nbf = c.iat - 1;
        assert_eq!(problem(&c), ("nbf".into(), ClaimProblem::TimeOrder));
        let mut c = granular();
        c.exp = c.iat + MAX_TTL_SECS + 1;
        assert_eq!(problem(&c), ("exp".into(), ClaimProblem::TtlTooLong));
        let c = Claims::new(ISS, 1, 2, Leases::Scoped(vec![]));
        assert_eq!(problem(&c), ("leases.scope".into(), ClaimProblem::Empty));
        let c = Claims::new(ISS, 1, 2, Leases::Scoped(vec![Scope::Logs, Scope::Logs]));
        assert_eq!(problem(&c), ("leases.scope[1]".into(), ClaimProblem::Duplicate));
        let set = |f: &dyn Fn(&mut DeploymentPermission)| {
            let mut c = granular();
            if let Leases::Granular(p) = &mut c.leases {
                if let ProviderAccess::Granular(d) = &mut p[0].access {
                    f(&mut d[0]);
                }
            }
            problem(&c)
        };
        let d = "leases.permissions[0].deployments[0]";
        assert_eq!(set(&|d| d.dseq = 0), (format!("{d}.dseq"), ClaimProblem::OutOfRange));
        assert_eq!(set(&|d| d.gseq = None), (format!("{d}.oseq"), ClaimProblem::OseqWithoutGseq));
        assert_eq!(set(&|d| d.services.clear()), (format!("{d}.services"), ClaimProblem::Empty));
        assert_eq!(set(&|d| d.services.push("web".into())), (format!("{d}.services[1]"), ClaimProblem::Duplicate));
        assert_eq!(set(&|d| d.services[0].clear()), (format!("{d}.services[0]"), ClaimProblem::Empty));
        let mut c = granular();
        if let Leases::Granular(p) = &mut c.leases {
            p.push(p[0].clone());
        }
        assert_eq!(problem(&c), ("leases.permissions[1].provider".into(), ClaimProblem::Duplicate));
        // Claims that fail validation are never signed.
        let mut c = granular();
        c.exp = 0;
        assert!(matches!(now_or_never(sign(&signer(), &c)).unwrap(), Err(JwtError::Claim { .. })));
    }

    #[test]
    fn jwt_schema_shape_is_enforced_when_parsing() {
        let base = granular().to_json();
        let parse = |f: &dyn Fn(&mut Value)| {
            let mut v = base.clone();
            f(&mut v);
            match Claims::from_json(&v) {
                Err(JwtError::Claim { path, problem }) => (path, problem),
                other => panic!("expected a claim error, got {other:?}"),
            }
        };
        let dep = "/leases/permissions/0/deployments/0";
        assert_eq!(parse(&|v| { v["extra"] = 1.into() }), ("extra".into(), ClaimProblem::NotAllowed));
        assert_eq!(parse(&|v| { v["version"] = "v2".into() }), ("version".into(), ClaimProblem::UnsupportedVersion));
        assert_eq!(parse(&|v| { v["iat"] = "1".into() }), ("iat".into(), ClaimProblem::WrongType));
        assert_eq!(parse(&|v| { v["iat"] = (-1).into() }), ("iat".into(), ClaimProblem::OutOfRange));
        assert_eq!(parse(&|v| { v["iat"] = 1.5.into() }), ("iat".into(), ClaimProblem::WrongType));
        assert_eq!(
            parse(&|v| { *v.pointer_mut(&format!("{dep}/dseq")).unwrap() = "123".into() }),
            ("leases.permissions[0].deployments[0].dseq".into(), ClaimProblem::WrongType)
        );
        assert_eq!(
            parse(&|v| { v.pointer_mut(dep).unwrap().as_object_mut().unwrap().remove("services"); }),
            ("leases.permissions[0].deployments[0].services".into(), ClaimProblem::Missing)
        );
        assert_eq!(
            parse(&|v| { *v.pointer_mut(&format!("{dep}/scope/0")).unwrap() = "admin".into() }),
            ("leases.permissions[0].deployments[0].scope[0]".into(), ClaimProblem::UnknownScope)
        );
        assert_eq!(
            parse(&|v| { v["leases"]["scope"] = serde_json::json!(["logs"]) }),
            ("leases.scope".into(), ClaimProblem::NotAllowed)
        );
        assert_eq!(
            parse(&|v| { v["leases"]["access"] = "admin".into() }),
            ("leases.access".into(), ClaimProblem::UnknownAccess)
        );
        assert_eq!(
            parse(&|v| { v["leases"] = serde_json::json!({"access":"full","permissions":[]}) }),
            ("leases.permissions".into(), ClaimProblem::NotAllowed)
        );
        assert_eq!(
            parse(&|v| { v["iat"] = (MAX_SAFE_INTEGER + 1).into() }),
            ("iat".into(), ClaimProblem::OutOfRange)
        );
    }

    #[test]
    fn jwt_time_checks() {
        let c = Claims::new(ISS, 100, 50, Leases::Full);
        assert_eq!(c.check_time(150), Err(JwtError::Expired { exp: 150, now: 150 }));
        assert_eq!(c.check_time(99), Err(JwtError::NotYetValid { nbf: 100, now: 99 }));
        assert!(c.check_time(100).is_ok() && c.check_time(149).is_ok());
    }

    #[test]
    fn jwt_garbage_never_panics() {
        let key = signer().public_key();
        for t in ["", ".", "..", "...", "a.b.c", "!!.??.##", "e30.e30.", "eyJhbGciOiJFUzI1NksifQ.e30.AA", "\u{1F600}.\u{1F600}.\u{1F600}"] {
            assert!(verify(t, &key).is_err(), "{t}");
        }
    }
}
