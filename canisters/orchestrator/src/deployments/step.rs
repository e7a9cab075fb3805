//! The deployment state machine, driven by timers from each deployment's stored phase, so an
//! upgrade loses nothing: the next run reads the phase and goes on.
//!
//! WaitingForAct → Preparing (owner account, deposit grant) → Creating → Bidding → Leasing →
//! SendingManifest → Starting → Active → Closing → Settling → Closed, with Failed for a request
//! that never reached the chain's escrow. Every phase has a deadline; a provider that does not take
//! the manifest or start the services in time makes the deployment close and be made again
//! without it (a closed lease's group cannot be leased again on Akash).
//!
//! Each step reads, decides with the chain's and providers' answers, then applies its decision
//! only if the deployment is still in the phase it read (a message may have landed meanwhile).

use super::*;
use crate::akash::client;
use crate::akash::provider_client::{self, LeaseRef};
use crate::bid_choice::{self, ProviderFacts, ProviderPolicy};
use crate::logs::Level;
use crate::runtime::Task;
use crate::state::deployment::LeaseRecord;
use ic_akash_orchestrator_types::{EscrowInfo, ForwardedPort, ServiceInfo};
use std::collections::BTreeMap;

/// How often the deployments are looked at.
pub const DEPLOYMENTS_TICK_SECS: u64 = 6;
/// Most deployments stepped in one run (each may make a few outcalls).
pub const MAX_STEPS_PER_RUN: usize = 20;
/// Most bidders whose registration is read for an attribute policy.
pub const MAX_PROVIDER_READS: usize = 10;
/// Checks in a row at which a provider did not answer before it counts as failed.
pub const MAX_SILENT_CHECKS: u32 = 3;
/// A deployment in `Settling` whose chain state still says active after this many reads is
/// closed again.
pub const SETTLE_READS_BEFORE_RETRY: u32 = 3;

pub fn schedule<R: Runtime>(o: &Orchestrator<R>, delay_secs: u64) {
    if !o.deployments_scheduled.replace(true) {
        o.rt.set_timer(delay_secs, Task::Deployments);
    }
}

/// One pass over the deployments that are due.
pub async fn run<R: Runtime>(o: &Orchestrator<R>) {
    o.deployments_scheduled.set(false);
    if o.deployments_running.replace(true) {
        return;
    }
    let now = o.now_secs();
    let due: Vec<u64> = o.read(|s| {
        s.active_deployments()
            .into_iter()
            .filter(|id| s.deployment(*id).is_some_and(|d| d.next_step_secs <= now))
            .take(MAX_STEPS_PER_RUN)
            .collect()
    });
    crate::util::join_all(due.into_iter().map(|id| step(o, id))).await;
    o.deployments_running.set(false);
    if o.read(|s| s.active_deployment_count()) > 0 {
        schedule(o, DEPLOYMENTS_TICK_SECS);
    }
}

async fn step<R: Runtime>(o: &Orchestrator<R>, id: u64) {
    let Some(d) = o.read(|s| s.deployment(id)) else { return };
    match d.phase.clone() {
        Phase::WaitingForAct { deadline_secs } => wait_for_act(o, d, deadline_secs),
        Phase::Preparing { deadline_secs, grant_done } => prepare(o, d, deadline_secs, grant_done),
        Phase::Creating => later(o, id, DEPLOYMENTS_TICK_SECS),
        Phase::Leasing => leasing(o, d),
        Phase::Bidding { deadline_secs, polls } => bidding(o, d, deadline_secs, polls).await,
        Phase::SendingManifest { deadline_secs, attempts } => send_manifests(o, d, deadline_secs, attempts).await,
        Phase::Starting { deadline_secs, polls } => starting(o, d, deadline_secs, polls).await,
        Phase::Active => active(o, d).await,
        Phase::Closing => closing(o, d),
        Phase::Settling { reads } => settling(o, d, reads).await,
        Phase::Closed { .. } | Phase::Failed { .. } => {}
    }
    pipeline::schedule(o, 0);
}

/// Applies `f` to the deployment if it is still in the same phase (kind) as `before`.
fn update<R: Runtime>(o: &Orchestrator<R>, before: &Deployment, f: impl FnOnce(&mut crate::state::State, &mut Deployment)) -> bool {
    o.mutate(|s| {
        let Some(mut d) = s.deployment(before.id) else { return false };
        if std::mem::discriminant(&d.phase) != std::mem::discriminant(&before.phase) {
            return false;
        }
        f(s, &mut d);
        s.put_deployment(d);
        true
    })
}

