//! Wireshark-style analysis flags for a segment, and their per-connection totals.
//!
//! The meanings are those of Wireshark 4.0's `tcp.analysis.*` fields; how they are computed is in
//! `wireshark.rs` beside this file.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// Bit set of analysis findings for one segment (meanings as Wireshark's `tcp.analysis.*`).
///
/// Like Wireshark's display filter `tcp.analysis.retransmission`, [`Analysis::RETRANSMISSION`] is
/// also set on fast and spurious retransmissions: Wireshark adds the generic retransmission
/// expert item to both, so counts of this bit agree with
/// `tshark -Y tcp.analysis.retransmission`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Analysis(pub u16);

impl Analysis {
    pub const NONE: Analysis = Analysis(0);
    /// `tcp.analysis.retransmission`: data (or SYN/FIN) below the highest sequence seen.
    pub const RETRANSMISSION: Analysis = Analysis(1 << 0);
    /// `tcp.analysis.fast_retransmission`: a retransmission of what >= 2 duplicate ACKs asked
    /// for, within 20 ms of the last of them.
    pub const FAST_RETRANSMISSION: Analysis = Analysis(1 << 1);
    /// `tcp.analysis.spurious_retransmission`: data the receiver had already acknowledged.
    pub const SPURIOUS_RETRANSMISSION: Analysis = Analysis(1 << 2);
    /// `tcp.analysis.out_of_order`: a gap filled soon (within the handshake RTT, or 3 ms).
    pub const OUT_OF_ORDER: Analysis = Analysis(1 << 3);
    /// `tcp.analysis.duplicate_ack`: a pure ACK repeating seq, ack and window.
    pub const DUP_ACK: Analysis = Analysis(1 << 4);
    /// `tcp.analysis.zero_window`: the sender advertises a zero receive window.
    pub const ZERO_WINDOW: Analysis = Analysis(1 << 5);
    /// `tcp.analysis.zero_window_probe`: one octet sent into a closed window (RFC 9293 §3.8.6.1).
    pub const ZERO_WINDOW_PROBE: Analysis = Analysis(1 << 6);
    /// `tcp.analysis.zero_window_probe_ack`: the answer to a zero-window probe.
    pub const ZERO_WINDOW_PROBE_ACK: Analysis = Analysis(1 << 7);
    /// `tcp.analysis.window_full`: the segment fills the peer's advertised window exactly.
    pub const WINDOW_FULL: Analysis = Analysis(1 << 8);
    /// `tcp.analysis.window_update`: a pure ACK that only changes the window.
    pub const WINDOW_UPDATE: Analysis = Analysis(1 << 9);
    /// `tcp.analysis.keep_alive`: 0 or 1 octet at one below the next sequence number
    /// (RFC 9293 §3.8.4).
    pub const KEEP_ALIVE: Analysis = Analysis(1 << 10);
    /// `tcp.analysis.keep_alive_ack`: the answer to a keep-alive.
    pub const KEEP_ALIVE_ACK: Analysis = Analysis(1 << 11);
    /// `tcp.analysis.lost_segment` ("previous segment not captured"): a hole before this one.
    pub const LOST_SEGMENT: Analysis = Analysis(1 << 12);
    /// `tcp.analysis.ack_lost_segment` ("ACKed unseen segment"): acknowledges data never seen.
    pub const ACKED_UNSEEN: Analysis = Analysis(1 << 13);
    /// `tcp.analysis.reused_ports`: a SYN with a new ISN on a 4-tuple already seen.
    pub const REUSED_PORTS: Analysis = Analysis(1 << 14);

