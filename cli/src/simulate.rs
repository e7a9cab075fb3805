//! `ic-akash simulate FILE.yaml`: the orchestrator's own code, natively, against the simulated
//! Internet Computer and Akash network the tests use, in virtual time. A user deposits ICP, burns
//! AKT for ACT, creates a deployment from the SDL, which bids, leases, gets its manifest and runs;
//! the user tops it up and closes it, and gets the unspent escrow back. Everything goes through
//! the canister's endpoint functions and its timers; each step is read back from the journal and
//! printed with its simulated time, its receipt and the cycles it would have cost on the IC, and
//! the books and the chain are checked after every timer run.

mod report;

use super::{EXIT_FAILURE, EXIT_INVALID};
use candid::Principal;
use ic_akash_orchestrator::deployments::{self, views};
use ic_akash_orchestrator::runtime::fake::akash::market::ATOMICS;
use ic_akash_orchestrator::runtime::fake::provider::Certificate;
use ic_akash_orchestrator::runtime::fake::{block_on, Method};
use ic_akash_orchestrator::simulation::{self, Simulation, SIM_ACT_PER_AKT};
use ic_akash_orchestrator::{deposit, mint, queries};
use ic_akash_orchestrator_types::{
    Attribute, Change, ConfigArg, CreateDeploymentArg, DeploymentEvent, DeploymentState, DepositIcpArg, Error, GetJournalArg, MintActArg,
    ProviderPolicy, TopUpDeploymentArg, TxOutcome,
};
use report::{Cost, Names, Receipt, Step};
use serde_json::json;
use std::collections::BTreeMap;

const USAGE: &str = "\
ic-akash simulate FILE [OPTIONS]

Runs the orchestrator canister's own code natively against a simulated Internet Computer (ICP
ledger, exchange-rate canister, threshold ECDSA, timers) and a simulated Akash network (the chain
with its market, escrow and ACT minting, three providers, the Akash Console provider proxy), in
virtual time: deposit ICP, burn AKT for ACT, create the deployment of FILE (an SDL priced in uact),
bids, lease, manifest, running, a top-up, close and the refund. Each step is printed with its
simulated time, its receipt (ICP block, Akash tx hash and height) and what it would have cost the
canister on the IC in cycles; the books and the chain are checked after every step.

OPTIONS:
  --deposit-icp N     ICP the user deposits (default 5)
  --deposit-uact N    the deployment's escrow deposit in uact (default 5000000 = 5 ACT)
  --top-up-uact N     added to the escrow while it runs (default 1000000)
  --mint-uakt N       AKT burned for ACT first (default: enough for deposit and top-up, plus 1 AKT)
  --active-secs N     how long it runs before it is closed (default 3600, at most 30 days; the
                      top-up is halfway)
  --region R          accept only providers with region = R (default us-west; `any`: no policy)
  --json              one JSON object: steps, totals, balances

Exit codes: 0 the whole lifecycle ran and every check held, 2 invalid SDL or arguments,
1 a step failed or a check broke (printed).
";

/// ICP ledger fee, paid by the user for its `icrc2_approve` and the orchestrator's `transfer_from`.
const LEDGER_FEE_E8S: u64 = 10_000;
/// Extra AKT burned by the default mint, beyond what the deposit and top-up need.
const MINT_MARGIN_UAKT: u64 = 1_000_000;
/// Longest `--active-secs` taken (longer asks are cut to it): a month of virtual time.
const MAX_ACTIVE_SECS: u64 = 30 * 24 * 3600;
/// Longest wait for a step (mint, Active, close): far beyond what each needs in the simulation.
const STEP_TIMEOUT_SECS: u64 = 3 * 3600;

struct Options {
    file: String,
    deposit_e8s: u64,
    deposit_uact: u64,
    top_up_uact: u64,
    mint_uakt: Option<u64>,
    active_secs: u64,
    region: Option<String>,
    json: bool,
}

/// What stops the run: an exit code and the message.
struct Stop(i32, String);