fn later<R: Runtime>(o: &Orchestrator<R>, id: u64, secs: u64) {
    let at = o.now_secs() + secs;
    o.mutate(|s| {
        if let Some(mut d) = s.deployment(id) {
            d.next_step_secs = at;
            s.put_deployment(d);
        }
    });
}

fn fail<R: Runtime>(o: &Orchestrator<R>, id: u64, reason: String) {
    o.log(Level::Warn, format!("deployment {id} failed: {reason}"));
    o.mutate(|s| s.fail_deployment(o.now_nanos(), id, reason));
}

fn owner_address<R: Runtime>(o: &Orchestrator<R>, owner: Principal) -> String {
    o.read(|s| s.tx_account(&SignerId::Owner(owner)).map(|a| a.address).unwrap_or_default())
}

fn stored_sdl<R: Runtime>(o: &Orchestrator<R>, d: &Deployment) -> Option<ic_akash::sdl::Sdl> {
    let text = o.read(|s| s.deployment_sdl(d.id))?;
    match parse_sdl(&text) {
        Ok(sdl) => Some(sdl),
        Err(e) => {
            o.log(Level::Error, format!("BUG: stored SDL of deployment {} does not parse: {e}", d.id));
            None
        }
    }
}

fn wait_for_act<R: Runtime>(o: &Orchestrator<R>, d: Deployment, deadline_secs: u64) {
    if d.mint_id.is_some_and(|m| o.read(|s| s.mint_pending(m))) {
        if o.now_secs() < deadline_secs {
            later(o, d.id, 15);
            return;
        }
        o.log(Level::Warn, format!("deployment {}: the ACT mint is still pending past its deadline", d.id));
        later(o, d.id, 600);
        return;
    }
    if let Some(c) = &d.close {
        fail(o, d.id, c.reason.clone());
        return;
    }
    let now = o.now_nanos();
    let act = o.read(|s| s.balance(&d.owner).act_uact);
    if act < d.deposit_uact {
        fail(o, d.id, format!("ACT for the deposit: {act} uact after the mint, {} needed", d.deposit_uact));
        return;
    }
    update(o, &d, |s, d| {
        let missing = d.deposit_uact.saturating_sub(d.act_reserved_uact);
        if s.reserve_deployment_act(now, d, missing).is_ok() {
            d.phase = Phase::Preparing { deadline_secs: now / crate::canister::NANOS_PER_SEC + PREPARE_DEADLINE_SECS, grant_done: false };
            d.next_step_secs = 0;
        }
    });
}

