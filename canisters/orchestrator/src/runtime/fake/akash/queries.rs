//! REST routes of the deployment, market, escrow and provider modules (GET):
//!
//! - `/akash/deployment/v1beta4/deployments/info?id.owner=&id.dseq=` →
//!   `{"deployment":{"id":{"owner","dseq"},"state","hash"(base64),"created_at"},"groups":[{"id":
//!   {"owner","dseq","gseq"},"state","group_spec":{"name","requirements","resources"},"created_at"}],
//!   "escrow_account":{"id":{"scope":"deployment","xid":"{owner}/{dseq}"},"state":{"owner","state",
//!   "transferred":[DecCoin],"settled_at","funds":[DecCoin],"deposits":[{"owner","height","source",
//!   "balance","direct"}]}}}`; unknown: 404 code 5 "deployment not found".
//! - `/akash/deployment/v1beta4/deployments/list?filters.owner=&filters.dseq=&filters.state=`
//!   (`{"deployments":[<info>],"pagination"}`), `/akash/deployment/v1beta4/groups/info?id.owner=&
//!   id.dseq=&id.gseq=` (`{"group"}`).
//! - `/akash/market/v1beta5/orders/list|info`, `/bids/list|info`, `/leases/list|info` with
//!   `filters.{owner,dseq,gseq,oseq,provider,state,bseq}` or `id.{...}`: bids as `{"bid":{"id",
//!   "state","price","created_at","resources_offer"},"escrow_account":null}`, leases as
//!   `{"lease":{"id","state","price","created_at","closed_on","reason"},"escrow_payment":{"id":
//!   {"aid":{"scope","xid"},"xid":"{gseq}/{oseq}/{provider}/{bseq}"},"state":{"owner","state",
//!   "rate","balance","unsettled","withdrawn"}}}`.
//! - `/akash/escrow/v1/types/accounts?xid=&state=` and `/payments?xid=&state=` (xid `{owner}/{dseq}`
//!   or a prefix of it ending at a `/`; `deployment/` in front is accepted too).
//! - `/akash/provider/v1beta4/providers` and `/providers/{owner}` (`{"provider":{"owner",
//!   "host_uri","attributes","info"}}`; unknown: 404 code 5).
//!
//! Lists page with `pagination.limit` (default 100), `pagination.offset` and `pagination.key`
//! (the base64 `next_key` of the previous page); `total` is always the number of matches.

use super::chain::State;
use super::deployment;
use super::escrow;
use super::market::{self, BidId, OrderId};
use super::rest::{error, json_response, not_found, DEFAULT_LIMIT};
use crate::runtime::HttpResponse;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};

fn q<'a>(query: &'a [(String, String)], key: &str) -> &'a str {
    query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn ok(v: Value) -> HttpResponse {
    json_response(200, &v)
}

fn invalid(desc: impl std::fmt::Display) -> HttpResponse {
    error(400, 3, format!("rpc error: code = InvalidArgument desc = {desc}: invalid request"))
}

/// Whether a path is one of these routes (for the 501 "Method Not Allowed" of other methods).
pub fn route_exists(segs: &[&str]) -> bool {
    matches!(
        segs,
        ["akash", "deployment", "v1beta4", "deployments", "info" | "list"]
            | ["akash", "deployment", "v1beta4", "groups", "info"]
            | ["akash", "market", "v1beta5", "orders" | "bids" | "leases", "info" | "list"]
            | ["akash", "escrow", "v1", "types", "accounts" | "payments"]
            | ["akash", "provider", "v1beta4", "providers"]
            | ["akash", "provider", "v1beta4", "providers", _]
    )
}

