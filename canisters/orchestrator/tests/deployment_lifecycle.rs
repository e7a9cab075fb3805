//! Deployments end to end in the native simulation: the orchestrator's own code against the
//! simulated Akash chain (market, escrow, BME) and simulated providers behind the Akash Console
//! proxy, in virtual time. After every 6-second step the books balance (AKT and ACT, reservations,
//! escrows and fees against the funds received) and the chain agrees with them.

mod support;

use candid::Principal;
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::runtime::fake::akash::market::REASON_UNSTABLE;
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::simulation;
use ic_akash_orchestrator::runtime::fake::provider::{Behaviour, Certificate};
use ic_akash_orchestrator_types::{
    Attribute, AutoTopUp, Change, ConfigArg, CreateDeploymentArg, DeploymentEvent, DeploymentState, DeploymentView, Error,
    GetDeploymentHistoryArg, GetProviderTokenArg, ListDeploymentsArg, MintActArg, ProviderPolicy, UpdateDeploymentArg,
};
use support::{is_active, is_ended, provider_pair, user, Env};

fn web_sdl() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap()
}

const DEPOSIT_UACT: u64 = 5_000_000;

/// Checks the books after a step (the state's invariants: AKT and ACT held, reserved, in
/// escrow, spent and paid in fees add up to what was received), and, when no message is between
/// the chain and the books (none pending, no escrow closed on chain and not yet read back), that
/// the chain agrees: the treasury's ACT is what the books say is held or set aside, and each open
/// escrow holds exactly what the books deposited.
fn check(env: &Env) {
    env.check();
    simulation::check_escrows(&env.o, &env.sim()).unwrap_or_else(|e| panic!("{e}"));
}

fn step(env: &Env) {
    env.run_for(6);
    check(env);
}

fn view(env: &Env, owner: Principal, id: u64) -> DeploymentView {
    env.deployment(owner, id)
}

/// Steps (with this file's checks) until `pred` holds for the deployment, or panics after `max_secs`.
fn run_until(env: &Env, owner: Principal, id: u64, max_secs: u64, pred: impl Fn(&DeploymentView) -> bool) -> DeploymentView {
    env.run_deployment_until(owner, id, max_secs, step, pred)
}

/// `owner` holds AKT and `act` uact of ACT (minted through the chain's BME).
fn fund_owner(env: &Env, owner: Principal, act_akt: u64) {
    env.credit_akt(owner, 20);
    if act_akt > 0 {
        block_on(mint_act(&env.o, owner, MintActArg { amount_uakt: act_akt * 1_000_000, owner: None })).unwrap();
        for _ in 0..100 {
            if env.o.read(|s| s.balance(&owner).act_uact) > 0 {
                break;
            }
            step(env);
        }
        assert!(env.o.read(|s| s.balance(&owner).act_uact) > 0, "ACT minted");
    }
}

fn create(env: &Env, owner: Principal, arg: CreateDeploymentArg) -> u64 {
    block_on(deployments::create_deployment(&env.o, owner, arg)).unwrap()
}

fn basic(sdl: String) -> CreateDeploymentArg {
    CreateDeploymentArg { sdl, deposit_uact: DEPOSIT_UACT, ..Default::default() }
}

fn history(env: &Env, owner: Principal, id: u64) -> Vec<DeploymentEvent> {
    let page = views::get_deployment_history(&env.o, owner, GetDeploymentHistoryArg { deployment_id: id, start: None, length: 100 }).unwrap();
    page.entries
        .into_iter()
        .filter_map(|e| match e.change {
            Change::Deployment { deployment_id, event } if deployment_id == id => Some(event),
            _ => None,
        })
        .collect()
}

fn close_and_settle(env: &Env, owner: Principal, id: u64) -> u64 {
    deployments::close_deployment(&env.o, owner, id).unwrap();
    let v = run_until(env, owner, id, 600, is_ended);
    let DeploymentState::Closed { refund_uact, .. } = v.state else { panic!("not closed: {:?}", v.state) };
    assert!(env.run_until_idle(600));
    check(env);
    env.check_chain();
    refund_uact
}

