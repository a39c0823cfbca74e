//! The on-disk format: file headers, checksummed frames and the records inside them.
//!
//! Everything here is pure (bytes in, bytes out), so the rules that decide between "torn",
//! "damaged" and "fine" can be read, and tested, in one place.
//!
//! # Files
//!
//! A data directory holds `data.snapshot` (optional), one or more `data.log.<generation>` and
//! `LOCK`. Both kinds of data file start with a 32-byte header:
//!
//! ```text
//! magic    8 bytes   "STAUNCHL" (log) or "STAUNCHS" (snapshot)
//! version  u32 LE    FORMAT_VERSION; a newer one is refused with a clear error
//! gen      u64 LE    generation; a log's must match its file name
//! seq      u64 LE    log: sequence number of the record *before* its first one;
//!                    snapshot: sequence number of the last record it contains
//! crc      u32 LE    CRC-32 of the 28 bytes before it
//! ```
//!
//! and continues with frames:
//!
//! ```text
//! len        u32 LE   payload length, 1..=MAX_FRAME
//! crc        u32 LE   CRC-32 of the payload
//! header_crc u32 LE   CRC-32 of the 8 bytes before it
//! payload    len bytes of bincode (2.x, standard config)
//! ```
//!
//! # Why two checksums per frame
//!
//! A crash can cut the last frame short; that is normal and is repaired by truncating it. A
//! bit flip in a length field, though, can make an intact record *look* cut short (its length
//! now points past the end of the file) and would silently drop it and everything after it.
//! The header checksum makes the length trustworthy before it is used: a frame is "torn" only
//! when its header verified and the file simply ends too early, or the file ends inside the
//! header, or (since a log is sized ahead and a crash can leave any of its last sectors
//! unwritten) the frame fails its checksum, one of its sectors reads as zeros and no valid
//! frame follows it (see [`tail_verdict`]). Zeros from a frame position to the end of the
//! file are free space, not a record. Every other mismatch is damage.
//!
//! # Versions
//!
//! - 1: log records without a kind.
//! - 2: log records with a [`RecordKind`].
//! - 3: log files are sized ahead of their records (see `log`): after the last record comes
//!   zero-filled free space. Records are as in version 2. Older files are read as they are
//!   (their rules are a subset) and never appended to.
//!
//! # Records
//!
//! A log frame holds one [`LogRecord`]: a sequence number (consecutive across log files, so a
//! missing or reordered piece is noticed), the time the write ran at and its effects, the
//! deterministic commands the engine reported (see `staunch_memory::WriteLog`), and (since
//! format version 2) its [`RecordKind`]: a plain write, a write journaled for a replay, or the
//! end of a journal. Version 1 files are still read; their records are plain writes. A snapshot
//! frame holds one key, and the last frame is an end marker with the number of keys, so a
//! snapshot cut short is never mistaken for a complete one.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use staunch_core::{Command, Name};
use staunch_memory::engine::persist::{SnapshotEntry, StoredValue};

/// The format version this build writes and the newest it reads.
pub(crate) const FORMAT_VERSION: u32 = 3;
/// Magic of a log file.
pub(crate) const LOG_MAGIC: [u8; 8] = *b"STAUNCHL";
/// Magic of a snapshot file.
pub(crate) const SNAPSHOT_MAGIC: [u8; 8] = *b"STAUNCHS";
/// Length of a file header.
pub(crate) const HEADER_LEN: usize = 32;
/// Length of a frame header.
pub(crate) const FRAME_HEADER_LEN: usize = 12;
/// Largest payload a frame may claim (a sanity bound against damaged lengths; 1 GiB).
pub(crate) const MAX_FRAME: u32 = 1 << 30;

/// Generations and record numbers in a header must be below this (2^62).
const LIMIT: u64 = 1 << 62;

/// bincode settings: the standard (varint) encoding, with a bound on what one record may claim
/// to allocate, so a crafted length inside a payload cannot exhaust memory.
fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ 1 << 30 }>()
}

