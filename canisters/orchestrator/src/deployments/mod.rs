//! Deployments: from an SDL and a balance to a running lease, kept funded, updated, and closed
//! with an exact refund. This module holds the calls owners make (they check, reserve and queue,
//! and return at once); `step` drives each deployment on timers from its stored phase; `views`
//! renders them.
//!
//! On chain, each owner principal has its own Akash account (its own threshold-ECDSA key) that
//! owns its deployments and leases; the treasury pays its fees (fee allowance), funds its deposits
//! (a `DepositAuthorization` per deposit, `sources: grant`) and tops escrows up directly, so
//! refunds come back to the treasury and are credited to the owner's ACT exactly.

pub mod step;
pub mod views;

use crate::akash::{keys, pipeline};
use crate::canister::Orchestrator;
use crate::deposit::check_caller;
use crate::runtime::Runtime;
use crate::governance;
use crate::state::deployment::{CloseIntent, Deployment, DeploymentStep, NewDeployment, Phase, StoredPolicy};
use crate::state::State;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash::rest::Dec;
use ic_akash_orchestrator_types::{
    CreateDeploymentArg, DeploymentEvent, DeploymentView, Error, GetProviderTokenArg, ProviderToken, TopUpDeploymentArg,
    UpdateDeploymentArg,
};

/// The chain's minimum deployment deposit (`MinDeposits`, 0.5 ACT).
pub const MIN_DEPLOYMENT_DEPOSIT_UACT: u64 = 500_000;
/// AKT set aside for the fees of a deployment's transactions (what is not used returns).
pub const DEPLOYMENT_FEE_POOL_UAKT: u64 = 500_000;
/// Service fees charged at creation, in units of `akash_service_fee_uakt`: the create, lease and
/// close transactions and the provider token, one signature each.
pub const DEPLOYMENT_SERVICE_FEE_OPERATIONS: u64 = 4;
/// Bids are first read this long after the deployment is in a block (providers bid within
/// a few blocks), then again with growing gaps.
pub const BID_FIRST_POLL_SECS: u64 = 30;
/// Bids are taken until this long after creation: well inside the providers' 5-minute bid
/// timeout, leaving time for the lease transaction.
pub const BID_DEADLINE_SECS: u64 = 150;
/// The manifest must reach the provider within its 5-minute manifest timeout.
pub const MANIFEST_DEADLINE_SECS: u64 = 240;
/// Services must be ready this long after the manifest was taken (image pulls take minutes).
pub const READY_DEADLINE_SECS: u64 = 900;
/// Owner account and deposit grant: as long as a message may wait in the pipeline.
pub const PREPARE_DEADLINE_SECS: u64 = crate::akash::pipeline::MSG_DEADLINE_SECS;
/// A mint waits at most this long (the mint's own wait is capped shorter).
pub const ACT_WAIT_DEADLINE_SECS: u64 = crate::mint::MINT_REQUEST_MAX_WAIT_SECS + 3600;
/// How often a running deployment's escrow and leases are read.
pub const ACTIVE_CHECK_SECS: u64 = 600;
/// Deployments made on chain for one request at most (the first and two after provider failures).
pub const MAX_DEPLOY_ATTEMPTS: u32 = 3;
/// Without a top-up in sight, a deployment is closed cleanly when its runway falls below this.
pub const CLOSE_BELOW_RUNWAY_SECS: u64 = 1800;
/// A low-funds event is recorded when the runway falls below this (deployments without auto
/// top-up included).
pub const LOW_FUNDS_WARN_SECS: u64 = 6 * 3600;
/// Longest runway an automatic top-up buys, and longest threshold.
pub const MAX_AUTO_TOP_UP_RUNWAY_SECS: u64 = 365 * 24 * 3600;
/// Provider tokens for owners: default and longest lifetime.
pub const OWNER_TOKEN_DEFAULT_TTL_SECS: u64 = 900;
pub const OWNER_TOKEN_MAX_TTL_SECS: u64 = 3600;
/// Most deployments one `list_deployments` call returns.
pub const MAX_DEPLOYMENTS_PAGE: u64 = 100;
/// Block time the runway is computed with.
pub const AKASH_BLOCK_SECS: u64 = 6;

