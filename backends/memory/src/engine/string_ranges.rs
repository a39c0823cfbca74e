//! String commands that address bytes or bits inside a value: `GETRANGE`, `SETRANGE`,
//! `GETBIT`, `SETBIT` and `BITCOUNT`.
//!
//! Index arithmetic follows Redis's `t_string.c`: `GETRANGE` clamps both ends to the string and
//! answers an empty string (never nil) when nothing is selected; `SETRANGE` pads with zero bytes
//! and refuses a result longer than Redis's default `proto-max-bulk-len` (512 MiB), so a local
//! store cannot be made to allocate more than Redis would.

use staunch_core::{BitRange, BitUnit, Bytes, Command, Error, Reply, Result};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::value::Value;

/// Redis's default `proto-max-bulk-len`: the longest string `SETRANGE` may build.
const MAX_STRING_LEN: u64 = 512 * 1024 * 1024;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::GetRange { key, start, end } => {
            let value = db.string(key, now)?.unwrap_or_default();
            Ok(Reply::Bulk(match byte_range(value.len(), *start, *end) {
                Some((first, last)) => Bytes::copy_from_slice(&value[first..=last]),
                None => Bytes::new(),
            }))
        }
        Command::GetBit { key, offset } => {
            let offset = bit_offset(*offset)?;
            let value = db.string(key, now)?.unwrap_or_default();
            let bit = value
                .get(offset / 8)
                .is_some_and(|byte| byte & (0x80 >> (offset % 8)) != 0);
            Ok(Reply::Int(i64::from(bit)))
        }
        Command::BitCount { key, range } => {
            let value = db.string(key, now)?.unwrap_or_default();
            Ok(Reply::Int(bitcount(value, *range) as i64))
        }
        other => Err(unsupported(other)),
    }
}

/// A `SETBIT`/`GETBIT` offset as a position, or Redis's error past 512 MiB.
fn bit_offset(offset: u64) -> Result<usize> {
    if offset >> 3 >= MAX_STRING_LEN {
        return Err(Error::invalid(
            "ERR bit offset is not an integer or out of range",
        ));
    }
    Ok(offset as usize)
}

/// `BITCOUNT`, following `bitcountCommand` in Redis 7's `bitops.c`.
fn bitcount(value: &[u8], range: Option<BitRange>) -> u64 {
    let ones = |bytes: &[u8]| bytes.iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
    let Some(BitRange { start, end, unit }) = range else {
        return ones(value);
    };
    let bits = unit == BitUnit::Bit;
    let len = value.len() as i64;
    let total = if bits { len.saturating_mul(8) } else { len };
    if start < 0 && end < 0 && start > end {
        return 0;
    }
    let start = if start < 0 { total + start } else { start }.max(0);
    let end = if end < 0 { total + end } else { end }
        .max(0)
        .min(total - 1);
    if start > end {
        return 0;
    }
    let (first, last, first_mask, last_mask) = if bits {
        // The bits of the edge bytes that lie outside the range, to subtract.
        let first_mask = !((1u16 << (8 - (start & 7))) - 1) as u8;
        let last_mask = ((1u16 << (7 - (end & 7))) - 1) as u8;
        (start >> 3, end >> 3, first_mask, last_mask)
    } else {
        (start, end, 0, 0)
    };
    let (first, last) = (first as usize, last as usize);
    ones(&value[first..=last])
        - u64::from((value[first] & first_mask).count_ones())
        - u64::from((value[last] & last_mask).count_ones())
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::SetRange { key, offset, value } => setrange(db, now, key, *offset, value),
        Command::SetBit { key, offset, value } => {
            let offset = bit_offset(*offset)?;
            let mut bytes = db.string(key, now)?.map(<[u8]>::to_vec).unwrap_or_default();
            if bytes.len() <= offset / 8 {
                bytes.resize(offset / 8 + 1, 0);
            }
            let mask = 0x80 >> (offset % 8);
            let byte = &mut bytes[offset / 8];
            let old = *byte & mask != 0;
            if *value {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
            db.put_keep_ttl(key, Value::String(bytes.into_boxed_slice()), now);
            Ok(Reply::Int(i64::from(old)))
        }
        other => Err(unsupported(other)),
    }
}

/// The inclusive byte positions `GETRANGE start end` selects in a string of `len` bytes.
fn byte_range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let len = i64::try_from(len).ok()?;
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end }.max(0);
    let end = end.min(len - 1);
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

fn setrange(db: &mut Db, now: i64, key: &[u8], offset: i64, value: &[u8]) -> Result<Reply> {
    if offset < 0 {
        return Err(Error::invalid("ERR offset is out of range"));
    }
    let current = db.string(key, now)?;
    if value.is_empty() {
        // Nothing to write: a missing key stays missing, an existing one keeps its length.
        return Ok(Reply::Int(current.map_or(0, |c| c.len()) as i64));
    }
    let end = (offset as u64).saturating_add(value.len() as u64);
    if end > MAX_STRING_LEN {
        return Err(Error::invalid(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    let end = end as usize;
    let offset = offset as usize;
    let mut bytes = current.map(<[u8]>::to_vec).unwrap_or_default();
    if bytes.len() < end {
        bytes.resize(end, 0);
    }
    bytes[offset..end].copy_from_slice(value);
    let len = bytes.len();
    db.put_keep_ttl(key, Value::String(bytes.into_boxed_slice()), now);
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use super::{BitRange, BitUnit, bitcount, byte_range};

    #[test]
    fn bitcount_ranges_as_redis() {
        let value = b"foobar";
        let range = |start, end, unit| Some(BitRange { start, end, unit });
        assert_eq!(bitcount(value, None), 26);
        assert_eq!(bitcount(value, range(0, 0, BitUnit::Byte)), 4);
        assert_eq!(bitcount(value, range(1, 1, BitUnit::Byte)), 6);
        assert_eq!(bitcount(value, range(1, 1, BitUnit::Bit)), 1);
        assert_eq!(bitcount(value, range(5, 30, BitUnit::Bit)), 17);
        assert_eq!(bitcount(value, range(-1, -2, BitUnit::Byte)), 0);
        assert_eq!(bitcount(b"", range(0, -1, BitUnit::Bit)), 0);
    }

    #[test]
    fn getrange_clamps_as_redis() {
        assert_eq!(byte_range(5, 0, -1), Some((0, 4)));
        assert_eq!(byte_range(5, 0, -100), Some((0, 0)));
        assert_eq!(byte_range(5, -100, -1), Some((0, 4)));
        assert_eq!(byte_range(5, 3, 1), None);
        assert_eq!(byte_range(5, -1, -5), None);
        assert_eq!(byte_range(5, i64::MAX, i64::MAX), None);
        assert_eq!(byte_range(0, 0, -1), None);
        assert_eq!(byte_range(5, 2, 100), Some((2, 4)));
    }
}
