//! Conformance cases for strings: `GET`/`SET` and its options, which writes clear or keep a TTL,
//! `MGET`/`MSET`, counters, `APPEND`/`STRLEN`, `GETDEL`/`GETEX`, and `WRONGTYPE` on every string
//! command against every collection type.
//!
//! The cases live in topical submodules: `GET`/`SET` and its options in `set`, `MGET`/`MSET` in
//! `multi`, the counters in `counters`, `APPEND`/`STRLEN` in `append`, `GETDEL`/`GETEX` in `getex`,
//! `SETNX`/`MSETNX`/`SETRANGE`/`GETRANGE` in `ranges`, `SETBIT`/`GETBIT`/`BITCOUNT` in `bits`, cases ported from
//! Redis's own tcl tests in `ported`;
//! the `WRONGTYPE` cases are here. All are listed here.

use super::keyspace::{assert_kind, populate, snapshot};
use super::{Case, TestStore, cases};
use crate::prelude::*;

mod append;
mod bits;
mod counters;
mod getex;
mod multi;
mod ported;
mod ranges;
mod set;
pub use append::*;
pub use bits::*;
pub use counters::*;
pub use getex::*;
pub use multi::*;
pub use ported::*;
pub use ranges::*;
pub use set::*;

/// Every strings case.
pub fn cases() -> Vec<Case> {
    cases![
        test_setnx_reply,
        test_msetnx,
        test_setrange,
        test_setrange_errors,
        test_getrange,
        test_setbit_getbit,
        test_bit_errors,
        test_bitcount,
        test_get_missing_is_nil,
        test_set_get_roundtrip,
        test_set_binary_value,
        test_set_empty_value,
        test_set_nx,
        test_set_xx,
        test_set_get_returns_old_value,
        test_set_nx_get,
        test_set_clears_ttl,
        test_set_keepttl_keeps_ttl,
        test_set_expiry_options,
        test_set_exat_past_deletes,
        test_set_zero_expiry_invalid,
        test_set_overwrites_other_type,
        test_set_get_on_wrong_type,
        test_set_nx_on_other_type,
        test_mget_missing_and_wrong_type_nil,
        test_mset_sets_all_and_clears_ttl,
        test_incrby_missing_starts_at_zero,
        test_incrby_keeps_ttl,
        test_incrby_not_an_integer,
        test_incrby_overflow,
        test_incrby_strict_integer_syntax,
        test_incrbyfloat_formatting,
        test_incrbyfloat_keeps_ttl,
        test_incrbyfloat_not_a_float,
        test_incrbyfloat_lenient_number_syntax,
        test_incrbyfloat_infinity_and_nan_invalid,
        test_incrbyfloat_decimal_fractions,
        test_incrbyfloat_beyond_f64_range,
        test_incrbyfloat_hexadecimal_values,
        test_incrbyfloat_printf_rounding,
        test_incrbyfloat_error_messages,
        test_set_nx_with_expiry_on_existing_key,
        test_append_and_strlen,
        test_append_binary_keeps_ttl,
        test_getdel,
        test_getex_leaves_sets_and_persists,
        test_getex_invalid_expiry,
        test_string_commands_wrong_type_on_list,
        test_string_commands_wrong_type_on_hash,
        test_string_commands_wrong_type_on_set,
        test_string_commands_wrong_type_on_zset,
        test_counter_with_zero_byte_is_not_a_number,
        test_decrby_negation_overflow,
        test_counters_past_32_bits,
        test_ranges_on_integer_values,
        test_set_and_getex_expiry_overflow,
        test_set_xx_get_on_missing_key,
        test_mset_same_key_twice,
    ]
}

fn b(s: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(s.as_bytes()))
}

/// Every string command but plain `SET`/`MSET`/`MGET` is `WrongType` on `kind` and changes
/// nothing.
async fn string_commands_wrong_type(store: TestStore, kind: KeyType) {
    populate(&store, "k", kind).await;
    store.expire("k", 1000).await.unwrap();
    let before = snapshot(&store, "k").await;
    let name = kind.as_str();
    let commands = vec![
        Command::Get { key: "k".into() },
        Command::Set {
            key: "k".into(),
            value: Bytes::from("v"),
            options: SetOptions::new().get(true),
        },
        Command::IncrBy {
            key: "k".into(),
            delta: 1,
        },
        Command::DecrBy {
            key: "k".into(),
            delta: 1,
        },
        Command::IncrByFloat {
            key: "k".into(),
            delta: 0.5,
        },
        Command::GetDel { key: "k".into() },
        Command::GetEx {
            key: "k".into(),
            expiry: None,
        },
        Command::GetEx {
            key: "k".into(),
            expiry: Some(GetExExpiry::Persist),
        },
        Command::GetEx {
            key: "k".into(),
            expiry: Some(GetExExpiry::Set(SetExpiry::Px(5))),
        },
        Command::Append {
            key: "k".into(),
            value: Bytes::from("x"),
        },
        Command::StrLen { key: "k".into() },
    ];
    for command in commands {
        let label = format!("{} on a {name} is WRONGTYPE", command.name());
        assert_kind(store.execute(command).await, ErrorKind::WrongType, &label);
    }
    assert_eq!(
        snapshot(&store, "k").await,
        before,
        "WRONGTYPE changes nothing on a {name}"
    );
    let ttl = store.ttl("k").await.unwrap();
    assert!(
        (990..=1000).contains(&ttl),
        "WRONGTYPE keeps the {name}'s TTL, got {ttl}"
    );
    assert_eq!(
        store.mget(&["k"]).await.unwrap(),
        vec![None],
        "MGET of a {name} is nil, not WRONGTYPE"
    );
}

/// String commands on a list are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_list(store: TestStore) {
    string_commands_wrong_type(store, KeyType::List).await;
}

/// String commands on a hash are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_hash(store: TestStore) {
    string_commands_wrong_type(store, KeyType::Hash).await;
}

/// String commands on a set are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_set(store: TestStore) {
    string_commands_wrong_type(store, KeyType::Set).await;
}

/// String commands on a sorted set are `WrongType` and change nothing.
pub async fn test_string_commands_wrong_type_on_zset(store: TestStore) {
    string_commands_wrong_type(store, KeyType::ZSet).await;
}
