//! [`Reply`]: what a command returns, shaped like Redis's RESP3 replies.
//!
//! Every backend answers in this one shape, the shape a Redis 7 server gives over RESP3, so the
//! typed methods of the family traits decode one format and a differential test can compare a
//! backend's replies with real Redis's directly. Which variant each command returns is written in
//! the command's documentation ([`crate::Command`]).
//!
//! Unordered collections (`SMEMBERS`, `HGETALL`, ...) come back as [`Reply::Set`] and
//! [`Reply::Map`]; their order is unspecified, as in Redis. [`Reply::normalized`] sorts them so two
//! replies can be compared.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::name::Name;

/// One reply, as RESP3 would carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// RESP3 null: a missing key, field or element.
    Nil,
    /// A status reply such as `OK` or a type name from `TYPE`.
    Status(String),
    /// An integer.
    Int(i64),
    /// A double (sorted-set scores).
    Double(f64),
    /// A bulk string: binary-safe bytes.
    Bulk(Bytes),
    /// An ordered array.
    Array(Vec<Reply>),
    /// An unordered set of replies.
    Set(Vec<Reply>),
    /// An unordered map of reply pairs.
    Map(Vec<(Reply, Reply)>),
}

impl Reply {
    /// The `OK` status.
    pub fn ok() -> Reply {
        Reply::Status("OK".to_owned())
    }

    /// A bulk reply from anything byte-like.
    pub fn bulk(bytes: impl Into<Bytes>) -> Reply {
        Reply::Bulk(bytes.into())
    }

    /// A copy in which every [`Reply::Set`] and [`Reply::Map`] is sorted, recursively, so that
    /// replies whose order Redis leaves unspecified compare equal.
    pub fn normalized(&self) -> Reply {
        match self {
            Reply::Array(items) => Reply::Array(items.iter().map(Reply::normalized).collect()),
            Reply::Set(items) => {
                let mut items: Vec<Reply> = items.iter().map(Reply::normalized).collect();
                items.sort_by_key(Reply::sort_key);
                Reply::Set(items)
            }
            Reply::Map(pairs) => {
                let mut pairs: Vec<(Reply, Reply)> = pairs
                    .iter()
                    .map(|(k, v)| (k.normalized(), v.normalized()))
                    .collect();
                pairs.sort_by_key(|pair| pair.0.sort_key());
                Reply::Map(pairs)
            }
            other => other.clone(),
        }
    }

    fn sort_key(&self) -> String {
        format!("{self:?}")
    }

