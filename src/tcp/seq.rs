//! Wrapping sequence-number arithmetic (RFC 9293 §3.4), in one place.
//!
//! Sequence numbers live on a circle of 2^32: "before" and "after" only make sense for numbers
//! less than 2^31 apart. Everything in `tcp/` that compares or subtracts sequence numbers goes
//! through [`SeqNum`], so the wrap is handled (and tested) here and nowhere else.

use std::fmt;

/// An absolute sequence or acknowledgment number as it appears in the TCP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNum(pub u32);

impl SeqNum {
    /// The number `len` octets further on, modulo 2^32.
    #[inline]
    pub const fn add(self, len: u32) -> SeqNum {
        SeqNum(self.0.wrapping_add(len))
    }

    /// The number `len` octets earlier, modulo 2^32.
    #[inline]
    pub const fn sub(self, len: u32) -> SeqNum {
        SeqNum(self.0.wrapping_sub(len))
    }

    /// How many octets `self` lies after `base` (modulo 2^32): the relative sequence number
    /// when `base` is the initial sequence number.
    #[inline]
    pub const fn since(self, base: SeqNum) -> u32 {
        self.0.wrapping_sub(base.0)
    }

    /// `self < other` on the circle: RFC 9293 §3.4 "SEG.SEQ < ..." comparisons, and Wireshark's
    /// `LT_SEQ(x, y)`: `(int32)(x - y) < 0`.
    #[inline]
    pub const fn lt(self, other: SeqNum) -> bool {
        (self.0.wrapping_sub(other.0) as i32) < 0
    }

    /// `self <= other` on the circle (Wireshark's `LE_SEQ`).
    #[inline]
    pub const fn le(self, other: SeqNum) -> bool {
        (self.0.wrapping_sub(other.0) as i32) <= 0
    }

    /// `self > other` on the circle (Wireshark's `GT_SEQ(x, y)`: `(int32)(y - x) < 0`).
    #[inline]
    pub const fn gt(self, other: SeqNum) -> bool {
        (other.0.wrapping_sub(self.0) as i32) < 0
    }

    /// `self >= other` on the circle.
    #[inline]
    pub const fn ge(self, other: SeqNum) -> bool {
        (other.0.wrapping_sub(self.0) as i32) <= 0
    }
}

impl fmt::Display for SeqNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A half-open range of relative sequence numbers `[start, end)`: the payload octets of one
/// segment, or one SACK block (RFC 2018 §3: left edge inclusive, right edge exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ByteRange {
    pub start: u32,
    pub end: u32,
}

impl ByteRange {
    /// Number of octets in the range (wrapping: a range may straddle relative 2^32).
    pub const fn len(self) -> u32 {
        self.end.wrapping_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_wraps_past_u32_max() {
        assert_eq!(SeqNum(u32::MAX - 1).add(3), SeqNum(1));
        assert_eq!(SeqNum(1).sub(3), SeqNum(u32::MAX - 1));
    }

    #[test]
    fn since_counts_across_the_wrap() {
        assert_eq!(SeqNum(5).since(SeqNum(u32::MAX - 4)), 10);
        assert_eq!(SeqNum(100).since(SeqNum(100)), 0);
    }

    #[test]
    fn comparisons_hold_across_the_wrap() {
        let before = SeqNum(u32::MAX - 10);
        let after = SeqNum(10);
        assert!(before.lt(after));
        assert!(before.le(after));
        assert!(after.gt(before));
        assert!(after.ge(before));
        assert!(!after.lt(before));
        assert!(!before.gt(after));
    }

    #[test]
    fn equal_numbers_are_le_and_ge_but_not_lt_or_gt() {
        let x = SeqNum(0);
        assert!(x.le(x) && x.ge(x));
        assert!(!x.lt(x) && !x.gt(x));
    }

    #[test]
    fn numbers_half_the_circle_apart_follow_wiresharks_macros() {
        // (int32)(0 - 2^31) = i32::MIN < 0, and 2^31 - 0 is the same bit pattern: each number is
        // "before" the other. Pinned here because Wireshark's macros (which we mirror) do this.
        let a = SeqNum(0);
        let b = SeqNum(1 << 31);
        assert!(a.lt(b));
        assert!(b.lt(a));
        assert!(a.gt(b));
    }

    #[test]
    fn byte_range_length_wraps() {
        let r = ByteRange {
            start: u32::MAX - 1,
            end: 2,
        };
        assert_eq!(r.len(), 4);
        assert!(!r.is_empty());
        assert!(ByteRange { start: 7, end: 7 }.is_empty());
    }
}