pub fn run(args: &[String]) -> i32 {
    let opts = match parse(args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{USAGE}");
            return 0;
        }
        Err(msg) => {
            eprintln!("ic-akash simulate: {msg}\n\n{USAGE}");
            return EXIT_INVALID;
        }
    };
    let text = match super::sdl::read_limited(&opts.file) {
        Ok(t) => t,
        Err((code, msg)) => {
            eprintln!("ic-akash simulate: {msg}");
            return code;
        }
    };
    // The canister's own check (the core's parser, uact prices), before building a world.
    if let Err(e) = deployments::parse_sdl(&text) {
        let msg = match e {
            Error::InvalidSdl { path, reason } if path.is_empty() => reason,
            Error::InvalidSdl { path, reason } => format!("{path}: {reason}"),
            other => format!("{other:?}"),
        };
        eprintln!("{}: invalid SDL: {msg}", opts.file);
        return EXIT_INVALID;
    }
    let mut run = match Run::new(&opts) {
        Ok(r) => r,
        Err(Stop(code, msg)) => {
            eprintln!("ic-akash simulate: {msg}");
            return code;
        }
    };
    let outcome = run.lifecycle(&opts, &text);
    let code = match &outcome {
        Ok(()) => 0,
        Err(Stop(code, _)) => *code,
    };
    let error = outcome.err().map(|Stop(_, msg)| msg);
    if opts.json {
        println!("{}", run.json(&opts, error.as_deref()));
    } else {
        print!("{}", run.text(&opts));
        if let Some(msg) = &error {
            eprintln!("\nic-akash simulate: FAILED: {msg}");
        }
    }
    code
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options {
        file: String::new(),
        deposit_e8s: 5 * 100_000_000,
        deposit_uact: 5_000_000,
        top_up_uact: 1_000_000,
        mint_uakt: None,
        active_secs: 3600,
        region: Some(simulation::DEMO_REGION.into()),
        json: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--json" => o.json = true,
            "--deposit-icp" => o.deposit_e8s = parse_icp(value()?)?,
            "--deposit-uact" => o.deposit_uact = number(a, value()?)?,
            "--top-up-uact" => o.top_up_uact = number(a, value()?)?,
            "--mint-uakt" => o.mint_uakt = Some(number(a, value()?)?),
            "--active-secs" => o.active_secs = number(a, value()?)?.min(MAX_ACTIVE_SECS),
            "--region" => o.region = Some(value()?.clone()).filter(|r| r != "any"),
            f if o.file.is_empty() && !f.starts_with('-') => o.file = f.to_string(),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    if o.file.is_empty() {
        return Err("no SDL file given".into());
    }
    Ok(Some(o))
}

fn number(flag: &str, s: &str) -> Result<u64, String> {
    s.replace('_', "").parse().map_err(|_| format!("{flag}: {s:?} is not a whole number"))
}

/// ICP as a decimal with up to 8 fractional digits (`2.5`), in e8s, exactly.
fn parse_icp(s: &str) -> Result<u64, String> {
    let bad = || format!("--deposit-icp: {s:?} is not an amount of ICP (e.g. 5 or 2.5)");
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > 8 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = format!("{frac:0<8}").parse().map_err(|_| bad())?;
    whole.checked_mul(100_000_000).and_then(|w| w.checked_add(frac)).ok_or_else(bad)
}

/// The run: the simulated world, the user, and the steps read so far.
struct Run {
    sim: Simulation,
    user: Principal,
    start_nanos: u64,
    names: Names,
    /// One line per provider of the market, for the header.
    providers: Vec<String>,
    steps: Vec<Step>,
    /// The user's journal entries read so far.
    journal_read: u64,
    /// Akash transactions the journal saw included: hash → height.
    heights: BTreeMap<String, u64>,
    /// The cost counters when the last step was read.
    cost_at_last_step: Cost,
    deployment: Option<u64>,
    /// The deployment on chain (owner account, dseq), from its `Created` step.
    on_chain: Option<(String, u64)>,
    /// The last transaction of the owner account the journal saw included since the close was
    /// asked: the close's receipt (the `Closed` event names no transaction for a close the
    /// owner asked; the journal's `AkashTx` entry does).
    close_tx: Option<String>,
    /// (deposited, refunded) uact of the closed deployment, checked against the chain.
    settled: Option<(u64, u64)>,
}

