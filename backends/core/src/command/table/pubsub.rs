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
    fn psubscribe(
        &self,
        patterns: impl IntoIterator<Item = impl AsRef<[u8]>>,
    ) -> impl Future<Output = Result<Subscription>> + Send {
        let patterns = patterns.into_iter().map(|p| Name::from(p.as_ref())).collect();
        self.subscribe(Vec::new(), patterns)
    }
] {
    /// `PUBLISH channel message` → `Int` number of subscribers that received it (within reach of
    /// the backend: the process for memory, the server for Redis).
    76 Publish {
        /// Channel.
        channel: Name,
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
        pattern: Option<Name>,
    } => "PUBSUB" [Read, repeat true, keys [], reply Array, family PubSub, time none, effects none] {
        /// `PUBSUB CHANNELS`: every active channel.
        fn pubsub_channels() -> Vec<Name> = { pattern: None };
        /// `PUBSUB CHANNELS pattern`: the active channels matching the glob.
        fn pubsub_channels_matching(pattern: Pattern) -> Vec<Name> = { pattern: Some(pattern) };
    }
    /// `PUBSUB NUMSUB channel...` → `Array` of `Bulk` channel, `Int` subscribers, in argument
    /// order (pattern subscriptions do not count).
    120 PubSubNumSub {
        /// The channels asked about.
        channels: Vec<Name>,
    } => "PUBSUB" [Read, repeat true, keys [], reply Array, family PubSub, time none, effects none] {
        /// `PUBSUB NUMSUB channel...`: each channel with its number of subscribers.
        fn pubsub_numsub(channels: Channels) -> Vec<(Name, u64)> = { channels };
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
