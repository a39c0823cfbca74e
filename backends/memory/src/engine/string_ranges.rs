//! String commands that address bytes inside a value: `GETRANGE` and `SETRANGE`.
//!
//! Index arithmetic follows Redis's `t_string.c`: `GETRANGE` clamps both ends to the string and
//! answers an empty string (never nil) when nothing is selected; `SETRANGE` pads with zero bytes
//! and refuses a result longer than Redis's default `proto-max-bulk-len` (512 MiB), so a local
//! store cannot be made to allocate more than Redis would.

use staunch_core::{Bytes, Command, Error, Reply, Result};

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
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::SetRange { key, offset, value } => setrange(db, now, key, *offset, value),
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

fn setrange(db: &mut Db, now: i64, key: &str, offset: i64, value: &[u8]) -> Result<Reply> {
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
    use super::byte_range;

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