impl Run {
    fn new(opts: &Options) -> Result<Self, Stop> {
        let providers = simulation::demo_market();
        let mut names = Names::default();
        let mut header = Vec::new();
        for (on_chain, spec) in &providers {
            let region = on_chain.attributes.iter().find(|(k, _)| k == "region").map(|(_, v)| v.as_str()).unwrap_or("?");
            let name = spec.hostname().trim_end_matches(".test").to_string();
            names.providers.insert(spec.address.clone(), format!("{name} ({region})"));
            let price = report::units(on_chain.price, 18);
            let cert = match spec.certificate {
                Certificate::PubliclyTrusted => "",
                _ => ", self-signed certificate: reachable through the proxy only",
            };
            header.push(format!("{name}: region {region}, bids {price} uact per block{cert} ({})", spec.address));
        }
        let sim = Simulation::new(ConfigArg::default(), providers).map_err(|e| Stop(EXIT_FAILURE, e))?;
        let user = Principal::self_authenticating(b"ic-akash simulate: the user");
        // The user's wallet: what it deposits plus the ledger fees of its approval and of the
        // transfer; the orchestrator is approved for the deposit and the transfer's fee.
        let too_much = || Stop(EXIT_INVALID, "--deposit-icp: too much ICP for one ledger account".into());
        let wallet = opts.deposit_e8s.checked_add(2 * LEDGER_FEE_E8S).ok_or_else(too_much)?;
        simulation::mint_icp(&sim.rt, user, wallet);
        simulation::approve_icp(&sim.rt, user, opts.deposit_e8s + LEDGER_FEE_E8S).map_err(|e| Stop(EXIT_FAILURE, e))?;
        let start_nanos = sim.now_nanos();
        Ok(Run {
            sim,
            user,
            start_nanos,
            names,
            providers: header,
            steps: Vec::new(),
            journal_read: 0,
            heights: BTreeMap::new(),
            cost_at_last_step: Cost::default(),
            deployment: None,
            on_chain: None,
            close_tx: None,
            settled: None,
        })
    }

    /// The whole lifecycle, step by step through the canister's endpoints and timers.
    fn lifecycle(&mut self, opts: &Options, sdl: &str) -> Result<(), Stop> {
        let (o, user) = (&self.sim.o, self.user);
        let credit = block_on(deposit::deposit_icp(o, user, DepositIcpArg { amount_e8s: opts.deposit_e8s, beneficiary: None, from_subaccount: None }));
        credit.map_err(|e| failed("deposit_icp", e))?;
        self.read_steps()?;

        let needed_uact = u128::from(opts.deposit_uact) + u128::from(opts.top_up_uact);
        let mint_uakt = opts.mint_uakt.unwrap_or_else(|| {
            let (num, den) = SIM_ACT_PER_AKT;
            u64::try_from(needed_uact * den).map(|x| x.div_ceil(num as u64) + MINT_MARGIN_UAKT).unwrap_or(u64::MAX)
        });
        block_on(mint::mint_act(&self.sim.o, user, MintActArg { amount_uakt: mint_uakt, owner: None })).map_err(|e| failed("mint_act", e))?;
        self.run_until("the ACT mint", |r| r.seen("ACT minted") || r.seen("mint failed"))?;
        if self.seen("mint failed") {
            return Err(Stop(EXIT_FAILURE, "the ACT mint failed (see above)".into()));
        }

        let policy = opts.region.as_ref().map(|r| ProviderPolicy {
            required_attributes: vec![Attribute { key: "region".into(), value: r.clone() }],
            ..Default::default()
        });
        let arg = CreateDeploymentArg { sdl: sdl.to_string(), deposit_uact: opts.deposit_uact, provider_policy: policy, ..Default::default() };
        let id = block_on(deployments::create_deployment(&self.sim.o, user, arg)).map_err(|e| failed("create_deployment", e))?;
        self.deployment = Some(id);
        self.run_until("the deployment to be active", |r| r.state() == DeploymentState::Active || r.ended())?;
        if self.ended() {
            let why = "a simulated provider bids when it has the group's placement attributes and auditors and its price is within the group's";
            return Err(Stop(EXIT_FAILURE, format!("the deployment ended before it ran: {:?} ({why})", self.state())));
        }

        self.running(opts.active_secs / 2)?;
        let arg = TopUpDeploymentArg { deployment_id: id, amount_uact: opts.top_up_uact };
        block_on(deployments::top_up_deployment(&self.sim.o, user, arg)).map_err(|e| failed("top_up_deployment", e))?;
        self.run_until("the top-up", |r| r.seen("top-up") || r.ended())?;
        self.running(opts.active_secs - opts.active_secs / 2)?;

        deployments::close_deployment(&self.sim.o, user, id).map_err(|e| failed("close_deployment", e))?;
        self.run_until("the close and refund", |r| r.ended() && !r.sim.o.read(|s| s.akash_work_open()))?;
        let DeploymentState::Closed { refund_uact, .. } = self.state() else {
            return Err(Stop(EXIT_FAILURE, format!("the deployment did not close cleanly: {:?}", self.state())));
        };
        self.refund_step(id, refund_uact)?;
        self.check_receipts()
    }

