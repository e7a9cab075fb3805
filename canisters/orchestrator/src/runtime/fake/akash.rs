//! A simulated Akash chain behind its REST endpoints, serving the canister's HTTPS outcalls in
//! the fake runtime: a deterministic model as strict as a node (Cosmos SDK 0.53 ante handler,
//! CometBFT mempool and cache, blocks every 6 s of virtual time, BME minting at epochs, fee
//! grants and authz grants), with faults per endpoint and an inspection API for tests.
//!
//! ```ignore
//! let sim = AkashSim::new("akashnet-2", &["https://api-a.test", "https://api-b.test"], GENESIS_NANOS).shared();
//! sim.borrow_mut().mint(&addr, 10_000_000, "uakt");
//! runtime.set_http_service(sim.clone());
//! ```
//!
//! Chain: block 1 is at `genesis`, block `h` at `genesis + 6 s × (h - 1)`; blocks due are made
//! lazily at the start of every `serve` (or [`AkashSim::advance_to`]), each taking the whole
//! mempool in arrival order; idle stretches are skipped in O(1). Genesis accounts get account
//! numbers from 10 on, in creation order. Fees: CheckTx needs `ceil(gas_limit × 0.0025)` uakt.
//! Gas: 60_000 + 10 per tx byte (signatures counted as 64 bytes) + per message (send 20_000 +
//! 5_000 per coin, MintACT 45_000, grants 20_000, revokes 10_000); simulation reports the same
//! gas used as the block, with `gas_wanted` = `u64::MAX` (its meter is infinite).
//!
//! Routes (GET unless noted; anything else: 501 `{"code":12,"message":"Not Implemented"}`):
//! - `POST /cosmos/tx/v1beta1/txs` `{"tx_bytes","mode":"BROADCAST_MODE_SYNC"|"..._ASYNC"}` →
//!   `{"tx_response":{"height":"0","txhash","codespace","code","raw_log","gas_wanted","gas_used",...}}`
//!   (CheckTx outcome; 19 with an empty log for bytes in the cache).
//! - `POST /cosmos/tx/v1beta1/simulate` `{"tx_bytes"}` → `{"gas_info":{"gas_wanted","gas_used"},
//!   "result":{"events",...}}`, or 500 `{"code":2,"message":"rpc error: code = Unknown desc = <log>
//!   With gas wanted: '...' and gas used: '...' : unknown request"}`.
//! - `/cosmos/tx/v1beta1/txs/{hash}` → `{"tx","tx_response":{..., "events", "timestamp"}}`; unknown:
//!   404 `{"code":5,"message":"rpc error: code = NotFound desc = tx not found: HASH"}`.
//! - `/cosmos/auth/v1beta1/accounts/{addr}` (BaseAccount; unknown: 404 code 5),
//!   `/cosmos/bank/v1beta1/balances/{addr}[/by_denom?denom=]`,
//!   `/cosmos/base/tendermint/v1beta1/blocks/latest` and `/blocks/{h}` (`block` and `sdk_block`),
//!   `/akash/bme/v1/status`, `/akash/bme/v1/params`, `/akash/bme/v1/ledger?filters.source=&
//!   filters.denom=&filters.to_denom=&filters.status=ledger_record_status_...&pagination.limit=&
//!   pagination.offset=&pagination.reverse=&pagination.key=`,
//!   `/cosmos/feegrant/v1beta1/allowance/{granter}/{grantee}` (missing: 500 code 13
//!   "fee-grant not found: not found"), `/cosmos/authz/v1beta1/grants?granter=&grantee=&
//!   msg_type_url=` (missing with a type URL: 404 code 5), `/akash/deployment/v1beta4/params`.
//!
//! Deployments, the market and escrow ([`deployment`], [`market`], [`escrow`]): deployments with
//! groups, orders and an escrow account funded from a balance or a deposit grant; simulated
//! providers ([`market::Provider`], set with `AkashSim::set_provider`) bid on open orders from the
//! EndBlocker and close unleased bids after `bid_timeout_blocks`; leases pay their provider every
//! block from the escrow (exactly, in 18-decimal atomics; whole units withdrawn); an overdrawn
//! escrow closes the deployment; closing refunds the depositors. Their routes: [`queries`]. Empty
//! blocks are still skipped in O(1): escrow accrual is settled in bulk up to the next block in
//! which something happens by itself (a bid, a bid timeout, an overdraw, a BME epoch).
//!
//! Layout: [`chain`] (state machine, ante handler, blocks), [`msgs`] (the message executor;
//! one file per module: [`bank`], [`bme`], [`feegrant`], [`authz`], [`deployment`], [`market`],
//! [`escrow`]), [`rest`] and [`queries`] (routes and JSON), [`faults`], [`proto`] and [`wire`]
//! (protobuf decoding without code generation).