/// Owner account open, treasury deposit grant in place, then the create message.
fn prepare<R: Runtime>(o: &Orchestrator<R>, d: Deployment, deadline_secs: u64, grant_done: bool) {
    let now = o.now_secs();
    if let Some(c) = &d.close {
        if d.msgs.is_empty() {
            fail(o, d.id, c.reason.clone());
        } else {
            later(o, d.id, DEPLOYMENTS_TICK_SECS);
        }
        return;
    }
    let (opened, opening) = o.read(|s| {
        (s.tx_account(&SignerId::Owner(d.owner)).is_some_and(|a| a.opened), s.open_account_pending(d.owner))
    });
    if !opened && !opening {
        fail(o, d.id, "the owner's Akash account could not be opened (see the journal)".into());
        return;
    }
    if now >= deadline_secs && d.msgs.is_empty() {
        fail(o, d.id, "the owner account and deposit grant were not ready in time".into());
        return;
    }
    let Some(treasury) = o.read(|s| s.tx_account(&SignerId::Treasury)) else { return };
    let owner_addr = owner_address(o, d.owner);
    let pending = |kind: &str| o.read(|s| d.has_pending(s, kind));
    if !grant_done && !pending("grant") {
        // A redeploy funds its deposit from the refund, topped back up from the owner's ACT.
        let top = d.deposit_uact.saturating_sub(d.act_reserved_uact).min(o.read(|s| s.balance(&d.owner).act_uact));
        if d.act_reserved_uact + top < MIN_DEPLOYMENT_DEPOSIT_UACT {
            if d.msgs.is_empty() {
                fail(o, d.id, format!("{} uact left for the deposit, the chain's minimum is {MIN_DEPLOYMENT_DEPOSIT_UACT}", d.act_reserved_uact + top));
            }
            return;
        }
        let now_nanos = o.now_nanos();
        update(o, &d, |s, d| {
            if top > 0 && s.reserve_deployment_act(now_nanos, d, top).is_err() {
                return;
            }
            // The grant covers every deposit of this owner not yet made (a newer grant replaces an older one).
            let others: u64 = s
                .active_deployments()
                .into_iter()
                .filter(|i| *i != d.id)
                .filter_map(|i| s.deployment(i))
                .filter(|o2| o2.owner == d.owner && matches!(o2.phase, Phase::Preparing { .. } | Phase::Creating))
                .map(|o2| o2.act_reserved_uact)
                .sum();
            let amount = d.act_reserved_uact + others;
            let coin = ic_akash::msgs::coin(u128::from(amount), ic_akash::msgs::DENOM_UACT);
            let scopes = [ic_akash::proto::akash_msgs::DepositScope::Deployment];
            let expires = now_nanos / crate::canister::NANOS_PER_SEC + PREPARE_DEADLINE_SECS;
            match ic_akash::msgs::grant_deposit_authorization(&treasury.address, &owner_addr, &coin, &scopes, Some(expires)) {
                Ok(any) => {
                    s.queue_deployment_msg(now, d, SignerId::Treasury, any, DeploymentStep::Grant { amount_uact: amount });
                }
                Err(e) => d.close = Some(CloseIntent { reason: format!("deposit grant: {e}"), redeploy: false }),
            }
        });
        return;
    }
    if !grant_done || !opened || pending("create") {
        later(o, d.id, DEPLOYMENTS_TICK_SECS);
        return;
    }
    let Some(sdl) = stored_sdl(o, &d) else { return };
    let mut groups = sdl.groups();
    if !d.policy.auditors.is_empty() {
        for g in groups.iter_mut() {
            let signed_by = g.requirements.get_or_insert_with(Default::default).signed_by.get_or_insert_with(Default::default);
            for a in &d.policy.auditors {
                if !signed_by.any_of.contains(a) {
                    signed_by.any_of.push(a.clone());
                }
            }
        }
    }
    let hash: [u8; 32] = d.sdl_hash.clone().try_into().unwrap_or_else(|_| sdl.version());
    let owner = d.owner;
    update(o, &d, |s, d| {
        let deposit = d.act_reserved_uact;
        let Some(mut acc) = s.tx_account(&SignerId::Owner(d.owner)) else { return };
        let dseq = now.max(acc.last_dseq.map_or(0, |l| l + 1));
        let coin = ic_akash::msgs::coin(u128::from(deposit), ic_akash::msgs::DENOM_UACT);
        let sources = [ic_akash::proto::akash_msgs::Source::Grant];
        match ic_akash::msgs::create_deployment(&owner_addr, dseq, groups, hash, &coin, &sources) {
            Ok(any) => {
                acc.last_dseq = Some(dseq);
                s.put_tx_account(SignerId::Owner(d.owner), acc);
                s.queue_deployment_msg(now, d, SignerId::Owner(owner), any, DeploymentStep::Create { dseq, deposit_uact: deposit });
                d.phase = Phase::Creating;
            }
            Err(e) => d.close = Some(CloseIntent { reason: format!("MsgCreateDeployment: {e}"), redeploy: false }),
        }
    });
}

fn leasing<R: Runtime>(o: &Orchestrator<R>, d: Deployment) {
    if o.read(|s| d.has_pending(s, "lease")) {
        later(o, d.id, DEPLOYMENTS_TICK_SECS);
        return;
    }
    let now = o.now_secs();
    update(o, &d, |_, d| {
        d.phase = if d.close.is_some() {
            Phase::Closing
        } else {
            Phase::SendingManifest { deadline_secs: now + MANIFEST_DEADLINE_SECS, attempts: 0 }
        };
        d.next_step_secs = 0;
    });
}

/// What the policy says in the terms of `bid_choice`.
fn policy(d: &Deployment) -> ProviderPolicy {
    ProviderPolicy {
        allow: d.policy.allow.clone(),
        deny: d.policy.deny.clone(),
        required_attributes: d.policy.attributes.clone(),
        // Auditors are required on chain through the groups' `signedBy`.
        required_auditors: Vec::new(),
        max_price_uact_per_block: d.policy.max_price.as_deref().and_then(|p| Dec::parse(p).ok()),
    }
}

