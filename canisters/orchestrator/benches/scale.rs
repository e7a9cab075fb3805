//! Scale: the orchestrator's calls against a stable memory holding many principals and a long
//! journal (the 100k principals and 1M journal entries), to show that no update call,
//! query or `post_upgrade` grows with the data.
//!
//! `bash scripts/scale-bench.sh` is the way to run it: it builds this binary, writes the images
//! (`populate`) and runs every operation (`measure`) under `valgrind --tool=callgrind`, which
//! counts the instructions of the measured function alone (`--toggle-collect`), at a small and a
//! large size. `cargo bench -p ic-akash-orchestrator --bench scale` runs the same operations
//! natively once per size and prints wall-clock times (indicative only).
//!
//! Instructions counted here are x86-64 instructions of the native build; the IC counts wasm
//! instructions of the wasm build. They are not the same number, but the same order, and what the
//! benchmark shows is the ratio between the sizes and the headroom under the IC's limits.

use candid::Principal;
use ic_akash_orchestrator::canister::Orchestrator;
use ic_akash_orchestrator::deployments;
use ic_akash_orchestrator::lifecycle;
use ic_akash_orchestrator::notify::deposit_account;
use ic_akash_orchestrator::runtime::fake::akash::AkashSim;
use ic_akash_orchestrator::runtime::fake::{block_on, FakeRuntime};
use ic_akash_orchestrator::runtime::{Runtime, Task};
use ic_akash_orchestrator::storage::RawMemory;
use ic_akash_orchestrator::{deposit, metrics, mint, notify, queries, tasks, withdraw};
use ic_akash_orchestrator_types::{
    ConfigArg, CreateDeploymentArg, DepositIcpArg, GetJournalArg, HttpRequest, MintActArg, NotifyDepositArg, OrchestratorArg, Quote, Rate,
    RateSource, WithdrawArg,
};
use icrc_ledger_types::icrc1::account::Account;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

const ENDPOINT: &str = "https://api.scale.test";
const CHAIN_ID: &str = "akashnet-2";
const E8S_PER_ICP: u64 = 100_000_000;
/// Block indices the populated history credited; the measured calls' ledger starts at 0.
const HISTORY_BLOCK_BASE: u64 = 1 << 40;

/// A history: `principals` principals credited once each, then reservations and releases spread
/// over them until the journal holds `entries` entries.
#[derive(Clone, Copy, Debug)]
struct Size {
    principals: u64,
    entries: u64,
}

const SMALL: Size = Size { principals: 1_000, entries: 10_000 };
const LARGE: Size = Size { principals: 100_000, entries: 1_000_000 };

fn config() -> ConfigArg {
    ConfigArg { akash_api_urls: Some(vec![ENDPOINT.into()]), akash_chain_id: Some(CHAIN_ID.into()), akash_read_quorum: Some(1), ..Default::default() }
}

fn principal(n: u64) -> Principal {
    let mut bytes = [7u8; 10];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    Principal::from_slice(&bytes)
}

/// The quote a history credit uses: 1 ICP at 8 AKT, 1% fee (the values only need to add up).
fn history_quote(now_nanos: u64) -> Quote {
    Quote {
        icp_e8s: E8S_PER_ICP,
        gross_uakt: 8_000_000,
        fee_uakt: 80_000,
        uakt: 7_920_000,
        fee_bps: 100,
        rate: Rate { numerator: 8_000_000, denominator: 1, uakt_per_icp: 8_000_000, source: RateSource::IcpAkt, timestamp_secs: now_nanos / 1_000_000_000 },
    }
}

