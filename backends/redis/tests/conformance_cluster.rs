//! The conformance testkit on a real local Redis Cluster (3 primaries, 3 replicas), one test
//! per case, twice:
//!
//! - `cluster::`: the store as applications get it. Cases that are inherently multi-slot
//!   (`Requires::CrossSlot`) are reported ignored, since it declares `cross_slot: false`.
//! - `cluster-tagged::`: the same store behind a wrapper that puts every key in one slot (a
//!   `{t}` hash tag in front, taken off the key names replies carry), as a service's hash tags
//!   do. Here the multi-slot cases run too: transactions, scripts, blocking pops and
//!   multi-key commands on a cluster node.
//!
//! The cases share the cluster (flushed on every primary before each), so they run one at a
//! time.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::prelude::*;
use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
use staunch_core::{Bytes, Call, Capabilities, Execution, Result, Subscription, async_trait};
use staunch_redis::{Deployment, RedisOptions, RedisStore};

fn main() -> ExitCode {
    harness::run_with(|runtime| {
        runtime.block_on(async {
            let Some(cluster) = test_redis_cluster(
                "staunch-redis cluster conformance",
                ClusterOptions::default(),
            )
            .await
            else {
                let skipped = Backend::skipped("cluster", "STAUNCH_SKIP_REDIS=1 is set");
                return (vec![skipped], None);
            };
            let store = RedisStore::connect_with(RedisOptions::new(cluster.url()))
                .await
                .expect("connect to the test cluster");
            assert_eq!(store.deployment(), Deployment::Cluster);
            assert!(!store.capabilities().cross_slot);
            let plain = store.clone();
            let backend = Backend::new("cluster", move || {
                let store = plain.clone();
                async move {
                    store.flushdb().await.expect("FLUSHDB on every primary");
                    Arc::new(store) as TestStore
                }
            })
            .shared();
            let tagged = Backend::new("cluster-tagged", move || {
                let store = store.clone();
                async move {
                    store.flushdb().await.expect("FLUSHDB on every primary");
                    Arc::new(Tagged(store)) as TestStore
                }
            })
            .shared();
            (vec![backend, tagged], Some(cluster))
        })
    })
}

/// The hash tag every key gets in `cluster-tagged`.
const TAG: &str = "{t}";

/// A cluster store whose keys all live in one slot (see the module docs).
struct Tagged(RedisStore);

impl Tagged {
    fn tag(mut command: Command) -> Command {
        for key in command.keys_mut() {
            *key = staunch_core::Name::from([TAG.as_bytes(), key].concat());
        }
        match &mut command {
            Command::Scan { options, .. } => {
                if let Some(pattern) = &mut options.pattern {
                    *pattern = staunch_core::Name::from([TAG.as_bytes(), pattern].concat());
                }
            }
            Command::Keys { pattern } => {
                *pattern = staunch_core::Name::from([TAG.as_bytes(), pattern].concat());
            }
            _ => {}
        }
        command
    }

    /// Takes the tag off key names in a reply (`BLPOP`'s key, `SCAN`'s and `KEYS`' keys).
    fn untag(reply: Reply) -> Reply {
        match reply {
            Reply::Bulk(b) if b.starts_with(TAG.as_bytes()) => {
                Reply::Bulk(Bytes::copy_from_slice(&b[TAG.len()..]))
            }
            Reply::Array(items) => Reply::Array(items.into_iter().map(Self::untag).collect()),
            Reply::Set(items) => Reply::Set(items.into_iter().map(Self::untag).collect()),
            other => other,
        }
    }
}

#[async_trait]
impl Store for Tagged {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        let command = Self::tag(call.into_owned());
        Execution::pending(async move { self.0.execute(command).await.map(Self::untag) })
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        let commands = commands.into_iter().map(Self::tag).collect();
        Ok(self
            .0
            .batch(commands, atomic)
            .await?
            .into_iter()
            .map(|r| r.map(Self::untag))
            .collect())
    }

    async fn subscribe(
        &self,
        channels: Vec<staunch_core::Name>,
        patterns: Vec<staunch_core::Name>,
    ) -> Result<Subscription> {
        self.0.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        // Every key shares a slot, so multi-key cases are fair game.
        let mut capabilities = self.0.capabilities();
        capabilities.cross_slot = true;
        capabilities
    }
}
