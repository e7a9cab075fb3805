//! The deployment module (`akash.deployment.v1beta4`): `MsgCreateDeployment` (groups, hash,
//! deposit from balance or grant), `MsgUpdateDeployment`, `MsgCloseDeployment`, and the
//! EndBlocker that drives escrow settlement and the market every block.
//!
//! A deployment is created active with one group per `GroupSpec` (gseq 1..), one open order per
//! group (oseq 1) and an escrow account `{owner}/{dseq}` holding the deposit. Closing it (by the
//! owner, or because its escrow is overdrawn) settles the payments, closes leases, orders, bids
//! and groups, and refunds the unspent escrow to the depositors ([`super::escrow`]).

use super::bme::DEC_ONE;
use super::escrow::{self, decode_deposit, deposit_json, validate_deposit, EscrowAccount, EscrowStatus};
use super::market::{self, LeaseState, OrderId};
use super::msgs::{self, Event, ExecCtx, Failure, MsgKind};
use super::proto::Coin;
use super::wire::{Reader, WireError, Writer};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const MSG_CREATE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgCreateDeployment";
pub const MSG_UPDATE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgUpdateDeployment";
pub const MSG_CLOSE_DEPLOYMENT: &str = "/akash.deployment.v1beta4.MsgCloseDeployment";
/// `MinDeposits` (the node's default) per denom.
pub const MIN_DEPOSIT: u128 = 500_000;

/// Codespace "deployment" codes used by the model (distinct and stable).
pub const CODE_DEPLOYMENT_EXISTS: u32 = 3;
pub const CODE_DEPLOYMENT_NOT_FOUND: u32 = 4;
pub const CODE_DEPLOYMENT_CLOSED: u32 = 5;
pub const CODE_INVALID_GROUPS: u32 = 7;
pub const CODE_INVALID_HASH: u32 = 10;
pub const CODE_INVALID_DEPOSIT: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentState {
    Active,
    Closed,
}

impl DeploymentState {
    pub fn name(self) -> &'static str {
        match self {
            DeploymentState::Active => "active",
            DeploymentState::Closed => "closed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupState {
    Open,
    Paused,
    InsufficientFunds,
    Closed,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Open => "open",
            GroupState::Paused => "paused",
            GroupState::InsufficientFunds => "insufficient_funds",
            GroupState::Closed => "closed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub owner: String,
    pub dseq: u64,
    pub state: DeploymentState,
    pub hash: Vec<u8>,
    pub created_at: u64,
}

/// One `ResourceUnit` of a group spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceUnit {
    /// The `akash.base.resources.v1beta4.Resources` bytes as sent.
    pub resource: Vec<u8>,
    pub count: u32,
    /// (denom, atomics per block per unit).
    pub price: Option<(String, u128)>,
}

/// A decoded `GroupSpec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSpec {
    pub name: String,
    pub signed_by_all: Vec<String>,
    pub signed_by_any: Vec<String>,
    pub attributes: Vec<(String, String)>,
    pub resources: Vec<ResourceUnit>,
}

impl GroupSpec {
    /// The highest price per block an order of this group accepts: Σ price × count (atomics).
    pub fn max_price(&self) -> u128 {
        self.resources.iter().map(|r| r.price.as_ref().map(|p| p.1).unwrap_or(0) * u128::from(r.count)).sum()
    }

    pub fn json(&self) -> Value {
        json!({
            "name": self.name,
            "requirements": {
                "signed_by": {"all_of": self.signed_by_all, "any_of": self.signed_by_any},
                "attributes": attributes_json(&self.attributes),
            },
            "resources": self.resources.iter().map(|r| json!({
                "resource": resources_json(&r.resource).unwrap_or(Value::Null),
                "count": r.count,
                "price": r.price.as_ref().map(|(d, a)| escrow::dec_coin_json(*a, d)),
            })).collect::<Vec<_>>(),
        })
    }
}

