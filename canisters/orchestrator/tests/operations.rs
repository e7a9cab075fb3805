//! Operations: the `/metrics` series (parsed from the exposition text and checked against the
//! state and against what the simulated world counted), `/logs` with priorities and the canister
//! log, `get_config`/`set_config`, and the pause switch with deployments running.

mod support;

use candid::Principal;
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::lifecycle::set_config;
use ic_akash_orchestrator::logs::{Priority, MAX_LOG_LINES_PER_PRIORITY};
use ic_akash_orchestrator::metrics::{self, LedgerMethod, TxFailure};
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::notify::notify_deposit;
use ic_akash_orchestrator::owner_account::open_akash_account;
use ic_akash_orchestrator::queries::get_config;
use ic_akash_orchestrator::runtime::fake::akash::faults::{Behaviour, OneShot};
use ic_akash_orchestrator::runtime::fake::provider::Behaviour as ProviderBehaviour;
use ic_akash_orchestrator::runtime::fake::{block_on, Method};
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator::state::summary::PHASE_LABELS;
use ic_akash_orchestrator::withdraw::withdraw;
use ic_akash_orchestrator_types::{
    AutoTopUp, Change, ConfigArg, CreateDeploymentArg, DeploymentEvent, DeploymentState, DeploymentView, Error, GetDeploymentHistoryArg,
    GetJournalArg, HttpRequest, MintActArg, NotifyDepositArg, ProviderPolicy, TopUpDeploymentArg, UpdateDeploymentArg, WithdrawArg,
};
use std::collections::{BTreeMap, BTreeSet};
use support::{is_active, is_ended, deposit, dest, provider_pair, user, Env, ENDPOINTS, ICP};

// ---------------------------------------------------------------------------------------------
// A small parser of the exposition format

/// One scrape: each sample by its series (`name` or `name{label="value"}`, as written), and the
/// families declared with HELP and TYPE.
struct Scrape {
    samples: BTreeMap<String, u128>,
    types: BTreeMap<String, String>,
}

impl Scrape {
    fn parse(text: &str) -> Scrape {
        let (mut samples, mut types, mut helped) = (BTreeMap::new(), BTreeMap::new(), BTreeSet::new());
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("HELP name text");
                assert!(!help.is_empty(), "{line}");
                assert!(helped.insert(name.to_string()), "HELP twice for {name}");
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
                assert!(helped.contains(name), "TYPE before HELP for {name}");
                assert!(["gauge", "counter"].contains(&kind), "{line}");
                assert!(types.insert(name.to_string(), kind.to_string()).is_none(), "TYPE twice for {name}");
            } else {
                let parts: Vec<&str> = line.split(' ').collect();
                assert!(parts.len() == 2 || parts.len() == 3, "sample line: {line:?}");
                let series = parts[0];
                let family = series.split('{').next().unwrap();
                assert!(types.contains_key(family), "sample of {family} before its TYPE: {line}");
                if let Some(labels) = series.strip_prefix(family) {
                    assert!(labels.is_empty() || (labels.starts_with('{') && labels.ends_with("\"}") && labels.contains("=\"")), "{line}");
                }
                if family.ends_with("_total") {
                    assert_eq!(types[family], "counter", "{family}");
                }
                let value: u128 = parts[1].parse().unwrap_or_else(|_| panic!("integer value: {line}"));
                assert!(samples.insert(series.to_string(), value).is_none(), "{series} twice");
            }
        }
        Scrape { samples, types }
    }

    fn get(&self, series: &str) -> u128 {
        *self.samples.get(series).unwrap_or_else(|| panic!("no series {series}"))
    }

    fn labelled(&self, family: &str, label: &str, value: &str) -> u128 {
        self.get(&format!("{family}{{{label}=\"{value}\"}}"))
    }

    /// The sum over a family's series.
    fn sum(&self, family: &str) -> u128 {
        self.samples.iter().filter(|(k, _)| k.split('{').next() == Some(family)).map(|(_, v)| *v).sum()
    }
}

