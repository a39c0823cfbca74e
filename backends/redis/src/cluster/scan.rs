//! `SCAN` over every primary of a cluster, one after another (see the parent module docs for
//! the cursor layout).

use redis::Value;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use staunch_core::{Command, Error, ErrorKind, Reply, Result, ScanOptions};

use super::{ClusterBackend, Target};
use crate::decode::{redis_error, to_reply};
use crate::encode::{Plan, plan};

/// Bits of the cursor that hold one primary's own cursor.
const NODE_BITS: u32 = 48;
const NODE_MASK: u64 = (1 << NODE_BITS) - 1;

/// One step of a cluster-wide `SCAN`. A primary that has nothing more to return hands over to
/// the next one within the same call until the call has `COUNT` keys (10 by default), so an
/// empty cluster answers cursor 0 at once and a huge `COUNT` covers every primary in one call.
pub(super) async fn scan(
    backend: &ClusterBackend,
    cursor: u64,
    options: &ScanOptions,
) -> Result<Reply> {
    let primaries = primary_slots(backend).await?;
    let mut index = usize::try_from(cursor >> NODE_BITS).unwrap_or(usize::MAX);
    let mut node_cursor = cursor & NODE_MASK;
    if index >= primaries.len() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "invalid cursor {cursor}: the cluster has {} primaries",
                primaries.len()
            ),
        ));
    }
    let wanted = options.count.unwrap_or(10);
    let mut keys: Vec<Value> = Vec::new();
    let next = loop {
        let (next, found) = scan_node(backend, primaries[index], node_cursor, options).await?;
        match found {
            Value::Array(found) | Value::Set(found) => keys.extend(found),
            other => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!("unexpected SCAN keys: {other:?}"),
                ));
            }
        }
        if next != 0 {
            break (index as u64) << NODE_BITS | next;
        }
        if index + 1 >= primaries.len() {
            break 0;
        }
        index += 1;
        node_cursor = 0;
        if keys.len() as u64 >= wanted {
            break (index as u64) << NODE_BITS;
        }
    };
    to_reply(Value::Array(vec![
        Value::BulkString(next.to_string().into_bytes()),
        Value::Array(keys),
    ]))
}

/// `SCAN` on the primary of `slot`: its next cursor and the keys.
async fn scan_node(
    backend: &ClusterBackend,
    slot: u16,
    cursor: u64,
    options: &ScanOptions,
) -> Result<(u64, Value)> {
    let node_command = Command::Scan {
        cursor,
        options: options.clone(),
    };
    let Plan::Plain(cmd) = plan(&node_command)? else {
        return Err(Error::new(ErrorKind::Internal, "SCAN is a plain command"));
    };
    let value = backend.send(cmd, Target::Slot(slot)).await?;
    let Value::Array(mut parts) = value else {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!("unexpected SCAN reply: {value:?}"),
        ));
    };
    let keys = parts.pop();
    let next = match parts.pop() {
        Some(Value::BulkString(bytes)) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.parse::<u64>().ok()),
        _ => None,
    };
    let (Some(next), Some(keys)) = (next, keys) else {
        return Err(Error::new(ErrorKind::Protocol, "unexpected SCAN reply"));
    };
    if next > NODE_MASK {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("a node's SCAN cursor {next} does not fit in {NODE_BITS} bits"),
        ));
    }
    Ok((next, keys))
}

/// One slot of each primary, ordered by the primaries' lowest slots.
pub(super) async fn primary_slots(backend: &ClusterBackend) -> Result<Vec<u16>> {
    let mut lowest: Vec<(String, u16)> = Vec::new();
    for range in ranges(backend).await? {
        match lowest.iter_mut().find(|n| n.0 == range.id) {
            Some(entry) => entry.1 = entry.1.min(range.start),
            None => lowest.push((range.id, range.start)),
        }
    }
    let mut slots: Vec<u16> = lowest.into_iter().map(|n| n.1).collect();
    slots.sort_unstable();
    Ok(slots)
}

/// A slot range and the primary serving it, from `CLUSTER SLOTS`.
pub(super) struct SlotRange {
    pub(super) start: u16,
    pub(super) end: u16,
    pub(super) id: String,
    pub(super) host: String,
    pub(super) port: u16,
}

/// The slot ranges (`CLUSTER SLOTS` of a primary).
pub(super) async fn ranges(backend: &ClusterBackend) -> Result<Vec<SlotRange>> {
    let mut conn = backend.conn().await?;
    let value = conn
        .route_command(
            redis::cmd("CLUSTER").arg("SLOTS").clone(),
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::RandomPrimary),
        )
        .await
        .map_err(redis_error)?;
    let Value::Array(entries) = value else {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!("unexpected CLUSTER SLOTS reply: {value:?}"),
        ));
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(Value::SimpleString(s)) => s.clone(),
        _ => String::new(),
    };
    let mut ranges = Vec::new();
    // [start, end, [host, port, id, ...], replicas...]
    for entry in entries {
        let Value::Array(fields) = entry else {
            continue;
        };
        let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(node))) =
            (fields.first(), fields.get(1), fields.get(2))
        else {
            continue;
        };
        let port = match node.get(1) {
            Some(Value::Int(p)) => u16::try_from(*p).unwrap_or(0),
            _ => 0,
        };
        ranges.push(SlotRange {
            start: u16::try_from(*start).unwrap_or(0),
            end: u16::try_from(*end).unwrap_or(0),
            id: text(node.get(2)),
            host: text(node.first()),
            port,
        });
    }
    if ranges.is_empty() {
        return Err(Error::new(
            ErrorKind::Unavailable,
            "the cluster reports no primary serving slots",
        ));
    }
    Ok(ranges)
}
