//! Sequence analysis as Wireshark 4.0 does it, so that our flag counts agree with tshark's.
//!
//! This mirrors `tcp_analyze_sequence_number()` in Wireshark's `epan/dissectors/packet-tcp.c`
//! (4.0 branch) with its default preferences (analyze sequence numbers, relative sequence
//! numbers, fast retransmission checked before out-of-order, unknown window scale not guessed).
//! The order of the checks and their quirks are kept on purpose: a zero `nextseq`, `lastack` or
//! `maxseqtobeacked` means "not seen yet", exactly as in Wireshark, and times are compared as
//! unsigned nanoseconds, so a clock going backwards never makes a segment "recent".
//!
//! Wireshark also keeps a list of unacknowledged segments per direction; it only feeds RTT and
//! bytes-in-flight, never a flag, except that nothing is added to it (and a SYN or FIN does not
//! advance `nextseq`) once 10,000 segments are unacknowledged. We keep a counter instead of the
//! list: it grows with each segment and is cleared when the peer's ACK advances. That is exact
//! when the peer is never captured (the case where 10,000 is reached) and only differs if more
//! than 10,000 segments are genuinely in flight.

use crate::capture::Timestamp;
use crate::wire::TcpFlags;

use super::Analysis;
use super::endpoint::WindowScale;
use crate::wire::SeqNum;

/// Wireshark's `TCP_MAX_UNACKED_SEGMENTS`.
const MAX_UNACKED_SEGMENTS: u32 = 10_000;
/// A fast retransmission follows the last duplicate ACK within this time (Wireshark: 20 ms).
const FAST_RETRANSMISSION_NS: u64 = 20_000_000;
/// Out-of-order threshold before the handshake gave an RTT (Wireshark: 3 ms).
const DEFAULT_OOO_THRESHOLD_NS: u64 = 3_000_000;

/// One direction's analysis state: Wireshark's `tcp_flow_t` fields the flags depend on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeqFlow {
    /// Highest sequence number seen plus its length (0: none yet).
    pub nextseq: SeqNum,
    pub nextseq_time: Timestamp,
    /// The ack field of this direction's last segment, whatever its flags (0: none yet).
    pub lastack: SeqNum,
    pub lastack_time: Timestamp,
    /// Highest contiguous sequence number seen, for "ACKed unseen segment".
    pub maxseqtobeacked: SeqNum,
    /// Duplicate ACKs in a row; -1 after an "ACKed unseen" to neutralise the next one.
    pub dupacknum: i32,
    /// The raw (unscaled) window of this direction's last segment; `u32::MAX` before any.
    pub window: u32,
    /// True from this direction's SYN until its first segment with ACK and without SYN: while
    /// true the peer does not scale this side's window in the window-full test (issue 14690).
    pub is_first_ack: bool,
    /// Flags of this direction's last segment (for keep-alive ACK and zero-window-probe ACK).
    pub last_flags: Analysis,
    /// Stand-in for the length of Wireshark's unacked-segment list (see module docs).
    pub unacked: u32,
}

impl Default for SeqFlow {
    fn default() -> Self {
        SeqFlow {
            nextseq: SeqNum(0),
            nextseq_time: Timestamp(0),
            lastack: SeqNum(0),
            lastack_time: Timestamp(0),
            maxseqtobeacked: SeqNum(0),
            dupacknum: 0,
            window: u32::MAX,
            is_first_ack: false,
            last_flags: Analysis::NONE,
            unacked: 0,
        }
    }
}

/// The facts of one segment the analysis reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegFacts {
    pub ts: Timestamp,
    pub seq: SeqNum,
    pub ack: SeqNum,
    pub seglen: u32,
    pub flags: TcpFlags,
    /// The window field as sent (Wireshark analyses the unscaled value).
    pub window: u16,
}

/// Nanoseconds from `earlier` to `now` as an unsigned number, wrapping like Wireshark's guint64.
fn elapsed(now: Timestamp, earlier: Timestamp) -> u64 {
    now.nanos_since(earlier) as u64
}