pub mod authz;
pub mod bank;
pub mod bme;
pub mod chain;
pub mod deployment;
pub mod escrow;
pub mod faults;
pub mod feegrant;
pub mod market;
mod market_api;
pub mod msgs;
pub mod proto;
pub mod queries;
pub mod rest;
pub mod wire;

#[cfg(test)]
mod tests;

pub use chain::{Account, IncludedTx, DENOM_UACT, DENOM_UAKT};
pub use faults::{Behaviour, OneShot};

use super::HttpService;
use crate::runtime::{HttpError, HttpMethod, HttpRequest, HttpResponse};
use bme::{LedgerId, LedgerRecord};
use chain::{module_address, Chain, FEE_COLLECTOR};
use proto::Coin;
use rest::{BroadcastFault, Kind, ReadOpts};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// One REST endpoint (a node) of the simulated chain.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    pub behaviour: Behaviour,
    queue: VecDeque<OneShot>,
    /// The fault chosen for the outcall in progress (taken at replica 0, kept for the others).
    current: Option<OneShot>,
    /// Every response padded to at least this many bytes.
    padding: Option<usize>,
    /// Requests served (one per replica).
    pub requests: u64,
}

/// One request as the simulation saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub endpoint: String,
    pub replica: usize,
    pub method: HttpMethod,
    /// Path and query, as sent.
    pub path: String,
    /// The HTTP status answered, or `None` when the caller got no response.
    pub status: Option<u16>,
}

/// The simulated chain and its endpoints (an [`HttpService`]).
pub struct AkashSim {
    chain: Chain,
    endpoints: Vec<Endpoint>,
    global: VecDeque<OneShot>,
    log: Vec<RequestRecord>,
}

impl AkashSim {
    /// A chain `chain_id` whose block 0 is at `genesis_nanos`, served at `endpoints` (base
    /// URLs such as "https://api-a.test"; a request goes to base + path).
    pub fn new(chain_id: &str, endpoints: &[&str], genesis_nanos: u64) -> Self {
        AkashSim {
            chain: Chain::new(chain_id, genesis_nanos),
            endpoints: endpoints
                .iter()
                .map(|u| Endpoint {
                    base_url: u.trim_end_matches('/').to_string(),
                    behaviour: Behaviour::Healthy,
                    queue: VecDeque::new(),
                    current: None,
                    padding: None,
                    requests: 0,
                })
                .collect(),
            global: VecDeque::new(),
            log: Vec::new(),
        }
    }

    /// Wrapped for `FakeRuntime::set_http_service` (keep a clone to inspect and script it).
    pub fn shared(self) -> Rc<RefCell<AkashSim>> {
        Rc::new(RefCell::new(self))
    }

    // -----------------------------------------------------------------------------------------
    // Time and chain settings

    /// Produces every block due at `now_nanos` (`serve` does this first on every request).
    /// Settings below apply from the next block produced: call this first to pin them to a time.
    pub fn advance_to(&mut self, now_nanos: u64) {
        self.chain.advance_to(now_nanos);
    }

    /// Height of the last block.
    pub fn height(&self) -> u64 {
        self.chain.height
    }

    /// Time of block `height`: genesis + 6 s × height.
    pub fn block_time_nanos(&self, height: u64) -> u64 {
        self.chain.block_time(height)
    }

    pub fn chain_id(&self) -> &str {
        &self.chain.chain_id
    }

    /// Creates `amount` `denom` in `addr` (creating the account, with the next account number,
    /// if needed), as genesis funding does.
    pub fn mint(&mut self, addr: &str, amount: u128, denom: &str) {
        ic_akash::address::validate(addr).expect("mint: not an akash address");
        let coin = Coin::new(amount, denom);
        self.chain.mutate(|s| {
            s.ensure_account(addr);
            s.mint(&module_address(chain::MINT_MODULE), &coin);
            s.move_coins(&module_address(chain::MINT_MODULE), addr, &coin).expect("just minted");
        });
    }

    /// CheckTx's minimum gas price, in uakt per gas: `numerator / denominator` (default
    /// 0.0025 = 25 / 10_000; 0 / 1 turns the check off).
    pub fn set_min_gas_price(&mut self, numerator: u128, denominator: u128) {
        assert!(denominator > 0);
        self.chain.min_gas_price = (numerator, denominator);
    }

