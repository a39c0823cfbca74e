//! Keyspace operations: existence, deletion, TTLs, types, iteration.

use std::future::Future;

use super::{decode_u64, decode_unit, owned_keys, run};
use crate::command::Command;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ExpireCondition, Expiry, KeyType, ScanOptions};
use crate::reply::Reply;
use crate::store::Store;

/// Keyspace operations. Semantics: the matching [`Command`] variants.
pub trait Keyspace: Store {
    /// `EXISTS`: [`Command::Exists`].
    fn exists(&self, keys: &[&str]) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::Exists {
                keys: owned_keys(keys),
            },
            decode_u64,
        )
    }

    /// `DEL`: [`Command::Del`].
    fn del(&self, keys: &[&str]) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::Del {
                keys: owned_keys(keys),
            },
            decode_u64,
        )
    }

    /// `EXPIRE key seconds`: [`Command::Expire`].
    fn expire(&self, key: &str, seconds: i64) -> impl Future<Output = Result<bool>> + Send {
        self.expire_options(key, Expiry::Seconds(seconds), None)
    }

    /// `PEXPIRE key milliseconds`: [`Command::Expire`].
    fn pexpire(&self, key: &str, millis: i64) -> impl Future<Output = Result<bool>> + Send {
        self.expire_options(key, Expiry::Millis(millis), None)
    }

    /// Any `EXPIRE` form with an optional `NX|XX|GT|LT`: [`Command::Expire`].
    fn expire_options(
        &self,
        key: &str,
        expiry: Expiry,
        condition: Option<ExpireCondition>,
    ) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::Expire {
                key: key.to_owned(),
                expiry,
                condition,
            },
            Reply::into_bool,
        )
    }

    /// `PERSIST`: [`Command::Persist`].
    fn persist(&self, key: &str) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::Persist {
                key: key.to_owned(),
            },
            Reply::into_bool,
        )
    }

    /// `TTL` in seconds (-1 no TTL, -2 missing): [`Command::Ttl`].
    fn ttl(&self, key: &str) -> impl Future<Output = Result<i64>> + Send {
        run(
            self,
            Command::Ttl {
                key: key.to_owned(),
            },
            Reply::into_int,
        )
    }

    /// `PTTL` in milliseconds (-1 no TTL, -2 missing): [`Command::Pttl`].
    fn pttl(&self, key: &str) -> impl Future<Output = Result<i64>> + Send {
        run(
            self,
            Command::Pttl {
                key: key.to_owned(),
            },
            Reply::into_int,
        )
    }

    /// `TYPE`, `None` for a missing key: [`Command::Type`].
    fn key_type(&self, key: &str) -> impl Future<Output = Result<Option<KeyType>>> + Send {
        run(
            self,
            Command::Type {
                key: key.to_owned(),
            },
            |reply| {
                let name = reply.into_string()?;
                if name == "none" {
                    return Ok(None);
                }
                KeyType::parse(&name).map(Some).ok_or_else(|| {
                    Error::new(ErrorKind::Protocol, format!("unknown key type {name:?}"))
                })
            },
        )
    }

    /// One `SCAN` step: the next cursor (0 when done) and a batch of keys: [`Command::Scan`].
    fn scan(
        &self,
        cursor: u64,
        options: ScanOptions,
    ) -> impl Future<Output = Result<(u64, Vec<String>)>> + Send {
        run(self, Command::Scan { cursor, options }, decode_scan)
    }

    /// A whole `SCAN` iteration, collected. Keys may repeat if they moved during the scan,
    /// as with Redis; use it for bounded keyspaces.
    fn scan_all(&self, options: ScanOptions) -> impl Future<Output = Result<Vec<String>>> + Send {
        async move {
            let mut keys = Vec::new();
            let mut cursor = 0;
            loop {
                let (next, batch) = self.scan(cursor, options.clone()).await?;
                keys.extend(batch);
                if next == 0 {
                    return Ok(keys);
                }
                cursor = next;
            }
        }
    }

    /// `DBSIZE`: [`Command::DbSize`].
    fn dbsize(&self) -> impl Future<Output = Result<u64>> + Send {
        run(self, Command::DbSize, decode_u64)
    }

    /// `FLUSHDB`: [`Command::FlushDb`].
    fn flushdb(&self) -> impl Future<Output = Result<()>> + Send {
        run(self, Command::FlushDb, decode_unit)
    }

    /// `RENAME`: [`Command::Rename`].
    fn rename(&self, key: &str, new_key: &str) -> impl Future<Output = Result<()>> + Send {
        run(
            self,
            Command::Rename {
                key: key.to_owned(),
                new_key: new_key.to_owned(),
            },
            decode_unit,
        )
    }

    /// `RENAMENX`: [`Command::RenameNx`].
    fn renamenx(&self, key: &str, new_key: &str) -> impl Future<Output = Result<bool>> + Send {
        run(
            self,
            Command::RenameNx {
                key: key.to_owned(),
                new_key: new_key.to_owned(),
            },
            Reply::into_bool,
        )
    }
}

impl<S: Store + ?Sized> Keyspace for S {}

fn decode_scan(reply: Reply) -> Result<(u64, Vec<String>)> {
    let mut items = reply.into_items()?.into_iter();
    match (items.next(), items.next(), items.next()) {
        (Some(cursor), Some(keys), None) => {
            let cursor = cursor.into_string()?;
            let cursor = cursor.parse::<u64>().map_err(|_| {
                Error::new(ErrorKind::Protocol, format!("bad SCAN cursor {cursor:?}"))
            })?;
            Ok((cursor, keys.into_string_vec()?))
        }
        _ => Err(Error::new(
            ErrorKind::Protocol,
            "SCAN reply is not [cursor, keys]",
        )),
    }
}