fn get(env: &Env, url: &str) -> ic_akash_orchestrator_types::HttpResponse {
    metrics::http_request(&env.o, &HttpRequest { method: "GET".into(), url: url.into(), headers: vec![], body: vec![] })
}

fn scrape(env: &Env) -> Scrape {
    let r = get(env, "/metrics");
    assert_eq!(r.status_code, 200);
    Scrape::parse(&String::from_utf8(r.body).unwrap())
}

const ACT_STATES: [&str; 4] = ["held", "set_aside", "in_escrow", "spent"];
const RESERVED_PURPOSES: [&str; 3] = ["akash_flows", "deployment_fee_pools", "other"];
const WORK_KINDS: [&str; 8] = ["deposit", "mint", "withdrawal", "account_opening", "deployment_message", "akash_message", "deployment", "flow"];
const CYCLE_KINDS: [&str; 3] = ["sign_with_ecdsa", "http_outcall", "xrc"];

/// The series the operations section lists, each with its labels.
fn listed_series() -> Vec<String> {
    let mut out = Vec::new();
    let mut family = |name: &str, label: &str, values: &[&str]| {
        out.extend(values.iter().map(|v| format!("{name}{{{label}=\"{v}\"}}")));
    };
    family("ic_akash_deployments", "state", &PHASE_LABELS);
    family("ic_akash_act_uact", "state", &ACT_STATES);
    family("ic_akash_reserved_uakt_by_purpose", "purpose", &RESERVED_PURPOSES);
    family("ic_akash_work_in_progress", "kind", &WORK_KINDS);
    family("ic_akash_cycles_spent_total", "kind", &CYCLE_KINDS);
    family("ic_akash_akash_tx_failures_total", "reason", &TxFailure::ALL.map(TxFailure::label));
    family("ic_akash_ledger_call_failures_total", "method", &LedgerMethod::ALL.map(LedgerMethod::label));
    family("akash_http_errors_total", "kind", &["account", "tx", "broadcast", "send_manifest", "lease_status"]);
    for single in [
        "ic_akash_available_uakt",
        "ic_akash_reserved_uakt",
        "ic_akash_minted_uact",
        "ic_akash_cycles_balance",
        "ic_akash_flows_in_progress",
        "ic_akash_deposits_pending",
        "ic_akash_ecdsa_signatures_total",
        "ic_akash_xrc_calls_total",
        "ic_akash_xrc_failures_total",
        "ic_akash_paused",
    ] {
        out.push(single.to_string());
    }
    out
}

#[test]
fn every_listed_series_is_there_from_the_start_with_zeros() {
    let env = Env::new();
    let m = scrape(&env);
    for series in listed_series() {
        let v = m.get(&series);
        if series != "ic_akash_cycles_balance" {
            assert_eq!(v, 0, "{series}");
        }
    }
    assert_eq!(m.get("ic_akash_cycles_balance"), env.rt.cycles_balance());
    assert_eq!(m.types["ic_akash_deployments"], "gauge");
    assert_eq!(m.types["ic_akash_cycles_spent_total"], "counter");
    let r = get(&env, "/metrics");
    assert!(r.headers.iter().any(|(k, v)| k == "Content-Type" && v.starts_with("text/plain; version=0.0.4")));
}

// ---------------------------------------------------------------------------------------------
// Deployments, driven as in deployment_lifecycle.rs

fn web_sdl() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap()
}

const DEPOSIT_UACT: u64 = 5_000_000;

fn step(env: &Env) {
    env.run_for(6);
    env.check();
}

fn view(env: &Env, owner: Principal, id: u64) -> DeploymentView {
    env.deployment(owner, id)
}

/// Steps (with this file's checks) until `pred` holds for the deployment, or panics after `max_secs`.
fn run_until(env: &Env, owner: Principal, id: u64, max_secs: u64, pred: impl Fn(&DeploymentView) -> bool) -> DeploymentView {
    env.run_deployment_until(owner, id, max_secs, step, pred)
}

