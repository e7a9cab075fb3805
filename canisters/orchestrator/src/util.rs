//! Small async helpers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs futures concurrently and waits for all of them (the canister has no async runtime to
/// spawn on; its awaits are inter-canister calls that proceed in parallel once issued).
pub async fn join_all<F: Future<Output = ()>>(futures: impl IntoIterator<Item = F>) {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        pending.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if pending.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn every_future_runs_to_the_end() {
        let done = Cell::new(0);
        let fut = join_all((0..3).map(|i| {
            let done = &done;
            async move {
                for _ in 0..i {
                    let mut yielded = false;
                    std::future::poll_fn(|_| if std::mem::replace(&mut yielded, true) { Poll::Ready(()) } else { Poll::Pending }).await;
                }
                done.set(done.get() + 1);
            }
        }));
        crate::runtime::fake::block_on(fut);
        assert_eq!(done.get(), 3);
    }
}
