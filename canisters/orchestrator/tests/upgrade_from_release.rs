//! Upgrades from released versions: each `tests/fixtures/release-<rev>.stable.gz` is the stable
//! memory a release wrote after a realistic history (`scripts/release-fixture.sh <rev>`, which
//! runs `tests/fixtures/generator.rs` with that release's code), and `release-<rev>.json` what it
//! holds. The current code opens it with `post_upgrade`, must read back every value, keep the
//! books' invariants, and go on working.
//!
//! What is not in stable memory is not in the image: the simulated ledger and chain. A fresh
//! ledger is brought to the release's length and holds what the orchestrator held, so block
//! indexes continue; no Akash chain is reachable, so the active deployment is only checked to be
//! active and scheduled, and to stay so when its chain read fails.

mod support;

use candid::Principal;
use ic_akash_orchestrator::deployments::views;
use ic_akash_orchestrator::deposit::deposit_icp;
use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::queries::get_config;
use ic_akash_orchestrator::runtime::fake::{block_on, FakeRuntime};
use ic_akash_orchestrator::runtime::{Runtime, Task};
use ic_akash_orchestrator::storage::{RawMemory, SignerId};
use ic_akash_orchestrator_types::{Change, DeploymentEvent, DeploymentState, GetDeploymentHistoryArg, GetJournalArg, HttpRequest};
use icrc_ledger_types::icrc1::account::Account;
use serde_json::Value;
use std::io::Read;
use support::{deposit, user, Env, ICP};

struct Fixture {
    name: String,
    image: Vec<u8>,
    expected: Value,
}

fn fixtures() -> Vec<Fixture> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_prefix("release-").and_then(|n| n.strip_suffix(".json")) else { continue };
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let gz = std::fs::read(dir.join(format!("release-{stem}.stable.gz"))).unwrap();
        let mut image = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut image).unwrap();
        out.push(Fixture { name: stem.to_string(), image, expected });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn principal(v: &Value) -> Principal {
    Principal::from_text(v.as_str().unwrap()).unwrap()
}

/// The current code on the release's image, in a world at the release's time whose ledger
/// continues the release's.
fn open(f: &Fixture) -> Env {
    let rt = FakeRuntime::new();
    rt.world().now_nanos = u(&f.expected["now_nanos"]);
    let me = Account { owner: rt.canister_id(), subaccount: None };
    let now = rt.time_nanos();
    rt.world().ledger.mint(now, &me, u(&f.expected["icp_held_e8s"]));
    let filler = Account { owner: Principal::from_slice(&[0xF1; 8]), subaccount: None };
    while rt.world().ledger.chain_length() < u(&f.expected["ledger_chain_length"]) {
        rt.world().ledger.mint(now, &filler, 1);
    }
    let raw = RawMemory::from_bytes(f.image.clone());
    let o = lifecycle::post_upgrade(rt.clone(), raw.clone(), None).unwrap_or_else(|e| panic!("release {}: post_upgrade: {e}", f.name));
    Env { rt, raw, o, beneficiaries: Vec::new(), chain: None, providers: None }
}

