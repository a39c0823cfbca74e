//! Conformance cases for `HINCRBYFLOAT` computed as Redis computes it: in x87 `long double`,
//! printed with 17 decimals and trimmed, with Redis's error for each way it can fail and in
//! Redis's order. Expected texts are Redis's own answers on x86-64.

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::super::strings::TWO_E308;
use super::{b, bulk};
use crate::prelude::*;

/// `HINCRBYFLOAT` through `execute`, so the exact reply bytes are compared.
async fn hincrbyfloat(
    store: &TestStore,
    key: &str,
    field: &str,
    delta: f64,
) -> crate::Result<Reply> {
    store
        .execute(Command::HIncrByFloat {
            key: key.into(),
            field: field.into(),
            delta,
        })
        .await
}

/// Asserts that `HINCRBYFLOAT h field delta` replies `want` and stores exactly that text.
async fn assert_hincr_float(store: &TestStore, field: &str, delta: f64, want: &str) {
    assert_eq!(
        hincrbyfloat(store, "h", field, delta).await.unwrap(),
        bulk(want),
        "HINCRBYFLOAT h {field} {delta:?} replies {want:?}"
    );
    assert_eq!(
        store.hget("h", field).await.unwrap(),
        b(want),
        "HINCRBYFLOAT h {field} {delta:?} stores the text it replied"
    );
}

/// `HINCRBYFLOAT` adds in `long double`: `0.1 + 0.2` is `0.3`, a hexadecimal field is read
/// (`0x10` plus 1 is `17`), `1e308 + 1e308` is a 309-digit number, and the 17th decimal is
/// rounded half to even.
pub async fn test_hincrbyfloat_long_double_results(store: TestStore) {
    assert_hincr_float(&store, "f", 0.1, "0.1").await;
    assert_hincr_float(&store, "f", 0.2, "0.3").await;
    for (field, text, delta, want) in [
        ("x", "0x10", 1.0, "17"),
        ("big", "1e308", 1e308, TWO_E308),
        ("tie", "0.000003814697265625", 0.0, "0.00000381469726562"),
        ("neg", "-1e-18", 0.0, "0"),
        ("dec", "1.1", 2.2, "3.3"),
    ] {
        store.hset("h", field, text).await.unwrap();
        assert_hincr_float(&store, field, delta, want).await;
    }
}

/// Each `HINCRBYFLOAT` error says what Redis says, checked in Redis's order: the increment
/// first ("not a valid float" for NaN, "value is NaN or Infinity" for an infinity, even on a
/// key of another type, and creating nothing), then the key's type, then the field ("hash
/// value is not a float"), then the result ("would produce NaN or Infinity").
pub async fn test_hincrbyfloat_error_messages(store: TestStore) {
    assert_error(
        hincrbyfloat(&store, "h", "f", f64::NAN).await,
        ErrorKind::InvalidInput,
        "not a valid float",
        "HINCRBYFLOAT by NaN",
    );
    for delta in [f64::INFINITY, f64::NEG_INFINITY] {
        assert_error(
            hincrbyfloat(&store, "h", "f", delta).await,
            ErrorKind::InvalidInput,
            "value is NaN or Infinity",
            &format!("HINCRBYFLOAT by {delta}"),
        );
    }
    assert_eq!(
        store.exists_multiple(&["h"]).await.unwrap(),
        0,
        "a refused HINCRBYFLOAT creates nothing"
    );
    store.set("s", "x").await.unwrap();
    assert_error(
        hincrbyfloat(&store, "s", "f", f64::NAN).await,
        ErrorKind::InvalidInput,
        "not a valid float",
        "a NaN increment is refused before the key's type is checked",
    );
    assert_error(
        hincrbyfloat(&store, "s", "f", f64::INFINITY).await,
        ErrorKind::InvalidInput,
        "value is NaN or Infinity",
        "an infinite increment is refused before the key's type is checked",
    );
    assert_kind(
        hincrbyfloat(&store, "s", "f", 1.0).await,
        ErrorKind::WrongType,
        "HINCRBYFLOAT on a string",
    );
    store.hset("h", "i", "inf").await.unwrap();
    assert_error(
        hincrbyfloat(&store, "h", "i", 1.0).await,
        ErrorKind::InvalidInput,
        "increment would produce NaN or Infinity",
        "HINCRBYFLOAT of a field holding inf",
    );
    assert_eq!(store.hget("h", "i").await.unwrap(), b("inf"), "inf is kept");
    for text in ["abc", "0x", "nan", "1e-4951", "1.2e4932"] {
        store.hset("h", "v", text).await.unwrap();
        assert_error(
            hincrbyfloat(&store, "h", "v", 1.0).await,
            ErrorKind::InvalidInput,
            "hash value is not a float",
            &format!("HINCRBYFLOAT of a field holding {text:?}"),
        );
        assert_eq!(
            store.hget("h", "v").await.unwrap(),
            b(text),
            "{text:?} is kept"
        );
    }
}