/// How long `funds` lasts at `rate` per block (both `Dec` atomics of uact), at
/// [`AKASH_BLOCK_SECS`] a block; none without a rate.
pub fn runway_secs(funds_atomics: i128, rate_atomics: i128) -> Option<u64> {
    (rate_atomics > 0).then(|| u64::try_from(funds_atomics.max(0) / rate_atomics).unwrap_or(u64::MAX).saturating_mul(AKASH_BLOCK_SECS))
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument { field: field.into(), reason: reason.into() }
}

/// Parses an SDL as the core does (its size checked first), with the error as the caller needs it.
pub fn parse_sdl(text: &str) -> Result<ic_akash::sdl::Sdl, Error> {
    let sdl = ic_akash::sdl::parse(text).map_err(|e| match e {
        ic_akash::sdl::SdlError::Invalid { path, reason } => Error::InvalidSdl { path, reason },
        other => Error::InvalidSdl { path: String::new(), reason: other.to_string() },
    })?;
    for (i, g) in sdl.group_specs().iter().enumerate() {
        for r in &g.resources {
            let denom = r.price.as_ref().map(|p| p.denom.as_str()).unwrap_or("");
            if denom != ic_akash::msgs::DENOM_UACT {
                return Err(Error::InvalidSdl {
                    path: format!("/profiles/placement/{}/pricing", g.name),
                    reason: format!("group {i} is priced in {denom:?}: deployments are priced in uact (ACT) since Akash v2"),
                });
            }
        }
    }
    Ok(sdl)
}

/// The deployment `id` if `caller` acts for its owner (the owner, or its governance canister once
/// it has one). A governed owner learns why it is refused; anyone else finds no such deployment.
pub(crate) fn owned(s: &State, caller: Principal, id: u64) -> Result<Deployment, Error> {
    check_caller(caller)?;
    let not_found = Error::DeploymentNotFound { deployment_id: id };
    let d = s.deployment(id).ok_or(not_found.clone())?;
    match governance::acting_owner(s, caller, Some(d.owner)) {
        Ok(_) => Ok(d),
        Err(e) if caller == d.owner => Err(e),
        Err(_) => Err(not_found),
    }
}

/// The deployment `id` if `caller` may read it: its owner or the owner's governance canister.
pub(crate) fn visible(s: &State, caller: Principal, id: u64) -> Result<Deployment, Error> {
    check_caller(caller)?;
    s.deployment(id)
        .filter(|d| governance::may_view(s, caller, d.owner))
        .ok_or(Error::DeploymentNotFound { deployment_id: id })
}

fn wrong_state(d: &Deployment, reason: &str) -> Error {
    Error::WrongDeploymentState { deployment_id: d.id, state: d.phase.name().into(), reason: reason.into() }
}

fn policy_of(arg: &CreateDeploymentArg) -> Result<StoredPolicy, Error> {
    let p = arg.provider_policy.clone().unwrap_or_default();
    for (field, list) in [("provider_policy.allow", &p.allow), ("provider_policy.deny", &p.deny), ("provider_policy.required_auditors", &p.required_auditors)] {
        if list.len() > 50 {
            return Err(invalid(field, "at most 50 addresses"));
        }
        for a in list {
            ic_akash::address::validate(a).map_err(|e| invalid(field, format!("{a}: {e}")))?;
        }
    }
    if p.required_attributes.len() > 20 || p.required_attributes.iter().any(|a| a.key.is_empty() || a.key.len() > 128 || a.value.len() > 128) {
        return Err(invalid("provider_policy.required_attributes", "at most 20, keys 1..128 and values up to 128 bytes"));
    }
    let max_price = match &arg.max_price_uact_per_block {
        None => None,
        Some(s) => {
            let d = Dec::parse(s).map_err(|e| invalid("max_price_uact_per_block", format!("{s:?} is not a decimal: {e:?}")))?;
            if d.atomics <= 0 {
                return Err(invalid("max_price_uact_per_block", "must be positive"));
            }
            Some(s.clone())
        }
    };
    Ok(StoredPolicy {
        allow: p.allow,
        deny: p.deny,
        attributes: p.required_attributes.into_iter().map(|a| (a.key, a.value)).collect(),
        auditors: p.required_auditors,
        max_price,
    })
}

/// What `create_deployment` sets in motion, once every check passed.
pub struct CreatePlan {
    pub owner: Principal,
    pub sdl: ic_akash::sdl::Sdl,
    pub policy: StoredPolicy,
    pub mint_uakt: u64,
    /// Kept: the create, lease, provider-token and close operations.
    pub service_fee_uakt: u64,
    /// AKT set aside from the owner's balance: service fees, the fee pool, and the mint with its
    /// fee reserve (opening the owner's account comes on top, see [`owner_account_open_cost`]).
    pub needed_uakt: u64,
}