/// The header of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileHeader {
    pub(crate) magic: [u8; 8],
    pub(crate) version: u32,
    pub(crate) generation: u64,
    pub(crate) seq: u64,
}

/// Why a header was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// Fewer than [`HEADER_LEN`] bytes.
    Short,
    /// Wrong magic or checksum, or an impossible version.
    Damaged(String),
    /// A well-formed header of a newer format.
    Newer(u32),
}

impl FileHeader {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(&self.magic);
        out[8..12].copy_from_slice(&self.version.to_le_bytes());
        out[12..20].copy_from_slice(&self.generation.to_le_bytes());
        out[20..28].copy_from_slice(&self.seq.to_le_bytes());
        let crc = crc32fast::hash(&out[..28]);
        out[28..32].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and verifies a header with the expected `magic`.
    pub(crate) fn decode(bytes: &[u8], magic: [u8; 8]) -> Result<FileHeader, HeaderError> {
        let Some(bytes) = bytes.get(..HEADER_LEN) else {
            return Err(HeaderError::Short);
        };
        if bytes[..8] != magic {
            return Err(HeaderError::Damaged(format!(
                "bad magic {:?} (expected {:?})",
                String::from_utf8_lossy(&bytes[..8]),
                String::from_utf8_lossy(&magic)
            )));
        }
        let version = le_u32(&bytes[8..12]);
        let crc_ok = le_u32(&bytes[28..32]) == crc32fast::hash(&bytes[..28]);
        if version > FORMAT_VERSION {
            // Only a header that verifies is taken at its word; otherwise the "version" may just
            // be a flipped bit.
            return Err(if crc_ok {
                HeaderError::Newer(version)
            } else {
                HeaderError::Damaged(format!(
                    "header checksum mismatch (it claims format version {version}, newer than \
                     this build's {FORMAT_VERSION}, or the header is damaged)"
                ))
            });
        }
        if !crc_ok {
            return Err(HeaderError::Damaged("header checksum mismatch".into()));
        }
        if version == 0 {
            return Err(HeaderError::Damaged(
                "format version 0 does not exist".into(),
            ));
        }
        let generation = le_u64(&bytes[12..20]);
        let seq = le_u64(&bytes[20..28]);
        // Real numbers are nowhere near these; refusing them keeps every `+ 1` far from
        // overflowing, whatever a crafted file says.
        if generation >= LIMIT || seq >= LIMIT {
            return Err(HeaderError::Damaged(format!(
                "impossible generation {generation} or record number {seq}"
            )));
        }
        Ok(FileHeader {
            magic,
            version,
            generation,
            seq,
        })
    }
}

/// What the header at a frame position says, before anything after it is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameCheck {
    /// A verified header of a frame whose payload is `payload_len` bytes after it.
    Frame { payload_len: usize },
    /// A verified header, but the file ends before its frame does: a torn write.
    Short,
    /// The header does not verify (the reader then decides between a torn tail, free space
    /// and damage; see [`tail_verdict`]).
    Unverified(String),
}

/// Checks the frame header in `header` (at least [`FRAME_HEADER_LEN`] bytes) given that
/// `remaining` bytes of the file are left from the frame's start.
pub(crate) fn check_frame_header(header: &[u8], remaining: u64) -> FrameCheck {
    let len = le_u32(&header[0..4]);
    let header_crc = le_u32(&header[8..12]);
    if header_crc != crc32fast::hash(&header[..8]) {
        return FrameCheck::Unverified("frame header checksum mismatch".into());
    }
    if len == 0 || len > MAX_FRAME {
        return FrameCheck::Unverified(format!("impossible frame length {len}"));
    }
    if u64::from(len) > remaining.saturating_sub(FRAME_HEADER_LEN as u64) {
        return FrameCheck::Short;
    }
    FrameCheck::Frame {
        payload_len: len as usize,
    }
}

/// The unit a disk writes atomically, at the least: a write interrupted by a crash leaves
/// whole sectors of it unwritten, and in a pre-sized (or freshly allocated) file an
/// unwritten sector reads as zeros.
pub(crate) const SECTOR: u64 = 512;