    /// True for [`Reply::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Reply::Nil)
    }

    /// Decodes an integer reply.
    #[inline]
    pub fn into_int(self) -> Result<i64> {
        match self {
            Reply::Int(n) => Ok(n),
            other => Err(Error::unexpected_reply("an integer", &other)),
        }
    }

    /// Decodes an integer reply used as a boolean (`1` is true).
    #[inline]
    pub fn into_bool(self) -> Result<bool> {
        self.into_int().map(|n| n != 0)
    }

    /// Decodes a double reply; a bulk string holding a number is accepted too.
    #[inline]
    pub fn into_double(self) -> Result<f64> {
        match self {
            Reply::Double(d) => Ok(d),
            Reply::Bulk(b) => parse_double(&b),
            Reply::Int(n) => Ok(n as f64),
            other => Err(Error::unexpected_reply("a double", &other)),
        }
    }

    /// Decodes a double or nil.
    #[inline]
    pub fn into_opt_double(self) -> Result<Option<f64>> {
        match self {
            Reply::Nil => Ok(None),
            other => other.into_double().map(Some),
        }
    }

    /// Decodes a bulk string or nil.
    #[inline]
    pub fn into_opt_bytes(self) -> Result<Option<Bytes>> {
        match self {
            Reply::Nil => Ok(None),
            Reply::Bulk(b) => Ok(Some(b)),
            other => Err(Error::unexpected_reply("a bulk string or nil", &other)),
        }
    }

    /// Decodes a bulk string.
    #[inline]
    pub fn into_bytes(self) -> Result<Bytes> {
        match self {
            Reply::Bulk(b) => Ok(b),
            other => Err(Error::unexpected_reply("a bulk string", &other)),
        }
    }

    /// Decodes a bulk or status reply as UTF-8 text.
    pub fn into_string(self) -> Result<String> {
        match self {
            Reply::Status(s) => Ok(s),
            Reply::Bulk(b) => String::from_utf8(b.to_vec()).map_err(|e| {
                Error::new(crate::ErrorKind::Protocol, "reply is not UTF-8").with_source(e)
            }),
            other => Err(Error::unexpected_reply("a string", &other)),
        }
    }

    /// Decodes a key or field name: any bytes, no UTF-8 check.
    pub fn into_name(self) -> Result<Name> {
        match self {
            Reply::Bulk(b) => Ok(Name::from(b)),
            Reply::Status(s) => Ok(Name::from(s)),
            other => Err(Error::unexpected_reply("a name", &other)),
        }
    }

    /// Decodes an `OK` status (or any status) as success.
    #[inline]
    pub fn into_ok(self) -> Result<()> {
        match self {
            Reply::Status(_) => Ok(()),
            other => Err(Error::unexpected_reply("OK", &other)),
        }
    }

    /// Decodes an array, set or nil (as empty) into its items.
    pub fn into_items(self) -> Result<Vec<Reply>> {
        match self {
            Reply::Array(items) | Reply::Set(items) => Ok(items),
            Reply::Nil => Ok(Vec::new()),
            other => Err(Error::unexpected_reply("an array", &other)),
        }
    }

    /// Decodes an array of bulk strings.
    pub fn into_bytes_vec(self) -> Result<Vec<Bytes>> {
        self.into_items()?
            .into_iter()
            .map(Reply::into_bytes)
            .collect()
    }

    /// Decodes an array of bulk strings or nils.
    pub fn into_opt_bytes_vec(self) -> Result<Vec<Option<Bytes>>> {
        self.into_items()?
            .into_iter()
            .map(Reply::into_opt_bytes)
            .collect()
    }

    /// Decodes an array of UTF-8 strings.
    pub fn into_string_vec(self) -> Result<Vec<String>> {
        self.into_items()?
            .into_iter()
            .map(Reply::into_string)
            .collect()
    }

    /// Decodes a map (or a flat array of alternating keys and values, as RESP2 sends).
    pub fn into_pairs(self) -> Result<Vec<(Reply, Reply)>> {
        match self {
            Reply::Map(pairs) => Ok(pairs),
            Reply::Array(items) if items.len() % 2 == 0 => {
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Ok(pairs)
            }
            other => Err(Error::unexpected_reply("a map", &other)),
        }
    }

    /// Decodes scored members: an array of `[member, score]` pairs.
    pub fn into_scored(self) -> Result<Vec<(Bytes, f64)>> {
        self.into_items()?
            .into_iter()
            .map(|pair| {
                let mut it = pair.into_items()?.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(m), Some(s), None) => Ok((m.into_bytes()?, s.into_double()?)),
                    _ => Err(Error::new(
                        crate::ErrorKind::Protocol,
                        "expected a [member, score] pair",
                    )),
                }
            })
            .collect()
    }
}

/// Parses a number the way Redis reads a float argument (`inf`, `-inf`, `+inf` included).
pub fn parse_double(bytes: &[u8]) -> Result<f64> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::invalid("value is not a valid float"))?;
    let value = match text {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        _ => text
            .parse::<f64>()
            .map_err(|_| Error::invalid("value is not a valid float"))?,
    };
    if value.is_nan() {
        return Err(Error::invalid("value is not a valid float"));
    }
    Ok(value)
}

/// A score as Redis prints it where it sends scores as text (`ZSCAN`) from a large sorted set
/// (`ld2string` in its automatic mode): `printf("%.17g")`, `inf`/`-inf`.
pub fn score_text(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // 17 significant digits, correctly rounded; the exponent is the rounded value's.
    let sci = format!("{x:.16e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..17).contains(&exponent) {
        let decimals = usize::try_from(16 - exponent).unwrap_or(0);
        let fixed = format!("{x:.decimals$}");
        return trim_fraction(&fixed).to_owned();
    }
    let mantissa = trim_fraction(mantissa);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// A score as Redis prints it from a small sorted set (its compact encoding keeps a score
/// that is an integer within ±2^62 as that integer, others as [`score_text`]).
pub fn compact_score_text(x: f64) -> String {
    const HALF: f64 = (i64::MAX / 2) as f64;
    if (-HALF..=HALF).contains(&x) && x.fract() == 0.0 {
        return (x as i64).to_string();
    }
    score_text(x)
}

/// `%g`'s removal of trailing zeros after the point (and then of the point).
fn trim_fraction(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod score_text_tests {
    use super::score_text;

    #[test]
    fn scores_print_as_redis_percent_17g() {
        assert_eq!(score_text(3.0), "3");
        assert_eq!(score_text(-2.5), "-2.5");
        assert_eq!(score_text(0.1), "0.10000000000000001");
        assert_eq!(score_text(1e17), "1e+17");
        assert_eq!(score_text(1.5e-5), "1.5e-05");
        assert_eq!(super::compact_score_text(1e17), "100000000000000000");
        assert_eq!(super::compact_score_text(-0.0), "0");
        assert_eq!(score_text(123456789012345680.0), "1.2345678901234568e+17");
        assert_eq!(score_text(f64::INFINITY), "inf");
        assert_eq!(score_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(score_text(0.0001), "0.0001");
    }
}
