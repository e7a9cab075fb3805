//! The market module (`akash.market.v1beta5`): orders (one per group, oseq 1), bids placed by
//! simulated providers, `MsgCreateLease` and `MsgCloseLease`, and leases with their escrow
//! payments.
//!
//! Simulated providers ([`Provider`], configured by tests) bid automatically from the EndBlocker
//! on every open order whose placement requirements they meet (attributes, auditors) and whose
//! maximum price (Σ price × count) their price does not exceed, `bid_delay_blocks` after the order
//! was created, once per order (bseq 0). A bid not leased within `bid_timeout_blocks` (default 50,
//! about 5 minutes, the provider's `bid-timeout`) is closed and not placed again.
//!
//! Creating a lease (signed by the owner, on an open bid): the bid becomes active, the other bids
//! on the order lost, the order active, and a payment at the bid price opens on the deployment's
//! escrow. Closing a lease closes its payment, bid and order; the group is closed when the owner
//! closed it, paused when the provider did ([`close_lease`]).

use super::bme::DEC_ONE;
use super::chain::State;
use super::deployment::{self, DeploymentState, GroupState};
use super::escrow::{self, EscrowStatus, Payment};
use super::msgs::{self, Event, ExecCtx, Failure, MsgKind};
use super::wire::{Reader, WireError, Writer};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const MSG_CREATE_LEASE: &str = "/akash.market.v1beta5.MsgCreateLease";
pub const MSG_CLOSE_LEASE: &str = "/akash.market.v1beta5.MsgCloseLease";
pub const DEFAULT_BID_TIMEOUT_BLOCKS: u64 = 50;

pub const REASON_OWNER: i32 = 1;
pub const REASON_UNSTABLE: i32 = 10000;
pub const REASON_DECOMMISSION: i32 = 10001;
pub const REASON_UNSPECIFIED: i32 = 10002;
pub const REASON_MANIFEST_TIMEOUT: i32 = 10003;
pub const REASON_INSUFFICIENT_FUNDS: i32 = 20000;

/// Codespace "market" codes used by the model (distinct and stable).
pub const CODE_ORDER_NOT_OPEN: u32 = 5;
pub const CODE_BID_NOT_FOUND: u32 = 10;
pub const CODE_BID_NOT_OPEN: u32 = 11;
pub const CODE_LEASE_NOT_FOUND: u32 = 14;
pub const CODE_LEASE_NOT_ACTIVE: u32 = 15;
pub const CODE_INVALID_REASON: u32 = 20;

/// `LeaseClosedReason` name of a value.
pub fn reason_name(r: i32) -> &'static str {
    match r {
        1 => "lease_closed_owner",
        10000 => "lease_closed_reason_unstable",
        10001 => "lease_closed_reason_decommission",
        10002 => "lease_closed_reason_unspecified",
        10003 => "lease_closed_reason_manifest_timeout",
        20000 => "lease_closed_reason_insufficient_funds",
        _ => "lease_closed_invalid",
    }
}

/// `akash.market.v1.OrderID`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId {
    pub owner: String,
    pub dseq: u64,
    pub gseq: u32,
    pub oseq: u32,
}

impl OrderId {
    pub fn json(&self) -> Value {
        json!({"owner": self.owner, "dseq": self.dseq.to_string(), "gseq": self.gseq, "oseq": self.oseq})
    }

    pub fn bid(&self, provider: &str) -> BidId {
        BidId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq, oseq: self.oseq, provider: provider.to_string(), bseq: 0 }
    }
}

/// `akash.market.v1.BidID` (and `LeaseID`, the same fields).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BidId {
    pub owner: String,
    pub dseq: u64,
    pub gseq: u32,
    pub oseq: u32,
    pub provider: String,
    pub bseq: u32,
}

impl BidId {
    /// The smallest id of deployment (owner, dseq), to range over its bids, leases, payments.
    pub fn first_of(owner: &str, dseq: u64) -> BidId {
        BidId { owner: owner.to_string(), dseq, gseq: 0, oseq: 0, provider: String::new(), bseq: 0 }
    }

