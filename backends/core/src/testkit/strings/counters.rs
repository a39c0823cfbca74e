//! Conformance cases for the counters: `INCRBY` and `INCRBYFLOAT`, their syntax, overflow,
//! formatting and TTL rules.
//!
//! `INCRBYFLOAT` is judged byte for byte: Redis computes it in x87 `long double` (80-bit) and
//! prints 17 decimals, so the expected texts below are Redis's own answers on x86-64.

use std::time::Duration;

use super::super::TestStore;
use super::super::keyspace::{assert_error, assert_kind};
use super::b;
use crate::prelude::*;

/// `INCRBY` on a missing key starts at 0; `DECRBY` subtracts.
pub async fn test_incrby_missing_starts_at_zero(store: TestStore) {
    assert_eq!(
        store.incrby("n", 5).await.unwrap(),
        5,
        "INCRBY of missing starts at 0"
    );
    assert_eq!(store.decrby("n", 3).await.unwrap(), 2, "DECRBY subtracts");
    assert_eq!(store.incr("n").await.unwrap(), 3, "INCR adds 1");
    assert_eq!(
        store.incrby("n", -10).await.unwrap(),
        -7,
        "a negative INCRBY subtracts"
    );
    assert_eq!(
        store.decrby("n", -7).await.unwrap(),
        0,
        "a negative DECRBY adds"
    );
    assert_eq!(
        store.decrby("m", 4).await.unwrap(),
        -4,
        "DECRBY of missing starts at 0"
    );
    assert_eq!(
        store.get("n").await.unwrap(),
        b("0"),
        "the counter is stored as text"
    );
    store.set("s", "41").await.unwrap();
    assert_eq!(
        store.incr("s").await.unwrap(),
        42,
        "INCR parses a numeric string"
    );
}

/// `INCRBY`/`DECRBY` keep the TTL.
pub async fn test_incrby_keeps_ttl(store: TestStore) {
    store
        .setex("n", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incrby("n", 2).await.unwrap();
    store.decrby("n", 1).await.unwrap();
    let pttl = store.pttl("n").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "INCRBY keeps the TTL, got {pttl}"
    );
    assert_eq!(store.get("n").await.unwrap(), b("2"), "the counter moved");
}

/// `INCRBY` on a value that is not an integer is `InvalidInput` and changes nothing.
pub async fn test_incrby_not_an_integer(store: TestStore) {
    for (i, text) in ["abc", "1.5", " 1", "1 ", "", "99999999999999999999"]
        .into_iter()
        .enumerate()
    {
        let key = format!("k{i}");
        store.set(&key, text).await.unwrap();
        assert_kind(
            store.incrby(&key, 1).await,
            ErrorKind::InvalidInput,
            &format!("INCRBY of {text:?} is not an integer"),
        );
        assert_kind(
            store.decrby(&key, 1).await,
            ErrorKind::InvalidInput,
            &format!("DECRBY of {text:?} is not an integer"),
        );
        assert_eq!(
            store.get(&key).await.unwrap(),
            b(text),
            "a failed INCRBY keeps {text:?}"
        );
    }
}

/// Integer overflow is `InvalidInput` and changes nothing.
pub async fn test_incrby_overflow(store: TestStore) {
    store.set("max", i64::MAX).await.unwrap();
    assert_kind(
        store.incrby("max", 1).await,
        ErrorKind::InvalidInput,
        "INCRBY past i64::MAX overflows",
    );
    assert_eq!(
        store.get("max").await.unwrap(),
        b(&i64::MAX.to_string()),
        "an overflowing INCRBY keeps the value"
    );
    store.set("min", i64::MIN).await.unwrap();
    assert_kind(
        store.decrby("min", 1).await,
        ErrorKind::InvalidInput,
        "DECRBY past i64::MIN overflows",
    );
    store.set("five", "5").await.unwrap();
    assert_kind(
        store.decrby("five", i64::MIN).await,
        ErrorKind::InvalidInput,
        "DECRBY by i64::MIN cannot be negated",
    );
    assert_eq!(
        store.get("five").await.unwrap(),
        b("5"),
        "DECRBY i64::MIN keeps the value"
    );
    assert_eq!(
        store.incrby("max", -1).await.unwrap(),
        i64::MAX - 1,
        "INCRBY below the limit still works"
    );
}