/// Serves a GET on these routes against `state`; `None` for other paths.
pub fn serve(state: &State, segs: &[&str], query: &[(String, String)]) -> Option<HttpResponse> {
    let r = match segs {
        ["akash", "deployment", "v1beta4", "deployments", "info"] => deployment_info(state, query),
        ["akash", "deployment", "v1beta4", "deployments", "list"] => deployments_list(state, query),
        ["akash", "deployment", "v1beta4", "groups", "info"] => group_info(state, query),
        ["akash", "market", "v1beta5", "orders", "list"] => orders(state, query, true),
        ["akash", "market", "v1beta5", "orders", "info"] => orders(state, query, false),
        ["akash", "market", "v1beta5", "bids", "list"] => bids(state, query, true),
        ["akash", "market", "v1beta5", "bids", "info"] => bids(state, query, false),
        ["akash", "market", "v1beta5", "leases", "list"] => leases(state, query, true),
        ["akash", "market", "v1beta5", "leases", "info"] => leases(state, query, false),
        ["akash", "escrow", "v1", "types", "accounts"] => escrow_accounts(state, query),
        ["akash", "escrow", "v1", "types", "payments"] => escrow_payments(state, query),
        ["akash", "provider", "v1beta4", "providers"] => {
            let all: Vec<Value> = state.market.providers.values().map(|p| p.json()).collect();
            page(query, all, "providers")
        }
        ["akash", "provider", "v1beta4", "providers", owner] => match state.market.providers.get(*owner) {
            Some(p) => ok(json!({"provider": p.json()})),
            None if ic_akash::address::validate(owner).is_err() => invalid(format!("invalid provider address {owner}")),
            None => not_found("invalid provider: address not found"),
        },
        _ => return None,
    };
    Some(r)
}

/// One page of `all` under `field`, with `pagination`.
fn page(query: &[(String, String)], all: Vec<Value>, field: &str) -> HttpResponse {
    let limit = match q(query, "pagination.limit") {
        "" | "0" => DEFAULT_LIMIT,
        l => match l.parse::<usize>() {
            Ok(l) => l,
            Err(_) => return error(400, 3, "proto: invalid value for uint64 field limit"),
        },
    };
    let start = match q(query, "pagination.key") {
        "" => match q(query, "pagination.offset") {
            "" => 0,
            o => match o.parse::<usize>() {
                Ok(o) => o,
                Err(_) => return error(400, 3, "proto: invalid value for uint64 field offset"),
            },
        },
        k => match B64.decode(k).ok().and_then(|b| String::from_utf8(b).ok()).and_then(|s| s.parse::<usize>().ok()) {
            Some(i) => i,
            None => return invalid("invalid pagination key"),
        },
    };
    let total = all.len();
    let end = start.saturating_add(limit).min(total);
    let items: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
    let next_key = (end < total).then(|| B64.encode(end.to_string()));
    ok(json!({field: items, "pagination": {"next_key": next_key, "total": total.to_string()}}))
}

/// Parsed `prefix.{owner,dseq,gseq,oseq,provider,bseq,state}` values (empty / 0 when absent).
struct Filter {
    owner: String,
    dseq: u64,
    gseq: u32,
    oseq: u32,
    provider: String,
    bseq: Option<u32>,
    state: String,
}

fn filter(query: &[(String, String)], prefix: &str) -> Result<Filter, HttpResponse> {
    fn num<T: std::str::FromStr>(query: &[(String, String)], key: &str) -> Result<Option<T>, HttpResponse> {
        match q(query, key) {
            "" => Ok(None),
            v => v.parse::<T>().map(Some).map_err(|_| error(400, 3, format!("strconv.ParseUint: parsing {v:?}: invalid syntax"))),
        }
    }
    let owner = q(query, &format!("{prefix}.owner")).to_string();
    let provider = q(query, &format!("{prefix}.provider")).to_string();
    for a in [&owner, &provider] {
        if !a.is_empty() {
            if let Err(e) = ic_akash::address::validate(a) {
                return Err(invalid(format!("decoding bech32 failed: {e}")));
            }
        }
    }
    Ok(Filter {
        owner,
        dseq: num(query, &format!("{prefix}.dseq"))?.unwrap_or(0),
        gseq: num(query, &format!("{prefix}.gseq"))?.unwrap_or(0),
        oseq: num(query, &format!("{prefix}.oseq"))?.unwrap_or(0),
        provider,
        bseq: num(query, &format!("{prefix}.bseq"))?,
        state: q(query, &format!("{prefix}.state")).to_string(),
    })
}

impl Filter {
    fn matches_order(&self, o: &OrderId) -> bool {
        (self.owner.is_empty() || self.owner == o.owner)
            && (self.dseq == 0 || self.dseq == o.dseq)
            && (self.gseq == 0 || self.gseq == o.gseq)
            && (self.oseq == 0 || self.oseq == o.oseq)
    }

