//! What operators count (`/metrics`): work in progress by kind, deployments by phase, where the
//! ACT and the reserved AKT are. Computed from the state on each scrape, reading only what is in
//! flight (active deployments, pending messages, waiting mints) and the running totals, never
//! the history; deployments that ended are counted as they end.

use super::chain::Purpose;
use super::deployment::Phase;
use super::State;
use candid::{CandidType, Deserialize};

/// Deployments that ended, by how.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndedDeployments {
    pub closed: u64,
    pub failed: u64,
}

/// Label of each phase in `ic_akash_deployments{state=...}`, in the flow's order.
pub const PHASE_LABELS: [&str; 12] = [
    "waiting_for_act",
    "preparing",
    "creating",
    "bidding",
    "leasing",
    "sending_manifest",
    "starting",
    "active",
    "closing",
    "settling",
    "closed",
    "failed",
];

/// Where `phase` is in [`PHASE_LABELS`].
pub fn phase_index(phase: &Phase) -> usize {
    match phase {
        Phase::WaitingForAct { .. } => 0,
        Phase::Preparing { .. } => 1,
        Phase::Creating => 2,
        Phase::Bidding { .. } => 3,
        Phase::Leasing => 4,
        Phase::SendingManifest { .. } => 5,
        Phase::Starting { .. } => 6,
        Phase::Active => 7,
        Phase::Closing => 8,
        Phase::Settling { .. } => 9,
        Phase::Closed { .. } => 10,
        Phase::Failed { .. } => 11,
    }
}

/// A scrape's worth of counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Deployments per phase, in [`PHASE_LABELS`] order.
    pub deployments: [u64; 12],
    /// ACT held by principals (minted less set aside, in escrows and spent).
    pub act_held_uact: u64,
    /// ACT taken from owners for deployments and not yet in an escrow.
    pub act_set_aside_uact: u64,
    /// Reserved AKT by purpose: open Akash flows (withdrawals, mints, account openings, their
    /// fee reserves), deployments' fee pools, reservations made with `State::reserve`.
    pub reserved_akash_flows_uakt: u64,
    pub reserved_fee_pools_uakt: u64,
    pub reserved_other_uakt: u64,
    /// Akash messages not yet ended, by purpose.
    pub withdrawals_pending: u64,
    pub open_accounts_pending: u64,
    pub deployment_msgs_pending: u64,
    /// Mint requests waiting for a batch or in the batch being burned and settled.
    pub mints_pending: u64,
}

impl State {
    /// Counts for `/metrics` (reads the work in flight and the totals only).
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for id in self.deployments_active.keys() {
            if let Some(d) = self.deployment(id) {
                s.deployments[phase_index(&d.phase)] += 1;
            }
        }
        let ended = self.book().deployments_ended.unwrap_or_default();
        s.deployments[phase_index(&Phase::Closed { reason: String::new(), refund_uact: 0 })] = ended.closed;
        s.deployments[phase_index(&Phase::Failed { reason: String::new() })] = ended.failed;
        for m in self.akash_msgs.values() {
            match m.0.purpose {
                Purpose::Withdraw { .. } => s.withdrawals_pending += 1,
                Purpose::OpenAccount { .. } => s.open_accounts_pending += 1,
                Purpose::Deployment { .. } => s.deployment_msgs_pending += 1,
                Purpose::Mint { .. } => {}
            }
        }
        let batch = self.book().mint_batch.as_ref().map_or(0, |b| b.requests.len() as u64);
        s.mints_pending = self.mint_requests.len() + batch;
        let (pools, act_reserved, _) = self.deployment_sums();
        let b = self.book();
        s.act_set_aside_uact = act_reserved;
        s.act_held_uact = b.minted_uact.saturating_sub(act_reserved + b.act_in_escrow_uact + b.act_spent_uact);
        s.reserved_akash_flows_uakt = self.expected_reserved();
        s.reserved_fee_pools_uakt = pools;
        s.reserved_other_uakt = b.other_reserved_uakt;
        s
    }

    /// Counts a deployment that just ended (its record leaves the active set).
    pub(super) fn count_ended(&mut self, phase: &Phase) {
        let phase = phase.clone();
        self.update_book(|b| {
            if let Some(e) = b.deployments_ended.as_mut() {
                match phase {
                    Phase::Closed { .. } => e.closed += 1,
                    Phase::Failed { .. } => e.failed += 1,
                    _ => {}
                }
            }
        });
    }

    /// A state written before ended deployments were counted (a release before this one): count
    /// them once from the records. Reads every deployment, once, at the first upgrade that
    /// brings the counter; afterwards it is kept as deployments end.
    pub fn count_ended_deployments_once(&mut self) {
        if self.book().deployments_ended.is_some() {
            return;
        }
        let ended = self.ended_from_records();
        self.update_book(|b| b.deployments_ended = Some(ended));
    }

    fn ended_from_records(&self) -> EndedDeployments {
        let mut e = EndedDeployments::default();
        for entry in self.deployments.iter() {
            match entry.value().0.phase {
                Phase::Closed { .. } => e.closed += 1,
                Phase::Failed { .. } => e.failed += 1,
                _ => {}
            }
        }
        e
    }

    /// For `check_invariants`: the counts of ended deployments equal the records.
    pub(super) fn check_ended_counts(&self) -> Result<(), String> {
        let counted = self.book().deployments_ended;
        let actual = self.ended_from_records();
        if counted != Some(actual) {
            return Err(format!("ended deployments: counted {counted:?}, records {actual:?}"));
        }
        Ok(())
    }
}
