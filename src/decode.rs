//! Decodes a signed transaction (`TxRaw` bytes or their base64) into readable JSON, so an operator
//! can see exactly what the canister or the command is about to broadcast: every known message by
//! type URL with addresses, `dseq` as a string, groups with resources, the hash in hex and coins;
//! unknown messages keep their base64 value. Input is size-checked before any decoding.

use crate::proto::akash::{GroupSpec, PlacementRequirements, Resources};
use crate::proto::akash_msgs::{
    self as am, type_url as akash_url, BidId, DeploymentId, Deposit, DepositAuthorization, EscrowAccountId,
    LeaseClosedReason,
};
use crate::proto::cosmos::{
    sign_mode, type_url as cosmos_url, AllowedMsgAllowance, Any, AuthInfo, BasicAllowance, Coin, DecCoin, MsgGrant,
    MsgGrantAllowance, MsgRevoke, MsgRevokeAllowance, MsgSend, Secp256k1PubKey, Timestamp, TxBody, TxRaw,
};
use base64::Engine;
use prost::Message;
use serde_json::{json, Map, Value};
use std::fmt;

/// Largest transaction we decode (the chain's own limit is smaller; this only bounds our work).
pub const MAX_TX_BYTES: usize = 1 << 20;

/// Why a transaction could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Input over [`MAX_TX_BYTES`] (or its base64 over the matching length).
    TooLarge { size: usize, max: usize },
    /// Empty input.
    Empty,
    /// Not valid base64.
    Base64(String),
    /// The `TxRaw` envelope does not parse.
    TxRaw(String),
    /// The body bytes do not parse as `TxBody`.
    Body(String),
    /// The auth-info bytes do not parse as `AuthInfo`.
    AuthInfo(String),
    /// A message with a known type URL whose value does not parse.
    Message { index: usize, type_url: String, error: String },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooLarge { size, max } => write!(f, "transaction is {size} bytes, at most {max} accepted"),
            DecodeError::Empty => write!(f, "empty transaction"),
            DecodeError::Base64(e) => write!(f, "invalid base64: {e}"),
            DecodeError::TxRaw(e) => write!(f, "not a TxRaw: {e}"),
            DecodeError::Body(e) => write!(f, "invalid tx body: {e}"),
            DecodeError::AuthInfo(e) => write!(f, "invalid auth info: {e}"),
            DecodeError::Message { index, type_url, error } => {
                write!(f, "message {index} ({type_url}) does not decode: {error}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes base64 `TxRaw` text (white space around it is ignored).
pub fn decode_tx_base64(text: &str) -> Result<Value, DecodeError> {
    let text = text.trim();
    let max_text = MAX_TX_BYTES.div_ceil(3) * 4;
    if text.len() > max_text {
        return Err(DecodeError::TooLarge { size: text.len() / 4 * 3, max: MAX_TX_BYTES });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    decode_tx(&bytes)
}

/// Decodes `TxRaw` bytes into JSON `{hash, body, auth_info, signatures}`.
pub fn decode_tx(bytes: &[u8]) -> Result<Value, DecodeError> {
    if bytes.len() > MAX_TX_BYTES {
        return Err(DecodeError::TooLarge { size: bytes.len(), max: MAX_TX_BYTES });
    }
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let raw = TxRaw::decode(bytes).map_err(|e| DecodeError::TxRaw(e.to_string()))?;
    let body = TxBody::decode(raw.body_bytes.as_slice()).map_err(|e| DecodeError::Body(e.to_string()))?;
    let auth = AuthInfo::decode(raw.auth_info_bytes.as_slice()).map_err(|e| DecodeError::AuthInfo(e.to_string()))?;

    let mut messages = Vec::with_capacity(body.messages.len());
    for (index, m) in body.messages.iter().enumerate() {
        messages.push(decode_message(m).map_err(|error| DecodeError::Message {
            index,
            type_url: m.type_url.clone(),
            error,
        })?);
    }
    let mut body_json = Map::new();
    body_json.insert("messages".into(), Value::Array(messages));
    body_json.insert("memo".into(), json!(body.memo));
    body_json.insert("timeout_height".into(), json!(body.timeout_height.to_string()));
    if body.unordered {
        body_json.insert("unordered".into(), json!(true));
    }
    if let Some(t) = &body.timeout_timestamp {
        body_json.insert("timeout_timestamp".into(), timestamp(t));
    }
    if !body.extension_options.is_empty() {
        body_json.insert("extension_options".into(), Value::Array(body.extension_options.iter().map(unknown_any).collect()));
    }
    if !body.non_critical_extension_options.is_empty() {
        body_json.insert(
            "non_critical_extension_options".into(),
            Value::Array(body.non_critical_extension_options.iter().map(unknown_any).collect()),
        );
    }

    let signer_infos: Vec<Value> = auth
        .signer_infos
        .iter()
        .map(|si| {
            let public_key = match &si.public_key {
                Some(pk) if pk.type_url == cosmos_url::SECP256K1_PUBKEY => match Secp256k1PubKey::decode(pk.value.as_slice()) {
                    Ok(k) => json!({"type_url": pk.type_url, "key_hex": hex::encode(&k.key)}),
                    Err(_) => unknown_any(pk),
                },
                Some(pk) => unknown_any(pk),
                None => Value::Null,
            };
            let mode = match si.mode_info.as_ref().and_then(|m| m.single.as_ref()) {
                Some(s) => json!(sign_mode_name(s.mode)),
                None => Value::Null,
            };
            json!({"public_key": public_key, "mode": mode, "sequence": si.sequence.to_string()})
        })
        .collect();
    let fee = auth.fee.as_ref().map(|f| {
        json!({
            "amount": coins(&f.amount),
            "gas_limit": f.gas_limit.to_string(),
            "payer": f.payer,
            "granter": f.granter,
        })
    });

    Ok(json!({
        "hash": crate::tx::tx_hash(bytes),
        "body": Value::Object(body_json),
        "auth_info": {"signer_infos": signer_infos, "fee": fee},
        "signatures": raw.signatures.iter().map(hex::encode).collect::<Vec<_>>(),
    }))
}

fn sign_mode_name(mode: i32) -> String {
    match mode {
        sign_mode::DIRECT => "SIGN_MODE_DIRECT".into(),
        sign_mode::LEGACY_AMINO_JSON => "SIGN_MODE_LEGACY_AMINO_JSON".into(),
        other => format!("SIGN_MODE_{other}"),
    }
}

fn unknown_any(a: &Any) -> Value {
    json!({"type_url": a.type_url, "value_base64": b64(&a.value)})
}

fn coin(c: &Coin) -> Value {
    json!({"denom": c.denom, "amount": c.amount})
}

fn coins(cs: &[Coin]) -> Value {
    Value::Array(cs.iter().map(coin).collect())
}

fn dec_coin(c: &DecCoin) -> Value {
    // Show the decimal form beside the raw atomics, so "1000" uact/block is readable.
    let decimal = crate::dec::from_atomics(&c.amount).ok();
    json!({"denom": c.denom, "amount_atomics": c.amount, "amount": decimal})
}

fn deployment_id(id: &Option<DeploymentId>) -> Value {
    match id {
        Some(id) => json!({"owner": id.owner, "dseq": id.dseq.to_string()}),
        None => Value::Null,
    }
}

fn bid_id(id: &Option<BidId>) -> Value {
    match id {
        Some(id) => json!({
            "owner": id.owner,
            "dseq": id.dseq.to_string(),
            "gseq": id.gseq,
            "oseq": id.oseq,
            "provider": id.provider,
            "bseq": id.bseq,
        }),
        None => Value::Null,
    }
}

/// Names of `Source` values by number, as the SDK's JSON writes them.
const SOURCE_NAMES: [&str; 3] = ["invalid", "balance", "grant"];
/// Names of the escrow `Scope` and the `DepositAuthorization.Scope` values: the two enums share them.
const SCOPE_NAMES: [&str; 3] = ["invalid", "deployment", "bid"];

/// The name of a small enum value numbered from 0, or `unknown(N)` outside `names`.
fn enum_name(v: i32, names: &[&str]) -> String {
    match usize::try_from(v).ok().and_then(|i| names.get(i)) {
        Some(n) => n.to_string(),
        None => format!("unknown({v})"),
    }
}

fn deposit(d: &Option<Deposit>) -> Value {
    match d {
        Some(d) => json!({
            "amount": d.amount.as_ref().map(coin),
            "sources": d.sources.iter().map(|s| enum_name(*s, &SOURCE_NAMES)).collect::<Vec<_>>(),
        }),
        None => Value::Null,
    }
}

fn resource_value(v: &Option<crate::proto::akash::ResourceValue>) -> Value {
    match v {
        Some(v) => match std::str::from_utf8(&v.val) {
            Ok(s) => json!(s),
            Err(_) => json!({"hex": hex::encode(&v.val)}),
        },
        None => Value::Null,
    }
}

fn attributes(a: &[crate::proto::akash::Attribute]) -> Value {
    Value::Array(a.iter().map(|a| json!({"key": a.key, "value": a.value})).collect())
}

fn requirements(r: &Option<PlacementRequirements>) -> Value {
    match r {
        Some(r) => json!({
            "signed_by": r.signed_by.as_ref().map(|s| json!({"all_of": s.all_of, "any_of": s.any_of})),
            "attributes": attributes(&r.attributes),
        }),
        None => Value::Null,
    }
}

fn resources(r: &Option<Resources>) -> Value {
    let Some(r) = r else { return Value::Null };
    json!({
        "id": r.id,
        "cpu": r.cpu.as_ref().map(|c| json!({"units": resource_value(&c.units), "attributes": attributes(&c.attributes)})),
        "memory": r.memory.as_ref().map(|m| json!({"quantity": resource_value(&m.quantity), "attributes": attributes(&m.attributes)})),
        "storage": r.storage.iter().map(|s| json!({"name": s.name, "quantity": resource_value(&s.quantity), "attributes": attributes(&s.attributes)})).collect::<Vec<_>>(),
        "gpu": r.gpu.as_ref().map(|g| json!({"units": resource_value(&g.units), "attributes": attributes(&g.attributes)})),
        "endpoints": r.endpoints.iter().map(|e| json!({"kind": e.kind, "sequence_number": e.sequence_number})).collect::<Vec<_>>(),
    })
}

fn group(g: &GroupSpec) -> Value {
    json!({
        "name": g.name,
        "requirements": requirements(&g.requirements),
        "resources": g.resources.iter().map(|ru| json!({
            "resource": resources(&ru.resource),
            "count": ru.count,
            "price": ru.price.as_ref().map(dec_coin),
        })).collect::<Vec<_>>(),
    })
}

fn escrow_id(id: &Option<EscrowAccountId>) -> Value {
    match id {
        Some(id) => json!({"scope": enum_name(id.scope, &SCOPE_NAMES), "xid": id.xid}),
        None => Value::Null,
    }
}

fn close_reason(v: i32) -> String {
    match LeaseClosedReason::try_from(v) {
        Ok(r) => format!("{r:?}"),
        Err(_) => format!("unknown({v})"),
    }
}

fn dec<M: Message + Default>(a: &Any) -> Result<M, String> {
    M::decode(a.value.as_slice()).map_err(|e| e.to_string())
}

fn timestamp(t: &Timestamp) -> Value {
    json!({"seconds": t.seconds.to_string(), "nanos": t.nanos})
}

fn basic_allowance(a: &Any) -> Result<Value, String> {
    let b: BasicAllowance = dec(a)?;
    Ok(json!({
        "type_url": a.type_url,
        "spend_limit": coins(&b.spend_limit),
        "expiration": b.expiration.as_ref().map(timestamp),
    }))
}

/// A fee allowance: basic, or allowed-messages around an inner allowance (decoded one level
/// deep only, so hostile nesting cannot recurse).
fn fee_allowance(a: &Option<Any>) -> Result<Value, String> {
    let Some(a) = a else { return Ok(Value::Null) };
    match a.type_url.as_str() {
        cosmos_url::BASIC_ALLOWANCE => basic_allowance(a),
        cosmos_url::ALLOWED_MSG_ALLOWANCE => {
            let w: AllowedMsgAllowance = dec(a)?;
            let inner = match &w.allowance {
                Some(i) if i.type_url == cosmos_url::BASIC_ALLOWANCE => basic_allowance(i)?,
                Some(i) => unknown_any(i),
                None => Value::Null,
            };
            Ok(json!({"type_url": a.type_url, "allowance": inner, "allowed_messages": w.allowed_messages}))
        }
        _ => Ok(unknown_any(a)),
    }
}

fn authorization(a: &Option<Any>) -> Result<Value, String> {
    let Some(a) = a else { return Ok(Value::Null) };
    if a.type_url != akash_url::DEPOSIT_AUTHORIZATION {
        return Ok(unknown_any(a));
    }
    let d: DepositAuthorization = dec(a)?;
    Ok(json!({
        "type_url": a.type_url,
        "spend_limit": d.spend_limit.as_ref().map(coin),
        "scopes": d.scopes.iter().map(|s| enum_name(*s, &SCOPE_NAMES)).collect::<Vec<_>>(),
    }))
}

/// One message as JSON `{type_url, value}`; unknown type URLs keep their value in base64.
pub fn decode_message(a: &Any) -> Result<Value, String> {
    let value = match a.type_url.as_str() {
        akash_url::MSG_CREATE_DEPLOYMENT => {
            let m: am::MsgCreateDeployment = dec(a)?;
            json!({
                "id": deployment_id(&m.id),
                "groups": m.groups.iter().map(group).collect::<Vec<_>>(),
                "hash_hex": hex::encode(&m.hash),
                "deposit": deposit(&m.deposit),
            })
        }
        akash_url::MSG_UPDATE_DEPLOYMENT => {
            let m: am::MsgUpdateDeployment = dec(a)?;
            json!({"id": deployment_id(&m.id), "hash_hex": hex::encode(&m.hash)})
        }
        akash_url::MSG_CLOSE_DEPLOYMENT => {
            let m: am::MsgCloseDeployment = dec(a)?;
            json!({"id": deployment_id(&m.id)})
        }
        akash_url::MSG_ACCOUNT_DEPOSIT => {
            let m: am::MsgAccountDeposit = dec(a)?;
            json!({"signer": m.signer, "id": escrow_id(&m.id), "deposit": deposit(&m.deposit)})
        }
        akash_url::MSG_CREATE_LEASE => {
            let m: am::MsgCreateLease = dec(a)?;
            json!({"bid_id": bid_id(&m.bid_id)})
        }
        akash_url::MSG_CLOSE_LEASE => {
            let m: am::MsgCloseLease = dec(a)?;
            json!({"id": bid_id(&m.id), "reason": close_reason(m.reason)})
        }
        akash_url::MSG_MINT_ACT => {
            let m: am::MsgMintAct = dec(a)?;
            json!({"owner": m.owner, "to": m.to, "coins_to_burn": m.coins_to_burn.as_ref().map(coin)})
        }
        cosmos_url::MSG_SEND => {
            let m: MsgSend = dec(a)?;
            json!({"from_address": m.from_address, "to_address": m.to_address, "amount": coins(&m.amount)})
        }
        cosmos_url::MSG_GRANT_ALLOWANCE => {
            let m: MsgGrantAllowance = dec(a)?;
            json!({"granter": m.granter, "grantee": m.grantee, "allowance": fee_allowance(&m.allowance)?})
        }
        cosmos_url::MSG_REVOKE_ALLOWANCE => {
            let m: MsgRevokeAllowance = dec(a)?;
            json!({"granter": m.granter, "grantee": m.grantee})
        }
        cosmos_url::MSG_GRANT => {
            let m: MsgGrant = dec(a)?;
            let grant = match &m.grant {
                Some(g) => json!({
                    "authorization": authorization(&g.authorization)?,
                    "expiration": g.expiration.as_ref().map(timestamp),
                }),
                None => Value::Null,
            };
            json!({"granter": m.granter, "grantee": m.grantee, "grant": grant})
        }
        cosmos_url::MSG_REVOKE => {
            let m: MsgRevoke = dec(a)?;
            json!({"granter": m.granter, "grantee": m.grantee, "msg_type_url": m.msg_type_url})
        }
        _ => return Ok(unknown_any(a)),
    };
    Ok(json!({"type_url": a.type_url, "value": value}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::{now_or_never, LocalSigner, Signer};
    use crate::proto::akash_msgs::{DepositScope, Scope, Source};
    use crate::{address, msgs, tx};

    fn signed() -> tx::SignedTx {
        let s = LocalSigner::from_hex(&"11".repeat(32)).unwrap();
        let owner = address::address_of(&s.public_key());
        let unsigned = tx::UnsignedTx {
            messages: vec![
                msgs::update_deployment(&owner, 18446744073709551615, [0xab; 32]).unwrap(),
                msgs::mint_act(&owner, &owner, &msgs::coin(1000000, "uakt")).unwrap(),
                Any { type_url: "/x.y.Z".into(), value: vec![1, 2, 3] },
            ],
            memo: "m".into(),
            timeout_height: 5,
            timeout_timestamp_secs: Some(1_900_000_000),
            public_key: s.public_key(),
            sequence: 1,
            account_number: 2,
            chain_id: "akashnet-2".into(),
            fee: vec![msgs::coin(5000, "uakt")],
            gas_limit: 200000,
            fee_payer: None,
            fee_granter: None,
        };
        now_or_never(tx::sign(&s, &unsigned)).unwrap().unwrap()
    }

    #[test]
    fn decodes_known_and_unknown_messages() {
        let signed = signed();
        let v = decode_tx_base64(&signed.to_base64()).unwrap();
        assert_eq!(v["hash"], signed.hash());
        let m = &v["body"]["messages"];
        assert_eq!(m[0]["value"]["id"]["dseq"], "18446744073709551615");
        assert_eq!(m[0]["value"]["hash_hex"], "ab".repeat(32));
        assert_eq!(m[1]["value"]["coins_to_burn"]["amount"], "1000000");
        assert_eq!(m[2]["value_base64"], "AQID");
        assert_eq!(v["body"]["timeout_height"], "5");
        assert_eq!(v["body"]["timeout_timestamp"], json!({"seconds": "1900000000", "nanos": 0}));
        let si = &v["auth_info"]["signer_infos"][0];
        assert_eq!(si["mode"], "SIGN_MODE_DIRECT");
        assert_eq!(si["public_key"]["key_hex"], "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
        assert_eq!(v["auth_info"]["fee"]["gas_limit"], "200000");
        assert_eq!(v["signatures"][0], hex::encode(signed.signature));
    }

    #[test]
    fn enum_names_follow_the_proto_numbers() {
        for (v, name) in [(Source::Invalid, "invalid"), (Source::Balance, "balance"), (Source::Grant, "grant")] {
            assert_eq!(enum_name(v as i32, &SOURCE_NAMES), name);
        }
        for (v, w, name) in [(Scope::Invalid, DepositScope::Invalid, "invalid"), (Scope::Deployment, DepositScope::Deployment, "deployment"), (Scope::Bid, DepositScope::Bid, "bid")] {
            assert_eq!((enum_name(v as i32, &SCOPE_NAMES), enum_name(w as i32, &SCOPE_NAMES)), (name.to_string(), name.to_string()));
        }
        assert_eq!((enum_name(3, &SCOPE_NAMES), enum_name(-1, &SOURCE_NAMES)), ("unknown(3)".to_string(), "unknown(-1)".to_string()));
    }

    #[test]
    fn decodes_grants_and_allowances() {
        const A: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
        const B: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";
        let allowed = [akash_url::MSG_CREATE_LEASE];
        let plain = msgs::grant_fee_allowance(A, B, &[msgs::coin(5, "uakt")], Some(1_900_000_000), &[]).unwrap();
        let v = decode_message(&plain).unwrap();
        assert_eq!(v["value"]["allowance"]["type_url"], cosmos_url::BASIC_ALLOWANCE);
        assert_eq!(v["value"]["allowance"]["spend_limit"][0]["amount"], "5");
        assert_eq!(v["value"]["allowance"]["expiration"]["seconds"], "1900000000");
        let wrapped = msgs::grant_fee_allowance(A, B, &[], None, &allowed).unwrap();
        let v = decode_message(&wrapped).unwrap();
        assert_eq!(v["value"]["allowance"]["allowed_messages"][0], akash_url::MSG_CREATE_LEASE);
        assert_eq!(v["value"]["allowance"]["allowance"]["expiration"], Value::Null);
        let grant = msgs::grant_deposit_authorization(A, B, &msgs::coin(7, "uact"), &[DepositScope::Deployment], None).unwrap();
        let v = decode_message(&grant).unwrap();
        assert_eq!(v["value"]["grant"]["authorization"]["scopes"], json!(["deployment"]));
        assert_eq!(v["value"]["grant"]["authorization"]["spend_limit"]["denom"], "uact");
        let v = decode_message(&msgs::revoke_authorization(A, B, akash_url::DEPOSIT_AUTHORIZATION_MSG_TYPE_URL).unwrap()).unwrap();
        assert_eq!(v["value"]["msg_type_url"], "/akash.escrow.v1.MsgAccountDeposit");
        let v = decode_message(&msgs::revoke_fee_allowance(A, B).unwrap()).unwrap();
        assert_eq!(v["value"]["grantee"], B);
        // An inner allowance that does not parse is an error, an unknown one is shown raw.
        let bad_inner = MsgGrantAllowance {
            granter: A.into(),
            grantee: B.into(),
            allowance: Some(Any { type_url: cosmos_url::BASIC_ALLOWANCE.into(), value: vec![0x0a, 0x09] }),
        };
        let a = Any { type_url: cosmos_url::MSG_GRANT_ALLOWANCE.into(), value: bad_inner.encode_to_vec() };
        assert!(decode_message(&a).is_err());
        let other = MsgGrantAllowance { allowance: Some(Any { type_url: "/x.Y".into(), value: vec![1] }), ..bad_inner };
        let a = Any { type_url: cosmos_url::MSG_GRANT_ALLOWANCE.into(), value: other.encode_to_vec() };
        assert_eq!(decode_message(&a).unwrap()["value"]["allowance"]["value_base64"], "AQ==");
    }

    #[test]
    fn malformed_input_is_refused() {
        assert_eq!(decode_tx(&[]), Err(DecodeError::Empty));
        assert!(matches!(decode_tx_base64("***"), Err(DecodeError::Base64(_))));
        assert!(matches!(decode_tx(&[0xff, 0xff, 0xff]), Err(DecodeError::TxRaw(_))));
        // A TxRaw whose body is garbage.
        let raw = TxRaw { body_bytes: vec![0x0a, 0x05, 0x01], auth_info_bytes: vec![], signatures: vec![] };
        assert!(matches!(decode_tx(&raw.encode_to_vec()), Err(DecodeError::Body(_))));
        // A known type URL with a value that does not parse.
        let body = TxBody {
            messages: vec![Any { type_url: akash_url::MSG_CLOSE_DEPLOYMENT.into(), value: vec![0x0a, 0x09, 0x01] }],
            ..Default::default()
        };
        let raw = TxRaw { body_bytes: body.encode_to_vec(), auth_info_bytes: vec![], signatures: vec![] };
        assert!(matches!(decode_tx(&raw.encode_to_vec()), Err(DecodeError::Message { index: 0, .. })));
        let big = vec![0u8; MAX_TX_BYTES + 1];
        assert!(matches!(decode_tx(&big), Err(DecodeError::TooLarge { .. })));
        let big_text = "A".repeat(MAX_TX_BYTES / 3 * 4 + 8);
        assert!(matches!(decode_tx_base64(&big_text), Err(DecodeError::TooLarge { .. })));
        // Truncation anywhere in a valid tx never panics.
        let bytes = signed().tx_raw;
        for n in 0..bytes.len() {
            let _ = decode_tx(&bytes[..n]);
        }
    }
}
