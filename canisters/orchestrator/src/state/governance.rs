//! Which owners are controlled through a governance canister (an SNS DAO's), in the books: the
//! pure reads and the journaled change. The rule that uses them is `crate::governance`.

use super::State;
use candid::Principal;
use ic_akash_orchestrator_types::Change;

impl State {
    /// The governance canister that alone acts for `owner`, if one is set.
    pub fn governance_of(&self, owner: &Principal) -> Option<Principal> {
        self.owner_governance.get(owner)
    }

    /// Sets (or with `None` removes) `owner`'s governance, journaled in the owner's entries with
    /// who made the change.
    pub fn set_owner_governance(&mut self, now_nanos: u64, by: Principal, owner: Principal, governance: Option<Principal>) {
        match governance {
            Some(g) => self.owner_governance.insert(owner, g),
            None => self.owner_governance.remove(&owner),
        };
        self.record(now_nanos, owner, Change::OwnerGovernanceSet { by, governance });
    }
}
