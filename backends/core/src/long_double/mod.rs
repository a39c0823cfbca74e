//! `long double` arithmetic as Redis does it on x86-64, in software, so that the local
//! backends answer `INCRBYFLOAT` and `HINCRBYFLOAT` byte for byte as Redis does.
//!
//! Redis reads both operands of those commands with `strtold`, adds them as `long double`
//! (on x86-64 the x87 80-bit extended format: a 64-bit mantissa with an explicit integer bit
//! and a 15-bit exponent), rejects a NaN or infinite result, and stores the sum printed with
//! `%.17Lf` with trailing zeros (and then the point) removed. `f64` cannot reproduce that:
//! `0.1 + 0.2` is `0.30000000000000004` in `f64` but `0.3` in Redis, and `1e308 + 1e308`
//! overflows `f64` while Redis answers with a 309-digit number.
//!
//! [`LongDouble`] is that format, emulated exactly:
//!
//! - [`LongDouble::parse`] reads text as glibc's `strtold` does (decimal and hexadecimal,
//!   `inf`/`infinity`, correctly rounded to nearest-even), under the extra rules of Redis's
//!   `string2ld`: the whole text must be the number, no leading space, at most 5,119 bytes,
//!   no NaN, and no result that overflowed to infinity or underflowed to zero.
//! - `+` adds with one correct rounding to nearest-even, with gradual underflow, as the x87
//!   does with its default (extended) precision control.
//! - [`LongDouble::to_redis_string`] prints as Redis's `ld2string` in its human-friendly mode:
//!   the exact decimal expansion rounded to 17 places half-to-even (as glibc's `printf`
//!   does), trailing zeros trimmed, `-0` written as `0`.
//!
//! Every step works on exact integers (`bigint`), so no result depends on the host's own
//! floating point. A hand-written emulation was chosen over `rustc_apfloat`'s
//! `X87DoubleExtended`: that crate rounds decimal input and sums correctly, but its parser
//! rejects hexadecimal input without a `p` exponent (which `strtold` reads: `0x10` is 16) and
//! spells infinity differently, and its printer is LLVM's (significant digits, exponent
//! notation), not `printf("%.17Lf")`. The parts it would not cover need exact big-integer
//! arithmetic anyway, and with that in place the parser and the adder are a few dozen lines.

mod bigint;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Add;

use bigint::BigUint;

/// The smallest binary exponent of the lowest mantissa bit: subnormals and the smallest
/// normals are `mantissa × 2^-16445`.
const MIN_EXP: i64 = -16445;
/// The largest binary exponent of the lowest mantissa bit of a finite value
/// (`(2^64 - 1) × 2^16320` is the largest finite value).
const MAX_EXP: i64 = 16320;
/// Digits after the point in Redis's output (`%.17Lf`).
const FRACTION_DIGITS: u32 = 17;

