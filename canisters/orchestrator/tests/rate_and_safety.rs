//! Exchange rates (cache, cross rate, bounds, staleness, XRC failures), configuration and what
//! callers can make the canister spend.

mod support;

use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::lifecycle::set_config;
use ic_akash_orchestrator::queries::quote;
use ic_akash_orchestrator::runtime::fake::{block_on, Fault, Method};
use ic_akash_orchestrator::runtime::fake::xrc::XRC_REQUIRED_CYCLES;
use ic_akash_orchestrator_types::{Change, ConfigArg, Error, GetJournalArg, RateSource};
use ic_akash_orchestrator::xrc::ExchangeRateError;
use support::{deposit, user, Env, ICP};


#[test]
fn the_rate_is_cached_for_its_maximum_age_then_fetched_again() {
    let env = Env::new();
    let alice = user(1);
    let q = block_on(quote(&env.o, alice, ICP)).unwrap();
    assert_eq!((q.rate.uakt_per_icp, q.rate.source), (8_000_000, RateSource::IcpAkt));
    for _ in 0..5 {
        block_on(quote(&env.o, alice, ICP)).unwrap();
    }
    assert_eq!(env.calls(Method::Xrc), 1);
    assert_eq!(env.rt.cycles_spent(), XRC_REQUIRED_CYCLES);
    // The price moves; the cache hides it until it is too old.
    env.rt.world().xrc.set_usd_price_e9("ICP", 6_000_000_000);
    env.rt.advance_secs(120);
    assert_eq!(block_on(quote(&env.o, alice, ICP)).unwrap().rate.uakt_per_icp, 8_000_000);
    env.rt.advance_secs(300);
    assert_eq!(block_on(quote(&env.o, alice, ICP)).unwrap().rate.uakt_per_icp, 10_000_000);
    assert_eq!(env.calls(Method::Xrc), 2);
}

#[test]
fn without_an_icp_akt_pair_the_usd_cross_rate_is_used_and_remembered() {
    let env = Env::new();
    env.rt.world().xrc.crypto_pairs = false;
    let q = block_on(quote(&env.o, user(1), 3 * ICP)).unwrap();
    assert_eq!(q.rate.source, RateSource::CrossUsd);
    assert_eq!((q.rate.numerator, q.rate.denominator), (8, 1));
    assert_eq!(q.gross_uakt, 24_000_000);
    assert_eq!(env.calls(Method::Xrc), 3); // ICP/AKT refused, ICP/USD, AKT/USD
    env.rt.advance_secs(600);
    block_on(quote(&env.o, user(1), ICP)).unwrap();
    assert_eq!(env.calls(Method::Xrc), 5); // straight to the cross rate
}

#[test]
fn absurd_stale_and_missing_rates_are_refused_and_nothing_is_taken() {
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    // ICP at $48,000: 80,000 AKT per ICP, above the 1,000 AKT bound.
    env.rt.world().xrc.set_usd_price_e9("ICP", 48_000_000_000_000);
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap_err();
    assert_eq!(e, Error::RateOutOfBounds { uakt_per_icp: 80_000_000_000, min: 100_000, max: 1_000_000_000 });
    // XRC a day behind.
    env.rt.world().xrc.set_usd_price_e9("ICP", 4_800_000_000);
    env.rt.world().xrc.lag_secs = 86_400;
    env.rt.advance_secs(60);
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap_err();
    assert!(matches!(e, Error::RateUnavailable { ref reason } if reason.contains("old")), "{e:?}");
    // XRC errors.
    env.rt.world().xrc.lag_secs = 0;
    env.rt.advance_secs(60);
    env.rt.world().xrc.next_errors.push_back(ExchangeRateError::RateLimited);
    let e = block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap_err();
    assert!(matches!(e, Error::RateUnavailable { ref reason } if reason.contains("RateLimited")), "{e:?}");
    env.rt.advance_secs(60);
    env.rt.fail_next(Method::Xrc, Fault::Reject);
    assert!(matches!(block_on(deposit_icp(&env.o, alice, deposit(ICP))), Err(Error::RateUnavailable { .. })));
    // Neither pair known.
    env.rt.advance_secs(60);
    env.rt.world().xrc.crypto_pairs = false;
    env.rt.world().xrc.set_usd_price_e9("AKT", 0);
    assert!(matches!(block_on(deposit_icp(&env.o, alice, deposit(ICP))), Err(Error::RateUnavailable { .. })));
    // Through all this the ledger was never asked to move ICP.
    assert_eq!(env.calls(Method::TransferFrom), 0);
    assert_eq!(env.icp(alice), 10 * ICP - 10_000);
    env.check_exact();
}

