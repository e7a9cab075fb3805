//! Deployments in the books: their records, what they hold (ACT set aside, ACT in escrow, AKT for
//! fees), their messages' outcomes and their history. Pure functions only: the deployment flow
//! (`deployments::step`) decides, these apply and journal.
//!
//! Money rules:
//! - AKT: at creation the owner's available AKT pays the service fees (kept) and a fee pool
//!   (reserved); each message of the deployment takes its fee reserve from the pool and gives
//!   back what its transaction did not use; the pool returns to the owner when the deployment ends.
//! - ACT: the deposit moves from the owner's ACT to the deployment (`act_reserved_uact`), then into
//!   the escrow on chain (`deposited_uact`, and the book's `act_in_escrow_uact`) when the create or
//!   top-up message lands. When the escrow is settled, its refund goes back to the owner (or to the
//!   next attempt of the same deployment) and the rest counts as spent (`act_spent_uact`).

use super::chain::{Payer, PendingMsg, Purpose};
use super::State;
use crate::storage::{Candid, SignerId};
use candid::{CandidType, Deserialize, Principal};
use ic_akash_orchestrator_types::{
    AutoTopUp, Change, DeploymentCost, DeploymentEvent, DeploymentState, EscrowInfo, Error, ServiceInfo,
};

/// Fee reserve each message of a deployment takes from the deployment's pool.
pub const DEPLOYMENT_MSG_FEE_RESERVE_UAKT: u64 = 50_000;

/// What a deployment's message is for.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum DeploymentStep {
    /// Treasury → owner account: `DepositAuthorization` covering the deposit.
    Grant { amount_uact: u64 },
    Create { dseq: u64, deposit_uact: u64 },
    Lease { gseq: u32 },
    /// Treasury deposit into the escrow.
    TopUp { amount_uact: u64, automatic: bool },
    Update { sdl_hash: Vec<u8> },
    Close,
}

impl DeploymentStep {
    pub fn name(&self) -> &'static str {
        match self {
            DeploymentStep::Grant { .. } => "grant",
            DeploymentStep::Create { .. } => "create",
            DeploymentStep::Lease { .. } => "lease",
            DeploymentStep::TopUp { .. } => "top-up",
            DeploymentStep::Update { .. } => "update",
            DeploymentStep::Close => "close",
        }
    }
}

/// The owner's choice of providers, as stored.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct StoredPolicy {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub attributes: Vec<(String, String)>,
    pub auditors: Vec<String>,
    /// Decimal uact per block.
    pub max_price: Option<String>,
}

/// A lease the deployment holds (one per group).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LeaseRecord {
    pub provider: String,
    pub host_uri: String,
    pub gseq: u32,
    pub oseq: u32,
    pub bseq: u32,
    /// Decimal uact per block.
    pub price: String,
    /// The lease exists on chain (its `MsgCreateLease` landed).
    pub created: bool,
    /// The provider took the current manifest.
    pub manifest_sent: bool,
}

/// Where the flow is; each phase has a deadline the step function enforces.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    WaitingForAct { deadline_secs: u64 },
    /// Owner account and deposit grant; then the create message.
    Preparing { deadline_secs: u64, grant_done: bool },
    Creating,
    Bidding { deadline_secs: u64, polls: u32 },
    Leasing,
    SendingManifest { deadline_secs: u64, attempts: u32 },
    Starting { deadline_secs: u64, polls: u32 },
    Active,
    /// A close message is queued (or will be once the other messages ended).
    Closing,
    /// Closed on chain (or about to be): reading the escrow back for the refund.
    Settling { reads: u32 },
    Closed { reason: String, refund_uact: u64 },
    Failed { reason: String },
}

impl Phase {
    pub fn is_terminal(&self) -> bool {
        matches!(self, Phase::Closed { .. } | Phase::Failed { .. })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Phase::WaitingForAct { .. } => "waiting for ACT",
            Phase::Preparing { .. } => "preparing",
            Phase::Creating => "creating",
            Phase::Bidding { .. } => "bidding",
            Phase::Leasing => "leasing",
            Phase::SendingManifest { .. } => "sending the manifest",
            Phase::Starting { .. } => "starting",
            Phase::Active => "active",
            Phase::Closing => "closing",
            Phase::Settling { .. } => "settling",
            Phase::Closed { .. } => "closed",
            Phase::Failed { .. } => "failed",
        }
    }
}