/// Analyse one segment travelling in `fwd`'s direction and update both flows.
///
/// `rev_scale` is the peer's window scale as Wireshark knows it; `first_rtt_ns` the handshake
/// RTT (0 when not measured yet).
#[inline]
pub(crate) fn analyze(
    fwd: &mut SeqFlow,
    rev: &mut SeqFlow,
    rev_scale: WindowScale,
    first_rtt_ns: i64,
    s: SegFacts,
) -> Analysis {
    let mut a = Analysis::NONE;
    let f = s.flags;
    let syn_fin_rst = f.has(TcpFlags::SYN | TcpFlags::FIN | TcpFlags::RST);
    let window = u32::from(s.window);
    let end = s.seq.add(s.seglen);

    'fwd: {
        // ZERO WINDOW PROBE: exactly one octet at the next expected sequence number while the
        // peer's window is zero.
        if s.seglen == 1 && s.seq == fwd.nextseq && rev.window == 0 {
            a |= Analysis::ZERO_WINDOW_PROBE;
            break 'fwd;
        }
        // ZERO WINDOW: window 0 on a segment without SYN, FIN or RST.
        if window == 0 && !syn_fin_rst {
            a |= Analysis::ZERO_WINDOW;
        }
        // LOST PACKET: beyond the highest sequence seen (RST not checked).
        if fwd.nextseq.0 != 0 && s.seq.gt(fwd.nextseq) && !f.rst() {
            a |= Analysis::LOST_SEGMENT;
        }
        // KEEP ALIVE: 0 or 1 octet starting one before the next sequence number.
        if s.seglen <= 1 && s.seq == fwd.nextseq.sub(1) && !syn_fin_rst {
            a |= Analysis::KEEP_ALIVE;
        }
        let same_seq_ack = s.seq == fwd.nextseq && s.ack == fwd.lastack && !syn_fin_rst;
        // WINDOW UPDATE: no data, same seq and ack, a new non-zero window.
        if s.seglen == 0 && window != 0 && window != fwd.window && same_seq_ack {
            a |= Analysis::WINDOW_UPDATE;
        }
        // WINDOW FULL: data reaching exactly the edge of the peer's window, when the peer's
        // scale is known (or known to be unused).
        if s.seglen > 0 && rev_scale != WindowScale::Unknown && !syn_fin_rst {
            let shift = match rev_scale {
                WindowScale::Shift(n) if !rev.is_first_ack => u32::from(n),
                _ => 0,
            };
            if end == rev.lastack.add(rev.window << shift) {
                a |= Analysis::WINDOW_FULL;
            }
        }
        let repeat = s.seglen == 0 && window == fwd.window && same_seq_ack;
        // KEEP ALIVE ACK: repeats the last ACK after the peer's keep-alive.
        if repeat && window != 0 && rev.last_flags.contains(Analysis::KEEP_ALIVE) {
            a |= Analysis::KEEP_ALIVE_ACK;
            break 'fwd;
        }
        // ZERO WINDOW PROBE ACK: repeats the zero window after the peer's probe.
        if repeat && window == 0 && rev.last_flags.contains(Analysis::ZERO_WINDOW_PROBE) {
            a |= Analysis::ZERO_WINDOW_PROBE_ACK;
            break 'fwd;
        }
        // DUPLICATE ACK: no data, same seq, ack and (non-zero) window as the last segment.
        if repeat && window != 0 {
            fwd.dupacknum = if fwd.dupacknum == -1 {
                1
            } else {
                fwd.dupacknum + 1
            };
            a |= Analysis::DUP_ACK;
        }
    }

    // finished_fwd: a new ack number resets the duplicate-ACK count.
    if s.ack != fwd.lastack {
        fwd.dupacknum = 0;
    }

    // ACKED LOST PACKET: acknowledges beyond what we saw the peer send.
    if rev.maxseqtobeacked.0 != 0 && s.ack.gt(rev.maxseqtobeacked) && f.ack() {
        if rev.maxseqtobeacked.lt(rev.nextseq) {
            rev.maxseqtobeacked = rev.nextseq;
            a |= Analysis::ACKED_UNSEEN;
        } else {
            if rev.dupacknum == 0 {
                a |= Analysis::ACKED_UNSEEN;
            }
            rev.dupacknum = -1;
        }
    }

    // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER, for segments that occupy
    // sequence space.
    'retrans: {
        if !(s.seglen > 0 || f.has(TcpFlags::SYN | TcpFlags::FIN)) {
            break 'retrans;
        }
        let mut seq_not_advanced = fwd.nextseq.0 != 0 && s.seq.lt(fwd.nextseq);
        if a.contains(Analysis::KEEP_ALIVE) {
            break 'retrans;
        }
        // One below nextseq with more than one octet: new data after a zero-window probe.
        if s.seglen > 1 && fwd.nextseq.sub(1) == s.seq {
            seq_not_advanced = false;
        }
        if s.seglen > 0 && rev.lastack.0 != 0 && end.le(rev.lastack) {
            a |= Analysis::SPURIOUS_RETRANSMISSION | Analysis::RETRANSMISSION;
            break 'retrans;
        }
        if seq_not_advanced
            && rev.dupacknum >= 2
            && rev.lastack == s.seq
            && elapsed(s.ts, rev.lastack_time) < FAST_RETRANSMISSION_NS
        {
            a |= Analysis::FAST_RETRANSMISSION | Analysis::RETRANSMISSION;
            break 'retrans;
        }
        let ooo_threshold = if first_rtt_ns == 0 {
            DEFAULT_OOO_THRESHOLD_NS
        } else {
            first_rtt_ns as u64
        };
        let occupied = end.add(u32::from(f.has(TcpFlags::SYN | TcpFlags::FIN)));
        if seq_not_advanced
            && elapsed(s.ts, fwd.nextseq_time) < ooo_threshold
            && fwd.nextseq != occupied
        {
            a |= Analysis::OUT_OF_ORDER;
            break 'retrans;
        }
        if seq_not_advanced {
            a |= Analysis::RETRANSMISSION;
        }
    }

    // finished_checking_retransmission_type: remember the highest sequence seen.
    let mut nextseq = end;
    if (s.seglen > 0 || f.has(TcpFlags::SYN | TcpFlags::FIN)) && fwd.unacked < MAX_UNACKED_SEGMENTS
    {
        fwd.unacked += 1;
        if f.has(TcpFlags::SYN | TcpFlags::FIN) {
            nextseq = nextseq.add(1);
        }
    }
    let probe = a.contains(Analysis::ZERO_WINDOW_PROBE);
    if (nextseq.gt(fwd.nextseq) || fwd.nextseq.0 == 0) && !probe {
        fwd.nextseq = nextseq;
        fwd.nextseq_time = s.ts;
    }
    if (s.seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked.0 == 0) && !probe {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    // Our stand-in for Wireshark dropping acknowledged segments from the peer's list.
    if f.ack() && s.ack.gt(fwd.lastack) {
        rev.unacked = 0;
    }
    fwd.window = window;
    fwd.lastack = s.ack;
    fwd.lastack_time = s.ts;
    fwd.last_flags = a;
    a
}