/// True when some sector's share of `bytes` (which start at file offset `offset`) is all
/// zero: the mark of a write that did not fully land. A frame whose checksum fails *and*
/// shows this mark is a candidate torn write; one without it was written whole and then
/// changed, which is damage.
pub(crate) fn has_zero_sector(bytes: &[u8], offset: u64) -> bool {
    let mut at = 0usize;
    while at < bytes.len() {
        let file_pos = offset + at as u64;
        let to_boundary = (SECTOR - file_pos % SECTOR) as usize;
        let piece = &bytes[at..bytes.len().min(at + to_boundary)];
        if piece.iter().all(|&b| b == 0) {
            return true;
        }
        at += piece.len();
    }
    false
}

/// What an invalid frame at the end of the valid records means, given what the rest of the
/// file holds. `zero_sector`: the frame shows the mark of [`has_zero_sector`];
/// `rest_is_zero`: every byte from the frame on is zero; `frame_after`: a verified frame
/// starts somewhere after it.
///
/// - All zero from here: the free space of a pre-sized log (or space a filesystem allocated
///   for a write that never landed). The records simply end.
/// - A frame that did not fully land, with no verified frame after it: a torn write, cut off
///   (a crash can interrupt only the last writes, so nothing valid can follow).
/// - Anything else, in particular an invalid frame followed by a valid one: damage.
pub(crate) fn tail_verdict(zero_sector: bool, rest_is_zero: bool, frame_after: bool) -> Tail {
    if rest_is_zero {
        Tail::FreeSpace
    } else if zero_sector && !frame_after {
        Tail::Torn
    } else {
        Tail::Damaged
    }
}

/// See [`tail_verdict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    FreeSpace,
    Torn,
    Damaged,
}

/// Verifies a frame's payload against the checksum in its (already verified) header.
pub(crate) fn check_payload(header: &[u8], payload: &[u8]) -> bool {
    header.len() >= 8 && le_u32(&header[4..8]) == crc32fast::hash(payload)
}

/// Appends one frame holding `payload_of`'s output to `out`. The payload is encoded straight
/// into `out` and the header filled in afterwards, so a record costs one allocation at most.
pub(crate) fn push_frame(
    out: &mut Vec<u8>,
    payload_of: impl FnOnce(&mut Vec<u8>) -> Result<(), String>,
) -> Result<usize, String> {
    let start = out.len();
    out.extend_from_slice(&[0u8; FRAME_HEADER_LEN]);
    if let Err(e) = payload_of(out) {
        out.truncate(start);
        return Err(e);
    }
    let payload_len = out.len() - start - FRAME_HEADER_LEN;
    let len = match u32::try_from(payload_len) {
        Ok(len) if len > 0 && len <= MAX_FRAME => len,
        _ => {
            out.truncate(start);
            return Err(format!("a record of {payload_len} bytes cannot be framed"));
        }
    };
    let crc = crc32fast::hash(&out[start + FRAME_HEADER_LEN..]);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    let header_crc = crc32fast::hash(&out[start..start + 8]);
    out[start + 8..start + 12].copy_from_slice(&header_crc.to_le_bytes());
    Ok(out.len() - start)
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(b)
}

fn le_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

// ----- records -----

/// What a log record is, besides its effects (format version 2; every version 1 record is a
/// plain [`RecordKind::Write`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RecordKind {
    /// A write, applied on recovery.
    Write,
    /// A write made while the store journaled for a replay (see `journal`): applied on
    /// recovery *and* queued for the replay again, unless a later [`RecordKind::JournalEnd`]
    /// says the replay finished.
    Journaled,
    /// Journaling stopped: every journaled record before this one was replayed. No effects.
    JournalEnd,
}

/// One logged write, as encoded (borrowing the effects, so logging copies nothing).
#[derive(Serialize)]
struct LogRecordRef<'a> {
    seq: u64,
    now_ms: i64,
    effects: &'a [Command],
    kind: RecordKind,
}

