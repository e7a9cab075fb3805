//! Install, upgrade and controller configuration.

use crate::canister::Orchestrator;
use crate::runtime::{Runtime, Task};
use crate::state::State;
use crate::storage::{Memories, RawMemory};
use candid::Principal;
use ic_akash_orchestrator_types::{Config, ConfigArg, Error, OrchestratorArg};

/// Install: a fresh state configured by the `Init` argument (defaults for what it leaves out).
pub fn init<R: Runtime>(rt: R, raw: RawMemory, arg: Option<OrchestratorArg>) -> Result<Orchestrator<R>, Error> {
    let config_arg = match arg {
        None => ConfigArg::default(),
        Some(OrchestratorArg::Init(c)) => c,
        Some(OrchestratorArg::Upgrade(_)) => {
            return Err(Error::InvalidArgument {
                field: "arg".into(),
                reason: "install needs variant Init, not Upgrade".into(),
            })
        }
    };
    let config = crate::config::apply(&crate::config::default_config(), &config_arg)?;
    let state = State::new(&Memories::open(raw), config);
    Ok(Orchestrator::from_state(rt, state))
}

/// Upgrade: opens the state where it is (no history is read, except once, from a release before
/// ended deployments were counted), applies the `Upgrade` argument, and schedules again the work
/// that the persisted state still needs (timers do not survive).
pub fn post_upgrade<R: Runtime>(rt: R, raw: RawMemory, arg: Option<OrchestratorArg>) -> Result<Orchestrator<R>, Error> {
    let mut state = State::open(&Memories::open(raw));
    state.count_ended_deployments_once();
    let o = Orchestrator::from_state(rt, state);
    match arg {
        None | Some(OrchestratorArg::Upgrade(None)) => {}
        Some(OrchestratorArg::Upgrade(Some(c))) => {
            let by = o.rt.caller();
            apply_config(&o, by, c)?;
        }
        Some(OrchestratorArg::Init(_)) => {
            return Err(Error::InvalidArgument {
                field: "arg".into(),
                reason: "upgrade needs variant Upgrade, not Init (Init would not reset the state)".into(),
            })
        }
    }
    if o.read(|s| s.pending_deposit_count()) > 0 {
        o.rt.set_timer(0, Task::RetryPendingDeposits);
    }
    // Timers are gone after an upgrade: resume Akash work that the state says is open.
    if o.read(|s| s.akash_work_open()) {
        crate::akash::pipeline::schedule(&o, 0);
    }
    if o.read(|s| s.active_deployment_count()) > 0 {
        crate::deployments::step::schedule(&o, 0);
    }
    Ok(o)
}

fn apply_config<R: Runtime>(o: &Orchestrator<R>, by: Principal, arg: ConfigArg) -> Result<Config, Error> {
    let config = o.read(|s| crate::config::apply(s.config(), &arg))?;
    // Akash accounts are keys under this name: another name would be other accounts, and the
    // funds and sequences recorded for these would no longer match what signs.
    if o.read(|s| s.config().ecdsa_key_name != config.ecdsa_key_name && s.akash_account_count() > 0) {
        return Err(Error::InvalidArgument {
            field: "ecdsa_key_name".into(),
            reason: "cannot change once Akash accounts exist (their keys are under the current name)".into(),
        });
    }
    let now = o.now_nanos();
    o.mutate(|s| s.set_config(now, by, arg, config.clone()));
    Ok(config)
}

/// `set_config`: controllers only; every change is journaled with who made it.
pub fn set_config<R: Runtime>(o: &Orchestrator<R>, caller: Principal, arg: ConfigArg) -> Result<Config, Error> {
    if !o.rt.is_controller(&caller) {
        return Err(Error::NotAuthorized { reason: "only controllers change the configuration".into() });
    }
    apply_config(o, caller, arg)
}