/// A number in the x87 80-bit extended format (`long double` on x86-64 Linux).
///
/// Equality compares representations: `-0` and `0` differ, and a NaN equals a NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDouble(Repr);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repr {
    /// `mantissa × 2^exp`. Zero has mantissa 0 and exp 0; otherwise either the top bit of
    /// the mantissa is set and `MIN_EXP <= exp <= MAX_EXP` (normal), or it is clear and
    /// `exp == MIN_EXP` (subnormal).
    Finite {
        negative: bool,
        mantissa: u64,
        exp: i32,
    },
    Infinite {
        negative: bool,
    },
    Nan,
}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble(Repr::Finite {
        negative: false,
        mantissa: 0,
        exp: 0,
    });

    /// Reads `text` as Redis's `string2ld` does (glibc `strtold` plus Redis's checks), or
    /// `None` where Redis answers "not a valid float".
    ///
    /// # Behavior
    ///
    /// - Accepts decimal (`-1.5e3`, `.5`, `5.`, `007`) and hexadecimal (`0x10`, `0x1.8p3`)
    ///   numbers with an optional sign, and `inf`/`infinity` in any case; the result is the
    ///   nearest `long double`, ties to even.
    /// - Rejects empty text, text of 5,120 bytes or more, a leading space (any C `isspace`),
    ///   anything after the number (trailing spaces, `1e`, `0x`, a NUL byte), any NaN, and a
    ///   number that overflows to infinity or is not zero but rounds to zero.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        parse::string2ld(text)
    }

    /// The value Redis sees for an increment staunch sends as an `f64`: the Redis backend
    /// writes it as [`FloatText`](crate::float_text::FloatText) does, and Redis reads that
    /// text with `strtold`. So `0.1` becomes the `long double` nearest to one tenth, not the
    /// `f64` nearest to it. `None` for NaN, which Redis rejects as "not a valid float".
    pub fn from_f64_arg(x: f64) -> Option<LongDouble> {
        if x.is_infinite() {
            return Some(LongDouble(Repr::Infinite { negative: x < 0.0 }));
        }
        LongDouble::parse(crate::float_text::FloatText::new().format(x).as_bytes())
    }

    /// True unless infinite or NaN.
    pub fn is_finite(&self) -> bool {
        matches!(self.0, Repr::Finite { .. })
    }

    /// The text Redis stores and replies for this value after `INCRBYFLOAT`/`HINCRBYFLOAT`
    /// (`ld2string` with `LD_STR_HUMAN`): `printf("%.17Lf")` with the trailing zeros and then
    /// a trailing point removed, and `-0` written as `0`. Infinities are `inf`/`-inf` and NaN
    /// is `nan` (Redis never stores those: it rejects such a result first).
    pub fn to_redis_string(&self) -> String {
        let (negative, mantissa, exp) = match self.0 {
            Repr::Infinite { negative: false } => return "inf".to_owned(),
            Repr::Infinite { negative: true } => return "-inf".to_owned(),
            Repr::Nan => return "nan".to_owned(),
            Repr::Finite {
                negative,
                mantissa,
                exp,
            } => (negative, mantissa, exp),
        };
        let mut text = printf_fixed(negative, mantissa, exp);
        // Redis's trimming, step for step: zeros after the point, then the point itself.
        if text.contains('.') {
            while text.ends_with('0') {
                text.pop();
            }
            if text.ends_with('.') {
                text.pop();
            }
        }
        if text == "-0" {
            text = "0".to_owned();
        }
        text
    }

    fn zero(negative: bool) -> LongDouble {
        LongDouble(Repr::Finite {
            negative,
            mantissa: 0,
            exp: 0,
        })
    }

    fn infinity(negative: bool) -> LongDouble {
        LongDouble(Repr::Infinite { negative })
    }

    /// True for a zero of either sign.
    fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Finite { mantissa: 0, .. })
    }

    /// The nearest value (ties to even) to `n × 2^exp`, for an exact integer `n`.
    fn from_exact(negative: bool, n: &BigUint, exp: i64) -> LongDouble {
        // 96 bits keep the rounding bit and more below it, so the sticky bit is exact.
        let (top, shift, sticky) = n.top_bits(96);
        round(negative, top, exp + shift as i64, sticky)
    }
}

impl Add for LongDouble {
    type Output = LongDouble;

    /// The x87 sum: exact, then rounded once to nearest-even. `inf + -inf` is NaN; `x + -x`
    /// is `+0`; `-0 + -0` is `-0`.
    fn add(self, rhs: LongDouble) -> LongDouble {
        match (self.0, rhs.0) {
            (Repr::Nan, _) | (_, Repr::Nan) => LongDouble(Repr::Nan),
            (Repr::Infinite { negative: a }, Repr::Infinite { negative: b }) => {
                if a == b {
                    self
                } else {
                    LongDouble(Repr::Nan)
                }
            }
            (Repr::Infinite { .. }, _) => self,
            (_, Repr::Infinite { .. }) => rhs,
            (
                Repr::Finite {
                    negative: na,
                    mantissa: ma,
                    exp: ea,
                },
                Repr::Finite {
                    negative: nb,
                    mantissa: mb,
                    exp: eb,
                },
            ) => add_finite((na, ma, i64::from(ea)), (nb, mb, i64::from(eb))),
        }
    }
}

impl fmt::Display for LongDouble {
    /// Writes [`LongDouble::to_redis_string`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_redis_string())
    }
}

/// `(negative, mantissa, exp)` of a finite value.
type Parts = (bool, u64, i64);