    /// Lets the deployment run for `secs`, then a step with what its escrow reads
    /// (`get_deployment`) and what the checks cost.
    fn running(&mut self, secs: u64) -> Result<(), Stop> {
        self.run_for(secs)?;
        let id = self.deployment.expect("BUG: the deployment was created");
        let v = views::get_deployment(&self.sim.o, self.user, id).map_err(|e| failed("get_deployment", e))?;
        let escrow = match &v.escrow {
            Some(e) => format!(
                "escrow {} ACT left, {} ACT paid at {} uact per block, runway {}",
                report::act(e.balance_uact),
                report::act(e.spent_uact),
                report::plain_dec(&e.rate_uact_per_block),
                e.runway_secs.map_or("unknown".into(), report::duration)
            ),
            None => "escrow not read yet".into(),
        };
        let text = format!(
            "ran {}, the lease's status read at the provider and the escrow on chain every {}: {escrow}",
            report::duration(secs),
            report::duration(deployments::ACTIVE_CHECK_SECS)
        );
        self.push_step("running", text, Receipt::None);
        Ok(())
    }

    /// The last step: the refund, checked against the chain's escrow account.
    fn refund_step(&mut self, id: u64, refund_uact: u64) -> Result<(), Stop> {
        let v = views::get_deployment(&self.sim.o, self.user, id).map_err(|e| failed("get_deployment", e))?;
        let Some((owner, dseq)) = self.on_chain.clone() else {
            return Err(Stop(EXIT_FAILURE, "a closed deployment that was never on chain".into()));
        };
        let acc = self.sim.chain.borrow().escrow_account(&owner, dseq).ok_or_else(|| Stop(EXIT_FAILURE, format!("no escrow {owner}/{dseq} on chain")))?;
        let refunded_on_chain: u128 = acc.refunds.iter().map(|r| r.1).sum();
        if refunded_on_chain != u128::from(refund_uact) {
            return Err(Stop(EXIT_FAILURE, format!("the chain refunded {refunded_on_chain} uact, the books credited {refund_uact}")));
        }
        let deposited = v.cost.deposited_uact;
        if u128::from(deposited - refund_uact) * ATOMICS != acc.transferred + acc.funds || acc.funds >= ATOMICS {
            return Err(Stop(EXIT_FAILURE, format!("refund {refund_uact} of {deposited} uact does not match the escrow's payments and dust")));
        }
        let paid = acc.transferred;
        self.settled = Some((deposited, refund_uact));
        let text = format!(
            "{} uact ({} ACT) back in the owner's ACT balance, exactly what the chain refunded: deposits {} uact = paid to the provider {} uact + dust {} uact + refund",
            report::grouped(u128::from(refund_uact)),
            report::act(refund_uact),
            report::grouped(u128::from(deposited)),
            report::units(paid, 18),
            report::units(acc.funds, 18)
        );
        let i = self.push_step("refund", text, Receipt::None);
        self.steps[i].details = vec![format!(
            "the deployment cost the owner {} AKT of chain fees and {} AKT of service fees; the rest of its fee pool went back",
            report::akt(v.cost.chain_fees_uakt),
            report::akt(v.cost.service_fees_uakt)
        )];
        Ok(())
    }

