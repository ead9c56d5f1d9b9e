//! The compact form of a connection that is over: every field of its [`Connection`] and of the
//! model's `Track`, written as variable-length integers (a million finished connections keep
//! about 100 bytes each instead of ~500).
//!
//! It is lossless, not a summary: a late segment on a finished connection (a retransmitted
//! FIN, a RST after the close) thaws it and is analysed exactly as if it had stayed in memory
//! whole. Every struct is taken apart without `..`, so a field added to the model fails to
//! compile here until it is written and read back.

use std::net::SocketAddr;

use crate::capture::Timestamp;
use crate::wire::SeqNum;

use super::conn::{Connection, DirStats, FlagCounts};
use super::endpoint::{Endpoint, WindowScale};
use super::update::Track;
use super::wireshark::SeqFlow;
use super::{AnalysisCounts, TcpState};

/// More bytes than [`freeze`] ever writes (every field at its longest, IPv6 addresses: 511).
const MAX_FROZEN: usize = 640;

/// Append `conn` and `track`, frozen, to `out`.
pub(super) fn freeze(conn: &Connection, track: &Track, out: &mut Vec<u8>) {
    let mut w = Writer {
        buf: [0; MAX_FROZEN],
        len: 0,
    };
    w.fields(conn, track);
    out.extend_from_slice(&w.buf[..w.len]);
}

impl Writer {
    fn fields(&mut self, conn: &Connection, track: &Track) {
        let w = self;
        let Connection {
            id: _,
            client,
            server,
            first_ts,
            last_ts,
            handshake_seen,
            mid_stream,
            half_close,
            refused,
            to_server,
            to_client,
            flags,
            analysis,
            client_state,
            server_state,
            client_endpoint,
            server_endpoint,
        } = conn;
        w.addr(*client);
        w.addr(*server);
        w.extend(&first_ts.0.to_le_bytes());
        w.signed(last_ts.0.wrapping_sub(first_ts.0));
        w.bits(&[*handshake_seen, *mid_stream, *half_close, *refused]);
        w.push((state_code(*client_state) << 4) | state_code(*server_state));
        w.stats(to_server);
        w.stats(to_client);
        let FlagCounts {
            syn,
            syn_ack,
            fin,
            rst,
        } = *flags;
        for n in [syn, syn_ack, fin, rst] {
            w.varint(u64::from(n));
        }
        w.analysis(analysis);
        w.endpoint(client_endpoint, *client);
        w.endpoint(server_endpoint, *server);

        let Track {
            client_is_a,
            flows,
            last_syn,
            first_rtt_ns,
            syn_seen,
            synack_seen,
        } = track;
        w.bits(&[*client_is_a, *syn_seen, *synack_seen, last_syn.is_some()]);
        if let Some(t) = last_syn {
            w.signed(t.0.wrapping_sub(first_ts.0));
        }
        w.signed(*first_rtt_ns);
        // The to-server flow carries the client's sequence numbers and the server's acks.
        let (c, s) = (client_endpoint.base_seq, server_endpoint.base_seq);
        w.flow(&flows[0], c, s, *first_ts);
        w.flow(&flows[1], s, c, *first_ts);
    }
}

fn state_code(s: TcpState) -> u8 {
    TcpState::ALL.iter().position(|&x| x == s).unwrap_or(0) as u8
}

fn state_of(code: u8) -> TcpState {
    TcpState::ALL
        .get(usize::from(code))
        .copied()
        .expect("a frozen state code was written by state_code")
}

/// A frozen record being written: in a buffer of its own, copied out once whole.
struct Writer {
    buf: [u8; MAX_FROZEN],
    len: usize,
}

impl Writer {
    #[inline]
    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    #[inline]
    fn extend(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    #[inline]
    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.push(n as u8);
    }

