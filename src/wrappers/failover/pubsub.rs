//! Subscriptions that follow the active backend.
//!
//! A `Failover` publishes to Redis while healthy and to the local store otherwise, so a
//! subscriber must listen where messages are published. Each subscription is a small task that
//! holds one backend subscription and watches the failover state:
//!
//! - when delivery moves (healthy to degraded, or back once the journal is drained), it first
//!   subscribes on the new backend, then drops the old subscription and yields
//!   `Gap(BackendSwitched)`, so the subscriber knows it may have missed messages published
//!   around the switch (and, after an outage, everything other processes published to Redis)
//!   and can resynchronise from state;
//! - gaps reported by the backend itself (`Lagged`, `Reconnected`) are passed through;
//! - if subscribing on Redis fails right after the switch (it is flapping), the task retries
//!   with a short backoff while staying on the local store;
//! - dropping the [`Subscription`] ends the task and its backend subscriptions.
//!
//! The first backend subscription is made before [`Failover::subscribe`](staunch_core::Store::subscribe)
//! returns, so a message published after it returns is delivered, as the contract requires.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use staunch_core::{GapReason, Name, Result, Subscription, SubscriptionEvent};
use tokio::sync::mpsc;

use super::options::{FailoverState, Policy};
use super::store::Core;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Primary,
    Local,
}

fn target_of(core: &Core, state: FailoverState) -> Target {
    // FailFast never publishes locally: its subscribers stay on Redis (which resubscribes).
    if state == FailoverState::Healthy || core.options.policy == Policy::FailFast {
        Target::Primary
    } else {
        Target::Local
    }
}

async fn open(
    core: &Core,
    target: Target,
    channels: &[Name],
    patterns: &[Name],
) -> Result<Subscription> {
    match target {
        Target::Primary => {
            let limit = core.options.call_timeout;
            match tokio::time::timeout(
                limit,
                core.primary.subscribe(channels.to_vec(), patterns.to_vec()),
            )
            .await
            {
                Ok(r) => r,
                Err(_) => Err(staunch_core::Error::new(
                    staunch_core::ErrorKind::Timeout,
                    "subscribing on the primary timed out",
                )),
            }
        }
        Target::Local => {
            core.local
                .subscribe(channels.to_vec(), patterns.to_vec())
                .await
        }
    }
}

pub(crate) async fn subscribe(
    core: Arc<Core>,
    channels: Vec<Name>,
    patterns: Vec<Name>,
) -> Result<Subscription> {
    let mut state_rx = core.state_tx.subscribe();
    let mut target = target_of(&core, *state_rx.borrow_and_update());
    let first = match open(&core, target, &channels, &patterns).await {
        Ok(s) => s,
        Err(e) if e.is_outage() && target == Target::Primary => {
            target = Target::Local;
            open(&core, target, &channels, &patterns).await?
        }
        Err(e) => return Err(e),
    };
    let (tx, mut rx) = mpsc::channel::<SubscriptionEvent>(1024);
    tokio::spawn(async move {
        let mut current = first;
        let mut retry: Option<Duration> = None;
        loop {
            let want = target_of(&core, *state_rx.borrow());
            if want != target {
                match open(&core, want, &channels, &patterns).await {
                    Ok(next) => {
                        current = next;
                        target = want;
                        retry = None;
                        if tx
                            .send(SubscriptionEvent::Gap(GapReason::BackendSwitched))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::debug!(target: "staunch::failover", error = %e, "resubscribing failed; will retry");
                        retry = Some(retry.map_or(Duration::from_millis(50), |d| {
                            (d * 2).min(Duration::from_secs(1))
                        }));
                    }
                }
            }
            tokio::select! {
                _ = tx.closed() => return,
                changed = state_rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep(retry.unwrap_or(Duration::from_secs(3600))), if retry.is_some() => {}
                event = current.next() => match event {
                    Some(event) => {
                        if tx.send(event).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        // The backend ended the stream: open it again after a pause.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        match open(&core, target, &channels, &patterns).await {
                            Ok(next) => {
                                current = next;
                                let _ = tx.send(SubscriptionEvent::Gap(GapReason::Reconnected)).await;
                            }
                            Err(_) => retry = Some(Duration::from_millis(200)),
                        }
                    }
                },
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(Subscription::new(stream))
}
