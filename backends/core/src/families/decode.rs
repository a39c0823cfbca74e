//! Turning a [`Reply`] into what a typed method returns.
//!
//! Most typed methods decode by their return type alone ([`FromReply`], used through [`As`]);
//! the few whose reply means different things depending on the command's options have a
//! decoder of their own ([`SetWritten`], [`SetOutcome`]). Either way the decoder is a value
//! ([`Decode`]) that a single call, a pipeline step and a batch step all carry the same way.

use std::collections::HashMap;
use std::marker::PhantomData;

use bytes::Bytes;

use crate::command::Command;
use crate::error::{Error, ErrorKind, Result};
use crate::name::Name;
use crate::options::KeyType;
use crate::reply::Reply;

/// A type a reply decodes into on its own.
pub trait FromReply: Sized {
    /// Decodes `reply`; a reply of another shape is `ErrorKind::Protocol`.
    fn from_reply(reply: Reply) -> Result<Self>;
}

/// Decodes the reply of one command (a typed method's, a pipeline step's).
pub trait Decode {
    /// What the reply becomes.
    type Output;

    /// Decodes `reply`.
    fn decode(&self, reply: Reply) -> Result<Self::Output>;
}

/// Builds a decoder for the command it will decode the reply of.
pub trait DecoderFor: Decode + Sized {
    /// The decoder for `command`'s reply.
    fn for_command(command: &Command) -> Self;
}

/// Decodes by the output type alone ([`FromReply`]).
pub struct As<T>(PhantomData<fn() -> T>);

impl<T> As<T> {
    /// The decoder into `T`.
    #[inline]
    pub fn new() -> Self {
        As(PhantomData)
    }
}

impl<T> Default for As<T> {
    fn default() -> Self {
        As::new()
    }
}

impl<T> std::fmt::Debug for As<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "As<{}>", std::any::type_name::<T>())
    }
}

impl<T: FromReply> Decode for As<T> {
    type Output = T;

    #[inline]
    fn decode(&self, reply: Reply) -> Result<T> {
        T::from_reply(reply)
    }
}

impl<T: FromReply> DecoderFor for As<T> {
    #[inline]
    fn for_command(_: &Command) -> Self {
        As::new()
    }
}

/// What `SET` with options answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetReply {
    /// The value was written (`OK`).
    Written,
    /// An `NX`/`XX` condition stopped the write.
    NotWritten,
    /// With `GET`: the previous value (`None` if there was none).
    Previous(Option<Bytes>),
}

/// Decodes a conditional `SET`'s reply into whether it wrote (`OK`) or not (`Nil`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SetWritten;

impl Decode for SetWritten {
    type Output = bool;

    fn decode(&self, reply: Reply) -> Result<bool> {
        match reply {
            Reply::Nil => Ok(false),
            other => other.into_ok().map(|()| true),
        }
    }
}

impl DecoderFor for SetWritten {
    fn for_command(_: &Command) -> Self {
        SetWritten
    }
}

/// Decodes `SET` with options: with `GET` the reply is the previous value, without it `OK` or
/// `Nil`, so the decoder remembers which was asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetOutcome {
    get: bool,
}

impl Decode for SetOutcome {
    type Output = SetReply;

    fn decode(&self, reply: Reply) -> Result<SetReply> {
        if self.get {
            return Ok(SetReply::Previous(reply.into_opt_bytes()?));
        }
        match reply {
            Reply::Nil => Ok(SetReply::NotWritten),
            other => other.into_ok().map(|()| SetReply::Written),
        }
    }
}

impl DecoderFor for SetOutcome {
    fn for_command(command: &Command) -> Self {
        SetOutcome {
            get: matches!(command, Command::Set { options, .. } if options.get),
        }
    }
}

fn protocol(what: &str) -> Error {
    Error::new(ErrorKind::Protocol, what.to_owned())
}

impl FromReply for Reply {
    fn from_reply(reply: Reply) -> Result<Self> {
        Ok(reply)
    }
}

impl FromReply for () {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_ok()
    }
}

impl FromReply for bool {
    #[inline]
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_bool()
    }
}

