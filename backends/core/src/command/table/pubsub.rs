//! The pub/sub row of the command table (subscriptions are [`Store::subscribe`]).
//!
//! [`Store::subscribe`]: crate::Store::subscribe

/// Appends the pub/sub section to the table being collected (see [`super`]).
macro_rules! pubsub_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
PubSub "Publishing, and subscribing to channels and patterns." [
    /// `PSUBSCRIBE pattern...`: a subscription to glob patterns only; see [`Store::subscribe`].
    fn psubscribe(&self, patterns: &[&str]) -> impl Future<Output = Result<Subscription>> + Send {
        self.subscribe(Vec::new(), patterns.iter().map(|p| (*p).to_owned()).collect())
    }
] {
    /// `PUBLISH channel message` → `Int` number of subscribers that received it (within reach of
    /// the backend: the process for memory, the server for Redis).
    76 Publish {
        /// Channel.
        channel: String,
        /// Payload.
        message: Bytes,
    } => "PUBLISH" [Publish, repeat false, keys [], reply Int, family PubSub, time none, effects none] {
        /// `PUBLISH`: how many subscribers received it.
        fn publish(channel: Channel, message: Value) -> u64 = { channel, message };
    }
}
        } $generate }
    };
}
pub(crate) use pubsub_rows;
