//! What `ic-akash simulate` prints: the steps it read from the orchestrator's journal, each with
//! its simulated time, its receipt and what it would have cost on the Internet Computer, then the
//! totals; as text or as JSON. Pure functions of what the run collected.

use ic_akash_orchestrator::akash::keys::SIGN_WITH_ECDSA_CYCLES;
use ic_akash_orchestrator::rate::XRC_CALL_CYCLES;
use ic_akash_orchestrator_types::{Change, DeploymentEvent, RateSource, Source};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Decimals of one AKT in uakt, one ACT in uact, one ICP in e8s.
const UNIT_DECIMALS: u32 = 6;
const ICP_DECIMALS: u32 = 8;

/// What the canister spent on the IC: threshold signatures, HTTPS outcalls (with the cycles
/// attached to them, by the IC's formula) and exchange-rate calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub signatures: u64,
    pub outcalls: u64,
    pub outcall_cycles: u128,
    pub xrc_calls: u64,
}

impl Cost {
    /// Cycles at the `key_1` signature price and the XRC fee attached per call.
    pub fn cycles(&self) -> u128 {
        u128::from(self.signatures) * SIGN_WITH_ECDSA_CYCLES + self.outcall_cycles + u128::from(self.xrc_calls) * XRC_CALL_CYCLES
    }

    /// What was spent between `earlier` and `self` (counters only grow).
    pub fn since(&self, earlier: &Cost) -> Cost {
        Cost {
            signatures: self.signatures - earlier.signatures,
            outcalls: self.outcalls - earlier.outcalls,
            outcall_cycles: self.outcall_cycles - earlier.outcall_cycles,
            xrc_calls: self.xrc_calls - earlier.xrc_calls,
        }
    }

    /// `28.67B cycles: 1 signature, 6 outcalls (2.52B), 1 XRC call`.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        if self.signatures > 0 {
            parts.push(plural(self.signatures, "signature"));
        }
        if self.outcalls > 0 {
            parts.push(format!("{} ({})", plural(self.outcalls, "outcall"), billions(self.outcall_cycles)));
        }
        if self.xrc_calls > 0 {
            parts.push(plural(self.xrc_calls, "XRC call"));
        }
        if parts.is_empty() {
            "0 cycles".into()
        } else {
            format!("{} cycles: {}", billions(self.cycles()), parts.join(", "))
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "cycles": self.cycles().to_string(),
            "signatures": self.signatures,
            "outcalls": self.outcalls,
            "outcall_cycles": self.outcall_cycles.to_string(),
            "xrc_calls": self.xrc_calls,
        })
    }
}

/// Where a step can be checked: an ICP ledger block or an Akash transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    None,
    IcpBlock(u64),
    Tx { hash: String, height: Option<u64> },
}

impl Receipt {
    fn text(&self) -> Option<String> {
        match self {
            Receipt::None => None,
            Receipt::IcpBlock(b) => Some(format!("ICP ledger block {b}")),
            Receipt::Tx { hash, height: Some(h) } => Some(format!("tx {hash} at height {h}")),
            Receipt::Tx { hash, height: None } => Some(format!("tx {hash}")),
        }
    }

    fn json(&self) -> Value {
        match self {
            Receipt::None => Value::Null,
            Receipt::IcpBlock(b) => json!({ "icp_block": b }),
            Receipt::Tx { hash, height } => json!({ "tx_hash": hash, "height": height }),
        }
    }
}

/// One printed step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Seconds of virtual time since the run started.
    pub at_secs: u64,
    /// Short name (`deposit`, `bids`, `refund`...).
    pub kind: &'static str,
    pub text: String,
    /// Lines under the step (each bid, each service).
    pub details: Vec<String>,
    pub receipt: Receipt,
    /// Spent since the previous step.
    pub cost: Cost,
}

impl Step {
    pub fn json(&self) -> Value {
        json!({
            "t_secs": self.at_secs,
            "t": clock(self.at_secs),
            "step": self.kind,
            "text": self.text,
            "details": self.details,
            "receipt": self.receipt.json(),
            "cost": self.cost.json(),
        })
    }
}

/// What the run knows about the world, to name things in the steps.
#[derive(Default)]
pub struct Names {
    /// Provider address → `provider-2 (us-west)`.
    pub providers: BTreeMap<String, String>,
}

impl Names {
    pub fn provider(&self, address: &str) -> String {
        self.providers.get(address).cloned().unwrap_or_else(|| address.to_string())
    }
}