/// `owner` holds 20 ICP worth of AKT and `act_akt` AKT's worth of ACT.
fn fund_owner(env: &Env, owner: Principal, act_akt: u64) {
    env.credit_akt(owner, 20);
    block_on(mint_act(&env.o, owner, MintActArg { amount_uakt: act_akt * 1_000_000, owner: None })).unwrap();
    for _ in 0..100 {
        if env.o.read(|s| s.balance(&owner).act_uact) > 0 {
            return;
        }
        step(env);
    }
    panic!("no ACT minted");
}

fn create(env: &Env, owner: Principal, arg: CreateDeploymentArg) -> u64 {
    block_on(deployments::create_deployment(&env.o, owner, arg)).unwrap()
}

fn basic() -> CreateDeploymentArg {
    CreateDeploymentArg { sdl: web_sdl(), deposit_uact: DEPOSIT_UACT, ..Default::default() }
}

fn history(env: &Env, owner: Principal, id: u64) -> Vec<DeploymentEvent> {
    let page = views::get_deployment_history(&env.o, owner, GetDeploymentHistoryArg { deployment_id: id, start: None, length: 100 }).unwrap();
    page.entries
        .into_iter()
        .filter_map(|e| match e.change {
            Change::Deployment { event, .. } => Some(event),
            _ => None,
        })
        .collect()
}

fn w(amount_uakt: u64, to: &str) -> WithdrawArg {
    WithdrawArg { amount_uakt, to_akash_address: to.to_string(), owner: None }
}

/// The ACT, reservation and work series equal what the state says.
fn assert_books_series(env: &Env, m: &Scrape) {
    let (minted, in_escrow, spent, reserved, stats) = env.o.read(|s| {
        let b = s.book();
        (b.minted_uact, b.act_in_escrow_uact, b.act_spent_uact, s.totals().reserved_uakt, s.stats())
    });
    let (held, set_aside) = env.o.read(|s| {
        let held: u64 = s.active_deployments().iter().filter_map(|id| s.deployment(*id)).map(|d| d.act_reserved_uact).sum();
        (minted - held - in_escrow - spent, held)
    });
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "held"), u128::from(held));
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "set_aside"), u128::from(set_aside));
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "in_escrow"), u128::from(in_escrow));
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "spent"), u128::from(spent));
    assert_eq!(m.sum("ic_akash_act_uact"), m.get("ic_akash_minted_uact"), "the ACT series add up to minted");
    assert_eq!(m.sum("ic_akash_reserved_uakt_by_purpose"), u128::from(reserved), "reservations by purpose add up");
    assert_eq!(m.get("ic_akash_reserved_uakt"), u128::from(reserved));
    assert_eq!(m.labelled("ic_akash_work_in_progress", "kind", "akash_message"), u128::from(stats.akash_msgs_pending));
    assert_eq!(m.labelled("ic_akash_work_in_progress", "kind", "deployment"), u128::from(stats.deployments_active));
    let by_phase: u128 = PHASE_LABELS.iter().map(|p| m.labelled("ic_akash_deployments", "state", p)).sum();
    assert_eq!(by_phase, u128::from(stats.deployments_total), "every deployment is in one phase");
}

/// Cycles by kind equal what the simulated world counted: signatures made, cycles attached to
/// outcalls, XRC calls made.
fn assert_cycles_series(env: &Env, m: &Scrape) {
    let sign = u128::from(env.calls(Method::SignWithEcdsa)) * ic_akash_orchestrator::akash::keys::SIGN_WITH_ECDSA_CYCLES;
    let xrc = u128::from(env.calls(Method::Xrc)) * ic_akash_orchestrator::rate::XRC_CALL_CYCLES;
    let http = env.rt.world().http_cycles;
    assert!(sign > 0 && http > 0 && xrc > 0);
    assert_eq!(m.labelled("ic_akash_cycles_spent_total", "kind", "sign_with_ecdsa"), sign);
    assert_eq!(m.labelled("ic_akash_cycles_spent_total", "kind", "http_outcall"), http);
    assert_eq!(m.labelled("ic_akash_cycles_spent_total", "kind", "xrc"), xrc);
    assert_eq!(m.get("ic_akash_ecdsa_signatures_total"), u128::from(env.calls(Method::SignWithEcdsa)));
    assert_eq!(m.get("ic_akash_xrc_calls_total"), u128::from(env.calls(Method::Xrc)));
    assert_eq!(m.get("ic_akash_cycles_balance"), env.rt.cycles_balance());
}