#[test]
fn after_an_xrc_failure_callers_wait_instead_of_paying_for_new_fetches() {
    let env = Env::new();
    env.rt.world().xrc.next_errors.push_back(ExchangeRateError::Pending);
    assert!(block_on(quote(&env.o, user(1), ICP)).is_err());
    for n in 2..12 {
        let e = block_on(quote(&env.o, user(n), ICP)).unwrap_err();
        assert!(matches!(e, Error::RateUnavailable { ref reason } if reason.contains("retry after")), "{e:?}");
    }
    assert_eq!(env.calls(Method::Xrc), 1);
    env.rt.advance_secs(31);
    block_on(quote(&env.o, user(1), ICP)).unwrap();
    assert_eq!(env.calls(Method::Xrc), 2);
}

#[test]
fn spam_from_many_principals_costs_at_most_one_xrc_call_per_rate_age() {
    let env = Env::new();
    for n in 1..=200u8 {
        // No allowance: every deposit fails at the ledger, after the rate.
        let _ = block_on(deposit_icp(&env.o, user(n), deposit(ICP)));
    }
    assert_eq!(env.calls(Method::Xrc), 1);
    assert_eq!(env.rt.cycles_spent(), XRC_REQUIRED_CYCLES);
    assert_eq!(env.calls(Method::TransferFrom), 200);
    env.check_exact();
}

#[test]
fn only_controllers_change_the_configuration_and_every_change_is_journaled() {
    let env = Env::new();
    let controller = env.rt.controller();
    let e = set_config(&env.o, user(1), ConfigArg { fee_bps: Some(0), ..Default::default() }).unwrap_err();
    assert!(matches!(e, Error::NotAuthorized { .. }));
    let e = set_config(&env.o, controller, ConfigArg { fee_bps: Some(9_999), ..Default::default() }).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }));
    let c = set_config(&env.o, controller, ConfigArg { fee_bps: Some(250), ..Default::default() }).unwrap();
    assert_eq!(c.fee_bps, 250);
    assert_eq!(block_on(quote(&env.o, user(1), ICP)).unwrap().fee_uakt, 200_000);
    let j = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(controller), start: None, length: 10 }));
    assert_eq!(j.total, 1);
    assert!(matches!(&j.entries[0].change, Change::ConfigChanged { arg, .. } if arg.fee_bps == Some(250)));
    // Pausing stops money in; unpausing restores it.
    set_config(&env.o, controller, ConfigArg { paused: Some(true), ..Default::default() }).unwrap();
    assert_eq!(block_on(deposit_icp(&env.o, user(1), deposit(ICP))), Err(Error::Paused));
    set_config(&env.o, controller, ConfigArg { paused: Some(false), ..Default::default() }).unwrap();
    assert!(!matches!(block_on(deposit_icp(&env.o, user(1), deposit(ICP))), Err(Error::Paused)));
}

#[test]
fn metrics_and_logs_are_served_over_http() {
    use ic_akash_orchestrator::metrics::http_request;
    use ic_akash_orchestrator_types::HttpRequest;
    let env = Env::new();
    let alice = user(1);
    env.fund(alice, 10 * ICP, 5 * ICP);
    block_on(deposit_icp(&env.o, alice, deposit(ICP))).unwrap();
    env.rt.advance_secs(600);
    env.rt.world().xrc.next_errors.push_back(ExchangeRateError::InconsistentRatesReceived);
    assert!(block_on(quote(&env.o, alice, ICP)).is_err());
    let get = |url: &str| http_request(&env.o, &HttpRequest { method: "GET".into(), url: url.into(), headers: vec![], body: vec![] });
    let metrics = get("/metrics");
    assert_eq!(metrics.status_code, 200);
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(text.lines().any(|l| l.starts_with(&format!("ic_akash_icp_received_e8s {ICP} "))), "{text}");
    assert!(text.contains("# TYPE ic_akash_available_uakt gauge"));
    let logs: serde_json::Value = serde_json::from_slice(&get("/logs?x=1").body).unwrap();
    let xrc_failed = |e: &serde_json::Value| {
        e["priority"] == "warn" && e["message"].as_str().is_some_and(|m| m.starts_with("rate:") && m.contains("InconsistentRatesReceived"))
    };
    assert!(logs["entries"].as_array().unwrap().iter().any(xrc_failed), "{logs}");
    assert_eq!(get("/nope").status_code, 404);
}
