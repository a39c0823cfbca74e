//! Sample arguments for the list that calls every typed method once (see
//! `testkit::typed_calls`): any value of the type will do, the point is that the call is made.

use std::time::Duration;

use bytes::Bytes;

use crate::options::*;

/// A value to call a typed method with.
pub(crate) trait Sample {
    /// The sample.
    fn sample() -> Self;
}

macro_rules! samples {
    ($($type:ty => $value:expr),* $(,)?) => {
        $(impl Sample for $type {
            fn sample() -> Self {
                $value
            }
        })*
    };
}

samples! {
    i64 => 1,
    u64 => 1,
    f64 => 1.0,
    // Short, so a blocking call made on an empty key ends soon.
    Duration => Duration::from_millis(20),
    Bytes => Bytes::from_static(b"v"),
    Expiry => Expiry::Seconds(100),
    SetOptions => SetOptions::new(),
    ScanOptions => ScanOptions::new(),
    ListEnd => ListEnd::Left,
    ScoreBound => ScoreBound::MIN,
    ZRangeBy => ZRangeBy::Rank { start: 0, stop: -1 },
    ZRangeOptions => ZRangeOptions::new(),
    ZAddOptions => ZAddOptions::new(),
    ZMoveOptions => ZMoveOptions::new(),
    QueueStepOptions => QueueStepOptions::new(0, "", 1, 0),
    LPosOptions => LPosOptions::new(),
    InsertPosition => InsertPosition::Before,
    ExpireConditions => ExpireConditions::new(),
    BitUnit => BitUnit::Byte,
    bool => false,
    ZCombineOptions => ZCombineOptions::new(),
    ZPopEnd => ZPopEnd::Min,
    LexBound => LexBound::Min,
}

impl<T> Sample for Option<T> {
    fn sample() -> Self {
        None
    }
}