/// Every check of `create_deployment` (its validator's too): the acting owner, the SDL, the amounts,
/// the policy and the owner's balances. Changes nothing.
pub fn check_create(s: &State, caller: Principal, arg: &CreateDeploymentArg) -> Result<CreatePlan, Error> {
    let owner = governance::acting_owner(s, caller, arg.owner)?;
    if s.config().paused {
        return Err(Error::Paused);
    }
    let plan = plan_create(s, owner, arg)?;
    check_create_funds(s, &plan, arg.deposit_uact)?;
    Ok(plan)
}

/// The checks of a creation that depend on the request alone (SDL, amounts, policy), and what it
/// will set aside for `owner`; who may ask and what the owner holds are not checked here.
pub fn plan_create(s: &State, owner: Principal, arg: &CreateDeploymentArg) -> Result<CreatePlan, Error> {
    let config = s.config();
    let sdl = parse_sdl(&arg.sdl)?;
    if arg.deposit_uact < MIN_DEPLOYMENT_DEPOSIT_UACT {
        return Err(invalid("deposit_uact", format!("at least {MIN_DEPLOYMENT_DEPOSIT_UACT} uact (the chain's minimum deposit)")));
    }
    let mint_uakt = arg.mint_uakt.unwrap_or(0);
    if mint_uakt > 0 && mint_uakt < crate::mint::MIN_MINT_UAKT {
        return Err(invalid("mint_uakt", format!("at least {} uakt", crate::mint::MIN_MINT_UAKT)));
    }
    if let Some(t) = &arg.auto_top_up {
        if t.below_runway_secs == 0 || t.top_up_runway_secs == 0 {
            return Err(invalid("auto_top_up", "both durations must be positive"));
        }
        if t.below_runway_secs > MAX_AUTO_TOP_UP_RUNWAY_SECS || t.top_up_runway_secs > MAX_AUTO_TOP_UP_RUNWAY_SECS {
            return Err(invalid("auto_top_up", format!("durations of at most {MAX_AUTO_TOP_UP_RUNWAY_SECS} s")));
        }
    }
    let policy = policy_of(arg)?;
    let service_fee_uakt = config.akash_service_fee_uakt.saturating_mul(DEPLOYMENT_SERVICE_FEE_OPERATIONS);
    let mint_cost = if mint_uakt > 0 { mint_uakt.saturating_add(crate::mint::MINT_FEE_RESERVE_UAKT) } else { 0 };
    let needed_uakt = DEPLOYMENT_FEE_POOL_UAKT.saturating_add(service_fee_uakt).saturating_add(mint_cost);
    Ok(CreatePlan { owner, sdl, policy, mint_uakt, service_fee_uakt, needed_uakt })
}

/// What opening `owner`'s Akash account costs it: nothing once it is open or being opened.
pub fn owner_account_open_cost(s: &State, owner: Principal) -> u64 {
    let opened = s.tx_account(&SignerId::Owner(owner)).is_some_and(|a| a.opened) || s.open_account_pending(owner);
    if opened {
        0
    } else {
        crate::owner_account::OPEN_ACCOUNT_FEE_RESERVE_UAKT.saturating_add(s.config().akash_service_fee_uakt)
    }
}

/// The owner's AKT covers the plan (and its account's opening), and its ACT the deposit unless
/// the plan mints it; returns the opening's cost.
fn check_create_funds(s: &State, plan: &CreatePlan, deposit_uact: u64) -> Result<u64, Error> {
    let open_cost = owner_account_open_cost(s, plan.owner);
    let balance = s.balance(&plan.owner);
    let needed = plan.needed_uakt.saturating_add(open_cost);
    if balance.available_uakt < needed {
        return Err(Error::InsufficientBalance { available_uakt: balance.available_uakt, requested_uakt: needed });
    }
    if plan.mint_uakt == 0 && balance.act_uact < deposit_uact {
        return Err(Error::InsufficientAct { available_uact: balance.act_uact, requested_uact: deposit_uact });
    }
    Ok(open_cost)
}