async fn bidding<R: Runtime>(o: &Orchestrator<R>, d: Deployment, deadline_secs: u64, polls: u32) {
    let Some(dseq) = d.dseq else { return };
    let owner_addr = owner_address(o, d.owner);
    let groups = match stored_sdl(o, &d) {
        Some(sdl) => sdl.group_specs().len() as u32,
        None => return,
    };
    let next_poll = |o: &Orchestrator<R>| {
        let now = o.now_secs();
        if now >= deadline_secs {
            return false;
        }
        let delay = (15 + 10 * u64::from(polls)).min(30).min(deadline_secs - now).max(1);
        update(o, &d, |_, d| {
            d.phase = Phase::Bidding { deadline_secs, polls: polls + 1 };
            d.next_step_secs = now + delay;
        });
        true
    };
    let bids = match client::bids(o, &owner_addr, dseq).await {
        Ok(b) => b,
        Err(e) => {
            o.log(Level::Warn, format!("deployment {}: reading bids: {e}", d.id));
            if !next_poll(o) {
                super::request_close(o, d.id, format!("bids could not be read before the deadline: {e}"), false);
            }
            return;
        }
    };
    let policy = policy(&d);
    let mut facts: BTreeMap<String, ProviderFacts> = BTreeMap::new();
    if !policy.required_attributes.is_empty() {
        let mut bidders: Vec<String> = bids.iter().map(|b| b.id.provider.clone()).collect();
        bidders.sort();
        bidders.dedup();
        for p in bidders.into_iter().take(MAX_PROVIDER_READS) {
            if let Ok(info) = client::provider(o, &p).await {
                facts.insert(p, ProviderFacts { info, auditors: Vec::new() });
            }
        }
    }
    let (chosen, refusals) = bid_choice::choose(&policy, &bids, &facts, &d.failed_providers);
    let complete = (1..=groups).all(|g| chosen.contains_key(&g));
    if !complete {
        if !next_poll(o) {
            let why: Vec<String> = refusals.iter().map(|(p, r)| format!("{p}: {r:?}")).collect();
            let reason = if bids.is_empty() {
                "no bids by the deadline".to_string()
            } else {
                format!("no acceptable bid for every group by the deadline ({})", why.join("; "))
            };
            super::request_close(o, d.id, reason, false);
        }
        return;
    }
    // The chosen providers' API addresses (quorum reads).
    let mut leases = Vec::new();
    for (gseq, bid) in &chosen {
        let info = match facts.get(&bid.id.provider).and_then(|f| f.info.clone()) {
            Some(i) => Some(i),
            None => client::provider(o, &bid.id.provider).await.ok().flatten(),
        };
        let Some(info) = info else {
            o.log(Level::Warn, format!("deployment {}: provider {} has no readable registration", d.id, bid.id.provider));
            if !next_poll(o) {
                super::request_close(o, d.id, format!("provider {} could not be read", bid.id.provider), false);
            }
            return;
        };
        leases.push((*gseq, (*bid).clone(), info.host_uri));
    }
    let now = o.now_secs();
    let now_nanos = o.now_nanos();
    let bid_count = bids.len() as u32;
    let refused: Vec<String> = refusals.iter().map(|(p, r)| format!("{p}: {r:?}")).collect();
    let owner = d.owner;
    update(o, &d, |s, d| {
        if d.close.is_some() {
            return;
        }
        d.leases.clear();
        for (gseq, bid, host_uri) in leases {
            let price = bid.price.amount.to_string();
            let event = DeploymentEvent::BidChosen {
                gseq,
                provider: bid.id.provider.clone(),
                price_uact_per_block: price.clone(),
                bids: bid_count,
                refused: refused.clone(),
            };
            s.deployment_event(now_nanos, d, event);
            let id = ic_akash::proto::akash_msgs::BidId {
                owner: bid.id.owner.clone(),
                dseq: bid.id.dseq,
                gseq: bid.id.gseq,
                oseq: bid.id.oseq,
                provider: bid.id.provider.clone(),
                bseq: bid.id.bseq,
            };
            match ic_akash::msgs::create_lease(&id) {
                Ok(any) => {
                    s.queue_deployment_msg(now, d, SignerId::Owner(owner), any, DeploymentStep::Lease { gseq });
                }
                Err(e) => {
                    d.close = Some(CloseIntent { reason: format!("MsgCreateLease: {e}"), redeploy: false });
                }
            }
            d.leases.push(LeaseRecord {
                provider: bid.id.provider.clone(),
                host_uri,
                gseq,
                oseq: bid.id.oseq,
                bseq: bid.id.bseq,
                price,
                created: false,
                manifest_sent: false,
            });
        }
        d.phase = Phase::Leasing;
        d.next_step_secs = now + DEPLOYMENTS_TICK_SECS;
    });
}

