//! SNS DAOs as owners, natively: an owner P hands control to a governance canister G; from then
//! on only G (proposals executed by the DAO) creates, tops up, updates and closes P's deployments
//! and moves P's AKT, against the simulated chain and providers. And the `validate_*` methods SNS
//! governance calls before a proposal is voted on: the request rendered for voters, the target's
//! own checks, and not one byte of state changed.

mod support;

use candid::Principal;
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::governance::set_owner_governance;
use ic_akash_orchestrator::mint::mint_act;
use ic_akash_orchestrator::proposals;
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator::runtime::Runtime;
use ic_akash_orchestrator::withdraw::withdraw;
use ic_akash_orchestrator_types::{
    Attribute, AutoTopUp, Change, ConfigArg, CreateDeploymentArg, DeploymentState, DeploymentView, DepositIcpArg, Error, GetJournalArg,
    GetProviderTokenArg, ListDeploymentsArg, MintActArg, NotifyDepositArg, ProviderPolicy, SetOwnerGovernanceArg, TopUpDeploymentArg,
    UpdateDeploymentArg, WithdrawArg,
};
use support::{dest, provider_pair, user, Env};

/// The DAO's governance canister, the owner it governs, and a stranger.
const GOV: u8 = 90;
const OWNER: u8 = 1;
const STRANGER: u8 = 2;

const DEPOSIT_UACT: u64 = 5_000_000;

fn web_sdl() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap()
}

/// Six seconds of the world, then the books and the chain.
fn tick(env: &Env) {
    env.run_for(6);
    env.check();
}

/// Steps until the deployment, as `viewer` sees it, satisfies `pred`.
fn wait_for(env: &Env, viewer: Principal, id: u64, max_secs: u64, pred: impl Fn(&DeploymentView) -> bool) -> DeploymentView {
    for _ in 0..=max_secs / 6 {
        let v = views::get_deployment(&env.o, viewer, id).unwrap();
        if pred(&v) {
            return v;
        }
        tick(env);
    }
    panic!("deployment {id} never got there: {:?}", views::get_deployment(&env.o, viewer, id).unwrap().state);
}

/// `caller` (P itself, or G for P) burns `akt` AKT of P's for ACT and waits for the ACT.
fn mint_for(env: &Env, caller: Principal, owner: Principal, akt: u64) {
    let before = env.o.read(|s| s.balance(&owner).act_uact);
    block_on(mint_act(&env.o, caller, MintActArg { amount_uakt: akt * 1_000_000, owner: Some(owner) })).unwrap();
    for _ in 0..200 {
        if env.o.read(|s| s.balance(&owner).act_uact) > before {
            return;
        }
        tick(env);
    }
    panic!("no ACT minted for {owner}");
}

/// One provider bidding 300 uact per block, and the owner P holding AKT and the ACT that
/// `act_akt` AKT mint; returns the provider's address.
fn market_with_funded_owner(act_akt: u64) -> (Env, String) {
    let (p1, s1) = provider_pair(1, "300");
    let provider = p1.address.clone();
    let env = Env::with_market(ConfigArg::default(), vec![(p1, s1)]);
    env.credit_akt(user(OWNER), 20);
    mint_for(&env, user(OWNER), user(OWNER), act_akt);
    (env, provider)
}

fn governs(env: &Env, caller: Principal, owner: Principal, governance: Option<Principal>) -> Result<(), Error> {
    set_owner_governance(&env.o, caller, SetOwnerGovernanceArg { owner, governance })
}

fn create_arg(owner: Principal) -> CreateDeploymentArg {
    CreateDeploymentArg { sdl: web_sdl(), deposit_uact: DEPOSIT_UACT, owner: Some(owner), ..Default::default() }
}

fn governed(owner: Principal, gov: Principal) -> Error {
    Error::OwnerGoverned { owner, governance: gov }
}

