//! One orchestrator instance: its runtime, its state and its in-flight guards.

use crate::guard::Guards;
use crate::logs::{Logs, Priority};
use crate::runtime::Runtime;
use crate::state::State;
use std::cell::{Cell, RefCell};

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

pub struct Orchestrator<R: Runtime> {
    pub rt: R,
    state: RefCell<State>,
    pub(crate) guards: RefCell<Guards>,
    /// One XRC fetch at a time: concurrent callers get a "retry" instead of paying again.
    pub(crate) rate_fetch_in_progress: Cell<bool>,
    /// When XRC last failed (seconds); fetching waits `RATE_RETRY_BACKOFF_SECS` after it.
    pub(crate) last_rate_failure_secs: Cell<Option<u64>>,
    /// One pending-deposit retry task at a time.
    pub(crate) retry_in_progress: Cell<bool>,
    pub logs: RefCell<Logs>,
    /// A pipeline run is scheduled (one timer at a time).
    pub(crate) pipeline_scheduled: Cell<bool>,
    /// A pipeline run is in progress (runs never overlap).
    pub(crate) pipeline_running: Cell<bool>,
    /// A deployments run is scheduled / in progress (as for the pipeline).
    pub(crate) deployments_scheduled: Cell<bool>,
    pub(crate) deployments_running: Cell<bool>,
    /// Provider tokens by (owner, provider, dseq), with their expiry (seconds): one signature per
    /// lease while it is set up, not one per request.
    pub(crate) provider_tokens: RefCell<crate::akash::provider_client::ProviderTokens>,
    /// Akash REST outcalls per call kind (calls, cycles, errors), and where the next one starts.
    pub http_stats: RefCell<crate::akash::client::HttpStats>,
    /// Signatures, XRC calls and failures since the canister started (heap: reset by an upgrade).
    pub counters: RefCell<crate::metrics::Counters>,
}

impl<R: Runtime> Orchestrator<R> {
    pub(crate) fn from_state(rt: R, state: State) -> Self {
        Orchestrator {
            rt,
            state: RefCell::new(state),
            guards: RefCell::new(Guards::default()),
            rate_fetch_in_progress: Cell::new(false),
            last_rate_failure_secs: Cell::new(None),
            retry_in_progress: Cell::new(false),
            logs: RefCell::new(Logs::default()),
            pipeline_scheduled: Cell::new(false),
            pipeline_running: Cell::new(false),
            deployments_scheduled: Cell::new(false),
            deployments_running: Cell::new(false),
            provider_tokens: RefCell::new(Default::default()),
            http_stats: RefCell::new(Default::default()),
            counters: RefCell::new(Default::default()),
        }
    }

    /// Reads the state; never held across an await.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.borrow())
    }

    /// Applies a pure change; never held across an await.
    pub fn mutate<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.borrow_mut())
    }

    pub fn now_nanos(&self) -> u64 {
        self.rt.time_nanos()
    }

    pub fn now_secs(&self) -> u64 {
        self.rt.time_nanos() / NANOS_PER_SEC
    }

    /// Logs `message` at the caller's source location, in `/logs` and in the canister log.
    #[track_caller]
    pub fn log(&self, priority: Priority, message: String) {
        let at = std::panic::Location::caller();
        let mut logs = self.logs.borrow_mut();
        let line = logs.push(self.now_nanos(), priority, at.file(), at.line(), message);
        self.rt.debug_print(&line.canister_log_text());
    }

    pub fn flows_in_progress(&self) -> u32 {
        self.guards.borrow().flows_in_progress()
    }
}
