//! The compact form of a connection that is over: every field of its [`Connection`] and of the
//! model's `Track`, written as variable-length integers (a million finished connections keep
//! about 100 bytes each instead of ~500).
//!
//! It is lossless, not a summary: a late segment on a finished connection (a retransmitted
//! FIN, a RST after the close) thaws it and is analysed exactly as if it had stayed in memory
//! whole. Every struct is taken apart without `..`, so a field added to the model fails to
//! compile here until it is written and read back.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use crate::capture::Timestamp;
use crate::wire::{RelSeq, SeqNum};

use super::conn::{ConnId, Connection, DirStats, FlagCounts};
use super::endpoint::{Endpoint, WindowScale};
use super::update::Track;
use super::wireshark::SeqFlow;
use super::{Analysis, AnalysisCounts, TcpState};

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

/// Connection `id` and its track, read back from what [`freeze`] wrote at the start of
/// `bytes`, and how many bytes it took.
pub(super) fn thaw(id: ConnId, bytes: &[u8]) -> (Connection, Track, usize) {
    let mut r = Reader { bytes, at: 0 };
    let conn = r.connection(id);
    let track = r.track(&conn);
    (conn, track, r.at)
}

/// Just [`Connection`] out of a frozen record (its track is not read).
pub(super) fn thaw_connection(id: ConnId, bytes: &[u8]) -> Connection {
    Reader { bytes, at: 0 }.connection(id)
}