fn lease_ref(d: &Deployment, l: &LeaseRecord, dseq: u64, sdl: &ic_akash::sdl::Sdl) -> LeaseRef {
    LeaseRef {
        owner: d.owner,
        provider: l.provider.clone(),
        host_uri: l.host_uri.clone(),
        dseq,
        gseq: l.gseq,
        oseq: l.oseq,
        services: views::services_of_group(sdl, l.gseq),
    }
}

/// A provider failed the deployment: record it and close, to be made again without it while
/// attempts remain.
fn provider_failed<R: Runtime>(o: &Orchestrator<R>, d: &Deployment, failures: Vec<(String, String)>) {
    let now_nanos = o.now_nanos();
    let redeploy = d.attempts < MAX_DEPLOY_ATTEMPTS;
    let mut reasons = Vec::new();
    o.mutate(|s| {
        let Some(mut cur) = s.deployment(d.id) else { return };
        for (provider, reason) in failures {
            reasons.push(format!("{provider}: {reason}"));
            if !cur.failed_providers.contains(&provider) {
                cur.failed_providers.push(provider.clone());
            }
            s.deployment_event(now_nanos, &mut cur, DeploymentEvent::ProviderFailed { provider, reason });
        }
        s.put_deployment(cur);
    });
    let reason = if redeploy {
        format!("made again without failed providers ({})", reasons.join("; "))
    } else {
        format!("providers failed {MAX_DEPLOY_ATTEMPTS} times ({})", reasons.join("; "))
    };
    super::request_close(o, d.id, reason, redeploy);
}

async fn send_manifests<R: Runtime>(o: &Orchestrator<R>, d: Deployment, deadline_secs: u64, attempts: u32) {
    let (Some(dseq), Some(sdl)) = (d.dseq, stored_sdl(o, &d)) else { return };
    let mut sent = Vec::new();
    let mut failed = Vec::new();
    for l in d.leases.iter().filter(|l| l.created && !l.manifest_sent) {
        match provider_client::send_manifest(o, &lease_ref(&d, l, dseq, &sdl), sdl.manifest_json()).await {
            Ok(()) => sent.push(l.gseq),
            Err(e) => {
                o.log(Level::Warn, format!("deployment {}: manifest to {}: {e}", d.id, l.provider));
                failed.push((l.provider.clone(), e.to_string()));
            }
        }
    }
    let now = o.now_secs();
    let now_nanos = o.now_nanos();
    let hash = hex::encode(&d.sdl_hash);
    let mut all_sent = false;
    update(o, &d, |s, d| {
        for gseq in &sent {
            if let Some(l) = d.leases.iter_mut().find(|l| l.gseq == *gseq) {
                l.manifest_sent = true;
                let provider = l.provider.clone();
                s.deployment_event(now_nanos, d, DeploymentEvent::ManifestSent { provider, sdl_hash: hash.clone() });
            }
        }
        all_sent = d.leases.iter().all(|l| l.manifest_sent);
        if all_sent {
            d.phase = Phase::Starting { deadline_secs: now + READY_DEADLINE_SECS, polls: 0 };
            // Services take at least tens of seconds to start (image pull).
            d.next_step_secs = now + 30;
        } else {
            d.phase = Phase::SendingManifest { deadline_secs, attempts: attempts + 1 };
            d.next_step_secs = now + (10u64 << attempts.min(3)).min(60).min(deadline_secs.saturating_sub(now).max(1));
        }
    });
    if !all_sent && now >= deadline_secs && !failed.is_empty() {
        provider_failed(o, &d, failed);
    }
}

fn service_infos(status: &ic_akash::rest::provider::LeaseStatus) -> Vec<ServiceInfo> {
    status
        .services
        .iter()
        .map(|s| ServiceInfo {
            name: s.name.clone(),
            uris: s.uris.clone(),
            available: s.available,
            total: s.total,
            forwarded_ports: status
                .forwarded_ports
                .iter()
                .filter(|p| p.service == s.name)
                .map(|p| ForwardedPort { host: p.host.clone(), external_port: p.external_port, port: p.port, proto: p.proto.clone() })
                .collect(),
        })
        .collect()
}

