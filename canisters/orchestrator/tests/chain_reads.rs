//! The orchestrator's deployment and market reads (`client::bids`, `deployment`, `lease`)
//! against the simulated chain: what they parse is what the chain holds, through the transform
//! and the quorum; and the world of `Env::with_market`, where outcalls reach the chain or the
//! simulated providers and proxy.

mod support;

use ic_akash::msgs as cm;
use ic_akash::proto::akash_msgs::Source;
use ic_akash::proto::cosmos::Any;
use ic_akash::rest;
use ic_akash::signer::{now_or_never, LocalSigner, Signer};
use ic_akash::tx::{self, UnsignedTx};
use ic_akash_orchestrator::akash::client::{self, ApiError};
use ic_akash_orchestrator::akash::provider_client::{lease_status, LeaseRef, ProviderError};
use ic_akash_orchestrator::runtime::fake::akash::market::{self, Provider};
use ic_akash_orchestrator::runtime::fake::akash::{AkashSim, Behaviour};
use ic_akash_orchestrator::runtime::fake::provider::{Hop, Outcome};
use ic_akash_orchestrator::runtime::fake::{block_on, HttpService};
use ic_akash_orchestrator::runtime::{HttpError, HttpMethod, HttpRequest, HttpResponse};
use ic_akash_orchestrator_types::ConfigArg;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use support::{provider_pair, user, Env, CHAIN_ID, ENDPOINTS, PROXY};

const DSEQ: u64 = 100;
/// Atomics per uact in decimal amounts.
const ATOM: u128 = market::ATOMICS;

fn web() -> ic_akash::sdl::Sdl {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap();
    ic_akash::sdl::parse(&text).unwrap()
}

/// A deployment owner outside the orchestrator: its own key, 10 AKT for fees and 5 ACT.
fn owner(env: &Env) -> (LocalSigner, String) {
    let key = LocalSigner::from_bytes(&[7; 32]).unwrap();
    let address = ic_akash::address::address_of(&key.public_key());
    env.sim().mint(&address, 10_000_000, "uakt");
    env.sim().mint(&address, 5_000_000, "uact");
    (key, address)
}

/// Moves virtual time (and so the chain) one block on.
fn next_block(env: &Env) {
    env.rt.advance_secs(6);
    let now = env.now();
    env.sim().advance_to(now);
}

/// Signs `msgs` with `key`, broadcasts them straight to the chain and includes them in the next
/// block; returns the height they ran at.
fn submit(env: &Env, key: &LocalSigner, msgs: Vec<Any>) -> u64 {
    let address = ic_akash::address::address_of(&key.public_key());
    let acc = env.sim().account(&address).expect("funded");
    let unsigned = UnsignedTx {
        messages: msgs,
        memo: String::new(),
        timeout_height: 0,
        timeout_timestamp_secs: None,
        public_key: key.public_key(),
        sequence: acc.sequence,
        account_number: acc.account_number,
        chain_id: CHAIN_ID.into(),
        fee: vec![cm::coin(500, "uakt")],
        gas_limit: 200_000,
        fee_payer: None,
        fee_granter: None,
    };
    let signed = now_or_never(tx::sign(key, &unsigned)).unwrap().unwrap();
    let request = HttpRequest {
        url: format!("{}/cosmos/tx/v1beta1/txs", ENDPOINTS[0]),
        method: HttpMethod::Post,
        headers: vec![],
        body: rest::broadcast_request_body(&signed.tx_raw),
        max_response_bytes: 100_000,
        replicated: false,
        transform_context: vec![],
    };
    let now = env.now();
    let r = env.sim().serve(now, 0, &request).unwrap();
    assert_eq!(rest::parse_broadcast(&r.body).unwrap().code, 0, "{}", String::from_utf8_lossy(&r.body));
    next_block(env);
    let included = env.sim().tx(&signed.hash()).cloned().expect("included");
    assert_eq!(included.code, 0, "{:?}", included);
    included.height
}

fn create_deployment(env: &Env, key: &LocalSigner, owner: &str, dseq: u64) -> u64 {
    let sdl = web();
    let msg = cm::create_deployment(owner, dseq, sdl.groups(), sdl.version(), &cm::coin(1_000_000, "uact"), &[Source::Balance]).unwrap();
    submit(env, key, vec![msg])
}