#[test]
fn metrics_follow_a_lifecycle_with_a_failing_provider_and_failing_transactions() {
    // p1 is the cheapest and refuses the manifest: it is failed and the deployment made again on p2.
    let (p1, s1) = provider_pair(1, "100");
    let (p2, s2) = provider_pair(2, "300");
    let (a1, a2) = (p1.address.clone(), p2.address.clone());
    let s1 = s1.with_behaviour(ProviderBehaviour::RejectsManifests { status: 422, body: "manifest cross-validation error".into() });
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2)]);
    // One of the three endpoints is down all along: its outcalls fail, quorum reads go on.
    env.sim().set_behaviour(ENDPOINTS[0], Behaviour::Down);
    let alice = user(1);
    fund_owner(&env, alice, 20);

    // A withdrawal whose every send is lost until its timeout: it is dropped once, then lands.
    for _ in 0..10 {
        env.sim().push_global_fault(OneShot::DropBroadcast);
    }
    block_on(withdraw(&env.o, alice, w(3_000_000, &dest(3)))).unwrap();
    let timed_out = |env: &Env| scrape(env).labelled("ic_akash_akash_tx_failures_total", "reason", TxFailure::TimedOut.label());
    for _ in 0..100 {
        if timed_out(&env) > 0 {
            break;
        }
        step(&env);
    }
    assert_eq!(timed_out(&env), 1);
    env.sim().clear_faults();
    env.sim().set_behaviour(ENDPOINTS[0], Behaviour::Down);
    assert!(env.run_until_idle(600));
    // One refused by the ante handler in its block, then signed again and landed.
    env.sim().push_global_fault(OneShot::RefusedAtDelivery);
    block_on(withdraw(&env.o, alice, w(2_000_000, &dest(4)))).unwrap();
    assert!(env.run_until_idle(600));
    assert_eq!(env.sim().balance(&dest(3), "uakt"), 3_000_000);
    assert_eq!(env.sim().balance(&dest(4), "uakt"), 2_000_000);

    let id = create(&env, alice, basic());
    let m = scrape(&env);
    assert_eq!(m.labelled("ic_akash_deployments", "state", "preparing"), 1, "ACT held: straight to preparing");
    assert_eq!(m.labelled("ic_akash_work_in_progress", "kind", "deployment"), 1);
    assert_eq!(m.labelled("ic_akash_work_in_progress", "kind", "account_opening"), 1, "alice's Akash account is being opened");
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "set_aside"), u128::from(DEPOSIT_UACT));
    assert_books_series(&env, &m);

    let v = run_until(&env, alice, id, 4000, |v| is_active(v) || is_ended(v));
    assert!(is_active(&v), "{:?}", v.state);
    assert_eq!((v.leases[0].provider.clone(), v.failed_providers.clone()), (a2, vec![a1]));
    let m = scrape(&env);
    for phase in PHASE_LABELS {
        assert_eq!(m.labelled("ic_akash_deployments", "state", phase), u128::from(phase == "active"), "{phase} while active");
    }
    assert_books_series(&env, &m);
    assert!(m.labelled("ic_akash_act_uact", "state", "in_escrow") > 0);
    assert!(m.labelled("ic_akash_act_uact", "state", "spent") > 0, "the failed attempt's escrow was settled");

    deployments::close_deployment(&env.o, alice, id).unwrap();
    let v = run_until(&env, alice, id, 600, is_ended);
    assert!(matches!(v.state, DeploymentState::Closed { .. }), "{:?}", v.state);
    assert!(env.run_until_idle(600));
    env.check_chain();
    let m = scrape(&env);
    for phase in PHASE_LABELS {
        assert_eq!(m.labelled("ic_akash_deployments", "state", phase), u128::from(phase == "closed"), "{phase} once closed");
    }
    assert_books_series(&env, &m);
    for kind in WORK_KINDS {
        assert_eq!(m.labelled("ic_akash_work_in_progress", "kind", kind), 0, "{kind} at rest");
    }
    assert_eq!(m.labelled("ic_akash_act_uact", "state", "in_escrow"), 0);
    assert_cycles_series(&env, &m);

    // Failures: the injected ones exactly, nothing else.
    let tx = |reason: TxFailure| m.labelled("ic_akash_akash_tx_failures_total", "reason", reason.label());
    assert_eq!(tx(TxFailure::TimedOut), 1, "{:?}", m.samples);
    assert_eq!(tx(TxFailure::RefusedAtDelivery), 1);
    assert_eq!(m.sum("ic_akash_akash_tx_failures_total"), 2, "{:?}", m.samples);
    assert_eq!(m.sum("ic_akash_ledger_call_failures_total"), 0);
    assert_eq!(m.get("ic_akash_xrc_failures_total"), 0);
    // Each outcall to the endpoint that is down failed (the simulated chain logged them unanswered).
    let down = env.sim().requests().iter().filter(|r| r.endpoint == ENDPOINTS[0] && r.replica == 0 && r.status.is_none()).count();
    assert!(down > 0);
    assert_eq!(m.sum("akash_http_errors_total"), down as u128);
}

