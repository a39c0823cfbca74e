//! [`Command`]: every operation of the contract as plain data.
//!
//! The contract is a command algebra. A backend implements one method,
//! [`Store::call`](crate::Store::call), that takes a command and answers a
//! [`Reply`](crate::Reply) exactly as Redis 7 would over RESP3. The typed methods users call
//! (`store.get(..)`, `store.zadd(..)`) live in the family traits ([`crate::Strings`],
//! [`crate::SortedSets`], ...), which build a command and decode the reply; they have blanket
//! implementations, so a wrapper such as `Failover` implements `call` once and sees every call.
//!
//! Commands being data is what makes the rest of staunch simple: a pipeline is a `Vec<Command>`,
//! the file backend's log is a sequence of write commands, `Failover`'s replay journal records
//! the commands made during an outage and applies them to Redis later, and a differential test
//! generates random commands and compares two backends' replies.
//!
//! Every command is one row of the command table (`command::table`): its name, access class, whether
//! it is safe to repeat, its key positions, its reply shape and its typed methods. The enum, its
//! metadata methods and the typed API are generated from those rows. Each variant documents its
//! reply and its `# Behavior`: the Redis rules the conformance testkit asserts on every backend.
//!
//! # Layout
//!
//! - `table`: the rows, one file per family, and how to add a command.
//! - `generate.rs`: what the rows become here (the enum, metadata, wire format, [`CommandRef`]).
//! - `access.rs`: the metadata types ([`Access`], [`Family`], [`ReplyShape`]).
//! - `call.rs`: [`Call`], a command on its way to a store, owned or borrowed.
//! - `deadline.rs`: relative expiries made absolute before a command is recorded.
//! - `effects.rs`: how a write that ran is recorded so that replaying it does what it did.
//! - [`queue_step`]: the queue's atomic step beyond its row (key roles, events, effects).

use bytes::Bytes;

use crate::name::Name;
use crate::options::*;

mod access;
mod call;
mod deadline;
pub(crate) mod effects;
#[macro_use]
mod generate;
mod limits;
pub mod queue_step;
pub(crate) mod table;

pub use access::{Access, Family, ReplyShape};
pub use call::Call;
pub(crate) use deadline::Deadline;
pub use limits::{MAX_RANDOM_REPEATS, random_count};

/// The type of a key in a [`Command`]: binary safe, as in Redis (see [`Name`]).
pub type Key = crate::name::Name;

/// The type of a hash field name in a [`Command`] (see [`Key`]).
pub type Field = crate::name::Name;

table::for_each_command!(generate::define_commands);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_its_own_tag_and_name() {
        let mut tags: Vec<u32> = TAGS.iter().map(|(tag, _)| *tag).collect();
        tags.sort_unstable();
        let count = tags.len();
        tags.dedup();
        assert_eq!(tags.len(), count, "two rows share a wire tag");
        let mut names: Vec<&str> = TAGS.iter().map(|(_, name)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "two rows share a variant name");
    }

    #[test]
    fn borrowed_forms_agree_with_their_owned_commands() {
        let v = Bytes::from_static(b"v");
        let all = [
            CommandRef::Get { key: b"k" },
            CommandRef::Set {
                key: b"k",
                value: v.clone(),
            },
            CommandRef::HGet {
                key: b"k",
                field: b"f",
            },
            CommandRef::HSet {
                key: b"k",
                field: b"f",
                value: v.clone(),
            },
            CommandRef::LPush {
                key: b"k",
                value: v.clone(),
            },
            CommandRef::RPush {
                key: b"k",
                value: v.clone(),
            },
            CommandRef::LPop { key: b"k" },
            CommandRef::RPop { key: b"k" },
            CommandRef::SAdd {
                key: b"k",
                member: v.clone(),
            },
            CommandRef::SIsMember {
                key: b"k",
                member: v.clone(),
            },
            CommandRef::ZAdd {
                key: b"k",
                score: 1.5,
                member: v.clone(),
            },
            CommandRef::ZScore {
                key: b"k",
                member: v.clone(),
            },
        ];
        for command in all {
            let (access, name, key) = (command.access(), command.name(), command.key().to_owned());
            let owned = command.clone().into_command();
            assert_eq!(access, owned.access(), "{command:?}");
            assert_eq!(name, owned.name(), "{command:?}");
            assert_eq!(vec![&key[..]], owned.keys(), "{command:?}");
        }
    }

    #[test]
    fn keys_and_keys_mut_agree() {
        let mut command = Command::ZMoveByScore {
            source: "a".into(),
            destination: "b".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        };
        assert_eq!(command.keys(), [b"a", b"b"]);
        command
            .keys_mut()
            .into_iter()
            .for_each(|k| *k = Key::from([&b"p:"[..], k].concat()));
        assert_eq!(command.keys(), [b"p:a", b"p:b"]);
        let mset = Command::MSet {
            pairs: vec![("x".into(), Bytes::new()), ("y".into(), Bytes::new())],
        };
        assert_eq!(mset.keys(), [b"x", b"y"]);
        assert!(Command::FlushDb.keys().is_empty());
    }

    #[test]
    fn relative_expiries_become_absolute() {
        let set = Command::Set {
            key: "k".into(),
            value: Bytes::new(),
            options: SetOptions::new().expiry(SetExpiry::Px(500)),
        };
        assert!(set.depends_on_clock());
        match set.with_absolute_expiry(1_000) {
            Command::Set { options, .. } => {
                assert_eq!(options.expiry, Some(SetExpiry::PxAt(1_500)))
            }
            other => panic!("{other:?}"),
        }
        let expire = Command::Expire {
            key: "k".into(),
            expiry: Expiry::Seconds(2),
            condition: None,
        };
        match expire.with_absolute_expiry(1_000) {
            Command::Expire { expiry, .. } => assert_eq!(expiry, Expiry::AtMillis(3_000)),
            other => panic!("{other:?}"),
        }
        assert!(!Command::Get { key: "k".into() }.depends_on_clock());
        assert!(Command::Pttl { key: "k".into() }.depends_on_clock());
    }

    #[test]
    fn blocking_commands_expose_their_timeout() {
        let mut blpop = Command::BLPop {
            keys: vec!["q".into()],
            timeout: BlockTimeout::from_secs(5),
        };
        assert_eq!(blpop.access(), Access::Blocking);
        if let Some(timeout) = blpop.block_timeout_mut() {
            *timeout = BlockTimeout::from_millis(10);
        }
        assert_eq!(
            blpop,
            Command::BLPop {
                keys: vec!["q".into()],
                timeout: BlockTimeout::from_millis(10),
            }
        );
        assert!(Command::FlushDb.block_timeout_mut().is_none());
    }
}