fn core_id(b: &rest::BidId) -> ic_akash::proto::akash_msgs::BidId {
    ic_akash::proto::akash_msgs::BidId {
        owner: b.owner.clone(),
        dseq: b.dseq,
        gseq: b.gseq,
        oseq: b.oseq,
        provider: b.provider.clone(),
        bseq: b.bseq,
    }
}

fn sim_id(b: &rest::BidId) -> market::BidId {
    market::BidId::from_core(&core_id(b))
}

fn bids(env: &Env, owner: &str, dseq: u64) -> Vec<rest::Bid> {
    block_on(client::bids(&env.o, owner, dseq)).unwrap()
}

fn deployment(env: &Env, owner: &str, dseq: u64) -> Option<rest::DeploymentInfo> {
    block_on(client::deployment(&env.o, owner, dseq)).unwrap()
}

fn lease(env: &Env, id: &rest::BidId) -> Option<rest::Lease> {
    block_on(client::lease(&env.o, id)).unwrap()
}

/// The deployment's escrow as the chain holds it: (funds, transferred, settled_at) in atomics.
fn escrow_on_chain(env: &Env, owner: &str, dseq: u64) -> (i128, i128, u64) {
    let acc = env.sim().escrow_account(owner, dseq).unwrap();
    (acc.funds as i128, acc.transferred as i128, acc.settled_at)
}

fn escrow_read(d: &rest::DeploymentInfo) -> (i128, i128, u64) {
    let e = d.escrow_account.as_ref().expect("an escrow account");
    assert_eq!((e.funds.len(), e.transferred.len(), e.funds[0].denom.as_str()), (1, 1, "uact"));
    (e.funds[0].amount.atomics, e.transferred[0].amount.atomics, e.settled_at)
}