    /// The oracle's AKT price in ACT, as an exact fraction (0.6543: `6543, 10_000`): a mint of
    /// `x` uakt yields `floor(x × numerator / denominator)` uact (before the spread). Default 0.6.
    pub fn set_oracle_price(&mut self, numerator: u128, denominator: u128) {
        assert!(denominator > 0);
        let atomics = numerator * bme::DEC_ONE / denominator;
        self.chain.mutate(|s| s.bme.price_atomics = atomics);
    }

    /// Trips or resets the BME circuit breaker: while halted, `MsgMintACT` fails and pending
    /// records stay pending.
    pub fn set_minting_halted(&mut self, halted: bool) {
        self.chain.mutate(|s| s.bme.halted = halted);
    }

    /// Blocks between BME epochs (default 10).
    pub fn set_epoch_blocks(&mut self, blocks: u64) {
        self.chain.mutate(|s| s.bme.epoch_blocks = blocks);
    }

    /// The mint spread in basis points (default 0): the owner receives `minted - spread`.
    pub fn set_mint_spread_bps(&mut self, bps: u32) {
        self.chain.mutate(|s| s.bme.mint_spread_bps = bps);
    }

    /// Smallest uact output of a mint (default 0; mainnet uses 10 ACT): smaller mints are
    /// canceled at the epoch and the AKT refunded.
    pub fn set_min_mint(&mut self, uact: u128) {
        self.chain.mutate(|s| s.bme.min_mint_uact = uact);
    }

    // -----------------------------------------------------------------------------------------
    // Endpoints and faults

