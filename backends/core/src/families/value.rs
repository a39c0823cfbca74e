//! [`IntoValue`]: anything that can be stored as a value, list element or member.

use bytes::Bytes;

/// Anything that can be stored as a value, list element or member: converted to [`Bytes`]
/// (borrowed input is copied once; owned `Vec`, `String` and `Bytes` are moved).
pub trait IntoValue {
    /// The bytes.
    fn into_value(self) -> Bytes;
}

impl IntoValue for Bytes {
    fn into_value(self) -> Bytes {
        self
    }
}
impl IntoValue for Vec<u8> {
    fn into_value(self) -> Bytes {
        Bytes::from(self)
    }
}
impl IntoValue for String {
    fn into_value(self) -> Bytes {
        Bytes::from(self)
    }
}
impl IntoValue for &Bytes {
    fn into_value(self) -> Bytes {
        self.clone()
    }
}
impl IntoValue for &[u8] {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
impl<const N: usize> IntoValue for &[u8; N] {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}
impl IntoValue for &String {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}
impl IntoValue for &Vec<u8> {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
macro_rules! numeric_value {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Bytes {
                Bytes::from(self.to_string())
            }
        }
    )*};
}
numeric_value!(i32, i64, u32, u64, usize, f64);