/// Why the deployment is being closed, and whether it is made again afterwards (a provider
/// failed it: a closed lease's group cannot be leased again, so a new deployment is needed).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CloseIntent {
    pub reason: String,
    pub redeploy: bool,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub id: u64,
    pub owner: Principal,
    pub created_nanos: u64,
    pub updated_nanos: u64,
    /// The manifest hash in force (the deployment's `hash` on chain).
    pub sdl_hash: Vec<u8>,
    /// An update waiting for its message: the new SDL's hash and text.
    pub pending_update: Option<(Vec<u8>, String)>,
    pub deposit_uact: u64,
    pub mint_id: Option<u64>,
    pub policy: StoredPolicy,
    pub auto_top_up: Option<AutoTopUp>,
    pub phase: Phase,
    /// When the step function should look at it next.
    pub next_step_secs: u64,
    pub dseq: Option<u64>,
    /// ACT taken from the owner and not yet in an escrow.
    pub act_reserved_uact: u64,
    /// ACT in the current escrow on chain (deposit and top-ups).
    pub deposited_uact: u64,
    /// AKT reserved for the fees of this deployment's messages.
    pub fee_pool_uakt: u64,
    pub cost: DeploymentCost,
    pub leases: Vec<LeaseRecord>,
    pub failed_providers: Vec<String>,
    /// Deployments made on chain for it (more than one after a provider failed).
    pub attempts: u32,
    /// Its messages not yet ended.
    pub msgs: Vec<u64>,
    pub services: Vec<ServiceInfo>,
    pub escrow: Option<EscrowInfo>,
    pub low_funds_warned: bool,
    /// Consecutive escrow checks at which a provider did not answer for its lease.
    pub silent_checks: u32,
    pub close: Option<CloseIntent>,
    /// Entries in its history.
    pub history_len: u64,
}

impl Deployment {
    /// The public state.
    pub fn state(&self) -> DeploymentState {
        let reason = || self.close.as_ref().map(|c| c.reason.clone()).unwrap_or_default();
        match &self.phase {
            Phase::WaitingForAct { .. } => DeploymentState::WaitingForAct,
            Phase::Preparing { .. } => DeploymentState::Preparing,
            Phase::Creating => DeploymentState::Creating,
            Phase::Bidding { deadline_secs, .. } => DeploymentState::Bidding { deadline_secs: *deadline_secs },
            Phase::Leasing => DeploymentState::Leasing,
            Phase::SendingManifest { attempts, .. } => DeploymentState::SendingManifest { attempts: *attempts },
            Phase::Starting { .. } => DeploymentState::Starting,
            Phase::Active => DeploymentState::Active,
            Phase::Closing | Phase::Settling { .. } => DeploymentState::Closing { reason: reason() },
            Phase::Closed { reason, refund_uact } => DeploymentState::Closed { reason: reason.clone(), refund_uact: *refund_uact },
            Phase::Failed { reason } => DeploymentState::Failed { reason: reason.clone() },
        }
    }

    /// Messages of `step`'s kind still pending, per the given lookup.
    pub fn has_pending(&self, s: &State, kind: &str) -> bool {
        self.msgs.iter().filter_map(|m| s.pending_msg(*m)).any(|m| matches!(&m.purpose, Purpose::Deployment { step, .. } if step.name() == kind))
    }
}

/// A new deployment as `create_deployment` checked it.
pub struct NewDeployment {
    pub owner: Principal,
    pub sdl: String,
    pub sdl_hash: [u8; 32],
    pub deposit_uact: u64,
    pub mint_uakt: u64,
    pub policy: StoredPolicy,
    pub auto_top_up: Option<AutoTopUp>,
    pub fee_pool_uakt: u64,
    pub service_fee_uakt: u64,
    /// Fee reserve of a mint (when `mint_uakt` > 0).
    pub mint_fee_reserve_uakt: u64,
    pub deadline_secs: u64,
}

impl State {
    pub fn deployment(&self, id: u64) -> Option<Deployment> {
        self.deployments.get(&id).map(|d| d.0)
    }

    /// Writes `d`, keeping the set of deployments not yet ended exact.
    pub fn put_deployment(&mut self, d: Deployment) {
        if d.phase.is_terminal() {
            if self.deployments_active.remove(&d.id).is_some() {
                self.count_ended(&d.phase);
            }
        } else {
            self.deployments_active.insert(d.id, ());
        }
        self.deployments.insert(d.id, Candid(d));
    }