    pub const fn contains(self, other: Analysis) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Each flag's name as Wireshark's field (without `tcp.analysis.`), in bit order.
    pub const NAMES: [(Analysis, &'static str); 15] = [
        (Self::RETRANSMISSION, "retransmission"),
        (Self::FAST_RETRANSMISSION, "fast_retransmission"),
        (Self::SPURIOUS_RETRANSMISSION, "spurious_retransmission"),
        (Self::OUT_OF_ORDER, "out_of_order"),
        (Self::DUP_ACK, "duplicate_ack"),
        (Self::ZERO_WINDOW, "zero_window"),
        (Self::ZERO_WINDOW_PROBE, "zero_window_probe"),
        (Self::ZERO_WINDOW_PROBE_ACK, "zero_window_probe_ack"),
        (Self::WINDOW_FULL, "window_full"),
        (Self::WINDOW_UPDATE, "window_update"),
        (Self::KEEP_ALIVE, "keep_alive"),
        (Self::KEEP_ALIVE_ACK, "keep_alive_ack"),
        (Self::LOST_SEGMENT, "lost_segment"),
        (Self::ACKED_UNSEEN, "ack_lost_segment"),
        (Self::REUSED_PORTS, "reused_ports"),
    ];
}

impl BitOr for Analysis {
    type Output = Analysis;
    fn bitor(self, rhs: Analysis) -> Analysis {
        Analysis(self.0 | rhs.0)
    }
}

impl BitOrAssign for Analysis {
    fn bitor_assign(&mut self, rhs: Analysis) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for Analysis {
    /// Comma-separated Wireshark field names; empty when no flag is set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (bit, name) in Self::NAMES {
            if self.contains(bit) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// Per-connection totals of each finding: how many segments carried each flag. Serialized as
/// is into `inspect --json`'s `analysis` object. 32 bits each (saturating): a connection would
/// need four billion segments to fill one, and a million connections keep 60 MB less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct AnalysisCounts {
    pub retransmission: u32,
    pub fast_retransmission: u32,
    pub spurious_retransmission: u32,
    pub out_of_order: u32,
    pub dup_ack: u32,
    pub zero_window: u32,
    pub zero_window_probe: u32,
    pub window_full: u32,
    pub window_update: u32,
    pub keep_alive: u32,
    pub zero_window_probe_ack: u32,
    pub keep_alive_ack: u32,
    pub lost_segment: u32,
    pub acked_unseen: u32,
    pub reused_ports: u32,
}

impl AnalysisCounts {
    /// Count one segment's findings.
    pub fn add(&mut self, a: Analysis) {
        let count = |bit: Analysis, n: &mut u32| *n = n.saturating_add(u32::from(a.contains(bit)));
        count(Analysis::RETRANSMISSION, &mut self.retransmission);
        count(Analysis::FAST_RETRANSMISSION, &mut self.fast_retransmission);
        count(
            Analysis::SPURIOUS_RETRANSMISSION,
            &mut self.spurious_retransmission,
        );
        count(Analysis::OUT_OF_ORDER, &mut self.out_of_order);
        count(Analysis::DUP_ACK, &mut self.dup_ack);
        count(Analysis::ZERO_WINDOW, &mut self.zero_window);
        count(Analysis::ZERO_WINDOW_PROBE, &mut self.zero_window_probe);
        count(Analysis::WINDOW_FULL, &mut self.window_full);
        count(Analysis::WINDOW_UPDATE, &mut self.window_update);
        count(Analysis::KEEP_ALIVE, &mut self.keep_alive);
        count(
            Analysis::ZERO_WINDOW_PROBE_ACK,
            &mut self.zero_window_probe_ack,
        );
        count(Analysis::KEEP_ALIVE_ACK, &mut self.keep_alive_ack);
        count(Analysis::LOST_SEGMENT, &mut self.lost_segment);
        count(Analysis::ACKED_UNSEEN, &mut self.acked_unseen);
        count(Analysis::REUSED_PORTS, &mut self.reused_ports);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_wireshark_names() {
        let a = Analysis::RETRANSMISSION | Analysis::FAST_RETRANSMISSION;
        assert_eq!(a.to_string(), "retransmission,fast_retransmission");
        assert_eq!(Analysis::NONE.to_string(), "");
    }

    #[test]
    fn counts_add_each_bit_once() {
        let mut c = AnalysisCounts::default();
        c.add(Analysis::RETRANSMISSION | Analysis::SPURIOUS_RETRANSMISSION);
        c.add(Analysis::DUP_ACK);
        assert_eq!(c.retransmission, 1);
        assert_eq!(c.spurious_retransmission, 1);
        assert_eq!(c.dup_ack, 1);
        assert_eq!(c.fast_retransmission, 0);
    }
}
