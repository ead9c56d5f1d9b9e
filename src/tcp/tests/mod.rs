//! Unit tests of the TCP model, one behaviour each, in the manner of smoltcp's socket tests:
//! build segments between 127.0.0.1 ports, push them, assert what the model says.

mod analysis;
mod close;
mod freeze;
mod open;
mod props;
mod window;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::capture::Timestamp;
use crate::wire::{Segment, SeqNum, TcpFlags, TcpOptions};

use super::{SegmentInfo, Tracker};

pub(super) const CLIENT: u16 = 40_000;
pub(super) const SERVER: u16 = 80;
pub(super) const CLIENT_ISN: u32 = 1_000;
pub(super) const SERVER_ISN: u32 = 5_000;

pub(super) const SYN: u16 = TcpFlags::SYN;
pub(super) const ACK: u16 = TcpFlags::ACK;
pub(super) const FIN: u16 = TcpFlags::FIN;
pub(super) const RST: u16 = TcpFlags::RST;
pub(super) const PSH: u16 = TcpFlags::PSH;

pub(super) fn addr(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// A segment from port `src` to port `dst` on 127.0.0.1, window 1000, no options.
pub(super) fn seg(
    src: u16,
    dst: u16,
    flags: u16,
    seq: u32,
    ack: u32,
    len: u32,
) -> Segment<'static> {
    Segment {
        src: addr(src),
        dst: addr(dst),
        seq: SeqNum(seq),
        ack: SeqNum(ack),
        flags: TcpFlags(flags),
        window: 1000,
        options: TcpOptions::default(),
        payload_len: len,
        payload: &[],
        truncated: false,
    }
}

/// Segment from the client (port 40000) to the server (port 80).
pub(super) fn c2s(flags: u16, seq: u32, ack: u32, len: u32) -> Segment<'static> {
    seg(CLIENT, SERVER, flags, seq, ack, len)
}

/// Segment from the server to the client.
pub(super) fn s2c(flags: u16, seq: u32, ack: u32, len: u32) -> Segment<'static> {
    seg(SERVER, CLIENT, flags, seq, ack, len)
}

pub(super) fn with_window(mut s: Segment<'static>, window: u16) -> Segment<'static> {
    s.window = window;
    s
}

pub(super) fn with_wscale(mut s: Segment<'static>, shift: u8) -> Segment<'static> {
    s.options.window_scale = Some(shift);
    s
}

/// A tracker with a clock: each push advances time by `step` (10 ms unless changed), far from
/// the epoch as real captures are.
pub(super) struct Wire {
    pub tracker: Tracker,
    pub now: i64,
    pub step: i64,
}

impl Wire {
    pub fn new() -> Self {
        Wire {
            tracker: Tracker::new(),
            now: 1_700_000_000_000_000_000,
            step: 10_000_000,
        }
    }

    pub fn push(&mut self, s: Segment<'_>) -> SegmentInfo {
        self.now += self.step;
        self.tracker
            .push(Timestamp(self.now), 66 + s.payload_len, &s)
    }

    /// Push after `ns` nanoseconds instead of the usual step.
    pub fn push_after(&mut self, ns: i64, s: Segment<'_>) -> SegmentInfo {
        self.now += ns;
        self.tracker
            .push(Timestamp(self.now), 66 + s.payload_len, &s)
    }

    /// The three-way handshake with the usual ISNs; returns the three infos.
    pub fn handshake(&mut self) -> [SegmentInfo; 3] {
        [
            self.push(c2s(SYN, CLIENT_ISN, 0, 0)),
            self.push(s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0)),
            self.push(c2s(ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0)),
        ]
    }

    pub fn conn(&self, i: usize) -> super::Connection {
        self.tracker
            .connections()
            .get(i)
            .expect("connection i exists")
    }
}
