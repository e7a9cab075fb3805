//! What a request will do, rendered for the people who approve it: an SNS DAO's voters (the text
//! of the `validate_*` methods) and a wallet's user (ICRC-21 consent messages). One rendering per
//! request, two forms: Markdown, and plain-text fields with typed amounts and durations.
//!
//! Renderings only read: the checks are the targets' own (`check_*` beside each flow).

use crate::deployments::{self, CreatePlan, AKASH_BLOCK_SECS};
use crate::state::deployment::Deployment;
use crate::state::State;
use candid::Principal;
use ic_akash::rest::Dec;
use ic_akash::sdl::{self, Sdl};
use ic_akash_orchestrator_types::{
    CreateDeploymentArg, Credit, DepositIcpArg, GetProviderTokenArg, Icrc21Value, MintActArg, NotifyDepositArg, SetOwnerGovernanceArg,
    TopUpDeploymentArg, WithdrawArg,
};

/// The tokens amounts are shown in, with their smallest unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Akt,
    Act,
    Icp,
}

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Akt => "AKT",
            Unit::Act => "ACT",
            Unit::Icp => "ICP",
        }
    }

    pub fn decimals(self) -> u8 {
        match self {
            Unit::Akt | Unit::Act => 6,
            Unit::Icp => 8,
        }
    }

    /// The integer unit amounts are kept in.
    pub fn base(self) -> &'static str {
        match self {
            Unit::Akt => "uakt",
            Unit::Act => "uact",
            Unit::Icp => "e8s",
        }
    }
}

/// One fact of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Tokens(u64, Unit),
    Duration { secs: u64 },
    /// Prose.
    Text(String),
    /// An identifier shown exactly (principal, address, hash, image).
    Code(String),
}

/// A request for people: what it does (`intent`) and its facts, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendering {
    pub intent: String,
    pub fields: Vec<(String, Value)>,
}

impl Rendering {
    pub fn new(intent: impl Into<String>) -> Self {
        Rendering { intent: intent.into(), fields: Vec::new() }
    }

    fn add(&mut self, label: impl Into<String>, value: Value) {
        self.fields.push((label.into(), value));
    }

    fn text(&mut self, label: impl Into<String>, text: impl Into<String>) {
        self.add(label, Value::Text(text.into()));
    }

    /// Markdown: a heading and one bullet per fact (what SNS voters and generic displays show).
    pub fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", escape_markdown(&self.intent));
        for (label, value) in &self.fields {
            let value = match value {
                Value::Tokens(amount, unit) => format!("{} ({amount} {})", tokens(*amount, *unit), unit.base()),
                Value::Duration { secs } => duration(*secs),
                Value::Text(t) => escape_markdown(t),
                Value::Code(c) => format!("`{}`", c.replace('`', "'")),
            };
            out.push_str(&format!("- **{}:** {value}\n", escape_markdown(label)));
        }
        out
    }

    /// ICRC-21 fields: plain text, amounts and durations typed for the signer to format.
    pub fn icrc21_fields(&self) -> Vec<(String, Icrc21Value)> {
        self.fields
            .iter()
            .map(|(label, value)| {
                let v = match value {
                    Value::Tokens(amount, unit) => {
                        Icrc21Value::TokenAmount { decimals: unit.decimals(), amount: *amount, symbol: unit.symbol().into() }
                    }
                    Value::Duration { secs } => Icrc21Value::DurationSeconds { amount: *secs },
                    Value::Text(t) | Value::Code(t) => Icrc21Value::Text { content: t.clone() },
                };
                (label.clone(), v)
            })
            .collect()
    }
}

/// `amount` of `unit`'s smallest unit in whole tokens, exactly: `5.05 ACT`.
pub fn tokens(amount: u64, unit: Unit) -> String {
    format!("{} {}", fixed(u128::from(amount), u32::from(unit.decimals())), unit.symbol())
}

