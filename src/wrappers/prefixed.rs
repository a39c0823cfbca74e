//! [`Prefixed`]: a store that puts every key of one named database under `{name}:`, for the
//! key-prefix mapping ([`crate::config::Mapping::Prefixes`]): all names share one Redis logical
//! database (Redis Cluster has only database 0), each sees only its own keys.
//!
//! Every key a command names is prefixed on the way in; keys in replies (`SCAN`, `KEYS`,
//! `BLPOP`, `BRPOP`, `LMPOP`, `BLMPOP`, `BZPOPMIN`, `BZPOPMAX`, `ZMPOP`, `BZMPOP`) lose the
//! prefix on the way out. `SCAN` and `KEYS` match only the prefix (escaped, so a name never acts
//! as a glob). `DBSIZE` and `FLUSHDB` count and delete
//! the prefix's keys with `SCAN`, which is O(keys) where Redis's own are O(1); they are refused
//! inside batches. Pub/sub channels are not prefixed: Redis's pub/sub ignores logical
//! databases too, so both mappings behave alike. Which fields are keys comes from
//! `Command::keys_mut`, so every command of the contract is prefixed, never passed through.

use std::sync::Arc;

use staunch_core::command::Key;
use staunch_core::glob::escape;
use staunch_core::prelude::*;
use staunch_core::{
    Call, Execution, Name, ReplyShape, Result, ScanOptions, Subscription, async_trait,
};

/// See the module docs.
pub(crate) struct Prefixed {
    inner: Arc<dyn Store>,
    prefix: String,
}

impl Prefixed {
    /// Keys of `inner` under `{name}:`.
    pub(crate) fn new(inner: Arc<dyn Store>, name: &str) -> Prefixed {
        Prefixed {
            inner,
            prefix: format!("{name}:"),
        }
    }

    fn add(&self, key: &mut Key) {
        *key = Key::from([self.prefix.as_bytes(), key].concat());
    }

    /// The prefix, escaped so it never acts as a glob, then `pattern` (any bytes) or `*`.
    fn pattern(&self, pattern: Option<&[u8]>) -> Name {
        let prefix = escape(&self.prefix);
        Name::from([prefix.as_bytes(), pattern.unwrap_or(b"*")].concat())
    }

    /// The command with its keys prefixed, or `None` for `DBSIZE`/`FLUSHDB` (done by scanning).
    /// Which fields are keys comes from [`Command::keys_mut`], so a command added to the
    /// contract is prefixed here without a change.
    fn map(&self, mut command: Command) -> Result<Option<Command>> {
        match &mut command {
            Command::DbSize | Command::FlushDb => return Ok(None),
            Command::Scan { options, .. } => {
                options.pattern = Some(self.pattern(options.pattern.as_deref()));
            }
            Command::Keys { pattern } => *pattern = self.pattern(Some(pattern.as_bytes())),
            other => other.keys_mut().into_iter().for_each(|k| self.add(k)),
        }
        Ok(Some(command))
    }

    fn strip(&self, key: Reply) -> Reply {
        match key {
            Reply::Bulk(b) if b.starts_with(self.prefix.as_bytes()) => {
                Reply::Bulk(b.slice(self.prefix.len()..))
            }
            other => other,
        }
    }

    /// Removes the prefix from keys in the replies that carry keys (the command's reply shape
    /// says which do).
    fn unmap(&self, shape: ReplyShape, reply: Reply) -> Reply {
        match (shape, reply) {
            (ReplyShape::ScanPage, Reply::Array(mut parts)) if parts.len() == 2 => {
                if let Some(Reply::Array(keys)) = parts.pop() {
                    let keys = keys.into_iter().map(|k| self.strip(k)).collect();
                    parts.push(Reply::Array(keys));
                }
                Reply::Array(parts)
            }
            (ReplyShape::Keys, Reply::Array(keys)) => {
                Reply::Array(keys.into_iter().map(|k| self.strip(k)).collect())
            }
            (ReplyShape::KeyFirst, Reply::Array(mut parts)) if !parts.is_empty() => {
                let key = parts.remove(0);
                parts.insert(0, self.strip(key));
                Reply::Array(parts)
            }
            (_, reply) => reply,
        }
    }