async fn starting<R: Runtime>(o: &Orchestrator<R>, d: Deployment, deadline_secs: u64, polls: u32) {
    let (Some(dseq), Some(sdl)) = (d.dseq, stored_sdl(o, &d)) else { return };
    let mut services = Vec::new();
    let mut not_ready = Vec::new();
    for l in &d.leases {
        match provider_client::lease_status(o, &lease_ref(&d, l, dseq, &sdl)).await {
            Ok(Some(st)) if st.all_ready() => services.extend(service_infos(&st)),
            Ok(Some(_)) => not_ready.push((l.provider.clone(), "services not ready".to_string())),
            Ok(None) => not_ready.push((l.provider.clone(), "the provider has no manifest for the lease".to_string())),
            Err(e) => not_ready.push((l.provider.clone(), e.to_string())),
        }
    }
    let now = o.now_secs();
    let now_nanos = o.now_nanos();
    if not_ready.is_empty() {
        update(o, &d, |s, d| {
            d.services = services.clone();
            d.phase = Phase::Active;
            d.next_step_secs = now + 60;
            s.deployment_event(now_nanos, d, DeploymentEvent::Active { services });
        });
        return;
    }
    if now >= deadline_secs {
        provider_failed(o, &d, not_ready);
        return;
    }
    update(o, &d, |_, d| {
        d.phase = Phase::Starting { deadline_secs, polls: polls + 1 };
        d.next_step_secs = now + (15 + 10 * u64::from(polls)).min(60);
    });
}

/// The uact amount of an escrow's coin list, in `Dec` atomics.
fn uact_atomics(coins: &[ic_akash::rest::DecCoin]) -> i128 {
    coins.iter().filter(|c| c.denom == ic_akash::msgs::DENOM_UACT).map(|c| c.amount.atomics).sum()
}

/// Unspent escrow, paid so far, total lease rate and runway, from the chain's deployment.
fn escrow_info(d: &Deployment, info: &ic_akash::rest::DeploymentInfo, now: u64) -> Option<(EscrowInfo, i128, i128)> {
    let acc = info.escrow_account.as_ref()?;
    let funds = uact_atomics(&acc.funds);
    let transferred = uact_atomics(&acc.transferred);
    let rate: i128 = d.leases.iter().filter_map(|l| Dec::parse(&l.price).ok()).map(|p| p.atomics).sum();
    let runway_secs = super::runway_secs(funds, rate);
    let info = EscrowInfo {
        balance_uact: u64::try_from(Dec { atomics: funds }.floor().max(0)).unwrap_or(u64::MAX),
        spent_uact: u64::try_from(Dec { atomics: transferred }.ceil().max(0)).unwrap_or(u64::MAX),
        rate_uact_per_block: Dec { atomics: rate }.to_string(),
        runway_secs,
        read_at_secs: now,
    };
    Some((info, funds, rate))
}