/// Writes the history of `size` through the state's own changes (what the flows call), and
/// returns the stable memory image.
fn populate(size: Size) -> RawMemory {
    let rt = FakeRuntime::new();
    let raw = RawMemory::default();
    let o = lifecycle::init(rt.clone(), raw.clone(), Some(OrchestratorArg::Init(config()))).expect("init");
    let now = rt.time_nanos();
    o.mutate(|s| {
        for i in 0..size.principals {
            s.credit(now, principal(i), HISTORY_BLOCK_BASE + i, None, history_quote(now));
        }
        let mut written = s.stats().journal_entries;
        let mut i = 0u64;
        while written < size.entries {
            // A multiplicative step visits the principals in a scattered order.
            let p = principal(i.wrapping_mul(7_919) % size.principals);
            s.reserve(now, p, 1_000, "scale".into()).expect("reserve");
            s.release(now, p, 1_000, "scale".into()).expect("release");
            written += 2;
            i += 1;
        }
    });
    let stats = o.read(|s| s.stats());
    assert_eq!(stats.principals, size.principals);
    assert!(stats.journal_entries >= size.entries);
    raw
}

/// A canister version after an upgrade over `image`, with the simulated chain and ledger a
/// measured call needs (none of it is in stable memory).
struct Canister {
    rt: FakeRuntime,
    o: Orchestrator<FakeRuntime>,
}

fn upgrade(image: RawMemory) -> Canister {
    let rt = FakeRuntime::new();
    let o = lifecycle::post_upgrade(rt.clone(), image, None).expect("post_upgrade");
    let sim = AkashSim::new(CHAIN_ID, &[ENDPOINT], rt.time_nanos()).shared();
    rt.set_http_service(sim.clone());
    let treasury = block_on(ic_akash_orchestrator::akash::keys::signer_account(&o, ic_akash_orchestrator::storage::SignerId::Treasury))
        .expect("treasury key")
        .address;
    sim.borrow_mut().mint(&treasury, 1_000_000_000_000, "uakt");
    Canister { rt, o }
}

/// A principal of the history, in the middle of the key space.
fn old_principal(size: Size) -> Principal {
    principal(size.principals / 2)
}

fn fund(c: &Canister, p: Principal) {
    let me = Account { owner: c.rt.canister_id(), subaccount: None };
    let now = c.rt.time_nanos();
    let mut w = c.rt.world();
    w.ledger.mint(now, &Account { owner: p, subaccount: None }, 10 * E8S_PER_ICP);
    w.ledger.approve(now, p, &me, 10 * E8S_PER_ICP, None, None).expect("approve");
}

const WEB_SDL: &str = include_str!("../../../examples/web.yaml");

/// The operations measured. Each `measure_*` function is one call as the canister runs it (a
/// whole update call, awaits included), and nothing else: callgrind counts it alone.
const OPS: &[&str] = &[
    "post_upgrade",
    "deposit_icp_existing",
    "deposit_icp_new",
    "notify_deposit",
    "withdraw",
    "mint_act",
    "create_deployment",
    "close_deployment",
    "open_akash_account",
    "set_config",
    "timer_akash_pipeline",
    "timer_deployments",
    "get_balance",
    "get_journal_principal",
    "get_journal_tail",
    "get_stats",
    "http_metrics",
];

#[inline(never)]
fn measure_post_upgrade(image: RawMemory) -> Canister {
    black_box(upgrade(image))
}

fn deposit_icp(c: &Canister, p: Principal, which: &str) {
    // Distinct arguments keep the compiler from merging the two measured functions into one.
    black_box(which);
    let arg = DepositIcpArg { amount_e8s: E8S_PER_ICP, beneficiary: None, from_subaccount: None };
    black_box(block_on(deposit::deposit_icp(&c.o, p, arg)).expect("deposit_icp"));
}

#[inline(never)]
fn measure_deposit_icp_existing(c: &Canister, p: Principal) {
    deposit_icp(c, p, "existing")
}

#[inline(never)]
fn measure_deposit_icp_new(c: &Canister, p: Principal) {
    deposit_icp(c, p, "new")
}

#[inline(never)]
fn measure_notify_deposit(c: &Canister, p: Principal, block_index: u64) {
    black_box(block_on(notify::notify_deposit(&c.o, p, NotifyDepositArg { block_index, beneficiary: None })).expect("notify_deposit"));
}

