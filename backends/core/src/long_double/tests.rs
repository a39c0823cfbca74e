//! Unit tests of the `long double` emulation. Expected texts marked "Redis" were answered by a
//! real `redis-server` 7.0 on x86-64 (`SET k <text>` then `INCRBYFLOAT k 0`); the differential
//! tests in the workspace check many more against a live server.

use super::bigint::BigUint;
use super::*;

fn ld(text: &str) -> LongDouble {
    match LongDouble::parse(text.as_bytes()) {
        Some(v) => v,
        None => panic!("{text:?} should parse"),
    }
}

fn parts(v: LongDouble) -> (bool, u64, i32) {
    match v.0 {
        Repr::Finite {
            negative,
            mantissa,
            exp,
        } => (negative, mantissa, exp),
        other => panic!("not finite: {other:?}"),
    }
}

fn human(text: &str) -> String {
    ld(text).to_redis_string()
}

/// The exact decimal expansion of `m × 2^e`.
fn exact_decimal(m: u128, e: i64) -> String {
    let mut n = BigUint::from_u64((m >> 64) as u64);
    n.shl(64);
    n.add(&BigUint::from_u64(m as u64));
    if e >= 0 {
        n.shl(e as u64);
        return n.to_decimal();
    }
    n.mul_pow5(e.unsigned_abs());
    let digits = n.to_decimal();
    let places = e.unsigned_abs() as usize;
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = digits.split_at(digits.len() - places);
    format!("{int}.{frac}")
}

#[test]
fn decimal_input_rounds_to_the_nearest_long_double() {
    // 0.1 × 2^67 = 14757395258967641292.8, rounded up.
    assert_eq!(parts(ld("0.1")), (false, 0xCCCC_CCCC_CCCC_CCCD, -67));
    assert_eq!(parts(ld("1")), (false, 1 << 63, -63));
    assert_eq!(parts(ld("-2.5")), (true, 5 << 61, -62));
    assert_eq!(parts(ld("007")), parts(ld("7")));
    assert_eq!(parts(ld(".5")), parts(ld("0.5")));
    assert_eq!(parts(ld("5.")), parts(ld("5")));
    assert_eq!(parts(ld("+2.5E1")), parts(ld("25")));
    assert_eq!(parts(ld("1e-2")), parts(ld("0.01")));
    assert_eq!(parts(ld("12345678901234567890")), {
        // Needs 64 bits exactly: 0xAB54A98CEB1F0AD2.
        (false, 0xAB54_A98C_EB1F_0AD2, 0)
    });
}

#[test]
fn exact_binary_values_read_back_exactly() {
    let cases: &[(u128, i64)] = &[
        (1, 0),
        (3, -1),
        (0xFFFF_FFFF_FFFF_FFFF, -64),
        (0x8000_0000_0000_0001, -100),
        (0xDEAD_BEEF_1234_5679, 300),
        (0xDEAD_BEEF_1234_5679, -1000),
        (0xFFFF_FFFF_FFFF_FFFF, -4000),
        (0xFFFF_FFFF_FFFF_FFFF, 16320),
    ];
    for &(m, e) in cases {
        let text = exact_decimal(m, e);
        let want = BigUint::from_u64(m as u64);
        let expected = LongDouble::from_exact(false, &want, e);
        assert_eq!(ld(&text), expected, "{m:#x} × 2^{e}");
    }
}

/// A small deterministic generator (xorshift64*), so the randomized cases repeat exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_exact_values_and_midpoints_read_back_rounded_to_even() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let m = rng.next() | 1 << 63;
        // Exponents whose exact decimal text stays within Redis's 5,119 bytes.
        let e = (rng.next() % 5000) as i64 - 3000;
        let exact = LongDouble::from_exact(false, &BigUint::from_u64(m), e);
        assert_eq!(parts(exact), (false, m, e as i32));
        assert_eq!(
            ld(&exact_decimal(u128::from(m), e)),
            exact,
            "{m:#x} × 2^{e}"
        );
        // Halfway to the next value up: ties go to the even mantissa.
        let mid = exact_decimal(2 * u128::from(m) + 1, e - 1);
        let even = if m & 1 == 0 { m } else { m.wrapping_add(1) };
        let want = if even == 0 {
            (false, 1 << 63, e as i32 + 1)
        } else {
            (false, even, e as i32)
        };
        assert_eq!(parts(ld(&mid)), want, "midpoint above {m:#x} × 2^{e}");
        let above = format!("{mid}{}", if mid.contains('.') { "01" } else { ".01" });
        let up = if m == u64::MAX {
            (false, 1 << 63, e as i32 + 1)
        } else {
            (false, m + 1, e as i32)
        };
        assert_eq!(parts(ld(&above)), up, "just above the midpoint");
        let negative = ld(&format!("-{mid}"));
        assert_eq!(
            parts(negative),
            (true, want.1, want.2),
            "the sign is symmetric"
        );
    }
}