    /// Every receipt printed is a transaction the chain included and ran (code 0).
    fn check_receipts(&self) -> Result<(), Stop> {
        let chain = self.sim.chain.borrow();
        for s in &self.steps {
            if let Receipt::Tx { hash, .. } = &s.receipt {
                match chain.tx(hash) {
                    Some(tx) if tx.code == 0 => {}
                    Some(tx) => return Err(Stop(EXIT_FAILURE, format!("{}: tx {hash} failed on chain: {}", s.kind, tx.raw_log))),
                    None => return Err(Stop(EXIT_FAILURE, format!("{}: tx {hash} is not on chain", s.kind))),
                }
            }
        }
        Ok(())
    }

    fn state(&self) -> DeploymentState {
        let id = self.deployment.expect("BUG: the deployment was created");
        views::get_deployment(&self.sim.o, self.user, id).map(|v| v.state).unwrap_or(DeploymentState::Failed { reason: "not found".into() })
    }

    fn ended(&self) -> bool {
        matches!(self.state(), DeploymentState::Closed { .. } | DeploymentState::Failed { .. })
    }

    fn seen(&self, kind: &str) -> bool {
        self.steps.iter().any(|s| s.kind == kind)
    }

    fn elapsed_secs(&self) -> u64 {
        (self.sim.now_nanos() - self.start_nanos) / 1_000_000_000
    }