#[inline(never)]
fn measure_withdraw(c: &Canister, p: Principal, to: String) {
    black_box(block_on(withdraw::withdraw(&c.o, p, WithdrawArg { to_akash_address: to, amount_uakt: 1_000_000, owner: None })).expect("withdraw"));
}

#[inline(never)]
fn measure_mint_act(c: &Canister, p: Principal) {
    black_box(block_on(mint::mint_act(&c.o, p, MintActArg { amount_uakt: 1_000_000, owner: None })).expect("mint_act"));
}

/// A deployment of `p` paying for its ACT with a mint; its id.
fn create_deployment(c: &Canister, p: Principal) -> u64 {
    let arg = CreateDeploymentArg { sdl: WEB_SDL.into(), deposit_uact: 1_000_000, mint_uakt: Some(2_000_000), ..Default::default() };
    block_on(deployments::create_deployment(&c.o, p, arg)).expect("create_deployment")
}

#[inline(never)]
fn measure_create_deployment(c: &Canister, p: Principal) {
    black_box(create_deployment(c, p));
}

#[inline(never)]
fn measure_close_deployment(c: &Canister, p: Principal, id: u64) {
    black_box(deployments::close_deployment(&c.o, p, id).expect("close_deployment"));
}

#[inline(never)]
fn measure_open_akash_account(c: &Canister, p: Principal) {
    black_box(block_on(ic_akash_orchestrator::owner_account::open_akash_account(&c.o, p)).expect("open_akash_account"));
}

#[inline(never)]
fn measure_set_config(c: &Canister) {
    let arg = ConfigArg { fee_bps: Some(120), ..Default::default() };
    black_box(lifecycle::set_config(&c.o, c.rt.controller(), arg).expect("set_config"));
}

#[inline(never)]
fn measure_timer_deployments(c: &Canister) {
    block_on(tasks::run(&c.o, Task::Deployments));
}

#[inline(never)]
fn measure_timer_akash_pipeline(c: &Canister) {
    block_on(tasks::run(&c.o, Task::AkashPipeline));
}

#[inline(never)]
fn measure_get_balance(c: &Canister, p: Principal) {
    black_box(queries::get_balance(&c.o, p, None));
}

#[inline(never)]
fn measure_get_journal_principal(c: &Canister, p: Principal) {
    let total = queries::get_journal(&c.o, GetJournalArg { principal: Some(p), start: None, length: 0 }).total;
    let arg = GetJournalArg { principal: Some(p), start: Some(total.saturating_sub(100)), length: 100 };
    black_box(queries::get_journal(&c.o, arg));
}

#[inline(never)]
fn measure_get_journal_tail(c: &Canister) {
    let total = c.o.read(|s| s.stats().journal_entries);
    black_box(queries::get_journal(&c.o, GetJournalArg { principal: None, start: Some(total.saturating_sub(100)), length: 100 }));
}

#[inline(never)]
fn measure_get_stats(c: &Canister) {
    black_box(queries::get_stats(&c.o));
}

#[inline(never)]
fn measure_http_metrics(c: &Canister) {
    let req = HttpRequest { method: "GET".into(), url: "/metrics".into(), headers: vec![], body: vec![] };
    black_box(metrics::http_request(&c.o, &req));
}

/// An Akash address to withdraw to.
fn destination() -> String {
    let key = ic_akash::signer::LocalSigner::from_bytes(&[3; 32]).expect("key");
    ic_akash::address::address_of(&ic_akash::signer::Signer::public_key(&key))
}

