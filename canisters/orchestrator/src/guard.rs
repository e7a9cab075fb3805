//! Guards held across awaits: one flow per principal, a global cap on flows in progress, and a
//! per-principal rate limit on methods that make the canister pay for calls. Heap only: after an
//! upgrade no message is in flight, so there is nothing to keep.

use candid::Principal;
use ic_akash_orchestrator_types::Error;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Calls that cost the canister cycles which one principal may start per window.
pub const PAID_CALLS_PER_WINDOW: u32 = 20;
pub const RATE_WINDOW_SECS: u64 = 60;
/// Beyond this many tracked principals the oldest windows are forgotten.
const MAX_TRACKED_PRINCIPALS: usize = 10_000;

#[derive(Default)]
pub struct Guards {
    busy: BTreeSet<Principal>,
    flows: u32,
    /// principal -> (window start, calls in the window)
    windows: BTreeMap<Principal, (u64, u32)>,
}

impl Guards {
    pub fn flows_in_progress(&self) -> u32 {
        self.flows
    }

    /// Counts one paid call of `p` at `now_secs`, or says when to come back.
    pub fn charge_rate_limit(&mut self, p: Principal, now_secs: u64) -> Result<(), Error> {
        if self.windows.len() >= MAX_TRACKED_PRINCIPALS {
            self.windows.retain(|_, (start, _)| now_secs < start.saturating_add(RATE_WINDOW_SECS));
        }
        let w = self.windows.entry(p).or_insert((now_secs, 0));
        if now_secs >= w.0.saturating_add(RATE_WINDOW_SECS) {
            *w = (now_secs, 0);
        }
        if w.1 >= PAID_CALLS_PER_WINDOW {
            return Err(Error::RateLimited { retry_after_secs: w.0 + RATE_WINDOW_SECS - now_secs });
        }
        w.1 += 1;
        Ok(())
    }
}

/// Held while a principal's flow runs; released on drop, whatever way the flow ends.
pub struct FlowGuard<'a> {
    guards: &'a RefCell<Guards>,
    principal: Principal,
}

impl<'a> FlowGuard<'a> {
    pub fn acquire(guards: &'a RefCell<Guards>, principal: Principal, max_flows: u32) -> Result<Self, Error> {
        let mut g = guards.borrow_mut();
        if g.busy.contains(&principal) {
            return Err(Error::AlreadyProcessing);
        }
        if g.flows >= max_flows {
            return Err(Error::TooManyFlows { max: max_flows });
        }
        g.busy.insert(principal);
        g.flows += 1;
        Ok(FlowGuard { guards, principal })
    }
}

impl Drop for FlowGuard<'_> {
    fn drop(&mut self) {
        let mut g = self.guards.borrow_mut();
        g.busy.remove(&self.principal);
        g.flows -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_flow_per_principal_and_a_global_cap() {
        let g = RefCell::new(Guards::default());
        let a = Principal::from_slice(&[1]);
        let b = Principal::from_slice(&[2]);
        let c = Principal::from_slice(&[3]);
        let ga = FlowGuard::acquire(&g, a, 2).unwrap();
        assert_eq!(FlowGuard::acquire(&g, a, 2).err(), Some(Error::AlreadyProcessing));
        let _gb = FlowGuard::acquire(&g, b, 2).unwrap();
        assert_eq!(FlowGuard::acquire(&g, c, 2).err(), Some(Error::TooManyFlows { max: 2 }));
        drop(ga);
        assert_eq!(g.borrow().flows_in_progress(), 1);
        assert!(FlowGuard::acquire(&g, a, 2).is_ok());
    }

    #[test]
    fn rate_limit_resets_after_the_window() {
        let mut g = Guards::default();
        let a = Principal::from_slice(&[1]);
        for _ in 0..PAID_CALLS_PER_WINDOW {
            g.charge_rate_limit(a, 100).unwrap();
        }
        assert_eq!(g.charge_rate_limit(a, 130), Err(Error::RateLimited { retry_after_secs: 30 }));
        assert!(g.charge_rate_limit(Principal::from_slice(&[2]), 130).is_ok());
        assert!(g.charge_rate_limit(a, 160).is_ok());
    }
}
