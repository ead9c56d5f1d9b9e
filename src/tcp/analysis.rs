//! Wireshark-style analysis flags for a segment. (Skeleton.)

/// Bit set of analysis findings for one segment (meanings as Wireshark's `tcp.analysis.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Analysis(pub u16);

/// Per-connection totals of each finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnalysisCounts {
    pub retransmission: u64,
    pub fast_retransmission: u64,
    pub spurious_retransmission: u64,
    pub out_of_order: u64,
    pub dup_ack: u64,
    pub zero_window: u64,
    pub zero_window_probe: u64,
    pub window_full: u64,
    pub window_update: u64,
    pub keep_alive: u64,
}
