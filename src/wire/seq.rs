//! Sequence space (RFC 9293 §3.4): the wrapping arithmetic, in one place.
//!
//! Sequence numbers live on a circle of 2^32: "before" and "after" only make sense for numbers
//! less than 2^31 apart. Three types keep the units apart:
//! - [`SeqNum`]: an absolute number as it appears in the header (the wire produces these);
//! - [`RelSeq`]: a number relative to one side's base (its ISN), as Wireshark shows them;
//! - [`SeqRange`]: a half-open range of relative numbers (a payload, a SACK block).
//!
//! Every wrapping add, subtract and circular comparison of sequence numbers is written here and
//! tested at the wrap; the TCP model (`tcp/`, which re-exports these types) only calls them.

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
    pub const fn since(self, base: SeqNum) -> RelSeq {
        RelSeq(self.0.wrapping_sub(base.0))
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

/// The sequence space a segment occupies (RFC 9293 §3.4, SEG.LEN): its payload plus one for a
/// SYN and one for a FIN, modulo 2^32.
#[inline]
pub const fn seg_len(payload_len: u32, syn: bool, fin: bool) -> u32 {
    payload_len
        .wrapping_add(syn as u32)
        .wrapping_add(fin as u32)
}

/// A sequence number relative to one side's base (its initial sequence number, or one below
/// the first number seen when the SYN was not captured): Wireshark's "relative sequence number".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RelSeq(pub u32);

impl RelSeq {
    /// The number `len` octets further on, modulo 2^32.
    #[inline]
    pub const fn add(self, len: u32) -> RelSeq {
        RelSeq(self.0.wrapping_add(len))
    }

    /// `self > other` on the circle, as for [`SeqNum::gt`].
    #[inline]
    pub const fn gt(self, other: RelSeq) -> bool {
        SeqNum(self.0).gt(SeqNum(other.0))
    }

    /// The number as shown to a person (Wireshark's `tcp.seq` with relative numbers on).
    #[inline]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for RelSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A half-open range of relative sequence numbers `[start, end)`: the payload octets of one
/// segment, or one SACK block (RFC 2018 §3: left edge inclusive, right edge exclusive).
///
/// Not to be confused with `timeline::ByteRange`, which counts a socket's stream bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqRange {
    pub start: RelSeq,
    pub end: RelSeq,
}

impl SeqRange {
    /// The `len` octets from `start` on (the end wraps past relative 2^32).
    #[inline]
    pub const fn at(start: RelSeq, len: u32) -> SeqRange {
        SeqRange {
            start,
            end: start.add(len),
        }
    }

    /// Number of octets in the range (wrapping: a range may straddle relative 2^32).
    pub const fn len(self) -> u32 {
        self.end.0.wrapping_sub(self.start.0)
    }

    pub const fn is_empty(self) -> bool {
        self.start.0 == self.end.0
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
        assert_eq!(SeqNum(5).since(SeqNum(u32::MAX - 4)), RelSeq(10));
        assert_eq!(SeqNum(100).since(SeqNum(100)), RelSeq(0));
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
    fn seg_len_counts_syn_and_fin_and_wraps() {
        assert_eq!(seg_len(100, false, false), 100);
        assert_eq!(seg_len(0, true, false), 1);
        assert_eq!(seg_len(10, true, true), 12);
        assert_eq!(seg_len(u32::MAX, true, false), 0);
    }

    #[test]
    fn relative_numbers_add_and_compare_across_the_wrap() {
        let near_end = RelSeq(u32::MAX - 1);
        assert_eq!(near_end.add(3), RelSeq(1));
        assert!(RelSeq(1).gt(near_end));
        assert!(!near_end.gt(RelSeq(1)));
        assert!(!RelSeq(7).gt(RelSeq(7)));
    }

    #[test]
    fn seq_range_length_wraps() {
        let r = SeqRange {
            start: RelSeq(u32::MAX - 1),
            end: RelSeq(2),
        };
        assert_eq!(r.len(), 4);
        assert!(!r.is_empty());
        assert_eq!(
            SeqRange::at(RelSeq(u32::MAX), 3),
            SeqRange {
                start: RelSeq(u32::MAX),
                end: RelSeq(2),
            }
        );
        assert!(
            SeqRange {
                start: RelSeq(7),
                end: RelSeq(7)
            }
            .is_empty()
        );
    }
}