    /// Runs the canister's timers (and the chain) until `done`, reading the steps and checking
    /// the books after each.
    fn run_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) -> Result<(), Stop> {
        let deadline = self.elapsed_secs() + STEP_TIMEOUT_SECS;
        loop {
            self.read_steps()?;
            if done(self) {
                return Ok(());
            }
            let left = deadline.saturating_sub(self.elapsed_secs());
            if left == 0 {
                return Err(Stop(EXIT_FAILURE, format!("waited {} for {what}", report::duration(STEP_TIMEOUT_SECS))));
            }
            self.sim.run_next(left);
            self.check()?;
        }
    }

    /// Runs the canister's timers for `secs` of virtual time.
    fn run_for(&mut self, secs: u64) -> Result<(), Stop> {
        let end = self.elapsed_secs() + secs;
        self.run_until(&report::duration(secs), |r| r.elapsed_secs() >= end)
    }

    /// The books, and the chain against them.
    fn check(&self) -> Result<(), Stop> {
        self.sim.check(&[]).map_err(|e| Stop(EXIT_FAILURE, format!("check failed at {}: {e}", report::clock(self.elapsed_secs()))))
    }

    fn cost_now(&self) -> Cost {
        let rt = &self.sim.rt;
        let outcall_cycles = rt.world().http_cycles;
        Cost { signatures: rt.calls(Method::SignWithEcdsa), outcalls: rt.calls(Method::Http), outcall_cycles, xrc_calls: rt.calls(Method::Xrc) }
    }

    fn push_step(&mut self, kind: &'static str, text: String, receipt: Receipt) -> usize {
        let now = self.cost_now();
        let cost = now.since(&self.cost_at_last_step);
        self.cost_at_last_step = now;
        self.steps.push(Step { at_secs: self.elapsed_secs(), kind, text, details: Vec::new(), receipt, cost });
        self.steps.len() - 1
    }

    /// Reads the user's new journal entries (`get_journal`) into steps.
    fn read_steps(&mut self) -> Result<(), Stop> {
        loop {
            let arg = GetJournalArg { principal: Some(self.user), start: Some(self.journal_read), length: 100 };
            let page = queries::get_journal(&self.sim.o, arg);
            if page.entries.is_empty() {
                return Ok(());
            }
            self.journal_read += page.entries.len() as u64;
            for e in page.entries {
                if let Change::AkashTx { tx_hash, account, outcome: TxOutcome::Included { height, .. } } = &e.change {
                    self.heights.insert(tx_hash.clone(), *height);
                    if self.on_chain.as_ref().is_some_and(|(owner, _)| owner == account) {
                        self.close_tx = Some(tx_hash.clone());
                    }
                    continue;
                }
                let Some((kind, text, mut receipt)) = report::step_of(&e.change, &self.names) else { continue };
                match kind {
                    "close" => self.close_tx = None,
                    "closed" if receipt == Receipt::None => {
                        if let Some(hash) = self.close_tx.take() {
                            receipt = Receipt::Tx { hash, height: None };
                        }
                    }
                    _ => {}
                }
                let i = self.push_step(kind, text, receipt);
                self.steps[i].at_secs = (e.timestamp_nanos - self.start_nanos) / 1_000_000_000;
                if let Change::Deployment { deployment_id, event } = &e.change {
                    if let DeploymentEvent::Created { dseq, .. } = event {
                        let owner = views::get_deployment(&self.sim.o, self.user, *deployment_id).ok().and_then(|v| v.akash_owner);
                        self.on_chain = owner.map(|o| (o, *dseq));
                    }
                    self.steps[i].details = self.details(*deployment_id, event)?;
                }
            }
        }
    }

    /// Lines under a deployment step: every bid with why it was or was not taken, where the
    /// manifest went, the running services.
    fn details(&self, id: u64, event: &DeploymentEvent) -> Result<Vec<String>, Stop> {
        let v = views::get_deployment(&self.sim.o, self.user, id).map_err(|e| failed("get_deployment", e))?;
        Ok(match event {
            DeploymentEvent::BidChosen { gseq, provider, refused, .. } => {
                let (Some(owner), Some(dseq)) = (v.akash_owner.as_deref(), v.dseq) else { return Ok(Vec::new()) };
                let chosen_price = self.sim.chain.borrow().bids(owner, dseq).iter().find(|(b, _)| b.provider == *provider && b.gseq == *gseq).map(|(_, b)| b.price);
                let mut bids = self.sim.chain.borrow().bids(owner, dseq);
                bids.retain(|(b, _)| b.gseq == *gseq);
                bids.sort_by_key(|(_, b)| b.price);
                bids.iter()
                    .map(|(b, bid)| {
                        let why = if b.provider == *provider {
                            "chosen: the cheapest bid the policy accepts".to_string()
                        } else if let Some(r) = refused.iter().find_map(|r| r.strip_prefix(&format!("{}: ", b.provider))) {
                            format!("refused by the policy: {r}")
                        } else if chosen_price.is_some_and(|p| p < bid.price) {
                            "accepted by the policy, but dearer".to_string()
                        } else {
                            "not chosen".to_string()
                        };
                        format!("{:<24} {:>6} uact per block  {why}", self.names.provider(&b.provider), report::units(bid.price, 18))
                    })
                    .collect()
            }
            DeploymentEvent::ManifestSent { provider, .. } => {
                let dseq = v.dseq.unwrap_or(0);
                let world = self.sim.providers.borrow();
                let how = match world.manifests(provider, dseq).last() {
                    Some(m) if m.via_proxy => format!("through the Akash Console provider proxy ({})", world.proxy_base()),
                    Some(_) => "directly to the provider's API".to_string(),
                    None => "(the provider has no record of it)".to_string(),
                };
                vec![format!("sent {how}, authorized by a JWT the owner account's threshold-ECDSA key signed")]
            }
            DeploymentEvent::Active { services } => services
                .iter()
                .flat_map(|s| {
                    let uris = s.uris.iter().map(move |u| format!("{}: http://{u}", s.name));
                    let ports = s.forwarded_ports.iter().map(move |p| format!("{}: {}:{} -> port {} ({})", s.name, p.host, p.external_port, p.port, p.proto));
                    uris.chain(ports)
                })
                .collect(),
            _ => Vec::new(),
        })
    }

    /// Heights of the receipts, from the journal's `AkashTx` entries.
    fn steps_with_heights(&self) -> Vec<Step> {
        let mut steps = self.steps.clone();
        for s in &mut steps {
            if let Receipt::Tx { hash, height } = &mut s.receipt {
                *height = self.heights.get(hash).copied();
            }
        }
        steps
    }

    fn totals(&self) -> Cost {
        self.cost_now()
    }

    fn text(&self, opts: &Options) -> String {
        let mut out = format!(
            "ic-akash simulate {}: the orchestrator's own code on a simulated Internet Computer and Akash network, in virtual time\n",
            opts.file
        );
        out.push_str(&format!("user {}; providers on the market:\n", self.user));
        for p in &self.providers {
            out.push_str(&format!("  {p}\n"));
        }
        let policy = opts.region.as_ref().map_or("any provider".to_string(), |r| format!("only providers with region = {r}"));
        out.push_str(&format!("policy: {policy}, the cheapest bid wins\n"));
        out.push_str("each step: its simulated time, what the orchestrator's journal says, its receipt, and the cycles the canister\n");
        out.push_str("spent since the previous step (threshold signatures at the key_1 price, HTTPS outcalls by the IC's formula, XRC fees)\n\n");
        out.push_str(&report::render_steps(&self.steps_with_heights()));
        let t = self.totals();
        out.push_str(&format!(
            "\ntotal: {} of simulated time; {} cycles on the IC: {} (x {}), {} ({} cycles), {} (x {})\n",
            report::duration(self.elapsed_secs()),
            report::grouped(t.cycles()),
            report::plural(t.signatures, "signature"),
            report::grouped(ic_akash_orchestrator::akash::keys::SIGN_WITH_ECDSA_CYCLES),
            report::plural(t.outcalls, "HTTPS outcall"),
            report::grouped(t.outcall_cycles),
            report::plural(t.xrc_calls, "XRC call"),
            report::grouped(ic_akash_orchestrator::rate::XRC_CALL_CYCLES),
        ));
        let b = self.balances();
        out.push_str(&format!(
            "balances: user {} ICP on the ledger; at the orchestrator {} AKT available, {} AKT reserved, {} ACT\n",
            report::icp(b.icp_e8s),
            report::akt(b.available_uakt),
            report::akt(b.reserved_uakt),
            report::act(b.act_uact)
        ));
        out
    }

    fn balances(&self) -> Balances {
        let b = queries::get_balance(&self.sim.o, self.user, None);
        let icp_e8s = simulation::icp_balance(&self.sim.rt, self.user);
        Balances { icp_e8s, available_uakt: b.available_uakt, reserved_uakt: b.reserved_uakt, act_uact: b.act_uact }
    }

    fn json(&self, opts: &Options, error: Option<&str>) -> serde_json::Value {
        let t = self.totals();
        let b = self.balances();
        json!({
            "ok": error.is_none(),
            "error": error,
            "file": opts.file,
            "user": self.user.to_text(),
            "providers": self.providers,
            "steps": self.steps_with_heights().iter().map(Step::json).collect::<Vec<_>>(),
            "deposited_uact": self.settled.map(|s| s.0),
            "refund_uact": self.settled.map(|s| s.1),
            "totals": { "simulated_secs": self.elapsed_secs(), "cost": t.json() },
            "balances": {
                "icp_e8s": b.icp_e8s,
                "available_uakt": b.available_uakt,
                "reserved_uakt": b.reserved_uakt,
                "act_uact": b.act_uact,
            },
        })
    }
}