#[test]
fn only_the_governance_canister_acts_for_a_governed_owner() {
    let (env, provider) = market_with_funded_owner(10);
    let (owner, gov, stranger) = (user(OWNER), user(GOV), user(STRANGER));

    // Handing control to the DAO: by the owner itself, journaled; nobody else may.
    assert_eq!(governs(&env, Principal::anonymous(), owner, Some(gov)), Err(Error::AnonymousCaller));
    assert!(matches!(governs(&env, stranger, owner, Some(gov)), Err(Error::NotAuthorized { .. })));
    governs(&env, owner, owner, Some(gov)).unwrap();
    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(owner), start: None, length: 100 }));
    assert_eq!(journal.entries.last().unwrap().change, Change::OwnerGovernanceSet { by: owner, governance: Some(gov) });
    assert_eq!(governs(&env, owner, owner, None), Err(governed(owner, gov)), "the owner cannot take control back");
    assert_eq!(governs(&env, stranger, owner, Some(stranger)), Err(governed(owner, gov)));

    // Creating: only G, for P, paid from P's balances.
    let create = |caller| block_on(deployments::create_deployment(&env.o, caller, create_arg(owner)));
    assert_eq!(create(owner), Err(governed(owner, gov)));
    assert_eq!(create(stranger), Err(governed(owner, gov)));
    let ungoverned = CreateDeploymentArg { owner: Some(stranger), ..create_arg(owner) };
    assert!(matches!(block_on(deployments::create_deployment(&env.o, gov, ungoverned)), Err(Error::NotAuthorized { .. })), "G governs P only");
    let act_before = env.o.read(|s| s.balance(&owner).act_uact);
    let id = create(gov).unwrap();
    assert_eq!(env.o.read(|s| s.balance(&owner).act_uact), act_before - DEPOSIT_UACT, "P's ACT pays the deposit");
    assert_eq!(env.o.read(|s| s.balance(&gov)), Default::default(), "G holds nothing and paid nothing");
    assert_eq!(block_on(ic_akash_orchestrator::owner_account::open_akash_account(&env.o, owner)), Err(governed(owner, gov)));

    let v = wait_for(&env, gov, id, 1200, |v| v.state == DeploymentState::Active);
    assert_eq!(v.owner, owner);
    assert_eq!(v.leases[0].provider, provider);
    // Both P and G read it; nobody else does.
    assert_eq!(views::get_deployment(&env.o, owner, id).unwrap().deployment_id, id);
    assert_eq!(views::get_deployment(&env.o, stranger, id), Err(Error::DeploymentNotFound { deployment_id: id }));
    let page = views::list_deployments(&env.o, gov, ListDeploymentsArg { owner: Some(owner), after: None, length: 10 }).unwrap();
    assert_eq!(page.deployments.len(), 1);
    assert!(views::list_deployments(&env.o, stranger, ListDeploymentsArg { owner: Some(owner), after: None, length: 10 }).is_err());

    // Top-up, update, provider token: G yes; P gets the typed error; a stranger finds nothing.
    let top = |caller| block_on(deployments::top_up_deployment(&env.o, caller, TopUpDeploymentArg { deployment_id: id, amount_uact: 1_000_000 }));
    assert_eq!(top(owner).unwrap_err(), governed(owner, gov));
    assert_eq!(top(stranger).unwrap_err(), Error::DeploymentNotFound { deployment_id: id });
    top(gov).unwrap();
    wait_for(&env, gov, id, 600, |v| v.cost.deposited_uact == DEPOSIT_UACT + 1_000_000);
    let update = |caller| {
        let sdl = web_sdl().replace("nginx:1.27", "nginx:1.28");
        block_on(deployments::update_deployment(&env.o, caller, UpdateDeploymentArg { deployment_id: id, sdl }))
    };
    assert_eq!(update(owner).unwrap_err(), governed(owner, gov));
    update(gov).unwrap();
    let new_hash = hex::encode(ic_akash::sdl::parse(&web_sdl().replace("nginx:1.27", "nginx:1.28")).unwrap().version());
    wait_for(&env, gov, id, 1200, |v| v.state == DeploymentState::Active && v.sdl_hash == new_hash);
    let token = GetProviderTokenArg { deployment_id: id, scopes: vec!["status".into()], ttl_secs: None };
    assert_eq!(block_on(deployments::get_provider_token(&env.o, owner, token.clone())).unwrap_err(), governed(owner, gov));
    assert_eq!(block_on(deployments::get_provider_token(&env.o, gov, token)).unwrap().providers[0].0, provider);

    // Closing: the refund is P's.
    assert_eq!(deployments::close_deployment(&env.o, owner, id).unwrap_err(), governed(owner, gov));
    assert_eq!(deployments::close_deployment(&env.o, stranger, id).unwrap_err(), Error::DeploymentNotFound { deployment_id: id });
    let act_open = env.o.read(|s| s.balance(&owner).act_uact);
    deployments::close_deployment(&env.o, gov, id).unwrap();
    let v = wait_for(&env, gov, id, 600, |v| matches!(v.state, DeploymentState::Closed { .. }));
    let DeploymentState::Closed { refund_uact, .. } = v.state else { unreachable!() };
    assert!(refund_uact > 0);
    assert!(env.run_until_idle(600));
    assert_eq!(env.o.read(|s| s.balance(&owner).act_uact), act_open + refund_uact, "the refund went to P");

    // AKT out and mints: G for P; P and strangers refused.
    let to = dest(7);
    let w = |caller, amount_uakt| {
        block_on(withdraw(&env.o, caller, WithdrawArg { amount_uakt, to_akash_address: to.clone(), owner: Some(owner) }))
    };
    assert_eq!(w(owner, 2_000_000), Err(governed(owner, gov)));
    assert_eq!(w(stranger, 2_000_000), Err(governed(owner, gov)));
    let available = env.o.read(|s| s.balance(&owner).available_uakt);
    w(gov, 2_000_001).unwrap();
    assert!(env.o.read(|s| s.balance(&owner).available_uakt) < available - 2_000_001, "P's AKT is set aside");
    assert!(env.run_until_idle(600));
    assert_eq!(env.sim().balance(&to, "uakt"), 2_000_001, "the withdrawal landed");
    let mint = |caller| block_on(mint_act(&env.o, caller, MintActArg { amount_uakt: 1_000_000, owner: Some(owner) }));
    assert_eq!(mint(owner), Err(governed(owner, gov)));
    mint_for(&env, gov, owner, 1);
    env.check_chain();

    // G hands control back; from then on P acts alone again and G no longer does.
    governs(&env, gov, owner, None).unwrap();
    assert!(matches!(mint(gov), Err(Error::NotAuthorized { .. })));
    mint(owner).unwrap();
    assert_eq!(views::get_deployment(&env.o, gov, id), Err(Error::DeploymentNotFound { deployment_id: id }));
    let journal = env.o.read(|s| s.journal_page(&GetJournalArg { principal: Some(owner), start: None, length: 100 }));
    let changes: Vec<&Change> = journal.entries.iter().map(|e| &e.change).filter(|c| matches!(c, Change::OwnerGovernanceSet { .. })).collect();
    assert_eq!(changes, vec![&Change::OwnerGovernanceSet { by: owner, governance: Some(gov) }, &Change::OwnerGovernanceSet { by: gov, governance: None }]);
}