    /// Zig-zag: small magnitudes of either sign stay short.
    fn signed(&mut self, n: i64) {
        self.varint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn bits<const N: usize>(&mut self, bits: &[bool; N]) {
        let mut v = 0u64;
        for (i, &b) in bits.iter().enumerate() {
            v |= u64::from(b) << i;
        }
        self.varint(v);
    }

    fn addr(&mut self, a: SocketAddr) {
        match a {
            SocketAddr::V4(v4) => {
                self.push(4);
                self.extend(&v4.ip().octets());
                self.extend(&v4.port().to_le_bytes());
            }
            SocketAddr::V6(v6) => {
                self.push(6);
                self.extend(&v6.ip().octets());
                self.extend(&v6.port().to_le_bytes());
                self.varint(u64::from(v6.flowinfo()));
                self.varint(u64::from(v6.scope_id()));
            }
        }
    }

    fn stats(&mut self, s: &DirStats) {
        let DirStats {
            packets,
            bytes,
            payload_bytes,
        } = *s;
        self.varint(packets);
        self.varint(bytes);
        self.varint(payload_bytes);
    }

    /// A mask of the counts that are not zero, then those counts.
    fn analysis(&mut self, a: &AnalysisCounts) {
        let counts = analysis_fields(a);
        let mut mask = 0u64;
        for (i, &n) in counts.iter().enumerate() {
            mask |= u64::from(n != 0) << i;
        }
        self.varint(mask);
        for n in counts.into_iter().filter(|&n| n != 0) {
            self.varint(u64::from(n));
        }
    }

    fn endpoint(&mut self, e: &Endpoint, conn_addr: SocketAddr) {
        let Endpoint {
            addr,
            isn,
            base_seq,
            base_known,
            mss,
            window_scale_option,
            sack_permitted,
            timestamps,
            window_scale,
            last_window,
            next_seq,
            fin_seq,
        } = *e;
        let isn_is_base = isn == Some(base_seq);
        self.bits(&[
            addr == conn_addr,
            isn.is_some(),
            isn_is_base,
            base_known,
            mss.is_some(),
            window_scale_option.is_some(),
            sack_permitted,
            timestamps,
            fin_seq.is_some(),
        ]);
        if addr != conn_addr {
            self.addr(addr);
        }
        self.extend(&base_seq.0.to_le_bytes());
        if let (Some(isn), false) = (isn, isn_is_base) {
            self.extend(&isn.0.to_le_bytes());
        }
        if let Some(mss) = mss {
            self.varint(u64::from(mss));
        }
        if let Some(shift) = window_scale_option {
            self.push(shift);
        }
        self.varint(match window_scale {
            WindowScale::Unknown => 0,
            WindowScale::NotUsed => 1,
            WindowScale::Shift(n) => 2 + u64::from(n),
        });
        self.varint(u64::from(last_window));
        self.varint(u64::from(next_seq.0));
        if let Some(fin) = fin_seq {
            self.varint(u64::from(fin.0));
        }
    }

    /// One direction's analysis state; sequence numbers from `seq_base` (the sender's), acks
    /// from `ack_base` (the receiver's), times from the connection's first: all small.
    fn flow(&mut self, f: &SeqFlow, seq_base: SeqNum, ack_base: SeqNum, first: Timestamp) {
        let SeqFlow {
            nextseq,
            nextseq_time,
            lastack,
            lastack_time,
            maxseqtobeacked,
            dupacknum,
            window,
            is_first_ack,
            last_flags,
            unacked,
        } = *f;
        let unset = Timestamp(0);
        self.bits(&[is_first_ack, nextseq_time != unset, lastack_time != unset]);
        self.varint(u64::from(nextseq.0.wrapping_sub(seq_base.0)));
        if nextseq_time != unset {
            self.signed(nextseq_time.0.wrapping_sub(first.0));
        }
        self.varint(u64::from(lastack.0.wrapping_sub(ack_base.0)));
        if lastack_time != unset {
            self.signed(lastack_time.0.wrapping_sub(first.0));
        }
        self.varint(u64::from(maxseqtobeacked.0.wrapping_sub(seq_base.0)));
        self.signed(i64::from(dupacknum));
        // `u32::MAX` (no segment yet) as 0.
        self.varint(u64::from(window.wrapping_add(1)));
        self.varint(u64::from(last_flags.0));
        self.varint(u64::from(unacked));
    }
}

/// The counts in a fixed order (the one [`Reader::analysis`] reads back).
fn analysis_fields(a: &AnalysisCounts) -> [u32; 15] {
    let AnalysisCounts {
        retransmission,
        fast_retransmission,
        spurious_retransmission,
        out_of_order,
        dup_ack,
        zero_window,
        zero_window_probe,
        window_full,
        window_update,
        keep_alive,
        zero_window_probe_ack,
        keep_alive_ack,
        lost_segment,
        acked_unseen,
        reused_ports,
    } = *a;
    [
        retransmission,
        fast_retransmission,
        spurious_retransmission,
        out_of_order,
        dup_ack,
        zero_window,
        zero_window_probe,
        window_full,
        window_update,
        keep_alive,
        zero_window_probe_ack,
        keep_alive_ack,
        lost_segment,
        acked_unseen,
        reused_ports,
    ]
}

#[path = "frozen_read.rs"]
mod read;
pub(super) use read::{thaw, thaw_connection};

#[cfg(test)]
#[path = "frozen_tests.rs"]
mod tests;