// ---------------------------------------------------------------------------------------------
// Logs

#[test]
fn logs_have_priorities_filters_a_bound_and_reach_the_canister_log() {
    let env = Env::with_chain(ConfigArg::default());
    env.sim().set_behaviour(ENDPOINTS[1], Behaviour::Down);
    let alice = user(1);
    env.credit_akt(alice, 2);
    block_on(withdraw(&env.o, alice, w(1_000_000, &dest(5)))).unwrap();
    assert!(env.run_until_idle(600));
    env.rt.advance_secs(1);
    let t_mid = env.now();
    env.o.log(Priority::Error, "an operator is needed".into());

    let json = |url: &str| -> Vec<serde_json::Value> {
        let r = get(&env, url);
        assert_eq!(r.status_code, 200, "{url}");
        assert!(r.headers.iter().any(|(k, v)| k == "Content-Type" && v == "application/json"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("well-formed JSON");
        v["entries"].as_array().unwrap().clone()
    };
    let all = json("/logs");
    let priorities: BTreeSet<&str> = all.iter().map(|e| e["priority"].as_str().unwrap()).collect();
    // Info: keys and transactions; debug: the endpoint that is down; error: the line above.
    assert!(priorities.is_superset(&BTreeSet::from(["info", "debug", "error"])), "{priorities:?}");
    for e in &all {
        assert!(e["timestamp"].as_u64().is_some() && e["counter"].as_u64().is_some() && e["line"].as_u64().unwrap() > 0);
        assert!(e["file"].as_str().unwrap().ends_with(".rs"), "the call site: {e}");
    }
    assert!(all.iter().any(|e| e["priority"] == "debug" && e["message"].as_str().unwrap().contains(ENDPOINTS[1])));
    let signed = all.iter().find(|e| e["message"].as_str().unwrap().contains(" signed ")).expect("a signed tx line");
    assert_eq!((signed["priority"].as_str(), signed["file"].as_str().map(|f| f.ends_with("akash/pipeline.rs"))), (Some("info"), Some(true)));
    let stamps: Vec<(u64, u64)> = all.iter().map(|e| (e["timestamp"].as_u64().unwrap(), e["counter"].as_u64().unwrap())).collect();
    assert!(stamps.windows(2).all(|p| p[0] < p[1]), "oldest first");

    let errors = json("/logs?priority=error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["message"], "an operator is needed");
    assert!(json("/logs?priority=debug").iter().all(|e| e["priority"] == "debug"));
    let recent = json(&format!("/logs?time={t_mid}"));
    assert_eq!(recent.len(), 1, "only the line at or after the time");
    assert!(json(&format!("/logs?time={}", t_mid + 1)).is_empty());
    assert_eq!(get(&env, "/logs?priority=loud").status_code, 400);
    assert_eq!(get(&env, "/logs?time=soon").status_code, 400);
    let text = String::from_utf8(get(&env, "/logs?format=text&priority=error").body).unwrap();
    assert!(text.ends_with("an operator is needed\n") && text.contains("[ERROR] "), "{text}");

    // Every line also went to the canister log, in order, with its priority and call site.
    let canister_log = env.rt.world().canister_log.clone();
    assert_eq!(canister_log.len(), all.len());
    for (line, e) in canister_log.iter().zip(&all) {
        let expected = format!(
            "[{}] {}:{} {}",
            e["priority"].as_str().unwrap().to_uppercase(),
            e["file"].as_str().unwrap(),
            e["line"],
            e["message"].as_str().unwrap()
        );
        assert_eq!(line, &expected);
    }

    // The ring of one priority is bounded; the others keep their lines.
    for i in 0..MAX_LOG_LINES_PER_PRIORITY + 10 {
        env.o.log(Priority::Debug, format!("noise {i}"));
    }
    let debug = json("/logs?priority=debug");
    assert_eq!(debug.len(), MAX_LOG_LINES_PER_PRIORITY);
    assert_eq!(debug[0]["message"], "noise 10");
    assert_eq!(json("/logs?priority=error").len(), 1);
    assert_eq!(env.rt.world().canister_log.len(), all.len() + MAX_LOG_LINES_PER_PRIORITY + 10, "the canister log got every line");
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn get_config_is_the_effective_configuration_and_only_controllers_change_it() {
    let env = Env::with(ConfigArg { fee_bps: Some(50), min_deposit_e8s: Some(2_000_000), ..Default::default() });
    let c = get_config(&env.o);
    let defaults = ic_akash_orchestrator::config::default_config();
    assert_eq!(c, ic_akash_orchestrator_types::Config { fee_bps: 50, min_deposit_e8s: 2_000_000, ..defaults });

    let controller = env.rt.controller();
    let changed = set_config(&env.o, controller, ConfigArg { paused: Some(true), withdraw_min_uakt: Some(3_000_000), ..Default::default() }).unwrap();
    assert_eq!(get_config(&env.o), changed);
    assert!(changed.paused && changed.withdraw_min_uakt == 3_000_000 && changed.fee_bps == 50);
    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(controller), start: None, length: 10 }));
    assert!(matches!(&journal.entries[..], [e] if matches!(&e.change, Change::ConfigChanged { by, .. } if *by == controller)));

    for stranger in [user(7), Principal::anonymous()] {
        let e = set_config(&env.o, stranger, ConfigArg { paused: Some(false), ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::NotAuthorized { .. }), "{e:?}");
    }
    assert_eq!(get_config(&env.o), changed, "unchanged by the refused calls");
    let e = set_config(&env.o, controller, ConfigArg { fee_bps: Some(9_999), ..Default::default() }).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "fee_bps"), "{e:?}");
    assert_eq!(get_config(&env.o), changed);
}

