//! What timers run.

use crate::canister::Orchestrator;
use crate::runtime::{Runtime, Task};

pub async fn run<R: Runtime>(o: &Orchestrator<R>, task: Task) {
    match task {
        Task::RetryPendingDeposits => crate::deposit::retry_pending(o).await,
        Task::AkashPipeline => crate::akash::pipeline::run(o).await,
        Task::Deployments => crate::deployments::step::run(o).await,
    }
}