pub fn attributes_json(attrs: &[(String, String)]) -> Value {
    Value::Array(attrs.iter().map(|(k, v)| json!({"key": k, "value": v})).collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub owner: String,
    pub dseq: u64,
    pub gseq: u32,
    pub state: GroupState,
    pub spec: GroupSpec,
    pub created_at: u64,
}

impl Group {
    pub fn json(&self) -> Value {
        json!({
            "id": {"owner": self.owner, "dseq": self.dseq.to_string(), "gseq": self.gseq},
            "state": self.state.name(),
            "group_spec": self.spec.json(),
            "created_at": self.created_at.to_string(),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentsState {
    pub deployments: BTreeMap<(String, u64), Deployment>,
    /// (owner, dseq, gseq) → group.
    pub groups: BTreeMap<(String, u64, u32), Group>,
}

impl DeploymentsState {
    pub fn groups_of(&self, owner: &str, dseq: u64) -> Vec<&Group> {
        self.groups.range((owner.to_string(), dseq, 0)..=(owner.to_string(), dseq, u32::MAX)).map(|(_, g)| g).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

fn decode_attribute(b: &[u8]) -> Result<(String, String), WireError> {
    let (mut k, mut v) = (String::new(), String::new());
    Reader::each(b, "akash.base.attributes.v1.Attribute", true, |f, x| {
        match f {
            1 => k = x.string("key")?,
            2 => v = x.string("value")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((k, v))
}

fn decode_dec_coin(b: &[u8]) -> Result<(String, u128), WireError> {
    let (denom, amount) = super::proto::decode_denom_amount(b, "cosmos.base.v1beta1.DecCoin")?;
    // A LegacyDec is written as its atomics: digits only.
    Ok((denom, super::proto::parse_big_int(&amount, 38)?))
}

/// A `ResourceValue` (`val` bytes, ASCII digits) as its text.
fn resource_value(b: &[u8]) -> Result<String, WireError> {
    let mut val = String::new();
    Reader::each(b, "akash.base.resources.v1beta4.ResourceValue", true, |f, v| {
        if f != 1 {
            return Ok(false);
        }
        val = v.string("val")?;
        Ok(true)
    })?;
    Ok(if val.is_empty() { "0".into() } else { val })
}

/// A unit with a quantity field and attributes (CPU, memory, GPU): `{"<q>": {"val"}, "attributes"}`.
fn quantity_json(b: &[u8], message: &str, qname: &str) -> Result<Value, WireError> {
    let (mut q, mut attrs) = ("0".to_string(), Vec::new());
    Reader::each(b, message, true, |f, v| {
        match f {
            1 => q = resource_value(v.bytes(qname)?)?,
            2 => attrs.push(decode_attribute(v.bytes("attributes")?)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(json!({qname: {"val": q}, "attributes": attributes_json(&attrs)}))
}

/// `akash.base.resources.v1beta4.Resources` as the gateway writes it (quantities as their
/// decimal text, endpoint kinds by name).
pub fn resources_json(b: &[u8]) -> Result<Value, WireError> {
    let mut id = 0u64;
    let mut cpu = json!({"units": {"val": "0"}, "attributes": []});
    let mut memory = json!({"quantity": {"val": "0"}, "attributes": []});
    let mut gpu = json!({"units": {"val": "0"}, "attributes": []});
    let mut storage = Vec::new();
    let mut endpoints = Vec::new();
    Reader::each(b, "akash.base.resources.v1beta4.Resources", true, |f, v| {
        match f {
            1 => id = v.varint("id")?,
            2 => cpu = quantity_json(v.bytes("cpu")?, "akash.base.resources.v1beta4.CPU", "units")?,
            3 => memory = quantity_json(v.bytes("memory")?, "akash.base.resources.v1beta4.Memory", "quantity")?,
            4 => {
                let (mut name, mut q, mut attrs) = (String::new(), "0".to_string(), Vec::new());
                Reader::each(v.bytes("storage")?, "akash.base.resources.v1beta4.Storage", true, |f, v| {
                    match f {
                        1 => name = v.string("name")?,
                        2 => q = resource_value(v.bytes("quantity")?)?,
                        3 => attrs.push(decode_attribute(v.bytes("attributes")?)?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                storage.push(json!({"name": name, "quantity": {"val": q}, "attributes": attributes_json(&attrs)}));
            }
            5 => gpu = quantity_json(v.bytes("gpu")?, "akash.base.resources.v1beta4.GPU", "units")?,
            6 => {
                let (mut kind, mut seq) = (0u64, 0u64);
                Reader::each(v.bytes("endpoints")?, "akash.base.resources.v1beta4.Endpoint", true, |f, v| {
                    match f {
                        1 => kind = v.varint("kind")?,
                        2 => seq = v.varint("sequence_number")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                let kind = match kind {
                    0 => "SHARED_HTTP",
                    1 => "RANDOM_PORT",
                    2 => "LEASED_IP",
                    _ => return Err(WireError(format!("invalid endpoint kind {kind}"))),
                };
                endpoints.push(json!({"kind": kind, "sequence_number": seq}));
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(json!({"id": id, "cpu": cpu, "memory": memory, "storage": storage, "gpu": gpu, "endpoints": endpoints}))
}

pub fn decode_group_spec(b: &[u8]) -> Result<GroupSpec, WireError> {
    let mut g = GroupSpec { name: String::new(), signed_by_all: vec![], signed_by_any: vec![], attributes: vec![], resources: vec![] };
    Reader::each(b, "akash.deployment.v1beta4.GroupSpec", true, |f, v| {
        match f {
            1 => g.name = v.string("name")?,
            2 => {
                Reader::each(v.bytes("requirements")?, "akash.base.attributes.v1.PlacementRequirements", true, |f, v| {
                    match f {
                        1 => {
                            Reader::each(v.bytes("signed_by")?, "akash.base.attributes.v1.SignedBy", true, |f, v| {
                                match f {
                                    1 => g.signed_by_all.push(v.string("all_of")?),
                                    2 => g.signed_by_any.push(v.string("any_of")?),
                                    _ => return Ok(false),
                                }
                                Ok(true)
                            })?;
                        }
                        2 => g.attributes.push(decode_attribute(v.bytes("attributes")?)?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            3 => {
                let mut ru = ResourceUnit { resource: Vec::new(), count: 0, price: None };
                Reader::each(v.bytes("resources")?, "akash.deployment.v1beta4.ResourceUnit", true, |f, v| {
                    match f {
                        1 => {
                            ru.resource = v.bytes("resource")?.to_vec();
                            resources_json(&ru.resource)?;
                        }
                        2 => ru.count = u32::try_from(v.varint("count")?).map_err(|_| WireError("count overflows uint32".into()))?,
                        3 => ru.price = Some(decode_dec_coin(v.bytes("price")?)?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                g.resources.push(ru);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(g)
}

/// `akash.deployment.v1.DeploymentID`.
fn decode_deployment_id(b: &[u8]) -> Result<(String, u64), WireError> {
    let (mut owner, mut dseq) = (String::new(), 0u64);
    Reader::each(b, "akash.deployment.v1.DeploymentID", true, |f, v| {
        match f {
            1 => owner = v.string("owner")?,
            2 => dseq = v.varint("dseq")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((owner, dseq))
}

pub fn encode_deployment_id(owner: &str, dseq: u64) -> Writer {
    let mut w = Writer::new();
    w.string(1, owner).uint(2, dseq);
    w
}

pub struct MsgCreateDeployment {
    pub owner: String,
    pub dseq: u64,
    pub groups: Vec<GroupSpec>,
    pub hash: Vec<u8>,
    pub deposit: Option<Coin>,
    pub sources: Vec<i32>,
}

impl MsgCreateDeployment {
    pub fn decode(b: &[u8]) -> Result<Self, Failure> {
        let mut m = MsgCreateDeployment { owner: String::new(), dseq: 0, groups: vec![], hash: vec![], deposit: None, sources: vec![] };
        let mut dep = None;
        Reader::each(b, "akash.deployment.v1beta4.MsgCreateDeployment", true, |f, v| {
            match f {
                1 => (m.owner, m.dseq) = decode_deployment_id(v.bytes("id")?)?,
                2 => m.groups.push(decode_group_spec(v.bytes("groups")?)?),
                3 => m.hash = v.bytes("hash")?.to_vec(),
                4 => dep = Some(v.bytes("deposit")?.to_vec()),
                // reclamation (v2.1): accepted, not modelled.
                5 => {
                    v.bytes("reclamation")?;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })
        .map_err(Failure::parse)?;
        if let Some(d) = dep {
            (m.deposit, m.sources) = decode_deposit(&d)?;
        }
        Ok(m)
    }
}

fn check_id(owner: &str, dseq: u64) -> Result<(), Failure> {
    msgs::check_address("owner", owner)?;
    if dseq == 0 {
        return Err(Failure::new("deployment", 8, "invalid deployment id: dseq cannot be zero"));
    }
    Ok(())
}

fn check_hash(hash: &[u8]) -> Result<(), Failure> {
    if hash.len() != 32 {
        return Err(Failure::new("deployment", CODE_INVALID_HASH, format!("invalid deployment hash: length {} != 32", hash.len())));
    }
    Ok(())
}

fn invalid_groups(msg: impl std::fmt::Display) -> Failure {
    Failure::new("deployment", CODE_INVALID_GROUPS, format!("{msg}: invalid groups"))
}

fn id_json(owner: &str, dseq: u64) -> String {
    json!({"owner": owner, "dseq": dseq.to_string()}).to_string()
}

pub struct MsgCreateDeploymentKind;

impl MsgKind for MsgCreateDeploymentKind {
    fn type_url(&self) -> &'static str {
        MSG_CREATE_DEPLOYMENT
    }
    fn module(&self) -> &'static str {
        "deployment"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let m = MsgCreateDeployment::decode(value)?;
        check_id(&m.owner, m.dseq)?;
        if m.groups.is_empty() {
            return Err(invalid_groups("deployment must have at least one group"));
        }
        for g in &m.groups {
            if g.name.is_empty() {
                return Err(invalid_groups("group name cannot be empty"));
            }
            if g.resources.is_empty() {
                return Err(invalid_groups(format!("group {}: resources cannot be empty", g.name)));
            }
            for r in &g.resources {
                if r.count == 0 {
                    return Err(invalid_groups(format!("group {}: resource count must be positive", g.name)));
                }
                match &r.price {
                    Some((d, _)) if msgs::valid_denom(d) => {}
                    _ => return Err(invalid_groups(format!("group {}: invalid price", g.name))),
                }
            }
        }
        check_hash(&m.hash)?;
        validate_deposit(&m.deposit, &m.sources)?;
        Ok(m.owner)
    }
    fn gas(&self, value: &[u8]) -> u64 {
        let groups = MsgCreateDeployment::decode(value).map(|m| m.groups.len() as u64).unwrap_or(1);
        80_000 + 20_000 * groups
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let m = MsgCreateDeployment::decode(value)?;
        let deposit = m.deposit.clone().expect("validated");
        let key = (m.owner.clone(), m.dseq);
        if ctx.state.deployments.deployments.contains_key(&key) {
            return Err(Failure::new("deployment", CODE_DEPLOYMENT_EXISTS, "deployment exists"));
        }
        if deposit.denom != escrow::DEPLOYMENT_DENOM {
            return Err(Failure::new(
                "deployment",
                CODE_INVALID_DEPOSIT,
                format!("invalid deposit denom {}: deployments are funded in {}: invalid deposit", deposit.denom, escrow::DEPLOYMENT_DENOM),
            ));
        }
        for g in &m.groups {
            if let Some(r) = g.resources.iter().find(|r| r.price.as_ref().is_some_and(|p| p.0 != escrow::DEPLOYMENT_DENOM)) {
                let d = &r.price.as_ref().expect("found").0;
                return Err(invalid_groups(format!("group {}: price denom {d} is not {}", g.name, escrow::DEPLOYMENT_DENOM)));
            }
        }
        if deposit.amount < MIN_DEPOSIT {
            return Err(Failure::new(
                "deployment",
                CODE_INVALID_DEPOSIT,
                format!("deployment deposit {deposit} is less than the minimum {MIN_DEPOSIT}{}: invalid deposit", deposit.denom),
            ));
        }
        let (depositor, source) = escrow::fund(ctx, &m.owner, &deposit, &m.sources)?;
        let h = ctx.height;
        ctx.state.deployments.deployments.insert(
            key.clone(),
            Deployment { owner: m.owner.clone(), dseq: m.dseq, state: DeploymentState::Active, hash: m.hash.clone(), created_at: h },
        );
        ctx.state.escrow.accounts.insert(
            key.clone(),
            EscrowAccount {
                owner: m.owner.clone(),
                dseq: m.dseq,
                state: EscrowStatus::Open,
                denom: deposit.denom.clone(),
                funds: deposit.amount * DEC_ONE,
                transferred: 0,
                settled_at: h,
                deposits: vec![escrow::Depositor { owner: depositor, height: h, source, amount: deposit.amount }],
                refunds: vec![],
            },
        );
        ctx.emit(
            "akash.deployment.v1.EventDeploymentCreated",
            &[("hash", &json!(B64.encode(&m.hash)).to_string()), ("id", &id_json(&m.owner, m.dseq))],
        );
        for (i, spec) in m.groups.into_iter().enumerate() {
            let gseq = i as u32 + 1;
            ctx.state.deployments.groups.insert(
                (m.owner.clone(), m.dseq, gseq),
                Group { owner: m.owner.clone(), dseq: m.dseq, gseq, state: GroupState::Open, spec, created_at: h },
            );
            ctx.emit(
                "akash.deployment.v1.EventGroupStarted",
                &[("id", &json!({"owner": m.owner, "dseq": m.dseq.to_string(), "gseq": gseq}).to_string())],
            );
            let oid = OrderId { owner: m.owner.clone(), dseq: m.dseq, gseq, oseq: 1 };
            market::create_order(ctx.state, &oid, h);
            ctx.emit("akash.market.v1.EventOrderCreated", &[("id", &oid.json().to_string())]);
        }
        ctx.emit("message", &[("sender", &m.owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match MsgCreateDeployment::decode(value) {
            Ok(m) => json!({
                "id": {"owner": m.owner, "dseq": m.dseq.to_string()},
                "groups": m.groups.iter().map(GroupSpec::json).collect::<Vec<_>>(),
                "hash": B64.encode(&m.hash),
                "deposit": deposit_json(&m.deposit, &m.sources),
            }),
            Err(_) => json!({}),
        }
    }
}

fn decode_id_msg(value: &[u8], message: &str, hash_field: Option<u32>) -> Result<(String, u64, Vec<u8>), Failure> {
    let (mut owner, mut dseq, mut hash) = (String::new(), 0, Vec::new());
    Reader::each(value, message, true, |f, v| {
        match f {
            1 => (owner, dseq) = decode_deployment_id(v.bytes("id")?)?,
            f if Some(f) == hash_field => hash = v.bytes("hash")?.to_vec(),
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    Ok((owner, dseq, hash))
}

fn active_deployment<'a>(state: &'a super::chain::State, owner: &str, dseq: u64) -> Result<&'a Deployment, Failure> {
    let d = state
        .deployments
        .deployments
        .get(&(owner.to_string(), dseq))
        .ok_or_else(|| Failure::new("deployment", CODE_DEPLOYMENT_NOT_FOUND, "deployment not found"))?;
    if d.state != DeploymentState::Active {
        return Err(Failure::new("deployment", CODE_DEPLOYMENT_CLOSED, "deployment closed"));
    }
    Ok(d)
}

pub struct MsgUpdateDeploymentKind;

impl MsgKind for MsgUpdateDeploymentKind {
    fn type_url(&self) -> &'static str {
        MSG_UPDATE_DEPLOYMENT
    }
    fn module(&self) -> &'static str {
        "deployment"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (owner, dseq, hash) = decode_id_msg(value, "akash.deployment.v1beta4.MsgUpdateDeployment", Some(3))?;
        check_id(&owner, dseq)?;
        check_hash(&hash)?;
        Ok(owner)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        30_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (owner, dseq, hash) = decode_id_msg(value, "akash.deployment.v1beta4.MsgUpdateDeployment", Some(3))?;
        active_deployment(ctx.state, &owner, dseq)?;
        ctx.state.deployments.deployments.get_mut(&(owner.clone(), dseq)).expect("checked").hash = hash.clone();
        ctx.emit(
            "akash.deployment.v1.EventDeploymentUpdated",
            &[("hash", &json!(B64.encode(&hash)).to_string()), ("id", &id_json(&owner, dseq))],
        );
        ctx.emit("message", &[("sender", &owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_id_msg(value, "akash.deployment.v1beta4.MsgUpdateDeployment", Some(3)) {
            Ok((owner, dseq, hash)) => json!({"id": {"owner": owner, "dseq": dseq.to_string()}, "hash": B64.encode(hash)}),
            Err(_) => json!({}),
        }
    }
}

pub struct MsgCloseDeploymentKind;

impl MsgKind for MsgCloseDeploymentKind {
    fn type_url(&self) -> &'static str {
        MSG_CLOSE_DEPLOYMENT
    }
    fn module(&self) -> &'static str {
        "deployment"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (owner, dseq, _) = decode_id_msg(value, "akash.deployment.v1beta4.MsgCloseDeployment", None)?;
        check_id(&owner, dseq)?;
        Ok(owner)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        50_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (owner, dseq, _) = decode_id_msg(value, "akash.deployment.v1beta4.MsgCloseDeployment", None)?;
        active_deployment(ctx.state, &owner, dseq)?;
        let h = ctx.height;
        let mut events = Vec::new();
        if !settle(ctx.state, &owner, dseq, h, &mut events) {
            close_deployment(ctx.state, &owner, dseq, h, false, &mut events);
        }
        for mut e in events {
            e.attributes.push(("msg_index".into(), ctx.msg_index.to_string()));
            ctx.events.push(e);
        }
        ctx.emit("message", &[("sender", &owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_id_msg(value, "akash.deployment.v1beta4.MsgCloseDeployment", None) {
            Ok((owner, dseq, _)) => json!({"id": {"owner": owner, "dseq": dseq.to_string()}}),
            Err(_) => json!({}),
        }
    }
}

/// Settles the escrow of deployment (owner, dseq) to `height`; when it is overdrawn, closes the
/// deployment for insufficient funds. Returns whether it was overdrawn.
pub fn settle(state: &mut super::chain::State, owner: &str, dseq: u64, height: u64, events: &mut Vec<Event>) -> bool {
    let key = (owner.to_string(), dseq);
    if escrow::settle(state, &key, height) {
        close_deployment(state, owner, dseq, height, true, events);
        return true;
    }
    false
}

/// Closes a deployment (settled to `height` first by the caller): leases, bids, orders, groups,
/// payments, then the escrow account with its refund. `overdrawn`: for insufficient funds.
pub fn close_deployment(state: &mut super::chain::State, owner: &str, dseq: u64, height: u64, overdrawn: bool, events: &mut Vec<Event>) {
    let (lease_state, reason, group_state, status) = if overdrawn {
        (LeaseState::InsufficientFunds, market::REASON_INSUFFICIENT_FUNDS, GroupState::InsufficientFunds, EscrowStatus::Overdrawn)
    } else {
        (LeaseState::Closed, market::REASON_OWNER, GroupState::Closed, EscrowStatus::Closed)
    };
    market::close_all_of_deployment(state, owner, dseq, height, lease_state, reason, status, events);
    for g in state.deployments.groups.range_mut((owner.to_string(), dseq, 0)..=(owner.to_string(), dseq, u32::MAX)) {
        if g.1.state != GroupState::Closed {
            g.1.state = group_state;
            events.push(Event::new(
                "akash.deployment.v1.EventGroupClosed",
                &[("id", &json!({"owner": owner, "dseq": dseq.to_string(), "gseq": g.1.gseq}).to_string())],
            ));
        }
    }
    if let Some(d) = state.deployments.deployments.get_mut(&(owner.to_string(), dseq)) {
        d.state = DeploymentState::Closed;
    }
    events.push(Event::new("akash.deployment.v1.EventDeploymentClosed", &[("id", &id_json(owner, dseq))]));
    escrow::close_account(state, &(owner.to_string(), dseq), status);
}

/// The EndBlocker: escrow settlement (closing overdrawn deployments), then the market (bid
/// timeouts, simulated providers' bids).
pub fn end_block(state: &mut super::chain::State, height: u64) -> Vec<Event> {
    let mut events = Vec::new();
    let open: Vec<(String, u64)> =
        state.escrow.accounts.iter().filter(|(_, a)| a.state == EscrowStatus::Open).map(|(k, _)| k.clone()).collect();
    for (owner, dseq) in open {
        settle(state, &owner, dseq, height, &mut events);
    }
    market::end_block(state, height, &mut events);
    events
}

/// Settles every open escrow account to `height` without producing a block (the chain skips
/// empty blocks with no event due: see [`next_event`]).
pub fn settle_all(state: &mut super::chain::State, height: u64) {
    let mut ignored = Vec::new();
    let open: Vec<(String, u64)> =
        state.escrow.accounts.iter().filter(|(_, a)| a.state == EscrowStatus::Open).map(|(k, _)| k.clone()).collect();
    for (owner, dseq) in open {
        settle(state, &owner, dseq, height, &mut ignored);
    }
}

/// Whether skipped blocks change anything (open escrow accounts settle every block).
pub fn accrues(state: &super::chain::State) -> bool {
    state.escrow.accounts.values().any(|a| a.state == EscrowStatus::Open)
}

/// The next height after `height` at which something happens by itself: an escrow overdraw, a
/// bid timeout, a provider's bid.
pub fn next_event(state: &super::chain::State, height: u64) -> Option<u64> {
    let overdraw = state.escrow.accounts.values().filter_map(|a| escrow::overdraw_height(state, a)).min();
    let market = market::next_event(state, height);
    [overdraw, market].into_iter().flatten().min().map(|h| h.max(height + 1))
}
