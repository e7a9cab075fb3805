//! Who acts for an owner. Without a governance canister, an owner acts only for itself. Once an
//! owner P has handed control to a governance canister G (an SNS DAO's governance, which runs
//! proposals), only G acts for P, passing `owner = P`: P itself and everyone else are refused, so
//! P's balances and deployments move only by adopted proposals. G may hand control back (or
//! elsewhere); every change is in P's journal.

use crate::canister::Orchestrator;
use crate::deposit::{check_beneficiary, check_caller};
use crate::runtime::Runtime;
use crate::state::State;
use candid::Principal;
use ic_akash_orchestrator_types::{Error, SetOwnerGovernanceArg};

/// The owner `caller` acts for when it asks to act for `requested_owner` (default: itself), or
/// why it may not.
pub fn acting_owner(s: &State, caller: Principal, requested_owner: Option<Principal>) -> Result<Principal, Error> {
    check_caller(caller)?;
    let owner = requested_owner.unwrap_or(caller);
    match s.governance_of(&owner) {
        Some(governance) if governance == caller => Ok(owner),
        Some(governance) => Err(Error::OwnerGoverned { owner, governance }),
        None if owner == caller => Ok(owner),
        None => Err(Error::NotAuthorized { reason: format!("only {owner} itself (or its governance canister, once set) acts for it") }),
    }
}

/// Whether `caller` may read what belongs to `owner`: the owner itself and its governance.
pub fn may_view(s: &State, caller: Principal, owner: Principal) -> bool {
    caller != Principal::anonymous() && (caller == owner || s.governance_of(&owner) == Some(caller))
}

/// The checks of `set_owner_governance` (also its validator's): who may change `arg.owner`'s
/// governance now, and whether the new one is a principal that can act.
pub fn check_set_owner_governance(s: &State, caller: Principal, arg: &SetOwnerGovernanceArg) -> Result<(), Error> {
    acting_owner(s, caller, Some(arg.owner))?;
    if let Some(g) = arg.governance {
        check_beneficiary(g).map_err(|_| Error::InvalidArgument {
            field: "governance".into(),
            reason: "must be a canister or user principal".into(),
        })?;
        if g == arg.owner {
            return Err(Error::InvalidArgument { field: "governance".into(), reason: "is the owner itself: pass null to remove governance".into() });
        }
    }
    Ok(())
}

/// `set_owner_governance`: by the owner while it has no governance, then only by its governance.
pub fn set_owner_governance<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: SetOwnerGovernanceArg) -> Result<(), Error> {
    o.read(|s| check_set_owner_governance(s, caller, &arg))?;
    let now = o.now_nanos();
    o.mutate(|s| s.set_owner_governance(now, caller, arg.owner, arg.governance));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Memories, RawMemory};

    fn p(n: u8) -> Principal {
        Principal::from_slice(&[n; 10])
    }

    #[test]
    fn only_the_governance_acts_for_a_governed_owner() {
        let mut s = State::new(&Memories::open(RawMemory::default()), crate::config::default_config());
        let (owner, gov, other) = (p(1), p(2), p(3));
        assert_eq!(acting_owner(&s, owner, None), Ok(owner));
        assert_eq!(acting_owner(&s, gov, None), Ok(gov));
        assert!(matches!(acting_owner(&s, gov, Some(owner)), Err(Error::NotAuthorized { .. })));
        assert_eq!(acting_owner(&s, Principal::anonymous(), None), Err(Error::AnonymousCaller));
        s.set_owner_governance(1, owner, owner, Some(gov));
        assert_eq!(acting_owner(&s, gov, Some(owner)), Ok(owner));
        assert_eq!(acting_owner(&s, owner, None), Err(Error::OwnerGoverned { owner, governance: gov }));
        assert_eq!(acting_owner(&s, other, Some(owner)), Err(Error::OwnerGoverned { owner, governance: gov }));
        assert_eq!(acting_owner(&s, gov, None), Ok(gov), "the governance is an owner of its own");
        assert!(may_view(&s, owner, owner) && may_view(&s, gov, owner) && !may_view(&s, other, owner));
        s.set_owner_governance(2, gov, owner, None);
        assert_eq!(acting_owner(&s, owner, None), Ok(owner));
        assert!(!may_view(&s, gov, owner));
    }

    #[test]
    fn governance_changes_only_by_whoever_acts_for_the_owner() {
        let mut s = State::new(&Memories::open(RawMemory::default()), crate::config::default_config());
        let (owner, gov, other) = (p(1), p(2), p(3));
        let arg = |governance| SetOwnerGovernanceArg { owner, governance };
        assert!(check_set_owner_governance(&s, other, &arg(Some(gov))).is_err());
        assert_eq!(check_set_owner_governance(&s, Principal::anonymous(), &arg(Some(gov))), Err(Error::AnonymousCaller));
        assert!(matches!(check_set_owner_governance(&s, owner, &arg(Some(owner))), Err(Error::InvalidArgument { .. })));
        assert!(matches!(check_set_owner_governance(&s, owner, &arg(Some(Principal::anonymous()))), Err(Error::InvalidArgument { .. })));
        assert_eq!(check_set_owner_governance(&s, owner, &arg(Some(gov))), Ok(()));
        s.set_owner_governance(1, owner, owner, Some(gov));
        assert!(matches!(check_set_owner_governance(&s, owner, &arg(None)), Err(Error::OwnerGoverned { .. })));
        assert_eq!(check_set_owner_governance(&s, gov, &arg(Some(other))), Ok(()));
        assert_eq!(check_set_owner_governance(&s, gov, &arg(None)), Ok(()));
    }
}