/// One logged write, as decoded.
#[derive(Debug, Deserialize)]
pub(crate) struct LogRecord {
    pub(crate) seq: u64,
    pub(crate) now_ms: i64,
    pub(crate) effects: Vec<Command>,
    pub(crate) kind: RecordKind,
}

/// A record of format version 1, which had no kind.
#[derive(Debug, Deserialize)]
struct LogRecordV1 {
    seq: u64,
    now_ms: i64,
    effects: Vec<Command>,
}

/// Appends the frame of one log record to `out`; returns its length in bytes.
pub(crate) fn push_log_record(
    out: &mut Vec<u8>,
    seq: u64,
    now_ms: i64,
    effects: &[Command],
    kind: RecordKind,
) -> Result<usize, String> {
    push_frame(out, |buf| {
        let record = LogRecordRef {
            seq,
            now_ms,
            effects,
            kind,
        };
        bincode::serde::encode_into_std_write(&record, buf, config())
            .map(|_| ())
            .map_err(|e| format!("cannot encode a log record: {e}"))
    })
}

/// The encoded size of `command` in a log record, measured without encoding it anywhere
/// (bincode's size writer walks the value). The config has no size limit here, so a command
/// too large for a frame is measured rather than refused.
pub(crate) fn encoded_len(command: &Command) -> usize {
    let mut size = bincode::enc::write::SizeWriter::default();
    match bincode::serde::encode_into_writer(command, &mut size, bincode::config::standard()) {
        Ok(()) => size.bytes_written,
        Err(_) => usize::MAX,
    }
}

/// Decodes a verified log payload of a file written in format `version`.
pub(crate) fn decode_log_record(payload: &[u8], version: u32) -> Result<LogRecord, String> {
    if version == 1 {
        let old: LogRecordV1 = decode_exact(payload)?;
        return Ok(LogRecord {
            seq: old.seq,
            now_ms: old.now_ms,
            effects: old.effects,
            kind: RecordKind::Write,
        });
    }
    decode_exact(payload)
}

/// A snapshot frame: one key, or the end marker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum SnapshotFrame {
    /// One key.
    Entry(#[serde(with = "EntryDef")] SnapshotEntry),
    /// The last frame: how many keys came before it.
    End { entries: u64 },
}

/// Appends the frame of one snapshot entry (or the end marker) to `out`.
pub(crate) fn push_snapshot_frame(
    out: &mut Vec<u8>,
    frame: &SnapshotFrame,
) -> Result<usize, String> {
    push_frame(out, |buf| {
        bincode::serde::encode_into_std_write(frame, buf, config())
            .map(|_| ())
            .map_err(|e| format!("cannot encode a snapshot entry: {e}"))
    })
}

/// Decodes a verified snapshot payload.
pub(crate) fn decode_snapshot_frame(payload: &[u8]) -> Result<SnapshotFrame, String> {
    decode_exact(payload)
}

/// Decodes `payload` as one `T` that uses every byte: trailing bytes mean the writer and
/// reader disagree on the format, which is damage, not something to ignore.
fn decode_exact<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    match bincode::serde::decode_from_slice::<T, _>(payload, config()) {
        Ok((value, used)) if used == payload.len() => Ok(value),
        Ok((_, used)) => Err(format!(
            "record decodes in {used} of its {} bytes",
            payload.len()
        )),
        Err(e) => Err(format!("record does not decode: {e}")),
    }
}

/// serde for the engine's snapshot types, which are plain data without serde derives of their
/// own (the engine crate does not depend on serde).
#[derive(Serialize, Deserialize)]
#[serde(remote = "SnapshotEntry")]
struct EntryDef {
    key: Name,
    #[serde(with = "ValueDef")]
    value: StoredValue,
    expires_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "StoredValue")]