/// `INCRBYFLOAT` formats results as Redis does: no trailing zeros, integers without a point.
pub async fn test_incrbyfloat_formatting(store: TestStore) {
    store.set("f", "10").await.unwrap();
    let reply = store
        .execute(Command::IncrByFloat {
            key: "f".into(),
            delta: 0.5,
        })
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Bulk(Bytes::from("10.5")),
        "10 + 0.5 replies bulk \"10.5\""
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("10.5"),
        "stored as \"10.5\""
    );
    assert_eq!(
        store.incrbyfloat("f", -7.5).await.unwrap(),
        3.0,
        "10.5 - 7.5 = 3"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("3"),
        "an integral result has no point"
    );
    assert_eq!(
        store.incrbyfloat("f", 1.25).await.unwrap(),
        4.25,
        "3 + 1.25 = 4.25"
    );
    assert_eq!(
        store.get("f").await.unwrap(),
        b("4.25"),
        "stored as \"4.25\""
    );
    assert_eq!(
        store.incrbyfloat("new", 1.5).await.unwrap(),
        1.5,
        "missing starts at 0"
    );
    assert_eq!(
        store.get("new").await.unwrap(),
        b("1.5"),
        "stored as \"1.5\""
    );
    store.set("int", "5").await.unwrap();
    assert_eq!(
        store.incrbyfloat("int", -0.25).await.unwrap(),
        4.75,
        "INCRBYFLOAT works on an integer string"
    );
    store.set("neg", "-2.5").await.unwrap();
    store.incrbyfloat("neg", 0.5).await.unwrap();
    assert_eq!(
        store.get("neg").await.unwrap(),
        b("-2"),
        "-2.5 + 0.5 is stored as \"-2\""
    );
    store.set("e", "1e2").await.unwrap();
    store.incrbyfloat("e", 1.0).await.unwrap();
    assert_eq!(
        store.get("e").await.unwrap(),
        b("101"),
        "exponent notation is read"
    );
    assert_eq!(
        store.incr("int").await.ok(),
        None,
        "\"4.75\" is no longer an integer"
    );
}

/// `INCRBYFLOAT` keeps the TTL.
pub async fn test_incrbyfloat_keeps_ttl(store: TestStore) {
    store
        .setex("f", "1", Duration::from_secs(100))
        .await
        .unwrap();
    store.incrbyfloat("f", 0.5).await.unwrap();
    let pttl = store.pttl("f").await.unwrap();
    assert!(
        (90_000..=100_000).contains(&pttl),
        "INCRBYFLOAT keeps the TTL, got {pttl}"
    );
}

/// `INCRBYFLOAT` on a value that is not a number is `InvalidInput`.
pub async fn test_incrbyfloat_not_a_float(store: TestStore) {
    store.set("s", "abc").await.unwrap();
    assert_kind(
        store.incrbyfloat("s", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of \"abc\"",
    );
    assert_eq!(
        store.get("s").await.unwrap(),
        b("abc"),
        "a failed INCRBYFLOAT keeps it"
    );
}

/// `INCRBY` accepts only canonical integers: no sign `+`, no leading zeros, no `-0`, no spaces.
pub async fn test_incrby_strict_integer_syntax(store: TestStore) {
    for text in ["007", "+1", "-0", "0x10", " 5", "1e3"] {
        store.set("n", text).await.unwrap();
        assert_kind(
            store.incrby("n", 1).await,
            ErrorKind::InvalidInput,
            &format!("INCRBY of {text:?} (not a canonical integer)"),
        );
        assert_eq!(store.get("n").await.unwrap(), b(text), "{text:?} is kept");
    }
    for (text, want) in [("0", 1), ("-5", -4), ("9", 10)] {
        store.set("n", text).await.unwrap();
        assert_eq!(store.incr("n").await.unwrap(), want, "INCR of {text:?}");
    }
}

/// `INCRBYFLOAT` reads any decimal float: leading zeros, `.5`, `5.`, exponents.
pub async fn test_incrbyfloat_lenient_number_syntax(store: TestStore) {
    for (text, want) in [("007", "8"), (".5", "1.5"), ("5.", "6"), ("2.5e1", "26")] {
        store.set("f", text).await.unwrap();
        store.incrbyfloat("f", 1.0).await.unwrap();
        assert_eq!(
            store.get("f").await.unwrap(),
            b(want),
            "INCRBYFLOAT 1 of {text:?}"
        );
    }
    for text in [" 5", "5 ", "1.5.5", ""] {
        store.set("f", text).await.unwrap();
        assert_kind(
            store.incrbyfloat("f", 1.0).await,
            ErrorKind::InvalidInput,
            &format!("INCRBYFLOAT of {text:?}"),
        );
    }
}

/// An infinite or NaN increment or result is `InvalidInput` and changes nothing.
pub async fn test_incrbyfloat_infinity_and_nan_invalid(store: TestStore) {
    store.set("f", "1").await.unwrap();
    for delta in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        assert_kind(
            store.incrbyfloat("f", delta).await,
            ErrorKind::InvalidInput,
            &format!("INCRBYFLOAT by {delta}"),
        );
    }
    assert_eq!(
        store.get("f").await.unwrap(),
        b("1"),
        "an invalid INCRBYFLOAT keeps 1"
    );
    store.set("inf", "inf").await.unwrap();
    assert_kind(
        store.incrbyfloat("inf", 1.0).await,
        ErrorKind::InvalidInput,
        "INCRBYFLOAT of a stored \"inf\" would produce Infinity",
    );
    assert_eq!(store.get("inf").await.unwrap(), b("inf"), "\"inf\" is kept");
}