    fn matches_bid(&self, b: &BidId) -> bool {
        self.matches_order(&b.order())
            && (self.provider.is_empty() || self.provider == b.provider)
            && self.bseq.is_none_or(|s| s == b.bseq)
    }

    fn check_state(&self, names: &[&str]) -> Result<(), HttpResponse> {
        if self.state.is_empty() || names.contains(&self.state.as_str()) {
            Ok(())
        } else {
            Err(invalid(format!("invalid state value: {}", self.state)))
        }
    }

    /// An `id.*` lookup needs every part.
    fn check_full_id(&self, with_provider: bool) -> Result<(), HttpResponse> {
        if self.owner.is_empty() || self.dseq == 0 || self.gseq == 0 || self.oseq == 0 || (with_provider && self.provider.is_empty()) {
            return Err(invalid("empty request"));
        }
        Ok(())
    }
}

fn deployment_json(state: &State, owner: &str, dseq: u64) -> Option<Value> {
    let d = state.deployments.deployments.get(&(owner.to_string(), dseq))?;
    Some(json!({
        "deployment": {
            "id": {"owner": d.owner, "dseq": d.dseq.to_string()},
            "state": d.state.name(),
            "hash": B64.encode(&d.hash),
            "created_at": d.created_at.to_string(),
        },
        "groups": state.deployments.groups_of(owner, dseq).into_iter().map(deployment::Group::json).collect::<Vec<_>>(),
        "escrow_account": state.escrow.accounts.get(&(owner.to_string(), dseq)).map(escrow::account_json),
    }))
}

fn deployment_info(state: &State, query: &[(String, String)]) -> HttpResponse {
    let f = match filter(query, "id") {
        Ok(f) => f,
        Err(r) => return r,
    };
    if f.owner.is_empty() || f.dseq == 0 {
        return invalid("empty request");
    }
    match deployment_json(state, &f.owner, f.dseq) {
        Some(v) => ok(v),
        None => not_found("deployment not found"),
    }
}

fn deployments_list(state: &State, query: &[(String, String)]) -> HttpResponse {
    let f = match filter(query, "filters") {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Err(r) = f.check_state(&["active", "closed"]) {
        return r;
    }
    let all: Vec<Value> = state
        .deployments
        .deployments
        .values()
        .filter(|d| (f.owner.is_empty() || d.owner == f.owner) && (f.dseq == 0 || d.dseq == f.dseq))
        .filter(|d| f.state.is_empty() || d.state.name() == f.state)
        .filter_map(|d| deployment_json(state, &d.owner, d.dseq))
        .collect();
    page(query, all, "deployments")
}

fn group_info(state: &State, query: &[(String, String)]) -> HttpResponse {
    let f = match filter(query, "id") {
        Ok(f) => f,
        Err(r) => return r,
    };
    if f.owner.is_empty() || f.dseq == 0 || f.gseq == 0 {
        return invalid("empty request");
    }
    match state.deployments.groups.get(&(f.owner.clone(), f.dseq, f.gseq)) {
        Some(g) => ok(json!({"group": g.json()})),
        None => not_found("group not found"),
    }
}

/// One market table (orders, bids or leases) as the gateway serves it: `info` looks one object
/// up by its full `id.*`, `list` pages those matching `filters.*` and the state filter.
struct MarketTable<'s, K, V> {
    items: &'s std::collections::BTreeMap<K, V>,
    /// Whether an `id.*` lookup needs the provider (bids and leases do).
    by_provider: bool,
    /// The state names the list filter accepts.
    states: &'static [&'static str],
    /// "order", "bid", "lease" (the not-found message).
    singular: &'static str,
    /// "orders", "bids", "leases" (the list field).
    plural: &'static str,
    key: fn(&Filter) -> K,
    matches: fn(&Filter, &K) -> bool,
    state_name: fn(&V) -> &'static str,
    /// The JSON of one object, as `info` answers it.
    info_json: &'s dyn Fn(&K, &V) -> Value,
    /// The JSON of one object, as a list element.
    list_json: &'s dyn Fn(&K, &V) -> Value,
}