#[test]
fn from_sdl_to_active_to_closed_with_an_exact_refund() {
    // p3 is the cheapest but not in the required region; p2 is cheaper than p1 and serves a
    // self-signed certificate (reachable through the proxy only).
    let (p1, s1) = provider_pair(1, "400");
    let (p2, s2) = provider_pair(2, "250");
    let (mut p3, s3) = provider_pair(3, "100");
    p3.attributes = vec![("region".into(), "eu-central".into())];
    let s2 = s2.with_certificate(Certificate::SelfSignedOnChain);
    let p2_addr = p2.address.clone();
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2), (p3, s3)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let act_before = env.o.read(|s| s.balance(&alice).act_uact);
    let policy = ProviderPolicy { required_attributes: vec![Attribute { key: "region".into(), value: "us-west".into() }], ..Default::default() };
    let id = create(&env, alice, CreateDeploymentArg { provider_policy: Some(policy), ..basic(web_sdl()) });
    assert_eq!(env.o.read(|s| s.balance(&alice).act_uact), act_before - DEPOSIT_UACT, "the deposit's ACT is set aside at once");
    check(&env);

    let v = run_until(&env, alice, id, 1200, is_active);
    let dseq = v.dseq.expect("created on chain");
    assert_eq!(v.leases.len(), 1);
    assert_eq!(v.leases[0].provider, p2_addr, "the cheapest bid the policy accepts");
    assert_eq!(v.services.len(), 1);
    assert_eq!(v.services[0].name, "web");
    assert!(!v.services[0].uris.is_empty(), "service URIs reported: {:?}", v.services);
    let manifests = env.providers().manifests(&p2_addr, dseq).len();
    assert_eq!(manifests, 1, "one manifest upload");
    let sdl = ic_akash::sdl::parse(&web_sdl()).unwrap();
    assert_eq!(v.sdl_hash, hex::encode(sdl.version()));
    let owner_addr = v.akash_owner.clone().unwrap();
    assert_eq!(env.sim().deployment(&owner_addr, dseq).unwrap().hash, sdl.version().to_vec(), "the chain holds the SDL's hash");
    let events = history(&env, alice, id);
    for expected in ["Requested", "ActReserved", "DepositGranted", "Created", "BidChosen", "LeaseCreated", "ManifestSent", "Active"] {
        assert!(events.iter().any(|e| format!("{e:?}").starts_with(expected)), "{expected} in {events:?}");
    }

    // An hour of running, with escrow checks.
    for _ in 0..600 {
        step(&env);
    }
    let v = view(&env, alice, id);
    assert!(is_active(&v));
    let escrow = v.escrow.expect("escrow read");
    assert!(escrow.spent_uact > 0 && escrow.balance_uact < DEPOSIT_UACT, "{escrow:?}");

    let refund = close_and_settle(&env, alice, id);
    let acc = env.sim().escrow_account(&owner_addr, dseq).unwrap();
    assert!(refund > 0 && refund < DEPOSIT_UACT);
    // What the chain paid the provider and left as dust (under one uact) is exactly what was not refunded.
    let one: u128 = 1_000_000_000_000_000_000;
    assert!(acc.funds < one, "only dust stays in the closed escrow: {}", acc.funds);
    assert_eq!(u128::from(DEPOSIT_UACT - refund) * one, acc.transferred + acc.funds, "refund = deposit - paid - dust");
    assert_eq!(acc.refunds.iter().map(|r| r.1).sum::<u128>(), u128::from(refund), "the chain refunded what the books credited");
    let v = view(&env, alice, id);
    assert_eq!(v.cost.deposited_uact, DEPOSIT_UACT);
    assert_eq!(v.cost.refunded_uact, refund);
    assert_eq!(env.o.read(|s| s.balance(&alice).act_uact), act_before - DEPOSIT_UACT + refund, "the refund is the owner's again");
    assert_eq!(env.o.read(|s| s.balance(&alice).reserved_uakt), 0, "the fee pool went back");
    assert!(v.cost.chain_fees_uakt > 0 && v.cost.service_fees_uakt > 0);
    assert!(env.o.read(|s| s.active_deployment_count()) == 0);
}