/// Redis's text for `1e308 + 1e308` (`INCRBYFLOAT` of `1e308` on `"1e308"`): 309 digits, the
/// exact value of the nearest `long double` to the sum.
pub(crate) const TWO_E308: &str = "199999999999999999993371759311691291321120199694831134415594\
    09598984346973767612374420025384377707864089349445010802644630426949918792116719484162886\
    03928375359182000392063815573262192090142133358783067915778778291210871261225367298032372\
    60434173178506889763247582601711514636284849020905456510092687857156096";

/// `INCRBYFLOAT` through `execute`, so the exact reply bytes are compared.
async fn incrbyfloat(store: &TestStore, key: &str, delta: f64) -> crate::Result<Reply> {
    store
        .execute(Command::IncrByFloat {
            key: key.into(),
            delta,
        })
        .await
}

/// Asserts that `INCRBYFLOAT key delta` replies `want` and stores exactly that text.
async fn assert_incr_float(store: &TestStore, key: &str, delta: f64, want: &str) {
    assert_eq!(
        incrbyfloat(store, key, delta).await.unwrap(),
        Reply::Bulk(Bytes::copy_from_slice(want.as_bytes())),
        "INCRBYFLOAT {key} {delta:?} replies {want:?}"
    );
    assert_eq!(
        store.get(key).await.unwrap(),
        b(want),
        "INCRBYFLOAT {key} {delta:?} stores the text it replied"
    );
}

/// Decimal fractions add as in Redis's `long double`: `0.1 + 0.2` is `0.3` (not `f64`'s
/// `0.30000000000000004`), and ten steps of `0.1` reach exactly `1`.
pub async fn test_incrbyfloat_decimal_fractions(store: TestStore) {
    assert_incr_float(&store, "f", 0.1, "0.1").await;
    assert_incr_float(&store, "f", 0.2, "0.3").await;
    let steps = [
        "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1",
    ];
    for want in steps {
        assert_incr_float(&store, "tenths", 0.1, want).await;
    }
    store.set("g", "1.1").await.unwrap();
    assert_incr_float(&store, "g", 2.2, "3.3").await;
    store.set("g", "3").await.unwrap();
    assert_incr_float(&store, "g", -2.9, "0.1").await;
    store.set("g", "0.3").await.unwrap();
    assert_incr_float(&store, "g", 0.30000000000000004, "0.60000000000000004").await;
    store.set("g", "1.5").await.unwrap();
    assert_incr_float(&store, "g", -1.5, "0").await;
    assert_incr_float(&store, "g", 1e-7, "0.0000001").await;
    assert_incr_float(&store, "g", 0.30000000000000004, "0.30000010000000004").await;
}

/// Results beyond `f64`'s range are ordinary numbers, printed in full: `1e308 + 1e308` has 309
/// digits; a value too large for `long double` is not a valid float and is kept.
pub async fn test_incrbyfloat_beyond_f64_range(store: TestStore) {
    store.set("big", "1e308").await.unwrap();
    assert_incr_float(&store, "big", 1e308, TWO_E308).await;
    assert_incr_float(
        &store,
        "max",
        f64::MAX,
        "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701\
         868608387085564428793419425520689308708363451136055357897278026477617073498977686288394\
         835618163294045594434929537447290627480669417384648879122776218333598953852832103282504\
         751611691208117720159985926376802466863339536384",
    )
    .await;
    assert_incr_float(
        &store,
        "max",
        f64::MAX,
        "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403\
         737216774171128857586838851041378617416726902272110715794556052955234146997955372576789\
         671236326588091188869859074894581254961338834769297758245552436667197907705664206565009\
         503223382416235440319971852753604933726679072768",
    )
    .await;
    store.set("huge", "1e4000").await.unwrap();
    let reply = incrbyfloat(&store, "huge", 1.0).await.unwrap();
    let text = reply.clone().into_bytes().unwrap_or_default();
    assert_eq!(
        text.len(),
        4000,
        "1e4000 + 1 is printed with all 4000 digits"
    );
    assert!(
        text.starts_with(b"999999999999999999996546387309962378493249258350695763130150"),
        "1e4000 + 1 is the nearest long double to 1e4000, got {reply:?}"
    );
    store.set("over", "1.2e4932").await.unwrap();
    assert_error(
        incrbyfloat(&store, "over", 1.0).await,
        ErrorKind::InvalidInput,
        "not a valid float",
        "1.2e4932 overflows long double",
    );
    assert_eq!(store.get("over").await.unwrap(), b("1.2e4932"), "kept");
}