fn check_values(f: &Fixture, env: &Env) {
    let e = &f.expected;
    let c = get_config(&env.o);
    let ec = &e["config"];
    assert_eq!(c.ledger_id, principal(&ec["ledger_id"]));
    assert_eq!(c.xrc_id, principal(&ec["xrc_id"]));
    assert_eq!(c.ecdsa_key_name, ec["ecdsa_key_name"].as_str().unwrap());
    assert_eq!(u64::from(c.fee_bps), u(&ec["fee_bps"]));
    assert_eq!(c.min_deposit_e8s, u(&ec["min_deposit_e8s"]));
    assert_eq!(c.paused, ec["paused"].as_bool().unwrap());
    assert_eq!(c.akash_chain_id, ec["akash_chain_id"].as_str().unwrap());
    let urls: Vec<&str> = ec["akash_api_urls"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(c.akash_api_urls, urls);
    assert_eq!(u64::from(c.akash_read_quorum), u(&ec["akash_read_quorum"]));
    assert_eq!(c.withdraw_min_uakt, u(&ec["withdraw_min_uakt"]));
    assert_eq!(c.provider_proxy_url, ec["provider_proxy_url"].as_str().unwrap());

    let stats = env.o.read(|s| s.stats());
    let actual = serde_json::json!({
        "icp_received_e8s": stats.icp_received_e8s,
        "credited_gross_uakt": stats.credited_gross_uakt,
        "fees_uakt": stats.fees_uakt,
        "available_uakt": stats.available_uakt,
        "reserved_uakt": stats.reserved_uakt,
        "principals": stats.principals,
        "journal_entries": stats.journal_entries,
        "withdrawn_uakt": stats.withdrawn_uakt,
        "chain_fees_uakt": stats.chain_fees_uakt,
        "burned_uakt": stats.burned_uakt,
        "service_fees_uakt": stats.service_fees_uakt,
        "minted_uact": stats.minted_uact,
        "deployments_active": stats.deployments_active,
        "deployments_total": stats.deployments_total,
        "act_in_escrow_uact": stats.act_in_escrow_uact,
        "act_spent_uact": stats.act_spent_uact,
    });
    assert_eq!(actual, e["stats"], "release {}: totals", f.name);
    assert!(stats.withdrawn_uakt > 0 && stats.minted_uact > 0 && stats.act_spent_uact > 0, "the history has a withdrawal, a mint, a settled escrow");

    for p in e["principals"].as_array().unwrap() {
        let who = principal(&p["principal"]);
        let b = env.o.read(|s| s.balance(&who));
        assert_eq!((b.available_uakt, b.reserved_uakt, b.act_uact), (u(&p["available_uakt"]), u(&p["reserved_uakt"]), u(&p["act_uact"])), "{who}");
        let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(who), start: None, length: 0 }).total);
        assert_eq!(journal, u(&p["journal_len"]), "{who}'s journal");
        let address = env.o.read(|s| s.tx_account(&SignerId::Owner(who)).map(|a| a.address));
        assert_eq!(address.as_deref(), p["akash_address"].as_str(), "{who}'s Akash account");
    }
    let treasury = env.o.read(|s| s.tx_account(&SignerId::Treasury).map(|a| a.address));
    assert_eq!(treasury.as_deref(), e["treasury_address"].as_str());
    let credited: Vec<u64> = e["credited_blocks"].as_array().unwrap().iter().map(u).collect();
    assert!(credited.len() >= 4, "deposit_icp and notify credits: {credited:?}");
    for b in &credited {
        assert!(env.o.read(|s| s.credited(*b)).is_some(), "block {b} credited");
    }

    for d in e["deployments"].as_array().unwrap() {
        let (id, owner) = (u(&d["id"]), principal(&d["owner"]));
        let v = views::get_deployment(&env.o, owner, id).unwrap();
        let state = match v.state {
            DeploymentState::Active => "active",
            DeploymentState::Closed { .. } => "closed",
            DeploymentState::Failed { .. } => "failed",
            _ => "in progress",
        };
        assert_eq!(state, d["state"].as_str().unwrap(), "deployment {id}");
        assert_eq!(v.dseq, d["dseq"].as_u64());
        assert_eq!(v.sdl_hash, d["sdl_hash"].as_str().unwrap());
        assert_eq!(v.leases.first().map(|l| l.provider.as_str()), d["provider"].as_str());
        assert_eq!((v.cost.deposited_uact, v.cost.refunded_uact), (u(&d["deposited_uact"]), u(&d["refunded_uact"])));
        let history = views::get_deployment_history(&env.o, owner, GetDeploymentHistoryArg { deployment_id: id, start: None, length: 100 }).unwrap();
        assert_eq!(history.total, u(&d["history_len"]), "deployment {id}'s history");
        assert_eq!(history.entries.len() as u64, history.total.min(100), "the history reads back");
        if let DeploymentState::Closed { refund_uact, .. } = v.state {
            assert_eq!(Some(refund_uact), d["refund_uact"].as_u64());
            assert!(refund_uact > 0);
            let closed = history.entries.iter().any(|j| {
                matches!(&j.change, Change::Deployment { deployment_id, event: DeploymentEvent::Closed { refund_uact: r, .. } } if *deployment_id == id && *r == refund_uact)
            });
            assert!(closed, "the close and its refund are in the history");
        }
    }
}

#[test]
fn every_release_image_opens_with_the_current_code_and_keeps_working() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "no release fixture in tests/fixtures (scripts/release-fixture.sh <rev>)");
    for f in &fixtures {
        let env = open(f);
        check_values(f, &env);
        env.check();
        let e = &f.expected;

        // Deployments that ended before this code counted them are counted at the upgrade.
        let metrics = metrics_page(&env);
        let states: Vec<&str> = e["deployments"].as_array().unwrap().iter().map(|d| d["state"].as_str().unwrap()).collect();
        for state in ["active", "closed"] {
            let n = states.iter().filter(|s| **s == state).count();
            assert!(metrics.lines().any(|l| l.starts_with(&format!("ic_akash_deployments{{state=\"{state}\"}} {n} "))), "{state}: {metrics}");
        }

        // The active deployment is scheduled again; its check needs the chain, which is not in
        // stable memory: with no chain reachable it stays active and is checked again later.
        let now = env.now();
        assert!(env.rt.pending_timers().contains(&(now, Task::Deployments)), "{:?}", env.rt.pending_timers());
        env.rt.run_due_timers(&env.o);
        for d in e["deployments"].as_array().unwrap().iter().filter(|d| d["state"] == "active") {
            let (id, owner) = (u(&d["id"]), principal(&d["owner"]));
            assert_eq!(views::get_deployment(&env.o, owner, id).unwrap().state, DeploymentState::Active);
            let next = env.o.read(|s| s.deployment(id).unwrap().next_step_secs);
            assert!(next > now / 1_000_000_000, "its next check is scheduled");
        }
        assert!(env.rt.pending_timers().iter().any(|(_, t)| *t == Task::Deployments), "the deployments timer runs on");
        env.check();

        // A new deposit credits, with the next block index and the next journal position.
        let journal_len = u(&e["stats"]["journal_entries"]);
        let dave = user(4);
        env.fund(dave, 3 * ICP, 2 * ICP);
        let credit = block_on(deposit_icp(&env.o, dave, deposit(ICP))).unwrap();
        assert!(credit.block_index >= u(&e["ledger_chain_length"]));
        assert!(credit.balance.available_uakt > 0);
        let page = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(dave), start: None, length: 10 }));
        let seqs: Vec<u64> = page.entries.iter().map(|j| j.seq).collect();
        assert_eq!(seqs, vec![journal_len, journal_len + 1], "the journal continues where the release left it");
        env.check_exact();
    }
}

fn metrics_page(env: &Env) -> String {
    let r = ic_akash_orchestrator::metrics::http_request(&env.o, &HttpRequest { method: "GET".into(), url: "/metrics".into(), headers: vec![], body: vec![] });
    String::from_utf8(r.body).unwrap()
}