    pub fn deployment_sdl(&self, id: u64) -> Option<String> {
        self.deployment_sdls.get(&id).map(|s| s.0)
    }

    /// Deployments not ended yet (the step function's work list; its size is what is in flight,
    /// not history).
    pub fn active_deployments(&self) -> Vec<u64> {
        self.deployments_active.keys().collect()
    }

    pub fn active_deployment_count(&self) -> u64 {
        self.deployments_active.len()
    }

    pub fn deployment_count(&self) -> u64 {
        self.deployments.len()
    }

    /// `owner`'s deployment ids after `after`, at most `limit`.
    pub fn deployments_of(&self, owner: Principal, after: Option<u64>, limit: usize) -> Vec<u64> {
        let start = (owner, after.map_or(0, |a| a.saturating_add(1)));
        if after == Some(u64::MAX) {
            return Vec::new();
        }
        self.deployments_by_owner.range(start..).take_while(|e| e.key().0 == owner).take(limit).map(|e| e.key().1).collect()
    }

    /// Journal positions of a deployment's history entries `start..start+limit`.
    pub fn deployment_history(&self, id: u64, start: u64, limit: usize) -> Vec<ic_akash_orchestrator_types::JournalEntry> {
        self.deployment_history
            .range((id, start)..)
            .take_while(|e| e.key().0 == id)
            .take(limit)
            .filter_map(|e| self.journal.get(e.value()).map(|j| j.0))
            .collect()
    }

    /// Appends `event` to the owner's journal and to the deployment's history (`d` is written by
    /// the caller afterwards).
    pub fn deployment_event(&mut self, now_nanos: u64, d: &mut Deployment, event: DeploymentEvent) {
        let seq = self.record(now_nanos, d.owner, Change::Deployment { deployment_id: d.id, event });
        self.deployment_history.insert((d.id, d.history_len), seq);
        d.history_len += 1;
        d.updated_nanos = now_nanos;
    }

    /// `create_deployment`: takes the service fees, reserves the fee pool (and the AKT to mint, or
    /// the deposit's ACT), and records the deployment. Returns its id.
    pub fn create_deployment(&mut self, now_nanos: u64, n: NewDeployment) -> Result<u64, Error> {
        let owner = n.owner;
        let acc = self.account(&owner);
        if n.mint_uakt == 0 && acc.act_uact < n.deposit_uact {
            return Err(Error::InsufficientAct { available_uact: acc.act_uact, requested_uact: n.deposit_uact });
        }
        let needed = n.fee_pool_uakt.saturating_add(n.service_fee_uakt);
        let mint_needed = if n.mint_uakt > 0 { n.mint_uakt + n.mint_fee_reserve_uakt } else { 0 };
        if acc.available_uakt < needed.saturating_add(mint_needed) {
            return Err(Error::InsufficientBalance { available_uakt: acc.available_uakt, requested_uakt: needed.saturating_add(mint_needed) });
        }
        let acc = self.take_reserve(owner, n.fee_pool_uakt, n.service_fee_uakt)?;
        self.put_account(owner, acc);
        let id = self.book().next_deployment_id;
        self.update_book(|b| b.next_deployment_id += 1);
        let now_secs = now_nanos / crate::canister::NANOS_PER_SEC;
        let mut d = Deployment {
            id,
            owner,
            created_nanos: now_nanos,
            updated_nanos: now_nanos,
            sdl_hash: n.sdl_hash.to_vec(),
            pending_update: None,
            deposit_uact: n.deposit_uact,
            mint_id: None,
            policy: n.policy,
            auto_top_up: n.auto_top_up,
            phase: Phase::WaitingForAct { deadline_secs: n.deadline_secs },
            next_step_secs: now_secs,
            dseq: None,
            act_reserved_uact: 0,
            deposited_uact: 0,
            fee_pool_uakt: n.fee_pool_uakt,
            cost: DeploymentCost { service_fees_uakt: n.service_fee_uakt, ..Default::default() },
            leases: Vec::new(),
            failed_providers: Vec::new(),
            attempts: 0,
            msgs: Vec::new(),
            services: Vec::new(),
            escrow: None,
            low_funds_warned: false,
            silent_checks: 0,
            close: None,
            history_len: 0,
        };
        let event = DeploymentEvent::Requested {
            sdl_hash: hex::encode(n.sdl_hash),
            deposit_uact: n.deposit_uact,
            mint_uakt: n.mint_uakt,
            service_fee_uakt: n.service_fee_uakt,
            fee_reserve_uakt: n.fee_pool_uakt,
        };
        self.deployment_event(now_nanos, &mut d, event);
        if n.mint_uakt > 0 {
            let charges = super::chain::Charges { fee_reserve_uakt: n.mint_fee_reserve_uakt, service_fee_uakt: 0 };
            d.mint_id = Some(self.request_mint(now_nanos, owner, n.mint_uakt, charges)?);
        } else {
            self.reserve_deployment_act(now_nanos, &mut d, n.deposit_uact)?;
            let deadline_secs = now_secs + crate::deployments::PREPARE_DEADLINE_SECS;
            d.phase = Phase::Preparing { deadline_secs, grant_done: false };
        }
        self.deployment_sdls.insert(id, Candid(n.sdl));
        self.deployments_by_owner.insert((owner, id), ());
        self.put_deployment(d);
        Ok(id)
    }

