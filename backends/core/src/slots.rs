//! Redis Cluster hash slots: which of the 16384 slots a key belongs to, a short hash tag for
//! every slot, and the cross-slot check that names the offending keys.
//!
//! A cluster stores a key in slot `CRC16(tag) mod 16384`, where `tag` is the part between the
//! first `{` and the next `}` when that is non-empty, else the whole key. Keys used together
//! by one command, script or transaction must share a slot; the services and the Failover
//! wrapper put related keys in one slot with a hash tag.
//!
//! [`slot_tag`] gives, for every slot, the shortest tag (lowercase letters and digits) that
//! hashes there, computed once on first use: a key `{<slot_tag(s)>}:anything` lives in slot
//! `s`. That lets a writer place data *in a chosen slot*, e.g. a replay watermark next to the
//! entries it covers.

use std::sync::OnceLock;

use crate::{Error, ErrorKind};

/// The number of hash slots of a Redis Cluster.
pub const SLOTS: u16 = 16384;

/// CRC16/XMODEM (polynomial 0x1021), the checksum Redis Cluster hashes keys with.
fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The part of `key` that is hashed: the content of the first `{...}` when non-empty.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{')
        && let Some(len) = key[open + 1..].iter().position(|&b| b == b'}')
        && len > 0
    {
        return &key[open + 1..open + 1 + len];
    }
    key
}

/// The hash slot of `key` (0..16384), as Redis Cluster computes it.
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) % SLOTS
}

/// A short tag that hashes to `slot` (taken modulo [`SLOTS`]): `{tag}` in a key puts the key in
/// that slot. Computed for all slots on first use (a few milliseconds).
pub fn slot_tag(slot: u16) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        let mut tags: Vec<Option<String>> = vec![None; usize::from(SLOTS)];
        let mut missing = usize::from(SLOTS);
        let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut n: u64 = 0;
        while missing > 0 {
            // n written in base 36, shortest strings first.
            let mut digits = Vec::new();
            let mut m = n;
            loop {
                digits.push(alphabet[(m % 36) as usize]);
                m /= 36;
                if m == 0 {
                    break;
                }
            }
            let slot = usize::from(key_slot(&digits));
            if tags[slot].is_none() {
                tags[slot] = Some(String::from_utf8_lossy(&digits).into_owned());
                missing -= 1;
            }
            n += 1;
        }
        tags.into_iter().map(Option::unwrap_or_default).collect()
    });
    &tags[usize::from(slot % SLOTS)]
}

/// The one slot all `keys` share, `Ok(None)` without keys, or an `InvalidInput` error naming
/// each key with its slot (what `command` would get as `CROSSSLOT` from a cluster).
pub fn common_slot<'a>(
    command: &str,
    keys: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Option<u16>, Error> {
    let mut first = None;
    let mut all = Vec::new();
    let mut crossed = false;
    for key in keys {
        let slot = key_slot(key);
        match first {
            None => first = Some(slot),
            Some(s) if s != slot => crossed = true,
            Some(_) => {}
        }
        all.push((key, slot));
    }
    if !crossed {
        return Ok(first);
    }
    // Named up to a point: a message is for reading, not a dump of a 10 000-key MSET.
    const SHOWN: usize = 8;
    let mut named: Vec<String> = all
        .iter()
        .take(SHOWN)
        .map(|(key, slot)| format!("{:?} (slot {slot})", String::from_utf8_lossy(key)))
        .collect();
    if all.len() > SHOWN {
        named.push(format!("and {} more", all.len() - SHOWN));
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "CROSSSLOT {command} on Redis Cluster needs its keys in one hash slot, but they are \
             in several: {}; give them a common hash tag (e.g. {{user1}}:a, {{user1}}:b)",
            named.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_redis() {
        // Values from `redis-cli cluster keyslot`.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b"123456789"), 12739);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{}{bar}"), key_slot(b"foo{}{bar}"));
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
    }

    #[test]
    fn every_slot_has_a_tag() {
        for slot in [0, 1, 5061, 12182, SLOTS - 1] {
            let tag = slot_tag(slot);
            assert!(!tag.is_empty() && tag.len() <= 4, "{tag}");
            assert_eq!(key_slot(format!("{{{tag}}}:x").as_bytes()), slot);
        }
    }

    #[test]
    fn cross_slot_names_the_keys() {
        let err = common_slot("RENAME", [&b"foo"[..], b"bar"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("\"foo\" (slot 12182)"), "{err}");
        assert_eq!(
            common_slot("X", [&b"{a}1"[..], b"{a}2"]).unwrap(),
            Some(key_slot(b"a"))
        );
        assert_eq!(common_slot("X", std::iter::empty()).unwrap(), None);
    }
}