struct Balances {
    icp_e8s: u64,
    available_uakt: u64,
    reserved_uakt: u64,
    act_uact: u64,
}

fn failed(call: &str, e: Error) -> Stop {
    Stop(EXIT_FAILURE, format!("{call} refused: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn icp_amounts_are_parsed_exactly() {
        assert_eq!(parse_icp("5"), Ok(500_000_000));
        assert_eq!(parse_icp("2.5"), Ok(250_000_000));
        assert_eq!(parse_icp("0.00000001"), Ok(1));
        for bad in ["", ".5", "1.123456789", "1e8", "-1", "1.2.3", "184467440738"] {
            assert!(parse_icp(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn options_have_defaults_and_refuse_strays() {
        let o = parse(&args(&["web.yaml"])).unwrap().unwrap();
        assert_eq!((o.deposit_e8s, o.deposit_uact, o.active_secs, o.region.as_deref(), o.json), (500_000_000, 5_000_000, 3600, Some("us-west"), false));
        let o = parse(&args(&["--region", "any", "web.yaml", "--deposit-uact", "2_000_000", "--json"])).unwrap().unwrap();
        assert_eq!((o.region, o.deposit_uact, o.json), (None, 2_000_000, true));
        assert!(parse(&args(&["--help"])).unwrap().is_none());
        assert!(parse(&args(&[])).is_err());
        assert!(parse(&args(&["a.yaml", "b.yaml"])).is_err());
        assert!(parse(&args(&["a.yaml", "--active-secs"])).is_err());
        assert!(parse(&args(&["a.yaml", "--active-secs", "soon"])).is_err());
    }
}