#[test]
fn a_governance_canister_is_an_owner_of_its_own_and_may_hand_over_to_another() {
    let env = Env::new();
    let (owner, gov, next) = (user(OWNER), user(GOV), user(STRANGER));
    env.credit_akt(gov, 5);
    // G with no governance of its own acts for itself by the plain rule.
    let w = WithdrawArg { amount_uakt: 1_000_000, to_akash_address: dest(3), owner: None };
    assert!(proposals::validate_withdraw(&env.o, gov, w.clone()).is_ok());
    assert!(proposals::validate_withdraw(&env.o, gov, WithdrawArg { owner: Some(gov), ..w }).is_ok());
    governs(&env, owner, owner, Some(gov)).unwrap();
    // G hands P over to another governance: only that one acts for P from then on.
    governs(&env, gov, owner, Some(next)).unwrap();
    assert_eq!(governs(&env, gov, owner, None), Err(governed(owner, next)));
    assert_eq!(env.o.read(|s| s.governance_of(&owner)), Some(next));
    governs(&env, next, owner, None).unwrap();
    assert_eq!(env.o.read(|s| s.governance_of(&owner)), None);
}

/// Every byte of the canister's stable memory: what "changes nothing" means.
fn memory(env: &Env) -> Vec<u8> {
    use ic_stable_structures::Memory;
    let mut bytes = vec![0u8; (env.raw.size() * 65_536) as usize];
    env.raw.read(0, &mut bytes);
    bytes
}