/// `n / 10^decimals`, exactly, without trailing zeros.
fn fixed(n: u128, decimals: u32) -> String {
    let one = 10u128.pow(decimals);
    let (whole, frac) = (n / one, n % one);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = decimals as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// A duration in its two largest units: `8 h 20 min`, `2 d`, `45 s`.
pub fn duration(secs: u64) -> String {
    let parts = [(secs / 86_400, "d"), (secs % 86_400 / 3600, "h"), (secs % 3600 / 60, "min"), (secs % 60, "s")];
    let shown: Vec<String> = parts.iter().skip_while(|(n, _)| *n == 0).take(2).filter(|(n, _)| *n > 0).map(|(n, u)| format!("{n} {u}")).collect();
    if shown.is_empty() {
        "0 s".into()
    } else {
        shown.join(" ")
    }
}

/// Text from requests (SDL names, reasons) cannot change the Markdown's structure.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~') {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

fn who(p: Principal) -> Value {
    if p == Principal::anonymous() {
        Value::Text("the caller".into())
    } else {
        Value::Code(p.to_text())
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

/// An owner and, if it is governed, by whom.
fn owner_field(r: &mut Rendering, s: &State, owner: Principal) {
    r.add("Owner", who(owner));
    if let Some(g) = s.governance_of(&owner) {
        r.add("Owner's governance", Value::Code(g.to_text()));
    }
}

/// The deployment a request is about: its id always, the rest only when the caller may see it.
fn deployment_fields(r: &mut Rendering, s: &State, id: u64, d: Option<&Deployment>) {
    r.text("Deployment", id.to_string());
    let Some(d) = d else { return };
    owner_field(r, s, d.owner);
    if let Some(dseq) = d.dseq {
        r.text("dseq", dseq.to_string());
    }
    r.text("State", d.phase.name());
    let providers: Vec<String> = d.leases.iter().filter(|l| l.created).map(|l| l.provider.clone()).collect();
    if !providers.is_empty() {
        r.add("Providers", Value::Code(list(&providers)));
    }
    if let Some(e) = &d.escrow {
        r.add("Escrow (last read)", Value::Tokens(e.balance_uact, Unit::Act));
        if let Some(secs) = e.runway_secs {
            r.add("Runway (last read)", Value::Duration { secs });
        }
    }
}

/// The leases' price per block, in `Dec` atomics of uact.
fn lease_rate_atomics(d: &Deployment) -> i128 {
    d.leases.iter().filter(|l| l.created).filter_map(|l| Dec::parse(&l.price).ok()).map(|p| p.atomics).sum()
}

fn uact_atomics(uact: u64) -> i128 {
    i128::from(uact).saturating_mul(Dec::ONE)
}

/// A whole-uact floor of a decimal uact amount, if it is one.
fn whole_uact(decimal: &str) -> Option<u64> {
    Dec::parse(decimal).ok().and_then(|d| u64::try_from(d.floor()).ok())
}

fn cpu(millis: u64) -> String {
    format!("{} CPU", fixed(u128::from(millis), 3))
}

fn expose_text(svc: &sdl::model::Service) -> String {
    if svc.expose.is_empty() {
        return "not exposed".into();
    }
    let mut parts = Vec::new();
    for e in &svc.expose {
        let external = if e.external_port != 0 { e.external_port } else { e.port };
        let to: Vec<String> = e
            .to
            .iter()
            .map(|t| match (t.global, t.service.is_empty()) {
                (true, _) if !t.ip.is_empty() => format!("the internet on IP {}", t.ip),
                (true, _) => "the internet".to_string(),
                (false, false) => format!("service {}", t.service),
                (false, true) => "nobody".to_string(),
            })
            .collect();
        let to = if to.is_empty() { "the deployment's services".to_string() } else { list(&to) };
        let mut part = format!("port {} as {external}/{} to {to}", e.port, e.proto.as_str());
        if !e.accept.is_empty() {
            part.push_str(&format!(" (hosts {})", list(&e.accept)));
        }
        parts.push(part);
    }
    parts.join("; ")
}

/// Environment variable names only: values may be secrets.
fn env_names(svc: &sdl::model::Service) -> Vec<String> {
    svc.env.iter().flatten().map(|kv| kv.split('=').next().unwrap_or_default().to_string()).collect()
}

/// One line per service of an SDL, from the core's summary: image, replicas, resources, ports,
/// placement and price.
fn services(r: &mut Rendering, sdl: &Sdl, summary: &sdl::Summary) {
    let model = sdl.model();
    for svc in &summary.services {
        let Some((_, m)) = model.services.iter().find(|(n, _)| *n == svc.name) else { continue };
        let mut line = format!(
            "image {}; {} × {}, {} memory, {} storage",
            svc.image,
            svc.count,
            cpu(svc.cpu_millis),
            sdl::human_bytes(svc.memory_bytes),
            sdl::human_bytes(svc.storage_bytes)
        );
        if svc.gpu_units > 0 {
            line.push_str(&format!(", {} GPU", svc.gpu_units));
        }
        line.push_str(&format!("; {}", expose_text(m)));
        let env = env_names(m);
        if !env.is_empty() {
            line.push_str(&format!("; environment {}", list(&env)));
        }
        if m.credentials.is_some() {
            line.push_str("; private registry credentials");
        }
        line.push_str(&format!("; placement {}, at most {} {} per block each", svc.placement, svc.price_per_block, svc.denom));
        r.text(format!("Service {}", svc.name), line);
    }
    for (name, p) in &model.placement {
        let mut parts = Vec::new();
        if !p.attributes.is_empty() {
            parts.push(format!("attributes {}", list(&p.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>())));
        }
        if !p.signed_by_all_of.is_empty() {
            parts.push(format!("signed by all of {}", list(&p.signed_by_all_of)));
        }
        if !p.signed_by_any_of.is_empty() {
            parts.push(format!("signed by any of {}", list(&p.signed_by_any_of)));
        }
        let text = if parts.is_empty() { "any provider".to_string() } else { parts.join("; ") };
        r.text(format!("Placement {name}"), text);
    }
}

/// `create_deployment`.
pub fn create(s: &State, arg: &CreateDeploymentArg, plan: &CreatePlan) -> Rendering {
    let mut r = Rendering::new("Create an Akash deployment");
    owner_field(&mut r, s, plan.owner);
    let summary = plan.sdl.summary().ok();
    if let Some(summary) = &summary {
        services(&mut r, &plan.sdl, summary);
    }
    let max = summary.as_ref().and_then(|sm| sm.prices.iter().find(|p| p.denom == ic_akash::msgs::DENOM_UACT).cloned());
    if let Some(p) = &max {
        r.text(
            "Maximum price (SDL)",
            format!("{} uact per block; {} uact per 30 days ({} blocks of {AKASH_BLOCK_SECS} s)", p.per_block, p.per_30_days, sdl::BLOCKS_PER_30_DAYS),
        );
        if let Some(uact) = whole_uact(&p.per_30_days) {
            r.add("Maximum per 30 days", Value::Tokens(uact, Unit::Act));
        }
    }
    r.text("Highest bid accepted", match &plan.policy.max_price {
        Some(p) => format!("{p} uact per block per group"),
        None => "up to the SDL's prices".into(),
    });
    r.add("Deposit", Value::Tokens(arg.deposit_uact, Unit::Act));
    let rate = max.and_then(|p| Dec::parse(&p.per_block).ok()).map(|d| d.atomics).unwrap_or(0);
    if let Some(secs) = deployments::runway_secs(uact_atomics(arg.deposit_uact), rate) {
        r.add("Runway at the maximum price", Value::Duration { secs });
    }
    if plan.mint_uakt > 0 {
        r.add("AKT burned for ACT first", Value::Tokens(plan.mint_uakt, Unit::Akt));
    } else {
        r.text("Deposit paid from", "the owner's ACT");
    }
    r.text("Providers", policy_text(&plan.policy));
    r.text("Auto top-up", match &arg.auto_top_up {
        Some(t) => format!("when less than {} of runway is left, add {} at the leases' price", duration(t.below_runway_secs), duration(t.top_up_runway_secs)),
        None => "off".into(),
    });
    let open_cost = deployments::owner_account_open_cost(s, plan.owner);
    r.add("AKT set aside now", Value::Tokens(plan.needed_uakt.saturating_add(open_cost), Unit::Akt));
    r.add("Service fees (kept)", Value::Tokens(plan.service_fee_uakt, Unit::Akt));
    r.add("Manifest hash", Value::Code(hex::encode(plan.sdl.version())));
    r
}

fn policy_text(p: &crate::state::deployment::StoredPolicy) -> String {
    let mut parts = Vec::new();
    if !p.allow.is_empty() {
        parts.push(format!("only {}", list(&p.allow)));
    }
    if !p.deny.is_empty() {
        parts.push(format!("never {}", list(&p.deny)));
    }
    if !p.attributes.is_empty() {
        parts.push(format!("with attributes {}", list(&p.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>())));
    }
    if !p.auditors.is_empty() {
        parts.push(format!("audited by any of {}", list(&p.auditors)));
    }
    if parts.is_empty() {
        "any provider (the cheapest bid)".into()
    } else {
        format!("{} (the cheapest such bid)", parts.join("; "))
    }
}

/// `top_up_deployment`; `d` when the caller may see the deployment.
pub fn top_up(s: &State, arg: &TopUpDeploymentArg, d: Option<&Deployment>) -> Rendering {
    let mut r = Rendering::new("Top up an Akash deployment's escrow");
    deployment_fields(&mut r, s, arg.deployment_id, d);
    r.add("Amount", Value::Tokens(arg.amount_uact, Unit::Act));
    if let Some(d) = d {
        if let Some(secs) = deployments::runway_secs(uact_atomics(arg.amount_uact), lease_rate_atomics(d)) {
            r.add("Runway added at the leases' price", Value::Duration { secs });
        }
        r.add("Owner's ACT now", Value::Tokens(s.balance(&d.owner).act_uact, Unit::Act));
    }
    r.text("Paid from", "the owner's ACT");
    r
}

/// `update_deployment`: the new SDL's services, and what changed against the SDL in force when
/// it is known (`old`).
pub fn update(s: &State, id: u64, d: Option<&Deployment>, old: Option<&Sdl>, new: &Sdl) -> Rendering {
    let mut r = Rendering::new("Update an Akash deployment");
    deployment_fields(&mut r, s, id, d);
    match old {
        Some(old) => changes(&mut r, old, new),
        None => {
            if let Ok(summary) = new.summary() {
                services(&mut r, new, &summary);
            }
        }
    }
    r.add("New manifest hash", Value::Code(hex::encode(new.version())));
    if let Some(old) = old {
        r.add("Manifest hash before", Value::Code(hex::encode(old.version())));
    }
    r.text("Then", "the new manifest is sent to every provider of the deployment");
    r
}

/// Per service: what differs between two SDLs with the same groups (images, commands, environment
/// names, ports, credentials, storage mounts).
fn changes(r: &mut Rendering, old: &Sdl, new: &Sdl) {
    let (om, nm) = (old.model(), new.model());
    for (name, n) in &nm.services {
        let Some((_, o)) = om.services.iter().find(|(on, _)| on == name) else {
            r.text(format!("Service {name}"), format!("new: image {}; {}", n.image, expose_text(n)));
            continue;
        };
        let mut diff = Vec::new();
        if o.image != n.image {
            diff.push(format!("image {} → {}", o.image, n.image));
        }
        if o.command != n.command || o.args != n.args {
            diff.push("command or arguments changed".into());
        }
        if o.env != n.env {
            let (on, nn) = (env_names(o), env_names(n));
            let added: Vec<String> = nn.iter().filter(|k| !on.contains(k)).cloned().collect();
            let removed: Vec<String> = on.iter().filter(|k| !nn.contains(k)).cloned().collect();
            let mut e = "environment changed".to_string();
            if !added.is_empty() {
                e.push_str(&format!(", added {}", list(&added)));
            }
            if !removed.is_empty() {
                e.push_str(&format!(", removed {}", list(&removed)));
            }
            diff.push(e);
        }
        if o.expose != n.expose {
            diff.push(format!("ports now {}", expose_text(n)));
        }
        if o.credentials != n.credentials {
            diff.push("registry credentials changed".into());
        }
        if o.params != n.params {
            diff.push("storage mounts or permissions changed".into());
        }
        let text = if diff.is_empty() { format!("unchanged (image {})", n.image) } else { diff.join("; ") };
        r.text(format!("Service {name}"), text);
    }
    for (name, _) in om.services.iter().filter(|(on, _)| !nm.services.iter().any(|(n, _)| n == on)) {
        r.text(format!("Service {name}"), "removed");
    }
}

/// `close_deployment`.
pub fn close(s: &State, id: u64, d: Option<&Deployment>) -> Rendering {
    let mut r = Rendering::new("Close an Akash deployment");
    deployment_fields(&mut r, s, id, d);
    r.text("Refund", "the unspent escrow returns to the owner's ACT once the chain has settled it");
    r
}

/// `withdraw`.
pub fn withdraw(s: &State, owner: Principal, arg: &WithdrawArg, needed_uakt: u64) -> Rendering {
    let mut r = Rendering::new("Withdraw AKT to an Akash address");
    owner_field(&mut r, s, owner);
    r.add("Amount", Value::Tokens(arg.amount_uakt, Unit::Akt));
    r.add("To", Value::Code(arg.to_akash_address.trim().to_string()));
    r.add("Fee reserve (unused part returns)", Value::Tokens(crate::withdraw::WITHDRAW_FEE_RESERVE_UAKT, Unit::Akt));
    r.add("Service fee (kept)", Value::Tokens(s.config().akash_service_fee_uakt, Unit::Akt));
    r.add("AKT set aside now", Value::Tokens(needed_uakt, Unit::Akt));
    r
}

/// `mint_act`.
pub fn mint(s: &State, owner: Principal, arg: &MintActArg) -> Rendering {
    let mut r = Rendering::new("Burn AKT for ACT");
    owner_field(&mut r, s, owner);
    r.add("AKT burned", Value::Tokens(arg.amount_uakt, Unit::Akt));
    r.add("Fee reserve (unused part returns)", Value::Tokens(crate::mint::MINT_FEE_RESERVE_UAKT, Unit::Akt));
    r.add("Service fee (kept)", Value::Tokens(s.config().akash_service_fee_uakt, Unit::Akt));
    r.add("AKT set aside now", Value::Tokens(crate::mint::mint_set_aside_uakt(s, arg.amount_uakt), Unit::Akt));
    r.text("ACT", "the owner's share of what the burn mints, credited when the chain's epoch settles it");
    r
}

/// `deposit_icp` by `payer`.
pub fn deposit_icp(s: &State, payer: Principal, arg: &DepositIcpArg) -> Rendering {
    let mut r = Rendering::new("Pay ICP for AKT");
    r.add("Amount", Value::Tokens(arg.amount_e8s, Unit::Icp));
    r.add("Paid by", who(payer));
    if let Some(sub) = &arg.from_subaccount {
        r.add("From subaccount", Value::Code(hex::encode(sub)));
    }
    r.text("Ledger fee", "charged to the payer on top of the amount");
    r.add("Credited to", who(arg.beneficiary.unwrap_or(payer)));
    let fee_bps = s.config().fee_bps;
    if let Some(rate) = s.cached_rate() {
        let q = crate::conversion::quote(arg.amount_e8s, rate, fee_bps);
        r.add("AKT at the last rate (about)", Value::Tokens(q.uakt, Unit::Akt));
    }
    r.text("Conversion fee", format!("{}% (the rate is fixed when the call runs)", fixed(u128::from(fee_bps), 2)));
    r
}

/// `notify_deposit`; `credited` when the block was credited already.
pub fn notify_deposit(canister_id: Principal, beneficiary: Principal, arg: &NotifyDepositArg, credited: Option<&Credit>) -> Rendering {
    let mut r = Rendering::new("Credit an ICP transfer to a deposit account");
    r.text("Ledger block", arg.block_index.to_string());
    r.add("Credited to", who(beneficiary));
    if beneficiary != Principal::anonymous() {
        let account = crate::notify::deposit_account(canister_id, beneficiary);
        r.add("Deposit account", Value::Code(account.account_identifier));
    }
    match credited {
        Some(c) => {
            r.add("Already credited", Value::Tokens(c.quote.uakt, Unit::Akt));
            r.add("For", Value::Tokens(c.quote.icp_e8s, Unit::Icp));
        }
        None => r.text("Credit", "what the transfer buys at the current rate, once: the block must pay this deposit account"),
    }
    r
}

/// `set_owner_governance`.
pub fn set_owner_governance(s: &State, arg: &SetOwnerGovernanceArg) -> Rendering {
    let mut r = Rendering::new("Change who controls an owner");
    r.add("Owner", who(arg.owner));
    let describe = |g: Option<Principal>| match g {
        Some(g) => Value::Code(g.to_text()),
        None => Value::Text("none: the owner acts for itself".into()),
    };
    r.add("Governance now", describe(s.governance_of(&arg.owner)));
    r.add("Governance after", describe(arg.governance));
    r.text("Effect", match arg.governance {
        Some(_) => "only the governance canister acts for the owner (deployments, withdrawals, mints); the owner's own calls are refused",
        None => "the owner acts for itself again",
    });
    r
}

/// `open_akash_account` by `caller`.
pub fn open_akash_account(s: &State, caller: Principal) -> Rendering {
    let mut r = Rendering::new("Open your Akash account");
    r.add("Owner", who(caller));
    let cost = deployments::owner_account_open_cost(s, caller);
    r.add("AKT set aside now", Value::Tokens(cost, Unit::Akt));
    r.text("Effect", "the treasury grants the account a fee allowance for deployments and leases");
    r
}

/// `get_provider_token`.
pub fn provider_token(s: &State, arg: &GetProviderTokenArg, d: Option<&Deployment>) -> Rendering {
    let mut r = Rendering::new("Get a token for a deployment's providers");
    deployment_fields(&mut r, s, arg.deployment_id, d);
    r.text("Scopes", list(&arg.scopes));
    r.add("Valid for", Value::Duration { secs: arg.ttl_secs.unwrap_or(deployments::OWNER_TOKEN_DEFAULT_TTL_SECS) });
    r.add("Service fee (kept)", Value::Tokens(s.config().akash_service_fee_uakt, Unit::Akt));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_durations_are_exact_and_short() {
        assert_eq!(tokens(5_050_000, Unit::Act), "5.05 ACT");
        assert_eq!(tokens(5_000_000, Unit::Akt), "5 AKT");
        assert_eq!(tokens(1, Unit::Icp), "0.00000001 ICP");
        assert_eq!(tokens(u64::MAX, Unit::Akt), "18446744073709.551615 AKT");
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(30_000), "8 h 20 min");
        assert_eq!(duration(2 * 86_400 + 59), "2 d");
        assert_eq!(duration(3_601), "1 h");
        assert_eq!(cpu(500), "0.5 CPU");
    }

    #[test]
    fn markdown_keeps_its_structure_and_fields_are_typed() {
        let mut r = Rendering::new("Do *this*");
        r.text("Service a_b", "x\n# not a heading");
        r.add("Amount", Value::Tokens(1_500_000, Unit::Act));
        r.add("Who", Value::Code("ab`c".into()));
        r.add("Runway", Value::Duration { secs: 60 });
        let md = r.markdown();
        assert_eq!(
            md,
            "## Do \\*this\\*\n\n- **Service a\\_b:** x \\# not a heading\n- **Amount:** 1.5 ACT (1500000 uact)\n- **Who:** `ab'c`\n- **Runway:** 1 min\n"
        );
        let f = r.icrc21_fields();
        assert_eq!(f[1].1, Icrc21Value::TokenAmount { decimals: 6, amount: 1_500_000, symbol: "ACT".into() });
        assert_eq!(f[3].1, Icrc21Value::DurationSeconds { amount: 60 });
        assert_eq!(f[0].1, Icrc21Value::Text { content: "x\n# not a heading".into() });
    }
}