/// `create_deployment`: checks everything, sets the money aside and returns the id; the rest
/// happens on timers (see `step`).
pub async fn create_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: CreateDeploymentArg) -> Result<u64, Error> {
    let plan = o.read(|s| check_create(s, caller, &arg))?;
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let treasury = keys::signer_account(o, SignerId::Treasury).await?;
    keys::signer_account(o, SignerId::Owner(plan.owner)).await?;
    let now_nanos = o.now_nanos();
    let id = o.mutate(|s| {
        // Checked again: the balances may have moved while the keys were fetched.
        let open_cost = check_create_funds(s, &plan, arg.deposit_uact)?;
        let config = s.config().clone();
        let owner = plan.owner;
        let new = NewDeployment {
            owner,
            sdl: arg.sdl.clone(),
            sdl_hash: plan.sdl.version(),
            deposit_uact: arg.deposit_uact,
            mint_uakt: plan.mint_uakt,
            policy: plan.policy.clone(),
            auto_top_up: arg.auto_top_up.clone(),
            fee_pool_uakt: DEPLOYMENT_FEE_POOL_UAKT,
            service_fee_uakt: plan.service_fee_uakt,
            mint_fee_reserve_uakt: crate::mint::MINT_FEE_RESERVE_UAKT,
            deadline_secs: now_nanos / crate::canister::NANOS_PER_SEC + ACT_WAIT_DEADLINE_SECS,
        };
        let id = s.create_deployment(now_nanos, new)?;
        if open_cost > 0 {
            let charges = crate::state::chain::Charges {
                fee_reserve_uakt: crate::owner_account::OPEN_ACCOUNT_FEE_RESERVE_UAKT,
                service_fee_uakt: config.akash_service_fee_uakt,
            };
            s.request_open_account(
                now_nanos,
                owner,
                &treasury.address,
                config.owner_fee_allowance_uakt,
                &crate::owner_account::OWNER_ALLOWED_MESSAGES,
                charges,
            )?;
        }
        Ok(id)
    })?;
    pipeline::schedule(o, 0);
    step::schedule(o, 0);
    Ok(id)
}

/// `top_up_deployment`: moves ACT from the owner's balance into the escrow (a treasury deposit).
/// Every check of `top_up_deployment` (its validator's too); the deployment it tops up. Works
/// while the orchestrator is paused, like `close_deployment` and the automatic top-ups: a pause
/// keeps running deployments alive and funded.
pub fn check_top_up(s: &State, caller: Principal, arg: &TopUpDeploymentArg) -> Result<Deployment, Error> {
    let d = owned(s, caller, arg.deployment_id)?;
    if arg.amount_uact == 0 {
        return Err(invalid("amount_uact", "must be positive"));
    }
    if d.close.is_some() || d.dseq.is_none() || !matches!(d.phase, Phase::Active | Phase::Starting { .. } | Phase::SendingManifest { .. } | Phase::Bidding { .. } | Phase::Leasing) {
        return Err(wrong_state(&d, "only a deployment with an open escrow can be topped up"));
    }
    let act = s.balance(&d.owner).act_uact;
    if act < arg.amount_uact {
        return Err(Error::InsufficientAct { available_uact: act, requested_uact: arg.amount_uact });
    }
    Ok(d)
}

pub async fn top_up_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: TopUpDeploymentArg) -> Result<DeploymentView, Error> {
    o.read(|s| check_top_up(s, caller, &arg))?;
    let config = o.read(|s| s.config().clone());
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let treasury = keys::signer_account(o, SignerId::Treasury).await?;
    let now = o.now_nanos();
    o.mutate(|s| {
        let Some(mut d) = s.deployment(arg.deployment_id) else { return Err(Error::DeploymentNotFound { deployment_id: arg.deployment_id }) };
        let Some(dseq) = d.dseq.filter(|_| d.close.is_none()) else { return Err(wrong_state(&d, "closing")) };
        let owner_address = s.tx_account(&SignerId::Owner(d.owner)).map(|a| a.address).unwrap_or_default();
        let act = s.balance(&d.owner).act_uact;
        if act < arg.amount_uact {
            return Err(Error::InsufficientAct { available_uact: act, requested_uact: arg.amount_uact });
        }
        let any = top_up_msg(&treasury.address, &owner_address, dseq, arg.amount_uact)?;
        s.add_to_fee_pool(&mut d, crate::state::deployment::DEPLOYMENT_MSG_FEE_RESERVE_UAKT, config.akash_service_fee_uakt)?;
        s.reserve_deployment_act(now, &mut d, arg.amount_uact)?;
        let step = DeploymentStep::TopUp { amount_uact: arg.amount_uact, automatic: false };
        s.queue_deployment_msg(now / crate::canister::NANOS_PER_SEC, &mut d, SignerId::Treasury, any, step);
        s.put_deployment(d);
        Ok(())
    })?;
    pipeline::schedule(o, 0);
    Ok(o.read(|s| views::view(s, &s.deployment(arg.deployment_id).expect("BUG: just written"))))
}

