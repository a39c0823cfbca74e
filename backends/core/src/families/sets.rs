//! Set operations.

use std::future::Future;

use bytes::Bytes;

use super::{IntoValue, Multi, decode_bool_vec, decode_u64, owned_keys, run, run_ref};
use crate::command::{Command, CommandRef};
use crate::error::Result;
use crate::reply::Reply;
use crate::store::Store;

fn members<V: IntoValue>(members: impl IntoIterator<Item = V>) -> Vec<Bytes> {
    members.into_iter().map(IntoValue::into_value).collect()
}

/// Set operations. Semantics: the matching [`Command`] variants. Replies listing members are
/// in no particular order.
pub trait Sets: Store {
    /// `SADD`: [`Command::SAdd`].
    fn sadd<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<u64>> + Send {
        let command = Multi::new(
            key,
            items,
            |key, member| CommandRef::SAdd { key, member },
            |key, members| Command::SAdd { key, members },
        );
        run_ref(self, command, decode_u64)
    }

    /// `SREM`: [`Command::SRem`].
    fn srem<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::SRem {
                key: key.to_owned(),
                members: members(items),
            },
            decode_u64,
        )
    }

    /// `SMEMBERS`: [`Command::SMembers`].
    fn smembers(&self, key: &str) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SMembers {
                key: key.to_owned(),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `SISMEMBER`: [`Command::SIsMember`].
    fn sismember(
        &self,
        key: &str,
        member: impl IntoValue,
    ) -> impl Future<Output = Result<bool>> + Send {
        let member = member.into_value();
        run_ref(
            self,
            CommandRef::SIsMember { key, member },
            Reply::into_bool,
        )
    }

    /// `SMISMEMBER`: [`Command::SMIsMember`].
    fn smismember<V: IntoValue>(
        &self,
        key: &str,
        items: impl IntoIterator<Item = V>,
    ) -> impl Future<Output = Result<Vec<bool>>> + Send {
        run(
            self,
            Command::SMIsMember {
                key: key.to_owned(),
                members: members(items),
            },
            decode_bool_vec,
        )
    }

    /// `SCARD`: [`Command::SCard`].
    fn scard(&self, key: &str) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::SCard {
                key: key.to_owned(),
            },
            decode_u64,
        )
    }

    /// `SPOP key`: [`Command::SPop`].
    fn spop(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::SPop {
                key: key.to_owned(),
                count: None,
            },
            Reply::into_opt_bytes,
        )
    }

    /// `SPOP key count`: [`Command::SPop`].
    fn spop_count(&self, key: &str, count: u64) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SPop {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `SRANDMEMBER key`: [`Command::SRandMember`].
    fn srandmember(&self, key: &str) -> impl Future<Output = Result<Option<Bytes>>> + Send {
        run(
            self,
            Command::SRandMember {
                key: key.to_owned(),
                count: None,
            },
            Reply::into_opt_bytes,
        )
    }

    /// `SRANDMEMBER key count`: [`Command::SRandMember`].
    fn srandmember_count(
        &self,
        key: &str,
        count: i64,
    ) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SRandMember {
                key: key.to_owned(),
                count: Some(count),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `SINTER`: [`Command::SInter`].
    fn sinter(&self, keys: &[&str]) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SInter {
                keys: owned_keys(keys),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `SUNION`: [`Command::SUnion`].
    fn sunion(&self, keys: &[&str]) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SUnion {
                keys: owned_keys(keys),
            },
            Reply::into_bytes_vec,
        )
    }

    /// `SDIFF`: [`Command::SDiff`].
    fn sdiff(&self, keys: &[&str]) -> impl Future<Output = Result<Vec<Bytes>>> + Send {
        run(
            self,
            Command::SDiff {
                keys: owned_keys(keys),
            },
            Reply::into_bytes_vec,
        )
    }
}

impl<S: Store + ?Sized> Sets for S {}
