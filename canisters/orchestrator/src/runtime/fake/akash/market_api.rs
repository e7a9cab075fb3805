//! The test API of deployments, the market and escrow on [`AkashSim`]: simulated providers
//! (configure, reprice, vanish mid-lease) and inspection of the committed state.
//!
//! ```ignore
//! sim.set_provider(Provider::new(&provider_addr, "1.5")); // bids 1.5 uact per block
//! sim.set_bid_timeout_blocks(50);
//! let bids = sim.bids(&owner, dseq);
//! sim.provider_close_lease(&lease_id, market::REASON_UNSTABLE);
//! ```

use super::deployment::{Deployment, Group};
use super::escrow::{self, EscrowAccount, Payment};
use super::market::{self, Bid, BidId, Lease, LeaseState, Order, OrderId, Provider};
use super::AkashSim;
use super::deployment::GroupState;
use super::escrow::EscrowStatus;

impl AkashSim {
    /// Adds or replaces a simulated provider (its account is created if needed). It bids on open
    /// orders from the next block on.
    pub fn set_provider(&mut self, provider: Provider) {
        ic_akash::address::validate(&provider.address).expect("set_provider: not an akash address");
        self.chain.mutate(|s| {
            s.ensure_account(&provider.address);
            s.market.providers.insert(provider.address.clone(), provider.clone());
        });
    }

    pub fn provider(&self, address: &str) -> Option<Provider> {
        self.chain.state().market.providers.get(address).cloned()
    }

    /// A provider's price per block for its next bids (a decimal in uact, e.g. "0.75").
    pub fn set_provider_price(&mut self, address: &str, price: &str) {
        let atomics = market::parse_dec(price);
        self.chain.mutate(|s| s.market.providers.get_mut(address).expect("no such provider").price = atomics);
    }

    /// Whether a provider bids at all from now on.
    pub fn set_provider_bids(&mut self, address: &str, bids: bool) {
        self.chain.mutate(|s| s.market.providers.get_mut(address).expect("no such provider").bids = bids);
    }

    /// Blocks an open bid waits for a lease before its provider closes it (default 50).
    pub fn set_bid_timeout_blocks(&mut self, blocks: u64) {
        self.chain.mutate(|s| s.market.bid_timeout_blocks = blocks);
    }

    /// The provider closes (or loses) an active lease at the current height with `reason` (a
    /// `LeaseClosedReason` value, e.g. [`market::REASON_UNSTABLE`]): the escrow is settled to
    /// now, the payment, bid and order close and the group is paused. Returns whether the lease
    /// was active.
    pub fn provider_close_lease(&mut self, id: &BidId, reason: i32) -> bool {
        let h = self.chain.height;
        let active = self.chain.state().market.leases.get(id).is_some_and(|l| l.state == LeaseState::Active);
        if active {
            self.chain.mutate(|s| {
                let mut events = Vec::new();
                if !super::deployment::settle(s, &id.owner, id.dseq, h, &mut events) {
                    market::close_lease(s, id, h, LeaseState::Closed, reason, EscrowStatus::Closed, Some(GroupState::Paused), &mut events);
                }
            });
        }
        active
    }

    pub fn deployment(&self, owner: &str, dseq: u64) -> Option<Deployment> {
        self.chain.state().deployments.deployments.get(&(owner.to_string(), dseq)).cloned()
    }

    pub fn groups(&self, owner: &str, dseq: u64) -> Vec<Group> {
        self.chain.state().deployments.groups_of(owner, dseq).into_iter().cloned().collect()
    }

    pub fn orders(&self, owner: &str, dseq: u64) -> Vec<(OrderId, Order)> {
        self.chain.state().market.orders.iter().filter(|(id, _)| id.owner == owner && id.dseq == dseq).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn bids(&self, owner: &str, dseq: u64) -> Vec<(BidId, Bid)> {
        self.chain.state().market.bids.iter().filter(|(id, _)| id.owner == owner && id.dseq == dseq).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn leases(&self, owner: &str, dseq: u64) -> Vec<(BidId, Lease)> {
        self.chain.state().market.leases.iter().filter(|(id, _)| id.owner == owner && id.dseq == dseq).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn lease(&self, id: &BidId) -> Option<Lease> {
        self.chain.state().market.leases.get(id).cloned()
    }

    /// The deployment's escrow account (funds and transferred in atomics, 10^18 per uact).
    pub fn escrow_account(&self, owner: &str, dseq: u64) -> Option<EscrowAccount> {
        self.chain.state().escrow.accounts.get(&(owner.to_string(), dseq)).cloned()
    }

    /// A lease's escrow payment.
    pub fn payment(&self, id: &BidId) -> Option<Payment> {
        self.chain.state().escrow.payments.get(id).cloned()
    }

    /// Whole uact a provider has been paid so far (withdrawn from its payments).
    pub fn provider_earnings(&self, provider: &str) -> u128 {
        market::provider_earnings(self.chain.state(), provider)
    }

    /// What the escrow module account holds.
    pub fn escrow_module_balance(&self, denom: &str) -> u128 {
        self.chain.state().balance(&escrow::escrow_address(), denom)
    }
}

/// What simulated providers and the proxy read from the chain ([`crate::runtime::fake::provider`]).
impl crate::runtime::fake::provider::LeaseView for AkashSim {
    fn account_pubkey(&self, address: &str) -> Option<[u8; 33]> {
        self.chain.state().accounts.get(address).and_then(|a| a.pub_key).map(|k| k.0)
    }

    fn deployment_leases(&self, owner: &str, dseq: u64, provider: &str) -> Vec<crate::runtime::fake::provider::LeaseInfo> {
        use crate::runtime::fake::provider::{LeaseInfo, LeaseState as ProviderLeaseState};
        let state = self.chain.state();
        let Some(hash) = state.deployments.deployments.get(&(owner.to_string(), dseq)).and_then(|d| <[u8; 32]>::try_from(d.hash.as_slice()).ok())
        else {
            return Vec::new();
        };
        self.leases(owner, dseq)
            .into_iter()
            .filter(|(id, _)| id.provider == provider)
            .map(|(id, l)| LeaseInfo {
                gseq: id.gseq,
                oseq: id.oseq,
                group_name: state.deployments.groups.get(&(owner.to_string(), dseq, id.gseq)).map(|g| g.spec.name.clone()).unwrap_or_default(),
                state: if l.state == LeaseState::Active { ProviderLeaseState::Active } else { ProviderLeaseState::Closed },
                deployment_hash: hash,
            })
            .collect()
    }
}