#[test]
fn a_rejecting_and_an_untrusted_provider_are_replaced_by_the_next_bid() {
    let (p1, s1) = provider_pair(1, "100");
    let (p2, s2) = provider_pair(2, "150");
    let (p3, s3) = provider_pair(3, "300");
    let (a1, a2, a3) = (p1.address.clone(), p2.address.clone(), p3.address.clone());
    let s1 = s1.with_behaviour(Behaviour::RejectsManifests { status: 422, body: "manifest cross-validation error".into() });
    let s2 = s2.with_certificate(Certificate::NotOnChain);
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2), (p3, s3)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let id = create(&env, alice, basic(web_sdl()));
    let v = run_until(&env, alice, id, 4000, |v| is_active(v) || is_ended(v));
    assert!(is_active(&v), "{:?}", v.state);
    assert_eq!(v.leases[0].provider, a3);
    assert_eq!(v.failed_providers, vec![a1.clone(), a2.clone()]);
    let events = history(&env, alice, id);
    let failed: Vec<&String> = events.iter().filter_map(|e| if let DeploymentEvent::ProviderFailed { provider, .. } = e { Some(provider) } else { None }).collect();
    assert_eq!(failed, vec![&a1, &a2]);
    let closes = events.iter().filter(|e| matches!(e, DeploymentEvent::Closed { .. })).count();
    assert_eq!(closes, 2, "each failed attempt was closed and settled");
    close_and_settle(&env, alice, id);
}

#[test]
fn no_bids_by_the_deadline_closes_and_refunds_everything() {
    // Above the SDL's maximum price (1000 uact per block): the provider does not bid.
    let (p1, s1) = provider_pair(1, "2000");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let act_before = env.o.read(|s| s.balance(&alice).act_uact);
    let id = create(&env, alice, basic(web_sdl()));
    let v = run_until(&env, alice, id, 900, is_ended);
    match v.state {
        DeploymentState::Closed { reason, refund_uact } => {
            assert!(reason.contains("no bids"), "{reason}");
            assert_eq!(refund_uact, DEPOSIT_UACT, "no lease, nothing spent");
        }
        s => panic!("{s:?}"),
    }
    assert!(env.run_until_idle(600));
    assert_eq!(env.o.read(|s| s.balance(&alice).act_uact), act_before);
    check(&env);
    env.check_chain();
}

#[test]
fn a_lease_closed_by_the_provider_is_reported_and_the_deployment_closed() {
    let (p1, s1) = provider_pair(1, "300");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let id = create(&env, alice, basic(web_sdl()));
    let v = run_until(&env, alice, id, 1200, is_active);
    let lease = ic_akash_orchestrator::runtime::fake::akash::market::BidId::from_core(&ic_akash::proto::akash_msgs::BidId {
        owner: v.akash_owner.clone().unwrap(),
        dseq: v.dseq.unwrap(),
        gseq: v.leases[0].gseq,
        oseq: v.leases[0].oseq,
        provider: v.leases[0].provider.clone(),
        bseq: v.leases[0].bseq,
    });
    assert!(env.sim().provider_close_lease(&lease, REASON_UNSTABLE));
    let v = run_until(&env, alice, id, 1800, is_ended);
    let DeploymentState::Closed { reason, refund_uact } = v.state else { panic!("{:?}", v.state) };
    assert!(reason.contains("unstable"), "{reason}");
    assert!(refund_uact > 0);
    assert!(history(&env, alice, id).iter().any(|e| matches!(e, DeploymentEvent::LeaseEnded { reason, .. } if reason.contains("unstable"))));
    assert!(env.run_until_idle(600));
    check(&env);
    env.check_chain();
}