#[test]
fn bids_deployment_and_lease_reads_are_what_the_chain_holds() {
    let env = Env::with_chain(ConfigArg::default());
    let (cheap, _) = provider_pair(1, "1.5");
    let (dear, _) = provider_pair(2, "2.25");
    let mut silent = provider_pair(3, "0.5").0;
    silent.bids = false;
    for p in [&cheap, &dear, &silent] {
        env.sim().set_provider(p.clone());
    }
    let (key, owner) = owner(&env);

    // Nothing yet: no deployment, no bids, no lease.
    assert_eq!(deployment(&env, &owner, DSEQ), None);
    assert!(bids(&env, &owner, DSEQ).is_empty());
    let absent = rest::BidId { owner: owner.clone(), dseq: DSEQ, gseq: 1, oseq: 1, provider: cheap.address.clone(), bseq: 0 };
    assert_eq!(lease(&env, &absent), None);

    let created = create_deployment(&env, &key, &owner, DSEQ);
    let d = deployment(&env, &owner, DSEQ).expect("created");
    assert_eq!((d.owner.as_str(), d.dseq, d.state.as_str(), d.created_at), (owner.as_str(), DSEQ, "active", created));
    assert_eq!(d.hash, web().version().to_vec());
    let groups: Vec<(u32, String, String)> = d.groups.iter().map(|g| (g.gseq, g.state.clone(), g.name.clone())).collect();
    assert_eq!(groups, vec![(1, "open".to_string(), "dcloud".to_string())]);
    assert_eq!(escrow_read(&d), escrow_on_chain(&env, &owner, DSEQ));
    assert_eq!(escrow_read(&d).0, (1_000_000 * ATOM) as i128);
    let e = d.escrow_account.as_ref().unwrap();
    assert_eq!((e.xid.clone(), e.state.as_str(), e.deposits.len()), (format!("{owner}/{DSEQ}"), "open", 1));
    assert!(bids(&env, &owner, DSEQ).is_empty(), "no bid in the creation block");

    // The providers bid the block after: two bids, the silent provider never.
    next_block(&env);
    let got = bids(&env, &owner, DSEQ);
    let mut read: Vec<(String, u32, u32, u32, String, i128, u64)> = got
        .iter()
        .map(|b| (b.id.provider.clone(), b.id.gseq, b.id.oseq, b.id.bseq, b.price.denom.clone(), b.price.amount.atomics, b.created_at))
        .collect();
    let mut held: Vec<(String, u32, u32, u32, String, i128, u64)> = env
        .sim()
        .bids(&owner, DSEQ)
        .into_iter()
        .map(|(id, b)| (id.provider, id.gseq, id.oseq, id.bseq, b.denom, b.price as i128, b.created_at))
        .collect();
    read.sort();
    held.sort();
    assert_eq!(read, held);
    assert_eq!(read.len(), 2);
    let prices: Vec<(&str, i128)> = got.iter().map(|b| (b.id.provider.as_str(), b.price.amount.atomics)).collect();
    assert!(prices.contains(&(cheap.address.as_str(), (15 * ATOM / 10) as i128)), "{prices:?}");
    assert!(prices.contains(&(dear.address.as_str(), (225 * ATOM / 100) as i128)), "{prices:?}");
    assert!(got.iter().all(|b| b.state == "open" && b.resources_offer.len() == 1 && b.resources_offer[0].cpu_millis == 500));

    // Lease the cheapest: the other bid is lost, so no longer open.
    let chosen = got.iter().find(|b| b.id.provider == cheap.address).unwrap().id.clone();
    let leased_at = submit(&env, &key, vec![cm::create_lease(&core_id(&chosen)).unwrap()]);
    assert!(bids(&env, &owner, DSEQ).is_empty(), "only open bids are listed");
    for _ in 0..5 {
        next_block(&env);
    }
    let l = lease(&env, &chosen).expect("leased");
    let held = env.sim().lease(&sim_id(&chosen)).unwrap();
    assert_eq!(l.id, chosen);
    assert_eq!((l.state.as_str(), l.created_at, l.closed_on, l.reason.as_str()), ("active", leased_at, 0, "lease_closed_invalid"));
    assert_eq!((l.price.denom.as_str(), l.price.amount.atomics), (held.denom.as_str(), held.price as i128));
    let p = l.escrow_payment.clone().expect("a payment");
    let payment = env.sim().payment(&sim_id(&chosen)).unwrap();
    assert_eq!((p.state.as_str(), p.owner.as_str()), ("open", cheap.address.as_str()));
    assert_eq!(p.withdrawn.unwrap().amount, payment.withdrawn);
    assert_eq!(p.balance.unwrap().amount.atomics, payment.balance as i128);
    // The escrow has paid for the blocks since the lease, exactly as the chain says.
    let d = deployment(&env, &owner, DSEQ).unwrap();
    assert_eq!(escrow_read(&d), escrow_on_chain(&env, &owner, DSEQ));
    assert!(escrow_read(&d).1 > 0, "something was transferred");

    // A lease id the chain does not know.
    let mut other = chosen.clone();
    other.gseq = 2;
    assert_eq!(lease(&env, &other), None);
    assert_eq!(deployment(&env, &owner, DSEQ + 1), None);

    // The provider closes the lease: state and reason as the chain wrote them.
    assert!(env.sim().provider_close_lease(&sim_id(&chosen), market::REASON_UNSTABLE));
    let closed_on = env.sim().lease(&sim_id(&chosen)).unwrap().closed_on;
    let l = lease(&env, &chosen).unwrap();
    assert_eq!((l.state.as_str(), l.closed_on, l.reason.as_str()), ("closed", closed_on, "lease_closed_reason_unstable"));
    assert_eq!(l.escrow_payment.unwrap().state, "closed");
    let d = deployment(&env, &owner, DSEQ).unwrap();
    assert_eq!((d.state.as_str(), d.groups[0].state.as_str()), ("active", "paused"));
    assert_eq!(escrow_read(&d), escrow_on_chain(&env, &owner, DSEQ));

    // Each read is counted under its own kind.
    let stats = env.o.http_stats.borrow();
    for kind in [client::CallKind::Bids, client::CallKind::Deployment, client::CallKind::Lease] {
        assert!(stats.get(kind).calls > 0, "{kind}");
        assert_eq!(stats.get(kind).errors, 0, "{kind}");
    }
}

