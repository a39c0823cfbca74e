//! Reading a data file frame by frame, classifying what ends it.
//!
//! The reader never trusts a length before its checksum verified and never allocates more
//! than the file holds, so any bytes at all (a damaged disk, a fuzzer) give either frames or a
//! verdict, never a panic or an absurd allocation.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use staunch_core::Result;

use crate::format::{self, FRAME_HEADER_LEN, FrameCheck, HEADER_LEN};
use crate::lock::io_error;

/// What the next bytes of the file are.
#[derive(Debug)]
pub(crate) enum Next {
    /// A verified frame starting at this offset; its payload is in [`FrameReader::payload`].
    Frame(u64),
    /// The file ends cleanly here.
    End,
    /// The file ends inside the frame starting at this offset.
    Torn(u64),
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
            return Ok(Next::Torn(start));
        }
        let mut header = [0u8; FRAME_HEADER_LEN];
        self.read_exact(&mut header)?;
        let path = self.path.clone();
        let check = format::check_frame_header(&header, remaining, || {
            zero_from(&path, start).unwrap_or(false)
        });
        let payload_len = match check {
            FrameCheck::Frame { payload_len } => payload_len,
            FrameCheck::Torn => return Ok(Next::Torn(start)),
            FrameCheck::Damaged(reason) => return Ok(Next::Damaged(start, reason)),
        };
        // `check_frame_header` bounded `payload_len` by the bytes left in the file.
        let mut payload = std::mem::take(&mut self.payload);
        payload.clear();
        payload.resize(payload_len, 0);
        let read = self.read_exact(&mut payload);
        self.payload = payload;
        read?;
        if !format::check_payload(&header, &self.payload) {
            return Ok(Next::Damaged(start, "record checksum mismatch".into()));
        }
        Ok(Next::Frame(start))
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        self.reader
            .read_exact(buf)
            .map_err(|e| io_error(e, "read", &self.path))?;
        self.offset += buf.len() as u64;
        Ok(())
    }
}

/// True when every byte of `path` from `offset` on is zero: space a filesystem allocated for a
/// write that never landed, which is a torn tail, not damage.
fn zero_from(path: &Path, offset: u64) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = [0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        if buf[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
    }
}