fn market_query<K: Ord, V>(t: MarketTable<'_, K, V>, query: &[(String, String)], list: bool) -> HttpResponse {
    let f = match filter(query, if list { "filters" } else { "id" }) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !list {
        if let Err(r) = f.check_full_id(t.by_provider) {
            return r;
        }
        let id = (t.key)(&f);
        return match t.items.get(&id) {
            Some(v) => ok((t.info_json)(&id, v)),
            None => not_found(format!("{} not found", t.singular)),
        };
    }
    if let Err(r) = f.check_state(t.states) {
        return r;
    }
    let all = t
        .items
        .iter()
        .filter(|(id, v)| (t.matches)(&f, id) && (f.state.is_empty() || (t.state_name)(v) == f.state))
        .map(|(id, v)| (t.list_json)(id, v))
        .collect();
    page(query, all, t.plural)
}

fn bid_key(f: &Filter) -> BidId {
    BidId { owner: f.owner.clone(), dseq: f.dseq, gseq: f.gseq, oseq: f.oseq, provider: f.provider.clone(), bseq: f.bseq.unwrap_or(0) }
}

fn orders(state: &State, query: &[(String, String)], list: bool) -> HttpResponse {
    let json = |id: &OrderId, o: &market::Order| market::order_json(state, id, o);
    let t = MarketTable {
        items: &state.market.orders,
        by_provider: false,
        states: &["open", "active", "closed"],
        singular: "order",
        plural: "orders",
        key: |f| OrderId { owner: f.owner.clone(), dseq: f.dseq, gseq: f.gseq, oseq: f.oseq },
        matches: Filter::matches_order,
        state_name: |o| o.state.name(),
        info_json: &|id, o| json!({"order": json(id, o)}),
        list_json: &json,
    };
    market_query(t, query, list)
}

fn bids(state: &State, query: &[(String, String)], list: bool) -> HttpResponse {
    let json = |id: &BidId, b: &market::Bid| market::bid_json(state, id, b);
    let t = MarketTable {
        items: &state.market.bids,
        by_provider: true,
        states: &["open", "active", "lost", "closed"],
        singular: "bid",
        plural: "bids",
        key: bid_key,
        matches: Filter::matches_bid,
        state_name: |b| b.state.name(),
        info_json: &json,
        list_json: &json,
    };
    market_query(t, query, list)
}

fn leases(state: &State, query: &[(String, String)], list: bool) -> HttpResponse {
    let json = |id: &BidId, l: &market::Lease| market::lease_json(state, id, l);
    let t = MarketTable {
        items: &state.market.leases,
        by_provider: true,
        states: &["active", "insufficient_funds", "closed"],
        singular: "lease",
        plural: "leases",
        key: bid_key,
        matches: Filter::matches_bid,
        state_name: |l| l.state.name(),
        info_json: &json,
        list_json: &json,
    };
    market_query(t, query, list)
}

/// Whether account xid `{owner}/{dseq}` matches the query's xid (exact or a `/`-ended prefix).
fn xid_matches(wanted: &str, xid: &str) -> bool {
    let wanted = wanted.strip_prefix("deployment/").unwrap_or(wanted);
    wanted.is_empty() || xid == wanted || (wanted.ends_with('/') && xid.starts_with(wanted)) || xid.starts_with(&format!("{wanted}/"))
}

fn escrow_state_filter(query: &[(String, String)]) -> Result<String, HttpResponse> {
    let s = q(query, "state");
    if s.is_empty() || ["open", "closed", "overdrawn"].contains(&s) {
        Ok(s.to_string())
    } else {
        Err(invalid(format!("invalid state value: {s}")))
    }
}

fn escrow_accounts(state: &State, query: &[(String, String)]) -> HttpResponse {
    let st = match escrow_state_filter(query) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let xid = q(query, "xid");
    let all = state
        .escrow
        .accounts
        .values()
        .filter(|a| xid_matches(xid, &a.xid()) && (st.is_empty() || a.state.name() == st))
        .map(escrow::account_json)
        .collect();
    page(query, all, "accounts")
}

fn escrow_payments(state: &State, query: &[(String, String)]) -> HttpResponse {
    let st = match escrow_state_filter(query) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let xid = q(query, "xid");
    let all = state
        .escrow
        .payments
        .iter()
        .filter(|(id, p)| xid_matches(xid, &format!("{}/{}", id.owner, id.dseq)) && (st.is_empty() || p.state.name() == st))
        .map(|(id, p)| escrow::payment_json(id, p))
        .collect();
    page(query, all, "payments")
}