#[test]
fn halfway_decimal_input_rounds_to_even() {
    // Between two neighbours above 1 (spacing 2^-63): the exact midpoints.
    let even = 1u128 << 63; // 1.0
    let mid_up = exact_decimal(2 * even + 1, -64); // halfway between 1 and 1 + 2^-63
    assert_eq!(
        parts(ld(&mid_up)),
        (false, 1 << 63, -63),
        "ties to even: down"
    );
    let odd = (1u128 << 63) + 1;
    let mid = exact_decimal(2 * odd + 1, -64); // halfway between odd and the next even
    assert_eq!(
        parts(ld(&mid)),
        (false, (1 << 63) + 2, -63),
        "ties to even: up"
    );
    // A hair above the midpoint rounds up, a hair below rounds down.
    assert_eq!(
        parts(ld(&format!("{mid_up}000000000000000000001"))),
        (false, (1 << 63) + 1, -63)
    );
    let below = format!("{}4999999999", &mid[..mid.len() - 1]);
    assert_eq!(parts(ld(&below)), (false, (1 << 63) + 1, -63));
}

#[test]
fn hexadecimal_input_is_read_as_strtold_does() {
    assert_eq!(human("0x10"), "16");
    assert_eq!(human("0X1f"), "31");
    assert_eq!(human("-0x.8"), "-0.5");
    assert_eq!(human("0x1p3"), "8");
    assert_eq!(human("0x1P-2"), "0.25");
    assert_eq!(human("0x1.8p+1"), "3");
    assert_eq!(human("0x1e3"), "483", "an e is a hex digit");
    // 65 significant bits: the last one is a tie, rounded to even.
    assert_eq!(
        parts(ld("0x1.0000000000000001p0")),
        (false, 1 << 63, -63),
        "tie rounds down to even"
    );
    assert_eq!(
        parts(ld("0x1.0000000000000003p0")),
        (false, (1 << 63) + 2, -63),
        "tie rounds up to even"
    );
    for bad in [
        "0x", "0x.", "0xg", "0x1p", "0x1p+", "0x1.2.3", "0x 1", "x10", "0x1q",
    ] {
        assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
    }
}

#[test]
fn syntax_redis_rejects() {
    let too_long = "1".repeat(5120);
    for bad in [
        "",
        " 1",
        "\t1",
        "\n1",
        "\x0b1",
        "\x0c1",
        "\r1",
        "1 ",
        "1\0",
        "1e",
        "1e+",
        "e1",
        ".",
        "-",
        "+",
        "1.5.5",
        "1,5",
        "abc",
        "1x",
        "--1",
        "+-1",
        "nan",
        "NaN",
        "-nan",
        "nan(123)",
        "inf ",
        "infin",
        "infinit",
        "0b1",
        too_long.as_str(),
    ] {
        assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
    }
    let longest = format!("0.{}", "1".repeat(5117));
    assert!(
        LongDouble::parse(longest.as_bytes()).is_some(),
        "5119 bytes are read"
    );
    assert_eq!(LongDouble::parse(&[b'1', 0xff]), None, "non-ASCII garbage");
}

#[test]
fn infinity_is_read_and_nan_is_not() {
    for text in ["inf", "INF", "-Inf", "+infinity", "InFiNiTy"] {
        let v = ld(text);
        assert!(!v.is_finite(), "{text}");
        assert_eq!(
            v.0,
            Repr::Infinite {
                negative: text.starts_with('-')
            },
            "{text}"
        );
    }
}

#[test]
fn out_of_range_input_is_rejected_but_zero_is_not() {
    for bad in [
        "1.2e4932",
        "1e4933",
        "1e99999999999999999999",
        "0x1p16384",
        "-1e5000",
        "1e-4951",
        "0x1p-16446",
        "1e-99999999999999999999",
        "0x1p-99999999999",
    ] {
        assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
    }
    for zero in [
        "0",
        "-0",
        "0.000",
        "0e99999999999999999999",
        "0x0p-99999",
        "-0e-5",
    ] {
        let v = ld(zero);
        assert!(v.is_zero(), "{zero}");
        assert_eq!(v.to_redis_string(), "0", "{zero}");
    }
    // Largest finite: (2^64 - 1) × 2^16320; the text Redis prints for it starts 11897...
    let max = ld("0x1.fffffffffffffffep16383");
    assert_eq!(parts(max), (false, u64::MAX, 16320));
    assert!(
        max.to_redis_string()
            .starts_with("118973149535723176502126385303097020516906")
    );
    assert_eq!(max.to_redis_string().len(), 4933);
    assert_eq!(
        parts(ld("1.18973149535723176502e+4932")),
        parts(max),
        "Redis: rounds to max"
    );
    assert!(!(max + max).is_finite(), "max + max overflows");
}