/// The step a journal entry is, if it is one worth a line (transactions' inclusion gives the
/// receipts' heights instead; reservations are part of their request).
pub fn step_of(change: &Change, names: &Names) -> Option<(&'static str, String, Receipt)> {
    let tx = |hash: &str| Receipt::Tx { hash: hash.to_string(), height: None };
    Some(match change {
        Change::Credited { source, quote, .. } => {
            let receipt = match source {
                Source::IcpBlock(b) => Receipt::IcpBlock(*b),
                Source::AkashTx(h) => tx(h),
            };
            let text = format!(
                "{} ICP taken (ICRC-2 transfer_from): {} AKT credited at {} AKT per ICP ({}), fee {} AKT ({} bps)",
                units(u128::from(quote.icp_e8s), ICP_DECIMALS),
                akt(quote.uakt),
                akt(quote.rate.uakt_per_icp),
                match quote.rate.source {
                    RateSource::IcpAkt => "the exchange rate canister's ICP/AKT",
                    RateSource::CrossUsd => "the exchange rate canister's ICP/USD over AKT/USD",
                },
                akt(quote.fee_uakt),
                quote.fee_bps
            );
            ("deposit", text, receipt)
        }
        Change::DepositFailed { reason, .. } => ("deposit failed", reason.clone(), Receipt::None),
        Change::ActMintRequested { amount_uakt, service_fee_uakt, .. } => {
            ("mint requested", format!("{} AKT to burn for ACT, service fee {} AKT", akt(*amount_uakt), akt(*service_fee_uakt)), Receipt::None)
        }
        Change::ActMintBurned { burned_uakt, fee_uakt, tx_hash, .. } => (
            "AKT burned",
            format!("the treasury burned {} AKT for ACT (MsgMintACT, this user's share), chain fee {} AKT", akt(*burned_uakt), akt(*fee_uakt)),
            tx(tx_hash),
        ),
        Change::ActMinted { burned_uakt, minted_uact, .. } => (
            "ACT minted",
            format!("{} ACT credited for {} AKT when the chain's epoch settled the burn", act(*minted_uact), akt(*burned_uakt)),
            Receipt::None,
        ),
        Change::ActMintFailed { reason, .. } => ("mint failed", reason.clone(), Receipt::None),
        Change::AkashAccountOpened { address, fee_uakt, tx_hash } => (
            "owner account",
            format!("{address} opened: the treasury pays its fees (MsgGrantAllowance), chain fee {} AKT", akt(*fee_uakt)),
            tx(tx_hash),
        ),
        Change::Released { amount_uakt, purpose } => ("released", format!("{} AKT back to available: {purpose}", akt(*amount_uakt)), Receipt::None),
        Change::Deployment { event, .. } => return deployment_step(event, names),
        Change::Withdrawn { to, amount_uakt, tx_hash, .. } => ("withdrawn", format!("{} AKT to {to}", akt(*amount_uakt)), tx(tx_hash)),
        Change::WithdrawFailed { reason, .. } => ("withdraw failed", reason.clone(), Receipt::None),
        Change::DepositStarted { .. }
        | Change::Reserved { .. }
        | Change::ConfigChanged { .. }
        | Change::WithdrawRequested { .. }
        | Change::AkashAccountRequested { .. }
        | Change::AkashTx { .. }
        | Change::OwnerGovernanceSet { .. } => return None,
    })
}

