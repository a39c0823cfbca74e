//! Reading a data file frame by frame, classifying what ends it.
//!
//! The reader never trusts a length before its checksum verified and never allocates more
//! than the file holds, so any bytes at all (a damaged disk, a fuzzer) give either frames or a
//! verdict, never a panic or an absurd allocation.
//!
//! Where the frames stop, the reader looks at the rest of the file to say why (the rules are
//! `format::tail_verdict`): zeros to the end are free space (a log is sized ahead of its
//! records), a frame that did not fully land with nothing valid after it is a torn write, and
//! anything else is damage.

use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use staunch_core::Result;

use crate::format::{self, FRAME_HEADER_LEN, FrameCheck, HEADER_LEN, MAX_FRAME, Tail};
use crate::lock::io_error;

/// What the next bytes of the file are.
#[derive(Debug)]
pub(crate) enum Next {
    /// A verified frame starting at this offset; its payload is in [`FrameReader::payload`].
    Frame(u64),
    /// The frames end here: the file ends, or only zeros (free space) follow.
    End,
    /// A torn write starts at this offset; `bytes` is how much of the file from there on is
    /// not zero (what cutting it off drops).
    Torn { at: u64, bytes: u64 },
    /// The frame at this offset is damaged.
    Damaged(u64, String),
}

/// Reads frames from one file.
pub(crate) struct FrameReader {
    reader: BufReader<File>,
    path: PathBuf,
    offset: u64,
    len: u64,
    payload: Vec<u8>,
}

impl FrameReader {
    /// Opens `path` for reading from the start.
    pub(crate) fn open(path: &Path) -> Result<FrameReader> {
        let file = File::open(path).map_err(|e| io_error(e, "open", path))?;
        let len = file
            .metadata()
            .map_err(|e| io_error(e, "stat", path))?
            .len();
        Ok(FrameReader {
            reader: BufReader::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            offset: 0,
            len,
            payload: Vec::new(),
        })
    }

    /// The file's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Reads the file header: `None` when the file is shorter than one.
    pub(crate) fn header(&mut self) -> Result<Option<[u8; HEADER_LEN]>> {
        if self.len < HEADER_LEN as u64 {
            return Ok(None);
        }
        let mut header = [0u8; HEADER_LEN];
        self.read_exact(&mut header)?;
        Ok(Some(header))
    }

    /// The payload of the last [`Next::Frame`].
    pub(crate) fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Reads and verifies the next frame.
    pub(crate) fn next(&mut self) -> Result<Next> {
        let start = self.offset;
        let remaining = self.len.saturating_sub(start);
        if remaining == 0 {
            return Ok(Next::End);
        }
        if remaining < FRAME_HEADER_LEN as u64 {
            // The file ends inside a frame header.
            let mut rest = [0u8; FRAME_HEADER_LEN];
            let rest = &mut rest[..remaining as usize];
            self.read_exact(rest)?;
            if rest.iter().all(|&b| b == 0) {
                return Ok(Next::End);
            }
            return Ok(Next::Torn {
                at: start,
                bytes: remaining,
            });
        }
        let mut header = [0u8; FRAME_HEADER_LEN];
        self.read_exact(&mut header)?;
        let payload_len = match format::check_frame_header(&header, remaining) {
            FrameCheck::Frame { payload_len } => payload_len,
            FrameCheck::Short => {
                return Ok(Next::Torn {
                    at: start,
                    bytes: remaining,
                });
            }
            FrameCheck::Unverified(reason) => {
                let zero_sector = format::has_zero_sector(&header, start);
                return self.after_bad_frame(start, zero_sector, reason);
            }
        };
        // `check_frame_header` bounded `payload_len` by the bytes left in the file.
        let mut payload = std::mem::take(&mut self.payload);
        payload.clear();
        payload.resize(payload_len, 0);
        let read = self.read_exact(&mut payload);
        self.payload = payload;
        read?;
        if !format::check_payload(&header, &self.payload) {
            let zero_sector = format::has_zero_sector(&header, start)
                || format::has_zero_sector(&self.payload, start + FRAME_HEADER_LEN as u64);
            return self.after_bad_frame(start, zero_sector, "record checksum mismatch".into());
        }
        Ok(Next::Frame(start))
    }