impl FromReply for i64 {
    #[inline]
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_int()
    }
}

impl FromReply for u64 {
    #[inline]
    fn from_reply(reply: Reply) -> Result<Self> {
        let n = reply.into_int()?;
        u64::try_from(n).map_err(|_| Error::new(ErrorKind::Protocol, format!("negative count {n}")))
    }
}

impl FromReply for f64 {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_double()
    }
}

impl FromReply for Option<u64> {
    fn from_reply(reply: Reply) -> Result<Self> {
        match reply {
            Reply::Nil => Ok(None),
            other => u64::from_reply(other).map(Some),
        }
    }
}

impl FromReply for Option<f64> {
    #[inline]
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_opt_double()
    }
}

impl FromReply for Option<Bytes> {
    #[inline]
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_opt_bytes()
    }
}

impl FromReply for Bytes {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_bytes()
    }
}

impl FromReply for Vec<u64> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_items()?
            .into_iter()
            .map(u64::from_reply)
            .collect()
    }
}

impl FromReply for Vec<Bytes> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_bytes_vec()
    }
}

impl FromReply for Vec<Option<Bytes>> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_opt_bytes_vec()
    }
}

impl FromReply for Vec<String> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_string_vec()
    }
}

impl FromReply for Vec<Name> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_items()?
            .into_iter()
            .map(Reply::into_name)
            .collect()
    }
}

impl FromReply for Vec<bool> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_items()?
            .into_iter()
            .map(Reply::into_bool)
            .collect()
    }
}

impl FromReply for Vec<Option<f64>> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_items()?
            .into_iter()
            .map(Reply::into_opt_double)
            .collect()
    }
}

impl FromReply for Vec<(Bytes, f64)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply.into_scored()
    }
}

impl FromReply for HashMap<Name, Bytes> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_pairs()?
            .into_iter()
            .map(|(f, v)| Ok((f.into_name()?, v.into_bytes()?)))
            .collect()
    }
}

/// `ZPOPMIN key` without a count: one flat `[member, score]` pair, or an empty array.
impl FromReply for Option<(Bytes, f64)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (None, _, _) => Ok(None),
            (Some(m), Some(s), None) => Ok(Some((m.into_bytes()?, s.into_double()?))),
            _ => Err(protocol("expected [member, score] or nothing")),
        }
    }
}

/// A blocking list pop: `[key, value]`, or `Nil` on timeout.
impl FromReply for Option<(Name, Bytes)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        if reply.is_nil() {
            return Ok(None);
        }
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(k), Some(v), None) => Ok(Some((k.into_name()?, v.into_bytes()?))),
            _ => Err(protocol("expected [key, value]")),
        }
    }
}

/// A blocking sorted-set pop: `[key, member, score]`, or `Nil` on timeout.
impl FromReply for Option<(Name, Bytes, f64)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        if reply.is_nil() {
            return Ok(None);
        }
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next(), items.next()) {
            (Some(k), Some(m), Some(s), None) => {
                Ok(Some((k.into_name()?, m.into_bytes()?, s.into_double()?)))
            }
            _ => Err(protocol("expected [key, member, score]")),
        }
    }
}

/// A `SCAN` page: the next cursor and the keys.
impl FromReply for (u64, Vec<Name>) {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(cursor), Some(keys), None) => {
                let cursor = cursor.into_string()?;
                let cursor = cursor.parse::<u64>().map_err(|_| {
                    Error::new(ErrorKind::Protocol, format!("bad SCAN cursor {cursor:?}"))
                })?;
                Ok((cursor, Vec::<Name>::from_reply(keys)?))
            }
            _ => Err(protocol("SCAN reply is not [cursor, keys]")),
        }
    }
}

/// `TYPE`: the type, or `None` for `none` (a missing key).
impl FromReply for Option<KeyType> {
    fn from_reply(reply: Reply) -> Result<Self> {
        let name = reply.into_string()?;
        if name == "none" {
            return Ok(None);
        }
        KeyType::parse(&name)
            .map(Some)
            .ok_or_else(|| Error::new(ErrorKind::Protocol, format!("unknown key type {name:?}")))
    }
}

