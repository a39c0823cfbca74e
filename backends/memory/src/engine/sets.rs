//! sets commands (to be written).

use staunch_core::{Command, Reply, Result};

use super::db::Db;
use super::{WriteCtx, unsupported};

pub(crate) fn read(_db: &Db, _now: i64, command: &Command) -> Result<Reply> {
    Err(unsupported(command))
}

pub(crate) fn write(_db: &mut Db, _ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    Err(unsupported(command))
}