fn deployment_step(event: &DeploymentEvent, names: &Names) -> Option<(&'static str, String, Receipt)> {
    let tx = |hash: &str| Receipt::Tx { hash: hash.to_string(), height: None };
    Some(match event {
        DeploymentEvent::Requested { sdl_hash, deposit_uact, service_fee_uakt, fee_reserve_uakt, .. } => (
            "create",
            format!(
                "create_deployment: SDL hash {sdl_hash}, escrow deposit {} ACT; service fees {} AKT, fee pool {} AKT set aside",
                act(*deposit_uact),
                akt(*service_fee_uakt),
                akt(*fee_reserve_uakt)
            ),
            Receipt::None,
        ),
        // Part of the create or top-up request that set it aside.
        DeploymentEvent::ActReserved { .. } => return None,
        DeploymentEvent::DepositGranted { amount_uact, tx_hash, fee_uakt } => (
            "deposit grant",
            format!(
                "the treasury lets the owner account fund {} ACT of escrow from the treasury's ACT (authz DepositAuthorization), chain fee {} AKT",
                act(*amount_uact),
                akt(*fee_uakt)
            ),
            tx(tx_hash),
        ),
        DeploymentEvent::Created { dseq, deposit_uact, tx_hash, fee_uakt } => (
            "on chain",
            format!("deployment dseq {dseq} created by the owner account (MsgCreateDeployment), escrow {} ACT, chain fee {} AKT", act(*deposit_uact), akt(*fee_uakt)),
            tx(tx_hash),
        ),
        DeploymentEvent::BidChosen { gseq, provider, price_uact_per_block, bids, refused } => (
            "bids",
            format!(
                "{} for group {gseq}; chosen: {} at {} uact per block{}",
                plural(u64::from(*bids), "bid"),
                names.provider(provider),
                plain_dec(price_uact_per_block),
                if refused.is_empty() { String::new() } else { format!(" ({} refused by the policy)", refused.len()) }
            ),
            Receipt::None,
        ),
        DeploymentEvent::LeaseCreated { gseq, provider, tx_hash, fee_uakt } => (
            "lease",
            format!("lease with {} for group {gseq} (MsgCreateLease), chain fee {} AKT", names.provider(provider), akt(*fee_uakt)),
            tx(tx_hash),
        ),
        DeploymentEvent::ManifestSent { provider, .. } => ("manifest", format!("manifest accepted by {}", names.provider(provider)), Receipt::None),
        DeploymentEvent::ProviderFailed { provider, reason } => ("provider failed", format!("{}: {reason}", names.provider(provider)), Receipt::None),
        DeploymentEvent::Active { services } => {
            let ready: Vec<String> = services.iter().map(|s| format!("{} {}/{} ready", s.name, s.available, s.total)).collect();
            ("active", format!("every service is running: {}", ready.join(", ")), Receipt::None)
        }
        DeploymentEvent::ToppedUp { amount_uact, automatic, tx_hash, fee_uakt } => (
            "top-up",
            format!(
                "{} ACT more in the escrow ({}; treasury MsgAccountDeposit), chain fee {} AKT",
                act(*amount_uact),
                if *automatic { "automatic" } else { "top_up_deployment" },
                akt(*fee_uakt)
            ),
            tx(tx_hash),
        ),
        DeploymentEvent::LowFunds { runway_secs, needed_uact, available_uact, .. } => (
            "low funds",
            format!("{} of runway left; a top-up needs {} ACT, the owner has {} ACT", duration(*runway_secs), act(*needed_uact), act(*available_uact)),
            Receipt::None,
        ),
        DeploymentEvent::Updated { sdl_hash, tx_hash, .. } => ("updated", format!("new SDL hash {sdl_hash} (MsgUpdateDeployment)"), tx(tx_hash)),
        DeploymentEvent::LeaseEnded { provider, reason } => ("lease ended", format!("{}: {reason}", names.provider(provider)), Receipt::None),
        DeploymentEvent::CloseRequested { reason } => ("close", format!("close_deployment: {reason}"), Receipt::None),
        DeploymentEvent::Closed { refund_uact, spent_uact, tx_hash, .. } => (
            "closed",
            format!("closed on chain (MsgCloseDeployment), escrow settled: {} ACT paid to providers, {} ACT refunded", act(*spent_uact), act(*refund_uact)),
            tx_hash.as_deref().map(tx).unwrap_or(Receipt::None),
        ),
        DeploymentEvent::Failed { reason, released_uact, released_uakt } => (
            "failed",
            format!("{reason}; released {} ACT and {} AKT", act(*released_uact), akt(*released_uakt)),
            Receipt::None,
        ),
        DeploymentEvent::StepFailed { step, reason, .. } => ("step failed", format!("{step}: {reason}"), Receipt::None),
    })
}

/// `t+00:42`, `t+59:59`, `t+1:02:03`.
pub fn clock(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h == 0 {
        format!("t+{m:02}:{s:02}")
    } else {
        format!("t+{h}:{m:02}:{s:02}")
    }
}