#[test]
fn a_provider_vanishing_mid_lease_is_replaced() {
    let (p1, s1) = provider_pair(1, "100");
    let (p2, s2) = provider_pair(2, "300");
    let (p3, s3) = provider_pair(3, "200");
    let (a1, a2, a3) = (p1.address.clone(), p2.address.clone(), p3.address.clone());
    // p3 takes the manifest, then never answers again: it is failed at the ready deadline.
    let s3 = s3.with_behaviour(Behaviour::Vanishes);
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2), (p3, s3)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let id = create(&env, alice, basic(web_sdl()));
    let v = run_until(&env, alice, id, 1200, is_active);
    assert_eq!(v.leases[0].provider, a1);
    env.providers().vanish(&a1);
    // Three escrow checks without an answer from it.
    let v = run_until(&env, alice, id, 6000, |v| is_active(v) && v.leases.first().is_some_and(|l| l.provider == a2));
    // Made again: the next cheapest (p3) vanishes while starting the services, then p2 runs it.
    assert_eq!(v.failed_providers, vec![a1, a3]);
    close_and_settle(&env, alice, id);
}

#[test]
fn an_escrow_left_to_run_out_warns_then_is_settled_when_the_chain_closes_it() {
    let (p1, s1) = provider_pair(1, "1000");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    // 600_000 uact at 1000 per block: 600 blocks, one hour.
    let id = create(&env, alice, CreateDeploymentArg { deposit_uact: 600_000, ..basic(web_sdl()) });
    run_until(&env, alice, id, 1200, is_active);
    let v = run_until(&env, alice, id, 7200, is_ended);
    let DeploymentState::Closed { reason, .. } = v.state else { panic!("{:?}", v.state) };
    assert!(reason.contains("insufficient_funds"), "{reason}");
    let events = history(&env, alice, id);
    assert!(events.iter().any(|e| matches!(e, DeploymentEvent::LowFunds { .. })), "warned first: {events:?}");
    assert!(env.run_until_idle(600));
    check(&env);
    env.check_chain();
}

#[test]
fn auto_top_up_keeps_it_funded_then_closes_cleanly_when_the_owner_cannot_pay() {
    let (p1, s1) = provider_pair(1, "1000");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let alice = user(1);
    // About 6 ACT: the 1 ACT deposit and top-ups of 1.2 ACT (20 min at 1000 per block).
    fund_owner(&env, alice, 10);
    let act = env.o.read(|s| s.balance(&alice).act_uact);
    let policy = AutoTopUp { below_runway_secs: 2400, top_up_runway_secs: 1200 };
    let id = create(&env, alice, CreateDeploymentArg { deposit_uact: 1_000_000, auto_top_up: Some(policy), ..basic(web_sdl()) });
    run_until(&env, alice, id, 1200, is_active);
    let v = run_until(&env, alice, id, 6 * 3600 * 4, is_ended);
    let DeploymentState::Closed { reason, refund_uact } = v.state else { panic!("{:?}", v.state) };
    assert!(reason.contains("cannot pay a top-up"), "{reason}");
    assert!(refund_uact > 0, "closed before the escrow ran dry");
    let events = history(&env, alice, id);
    let top_ups = events.iter().filter(|e| matches!(e, DeploymentEvent::ToppedUp { automatic: true, .. })).count();
    assert!(top_ups >= 2, "{events:?}");
    assert!(events.iter().any(|e| matches!(e, DeploymentEvent::LowFunds { closes_below_runway_secs, .. } if *closes_below_runway_secs > 0)));
    assert!(env.run_until_idle(600));
    let left = env.o.read(|s| s.balance(&alice).act_uact);
    assert!(left < act, "ACT went into the escrow");
    check(&env);
    env.check_chain();
}

