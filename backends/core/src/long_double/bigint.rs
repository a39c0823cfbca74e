//! Unsigned integers of any size, with only the operations exact `long double` arithmetic
//! needs: building a number from digits, scaling by powers of two and five, comparing,
//! subtracting, and reading the top bits or the decimal digits back out.
//!
//! Sizes stay small (the largest number met is about 35,000 bits: a 5,119-digit decimal
//! scaled by a power of five), so schoolbook algorithms are plenty.

use std::cmp::Ordering;

/// An unsigned integer: little-endian 64-bit limbs without zero limbs at the top (zero is
/// no limbs at all), so two equal numbers have equal limb vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct BigUint {
    limbs: Vec<u64>,
}

/// The largest power of five that fits a limb: 5^27.
const POW5_LIMB: (u64, u64) = (27, 7_450_580_596_923_828_125);

impl BigUint {
    pub(super) fn from_u64(x: u64) -> BigUint {
        let mut n = BigUint { limbs: vec![x] };
        n.trim();
        n
    }

    pub(super) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// The number of significant bits (0 for zero).
    pub(super) fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(top) => self.limbs.len() as u64 * 64 - u64::from(top.leading_zeros()),
        }
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// `self = self * m + a`.
    pub(super) fn mul_add_small(&mut self, m: u64, a: u64) {
        let mut carry = u128::from(a);
        for limb in &mut self.limbs {
            let t = u128::from(*limb) * u128::from(m) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        if carry != 0 {
            self.limbs.push(carry as u64);
        }
        self.trim();
    }

    /// `self = self * 5^n`.
    pub(super) fn mul_pow5(&mut self, mut n: u64) {
        let (step, factor) = POW5_LIMB;
        while n >= step {
            self.mul_add_small(factor, 0);
            n -= step;
        }
        if n > 0 {
            self.mul_add_small(5u64.pow(n as u32), 0);
        }
    }

    /// `self = self << bits`.
    pub(super) fn shl(&mut self, bits: u64) {
        if self.is_zero() {
            return;
        }
        let (whole, part) = ((bits / 64) as usize, (bits % 64) as u32);
        if part != 0 {
            let mut carry = 0u64;
            for limb in &mut self.limbs {
                let next = *limb >> (64 - part);
                *limb = (*limb << part) | carry;
                carry = next;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if whole > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, whole));
        }
    }

    /// `self = self >> 1`.
    pub(super) fn shr1(&mut self) {
        let mut carry = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let next = *limb << 63;
            *limb = (*limb >> 1) | carry;
            carry = next;
        }
        self.trim();
    }

    /// `self = self + other`.
    pub(super) fn add(&mut self, other: &BigUint) {
        if self.limbs.len() < other.limbs.len() {
            self.limbs.resize(other.limbs.len(), 0);
        }
        let mut carry = 0u128;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let o = other.limbs.get(i).copied().unwrap_or(0);
            let t = u128::from(*limb) + u128::from(o) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        if carry != 0 {
            self.limbs.push(carry as u64);
        }
    }

    /// `self = self - other`; `other` must not exceed `self` (the result is zero then, which
    /// no caller relies on).
    pub(super) fn sub(&mut self, other: &BigUint) {
        if *other > *self {
            self.limbs.clear();
            return;
        }
        let mut borrow = false;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let o = other.limbs.get(i).copied().unwrap_or(0);
            let (d1, b1) = limb.overflowing_sub(o);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *limb = d2;
            borrow = b1 || b2;
        }
        self.trim();
    }

    /// The top `n` (at most 128) bits: `(self >> shift, shift, sticky)` where `shift` is how
    /// many low bits were dropped (0 when the number already fits) and `sticky` tells whether
    /// any dropped bit was set.
    pub(super) fn top_bits(&self, n: u32) -> (u128, u64, bool) {
        let shift = self.bit_len().saturating_sub(u64::from(n.min(128)));
        let (whole, part) = ((shift / 64) as usize, (shift % 64) as u32);
        let limb = |i: usize| u128::from(self.limbs.get(i).copied().unwrap_or(0));
        // Bits [shift, shift + 128) lie in limbs `whole..=whole + 2`; anything above the
        // 128th bit is zero because the result has at most `n` bits.
        let mut top = (limb(whole) | (limb(whole + 1) << 64)) >> part;
        if part != 0 {
            top |= limb(whole + 2) << (128 - part);
        }
        let sticky = self.limbs.iter().take(whole).any(|&l| l != 0)
            || (part != 0 && limb(whole) & ((1u128 << part) - 1) != 0);
        (top, shift, sticky)
    }

    /// `self = self / d`, returning the remainder; `d` must not be zero.
    fn div_rem_small(&mut self, d: u64) -> u64 {
        let mut rem = 0u128;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        self.trim();
        rem as u64
    }

    /// The number in decimal, without leading zeros (`"0"` for zero).
    pub(super) fn to_decimal(&self) -> String {
        const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_rem_small(CHUNK));
        }
        let mut out = String::with_capacity(chunks.len() * 19 + 1);
        match chunks.pop() {
            None => out.push('0'),
            Some(top) => out.push_str(&top.to_string()),
        }
        for chunk in chunks.iter().rev() {
            out.push_str(&format!("{chunk:019}"));
        }
        out
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}
