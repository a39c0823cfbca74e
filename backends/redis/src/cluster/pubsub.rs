//! Subscriptions on a cluster: the single-server subscription machinery (`crate::pubsub`:
//! dedicated connection, resubscribe with backoff, gaps) on a connection to the pub/sub hub,
//! the primary serving [`HUB_SLOT`], looked up again at every reconnection (see the parent
//! module docs).

use std::sync::Arc;

use redis::Client;
use staunch_core::{Error, ErrorKind, Name, Result, Subscription};

use super::ClusterBackend;
use super::scan::ranges;
use crate::connection::{Connector, Resolve, Source};

/// The slot whose primary is the hub: every subscription connects there and every `PUBLISH`
/// is sent there, so `PUBLISH` counts every subscriber, pattern subscribers included, as on
/// one server (Redis Cluster forwards each message to all nodes anyway).
pub(crate) const HUB_SLOT: u16 = 0;

/// Finds the primary serving `slot` when a subscription (re)connects.
struct SlotPrimary {
    backend: Arc<ClusterBackend>,
    slot: u16,
}

#[async_trait::async_trait]
impl Resolve for SlotPrimary {
    async fn client(&self) -> Result<Client> {
        let ranges = ranges(&self.backend).await?;
        let range = ranges
            .iter()
            .find(|r| r.start <= self.slot && self.slot <= r.end)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unavailable,
                    format!("no primary serves slot {}", self.slot),
                )
            })?;
        // The seed URL's scheme and credentials, with this node's address (and the
        // certificates, in `crate::client`).
        let seed = self
            .backend
            .spec()
            .node_urls
            .first()
            .cloned()
            .unwrap_or_default();
        let prefix = match seed.rfind('@') {
            Some(at) => &seed[..=at],
            None => match seed.find("://") {
                Some(i) => &seed[..i + 3],
                None => "redis://",
            },
        };
        let host = if range.host.contains(':') {
            format!("[{}]", range.host)
        } else {
            range.host.clone()
        };
        let fragment = if self.backend.spec().insecure {
            "#insecure"
        } else {
            ""
        };
        let url = format!("{prefix}{host}:{}{fragment}", range.port);
        crate::client(
            &url,
            self.backend.options().tcp_user_timeout,
            &self.backend.options().tls,
        )
    }
}

/// Subscribes on the hub.
pub(super) async fn subscribe(
    backend: Arc<ClusterBackend>,
    channels: Vec<Name>,
    patterns: Vec<Name>,
) -> Result<Subscription> {
    let anchor = HUB_SLOT;
    let options = backend.options().clone();
    let connector = Connector::new(
        Source::Resolve(Arc::new(SlotPrimary {
            backend,
            slot: anchor,
        })),
        options.connect_timeout,
        options.response_timeout,
    );
    crate::pubsub::subscribe(Arc::new(connector), &options, channels, patterns).await
}