enum ValueDef {
    String(Bytes),
    Hash(Vec<(Name, Bytes)>),
    List(Vec<Bytes>),
    Set(Vec<Bytes>),
    ZSet(Vec<(Bytes, f64)>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_rejections() {
        let header = FileHeader {
            magic: LOG_MAGIC,
            version: FORMAT_VERSION,
            generation: 7,
            seq: 42,
        };
        let bytes = header.encode();
        assert_eq!(FileHeader::decode(&bytes, LOG_MAGIC), Ok(header));
        assert!(matches!(
            FileHeader::decode(&bytes, SNAPSHOT_MAGIC),
            Err(HeaderError::Damaged(_))
        ));
        assert_eq!(
            FileHeader::decode(&bytes[..10], LOG_MAGIC),
            Err(HeaderError::Short)
        );
        let newer = FileHeader {
            version: 9,
            ..header
        }
        .encode();
        assert_eq!(
            FileHeader::decode(&newer, LOG_MAGIC),
            Err(HeaderError::Newer(9))
        );
        for bit in 0..HEADER_LEN * 8 {
            let mut flipped = bytes;
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                FileHeader::decode(&flipped, LOG_MAGIC).is_err(),
                "bit {bit}"
            );
        }
    }

    #[test]
    fn frames_detect_every_bit_flip() {
        let mut buf = Vec::new();
        let effects = vec![Command::IncrBy {
            key: "k".into(),
            delta: 3,
        }];
        let len = push_log_record(&mut buf, 1, 1000, &effects, RecordKind::Journaled).unwrap_or(0);
        assert_eq!(len, buf.len());
        let check = |bytes: &[u8]| -> bool {
            match check_frame_header(&bytes[..FRAME_HEADER_LEN], bytes.len() as u64) {
                FrameCheck::Frame { payload_len } => check_payload(
                    bytes,
                    &bytes[FRAME_HEADER_LEN..FRAME_HEADER_LEN + payload_len],
                ),
                _ => false,
            }
        };
        assert!(check(&buf));
        for bit in 0..buf.len() * 8 {
            let mut flipped = buf.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(!check(&flipped), "bit {bit} went unnoticed");
        }
        let record = decode_log_record(&buf[FRAME_HEADER_LEN..], FORMAT_VERSION);
        assert!(matches!(
            record,
            Ok(LogRecord {
                seq: 1,
                now_ms: 1000,
                kind: RecordKind::Journaled,
                ..
            })
        ));
    }

    /// A version 1 record (no kind) still decodes, as a plain write; read as version 2 it is
    /// refused rather than misread.
    #[test]
    fn version_1_records_are_plain_writes() {
        #[derive(Serialize)]
        struct V1<'a> {
            seq: u64,
            now_ms: i64,
            effects: &'a [Command],
        }
        let effects = vec![Command::IncrBy {
            key: "k".into(),
            delta: 3,
        }];
        let payload = bincode::serde::encode_to_vec(
            V1 {
                seq: 4,
                now_ms: 9,
                effects: &effects,
            },
            config(),
        )
        .expect("encode");
        let record = decode_log_record(&payload, 1).expect("decodes");
        assert_eq!((record.seq, record.kind), (4, RecordKind::Write));
        assert_eq!(record.effects, effects);
        assert!(decode_log_record(&payload, 2).is_err());
    }

    #[test]
    fn zero_sectors_are_found_wherever_the_frame_sits() {
        // A frame crossing a sector boundary with its second share zero.
        let mut bytes = vec![7u8; 40];
        bytes[30..].fill(0);
        assert!(has_zero_sector(&bytes, 512 - 30));
        // The same bytes elsewhere: the zeros are not a whole share of a sector.
        assert!(!has_zero_sector(&bytes, 0));
        assert!(!has_zero_sector(&bytes, 512 - 29));
        // A whole zero sector inside a long frame.
        let mut long = vec![1u8; 2000];
        long[500..1100].fill(0);
        assert!(has_zero_sector(&long, 0));
        assert!(!has_zero_sector(&long, 300));
        assert!(!has_zero_sector(&[], 0));
    }

    #[test]
    fn tail_verdicts() {
        assert_eq!(tail_verdict(false, true, false), Tail::FreeSpace);
        assert_eq!(tail_verdict(true, false, false), Tail::Torn);
        assert_eq!(tail_verdict(true, false, true), Tail::Damaged);
        assert_eq!(tail_verdict(false, false, false), Tail::Damaged);
    }
}
