//! The exclusive lock on a data directory.
//!
//! Two writers appending to one log would interleave records and corrupt it, so a directory
//! has one owner at a time. The owner holds an advisory `flock` on `LOCK` (via
//! [`std::fs::File::try_lock`]) and writes its process id into the file, so whoever is refused
//! can be told who holds it. `flock` locks belong to an open file description, not to a
//! process, so a second open *in the same process* is refused too. The lock goes away with
//! the file handle, including when the process is killed: a stale `LOCK` file never blocks a
//! restart.
//!
//! One caveat of `flock`: a child process forked while the lock is held shares the lock's
//! file description until it calls `exec` (the descriptor is close-on-exec). A program that
//! closes a store and at once reopens it from a child, while other threads spawn processes,
//! can therefore see a brief `Locked`.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use staunch_core::{Error, ErrorKind, Result};

/// Name of the lock file inside a data directory.
pub(crate) const LOCK_FILE: &str = "LOCK";

/// A held lock; released when dropped.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock on `dir` or fails with `ErrorKind::Locked` naming the holder.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error(e, "open the lock file", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(locked(dir, &mut file)),
            Err(TryLockError::Error(e)) => return Err(io_error(e, "lock", &path)),
        }
        let pid = std::process::id();
        let written = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(format!("{pid}\n").as_bytes()));
        if let Err(e) = written {
            return Err(io_error(e, "write the holder's pid to", &path));
        }
        Ok(DirLock { _file: file })
    }
}

fn locked(dir: &Path, file: &mut File) -> Error {
    let mut contents = String::new();
    let holder = match file.read_to_string(&mut contents) {
        Ok(_) => contents.trim().parse::<u32>().ok(),
        Err(_) => None,
    };
    let who = match holder {
        Some(pid) if pid == std::process::id() => {
            format!("this process (pid {pid}) already has a FileStore open on it; close that first")
        }
        Some(pid) => format!("it is held by process {pid}"),
        None => "it is held by another process or handle".to_owned(),
    };
    Error::new(
        ErrorKind::Locked,
        format!("data directory {} is locked: {who}", dir.display()),
    )
}

pub(crate) fn io_error(err: std::io::Error, what: &str, path: &Path) -> Error {
    let kind = match err.kind() {
        std::io::ErrorKind::InvalidData => ErrorKind::Corrupt,
        _ => ErrorKind::Io,
    };
    Error::new(kind, format!("cannot {what} {}: {err}", path.display())).with_source(err)
}
