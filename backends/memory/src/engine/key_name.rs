//! [`KeyName`]: a key's name as the keyspace stores it, in 24 bytes, with no allocation for
//! names of up to [`INLINE`] bytes.
//!
//! Most keys are short (`user:1234`, `queue:jobs:high`), and a heap allocation per key costs
//! its size rounded up plus the allocator's header: for a million keys, more than the table
//! that points at them. The name also carries one flag for the shard (whether the key has a
//! TTL), so the table entry needs no separate deadline field: keys without a TTL, the common
//! case, pay nothing for expiry.

/// Names up to this many bytes are stored inline.
pub(crate) const INLINE: usize = 22;

/// A stored key name: any bytes, as in Redis.
#[derive(Clone)]
pub(crate) struct KeyName {
    repr: Repr,
}

/// The flag bit of an inline name's last byte; the bits below it are the length.
const TTL_BIT: u8 = 0x80;

#[derive(Clone)]
enum Repr {
    /// The name in the first bytes; the last byte is its length plus [`TTL_BIT`]. (The flag
    /// and the length share a byte so that the variant, with the enum's tag, fills 24 bytes.)
    Inline([u8; INLINE + 1]),
    Heap {
        has_ttl: bool,
        name: Box<[u8]>,
    },
}

impl KeyName {
    /// A name without the TTL flag.
    pub(crate) fn new(name: &[u8]) -> Self {
        let repr = if name.len() <= INLINE {
            let mut bytes = [0u8; INLINE + 1];
            bytes[..name.len()].copy_from_slice(name);
            bytes[INLINE] = name.len() as u8;
            Repr::Inline(bytes)
        } else {
            Repr::Heap {
                has_ttl: false,
                name: Box::from(name),
            }
        };
        KeyName { repr }
    }

    /// The name's bytes.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Inline(bytes) => &bytes[..(bytes[INLINE] & !TTL_BIT) as usize],
            Repr::Heap { name, .. } => name,
        }
    }

    /// The name as a contract [`Name`](staunch_core::Name) (one copy).
    pub(crate) fn to_name(&self) -> staunch_core::Name {
        staunch_core::Name::from(self.as_bytes())
    }

    /// True when the key has a deadline (kept in the shard's deadline table).
    #[inline]
    pub(crate) fn has_ttl(&self) -> bool {
        match &self.repr {
            Repr::Inline(bytes) => bytes[INLINE] & TTL_BIT != 0,
            Repr::Heap { has_ttl, .. } => *has_ttl,
        }
    }

    /// Sets the TTL flag.
    pub(crate) fn set_has_ttl(&mut self, on: bool) {
        match &mut self.repr {
            Repr::Inline(bytes) => {
                bytes[INLINE] = (bytes[INLINE] & !TTL_BIT) | if on { TTL_BIT } else { 0 };
            }
            Repr::Heap { has_ttl, .. } => *has_ttl = on,
        }
    }
}

impl std::ops::Deref for KeyName {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for KeyName {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for KeyName {}

impl PartialOrd for KeyName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::fmt::Debug for KeyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.to_name(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<KeyName>(), 24);
    }

    #[test]
    fn short_and_long_names_round_trip_and_keep_the_flag() {
        for name in [
            &b""[..],
            b"k",
            b"exactly-22-bytes-long!",
            b"a name longer than twenty-two bytes",
            b"k\xff\x00",
        ] {
            let mut key = KeyName::new(name);
            assert!(!key.has_ttl());
            key.set_has_ttl(true);
            assert!(key.has_ttl());
            assert_eq!(key.as_bytes(), name);
            assert_eq!(key, KeyName::new(name));
        }
    }
}
