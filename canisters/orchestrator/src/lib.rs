//! The ic-akash orchestrator canister, as a library: flows generic over the [`runtime::Runtime`]
//! so that `main.rs` runs them on the IC and `cargo test` runs them against simulated peers.

pub mod akash;
pub mod bid_choice;
pub mod canister;
pub mod config;
pub mod consent;
pub mod conversion;
pub mod deployments;
pub mod deposit;
pub mod governance;
pub mod guard;
pub mod icrc21;
pub mod ledger;
pub mod lifecycle;
pub mod logs;
pub mod metrics;
pub mod mint;
pub mod notify;
pub mod owner_account;
pub mod proposals;
pub mod queries;
pub mod rate;
pub mod runtime;
#[cfg(not(target_arch = "wasm32"))]
pub mod simulation;
pub mod state;
pub mod storage;
pub mod tasks;
pub mod util;
pub mod withdraw;
pub mod xrc;

pub use canister::Orchestrator;