#[test]
fn tiny_values_are_subnormal_with_gradual_underflow() {
    assert_eq!(parts(ld("0x1p-16445")), (false, 1, -16445));
    assert_eq!(
        parts(ld("4e-4951")),
        (false, 1, -16445),
        "Redis accepts 4e-4951"
    );
    assert_eq!(
        parts(ld("0x3p-16447")),
        (false, 1, -16445),
        "0.75 of the smallest rounds up"
    );
    assert_eq!(parts(ld("0x1.0000001p-16446")), (false, 1, -16445));
    assert_eq!(
        parts(ld("0x1p-16382")),
        (false, 1 << 63, -16445),
        "smallest normal"
    );
    assert_eq!(
        parts(ld("0x1p-16383")),
        (false, 1 << 62, -16445),
        "largest power of two below it is subnormal"
    );
    let tiny = ld("0x1p-16445");
    assert_eq!(
        parts(tiny + tiny),
        (false, 2, -16445),
        "subnormal sums are exact"
    );
    assert_eq!(human("0x1p-16445"), "0", "Redis prints it as 0");
}

#[test]
fn sums_round_once_to_nearest_even() {
    let one = ld("1");
    let add = |a: LongDouble, text: &str| parts(a + ld(text));
    assert_eq!(
        add(one, "0x1p-63"),
        (false, (1 << 63) + 1, -63),
        "one ulp is exact"
    );
    assert_eq!(
        add(one, "0x1p-64"),
        (false, 1 << 63, -63),
        "half an ulp: tie to even"
    );
    assert_eq!(
        add(one, "0x1.8p-64"),
        (false, (1 << 63) + 1, -63),
        "0.75 ulp rounds up"
    );
    let odd = ld("0x1.0000000000000002p0");
    assert_eq!(
        add(odd, "0x1p-64"),
        (false, (1 << 63) + 2, -63),
        "tie to even, up"
    );
    assert_eq!(
        add(one, "0x1p-1000"),
        (false, 1 << 63, -63),
        "far below: no change"
    );
    assert_eq!(
        add(one, "-0x1p-1000"),
        (false, 1 << 63, -63),
        "far below, subtracted"
    );
    // Just under 1 the spacing halves to 2^-64.
    assert_eq!(
        add(one, "-0x1p-64"),
        (false, u64::MAX, -64),
        "exact below 1"
    );
    assert_eq!(
        add(one, "-0x1p-65"),
        (false, 1 << 63, -63),
        "tie below 1: to even"
    );
    assert_eq!(
        add(one, "-0x1.8p-65"),
        (false, u64::MAX, -64),
        "past the tie"
    );
    assert_eq!(
        add(ld("0x1p-16382"), "-0x1p-16445"),
        (false, u64::MAX >> 1, -16445),
        "into subnormals"
    );
    assert_eq!(add(ld("1e4000"), "-1e4000"), (false, 0, 0), "x - x is +0");
    let big = ld("0x1.fffffffffffffffep16383");
    assert_eq!(
        add(big, "0x1p16318"),
        parts(big),
        "a quarter ulp at the top"
    );
    assert!(
        !(big + ld("0x1p16319")).is_finite(),
        "a tie at the top rounds up: overflow"
    );
}

#[test]
fn signed_zeros_follow_ieee() {
    let (pos, neg) = (ld("0"), ld("-0"));
    assert_eq!(parts(neg + neg), (true, 0, 0), "-0 + -0 = -0");
    assert_eq!(parts(neg + pos), (false, 0, 0), "-0 + 0 = 0");
    assert_eq!(parts(ld("-5") + ld("5")), (false, 0, 0), "-5 + 5 = +0");
    assert_eq!(parts(neg + ld("-1")), (true, 1 << 63, -63));
    assert_eq!((neg + neg).to_redis_string(), "0", "Redis writes -0 as 0");
    assert_eq!(
        human("-1e-30"),
        "0",
        "Redis: a negative value printed as -0 is 0"
    );
}