/// The treasury's deposit into an owner's deployment escrow, from its own ACT balance.
pub(crate) fn top_up_msg(treasury: &str, owner_address: &str, dseq: u64, amount_uact: u64) -> Result<ic_akash::proto::cosmos::Any, Error> {
    let coin = ic_akash::msgs::coin(u128::from(amount_uact), ic_akash::msgs::DENOM_UACT);
    ic_akash::msgs::account_deposit(treasury, owner_address, dseq, &coin, &[ic_akash::proto::akash_msgs::Source::Balance])
        .map_err(|e| invalid("amount_uact", e.to_string()))
}

/// `update_deployment`: a new SDL with the same groups; `MsgUpdateDeployment`, then the manifest
/// is sent again to every provider.
/// What `update_deployment` replaces: the deployment, its SDL in force and the new one.
pub struct UpdatePlan {
    pub deployment: Deployment,
    pub old: ic_akash::sdl::Sdl,
    pub new: ic_akash::sdl::Sdl,
}

/// Every check of `update_deployment` (its validator's too).
pub fn check_update(s: &State, caller: Principal, arg: &UpdateDeploymentArg) -> Result<UpdatePlan, Error> {
    let d = owned(s, caller, arg.deployment_id)?;
    if s.config().paused {
        return Err(Error::Paused);
    }
    let new = parse_sdl(&arg.sdl)?;
    if !matches!(d.phase, Phase::Active) || d.close.is_some() || d.pending_update.is_some() {
        return Err(wrong_state(&d, "only an active deployment without an update in progress can be updated"));
    }
    let old = parse_sdl(&s.deployment_sdl(d.id).unwrap_or_default())?;
    if new.group_specs() != old.group_specs() {
        return Err(invalid("sdl", "the groups (placement, resources, prices) changed: close this deployment and create a new one"));
    }
    if new.version() == old.version() {
        return Err(invalid("sdl", "the manifest did not change"));
    }
    Ok(UpdatePlan { deployment: d, old, new })
}

pub async fn update_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: UpdateDeploymentArg) -> Result<DeploymentView, Error> {
    let new = o.read(|s| check_update(s, caller, &arg))?.new;
    let config = o.read(|s| s.config().clone());
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let now = o.now_nanos();
    o.mutate(|s| {
        let Some(mut d) = s.deployment(arg.deployment_id) else { return Err(Error::DeploymentNotFound { deployment_id: arg.deployment_id }) };
        let Some(dseq) = d.dseq.filter(|_| matches!(d.phase, Phase::Active) && d.pending_update.is_none()) else {
            return Err(wrong_state(&d, "changed meanwhile"));
        };
        let owner_address = s.tx_account(&SignerId::Owner(d.owner)).map(|a| a.address).unwrap_or_default();
        let any = ic_akash::msgs::update_deployment(&owner_address, dseq, new.version()).map_err(|e| invalid("sdl", e.to_string()))?;
        s.add_to_fee_pool(&mut d, crate::state::deployment::DEPLOYMENT_MSG_FEE_RESERVE_UAKT, config.akash_service_fee_uakt)?;
        d.pending_update = Some((new.version().to_vec(), arg.sdl.clone()));
        let step = DeploymentStep::Update { sdl_hash: new.version().to_vec() };
        let signer = SignerId::Owner(d.owner);
        s.queue_deployment_msg(now / crate::canister::NANOS_PER_SEC, &mut d, signer, any, step);
        s.put_deployment(d);
        Ok(())
    })?;
    pipeline::schedule(o, 0);
    Ok(o.read(|s| views::view(s, &s.deployment(arg.deployment_id).expect("BUG: just written"))))
}

/// `close_deployment`: closes on chain (if anything is there) and credits the unspent escrow.
/// Asking again while it closes changes nothing.
pub fn close_deployment<R: Runtime>(o: &Orchestrator<R>, caller: Principal, id: u64) -> Result<DeploymentView, Error> {
    o.read(|s| check_close(s, caller, id))?;
    request_close(o, id, "closed by the owner".into(), false);
    step::schedule(o, 0);
    Ok(o.read(|s| views::view(s, &s.deployment(id).expect("BUG: exists"))))
}

