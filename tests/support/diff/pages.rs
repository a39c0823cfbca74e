//! `HSCAN`, `SSCAN` and `ZSCAN` pages that cannot be compared one by one.
//!
//! A small collection comes back whole in the first page, on Redis and on staunch, and that
//! page is compared as it is. A collection in its hash-table form (a value longer than 64
//! bytes, say) comes back a few elements at a time, and *which* elements the first page holds
//! depends on the table's hash seed, which Redis and staunch's engines choose per process (a
//! fixed seed would invite collision attacks). What every store does guarantee is that a full
//! iteration of an unchanged collection returns each element, and only those; so such a scan
//! is followed to the end and compared as the sorted set of what it returned.

use staunch_core::{Command, Execute, Reply, Store};

/// The full iteration `command` starts, as a comparable reply, when its first page `first`
/// is partial; `None` for any other command or a page that ends the iteration.
pub(super) async fn to_the_end(
    store: &dyn Store,
    command: &Command,
    first: &Reply,
) -> Option<Reply> {
    let width = match command {
        Command::HScan { cursor: 0, .. } | Command::ZScan { cursor: 0, .. } => 2,
        Command::SScan { cursor: 0, .. } => 1,
        _ => return None,
    };
    let (mut cursor, mut items) = page(first, width)?;
    if cursor == 0 {
        return None;
    }
    // Bounded: a store that never ends an iteration shows up as a difference, not a hang.
    for _ in 0..1000 {
        let mut next = command.clone();
        if let Command::HScan { cursor: c, .. }
        | Command::SScan { cursor: c, .. }
        | Command::ZScan { cursor: c, .. } = &mut next
        {
            *c = cursor;
        }
        let reply = match store.execute(next).await {
            Ok(reply) => reply,
            Err(e) => return Some(Reply::bulk(format!("error while paging: {}", e.kind()))),
        };
        let (after, more) = page(&reply, width)?;
        items.extend(more);
        cursor = after;
        if cursor == 0 {
            break;
        }
    }
    items.sort_by_key(|item| format!("{item:?}"));
    items.dedup();
    let mut all = vec![Reply::bulk(if cursor == 0 {
        "the whole iteration"
    } else {
        "an iteration that did not end"
    })];
    all.push(Reply::Array(items.into_iter().flatten().collect()));
    Some(Reply::Array(all))
}

/// A page's next cursor and its elements, `width` replies each (field and value, member and
/// score, or member), normalized.
fn page(reply: &Reply, width: usize) -> Option<(u64, Vec<Vec<Reply>>)> {
    let Reply::Array(parts) = reply.normalized() else {
        return None;
    };
    let [cursor, Reply::Array(flat)] = parts.as_slice() else {
        return None;
    };
    let Reply::Bulk(cursor) = cursor else {
        return None;
    };
    let cursor = std::str::from_utf8(cursor).ok()?.parse().ok()?;
    Some((cursor, flat.chunks(width).map(<[Reply]>::to_vec).collect()))
}
