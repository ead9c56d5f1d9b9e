//! How fast the TCP model digests segments: 43,000 connections of 46 segments each (handshake,
//! 20 request/response exchanges, close), 300 of them open at a time and interleaved at random,
//! about 2 million segments in all. Prints nanoseconds per segment.
//!
//! Run: `cargo bench --bench tracker`. The segments are built in memory before timing starts,
//! so this measures `Tracker::push` alone (no file reading, no decoding).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use sockviz::capture::Timestamp;
use sockviz::tcp::Tracker;
use sockviz::wire::{Segment, SeqNum, TcpFlags, TcpOptions};

const CONNECTIONS: u32 = 43_000;
const OPEN_AT_ONCE: usize = 300;

/// xorshift64*: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn segment(
    src: SocketAddr,
    dst: SocketAddr,
    flags: u16,
    seq: u32,
    ack: u32,
    len: u32,
) -> Segment<'static> {
    Segment {
        src,
        dst,
        seq: SeqNum(seq),
        ack: SeqNum(ack),
        flags: TcpFlags(flags),
        window: 502,
        options: TcpOptions::default(),
        payload_len: len,
        payload: &[],
        truncated: false,
    }
}

fn connection(i: u32, rng: &mut Rng) -> Vec<Segment<'static>> {
    const SYN: u16 = TcpFlags::SYN;
    const ACK: u16 = TcpFlags::ACK;
    const PSH: u16 = TcpFlags::PSH;
    const FIN: u16 = TcpFlags::FIN;
    let client_ip = Ipv4Addr::new(127, 0, 1, (i / 60_000) as u8 + 1);
    let c = SocketAddr::new(IpAddr::V4(client_ip), 1024 + (i % 60_000) as u16);
    let s = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 80);
    let (mut a, mut b) = (rng.next() as u32, rng.next() as u32);
    let mut segs = vec![
        segment(c, s, SYN, a, 0, 0),
        segment(s, c, SYN | ACK, b, a.wrapping_add(1), 0),
        segment(c, s, ACK, a.wrapping_add(1), b.wrapping_add(1), 0),
    ];
    a = a.wrapping_add(1);
    b = b.wrapping_add(1);
    for _ in 0..20 {
        let n = 1 + rng.below(1448) as u32;
        segs.push(segment(c, s, ACK | PSH, a, b, n));
        a = a.wrapping_add(n);
        let m = rng.below(1449) as u32;
        segs.push(segment(s, c, if m > 0 { ACK | PSH } else { ACK }, b, a, m));
        b = b.wrapping_add(m);
    }
    segs.push(segment(c, s, FIN | ACK, a, b, 0));
    segs.push(segment(s, c, FIN | ACK, b, a.wrapping_add(1), 0));
    segs.push(segment(c, s, ACK, a.wrapping_add(1), b.wrapping_add(1), 0));
    segs
}

fn interleaved() -> Vec<Segment<'static>> {
    let mut rng = Rng(0x5eed);
    let mut open: Vec<std::vec::IntoIter<Segment<'static>>> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    while next < CONNECTIONS || !open.is_empty() {
        while open.len() < OPEN_AT_ONCE && next < CONNECTIONS {
            open.push(connection(next, &mut rng).into_iter());
            next += 1;
        }
        let k = rng.below(open.len() as u64) as usize;
        match open[k].next() {
            Some(seg) => out.push(seg),
            None => {
                open.swap_remove(k);
            }
        }
    }
    out
}

fn main() {
    let segments = interleaved();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let mut tracker = Tracker::new();
        let start = Instant::now();
        for (i, seg) in segments.iter().enumerate() {
            let ts = Timestamp(1_700_000_000_000_000_000 + i as i64 * 10_000);
            black_box(tracker.push(ts, 66 + seg.payload_len, seg));
        }
        best = best.min(start.elapsed());
        assert_eq!(tracker.connections().len(), CONNECTIONS as usize);
    }
    println!(
        "tracker: {} segments of {} connections in {:.1} ms (best of 5), {:.0} ns/segment",
        segments.len(),
        CONNECTIONS,
        best.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e9 / segments.len() as f64
    );
}