    async fn execute_owned(&self, command: Command) -> Result<Reply> {
        let shape = command.reply_shape();
        match self.map(command.clone())? {
            Some(mapped) => Ok(self.unmap(shape, self.inner.execute(mapped).await?)),
            None if matches!(command, Command::DbSize) => {
                Ok(Reply::Int(self.scan_keys().await?.len() as i64))
            }
            None => {
                for chunk in self.scan_keys().await?.chunks(500) {
                    self.inner.del_multiple(chunk).await?;
                }
                Ok(Reply::ok())
            }
        }
    }

    async fn scan_keys(&self) -> Result<Vec<Name>> {
        let options = ScanOptions::new().pattern(self.pattern(None)).count(1000);
        self.inner.scan_all(options).await
    }
}

#[async_trait]
impl Store for Prefixed {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        let command = call.into_owned();
        if matches!(command, Command::DbSize | Command::FlushDb) {
            return Execution::pending(self.execute_owned(command));
        }
        let shape = command.reply_shape();
        let mapped = match self.map(command) {
            Ok(Some(mapped)) => mapped,
            Ok(None) => {
                return Execution::ready(Err(Error::new(
                    ErrorKind::Internal,
                    "DBSIZE or FLUSHDB reached the key mapping",
                )));
            }
            Err(e) => return Execution::ready(Err(e)),
        };
        // An inner store that answers at once (memory) keeps this call free of a future.
        match self.inner.execute(mapped).into_ready() {
            Ok(reply) => Execution::ready(reply.map(|r| self.unmap(shape, r))),
            Err(pending) => {
                Execution::pending(async move { pending.await.map(|r| self.unmap(shape, r)) })
            }
        }
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        let shapes: Vec<ReplyShape> = commands.iter().map(Command::reply_shape).collect();
        let mut mapped = Vec::with_capacity(commands.len());
        for command in commands {
            match self.map(command)? {
                Some(command) => mapped.push(command),
                None => {
                    return Err(Error::unsupported(
                        "DBSIZE or FLUSHDB inside a batch under a key-prefix mapping",
                    ));
                }
            }
        }
        let replies = self.inner.batch(mapped, atomic).await?;
        Ok(shapes
            .into_iter()
            .zip(replies)
            .map(|(shape, reply)| reply.map(|r| self.unmap(shape, r)))
            .collect())
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        self.inner.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

#[cfg(all(test, feature = "memory"))]
mod tests {
    use super::*;
    use staunch_memory::MemoryStore;

    #[tokio::test]
    async fn keys_and_multi_key_commands_stay_under_the_prefix() {
        let inner: Arc<dyn Store> = Arc::new(MemoryStore::new());
        inner.set("other:x", "v").await.unwrap();
        inner.set("app*:y", "v").await.unwrap();
        let store = Prefixed::new(inner.clone(), "app");
        store.set("a", "1").await.unwrap();
        store.rpush("l", "e").await.unwrap();
        let mut keys = store.keys("*").await.unwrap();
        keys.sort();
        assert_eq!(
            keys,
            ["a", "l"],
            "KEYS sees only the prefix's keys, unprefixed"
        );
        assert_eq!(store.keys("?").await.unwrap().len(), 2);
        assert!(store.copy("a", "b").await.unwrap());
        assert!(
            inner.exists("app:b").await.unwrap(),
            "COPY's destination is prefixed"
        );
        store.sadd("s", "m").await.unwrap();
        assert!(store.smove("s", "t", "m").await.unwrap());
        assert!(inner.sismember("app:t", "m").await.unwrap());
        assert_eq!(store.sinterstore("u", ["t"]).await.unwrap(), 1);
        assert!(inner.exists("app:u").await.unwrap());
        assert_eq!(
            store.lmpop(["none", "l"], ListEnd::Left).await.unwrap(),
            Some(("l".into(), vec![Bytes::from_static(b"e")])),
            "LMPOP names the key without the prefix"
        );
    }

    #[tokio::test]
    async fn a_binary_pattern_follows_the_escaped_prefix() {
        let inner: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let store = Prefixed::new(inner.clone(), "a*p");
        store.set(b"k\xff1", "v").await.unwrap();
        store.set(b"k\xfe1", "v").await.unwrap();
        inner.set(b"axp:k\xff2", "v").await.unwrap();
        assert_eq!(
            store.keys(b"k\xff*").await.unwrap(),
            [Name::from(b"k\xff1")],
            "KEYS with a non-UTF-8 byte matches it after the literal prefix"
        );
        let scanned = store
            .scan_all(ScanOptions::new().pattern(&b"k\xff*"[..]))
            .await
            .unwrap();
        assert_eq!(scanned, [Name::from(b"k\xff1")], "SCAN MATCH likewise");
    }
}