#[test]
fn infinities_and_nan_in_sums() {
    let inf = ld("inf");
    let ninf = ld("-inf");
    assert!(!(inf + ld("1")).is_finite());
    assert_eq!((inf + ninf).0, Repr::Nan);
    assert_eq!((inf + inf).0, Repr::Infinite { negative: false });
    assert_eq!((ld("1") + ninf).to_redis_string(), "-inf");
    assert_eq!((inf + ninf).to_redis_string(), "nan");
}

#[test]
fn printing_matches_redis() {
    assert_eq!((ld("0.1") + ld("0.2")).to_redis_string(), "0.3", "Redis");
    assert_eq!(human("10.5"), "10.5");
    assert_eq!(human("3"), "3");
    assert_eq!(human("-2.50"), "-2.5");
    assert_eq!(human("1e2"), "100");
    assert_eq!(human("0.1"), "0.1");
    assert_eq!(human("1e-17"), "0.00000000000000001");
    assert_eq!(human("4e-18"), "0", "rounds to zero at 17 places");
    assert_eq!(human("6e-18"), "0.00000000000000001");
    // 2^-18 = 0.000003814697265625 is a tie at the 17th place: to even (Redis).
    assert_eq!(
        human("0.000003814697265625"),
        "0.00000381469726562",
        "Redis"
    );
    // 3 × 2^-18 = 0.000011444091796875 ties upwards to even.
    assert_eq!(human("0.000011444091796875"), "0.00001144409179688");
    assert_eq!(
        human("0.000003814697265635"),
        "0.00000381469726563",
        "Redis"
    );
    assert_eq!(human("1234567.123"), "1234567.12300000000004729", "Redis");
    assert_eq!(
        human("123456789.987654321"),
        "123456789.98765432099753525",
        "Redis"
    );
    assert_eq!(human("-3.3333333333333333"), "-3.3333333333333333", "Redis");
    assert_eq!(
        human("0.000000000000000015"),
        "0.00000000000000002",
        "Redis"
    );
    assert_eq!(
        human("12345678901234567890.123"),
        "12345678901234567890",
        "64 integer bits"
    );
    let sum = ld("1e308") + ld("1e308");
    assert_eq!(
        sum.to_redis_string(),
        "199999999999999999993371759311691291321120199694831134415594095989843469737676123744\
         200253843777078640893494450108026446304269499187921167194841628860392837535918200039\
         206381557326219209014213335878306791577877829121087126122536729803237260434173178506\
         889763247582601711514636284849020905456510092687857156096",
        "Redis: 1e308 + 1e308"
    );
    assert_eq!(format!("{}", ld("0x10") + ld("1")), "17", "Redis: 0x10 + 1");
}

#[test]
fn f64_arguments_are_read_as_the_redis_backend_writes_them() {
    let tenth = LongDouble::from_f64_arg(0.1).map(parts);
    assert_eq!(
        tenth,
        Some(parts(ld("0.1"))),
        "the text 0.1, not the f64 0.1"
    );
    assert_eq!(
        LongDouble::from_f64_arg(1e-7).map(parts),
        Some(parts(ld("1e-7")))
    );
    assert_eq!(
        LongDouble::from_f64_arg(-0.0).map(parts),
        Some((true, 0, 0))
    );
    assert_eq!(LongDouble::from_f64_arg(f64::NAN), None);
    assert_eq!(
        LongDouble::from_f64_arg(f64::NEG_INFINITY).map(|v| v.0),
        Some(Repr::Infinite { negative: true })
    );
    assert_eq!(
        LongDouble::from_f64_arg(f64::MAX).map(|v| v.is_finite()),
        Some(true),
        "f64::MAX is far inside the extended range"
    );
    assert_eq!(
        LongDouble::from_f64_arg(5e-324).map(|v| v.is_zero()),
        Some(false),
        "the smallest f64 subnormal is a normal long double"
    );
}

#[test]
fn bigint_top_bits_and_sticky() {
    let mut n = BigUint::from_u64(0b1011);
    n.shl(200);
    assert_eq!(n.top_bits(3), (0b101, 201, true));
    assert_eq!(n.top_bits(4), (0b1011, 200, false));
    assert_eq!(n.top_bits(100).1, 104);
    let small = BigUint::from_u64(5);
    assert_eq!(small.top_bits(96), (5, 0, false));
    assert_eq!(BigUint::default().to_decimal(), "0");
    let mut ten20 = BigUint::from_u64(10_000_000_000);
    ten20.mul_add_small(10_000_000_000, 7);
    assert_eq!(ten20.to_decimal(), "100000000000000000007");
}