/// Every check of `close_deployment` (its validator's too); the deployment it closes.
pub fn check_close(s: &State, caller: Principal, id: u64) -> Result<Deployment, Error> {
    let d = owned(s, caller, id)?;
    if d.phase.is_terminal() {
        return Err(wrong_state(&d, "already ended"));
    }
    Ok(d)
}

/// Records the intent to close (the first reason stays) and moves a deployment with a live
/// escrow to `Closing`; the step function takes it from there.
pub(crate) fn request_close<R: Runtime>(o: &Orchestrator<R>, id: u64, reason: String, redeploy: bool) {
    let now = o.now_nanos();
    o.mutate(|s| {
        let Some(mut d) = s.deployment(id) else { return };
        if d.phase.is_terminal() {
            return;
        }
        match &mut d.close {
            Some(c) if !redeploy => c.redeploy = false,
            Some(_) => return,
            None => {
                d.close = Some(CloseIntent { reason: reason.clone(), redeploy });
                s.deployment_event(now, &mut d, DeploymentEvent::CloseRequested { reason });
            }
        }
        if d.dseq.is_some() && matches!(d.phase, Phase::Bidding { .. } | Phase::SendingManifest { .. } | Phase::Starting { .. } | Phase::Active) {
            d.phase = Phase::Closing;
        }
        d.next_step_secs = 0;
        s.put_deployment(d);
    });
}

/// `get_provider_token`: a token only for this deployment's leases, with the scopes asked, so
/// the owner can read logs, events or status, or open a shell, at the providers themselves.
pub async fn get_provider_token<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: GetProviderTokenArg) -> Result<ProviderToken, Error> {
    let d = o.read(|s| owned(s, caller, arg.deployment_id))?;
    // Allowed while paused: it is the owner's way into a deployment that keeps running.
    let config = o.read(|s| s.config().clone());
    let Some(dseq) = d.dseq else { return Err(wrong_state(&d, "no deployment on chain yet")) };
    if d.leases.iter().all(|l| !l.created) {
        return Err(wrong_state(&d, "no lease yet"));
    }
    if arg.scopes.is_empty() || arg.scopes.len() > ic_akash::jwt::Scope::ALL.len() {
        return Err(invalid("scopes", "one or more of: status, logs, events, shell, get-manifest, send-manifest, restart"));
    }
    let mut scopes = Vec::new();
    for name in &arg.scopes {
        let scope = ic_akash::jwt::Scope::parse(name).ok_or_else(|| invalid("scopes", format!("unknown scope {name:?}")))?;
        if scopes.contains(&scope) {
            return Err(invalid("scopes", format!("{name:?} given twice")));
        }
        scopes.push(scope);
    }
    let ttl = arg.ttl_secs.unwrap_or(OWNER_TOKEN_DEFAULT_TTL_SECS);
    if ttl == 0 || ttl > OWNER_TOKEN_MAX_TTL_SECS {
        return Err(invalid("ttl_secs", format!("between 1 and {OWNER_TOKEN_MAX_TTL_SECS}")));
    }
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let sdl_text = o.read(|s| s.deployment_sdl(d.id)).unwrap_or_default();
    let sdl = parse_sdl(&sdl_text)?;
    // The signature costs cycles: the flat fee is paid first (and kept, as for any operation).
    o.mutate(|s| {
        let Some(mut d) = s.deployment(d.id) else { return Err(Error::DeploymentNotFound { deployment_id: arg.deployment_id }) };
        s.add_to_fee_pool(&mut d, 0, config.akash_service_fee_uakt)?;
        s.put_deployment(d);
        Ok(())
    })?;
    let leases: Vec<(String, u64, Vec<String>)> = d
        .leases
        .iter()
        .filter(|l| l.created)
        .map(|l| (l.provider.clone(), dseq, views::services_of_group(&sdl, l.gseq)))
        .collect();
    let (token, expires_at_secs) = crate::akash::provider_client::owner_token(o, d.owner, &leases, &scopes, ttl)
        .await
        .map_err(|e| Error::AkashUnavailable { reason: e.to_string() })?;
    let providers = d.leases.iter().filter(|l| l.created).map(|l| (l.provider.clone(), l.host_uri.clone())).collect();
    Ok(ProviderToken { token, expires_at_secs, providers })
}