    pub fn order(&self) -> OrderId {
        OrderId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq, oseq: self.oseq }
    }

    pub fn json(&self) -> Value {
        json!({"owner": self.owner, "dseq": self.dseq.to_string(), "gseq": self.gseq, "oseq": self.oseq, "provider": self.provider, "bseq": self.bseq})
    }

    /// From the core's id (for tests and the pub API).
    pub fn from_core(id: &ic_akash::proto::akash_msgs::BidId) -> BidId {
        BidId { owner: id.owner.clone(), dseq: id.dseq, gseq: id.gseq, oseq: id.oseq, provider: id.provider.clone(), bseq: id.bseq }
    }

    pub fn to_core(&self) -> ic_akash::proto::akash_msgs::BidId {
        ic_akash::proto::akash_msgs::BidId {
            owner: self.owner.clone(),
            dseq: self.dseq,
            gseq: self.gseq,
            oseq: self.oseq,
            provider: self.provider.clone(),
            bseq: self.bseq,
        }
    }

    pub fn encode(&self) -> Writer {
        let mut w = Writer::new();
        w.string(1, &self.owner).uint(2, self.dseq).uint(3, u64::from(self.gseq)).uint(4, u64::from(self.oseq));
        w.string(5, &self.provider).uint(6, u64::from(self.bseq));
        w
    }
}