/// The chain's endpoints, but `liar` also lies about deployments and leases (the simulated
/// chain's `Behaviour::Lying` covers balances, sequences, txs and ledger records): more escrow
/// funds and an active lease where there are not, and a deployment where there is none.
struct Liar {
    sim: Rc<RefCell<AkashSim>>,
    liar: &'static str,
    /// Outcalls (replica 0) the liar answered with a lie.
    lies: u32,
}

impl HttpService for Liar {
    fn serve(&mut self, now: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut r = self.sim.borrow_mut().serve(now, replica, request)?;
        let path = request.url.strip_prefix(self.liar).unwrap_or("");
        let deployment = path.starts_with("/akash/deployment/v1beta4/deployments/info");
        let lease = path.starts_with("/akash/market/v1beta5/leases/info");
        if !(deployment || lease) {
            return Ok(r);
        }
        let mut v: Value = serde_json::from_slice(&r.body).unwrap();
        if r.status == 404 && deployment {
            v = serde_json::json!({"deployment": {"id": {"owner": "akash1x", "dseq": "1"}, "state": "active", "hash": "", "created_at": "1"}, "groups": [], "escrow_account": null});
        } else if r.status == 404 {
            return Ok(r);
        } else if deployment {
            v["escrow_account"]["state"]["funds"][0]["amount"] = Value::String("999999999.000000000000000000".into());
        } else {
            v["lease"]["state"] = Value::String("active".into());
            v["lease"]["reason"] = Value::String("lease_closed_invalid".into());
        }
        if replica == 0 {
            self.lies += 1;
        }
        r.status = 200;
        r.body = serde_json::to_vec(&v).unwrap();
        Ok(r)
    }
}

/// A quorum read of `kind` that found no quorum.
fn no_quorum(e: &ApiError, kind: client::CallKind) -> bool {
    match e {
        ApiError::Disagreement { kind: k, .. } => *k == kind,
        ApiError::Unavailable { kind: k, reason } => *k == kind && reason.contains("of the 3 needed"),
        ApiError::Chain(_) => false,
    }
}

#[test]
fn a_lying_endpoint_cannot_make_the_quorum_reads_wrong() {
    let env = Env::with_chain(ConfigArg::default());
    let (p, _) = provider_pair(1, "1");
    env.sim().set_provider(p.clone());
    let (key, owner) = owner(&env);
    create_deployment(&env, &key, &owner, DSEQ);
    next_block(&env);
    let bid = bids(&env, &owner, DSEQ)[0].id.clone();
    submit(&env, &key, vec![cm::create_lease(&core_id(&bid)).unwrap()]);
    next_block(&env);
    assert!(env.sim().provider_close_lease(&sim_id(&bid), market::REASON_UNSTABLE));

    // The truth, while every endpoint is honest.
    let truth = deployment(&env, &owner, DSEQ).unwrap();
    let closed = lease(&env, &bid).unwrap();
    assert_eq!(closed.state, "closed");

    let sim = env.chain.clone().unwrap();
    sim.borrow_mut().set_behaviour(ENDPOINTS[0], Behaviour::Lying);
    let liar = Rc::new(RefCell::new(Liar { sim, liar: ENDPOINTS[0], lies: 0 }));
    env.rt.set_http_service(liar.clone());
    // Calls start at each endpoint in turn: three of each ask the liar first at least once.
    for _ in 0..3 {
        assert_eq!(deployment(&env, &owner, DSEQ).as_ref(), Some(&truth));
        assert_eq!(deployment(&env, &owner, DSEQ + 1), None, "a deployment only the liar knows");
        assert_eq!(lease(&env, &bid).as_ref(), Some(&closed));
    }
    assert!(liar.borrow().lies >= 3, "the liar was asked and lied ({})", liar.borrow().lies);

    // With the quorum at 3, the liar leaves no agreement: an error, never its answer.
    let quorum_3 = ConfigArg { akash_read_quorum: Some(3), ..Default::default() };
    ic_akash_orchestrator::lifecycle::set_config(&env.o, env.rt.controller(), quorum_3).unwrap();
    // (Asked first, the liar's answer and one other already leave no three alike: the client stops there.)
    for _ in 0..3 {
        let e = block_on(client::deployment(&env.o, &owner, DSEQ)).unwrap_err();
        assert!(no_quorum(&e, client::CallKind::Deployment), "{e:?}");
        let e = block_on(client::lease(&env.o, &bid)).unwrap_err();
        assert!(no_quorum(&e, client::CallKind::Lease), "{e:?}");
    }
}

