//! Reading text as Redis's `string2ld` does: glibc's `strtold` on the whole text, then
//! Redis's checks on what it returned.
//!
//! `strtold` reads the longest prefix that is a number; Redis then insists that the prefix is
//! the whole text, so this parser simply matches the whole text against the grammar:
//!
//! ```text
//! [+-] ( inf | infinity | nan... | 0x HEX [p [+-] DIGITS] | DEC [e [+-] DIGITS] )
//! HEX = hexdigits with at most one '.', at least one digit      (case-insensitive)
//! DEC = digits with at most one '.', at least one digit
//! ```
//!
//! An exponent marker not followed by digits is not part of the number (`1e` reads as `1`
//! followed by garbage, so Redis rejects it), and neither is `0x` without a hex digit after it.
//! Every NaN is rejected (Redis checks `isnan`); `inf` is accepted, as Redis accepts it.
//! Decimal values are rounded from the exact rational `digits × 10^e`; `strtold` sets
//! `ERANGE` on overflow and on underflow, and Redis rejects the result then if it is infinite
//! or zero.

use super::bigint::BigUint;
use super::{LongDouble, MAX_EXP, MIN_EXP};

/// Redis's buffer for the text (`MAX_LONG_DOUBLE_CHARS`): longer text is rejected.
const MAX_CHARS: usize = 5 * 1024;
/// Exponents are saturated here while read: far beyond any value that does not over- or
/// underflow, and far from `i64` overflow when added to digit counts.
const EXP_LIMIT: i64 = 1_000_000_000;
/// Decimal places of the largest finite value (`1.19 × 10^4932`).
const MAX_DECIMAL_MAGNITUDE: i64 = 4933;
/// `10^-4951` is below half the smallest subnormal (`2^-16446 ≈ 1.82 × 10^-4951`).
const MIN_DECIMAL_MAGNITUDE: i64 = -4951;

pub(super) fn string2ld(text: &[u8]) -> Option<LongDouble> {
    if text.is_empty() || text.len() >= MAX_CHARS || is_c_space(text[0]) {
        return None;
    }
    let (negative, rest) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Some(LongDouble::infinity(negative));
    }
    if rest.len() >= 2 && rest[0] == b'0' && rest[1].eq_ignore_ascii_case(&b'x') {
        hexadecimal(negative, &rest[2..])
    } else {
        decimal(negative, rest)
    }
}

/// C's `isspace` in the "C" locale (Redis never changes `LC_NUMERIC` or `LC_CTYPE`).
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The digits of a mantissa (`radix` 10 or 16) with at most one point, and how many of them
/// follow the point; `None` unless there is at least one digit. Returns the rest of the text.
fn mantissa(text: &[u8], radix: u32) -> Option<(Vec<u8>, usize, &[u8])> {
    let mut digits = Vec::new();
    let mut after_point = None;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if let Some(d) = char::from(c).to_digit(radix) {
            digits.push(d as u8);
            if let Some(n) = after_point.as_mut() {
                *n += 1;
            }
        } else if c == b'.' && after_point.is_none() {
            after_point = Some(0);
        } else {
            break;
        }
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    Some((digits, after_point.unwrap_or(0), &text[i..]))
}

/// An exponent part (`marker`, optional sign, at least one decimal digit) that must be the
/// whole of `text`; an empty `text` is exponent 0. Saturates at `EXP_LIMIT`.
fn exponent(text: &[u8], marker: u8) -> Option<i64> {
    let Some((&first, rest)) = text.split_first() else {
        return Some(0);
    };
    if !first.eq_ignore_ascii_case(&marker) {
        return None;
    }
    let (negative, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |acc, d| {
        (acc * 10 + i64::from(d - b'0')).min(EXP_LIMIT)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Strips leading zero digits, and trailing ones (returned as a count).
fn significant(digits: &[u8]) -> (&[u8], usize) {
    let start = digits.iter().position(|&d| d != 0).unwrap_or(digits.len());
    let digits = &digits[start..];
    let end = digits.iter().rposition(|&d| d != 0).map_or(0, |p| p + 1);
    (&digits[..end], digits.len() - end)
}

/// The digits as one integer, `per_chunk` digits at a time.
fn integer(digits: &[u8], radix: u64, per_chunk: usize) -> BigUint {
    let mut n = BigUint::default();
    for chunk in digits.chunks(per_chunk) {
        let value = chunk
            .iter()
            .fold(0u64, |acc, &d| acc * radix + u64::from(d));
        n.mul_add_small(radix.pow(chunk.len() as u32), value);
    }
    n
}

fn decimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let (digits, after_point, rest) = mantissa(text, 10)?;
    let exp10 = exponent(rest, b'e')?;
    let (digits, trailing_zeros) = significant(&digits);
    if digits.is_empty() {
        return Some(LongDouble::zero(negative));
    }
    // The value is `digits × 10^exp10`, and lies in [10^(magnitude-1), 10^magnitude).
    let exp10 = exp10 - after_point as i64 + trailing_zeros as i64;
    let magnitude = exp10 + digits.len() as i64;
    if magnitude > MAX_DECIMAL_MAGNITUDE || magnitude <= MIN_DECIMAL_MAGNITUDE {
        // Overflow to infinity or underflow to zero: strtold says ERANGE, Redis rejects.
        return None;
    }
    let mut n = integer(digits, 10, 19);
    let value = if exp10 >= 0 {
        n.mul_pow5(exp10 as u64);
        LongDouble::from_exact(negative, &n, exp10)
    } else {
        let mut den = BigUint::from_u64(1);
        den.mul_pow5(exp10.unsigned_abs());
        divide(negative, n, den, exp10)
    };
    in_range(value)
}

fn hexadecimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let (digits, after_point, rest) = mantissa(text, 16)?;
    let exp2 = exponent(rest, b'p')?;
    let (digits, trailing_zeros) = significant(&digits);
    if digits.is_empty() {
        return Some(LongDouble::zero(negative));
    }
    let exp2 = exp2 + 4 * (trailing_zeros as i64 - after_point as i64);
    let n = integer(digits, 16, 15);
    // The value lies in [2^(top-1), 2^top): at least 2^16384 overflows, at most 2^-16446
    // (half the smallest subnormal) rounds to zero.
    let top = exp2 + n.bit_len() as i64;
    if !(MIN_EXP..=MAX_EXP + 64).contains(&top) {
        return None;
    }
    in_range(LongDouble::from_exact(negative, &n, exp2))
}

/// Redis's `ERANGE` rule for a nonzero input: reject a result that overflowed to infinity
/// or underflowed to zero.
fn in_range(value: LongDouble) -> Option<LongDouble> {
    (value.is_finite() && !value.is_zero()).then_some(value)
}

/// The nearest value to `num / den × 2^exp2` (both nonzero).
fn divide(negative: bool, num: BigUint, den: BigUint, exp2: i64) -> LongDouble {
    // Scale so that `x / d` lies in (2^66, 2^68): 67 or 68 quotient bits hold the 64 kept,
    // the rounding bit and more, and the remainder says whether anything is below.
    let s = 67 + den.bit_len() as i64 - num.bit_len() as i64;
    let (mut x, mut d) = (num, den);
    if s >= 0 {
        x.shl(s as u64);
    } else {
        d.shl(s.unsigned_abs());
    }
    d.shl(67);
    let mut q = 0u128;
    for bit in (0..=67).rev() {
        if x >= d {
            x.sub(&d);
            q |= 1u128 << bit;
        }
        d.shr1();
    }
    super::round(negative, q, exp2 - s, !x.is_zero())
}