#[test]
fn update_sends_the_new_manifest_and_top_up_adds_to_the_escrow() {
    let (p1, s1) = provider_pair(1, "300");
    let a1 = p1.address.clone();
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let id = create(&env, alice, basic(web_sdl()));
    let v = run_until(&env, alice, id, 1200, is_active);
    let dseq = v.dseq.unwrap();
    let new_sdl = web_sdl().replace("nginx:1.27", "nginx:1.28");
    let same = block_on(deployments::update_deployment(&env.o, alice, UpdateDeploymentArg { deployment_id: id, sdl: web_sdl() }));
    assert!(matches!(same, Err(Error::InvalidArgument { .. })), "{same:?}");
    let bigger = web_sdl().replace("units: 0.5", "units: 1");
    let changed = block_on(deployments::update_deployment(&env.o, alice, UpdateDeploymentArg { deployment_id: id, sdl: bigger }));
    assert!(matches!(changed, Err(Error::InvalidArgument { ref reason, .. }) if reason.contains("groups")), "{changed:?}");
    block_on(deployments::update_deployment(&env.o, alice, UpdateDeploymentArg { deployment_id: id, sdl: new_sdl.clone() })).unwrap();
    let new_hash = hex::encode(ic_akash::sdl::parse(&new_sdl).unwrap().version());
    let v = run_until(&env, alice, id, 1200, |v| is_active(v) && v.sdl_hash == new_hash);
    assert_eq!(env.providers().manifests(&a1, dseq).len(), 2, "the manifest was sent again");
    assert_eq!(env.sim().deployment(v.akash_owner.as_ref().unwrap(), dseq).unwrap().hash, hex::decode(&new_hash).unwrap());

    let top = ic_akash_orchestrator_types::TopUpDeploymentArg { deployment_id: id, amount_uact: 2_000_000 };
    block_on(deployments::top_up_deployment(&env.o, alice, top)).unwrap();
    check(&env);
    run_until(&env, alice, id, 600, |v| v.cost.deposited_uact == DEPOSIT_UACT + 2_000_000);
    let too_much = ic_akash_orchestrator_types::TopUpDeploymentArg { deployment_id: id, amount_uact: u64::MAX / 2 };
    assert!(matches!(block_on(deployments::top_up_deployment(&env.o, alice, too_much)), Err(Error::InsufficientAct { .. })));
    close_and_settle(&env, alice, id);
}

#[test]
fn an_upgrade_in_the_middle_of_each_phase_loses_nothing() {
    let (p1, s1) = provider_pair(1, "300");
    let (p2, s2) = provider_pair(2, "350");
    let s1 = s1.with_ready_delay_secs(300);
    let mut env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2)]);
    let alice = user(1);
    fund_owner(&env, alice, 20);
    let id = create(&env, alice, CreateDeploymentArg { mint_uakt: Some(5_000_000), ..basic(web_sdl()) });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..400 {
        let v = view(&env, alice, id);
        let phase = format!("{:?}", v.state).split([' ', '{', '(']).next().unwrap().to_string();
        if seen.insert(phase) {
            env.upgrade(None);
            check(&env);
        }
        if is_active(&v) {
            break;
        }
        step(&env);
    }
    let v = view(&env, alice, id);
    assert!(is_active(&v), "{:?} (phases seen: {seen:?})", v.state);
    for phase in ["WaitingForAct", "Preparing", "Creating", "Bidding", "Leasing", "Starting", "Active"] {
        assert!(seen.contains(phase), "{phase} not seen: {seen:?}");
    }
    deployments::close_deployment(&env.o, alice, id).unwrap();
    step(&env);
    env.upgrade(None);
    let v = run_until(&env, alice, id, 600, is_ended);
    assert!(matches!(v.state, DeploymentState::Closed { .. }), "{:?}", v.state);
    assert!(env.run_until_idle(600));
    check(&env);
    env.check_chain();
}