/// Runs a validator and checks that stable memory is byte-for-byte what it was.
fn unchanged<T>(env: &Env, f: impl FnOnce() -> T) -> T {
    let before = memory(env);
    let stats = env.o.read(|s| s.stats());
    let out = f();
    assert_eq!(env.o.read(|s| s.stats()), stats);
    assert!(memory(env) == before, "a validator changed stable memory");
    out
}

fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{p:?} not in:\n{text}");
    }
}

#[test]
fn validators_render_the_request_check_it_as_the_target_would_and_change_nothing() {
    let (env, provider) = market_with_funded_owner(20);
    let (owner, gov, stranger) = (user(OWNER), user(GOV), user(STRANGER));
    governs(&env, owner, owner, Some(gov)).unwrap();

    // create_deployment: services, resources, ports, prices, deposit and runway, policy, owner.
    let auditor = dest(11);
    let denied = dest(12);
    let policy = ProviderPolicy {
        deny: vec![denied.clone()],
        required_attributes: vec![Attribute { key: "region".into(), value: "us-west".into() }],
        required_auditors: vec![auditor.clone()],
        ..Default::default()
    };
    let arg = CreateDeploymentArg {
        provider_policy: Some(policy),
        max_price_uact_per_block: Some("800".into()),
        auto_top_up: Some(AutoTopUp { below_runway_secs: 86_400, top_up_runway_secs: 2 * 86_400 }),
        ..create_arg(owner)
    };
    let text = unchanged(&env, || proposals::validate_create_deployment(&env.o, gov, arg.clone())).unwrap();
    let hash = hex::encode(ic_akash::sdl::parse(&web_sdl()).unwrap().version());
    contains_all(&text, &[
        "## Create an Akash deployment",
        &format!("**Owner:** `{}`", owner.to_text()),
        &format!("**Owner's governance:** `{}`", gov.to_text()),
        "**Service web:** image nginx:1.27; 1 × 0.5 CPU, 512 MiB memory, 1 GiB storage; port 80 as 80/TCP to the internet; placement dcloud, at most 1000 uact per block each",
        "**Placement dcloud:** any provider",
        "**Maximum price (SDL):** 1000 uact per block",
        "**Maximum per 30 days:** 432 ACT (432000000 uact)",
        "**Highest bid accepted:** 800 uact per block per group",
        "**Deposit:** 5 ACT (5000000 uact)",
        // 5 ACT at 1000 uact per block: 5000 blocks of 6 s.
        "**Runway at the maximum price:** 8 h 20 min",
        "**Deposit paid from:** the owner's ACT",
        &format!("never {denied}; with attributes region=us-west; audited by any of {auditor}"),
        "**Auto top-up:** when less than 1 d of runway is left, add 2 d",
        "**Service fees (kept):** 0.2 AKT (200000 uakt)",
        &format!("**Manifest hash:** `{hash}`"),
    ]);
    // The target's own checks, as the governance canister calls it.
    let bad = CreateDeploymentArg { sdl: web_sdl().replace("units: 0.5", "units: -1"), ..create_arg(owner) };
    let err = unchanged(&env, || proposals::validate_create_deployment(&env.o, gov, bad)).unwrap_err();
    assert!(err.starts_with("invalid SDL at \"/profiles/compute/web/resources/cpu"), "{err}");
    let err = unchanged(&env, || proposals::validate_create_deployment(&env.o, owner, create_arg(owner))).unwrap_err();
    assert_eq!(err, governed(owner, gov).to_string());
    let err = unchanged(&env, || proposals::validate_create_deployment(&env.o, stranger, create_arg(owner))).unwrap_err();
    assert!(err.contains("governed by"), "{err}");
    let too_much = CreateDeploymentArg { deposit_uact: 1_000_000_000, ..create_arg(owner) };
    let err = unchanged(&env, || proposals::validate_create_deployment(&env.o, gov, too_much)).unwrap_err();
    assert!(err.starts_with("1000000000 uact requested"), "{err}");

    // A running deployment for the others.
    let id = block_on(deployments::create_deployment(&env.o, gov, create_arg(owner))).unwrap();
    let early = UpdateDeploymentArg { deployment_id: id, sdl: web_sdl().replace("nginx:1.27", "nginx:1.28") };
    let err = unchanged(&env, || proposals::validate_update_deployment(&env.o, gov, early.clone())).unwrap_err();
    assert!(err.contains(&format!("deployment {id} is")) && err.contains("only an active deployment"), "{err}");
    let v = wait_for(&env, gov, id, 1200, |v| v.state == DeploymentState::Active);
    let dseq = v.dseq.unwrap().to_string();

    let top = TopUpDeploymentArg { deployment_id: id, amount_uact: 2_000_000 };
    let text = unchanged(&env, || proposals::validate_top_up_deployment(&env.o, gov, top.clone())).unwrap();
    // 2 ACT at the lease's 300 uact per block: 6666 blocks of 6 s.
    contains_all(&text, &[
        "## Top up an Akash deployment's escrow",
        &format!("**Deployment:** {id}"),
        &format!("**dseq:** {dseq}"),
        "**State:** active",
        &format!("**Providers:** `{provider}`"),
        "**Amount:** 2 ACT (2000000 uact)",
        "**Runway added at the leases' price:** 11 h 6 min",
    ]);
    let unknown = TopUpDeploymentArg { deployment_id: 999, amount_uact: 1 };
    assert_eq!(unchanged(&env, || proposals::validate_top_up_deployment(&env.o, gov, unknown)).unwrap_err(), "deployment 999 not found");
    let zero = TopUpDeploymentArg { deployment_id: id, amount_uact: 0 };
    assert_eq!(unchanged(&env, || proposals::validate_top_up_deployment(&env.o, gov, zero)).unwrap_err(), "amount_uact: must be positive");

    let text = unchanged(&env, || proposals::validate_update_deployment(&env.o, gov, early.clone())).unwrap();
    let new_hash = hex::encode(ic_akash::sdl::parse(&early.sdl).unwrap().version());
    contains_all(&text, &[
        "## Update an Akash deployment",
        "**Service web:** image nginx:1.27 → nginx:1.28",
        &format!("**New manifest hash:** `{new_hash}`"),
        &format!("**Manifest hash before:** `{}`", v.sdl_hash),
    ]);
    let bigger = UpdateDeploymentArg { deployment_id: id, sdl: web_sdl().replace("units: 0.5", "units: 1") };
    let err = unchanged(&env, || proposals::validate_update_deployment(&env.o, gov, bigger)).unwrap_err();
    assert!(err.starts_with("sdl: the groups"), "{err}");

    let text = unchanged(&env, || proposals::validate_close_deployment(&env.o, gov, id)).unwrap();
    contains_all(&text, &["## Close an Akash deployment", &format!("**Deployment:** {id}"), &format!("`{provider}`"), "returns to the owner's ACT"]);
    assert_eq!(unchanged(&env, || proposals::validate_close_deployment(&env.o, owner, id)).unwrap_err(), governed(owner, gov).to_string());

    let w = WithdrawArg { amount_uakt: 3_000_000, to_akash_address: dest(5), owner: Some(owner) };
    let text = unchanged(&env, || proposals::validate_withdraw(&env.o, gov, w.clone())).unwrap();
    contains_all(&text, &[
        "## Withdraw AKT to an Akash address",
        &format!("**Owner:** `{}`", owner.to_text()),
        "**Amount:** 3 AKT (3000000 uakt)",
        &format!("**To:** `{}`", dest(5)),
        "**AKT set aside now:** 3.1 AKT (3100000 uakt)",
    ]);
    let broke = WithdrawArg { amount_uakt: u64::MAX / 2, ..w.clone() };
    assert!(unchanged(&env, || proposals::validate_withdraw(&env.o, gov, broke)).unwrap_err().contains("uakt requested"));
    let nowhere = WithdrawArg { to_akash_address: "cosmos1abc".into(), ..w.clone() };
    assert_eq!(unchanged(&env, || proposals::validate_withdraw(&env.o, gov, nowhere)).unwrap_err(), "to_akash_address: not an akash1... address");
    // Validators are free: far more of them than the rate limit allows, and the target still runs.
    for _ in 0..2 * ic_akash_orchestrator::guard::PAID_CALLS_PER_WINDOW {
        proposals::validate_withdraw(&env.o, gov, w.clone()).unwrap();
    }

    let m = MintActArg { amount_uakt: 4_000_000, owner: Some(owner) };
    let text = unchanged(&env, || proposals::validate_mint_act(&env.o, gov, m.clone())).unwrap();
    contains_all(&text, &["## Burn AKT for ACT", "**AKT burned:** 4 AKT (4000000 uakt)", "**AKT set aside now:** 4.1 AKT"]);
    let small = MintActArg { amount_uakt: 1, owner: Some(owner) };
    assert!(unchanged(&env, || proposals::validate_mint_act(&env.o, gov, small)).unwrap_err().starts_with("amount_uakt: at least"));

    let g = SetOwnerGovernanceArg { owner, governance: Some(stranger) };
    let text = unchanged(&env, || proposals::validate_set_owner_governance(&env.o, gov, g.clone())).unwrap();
    contains_all(&text, &[&format!("**Governance now:** `{}`", gov.to_text()), &format!("**Governance after:** `{}`", stranger.to_text())]);
    assert_eq!(unchanged(&env, || proposals::validate_set_owner_governance(&env.o, owner, g.clone())).unwrap_err(), governed(owner, gov).to_string());

    // Money in, for the DAO itself (its treasury pays by transfer, then anyone notifies).
    let d = DepositIcpArg { amount_e8s: 150_000_000, beneficiary: Some(owner), from_subaccount: None };
    let text = unchanged(&env, || proposals::validate_deposit_icp(&env.o, gov, d.clone())).unwrap();
    contains_all(&text, &["**Amount:** 1.5 ICP (150000000 e8s)", &format!("**Credited to:** `{}`", owner.to_text()), "**Conversion fee:** 1%"]);
    let tiny = DepositIcpArg { amount_e8s: 1, ..d };
    assert!(unchanged(&env, || proposals::validate_deposit_icp(&env.o, gov, tiny)).unwrap_err().starts_with("amount below"));
    let n = NotifyDepositArg { block_index: 12_345, beneficiary: None };
    let text = unchanged(&env, || proposals::validate_notify_deposit(&env.o, gov, n.clone())).unwrap();
    let account = ic_akash_orchestrator::notify::deposit_account(env.rt.canister_id(), gov).account_identifier;
    contains_all(&text, &["**Ledger block:** 12345", &format!("**Credited to:** `{}`", gov.to_text()), &format!("**Deposit account:** `{account}`")]);
    let anon = NotifyDepositArg { beneficiary: Some(Principal::anonymous()), ..n };
    assert!(unchanged(&env, || proposals::validate_notify_deposit(&env.o, gov, anon)).unwrap_err().starts_with("beneficiary:"));

    // After all that, the targets run (nothing was rate-limited or reserved by the validators),
    // and the memory comparison above does see a change when there is one.
    let before = memory(&env);
    block_on(withdraw(&env.o, gov, w)).unwrap();
    assert!(memory(&env) != before);
    deployments::close_deployment(&env.o, gov, id).unwrap();
    wait_for(&env, gov, id, 600, |v| matches!(v.state, DeploymentState::Closed { .. }));
    let err = unchanged(&env, || proposals::validate_close_deployment(&env.o, gov, id)).unwrap_err();
    assert!(err.contains("is closed: already ended"), "{err}");
    assert!(env.run_until_idle(600));
    env.check_chain();
}