/// Hexadecimal values are read as `strtold` reads them: `0x10` plus 1 is `17`; `0x` alone or an
/// exponent marker without digits is not a number.
pub async fn test_incrbyfloat_hexadecimal_values(store: TestStore) {
    for (text, delta, want) in [
        ("0x10", 1.0, "17"),
        ("0x1p-2", 1.0, "1.25"),
        ("-0x.8", 0.25, "-0.25"),
        ("0X1P3", 0.0, "8"),
        ("0x1e3", 0.0, "483"),
    ] {
        store.set("h", text).await.unwrap();
        assert_incr_float(&store, "h", delta, want).await;
    }
    for text in ["0x", "0x1p", "0xg", "0x1.8p+"] {
        store.set("h", text).await.unwrap();
        assert_error(
            incrbyfloat(&store, "h", 1.0).await,
            ErrorKind::InvalidInput,
            "not a valid float",
            &format!("INCRBYFLOAT of {text:?}"),
        );
        assert_eq!(store.get("h").await.unwrap(), b(text), "{text:?} is kept");
    }
}

/// Results are printed with `%.17Lf` (the exact value rounded half to even at the 17th decimal)
/// and trimmed; what prints as `-0` is stored as `0`; tiny values far below `f64`'s range are
/// read, but one that rounds to zero is not a valid float.
pub async fn test_incrbyfloat_printf_rounding(store: TestStore) {
    for (text, want) in [
        ("0.000003814697265625", "0.00000381469726562"),
        ("0.000003814697265635", "0.00000381469726563"),
        ("1234567.123", "1234567.12300000000004729"),
        ("123456789.987654321", "123456789.98765432099753525"),
        ("-1e-18", "0"),
        ("4e-4951", "0"),
    ] {
        store.set("p", text).await.unwrap();
        assert_incr_float(&store, "p", 0.0, want).await;
    }
    store.set("p", "1e-17").await.unwrap();
    assert_incr_float(&store, "p", 5e-18, "0.00000000000000002").await;
    assert_incr_float(&store, "p", -1.5e-17, "0").await;
    store.set("p", "1e-4951").await.unwrap();
    assert_error(
        incrbyfloat(&store, "p", 1.0).await,
        ErrorKind::InvalidInput,
        "not a valid float",
        "1e-4951 underflows to zero",
    );
}

/// Each `INCRBYFLOAT` error says what Redis says: a NaN increment or a non-numeric value is
/// "not a valid float"; an infinite increment or a stored `inf` "would produce NaN or
/// Infinity". None of them changes the value.
pub async fn test_incrbyfloat_error_messages(store: TestStore) {
    store.set("f", "1.5").await.unwrap();
    assert_error(
        incrbyfloat(&store, "f", f64::NAN).await,
        ErrorKind::InvalidInput,
        "not a valid float",
        "INCRBYFLOAT by NaN",
    );
    for delta in [f64::INFINITY, f64::NEG_INFINITY] {
        assert_error(
            incrbyfloat(&store, "f", delta).await,
            ErrorKind::InvalidInput,
            "increment would produce NaN or Infinity",
            &format!("INCRBYFLOAT by {delta}"),
        );
    }
    assert_eq!(store.get("f").await.unwrap(), b("1.5"), "1.5 is kept");
    for text in ["inf", "-Infinity"] {
        store.set("i", text).await.unwrap();
        assert_error(
            incrbyfloat(&store, "i", 1.0).await,
            ErrorKind::InvalidInput,
            "increment would produce NaN or Infinity",
            &format!("INCRBYFLOAT of {text:?}"),
        );
    }
    for text in ["nan", "abc", "1e", "", " 1"] {
        store.set("n", text).await.unwrap();
        assert_error(
            incrbyfloat(&store, "n", 1.0).await,
            ErrorKind::InvalidInput,
            "not a valid float",
            &format!("INCRBYFLOAT of {text:?}"),
        );
    }
    assert_error(
        incrbyfloat(&store, "missing", f64::INFINITY).await,
        ErrorKind::InvalidInput,
        "increment would produce NaN or Infinity",
        "INCRBYFLOAT of a missing key by inf",
    );
    assert_eq!(
        store.exists_multiple(&["missing"]).await.unwrap(),
        0,
        "a failed INCRBYFLOAT creates nothing"
    );
}