async fn active<R: Runtime>(o: &Orchestrator<R>, d: Deployment) {
    let Some(dseq) = d.dseq else { return };
    let owner_addr = owner_address(o, d.owner);
    let info = match client::deployment(o, &owner_addr, dseq).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            o.log(Level::Error, format!("deployment {} ({owner_addr}/{dseq}) not found on chain", d.id));
            later(o, d.id, 60);
            return;
        }
        Err(e) => {
            o.log(Level::Warn, format!("deployment {}: reading it: {e}", d.id));
            later(o, d.id, 60);
            return;
        }
    };
    // Leases that ended without the owner: the provider, or an empty escrow.
    let ended: Vec<&LeaseRecord> = d
        .leases
        .iter()
        .filter(|l| info.state != "active" || info.groups.iter().any(|g| g.gseq == l.gseq && g.state != "open"))
        .collect();
    if !ended.is_empty() {
        let mut reasons = Vec::new();
        for l in ended {
            let id = ic_akash::rest::BidId {
                owner: owner_addr.clone(),
                dseq,
                gseq: l.gseq,
                oseq: l.oseq,
                provider: l.provider.clone(),
                bseq: l.bseq,
            };
            let reason = match client::lease(o, &id).await {
                Ok(Some(lease)) if lease.state != "active" => lease.reason,
                Ok(_) => format!("group {} is {}", l.gseq, info.groups.iter().find(|g| g.gseq == l.gseq).map_or("gone", |g| g.state.as_str())),
                Err(e) => {
                    o.log(Level::Warn, format!("deployment {}: reading lease: {e}", d.id));
                    later(o, d.id, 60);
                    return;
                }
            };
            reasons.push((l.provider.clone(), reason));
        }
        let now_nanos = o.now_nanos();
        let chain_closed = info.state != "active";
        update(o, &d, |s, d| {
            for (provider, reason) in &reasons {
                s.deployment_event(now_nanos, d, DeploymentEvent::LeaseEnded { provider: provider.clone(), reason: reason.clone() });
            }
            let why: Vec<String> = reasons.iter().map(|(p, r)| format!("{p}: {r}")).collect();
            let reason = format!("lease ended on chain ({})", why.join("; "));
            d.close = Some(CloseIntent { reason: reason.clone(), redeploy: false });
            s.deployment_event(now_nanos, d, DeploymentEvent::CloseRequested { reason });
            // A deployment the chain closed (empty escrow) needs no close message.
            d.phase = if chain_closed { Phase::Settling { reads: 0 } } else { Phase::Closing };
            d.next_step_secs = 0;
        });
        return;
    }
    // A provider that stopped answering for its lease is still paid by the escrow: after
    // `MAX_SILENT_CHECKS` checks in a row it counts as failed.
    if let Some(sdl) = stored_sdl(o, &d) {
        let mut silent = Vec::new();
        for l in &d.leases {
            if let Err(e) = provider_client::lease_status(o, &lease_ref(&d, l, dseq, &sdl)).await {
                silent.push((l.provider.clone(), format!("stopped answering: {e}")));
            }
        }
        let checks = if silent.is_empty() { 0 } else { d.silent_checks + 1 };
        if checks >= MAX_SILENT_CHECKS {
            provider_failed(o, &d, silent);
            return;
        }
        update(o, &d, |_, d| d.silent_checks = checks);
    }
    let now = o.now_secs();
    let Some((escrow, _funds, rate)) = escrow_info(&d, &info, now) else {
        later(o, d.id, 60);
        return;
    };
    let runway = escrow.runway_secs.unwrap_or(u64::MAX);
    let config = o.read(|s| s.config().clone());
    let treasury = o.read(|s| s.tx_account(&SignerId::Treasury));
    let now_nanos = o.now_nanos();
    let top_up_pending = o.read(|s| d.has_pending(s, "top-up"));
    let mut close_reason = None;
    update(o, &d, |s, d| {
        d.escrow = Some(escrow.clone());
        let next = (runway / 2).clamp(60, ACTIVE_CHECK_SECS);
        d.next_step_secs = now + next;
        let low = match &d.auto_top_up {
            Some(t) => runway < t.below_runway_secs,
            None => runway < LOW_FUNDS_WARN_SECS,
        };
        if !low {
            d.low_funds_warned = false;
            return;
        }
        if top_up_pending {
            return;
        }
        let Some(t) = d.auto_top_up.clone() else {
            if !d.low_funds_warned {
                d.low_funds_warned = true;
                let event = DeploymentEvent::LowFunds { runway_secs: runway, needed_uact: 0, available_uact: s.balance(&d.owner).act_uact, closes_below_runway_secs: 0 };
                s.deployment_event(now_nanos, d, event);
            }
            return;
        };
        let blocks = i128::from(t.top_up_runway_secs.div_ceil(AKASH_BLOCK_SECS));
        let amount = u64::try_from(Dec { atomics: rate.saturating_mul(blocks) }.ceil().max(1)).unwrap_or(u64::MAX);
        let act = s.balance(&d.owner).act_uact;
        let owner_address = s.tx_account(&SignerId::Owner(d.owner)).map(|a| a.address).unwrap_or_default();
        let paid = act >= amount
            && treasury.as_ref().is_some_and(|tr| {
                let Ok(any) = top_up_msg(&tr.address, &owner_address, d.dseq.unwrap_or(0), amount) else { return false };
                let reserve = crate::state::deployment::DEPLOYMENT_MSG_FEE_RESERVE_UAKT;
                if s.add_to_fee_pool(d, reserve, config.akash_service_fee_uakt).is_err() {
                    return false;
                }
                if s.reserve_deployment_act(now_nanos, d, amount).is_err() {
                    return false;
                }
                s.queue_deployment_msg(now, d, SignerId::Treasury, any, DeploymentStep::TopUp { amount_uact: amount, automatic: true });
                true
            });
        if paid {
            d.low_funds_warned = false;
            return;
        }
        if !d.low_funds_warned {
            d.low_funds_warned = true;
            let event = DeploymentEvent::LowFunds { runway_secs: runway, needed_uact: amount, available_uact: act, closes_below_runway_secs: CLOSE_BELOW_RUNWAY_SECS };
            s.deployment_event(now_nanos, d, event);
        }
        if runway < CLOSE_BELOW_RUNWAY_SECS {
            close_reason = Some(format!("the owner cannot pay a top-up of {amount} uact (has {act}) and the escrow runs out in {runway} s"));
        }
        d.next_step_secs = now + (runway / 2).clamp(60, ACTIVE_CHECK_SECS);
    });
    if let Some(reason) = close_reason {
        super::request_close(o, d.id, reason, false);
    }
}