/// A multi-key list pop (`LMPOP`, `BLMPOP`): `[key, [element...]]`, or `Nil` when nothing was
/// popped.
impl FromReply for Option<(Name, Vec<Bytes>)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        if reply.is_nil() {
            return Ok(None);
        }
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(k), Some(v), None) => Ok(Some((k.into_name()?, v.into_bytes_vec()?))),
            _ => Err(protocol("expected [key, [elements]]")),
        }
    }
}

/// `ZMPOP`/`BZMPOP`: `[key, [[member, score], ...]]`, or `Nil` when nothing was popped.
impl FromReply for Option<(Name, Vec<(Bytes, f64)>)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        if reply.is_nil() {
            return Ok(None);
        }
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(k), Some(pairs), None) => Ok(Some((k.into_name()?, pairs.into_scored()?))),
            _ => Err(protocol("expected [key, [[member, score], ...]]")),
        }
    }
}

/// An `SSCAN` page: the next cursor and the members.
impl FromReply for (u64, Vec<Bytes>) {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(cursor), Some(members), None) => {
                let cursor = cursor.into_string()?;
                let cursor = cursor.parse::<u64>().map_err(|_| {
                    Error::new(ErrorKind::Protocol, format!("bad SSCAN cursor {cursor:?}"))
                })?;
                Ok((cursor, members.into_bytes_vec()?))
            }
            _ => Err(protocol("SSCAN reply is not [cursor, members]")),
        }
    }
}

/// A `ZSCAN` page: the next cursor and the members with their scores (a flat list of member
/// and score text).
impl FromReply for (u64, Vec<(Bytes, f64)>) {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(cursor), Some(flat), None) => {
                let cursor = scan_cursor(cursor)?;
                let mut scored = Vec::new();
                let mut flat = flat.into_items()?.into_iter();
                while let Some(member) = flat.next() {
                    let score = flat
                        .next()
                        .ok_or_else(|| protocol("ZSCAN reply has a member without a score"))?;
                    let score = match score {
                        Reply::Double(d) => d,
                        other => {
                            crate::reply::parse_double(&other.into_bytes()?).map_err(|_| {
                                protocol("ZSCAN reply has a score that is not a number")
                            })?
                        }
                    };
                    scored.push((member.into_bytes()?, score));
                }
                Ok((cursor, scored))
            }
            _ => Err(protocol("ZSCAN reply is not [cursor, members]")),
        }
    }
}

/// A scan cursor, sent by Redis as text.
fn scan_cursor(cursor: Reply) -> Result<u64> {
    let cursor = cursor.into_string()?;
    cursor
        .parse::<u64>()
        .map_err(|_| Error::new(ErrorKind::Protocol, format!("bad scan cursor {cursor:?}")))
}

/// `ZRANK key member WITHSCORE`: `[rank, score]`, or `Nil`.
impl FromReply for Option<(u64, f64)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        if reply.is_nil() {
            return Ok(None);
        }
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(rank), Some(score), None) => {
                Ok(Some((u64::from_reply(rank)?, score.into_double()?)))
            }
            _ => Err(protocol("expected [rank, score]")),
        }
    }
}

/// `HRANDFIELD key`: a field, or `Nil`.
impl FromReply for Option<Name> {
    fn from_reply(reply: Reply) -> Result<Self> {
        match reply {
            Reply::Nil => Ok(None),
            other => other.into_name().map(Some),
        }
    }
}

/// `HRANDFIELD key count WITHVALUES`: `[field, value]` pairs.
impl FromReply for Vec<(Name, Bytes)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        reply
            .into_items()?
            .into_iter()
            .map(|pair| {
                let mut it = pair.into_items()?.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(f), Some(v), None) => Ok((f.into_name()?, v.into_bytes()?)),
                    _ => Err(protocol("expected a [field, value] pair")),
                }
            })
            .collect()
    }
}