fn decode_bid_id(b: &[u8]) -> Result<BidId, WireError> {
    let mut id = BidId::first_of("", 0);
    Reader::each(b, "akash.market.v1.BidID", true, |f, v| {
        match f {
            1 => id.owner = v.string("owner")?,
            2 => id.dseq = v.varint("dseq")?,
            3 => id.gseq = u32::try_from(v.varint("gseq")?).map_err(|_| WireError("gseq overflows uint32".into()))?,
            4 => id.oseq = u32::try_from(v.varint("oseq")?).map_err(|_| WireError("oseq overflows uint32".into()))?,
            5 => id.provider = v.string("provider")?,
            6 => id.bseq = u32::try_from(v.varint("bseq")?).map_err(|_| WireError("bseq overflows uint32".into()))?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(id)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderState {
    Open,
    Active,
    Closed,
}

impl OrderState {
    pub fn name(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Active => "active",
            OrderState::Closed => "closed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BidState {
    Open,
    Active,
    Lost,
    Closed,
}

impl BidState {
    pub fn name(self) -> &'static str {
        match self {
            BidState::Open => "open",
            BidState::Active => "active",
            BidState::Lost => "lost",
            BidState::Closed => "closed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseState {
    Active,
    InsufficientFunds,
    Closed,
}

impl LeaseState {
    pub fn name(self) -> &'static str {
        match self {
            LeaseState::Active => "active",
            LeaseState::InsufficientFunds => "insufficient_funds",
            LeaseState::Closed => "closed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub state: OrderState,
    pub created_at: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bid {
    pub state: BidState,
    pub denom: String,
    /// Per block, atomics.
    pub price: u128,
    pub created_at: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub state: LeaseState,
    pub denom: String,
    /// Per block, atomics.
    pub price: u128,
    pub created_at: u64,
    /// 0 while active.
    pub closed_on: u64,
    /// A `LeaseClosedReason` value (0 while active).
    pub reason: i32,
}

/// A simulated provider: on chain (account, host URI, attributes) and its bidding behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub address: String,
    pub host_uri: String,
    pub attributes: Vec<(String, String)>,
    /// Auditors that signed its attributes (for `signed_by` requirements).
    pub auditors: Vec<String>,
    /// Its price per block for a whole order, in uact atomics (10^18 per uact).
    pub price: u128,
    /// Whether it bids at all.
    pub bids: bool,
    /// Blocks between an order's creation and its bid (at least 1).
    pub bid_delay_blocks: u64,
}

impl Provider {
    /// A provider at `address` bidding `price` uact per block (a decimal, e.g. "1.5"), the next
    /// block after an order opens, with host `https://provider.<address prefix>.test:8443`.
    pub fn new(address: &str, price: &str) -> Self {
        Provider {
            address: address.to_string(),
            host_uri: format!("https://provider.{}.test:8443", &address[6..14.min(address.len())]),
            attributes: vec![("region".into(), "us-west".into())],
            auditors: vec![],
            price: parse_dec(price),
            bids: true,
            bid_delay_blocks: 1,
        }
    }

    /// Whether it can serve `spec` (attributes and auditors) at or below its maximum price.
    pub fn would_bid(&self, spec: &deployment::GroupSpec) -> bool {
        self.bids
            && self.price <= spec.max_price()
            && spec.attributes.iter().all(|a| self.attributes.contains(a))
            && spec.signed_by_all.iter().all(|a| self.auditors.contains(a))
            && (spec.signed_by_any.is_empty() || spec.signed_by_any.iter().any(|a| self.auditors.contains(a)))
    }

    pub fn json(&self) -> Value {
        json!({
            "owner": self.address,
            "host_uri": self.host_uri,
            "attributes": deployment::attributes_json(&self.attributes),
            "info": {"email": "", "website": ""},
        })
    }
}

/// A non-negative decimal ("1.5") as atomics; panics on a malformed value (test settings).
pub fn parse_dec(s: &str) -> u128 {
    let d = ic_akash::rest::Dec::parse(s).unwrap_or_else(|e| panic!("not a decimal {s:?}: {e:?}"));
    u128::try_from(d.atomics).unwrap_or_else(|_| panic!("negative price {s:?}"))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketState {
    pub orders: BTreeMap<OrderId, Order>,
    pub bids: BTreeMap<BidId, Bid>,
    pub leases: BTreeMap<BidId, Lease>,
    /// Address → provider.
    pub providers: BTreeMap<String, Provider>,
    pub bid_timeout_blocks: u64,
}

impl Default for MarketState {
    fn default() -> Self {
        MarketState {
            orders: BTreeMap::new(),
            bids: BTreeMap::new(),
            leases: BTreeMap::new(),
            providers: BTreeMap::new(),
            bid_timeout_blocks: DEFAULT_BID_TIMEOUT_BLOCKS,
        }
    }
}

pub fn create_order(state: &mut State, id: &OrderId, height: u64) {
    state.market.orders.insert(id.clone(), Order { state: OrderState::Open, created_at: height });
}

fn group_of<'a>(state: &'a State, o: &OrderId) -> Option<&'a deployment::Group> {
    state.deployments.groups.get(&(o.owner.clone(), o.dseq, o.gseq))
}

/// Open orders whose group is open and deployment active.
fn biddable_orders(state: &State) -> impl Iterator<Item = (&OrderId, &Order, &deployment::Group)> {
    state.market.orders.iter().filter(|(_, o)| o.state == OrderState::Open).filter_map(move |(id, o)| {
        let g = group_of(state, id)?;
        let active = state.deployments.deployments.get(&(id.owner.clone(), id.dseq)).is_some_and(|d| d.state == DeploymentState::Active);
        (g.state == GroupState::Open && active).then_some((id, o, g))
    })
}

/// EndBlocker part: bid timeouts, then the providers' new bids.
pub fn end_block(state: &mut State, height: u64, events: &mut Vec<Event>) {
    let timeout = state.market.bid_timeout_blocks;
    for (id, b) in state.market.bids.iter_mut() {
        if b.state == BidState::Open && b.created_at + timeout <= height {
            b.state = BidState::Closed;
            events.push(Event::new("akash.market.v1.EventBidClosed", &[("id", &id.json().to_string())]));
        }
    }
    let mut new_bids = Vec::new();
    for (oid, o, g) in biddable_orders(state) {
        for p in state.market.providers.values() {
            let id = oid.bid(&p.address);
            if o.created_at + p.bid_delay_blocks.max(1) <= height && !state.market.bids.contains_key(&id) && p.would_bid(&g.spec) {
                new_bids.push((id, p.price));
            }
        }
    }
    for (id, price) in new_bids {
        let denom = escrow::DEPLOYMENT_DENOM.to_string();
        events.push(Event::new(
            "akash.market.v1.EventBidCreated",
            &[("id", &id.json().to_string()), ("price", &escrow::dec_coin_json(price, &denom).to_string())],
        ));
        state.market.bids.insert(id, Bid { state: BidState::Open, denom, price, created_at: height });
    }
}

/// The next height after `height` at which a bid times out or a provider bids.
pub fn next_event(state: &State, height: u64) -> Option<u64> {
    let timeout = state.market.bid_timeout_blocks;
    let timeouts = state.market.bids.values().filter(|b| b.state == BidState::Open).map(|b| b.created_at + timeout);
    let mut bids = Vec::new();
    for (oid, o, g) in biddable_orders(state) {
        for p in state.market.providers.values() {
            if !state.market.bids.contains_key(&oid.bid(&p.address)) && p.would_bid(&g.spec) {
                bids.push(o.created_at + p.bid_delay_blocks.max(1));
            }
        }
    }
    timeouts.chain(bids).min().map(|h| h.max(height + 1))
}

/// Closes lease `id` (settled by the caller) with `state` and `reason`: its payment, bid and
/// order close; the group becomes `group_state` (unless `None`).
#[allow(clippy::too_many_arguments)]
pub fn close_lease(
    state: &mut State,
    id: &BidId,
    height: u64,
    lease_state: LeaseState,
    reason: i32,
    payment_status: EscrowStatus,
    group_state: Option<GroupState>,
    events: &mut Vec<Event>,
) {
    let Some(l) = state.market.leases.get_mut(id) else { return };
    if l.state != LeaseState::Active {
        return;
    }
    l.state = lease_state;
    l.closed_on = height;
    l.reason = reason;
    escrow::close_payment(state, id, payment_status);
    if let Some(b) = state.market.bids.get_mut(id) {
        b.state = BidState::Closed;
    }
    let oid = id.order();
    if let Some(o) = state.market.orders.get_mut(&oid) {
        o.state = OrderState::Closed;
    }
    if let Some(gs) = group_state {
        if let Some(g) = state.deployments.groups.get_mut(&(id.owner.clone(), id.dseq, id.gseq)) {
            if g.state == GroupState::Open {
                g.state = gs;
            }
        }
    }
    events.push(Event::new(
        "akash.market.v1.EventLeaseClosed",
        &[("id", &id.json().to_string()), ("reason", &json!(reason_name(reason)).to_string())],
    ));
}

/// Closes every lease, bid and order of a deployment (for its closing).
#[allow(clippy::too_many_arguments)]
pub fn close_all_of_deployment(
    state: &mut State,
    owner: &str,
    dseq: u64,
    height: u64,
    lease_state: LeaseState,
    reason: i32,
    payment_status: EscrowStatus,
    events: &mut Vec<Event>,
) {
    let first = BidId::first_of(owner, dseq);
    let leases: Vec<BidId> =
        state.market.leases.range(first.clone()..).take_while(|(id, _)| id.owner == owner && id.dseq == dseq).map(|(id, _)| id.clone()).collect();
    for id in leases {
        close_lease(state, &id, height, lease_state, reason, payment_status, None, events);
    }
    for (_, b) in state.market.bids.range_mut(first..).take_while(|(id, _)| id.owner == owner && id.dseq == dseq) {
        if matches!(b.state, BidState::Open | BidState::Active) {
            b.state = BidState::Closed;
        }
    }
    let ofirst = OrderId { owner: owner.to_string(), dseq, gseq: 0, oseq: 0 };
    for (oid, o) in state.market.orders.range_mut(ofirst..).take_while(|(id, _)| id.owner == owner && id.dseq == dseq) {
        if o.state != OrderState::Closed {
            o.state = OrderState::Closed;
            events.push(Event::new("akash.market.v1.EventOrderClosed", &[("id", &oid.json().to_string())]));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

fn check_bid_id(id: &BidId) -> Result<(), Failure> {
    msgs::check_address("owner", &id.owner)?;
    msgs::check_address("provider", &id.provider)?;
    if id.dseq == 0 || id.gseq == 0 || id.oseq == 0 {
        return Err(Failure::invalid_request("invalid bid id: dseq, gseq and oseq must be positive"));
    }
    Ok(())
}

fn decode_create_lease(value: &[u8]) -> Result<Option<BidId>, Failure> {
    let mut id = None;
    Reader::each(value, "akash.market.v1beta5.MsgCreateLease", true, |f, v| {
        if f != 1 {
            return Ok(false);
        }
        id = Some(decode_bid_id(v.bytes("bid_id")?)?);
        Ok(true)
    })
    .map_err(Failure::parse)?;
    Ok(id)
}

fn decode_close_lease(value: &[u8]) -> Result<(Option<BidId>, i32), Failure> {
    let (mut id, mut reason) = (None, 0);
    Reader::each(value, "akash.market.v1beta5.MsgCloseLease", true, |f, v| {
        match f {
            1 => id = Some(decode_bid_id(v.bytes("id")?)?),
            2 => reason = v.varint("reason")? as i32,
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(Failure::parse)?;
    Ok((id, reason))
}

pub struct MsgCreateLeaseKind;

impl MsgKind for MsgCreateLeaseKind {
    fn type_url(&self) -> &'static str {
        MSG_CREATE_LEASE
    }
    fn module(&self) -> &'static str {
        "market"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let id = decode_create_lease(value)?.ok_or_else(|| Failure::invalid_request("bid id cannot be empty"))?;
        check_bid_id(&id)?;
        Ok(id.owner)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        60_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let id = decode_create_lease(value)?.expect("validated");
        let h = ctx.height;
        let bid = ctx.state.market.bids.get(&id).ok_or_else(|| Failure::new("market", CODE_BID_NOT_FOUND, "unknown bid: bid not found"))?;
        if bid.state != BidState::Open {
            return Err(Failure::new("market", CODE_BID_NOT_OPEN, format!("bid is {}: bid not open", bid.state.name())));
        }
        let (denom, price) = (bid.denom.clone(), bid.price);
        let oid = id.order();
        if ctx.state.market.orders.get(&oid).map(|o| o.state) != Some(OrderState::Open) {
            return Err(Failure::new("market", CODE_ORDER_NOT_OPEN, "order not open"));
        }
        let mut events = Vec::new();
        if deployment::settle(ctx.state, &id.owner, id.dseq, h, &mut events) {
            return Err(Failure::new("escrow", 5, "escrow account overdrawn"));
        }
        for (bid_id, b) in ctx.state.market.bids.range_mut(oid.bid("")..).take_while(|(b, _)| b.order() == oid) {
            if *bid_id == id {
                b.state = BidState::Active;
            } else if b.state == BidState::Open {
                b.state = BidState::Lost;
            }
        }
        ctx.state.market.orders.get_mut(&oid).expect("checked").state = OrderState::Active;
        ctx.state.market.leases.insert(
            id.clone(),
            Lease { state: LeaseState::Active, denom: denom.clone(), price, created_at: h, closed_on: 0, reason: 0 },
        );
        ctx.state.escrow.payments.insert(
            id.clone(),
            Payment { owner: id.provider.clone(), state: EscrowStatus::Open, denom: denom.clone(), rate: price, balance: 0, withdrawn: 0 },
        );
        ctx.emit(
            "akash.market.v1.EventLeaseCreated",
            &[("id", &id.json().to_string()), ("price", &escrow::dec_coin_json(price, &denom).to_string())],
        );
        ctx.emit("message", &[("sender", &id.owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_create_lease(value) {
            Ok(id) => json!({"bid_id": id.map(|i| i.json())}),
            Err(_) => json!({}),
        }
    }
}

pub struct MsgCloseLeaseKind;

impl MsgKind for MsgCloseLeaseKind {
    fn type_url(&self) -> &'static str {
        MSG_CLOSE_LEASE
    }
    fn module(&self) -> &'static str {
        "market"
    }
    fn validate(&self, value: &[u8]) -> Result<String, Failure> {
        let (id, reason) = decode_close_lease(value)?;
        let id = id.ok_or_else(|| Failure::invalid_request("lease id cannot be empty"))?;
        check_bid_id(&id)?;
        if reason_name(reason) == "lease_closed_invalid" {
            return Err(Failure::new("market", CODE_INVALID_REASON, format!("invalid lease closed reason {reason}")));
        }
        Ok(id.owner)
    }
    fn gas(&self, _value: &[u8]) -> u64 {
        40_000
    }
    fn execute(&self, value: &[u8], ctx: &mut ExecCtx<'_>) -> Result<(), Failure> {
        let (id, reason) = decode_close_lease(value)?;
        let id = id.expect("validated");
        let h = ctx.height;
        if !ctx.state.market.leases.contains_key(&id) {
            return Err(Failure::new("market", CODE_LEASE_NOT_FOUND, "lease not found"));
        }
        let mut events = Vec::new();
        deployment::settle(ctx.state, &id.owner, id.dseq, h, &mut events);
        if ctx.state.market.leases[&id].state != LeaseState::Active {
            return Err(Failure::new("market", CODE_LEASE_NOT_ACTIVE, "lease not active"));
        }
        close_lease(ctx.state, &id, h, LeaseState::Closed, reason, EscrowStatus::Closed, Some(GroupState::Closed), &mut events);
        for mut e in events {
            e.attributes.push(("msg_index".into(), ctx.msg_index.to_string()));
            ctx.events.push(e);
        }
        ctx.emit("message", &[("sender", &id.owner)]);
        Ok(())
    }
    fn json(&self, value: &[u8]) -> Value {
        match decode_close_lease(value) {
            Ok((id, reason)) => json!({"id": id.map(|i| i.json()), "reason": reason_name(reason)}),
            Err(_) => json!({}),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// `QueryBidResponse`: the bid (with the group's resources as its offer); no bid escrow account.
pub fn bid_json(state: &State, id: &BidId, b: &Bid) -> Value {
    let offer: Vec<Value> = group_of(state, &id.order())
        .map(|g| {
            g.spec
                .resources
                .iter()
                .map(|r| json!({"resources": deployment::resources_json(&r.resource).unwrap_or(Value::Null), "count": r.count}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "bid": {
            "id": id.json(),
            "state": b.state.name(),
            "price": escrow::dec_coin_json(b.price, &b.denom),
            "created_at": b.created_at.to_string(),
            "resources_offer": offer,
        },
        "escrow_account": null,
    })
}

/// `QueryLeaseResponse`: the lease and its escrow payment.
pub fn lease_json(state: &State, id: &BidId, l: &Lease) -> Value {
    json!({
        "lease": {
            "id": id.json(),
            "state": l.state.name(),
            "price": escrow::dec_coin_json(l.price, &l.denom),
            "created_at": l.created_at.to_string(),
            "closed_on": l.closed_on.to_string(),
            "reason": reason_name(l.reason),
        },
        "escrow_payment": state.escrow.payments.get(id).map(|p| escrow::payment_json(id, p)),
    })
}

pub fn order_json(state: &State, id: &OrderId, o: &Order) -> Value {
    json!({
        "id": id.json(),
        "state": o.state.name(),
        "spec": group_of(state, id).map(|g| g.spec.json()),
        "created_at": o.created_at.to_string(),
    })
}

/// Whole uact a provider earned (withdrawn from payments) so far.
pub fn provider_earnings(state: &State, provider: &str) -> u128 {
    state.escrow.payments.values().filter(|p| p.owner == provider).map(|p| p.withdrawn).sum()
}

/// Atomics per uact, for callers computing expected amounts.
pub const ATOMICS: u128 = DEC_ONE;