    /// Moves `amount` of the owner's ACT to the deployment.
    pub fn reserve_deployment_act(&mut self, now_nanos: u64, d: &mut Deployment, amount: u64) -> Result<(), Error> {
        let mut acc = self.account(&d.owner);
        if acc.act_uact < amount {
            return Err(Error::InsufficientAct { available_uact: acc.act_uact, requested_uact: amount });
        }
        acc.act_uact -= amount;
        self.put_account(d.owner, acc);
        d.act_reserved_uact += amount;
        self.deployment_event(now_nanos, d, DeploymentEvent::ActReserved { amount_uact: amount });
        Ok(())
    }

    /// Whether the deployment's mint request is still waiting or burning.
    pub fn mint_pending(&self, mint_id: u64) -> bool {
        self.mint_requests.contains_key(&mint_id)
            || self.book().mint_batch.as_ref().is_some_and(|b| b.requests.iter().any(|r| r.id == mint_id))
    }

    /// Queues a message for the deployment on `signer`'s account (whose key is registered); its
    /// fee reserve comes from the deployment's pool.
    pub fn queue_deployment_msg(
        &mut self,
        now_secs: u64,
        d: &mut Deployment,
        signer: SignerId,
        any: ic_akash::proto::cosmos::Any,
        step: DeploymentStep,
    ) -> u64 {
        let reserve = d.fee_pool_uakt.min(DEPLOYMENT_MSG_FEE_RESERVE_UAKT);
        d.fee_pool_uakt -= reserve;
        let payer = Payer { principal: d.owner, fee_reserve_left_uakt: reserve, fee_paid_uakt: 0 };
        let id = self.enqueue(now_secs, signer, any, vec![payer], Purpose::Deployment { deployment_id: d.id, step });
        d.msgs.push(id);
        id
    }

    /// Adds `amount` of the owner's available AKT to the deployment's fee pool (for work asked
    /// after creation: top-ups, updates), with `service_fee` kept.
    pub fn add_to_fee_pool(&mut self, d: &mut Deployment, amount: u64, service_fee: u64) -> Result<(), Error> {
        let acc = self.take_reserve(d.owner, amount, service_fee)?;
        self.put_account(d.owner, acc);
        d.fee_pool_uakt += amount;
        d.cost.service_fees_uakt += service_fee;
        Ok(())
    }

