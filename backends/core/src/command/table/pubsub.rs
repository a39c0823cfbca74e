//! The pub/sub rows of the command table: `PUBLISH` and the `PUBSUB` introspection
//! (subscriptions are [`Store::subscribe`]).
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
    /// `PUBSUB CHANNELS [pattern]` → `Array` of `Bulk`: the channels with at least one
    /// subscriber (pattern subscriptions do not count), matching the glob when given, in no
    /// particular order. Within reach of the backend, as [`Command::Publish`].
    119 PubSubChannels {
        /// Only channels matching this glob.
        pattern: Option<String>,
    } => "PUBSUB" [Read, repeat true, keys [], reply Array, family PubSub, time none, effects none] {
        /// `PUBSUB CHANNELS`: every active channel.
        fn pubsub_channels() -> Vec<String> = { pattern: None };
        /// `PUBSUB CHANNELS pattern`: the active channels matching the glob.
        fn pubsub_channels_matching(pattern: Channel) -> Vec<String> = { pattern: Some(pattern) };
    }
    /// `PUBSUB NUMSUB channel...` → `Array` of `Bulk` channel, `Int` subscribers, in argument
    /// order (pattern subscriptions do not count).
    120 PubSubNumSub {
        /// The channels asked about.
        channels: Vec<String>,
    } => "PUBSUB" [Read, repeat true, keys [], reply Array, family PubSub, time none, effects none] {
        /// `PUBSUB NUMSUB channel...`: each channel with its number of subscribers.
        fn pubsub_numsub(channels: Channels) -> Vec<(String, u64)> = { channels };
    }
    /// `PUBSUB NUMPAT` → `Int` number of distinct patterns subscribed to (Redis 7 counts each
    /// pattern once, however many subscribe to it).
    121 PubSubNumPat => "PUBSUB" [Read, repeat true, keys [], reply Int, family PubSub, time none, effects none] {
        /// `PUBSUB NUMPAT`.
        fn pubsub_numpat() -> u64 = {};
    }

}
        } $generate }
    };
}
pub(crate) use pubsub_rows;
