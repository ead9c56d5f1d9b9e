//! Reading a frozen record back (see the parent module for the form).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use crate::capture::Timestamp;
use crate::wire::{RelSeq, SeqNum};

use super::super::conn::{ConnId, Connection, DirStats, FlagCounts};
use super::super::endpoint::{Endpoint, WindowScale};
use super::super::update::Track;
use super::super::wireshark::SeqFlow;
use super::super::{Analysis, AnalysisCounts};
use super::state_of;

/// Connection `id` and its track, read back from what [`freeze`] wrote at the start of
/// `bytes`, and how many bytes it took.
pub(in crate::tcp) fn thaw(id: ConnId, bytes: &[u8]) -> (Connection, Track, usize) {
    let mut r = Reader { bytes, at: 0 };
    let conn = r.connection(id);
    let track = r.track(&conn);
    (conn, track, r.at)
}

/// Just [`Connection`] out of a frozen record (its track is not read).
pub(in crate::tcp) fn thaw_connection(id: ConnId, bytes: &[u8]) -> Connection {
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