/// `1 h 5 min`, `42 s`: a duration for people.
pub fn duration(secs: u64) -> String {
    match (secs / 3600, secs / 60 % 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// An integer amount of the smallest unit as an exact decimal, trailing zeros dropped:
/// `units(39_600_000, 6)` = `39.6`.
pub fn units(amount: u128, decimals: u32) -> String {
    let one = 10u128.pow(decimals);
    let frac = format!("{:0width$}", amount % one, width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{}", amount / one)
    } else {
        format!("{}.{frac}", amount / one)
    }
}

pub fn akt(uakt: u64) -> String {
    units(u128::from(uakt), UNIT_DECIMALS)
}

pub fn act(uact: u64) -> String {
    units(u128::from(uact), UNIT_DECIMALS)
}

pub fn icp(e8s: u64) -> String {
    units(u128::from(e8s), ICP_DECIMALS)
}

/// A chain decimal (`"250.000000000000000000"`) without its trailing zeros (`"250"`).
pub fn plain_dec(s: &str) -> String {
    ic_akash::dec::to_atomics(s).and_then(|a| ic_akash::dec::from_atomics(&a)).unwrap_or_else(|_| s.to_string())
}

/// Cycles in billions with two decimals, rounded down: `28.67B`.
pub fn billions(cycles: u128) -> String {
    let hundredths = cycles / 10_000_000;
    format!("{}.{:02}B", hundredths / 100, hundredths % 100)
}

/// `1,234,567`.
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 bid`, `3 bids`.
pub fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The steps as text: each on its line with its time and name, details under it, then its
/// receipt and cost.
pub fn render_steps(steps: &[Step]) -> String {
    let width = steps.iter().map(|s| s.kind.len()).max().unwrap_or(0);
    let mut out = String::new();
    for s in steps {
        let time = clock(s.at_secs);
        out.push_str(&format!("{time:<10} {:<width$}  {}\n", s.kind, s.text));
        let indent = " ".repeat(10 + 1 + width + 2);
        for d in &s.details {
            out.push_str(&format!("{indent}  {d}\n"));
        }
        let cost = s.cost.text();
        match s.receipt.text() {
            Some(r) => out.push_str(&format!("{indent}receipt: {r} | {cost}\n")),
            None => out.push_str(&format!("{indent}{cost}\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_and_durations() {
        assert_eq!(clock(0), "t+00:00");
        assert_eq!(clock(42), "t+00:42");
        assert_eq!(clock(3599), "t+59:59");
        assert_eq!(clock(3723), "t+1:02:03");
        assert_eq!(duration(42), "42 s");
        assert_eq!(duration(600), "10 min");
        assert_eq!(duration(3900), "1 h 5 min");
        assert_eq!(duration(7200), "2 h");
    }

    #[test]
    fn amounts_are_exact_decimals() {
        assert_eq!(akt(39_600_000), "39.6");
        assert_eq!(akt(1), "0.000001");
        assert_eq!(akt(0), "0");
        assert_eq!(icp(500_000_000), "5");
        assert_eq!(icp(12_345_678), "0.12345678");
        assert_eq!(units(u128::MAX, 18), "340282366920938463463.374607431768211455");
        assert_eq!(plain_dec("250.000000000000000000"), "250");
        assert_eq!(plain_dec("0.500000000000000000"), "0.5");
        assert_eq!(plain_dec("not a number"), "not a number");
    }

    #[test]
    fn cycles_are_counted_and_printed() {
        let c = Cost { signatures: 1, outcalls: 6, outcall_cycles: 2_517_143_200, xrc_calls: 1 };
        assert_eq!(c.cycles(), SIGN_WITH_ECDSA_CYCLES + 2_517_143_200 + XRC_CALL_CYCLES);
        assert_eq!(c.text(), "29.67B cycles: 1 signature, 6 outcalls (2.51B), 1 XRC call");
        assert_eq!(Cost::default().text(), "0 cycles");
        let later = Cost { signatures: 3, outcalls: 10, outcall_cycles: 3_000_000_000, xrc_calls: 1 };
        assert_eq!(later.since(&c), Cost { signatures: 2, outcalls: 4, outcall_cycles: 482_856_800, xrc_calls: 0 });
        assert_eq!(billions(999_999_999), "0.99B");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(170_876_699_718), "170,876,699,718");
    }

    #[test]
    fn steps_render_with_receipts_and_costs() {
        let steps = vec![
            Step { at_secs: 0, kind: "deposit", text: "5 ICP".into(), details: vec![], receipt: Receipt::IcpBlock(2), cost: Cost { xrc_calls: 1, ..Default::default() } },
            Step {
                at_secs: 42,
                kind: "bids",
                text: "2 bids".into(),
                details: vec!["provider-1 at 400".into()],
                receipt: Receipt::None,
                cost: Cost::default(),
            },
            Step {
                at_secs: 48,
                kind: "lease",
                text: "lease".into(),
                details: vec![],
                receipt: Receipt::Tx { hash: "AB".into(), height: Some(9) },
                cost: Cost { signatures: 1, ..Default::default() },
            },
        ];
        let text = render_steps(&steps);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "t+00:00    deposit  5 ICP");
        assert_eq!(lines[1].trim(), "receipt: ICP ledger block 2 | 1.00B cycles: 1 XRC call");
        assert_eq!(lines[2], "t+00:42    bids     2 bids");
        assert_eq!(lines[3].trim(), "provider-1 at 400");
        assert_eq!(lines[4].trim(), "0 cycles");
        assert_eq!(lines[6].trim(), "receipt: tx AB at height 9 | 26.15B cycles: 1 signature");
        let j = steps[2].json();
        assert_eq!(j["receipt"]["height"], 9);
        assert_eq!(j["cost"]["cycles"], SIGN_WITH_ECDSA_CYCLES.to_string());
        assert_eq!(j["t"], "t+00:48");
    }
}