    /// A deployment's message ended: its unused fee reserve returns to the pool, and the step's
    /// effect is applied. The flow decides what comes next at its next step.
    pub(super) fn deployment_msg_settled(&mut self, now_nanos: u64, msg: &PendingMsg, step: &DeploymentStep, outcome: super::chain::MsgOutcome) {
        use super::chain::MsgOutcome;
        let Purpose::Deployment { deployment_id, .. } = msg.purpose else { return };
        let Some(mut d) = self.deployment(deployment_id) else { return };
        let payer = &msg.payers[0];
        d.msgs.retain(|m| *m != msg.id);
        d.fee_pool_uakt += payer.fee_reserve_left_uakt;
        d.cost.chain_fees_uakt += payer.fee_paid_uakt;
        d.next_step_secs = 0;
        let fee_uakt = payer.fee_paid_uakt;
        match (step, outcome) {
            (DeploymentStep::Grant { amount_uact }, MsgOutcome::Succeeded { tx_hash, .. }) => {
                if let Phase::Preparing { grant_done, .. } = &mut d.phase {
                    *grant_done = true;
                }
                self.deployment_event(now_nanos, &mut d, DeploymentEvent::DepositGranted { amount_uact: *amount_uact, tx_hash, fee_uakt });
            }
            (DeploymentStep::Create { dseq, deposit_uact }, MsgOutcome::Succeeded { tx_hash, .. }) => {
                d.act_reserved_uact -= deposit_uact;
                d.deposited_uact += deposit_uact;
                d.cost.deposited_uact += deposit_uact;
                self.update_book(|b| b.act_in_escrow_uact += deposit_uact);
                d.dseq = Some(*dseq);
                d.attempts += 1;
                let now_secs = now_nanos / crate::canister::NANOS_PER_SEC;
                d.phase = if d.close.is_some() {
                    Phase::Closing
                } else {
                    Phase::Bidding { deadline_secs: now_secs + crate::deployments::BID_DEADLINE_SECS, polls: 0 }
                };
                d.next_step_secs = now_secs + crate::deployments::BID_FIRST_POLL_SECS;
                let event = DeploymentEvent::Created { dseq: *dseq, deposit_uact: *deposit_uact, tx_hash, fee_uakt };
                self.deployment_event(now_nanos, &mut d, event);
            }
            (DeploymentStep::Lease { gseq }, MsgOutcome::Succeeded { tx_hash, .. }) => {
                let mut provider = String::new();
                if let Some(l) = d.leases.iter_mut().find(|l| l.gseq == *gseq) {
                    l.created = true;
                    provider = l.provider.clone();
                }
                self.deployment_event(now_nanos, &mut d, DeploymentEvent::LeaseCreated { gseq: *gseq, provider, tx_hash, fee_uakt });
            }
            (DeploymentStep::TopUp { amount_uact, automatic }, MsgOutcome::Succeeded { tx_hash, .. }) => {
                d.act_reserved_uact -= amount_uact;
                d.deposited_uact += amount_uact;
                d.cost.deposited_uact += amount_uact;
                self.update_book(|b| b.act_in_escrow_uact += amount_uact);
                let event = DeploymentEvent::ToppedUp { amount_uact: *amount_uact, automatic: *automatic, tx_hash, fee_uakt };
                self.deployment_event(now_nanos, &mut d, event);
            }
            (DeploymentStep::TopUp { amount_uact, .. }, MsgOutcome::Failed { reason }) => {
                d.act_reserved_uact -= amount_uact;
                let mut acc = self.account(&d.owner);
                acc.act_uact += amount_uact;
                self.put_account(d.owner, acc);
                self.deployment_event(now_nanos, &mut d, DeploymentEvent::StepFailed { step: step.name().into(), reason, fee_uakt });
            }
            (DeploymentStep::Update { sdl_hash }, MsgOutcome::Succeeded { tx_hash, .. }) => {
                if let Some((hash, text)) = d.pending_update.take() {
                    self.deployment_sdls.insert(d.id, Candid(text));
                    d.sdl_hash = hash;
                }
                for l in d.leases.iter_mut() {
                    l.manifest_sent = false;
                }
                if matches!(d.phase, Phase::Active) {
                    let now_secs = now_nanos / crate::canister::NANOS_PER_SEC;
                    d.phase = Phase::SendingManifest { deadline_secs: now_secs + crate::deployments::MANIFEST_DEADLINE_SECS, attempts: 0 };
                }
                let event = DeploymentEvent::Updated { sdl_hash: hex::encode(sdl_hash), tx_hash, fee_uakt };
                self.deployment_event(now_nanos, &mut d, event);
            }
            (DeploymentStep::Update { .. }, MsgOutcome::Failed { reason }) => {
                d.pending_update = None;
                self.deployment_event(now_nanos, &mut d, DeploymentEvent::StepFailed { step: step.name().into(), reason, fee_uakt });
            }
            (DeploymentStep::Close, outcome) => {
                if let MsgOutcome::Failed { reason } = outcome {
                    // Often "deployment closed": the chain closed it first. Settling reads which.
                    self.deployment_event(now_nanos, &mut d, DeploymentEvent::StepFailed { step: step.name().into(), reason, fee_uakt });
                }
                d.phase = Phase::Settling { reads: 0 };
            }
            (_, MsgOutcome::Failed { reason }) => {
                // Grant, create or lease: nothing of this attempt can go on.
                let event = DeploymentEvent::StepFailed { step: step.name().into(), reason: reason.clone(), fee_uakt };
                self.deployment_event(now_nanos, &mut d, event);
                if d.close.is_none() {
                    let what = format!("{} failed on chain: {reason}", step.name());
                    d.close = Some(CloseIntent { reason: what, redeploy: false });
                }
                if d.dseq.is_some() && !matches!(d.phase, Phase::Settling { .. }) {
                    d.phase = Phase::Closing;
                }
            }
        }
        self.put_deployment(d);
    }