impl Reader<'_> {
    fn connection(&mut self, id: ConnId) -> Connection {
        let client = self.addr();
        let server = self.addr();
        let first_ts = Timestamp(i64::from_le_bytes(self.array()));
        let last_ts = Timestamp(first_ts.0.wrapping_add(self.signed()));
        let [handshake_seen, mid_stream, half_close, refused] = self.bits();
        let states = self.byte();
        let to_server = self.stats();
        let to_client = self.stats();
        let flags = FlagCounts {
            syn: self.u32(),
            syn_ack: self.u32(),
            fin: self.u32(),
            rst: self.u32(),
        };
        let analysis = self.analysis();
        let client_endpoint = self.endpoint(client);
        let server_endpoint = self.endpoint(server);
        Connection {
            id,
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
            client_state: state_of(states >> 4),
            server_state: state_of(states & 0xf),
            client_endpoint,
            server_endpoint,
        }
    }

    fn track(&mut self, conn: &Connection) -> Track {
        let first_ts = conn.first_ts;
        let [client_is_a, syn_seen, synack_seen, has_last_syn] = self.bits();
        let last_syn = has_last_syn.then(|| Timestamp(first_ts.0.wrapping_add(self.signed())));
        let first_rtt_ns = self.signed();
        let (c, s) = (conn.client_endpoint.base_seq, conn.server_endpoint.base_seq);
        let to_server_flow = self.flow(c, s, first_ts);
        let to_client_flow = self.flow(s, c, first_ts);
        Track {
            client_is_a,
            flows: [to_server_flow, to_client_flow],
            last_syn,
            first_rtt_ns,
            syn_seen,
            synack_seen,
        }
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

/// Reads what [`Writer`] wrote. The bytes are the tracker's own: running past their end is a
/// bug, and panics as one.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.bytes[self.at..self.at + N]);
        self.at += N;
        a
    }

    fn varint(&mut self) -> u64 {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    /// A varint that [`Writer`] wrote from a `u32`.
    fn u32(&mut self) -> u32 {
        self.varint() as u32
    }

    fn signed(&mut self) -> i64 {
        let z = self.varint();
        ((z >> 1) as i64) ^ -((z & 1) as i64)
    }

    fn bits<const N: usize>(&mut self) -> [bool; N] {
        let v = self.varint();
        std::array::from_fn(|i| v & (1 << i) != 0)
    }

    fn addr(&mut self) -> SocketAddr {
        match self.byte() {
            4 => {
                let ip = Ipv4Addr::from(self.array::<4>());
                let port = u16::from_le_bytes(self.array());
                SocketAddr::new(IpAddr::V4(ip), port)
            }
            _ => {
                let ip = Ipv6Addr::from(self.array::<16>());
                let port = u16::from_le_bytes(self.array());
                let flowinfo = self.u32();
                let scope = self.u32();
                SocketAddr::V6(SocketAddrV6::new(ip, port, flowinfo, scope))
            }
        }
    }

    fn stats(&mut self) -> DirStats {
        DirStats {
            packets: self.varint(),
            bytes: self.varint(),
            payload_bytes: self.varint(),
        }
    }

    fn analysis(&mut self) -> AnalysisCounts {
        let mask = self.varint();
        let mut n = [0u32; 15];
        for (i, slot) in n.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                *slot = self.u32();
            }
        }
        let [
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
        ] = n;
        AnalysisCounts {
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
        }
    }

    fn endpoint(&mut self, conn_addr: SocketAddr) -> Endpoint {
        let [
            same_addr,
            has_isn,
            isn_is_base,
            base_known,
            has_mss,
            has_wso,
            sack_permitted,
            timestamps,
            has_fin,
        ] = self.bits();
        let addr = if same_addr { conn_addr } else { self.addr() };
        let base_seq = SeqNum(u32::from_le_bytes(self.array()));
        let isn = match (has_isn, isn_is_base) {
            (false, _) => None,
            (true, true) => Some(base_seq),
            (true, false) => Some(SeqNum(u32::from_le_bytes(self.array()))),
        };
        let mss = has_mss.then(|| self.varint() as u16);
        let window_scale_option = has_wso.then(|| self.byte());
        let window_scale = match self.varint() {
            0 => WindowScale::Unknown,
            1 => WindowScale::NotUsed,
            n => WindowScale::Shift((n - 2) as u8),
        };
        let last_window = self.u32();
        let next_seq = RelSeq(self.u32());
        let fin_seq = has_fin.then(|| RelSeq(self.u32()));
        Endpoint {
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
        }
    }

    fn flow(&mut self, seq_base: SeqNum, ack_base: SeqNum, first: Timestamp) -> SeqFlow {
        let [is_first_ack, has_nextseq_time, has_lastack_time] = self.bits();
        let time = |r: &mut Self, present: bool| {
            if present {
                Timestamp(first.0.wrapping_add(r.signed()))
            } else {
                Timestamp(0)
            }
        };
        let nextseq = SeqNum(seq_base.0.wrapping_add(self.u32()));
        let nextseq_time = time(self, has_nextseq_time);
        let lastack = SeqNum(ack_base.0.wrapping_add(self.u32()));
        let lastack_time = time(self, has_lastack_time);
        let maxseqtobeacked = SeqNum(seq_base.0.wrapping_add(self.u32()));
        let dupacknum = self.signed() as i32;
        let window = self.u32().wrapping_sub(1);
        let last_flags = Analysis(self.varint() as u16);
        let unacked = self.u32();
        SeqFlow {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv6Addr, SocketAddrV6};

    use super::*;

    /// Every field at its longest (IPv6 with flow info and scope, counts at their maximum,
    /// times far apart): the record fits [`MAX_FROZEN`] and reads back the same.
    #[test]
    fn the_longest_record_fits_and_reads_back() {
        let addr = |port| {
            SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(u128::MAX),
                port,
                u32::MAX,
                u32::MAX,
            ))
        };
        let far = Timestamp(i64::MIN);
        let stats = DirStats {
            packets: u64::MAX,
            bytes: u64::MAX,
            payload_bytes: u64::MAX,
        };
        let endpoint = |port: u16| Endpoint {
            addr: addr(port + 1),
            isn: Some(SeqNum(7)),
            base_seq: SeqNum(u32::MAX),
            base_known: true,
            mss: Some(u16::MAX),
            window_scale_option: Some(u8::MAX),
            sack_permitted: true,
            timestamps: true,
            window_scale: WindowScale::Shift(u8::MAX),
            last_window: u32::MAX,
            next_seq: RelSeq(u32::MAX),
            fin_seq: Some(RelSeq(u32::MAX)),
        };
        let mut analysis = AnalysisCounts::default();
        for _ in 0..2 {
            analysis.add(Analysis(u16::MAX));
        }
        let conn = Connection {
            id: ConnId(3),
            client: addr(1),
            server: addr(2),
            first_ts: Timestamp(i64::MAX),
            last_ts: far,
            handshake_seen: true,
            mid_stream: true,
            half_close: true,
            refused: true,
            to_server: stats,
            to_client: stats,
            flags: FlagCounts {
                syn: u32::MAX,
                syn_ack: u32::MAX,
                fin: u32::MAX,
                rst: u32::MAX,
            },
            analysis: AnalysisCounts {
                retransmission: u32::MAX,
                reused_ports: u32::MAX,
                ..analysis
            },
            client_state: TcpState::TimeWait,
            server_state: TcpState::LastAck,
            client_endpoint: endpoint(10),
            server_endpoint: endpoint(20),
        };
        let flow = SeqFlow {
            nextseq: SeqNum(3),
            nextseq_time: far,
            lastack: SeqNum(4),
            lastack_time: far,
            maxseqtobeacked: SeqNum(5),
            dupacknum: i32::MIN,
            window: u32::MAX - 1,
            is_first_ack: true,
            last_flags: Analysis(u16::MAX),
            unacked: u32::MAX,
        };
        let track = Track {
            client_is_a: true,
            flows: [flow, flow],
            last_syn: Some(far),
            first_rtt_ns: i64::MIN,
            syn_seen: true,
            synack_seen: true,
        };
        let mut out = vec![9];
        freeze(&conn, &track, &mut out);
        assert!(out.len() - 1 <= MAX_FROZEN, "{} bytes", out.len() - 1);
        let (c, t, len) = thaw(ConnId(3), &out[1..]);
        assert_eq!(len, out.len() - 1);
        assert_eq!(format!("{c:?}"), format!("{conn:?}"));
        assert_eq!(format!("{t:?}"), format!("{track:?}"));
        assert_eq!(
            format!("{:?}", thaw_connection(ConnId(3), &out[1..])),
            format!("{conn:?}")
        );
    }
}