#[test]
fn bad_requests_get_typed_errors_and_nobody_acts_on_anothers_deployment() {
    let (p1, s1) = provider_pair(1, "300");
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    let (alice, bob) = (user(1), user(2));
    fund_owner(&env, alice, 20);
    env.credit_akt(bob, 5);
    let err = |owner, arg| block_on(deployments::create_deployment(&env.o, owner, arg)).unwrap_err();
    assert_eq!(err(Principal::anonymous(), basic(web_sdl())), Error::AnonymousCaller);
    match err(alice, basic(web_sdl().replace("denom: uact", "denom: uakt"))) {
        Error::InvalidSdl { path, reason } => assert!(path.contains("pricing") && reason.contains("uact"), "{path} {reason}"),
        e => panic!("{e:?}"),
    }
    match err(alice, basic(web_sdl().replace("units: 0.5", "units: -1"))) {
        Error::InvalidSdl { path, .. } => assert!(path.contains("cpu"), "{path}"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(err(alice, CreateDeploymentArg { deposit_uact: 1, ..basic(web_sdl()) }), Error::InvalidArgument { .. }));
    assert!(matches!(err(bob, basic(web_sdl())), Error::InsufficientAct { available_uact: 0, .. }));
    assert!(matches!(err(alice, CreateDeploymentArg { owner: Some(bob), ..basic(web_sdl()) }), Error::NotAuthorized { .. }));
    let policy = ProviderPolicy { deny: vec!["not-an-address".into()], ..Default::default() };
    assert!(matches!(err(alice, CreateDeploymentArg { provider_policy: Some(policy), ..basic(web_sdl()) }), Error::InvalidArgument { .. }));
    assert!(matches!(err(alice, CreateDeploymentArg { max_price_uact_per_block: Some("cheap".into()), ..basic(web_sdl()) }), Error::InvalidArgument { .. }));

    let id = create(&env, alice, basic(web_sdl()));
    assert_eq!(views::get_deployment(&env.o, bob, id), Err(Error::DeploymentNotFound { deployment_id: id }));
    assert_eq!(deployments::close_deployment(&env.o, bob, id).unwrap_err(), Error::DeploymentNotFound { deployment_id: id });
    let token_arg = GetProviderTokenArg { deployment_id: id, scopes: vec!["logs".into()], ttl_secs: None };
    assert!(matches!(block_on(deployments::get_provider_token(&env.o, bob, token_arg.clone())), Err(Error::DeploymentNotFound { .. })));
    assert!(matches!(block_on(deployments::get_provider_token(&env.o, alice, token_arg.clone())), Err(Error::WrongDeploymentState { .. })));
    let v = run_until(&env, alice, id, 1200, is_active);
    let bad_scope = GetProviderTokenArg { scopes: vec!["everything".into()], ..token_arg.clone() };
    assert!(matches!(block_on(deployments::get_provider_token(&env.o, alice, bad_scope)), Err(Error::InvalidArgument { .. })));
    let t = block_on(deployments::get_provider_token(&env.o, alice, token_arg)).unwrap();
    assert_eq!(t.providers, vec![(v.leases[0].provider.clone(), v.leases[0].host_uri.clone())]);
    let claims: serde_json::Value = {
        use base64::Engine;
        let payload = t.token.split('.').nth(1).unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    };
    assert_eq!(claims["iss"], v.akash_owner.clone().unwrap());
    let perm = &claims["leases"]["permissions"][0];
    assert_eq!(perm["provider"], v.leases[0].provider);
    assert_eq!(perm["deployments"][0]["dseq"], serde_json::json!(v.dseq.unwrap()));
    assert_eq!(perm["deployments"][0]["scope"], serde_json::json!(["logs"]));

    let page = views::list_deployments(&env.o, alice, ListDeploymentsArg { owner: None, after: None, length: 10 }).unwrap();
    assert_eq!(page.deployments.len(), 1);
    assert!(views::list_deployments(&env.o, bob, ListDeploymentsArg { owner: Some(alice), after: None, length: 10 }).is_err());
    close_and_settle(&env, alice, id);
    assert!(matches!(deployments::close_deployment(&env.o, alice, id), Err(Error::WrongDeploymentState { .. })));
}
