//! The one text staunch writes for an `f64` argument (a score, an increment, a range bound).
//!
//! Two places depend on that text and must agree byte for byte: the Redis backend sends it,
//! and the local backends compute what Redis would compute from it. Most commands read a
//! float argument with `strtod`, where any text that reads back as the same `f64` gives the
//! same answer. `INCRBYFLOAT` and `HINCRBYFLOAT` read it with `strtold` into a `long double`,
//! which keeps more digits: there the choice among equally short texts matters. The `f64`
//! nearest to `-250666837931017.13` is `…017.125`, and both `…017.12` and `…017.13` are
//! shortest texts for it; `strtold` turns them into different `long double`s. So both sides
//! take the text from [`FloatText`] and never format a float argument on their own.

/// A reusable buffer that writes an `f64` as a Redis float argument, without allocating.
///
/// # Behavior
///
/// - A finite value is the shortest text that reads back as the same `f64` (ryu's choice
///   among equally short texts, always the same for the same value), e.g. `1.5`, `1e-7`,
///   `-0.0`.
/// - Infinities are `+inf` and `-inf`, which every Redis float parser accepts.
/// - NaN is `nan`, which Redis rejects; the contract rejects NaN before a command is built.
#[derive(Default)]
pub struct FloatText(ryu::Buffer);

impl FloatText {
    /// An empty buffer.
    pub fn new() -> FloatText {
        FloatText(ryu::Buffer::new())
    }

    /// `x` as a Redis float argument; the text lives until the next call.
    pub fn format(&mut self, x: f64) -> &str {
        if x == f64::INFINITY {
            "+inf"
        } else if x == f64::NEG_INFINITY {
            "-inf"
        } else if x.is_nan() {
            "nan"
        } else {
            self.0.format_finite(x)
        }
    }
}

/// `x` as a Redis float argument, owned (see [`FloatText`]).
pub fn float_text(x: f64) -> String {
    FloatText::new().format(x).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_values_are_shortest_round_trip_text() {
        for x in [
            0.1,
            1.5,
            1e-7,
            -0.0,
            1e308,
            f64::MIN_POSITIVE,
            5e-324,
            123456789.0,
        ] {
            let text = float_text(x);
            assert_eq!(
                text.parse::<f64>().ok().map(f64::to_bits),
                Some(x.to_bits()),
                "{text}"
            );
        }
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(f64::INFINITY), "+inf");
        assert_eq!(float_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_text(f64::NAN), "nan");
    }

    #[test]
    fn a_tie_between_two_shortest_texts_has_one_answer() {
        // The case CI found: the f64 is …017.125, halfway between two 19-digit texts that both
        // read back as it; strtold makes different long doubles of them. The text is pinned so
        // that a formatter change shows here, with Redis's answer for this text next to it.
        let x: f64 = -250666837931017.13;
        assert_eq!(float_text(x), "-250666837931017.12");
        assert_eq!("-250666837931017.13".parse::<f64>().ok(), Some(x));
        // What redis-server 7.0.15 answered to INCRBYFLOAT s <this f64> on a missing key.
        let sum = crate::long_double::LongDouble::from_f64_arg(x).map(|v| v.to_redis_string());
        assert_eq!(sum.as_deref(), Some("-250666837931017.1199951171875"));
    }
}