    /// Classifies an invalid frame at `start` by what follows it (see the module docs).
    fn after_bad_frame(&self, start: u64, zero_sector: bool, reason: String) -> Result<Next> {
        let rest = inspect_rest(&self.path, start, self.len)
            .map_err(|e| io_error(e, "read", &self.path))?;
        let rest_is_zero = rest.nonzero_end <= start;
        Ok(
            match format::tail_verdict(zero_sector, rest_is_zero, rest.frame_after) {
                Tail::FreeSpace => Next::End,
                Tail::Torn => Next::Torn {
                    at: start,
                    bytes: rest.nonzero_end - start,
                },
                Tail::Damaged => Next::Damaged(start, reason),
            },
        )
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        self.reader
            .read_exact(buf)
            .map_err(|e| io_error(e, "read", &self.path))?;
        self.offset += buf.len() as u64;
        Ok(())
    }
}

/// What the bytes of a file from some offset on hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rest {
    /// The end of the last non-zero byte (the offset itself when all are zero). Only exact
    /// when no frame was found after it (the scan stops there).
    nonzero_end: u64,
    /// A verified frame starts after the offset.
    frame_after: bool,
}

/// Scans `path` from `from` to `len` for non-zero bytes and for a verified frame starting
/// after `from`. Reads in windows, so a long file costs time, never memory; it stops at the
/// first verified frame (which means damage, whatever else follows).
fn inspect_rest(path: &Path, from: u64, len: u64) -> std::io::Result<Rest> {
    const WINDOW: usize = 1 << 20;
    let file = File::open(path)?;
    let mut rest = Rest {
        nonzero_end: from,
        frame_after: false,
    };
    let mut buf = vec![0u8; WINDOW + FRAME_HEADER_LEN];
    let mut payload = Vec::new();
    let mut at = from;
    while at < len {
        // Each window overlaps the next by a frame header, so a header across the seam is
        // seen whole.
        let want = ((len - at) as usize).min(buf.len());
        let full = want == buf.len();
        let window = &mut buf[..want];
        file.read_exact_at(window, at)?;
        if let Some(last) = window.iter().rposition(|&b| b != 0) {
            rest.nonzero_end = rest.nonzero_end.max(at + last as u64 + 1);
        }
        let starts = if full { WINDOW } else { want };
        for i in 0..starts {
            let pos = at + i as u64;
            if pos == from || i + FRAME_HEADER_LEN > want {
                continue;
            }
            let header = &window[i..i + FRAME_HEADER_LEN];
            if header[..4] == [0; 4] {
                continue;
            }
            let FrameCheck::Frame { payload_len } = format::check_frame_header(header, len - pos)
            else {
                continue;
            };
            debug_assert!(payload_len as u64 <= u64::from(MAX_FRAME));
            payload.resize(payload_len, 0);
            file.read_exact_at(&mut payload, pos + FRAME_HEADER_LEN as u64)?;
            if format::check_payload(header, &payload) {
                rest.frame_after = true;
                return Ok(rest);
            }
        }
        at += starts as u64;
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let pushed = format::push_frame(&mut out, |buf| {
            buf.extend_from_slice(payload);
            Ok(())
        });
        assert!(pushed.is_ok());
        out
    }

    fn rest_of(bytes: &[u8], from: u64) -> Rest {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).expect("write");
        inspect_rest(&path, from, bytes.len() as u64).expect("inspect")
    }

    #[test]
    fn the_rest_of_a_file_is_zero_or_holds_a_frame() {
        let mut bytes = vec![0u8; 100];
        assert_eq!(
            rest_of(&bytes, 10),
            Rest {
                nonzero_end: 10,
                frame_after: false
            }
        );
        bytes[50] = 1;
        assert_eq!(rest_of(&bytes, 10).nonzero_end, 51);
        assert!(!rest_of(&bytes, 10).frame_after);
        // A frame far enough in to cross a window seam is still found.
        let mut big = vec![0u8; (1 << 20) - 5];
        big.extend_from_slice(&frame(b"hello"));
        big.extend_from_slice(&[0u8; 64]);
        assert!(rest_of(&big, 0).frame_after);
        // The frame at `from` itself does not count.
        let one = frame(b"x");
        assert!(!rest_of(&one, 0).frame_after);
        assert_eq!(rest_of(&one, 0).nonzero_end, one.len() as u64);
    }
}