/// An `HSCAN` page: the next cursor and the fields with their values (a flat list).
impl FromReply for (u64, Vec<(Name, Bytes)>) {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(cursor), Some(flat), None) => {
                let cursor = scan_cursor(cursor)?;
                let mut pairs = Vec::new();
                let mut flat = flat.into_items()?.into_iter();
                while let Some(field) = flat.next() {
                    let value = flat
                        .next()
                        .ok_or_else(|| protocol("HSCAN reply has a field without a value"))?;
                    pairs.push((field.into_name()?, value.into_bytes()?));
                }
                Ok((cursor, pairs))
            }
            _ => Err(protocol("HSCAN reply is not [cursor, fields]")),
        }
    }
}

/// `PUBSUB NUMSUB`: a flat list of channel and count.
impl FromReply for Vec<(Name, u64)> {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut pairs = Vec::new();
        let mut flat = reply.into_items()?.into_iter();
        while let Some(channel) = flat.next() {
            let count = flat
                .next()
                .ok_or_else(|| protocol("PUBSUB NUMSUB reply has a channel without a count"))?;
            pairs.push((channel.into_name()?, u64::from_reply(count)?));
        }
        Ok(pairs)
    }
}

/// What a [`Command::QueueStep`] answered, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct QueueStepReply {
    /// `Some(true)`: the job was completed; `Some(false)`: its token no longer matched (the
    /// lease was lost), nothing changed; `None`: the step finished nothing.
    pub finished: Option<bool>,
    /// The queue is paused (nothing was claimed).
    pub paused: bool,
    /// Scheduled jobs due now (nothing was claimed while some are: promote them first).
    pub due: u64,
    /// The claimed jobs, best first.
    pub jobs: Vec<QueueClaimed>,
}

/// One job a [`Command::QueueStep`] claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueClaimed {
    /// The job id.
    pub id: Bytes,
    /// Its new fencing token; 0 when its `token` field was not an integer (a closed fence,
    /// left as it was).
    pub token: u64,
    /// The job hash's fields as they were before the step marked it processing (with `token`
    /// and `attempts` already increased).
    pub fields: Vec<(Name, Bytes)>,
}

impl FromReply for QueueStepReply {
    fn from_reply(reply: Reply) -> Result<Self> {
        let mut items = reply.into_items()?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| protocol("a QUEUESTEP reply has four parts"))
        };
        let finished = match next()?.into_int()? {
            1 => Some(true),
            0 => Some(false),
            _ => None,
        };
        let paused = next()?.into_int()? != 0;
        let due = u64::from_reply(next()?)?;
        let jobs = next()?
            .into_items()?
            .into_iter()
            .map(|job| {
                let mut parts = job.into_items()?.into_iter();
                let (Some(id), Some(token), Some(fields)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(protocol("a QUEUESTEP job has three parts"));
                };
                let fields = fields
                    .into_pairs()?
                    .into_iter()
                    .map(|(f, v)| Ok((f.into_name()?, v.into_bytes()?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(QueueClaimed {
                    id: id.into_bytes()?,
                    token: u64::try_from(token.into_int()?).unwrap_or(0),
                    fields,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(QueueStepReply {
            finished,
            paused,
            due,
            jobs,
        })
    }
}

impl QueueStepReply {
    /// The reply as the command table documents it (what a backend answers).
    pub fn into_reply(self) -> Reply {
        let jobs = self
            .jobs
            .into_iter()
            .map(|job| {
                let fields = job
                    .fields
                    .into_iter()
                    .flat_map(|(f, v)| [Reply::Bulk(Bytes::from(f)), Reply::Bulk(v)])
                    .collect();
                Reply::Array(vec![
                    Reply::Bulk(job.id),
                    Reply::Int(job.token as i64),
                    Reply::Array(fields),
                ])
            })
            .collect();
        Reply::Array(vec![
            Reply::Int(match self.finished {
                Some(true) => 1,
                Some(false) => 0,
                None => -1,
            }),
            Reply::Int(i64::from(self.paused)),
            Reply::Int(self.due as i64),
            Reply::Array(jobs),
        ])
    }
}

impl QueueClaimed {
    /// A claimed job (for backends building a reply).
    pub fn new(id: Bytes, token: u64, fields: Vec<(Name, Bytes)>) -> Self {
        QueueClaimed { id, token, fields }
    }
}