    fn endpoint_mut(&mut self, base_url: &str) -> &mut Endpoint {
        let b = base_url.trim_end_matches('/');
        self.endpoints.iter_mut().find(|e| e.base_url == b).unwrap_or_else(|| panic!("no endpoint {base_url}"))
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    pub fn set_behaviour(&mut self, endpoint: &str, behaviour: Behaviour) {
        self.endpoint_mut(endpoint).behaviour = behaviour;
    }

    /// Queues a one-shot fault for the next request to `endpoint` it applies to.
    pub fn push_fault(&mut self, endpoint: &str, fault: OneShot) {
        self.endpoint_mut(endpoint).queue.push_back(fault);
    }

    /// Queues a one-shot fault for the next request to any endpoint it applies to.
    pub fn push_global_fault(&mut self, fault: OneShot) {
        self.global.push_back(fault);
    }

    /// The next `n` requests to `endpoint` answer HTTP 503.
    pub fn fail_next(&mut self, endpoint: &str, n: usize) {
        for _ in 0..n {
            self.push_fault(endpoint, OneShot::ServerError);
        }
    }

    /// Pads every response of `endpoint` (or of all endpoints with `None`) to at least `bytes`
    /// bytes; `bytes: None` stops padding.
    pub fn set_padding(&mut self, endpoint: Option<&str>, bytes: Option<usize>) {
        match endpoint {
            Some(e) => self.endpoint_mut(e).padding = bytes,
            None => self.endpoints.iter_mut().for_each(|e| e.padding = bytes),
        }
    }

    /// Every endpoint healthy, no fault queued, no padding.
    pub fn clear_faults(&mut self) {
        self.global.clear();
        for e in &mut self.endpoints {
            e.behaviour = Behaviour::Healthy;
            e.queue.clear();
            e.current = None;
            e.padding = None;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Inspection (the committed state, whatever the endpoints say)

    pub fn balance(&self, addr: &str, denom: &str) -> u128 {
        self.chain.state().balance(addr, denom)
    }

    pub fn account(&self, addr: &str) -> Option<Account> {
        self.chain.state().accounts.get(addr).cloned()
    }

    /// Every included tx in order (failed ones too).
    pub fn included_txs(&self) -> &[IncludedTx] {
        self.chain.included()
    }

    pub fn tx(&self, hash: &str) -> Option<&IncludedTx> {
        self.chain.tx(hash)
    }

    /// How many times a message (`type_url` + exact `value` bytes) signed by `signer` ran
    /// successfully.
    pub fn executions(&self, signer: &str, type_url: &str, value: &[u8]) -> u32 {
        self.chain.executions(signer, type_url, value)
    }

    pub fn mempool_len(&self) -> usize {
        self.chain.mempool_len()
    }

    /// Hashes of txs that were in the mempool but became invalid before a block took them.
    pub fn dropped_txs(&self) -> &[String] {
        self.chain.dropped()
    }

    /// Every BME ledger record: pending, then executed, then canceled, in key order.
    pub fn ledger_records(&self) -> Vec<(LedgerId, LedgerRecord)> {
        self.chain.state().bme.records()
    }

    pub fn fee_grant(&self, granter: &str, grantee: &str) -> Option<feegrant::Allowance> {
        self.chain.state().fee_grants.get(&(granter.to_string(), grantee.to_string())).cloned()
    }

    pub fn fee_grants(&self) -> Vec<((String, String), feegrant::Allowance)> {
        self.chain.state().fee_grants.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// ((granter, grantee, msg type URL), grant).
    pub fn authz_grants(&self) -> Vec<((String, String, String), authz::Grant)> {
        self.chain.state().authz_grants.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// uakt paid in fees so far (the fee collector's balance).
    pub fn fees_collected(&self) -> u128 {
        self.chain.state().balance(&module_address(FEE_COLLECTOR), DENOM_UAKT)
    }

    /// Total supply of `denom`.
    pub fn supply(&self, denom: &str) -> u128 {
        self.chain.state().supply.get(denom).copied().unwrap_or(0)
    }

    /// Every request served, in order.
    pub fn requests(&self) -> &[RequestRecord] {
        &self.log
    }

    /// Requests that reached `endpoint` (one per replica).
    pub fn requests_to(&self, endpoint: &str) -> u64 {
        let b = endpoint.trim_end_matches('/');
        self.endpoints.iter().find(|e| e.base_url == b).map(|e| e.requests).unwrap_or(0)
    }

    /// Direct access for extensions (new modules' tests).
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    fn route(&self, url: &str) -> Option<(usize, String)> {
        self.endpoints.iter().enumerate().find_map(|(i, e)| {
            let rest = url.strip_prefix(&e.base_url)?;
            if rest.is_empty() {
                Some((i, "/".to_string()))
            } else if rest.starts_with('/') || rest.starts_with('?') {
                Some((i, rest.to_string()))
            } else {
                None
            }
        })
    }
}

impl HttpService for AkashSim {
    fn serve(&mut self, now_nanos: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.advance_to(now_nanos);
        let Some((i, rest_of_url)) = self.route(&request.url) else {
            return Err(HttpError::Unreachable { message: format!("dns error: no such host for {}", request.url) });
        };
        let (path, query) = rest::split_path(&rest_of_url);
        let kind = rest::kind_of(request.method, &path);
        let mut record = RequestRecord {
            endpoint: self.endpoints[i].base_url.clone(),
            replica,
            method: request.method,
            path: rest_of_url.clone(),
            status: None,
        };
        let ep = &mut self.endpoints[i];
        ep.requests += 1;
        // A node that is down or failing answers before anything else: it takes no one-shot.
        let answering = !matches!(ep.behaviour, Behaviour::Down | Behaviour::ServerErrors);
        if replica == 0 && !answering {
            ep.current = None;
        } else if replica == 0 {
            ep.current = match ep.queue.iter().position(|f| f.applies_to(kind)) {
                Some(p) => ep.queue.remove(p),
                None => self.global.iter().position(|f| f.applies_to(kind)).and_then(|p| self.global.remove(p)),
            };
        }
        let (behaviour, fault, padding) = (ep.behaviour, ep.current, ep.padding);
        let result = match (behaviour, fault) {
            (Behaviour::Down, _) => Err(HttpError::Unreachable { message: format!("connection refused: {}", request.url) }),
            (Behaviour::ServerErrors, _) | (_, Some(OneShot::ServerError)) => {
                Ok(HttpResponse { status: 503, body: b"upstream unavailable".to_vec() })
            }
            _ => {
                let opts = ReadOpts {
                    lag: if let Behaviour::Lagging { blocks } = behaviour { blocks } else { 0 },
                    lie: behaviour == Behaviour::Lying,
                };
                let bf = match fault {
                    Some(OneShot::StaleSequence) => BroadcastFault::StaleSequence,
                    Some(OneShot::DropBroadcast) => BroadcastFault::Drop,
                    Some(OneShot::RefusedAtDelivery) => BroadcastFault::RefusedAtDelivery,
                    _ => BroadcastFault::None,
                };
                let mut resp = rest::serve(&mut self.chain, request.method, &path, &query, &request.body, opts, bf);
                if behaviour == Behaviour::Diverging && kind != Kind::Broadcast {
                    resp.body = faults::perturb(&resp.body, replica);
                }
                let pad_to = match fault {
                    Some(OneShot::Pad { bytes }) => Some(bytes.max(padding.unwrap_or(0))),
                    _ => padding,
                };
                if let Some(bytes) = pad_to {
                    resp.body = faults::pad(resp.body, bytes);
                }
                if fault == Some(OneShot::Timeout) {
                    Err(HttpError::Unreachable { message: format!("timed out waiting for {} (the request was served)", request.url) })
                } else {
                    Ok(resp)
                }
            }
        };
        record.status = result.as_ref().ok().map(|r| r.status);
        self.log.push(record);
        result
    }
}