fn add_finite(a: Parts, b: Parts) -> LongDouble {
    match (a.1 == 0, b.1 == 0) {
        (true, true) => return LongDouble::zero(a.0 && b.0),
        (true, false) => return finite(b),
        (false, true) => return finite(a),
        (false, false) => {}
    }
    let (hi, lo) = if a.2 >= b.2 { (a, b) } else { (b, a) };
    // An addend more than 130 binary places below the other is below its rounding bit
    // whatever its digits; any smaller nonzero value of the same sign rounds the same way
    // and keeps the exact sum small.
    let lo = if hi.2 - lo.2 > 130 {
        (lo.0, 1, hi.2 - 131)
    } else {
        lo
    };
    let mut big_hi = BigUint::from_u64(hi.1);
    big_hi.shl((hi.2 - lo.2) as u64);
    let mut big_lo = BigUint::from_u64(lo.1);
    let negative = if hi.0 == lo.0 {
        big_hi.add(&big_lo);
        hi.0
    } else {
        match big_hi.cmp(&big_lo) {
            std::cmp::Ordering::Equal => return LongDouble::ZERO,
            std::cmp::Ordering::Greater => {
                big_hi.sub(&big_lo);
                hi.0
            }
            std::cmp::Ordering::Less => {
                big_lo.sub(&big_hi);
                big_hi = big_lo;
                lo.0
            }
        }
    };
    LongDouble::from_exact(negative, &big_hi, lo.2)
}

fn finite((negative, mantissa, exp): Parts) -> LongDouble {
    LongDouble(Repr::Finite {
        negative,
        mantissa,
        exp: exp as i32,
    })
}

/// Rounds `(q + f) × 2^exp` to the nearest `long double`, ties to even, where `f` is a
/// fraction in `[0, 1)` that is nonzero exactly when `sticky` is set. When `sticky` is set,
/// `q` must have at least 66 bits so that the rounding bit is in `q`.
fn round(negative: bool, q: u128, exp: i64, sticky: bool) -> LongDouble {
    if q == 0 {
        return LongDouble::zero(negative);
    }
    let bits = 128 - i64::from(q.leading_zeros());
    // Keep 64 bits, or fewer where the lowest kept bit would fall below 2^MIN_EXP.
    let shift = (bits - 64).max(MIN_EXP - exp);
    let mut mantissa = if shift <= 0 {
        q << (-shift) as u32
    } else {
        shift_right_rounded(q, shift as u64, sticky)
    };
    let mut exp = exp + shift;
    if mantissa == 1u128 << 64 {
        mantissa >>= 1;
        exp += 1;
    }
    if mantissa == 0 {
        return LongDouble::zero(negative);
    }
    if exp > MAX_EXP {
        return LongDouble::infinity(negative);
    }
    finite((negative, mantissa as u64, exp))
}

/// `q >> shift` rounded to nearest, ties to even, with `sticky` standing for set bits below
/// `q`.
fn shift_right_rounded(q: u128, shift: u64, sticky: bool) -> u128 {
    if shift > 128 {
        // Everything is below half of the lowest kept bit.
        return 0;
    }
    let (kept, rest, half) = if shift == 128 {
        (0, q, 1u128 << 127)
    } else {
        (q >> shift, q & ((1u128 << shift) - 1), 1u128 << (shift - 1))
    };
    let up = rest > half || (rest == half && (sticky || kept & 1 == 1));
    kept + u128::from(up)
}

/// `printf("%.17Lf")` of `±mantissa × 2^exp`: the exact value rounded to 17 decimal places,
/// ties to even on the last digit (glibc rounds the exact expansion in the current rounding
/// mode, which is to-nearest), with the sign of a negative zero kept.
fn printf_fixed(negative: bool, mantissa: u64, exp: i32) -> String {
    let scale = 10u128.pow(FRACTION_DIGITS);
    // The value times 10^17, rounded to an integer; `mantissa × 10^17 < 2^121`.
    let scaled = u128::from(mantissa) * scale;
    let digits = if exp >= 0 {
        let mut n = BigUint::from_u64(mantissa);
        n.mul_add_small(scale as u64, 0);
        n.shl(exp as u64);
        n.to_decimal()
    } else {
        shift_right_rounded(scaled, u64::from(exp.unsigned_abs()), false).to_string()
    };
    let width = FRACTION_DIGITS as usize + 1;
    let digits = if digits.len() < width {
        format!("{digits:0>width$}")
    } else {
        digits
    };
    let (int, frac) = digits.split_at(digits.len() - FRACTION_DIGITS as usize);
    let sign = if negative { "-" } else { "" };
    format!("{sign}{int}.{frac}")
}
