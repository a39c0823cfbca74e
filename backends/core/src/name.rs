//! [`Name`]: a binary-safe key or hash field name.
//!
//! Redis names are bytes, not text, so a key such as `b"k\xff\x00"` is as valid as `"user:1"`.
//! `Name` holds the bytes in a [`Bytes`], so a `String` or `Vec<u8>` becomes a `Name` without a
//! copy and cloning one is a reference count. It compares, hashes and orders as its bytes, and
//! borrows as `[u8]`, so a map keyed by `Name` is searched with a `&[u8]` (or `"text".as_bytes()`).
//!
//! ```
//! use std::collections::HashMap;
//! use staunch_core::{Bytes, Name};
//!
//! let text = Name::from("user:1");
//! let binary = Name::from(&b"k\xff\x00"[..]);
//! assert_eq!(text, "user:1");
//! assert_eq!(binary.as_str(), None, "not UTF-8");
//! // A map from HGETALL is keyed by `Name`; look fields up by their bytes.
//! let hash: HashMap<Name, Bytes> = HashMap::from([(text.clone(), Bytes::from("v"))]);
//! assert_eq!(hash.get(&b"user:1"[..]), Some(&Bytes::from("v")));
//! ```
//!
//! Typed methods take names as `&(impl AsRef<[u8]> + ?Sized)`: `"k"`, `&String`, `&[u8]`,
//! `&Vec<u8>`, `&Bytes` and `&Name` all work, and the borrowed command forms use the bytes
//! without copying them.
//!
//! On the wire (the file store's log, `Failover`'s journal) a name is written as bytes. bincode
//! writes a `String` and a byte string the same way (length, then bytes), and `Name` reads either
//! a string or bytes, so logs written when names were `String` read back unchanged.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// A binary-safe name: a key, a hash field. See the module docs.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Bytes);

impl Name {
    /// A name from a static string, without allocating.
    pub const fn from_static(name: &'static str) -> Name {
        Name(Bytes::from_static(name.as_bytes()))
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The name as text, when it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The name as text, with invalid UTF-8 sequences replaced by `U+FFFD`.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The name as [`Bytes`] (a reference count, no copy).
    pub fn to_bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// The name as [`Bytes`].
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The name as a `String`, or the name back when it is not valid UTF-8.
    pub fn into_string(self) -> Result<String, Name> {
        match String::from_utf8(self.0.to_vec()) {
            Ok(text) => Ok(text),
            Err(_) => Err(self),
        }
    }
}

impl Deref for Name {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Name {
        Name(Bytes::copy_from_slice(name.as_bytes()))
    }
}

impl From<&String> for Name {
    fn from(name: &String) -> Name {
        Name::from(name.as_str())
    }
}

impl From<String> for Name {
    fn from(name: String) -> Name {
        Name(Bytes::from(name))
    }
}

impl From<&[u8]> for Name {
    fn from(name: &[u8]) -> Name {
        Name(Bytes::copy_from_slice(name))
    }
}

impl<const N: usize> From<&[u8; N]> for Name {
    fn from(name: &[u8; N]) -> Name {
        Name(Bytes::copy_from_slice(name))
    }
}

impl From<Vec<u8>> for Name {
    fn from(name: Vec<u8>) -> Name {
        Name(Bytes::from(name))
    }
}

impl From<Bytes> for Name {
    fn from(name: Bytes) -> Name {
        Name(name)
    }
}

impl From<&Bytes> for Name {
    fn from(name: &Bytes) -> Name {
        Name(name.clone())
    }
}

impl From<&Name> for Name {
    fn from(name: &Name) -> Name {
        name.clone()
    }
}

impl From<Name> for Bytes {
    fn from(name: Name) -> Bytes {
        name.0
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<[u8]> for Name {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Text names print as the strings they are; others as an escaped byte string.
        match self.as_str() {
            Some(text) => fmt::Debug::fmt(text, f),
            None => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Human-readable formats (JSON) keep text names as strings so they stay readable.
        if serializer.is_human_readable()
            && let Some(text) = self.as_str()
        {
            return serializer.serialize_str(text);
        }
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        struct NameVisitor;

        impl<'de> serde::de::Visitor<'de> for NameVisitor {
            type Value = Name;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name as a string or bytes")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                Ok(Name::from(v))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Name, E> {
                Ok(Name::from(v))
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Name, E> {
                Ok(Name::from(v))
            }

            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Name, E> {
                Ok(Name::from(v))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Name, A::Error> {
                // JSON writes bytes as an array of numbers.
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(Name::from(bytes))
            }
        }

        // bincode cannot tell a string from bytes; asking for bytes reads both encodings.
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(NameVisitor)
        } else {
            deserializer.deserialize_byte_buf(NameVisitor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_and_prints_like_its_bytes() {
        let text = Name::from("user:1");
        assert_eq!(text, "user:1");
        assert_eq!(text.as_str(), Some("user:1"));
        assert_eq!(format!("{text:?}"), "\"user:1\"");
        let binary = Name::from(&b"k\xff\x00"[..]);
        assert_eq!(binary.as_str(), None);
        assert_eq!(format!("{binary:?}"), "b\"k\\xff\\x00\"");
        assert_eq!(binary.to_string(), "k\u{fffd}\u{0}");
        let (a, b) = (Name::from("a"), Name::from(&b"b\xff"[..]));
        assert!(a < b, "names order as their bytes");
    }

    #[test]
    fn a_map_keyed_by_names_is_searched_by_bytes() {
        let mut map = std::collections::HashMap::new();
        map.insert(Name::from("k"), 1);
        assert_eq!(map.get(&b"k"[..]), Some(&1));
    }
}