/// Runs `op` once over `image` (with what it needs set up outside the measured function).
fn run(op: &str, image: RawMemory, size: Size) {
    if op == "post_upgrade" {
        measure_post_upgrade(image);
        return;
    }
    let c = upgrade(image);
    let old = old_principal(size);
    match op {
        "deposit_icp_existing" => {
            fund(&c, old);
            measure_deposit_icp_existing(&c, old);
        }
        "deposit_icp_new" => {
            let p = principal(size.principals + 1);
            fund(&c, p);
            measure_deposit_icp_new(&c, p);
        }
        "notify_deposit" => {
            fund(&c, old);
            let to = deposit_account(c.rt.canister_id(), old).account;
            let to = Account { owner: to.owner, subaccount: to.subaccount.map(|s| s.try_into().expect("32 bytes")) };
            let now = c.rt.time_nanos();
            let block = c.rt.world().ledger.transfer(now, old, None, &to, E8S_PER_ICP, None, Some(now)).expect("transfer");
            measure_notify_deposit(&c, old, block);
        }
        "withdraw" => measure_withdraw(&c, old, destination()),
        "mint_act" => measure_mint_act(&c, old),
        "create_deployment" => measure_create_deployment(&c, old),
        "close_deployment" => {
            let id = create_deployment(&c, old);
            measure_close_deployment(&c, old, id);
        }
        "open_akash_account" => measure_open_akash_account(&c, old),
        "set_config" => measure_set_config(&c),
        "timer_deployments" => {
            create_deployment(&c, old);
            measure_timer_deployments(&c);
        }
        "timer_akash_pipeline" => {
            // A withdrawal and a mint are queued for the treasury's next transaction.
            block_on(withdraw::withdraw(&c.o, old, WithdrawArg { to_akash_address: destination(), amount_uakt: 1_000_000, owner: None })).expect("withdraw");
            block_on(mint::mint_act(&c.o, principal(1), MintActArg { amount_uakt: 1_000_000, owner: None })).expect("mint_act");
            measure_timer_akash_pipeline(&c);
            assert!(c.o.read(|s| s.stats().akash_msgs_pending) > 0, "the pipeline moved the messages into a transaction");
        }
        "get_balance" => measure_get_balance(&c, old),
        "get_journal_principal" => measure_get_journal_principal(&c, old),
        "get_journal_tail" => measure_get_journal_tail(&c),
        "get_stats" => measure_get_stats(&c),
        "http_metrics" => measure_http_metrics(&c),
        _ => panic!("unknown operation {op}; one of {OPS:?}"),
    }
}

fn size_named(name: &str) -> Size {
    match name {
        "small" => SMALL,
        "large" => LARGE,
        _ => panic!("size is small or large, not {name}"),
    }
}

fn image_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("scale-{name}.img"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        // scale populate DIR SIZE: writes DIR/scale-SIZE.img
        ["populate", dir, name] => {
            let started = Instant::now();
            let raw = populate(size_named(name));
            let bytes = raw.to_bytes();
            std::fs::write(image_path(Path::new(dir), name), &bytes).expect("write image");
            eprintln!("{name}: {} MiB of stable memory in {:.1?}", bytes.len() >> 20, started.elapsed());
        }
        // scale measure DIR SIZE OP: runs OP once (under callgrind, the script counts it)
        ["measure", dir, name, op] => {
            let bytes = std::fs::read(image_path(Path::new(dir), name)).expect("read image (run populate first)");
            run(op, RawMemory::from_bytes(bytes), size_named(name));
        }
        ["ops"] => println!("{}", OPS.join("\n")),
        // cargo bench: every operation once per size, natively, with wall-clock times.
        [] => {
            for (name, size) in [("small", SMALL), ("large", LARGE)] {
                let started = Instant::now();
                let raw = populate(size);
                println!("{name} ({size:?}): populated in {:.1?}", started.elapsed());
                for op in OPS {
                    let image = raw.image();
                    let started = Instant::now();
                    run(op, image, size);
                    println!("  {op:<24} {:>10.1?} (set-up included)", started.elapsed());
                }
            }
        }
        other => panic!("usage: scale [populate DIR small|large | measure DIR small|large OP | ops], not {other:?}"),
    }
}