    /// Ends a deployment that has nothing in an escrow: its ACT and fee pool go back to the owner.
    pub fn fail_deployment(&mut self, now_nanos: u64, id: u64, reason: String) {
        let Some(mut d) = self.deployment(id) else { return };
        if d.phase.is_terminal() || !d.msgs.is_empty() || d.deposited_uact > 0 {
            return;
        }
        let (act, pool) = (d.act_reserved_uact, d.fee_pool_uakt);
        let mut acc = self.end_reserve(d.owner, pool, 0);
        acc.act_uact += act;
        self.put_account(d.owner, acc);
        d.act_reserved_uact = 0;
        d.fee_pool_uakt = 0;
        d.phase = Phase::Failed { reason: reason.clone() };
        self.deployment_event(now_nanos, &mut d, DeploymentEvent::Failed { reason, released_uact: act, released_uakt: pool });
        self.put_deployment(d);
    }

    /// The escrow of the deployment's current attempt is closed on chain with `refund` returned
    /// to the treasury: the refund goes to the owner (or to the next attempt), the rest is spent.
    pub fn settle_deployment_escrow(&mut self, now_nanos: u64, id: u64, refund_uact: u64, tx_hash: Option<String>) {
        let Some(mut d) = self.deployment(id) else { return };
        if !matches!(d.phase, Phase::Settling { .. }) {
            return;
        }
        let refund = refund_uact.min(d.deposited_uact);
        let spent = d.deposited_uact - refund;
        let deposited = d.deposited_uact;
        self.update_book(|b| {
            b.act_in_escrow_uact -= deposited;
            b.act_spent_uact += spent;
        });
        d.deposited_uact = 0;
        d.cost.refunded_uact += refund;
        d.dseq = None;
        d.leases.clear();
        d.services.clear();
        d.escrow = None;
        let intent = d.close.clone().unwrap_or(CloseIntent { reason: "closed".into(), redeploy: false });
        if intent.redeploy {
            d.act_reserved_uact += refund;
            d.close = None;
            let now_secs = now_nanos / crate::canister::NANOS_PER_SEC;
            d.phase = Phase::Preparing { deadline_secs: now_secs + crate::deployments::PREPARE_DEADLINE_SECS, grant_done: false };
            d.next_step_secs = 0;
            let event = DeploymentEvent::Closed { reason: intent.reason, refund_uact: refund, spent_uact: spent, tx_hash, fee_uakt: 0 };
            self.deployment_event(now_nanos, &mut d, event);
            self.put_deployment(d);
            return;
        }
        let (act, pool) = (d.act_reserved_uact + refund, d.fee_pool_uakt);
        let mut acc = self.end_reserve(d.owner, pool, 0);
        acc.act_uact += act;
        self.put_account(d.owner, acc);
        d.act_reserved_uact = 0;
        d.fee_pool_uakt = 0;
        d.phase = Phase::Closed { reason: intent.reason.clone(), refund_uact: refund };
        let event = DeploymentEvent::Closed { reason: intent.reason, refund_uact: refund, spent_uact: spent, tx_hash, fee_uakt: 0 };
        self.deployment_event(now_nanos, &mut d, event);
        self.put_deployment(d);
    }

    /// Sums for the invariant: fee pools of deployments (reserved AKT) and ACT they hold.
    pub(super) fn deployment_sums(&self) -> (u64, u64, u64) {
        let (mut pools, mut act_reserved, mut deposited) = (0u64, 0u64, 0u64);
        for id in self.deployments_active.keys() {
            if let Some(d) = self.deployment(id) {
                pools += d.fee_pool_uakt;
                act_reserved += d.act_reserved_uact;
                deposited += d.deposited_uact;
            }
        }
        (pools, act_reserved, deposited)
    }
}