#[test]
fn with_market_routes_chain_reads_to_the_chain_and_provider_requests_to_the_providers() {
    let pairs = vec![provider_pair(1, "1.5"), provider_pair(2, "2")];
    let specs: Vec<_> = pairs.iter().map(|(_, s)| s.clone()).collect();
    let mut env = Env::with_market(ConfigArg::default(), pairs);
    assert_eq!(env.o.read(|s| s.config().provider_proxy_url.clone()), PROXY);
    assert_eq!(env.providers().proxy_base(), PROXY);
    for s in &specs {
        assert_ne!(s.address, support::dest(1));
        let info = block_on(client::provider(&env.o, &s.address)).unwrap().expect("registered on chain");
        assert_eq!(info.host_uri, s.host_uri);
        assert_eq!(env.sim().provider(&s.address).unwrap().host_uri, s.host_uri);
    }

    // A lease that does not exist, asked through the proxy: the provider answers (the owner
    // has no key on chain yet, so its token is refused), nothing is unreachable.
    let lease = LeaseRef {
        owner: user(1),
        provider: specs[0].address.clone(),
        host_uri: specs[0].host_uri.clone(),
        dseq: 77,
        gseq: 1,
        oseq: 1,
        services: vec!["web".into()],
    };
    let r = block_on(lease_status(&env.o, &lease));
    assert!(matches!(r, Err(ProviderError::Refused { status: 401, .. })), "{r:?}");
    let log = env.providers().log().to_vec();
    assert!(log.iter().any(|e| e.hop == Hop::ProxyEnvelope && e.outcome == Outcome::Status(401)), "{log:?}");
    assert!(log.iter().any(|e| matches!(e.hop, Hop::ProxyToProvider { .. }) && e.provider.as_deref() == Some(specs[0].address.as_str())));

    // An upgrade keeps the world; a config without the proxy goes to the provider directly.
    let direct = ConfigArg { provider_proxy_url: Some(String::new()), ..Default::default() };
    env.upgrade(Some(ic_akash_orchestrator_types::OrchestratorArg::Upgrade(Some(direct))));
    env.providers().clear_log();
    assert_eq!(block_on(client::provider(&env.o, &specs[1].address)).unwrap().unwrap().host_uri, specs[1].host_uri);
    let r = block_on(lease_status(&env.o, &lease));
    assert!(matches!(r, Err(ProviderError::Refused { status: 401, .. })), "{r:?}");
    assert!(env.providers().log().iter().all(|e| e.hop == Hop::Direct), "{:?}", env.providers().log());

    // A provider the world does not serve is not routed to the chain.
    let mut unknown = lease.clone();
    unknown.host_uri = "https://provider-9.test:8443".into();
    let r = block_on(lease_status(&env.o, &unknown));
    assert!(matches!(&r, Err(ProviderError::Unreachable { reason }) if reason.contains("no such host")), "{r:?}");
}

#[test]
fn provider_pairs_are_valid_distinct_and_never_a_withdrawal_destination() {
    let pairs: Vec<(Provider, _)> = (0..=255u8).map(|n| provider_pair(n, "1")).collect();
    // (`dest` takes 1..=254: 32 bytes of 255 are no key.)
    let dests: std::collections::BTreeSet<String> = (1..=254u8).map(support::dest).collect();
    let mut seen = std::collections::BTreeSet::new();
    for (n, (chain, spec)) in pairs.iter().enumerate() {
        ic_akash::address::validate(&chain.address).unwrap();
        assert_eq!((chain.address.as_str(), chain.host_uri.as_str()), (spec.address.as_str(), spec.host_uri.as_str()));
        assert_eq!(spec.host_uri, format!("https://provider-{n}.test:8443"));
        assert!(!dests.contains(&chain.address));
        assert!(seen.insert(chain.address.clone()));
        assert_eq!(chain.price, market::parse_dec("1"));
    }
}
