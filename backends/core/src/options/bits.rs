//! The range argument of `BITCOUNT`.

use serde::{Deserialize, Serialize};

/// Whether a `BITCOUNT` range counts bytes or bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BitUnit {
    /// `BYTE` (the default).
    #[default]
    Byte,
    /// `BIT`.
    Bit,
}

impl BitUnit {
    /// `BYTE` or `BIT`.
    pub fn as_str(self) -> &'static str {
        match self {
            BitUnit::Byte => "BYTE",
            BitUnit::Bit => "BIT",
        }
    }
}

/// `start end [BYTE|BIT]` of `BITCOUNT`: inclusive, negative from the end, clamped to the
/// string as `GETRANGE` clamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitRange {
    /// First byte or bit.
    pub start: i64,
    /// Last byte or bit, inclusive.
    pub end: i64,
    /// Bytes or bits.
    pub unit: BitUnit,
}