fn closing<R: Runtime>(o: &Orchestrator<R>, d: Deployment) {
    let Some(dseq) = d.dseq else {
        if d.msgs.is_empty() {
            fail(o, d.id, d.close.as_ref().map(|c| c.reason.clone()).unwrap_or_else(|| "closed".into()));
        } else {
            later(o, d.id, DEPLOYMENTS_TICK_SECS);
        }
        return;
    };
    if o.read(|s| d.has_pending(s, "close")) {
        later(o, d.id, DEPLOYMENTS_TICK_SECS);
        return;
    }
    let owner_addr = owner_address(o, d.owner);
    let now = o.now_secs();
    let owner = d.owner;
    update(o, &d, |s, d| match ic_akash::msgs::close_deployment(&owner_addr, dseq) {
        Ok(any) => {
            s.queue_deployment_msg(now, d, SignerId::Owner(owner), any, DeploymentStep::Close);
            d.next_step_secs = now + DEPLOYMENTS_TICK_SECS;
        }
        Err(e) => o.log(Level::Error, format!("BUG: MsgCloseDeployment for {owner_addr}/{dseq}: {e}")),
    });
}

/// The refund of a closed escrow: what was deposited less what was paid and the dust left
/// (whole units went back to the depositor, the treasury).
pub fn escrow_refund_uact(deposited_uact: u64, acc: &ic_akash::rest::EscrowAccount) -> Option<u64> {
    let left = i128::from(deposited_uact).checked_mul(Dec::ONE)? - uact_atomics(&acc.transferred) - uact_atomics(&acc.funds).max(0);
    u64::try_from(Dec { atomics: left }.floor().max(0)).ok()
}

async fn settling<R: Runtime>(o: &Orchestrator<R>, d: Deployment, reads: u32) {
    let Some(dseq) = d.dseq else {
        // Nothing on chain for this attempt.
        o.mutate(|s| s.settle_deployment_escrow(o.now_nanos(), d.id, 0, None));
        return;
    };
    let owner_addr = owner_address(o, d.owner);
    let info = match client::deployment(o, &owner_addr, dseq).await {
        Ok(i) => i,
        Err(e) => {
            o.log(Level::Warn, format!("deployment {}: reading it to settle: {e}", d.id));
            later(o, d.id, 30);
            return;
        }
    };
    let closed = info.as_ref().and_then(|i| i.escrow_account.as_ref().filter(|a| a.state != "open" && i.state != "active"));
    match closed {
        Some(acc) => {
            let Some(refund) = escrow_refund_uact(d.deposited_uact, acc) else {
                o.log(Level::Error, format!("deployment {}: escrow amounts out of range", d.id));
                later(o, d.id, 600);
                return;
            };
            o.log(Level::Info, format!("deployment {} ({owner_addr}/{dseq}) settled: {refund} uact refunded", d.id));
            o.mutate(|s| s.settle_deployment_escrow(o.now_nanos(), d.id, refund, None));
            schedule(o, 0);
        }
        None => {
            let now = o.now_secs();
            update(o, &d, |_, d| {
                if reads + 1 >= SETTLE_READS_BEFORE_RETRY && info.as_ref().is_some_and(|i| i.state == "active") {
                    d.phase = Phase::Closing;
                    d.next_step_secs = 0;
                } else {
                    d.phase = Phase::Settling { reads: reads + 1 };
                    d.next_step_secs = now + (30u64 << reads.min(6)).min(3600);
                }
            });
        }
    }
}