// ---------------------------------------------------------------------------------------------
// Pause

#[test]
fn a_pause_refuses_new_requests_and_keeps_running_deployments_alive_and_funded() {
    // p1 (cheap, 1000 uact per block) runs A; p2 takes ten minutes to start B's services.
    let (p1, s1) = provider_pair(1, "1000");
    let (p2, s2) = provider_pair(2, "300");
    let (a1, a2) = (p1.address.clone(), p2.address.clone());
    let s2 = s2.with_ready_delay_secs(600);
    let mut env = Env::with_market(ConfigArg::default(), vec![(p1, s1), (p2, s2)]);
    let alice = user(1);
    fund_owner(&env, alice, 30);
    let only = |a: &str| Some(ProviderPolicy { allow: vec![a.to_string()], ..Default::default() });
    // A: 1 ACT at 1000 per block is 6000 s of runway; topped up by 20 minutes below 40.
    let auto = AutoTopUp { below_runway_secs: 2400, top_up_runway_secs: 1200 };
    let a = create(&env, alice, CreateDeploymentArg { deposit_uact: 1_000_000, auto_top_up: Some(auto), provider_policy: only(&a1), ..basic() });
    run_until(&env, alice, a, 1200, is_active);
    let b = create(&env, alice, CreateDeploymentArg { provider_policy: only(&a2), ..basic() });
    run_until(&env, alice, b, 1200, |v| v.state == DeploymentState::Starting);

    let controller = env.rt.controller();
    set_config(&env.o, controller, ConfigArg { paused: Some(true), ..Default::default() }).unwrap();
    env.check();
    assert_eq!(scrape(&env).get("ic_akash_paused"), 1);

    // Every new request is refused, and nothing is recorded for it.
    env.fund(alice, 5 * ICP, 5 * ICP);
    let block = env.push(alice, alice, ICP);
    let journal_len = env.o.read(|s| s.stats().journal_entries);
    let paused = |r: Result<(), Error>, what: &str| assert_eq!(r, Err(Error::Paused), "{what}");
    paused(block_on(deposit_icp(&env.o, alice, deposit(ICP))).map(drop), "deposit_icp");
    paused(block_on(notify_deposit(&env.o, alice, NotifyDepositArg { block_index: block, beneficiary: None })).map(drop), "notify_deposit");
    paused(block_on(mint_act(&env.o, alice, MintActArg { amount_uakt: 2_000_000, owner: None })).map(drop), "mint_act");
    paused(block_on(withdraw(&env.o, alice, w(2_000_000, &dest(2)))).map(drop), "withdraw");
    paused(block_on(open_akash_account(&env.o, user(2))).map(drop), "open_akash_account");
    paused(block_on(deployments::create_deployment(&env.o, alice, basic())).map(drop), "create_deployment");
    let update = UpdateDeploymentArg { deployment_id: a, sdl: web_sdl().replace("nginx:1.27", "nginx:1.28") };
    paused(block_on(deployments::update_deployment(&env.o, alice, update.clone())).map(drop), "update_deployment");
    assert_eq!(env.o.read(|s| s.stats().journal_entries), journal_len, "refused requests leave no trace");
    env.check();

    // The starting deployment becomes active.
    run_until(&env, alice, b, 1200, is_active);
    // The active one gets its automatic top-up when its runway falls below the threshold.
    let auto_top_ups = |env: &Env| history(env, alice, a).iter().filter(|e| matches!(e, DeploymentEvent::ToppedUp { automatic: true, .. })).count();
    run_until(&env, alice, a, 2 * 3600, |_| auto_top_ups(&env) > 0);
    assert!(is_active(&view(&env, alice, a)));
    // The owner may still top up by hand and close; the refund arrives.
    let deposited = view(&env, alice, a).cost.deposited_uact;
    block_on(deployments::top_up_deployment(&env.o, alice, TopUpDeploymentArg { deployment_id: a, amount_uact: 700_000 })).unwrap();
    run_until(&env, alice, a, 600, |v| v.cost.deposited_uact == deposited + 700_000);
    let act_before = env.o.read(|s| s.balance(&alice).act_uact);
    deployments::close_deployment(&env.o, alice, b).unwrap();
    let v = run_until(&env, alice, b, 600, is_ended);
    let DeploymentState::Closed { refund_uact, .. } = v.state else { panic!("{:?}", v.state) };
    assert!(refund_uact > 0);
    assert_eq!(env.o.read(|s| s.balance(&alice).act_uact), act_before + refund_uact, "the refund is credited while paused");
    assert!(env.o.read(|s| s.config().paused));

    // Unpaused: requests are taken again.
    set_config(&env.o, controller, ConfigArg { paused: Some(false), ..Default::default() }).unwrap();
    assert_eq!(scrape(&env).get("ic_akash_paused"), 0);
    let credit = block_on(notify_deposit(&env.o, alice, NotifyDepositArg { block_index: block, beneficiary: None })).unwrap();
    assert_eq!(credit.block_index, block);
    let new_hash = hex::encode(ic_akash::sdl::parse(&update.sdl).unwrap().version());
    block_on(deployments::update_deployment(&env.o, alice, update)).unwrap();
    run_until(&env, alice, a, 1200, |v| is_active(v) && v.sdl_hash == new_hash);
    deployments::close_deployment(&env.o, alice, a).unwrap();
    run_until(&env, alice, a, 900, is_ended);
    assert!(env.run_until_idle(600));
    env.check_exact();
    env.check_chain();
}
