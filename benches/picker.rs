//! The connection picker at a million connections (issue 16, items 7 and 8): the tracker's
//! memory for a million short connections, the picker's rows built from them, and the time
//! one `/` filter keystroke takes.
//!
//! The connections are those of `scripts/bench-memory.py`'s `conns-1m.pcap` (SYN, SYN/ACK,
//! ACK, FIN/ACK, RST each, from 11.0.x.y ports 10000-59999 to 10.0.0.1:80), fed straight to the
//! tracker (no file, no decoding). Times are this thread's CPU time: on a shared machine the
//! wall clock measures the scheduler.
//! Run: `cargo bench --bench picker`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockviz::capture::Timestamp;
use sockviz::tcp::Tracker;
use sockviz::ui::picker::Picker;
use sockviz::ui::picker_rows::RowsInBackground;
use sockviz::wire::{Segment, SeqNum, TcpFlags, TcpOptions};

const CONNECTIONS: u32 = 1_000_000;

fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, exclusively borrowed `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID is supported on Linux");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Resident memory now, in MB (`/proc/self/statm`'s second field, in pages).
fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

fn segment(src: SocketAddr, dst: SocketAddr, flags: u16, seq: u32, ack: u32) -> Segment<'static> {
    Segment {
        src,
        dst,
        seq: SeqNum(seq),
        ack: SeqNum(ack),
        flags: TcpFlags(flags),
        window: 65535,
        options: TcpOptions::default(),
        payload_len: 0,
        payload: &[],
        truncated: false,
    }
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn main() {
    const SYN: u16 = TcpFlags::SYN;
    const ACK: u16 = TcpFlags::ACK;
    const FIN: u16 = TcpFlags::FIN;
    const RST: u16 = TcpFlags::RST;
    let before = rss_mb();
    let server = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 80);
    let mut tracker = Tracker::new();
    let mut t = 1_700_000_000_000_000_000i64;
    let start = cpu_now();
    for i in 0..CONNECTIONS {
        let ip = Ipv4Addr::from(0x0B00_0000 + i / 50_000);
        let c = SocketAddr::new(IpAddr::V4(ip), 10_000 + (i % 50_000) as u16);
        for seg in [
            segment(c, server, SYN, 1000, 0),
            segment(server, c, SYN | ACK, 5000, 1001),
            segment(c, server, ACK, 1001, 5001),
            segment(c, server, FIN | ACK, 1001, 5001),
            segment(server, c, RST, 5001, 0),
        ] {
            t += 7_000;
            tracker.push(Timestamp(t), 54, &seg);
        }
    }
    let tracked = cpu_now() - start;
    let during = rss_mb() - before;
    let start = cpu_now();
    let list = tracker.into_connections();
    let frozen = cpu_now() - start;
    let kept = rss_mb() - before;
    println!(
        "tracker: {CONNECTIONS} connections (5 segments each) in {:.2} s CPU, {:.0} MB while \
         tracking; into_connections {:.2} s, {:.0} MB kept ({:.0} bytes a connection)",
        tracked.as_secs_f64(),
        during,
        frozen.as_secs_f64(),
        kept,
        kept * 1e6 / f64::from(CONNECTIONS)
    );
    // What the screen does: the first rows at once, the rest on a thread.
    let start = cpu_now();
    let (shown, mut picker) = std::thread::scope(|scope| {
        let (first, rest) = RowsInBackground::start(scope, &list);
        let shown = cpu_now() - start;
        let picker = Picker::in_background("conns-1m.pcap".into(), first, rest);
        (shown, picker)
    });
    assert!(picker.poll(), "the thread wrote every row");
    let with_rows = rss_mb() - before;
    // The same rows on this thread, for their CPU time.
    let start = cpu_now();
    let written = Picker::from_connections("conns-1m.pcap".into(), list.iter());
    let rows = cpu_now() - start;
    assert_eq!(picker.rows, written.rows);
    drop(written);
    println!(
        "picker shown after {:.1} ms CPU ({} rows written first); every row: {:.2} s CPU (on a \
         thread, while the picker is up), {:.0} MB more",
        shown.as_secs_f64() * 1e3,
        RowsInBackground::FIRST,
        rows.as_secs_f64(),
        with_rows - kept
    );
    picker.key(&key(KeyCode::Char('/')));
    for c in "11.0.0.7:".chars() {
        let start = cpu_now();
        picker.key(&key(KeyCode::Char(c)));
        let kept = picker.visible_len();
        println!(
            "keystroke {c:?}: {:>6.1} ms CPU, {kept} rows kept",
            (cpu_now() - start).as_secs_f64() * 1e3
        );
    }
    let start = cpu_now();
    picker.key(&key(KeyCode::Backspace));
    println!(
        "keystroke Backspace: {:.1} ms CPU (every row again), {} rows kept",
        (cpu_now() - start).as_secs_f64() * 1e3,
        picker.visible_len()
    );
    // The worst key: a first character no row holds (each row read to its end).
    picker.key(&key(KeyCode::Esc));
    picker.key(&key(KeyCode::Char('/')));
    let start = cpu_now();
    picker.key(&key(KeyCode::Char('z')));
    println!(
        "keystroke 'z' (no row matches): {:.1} ms CPU, {} rows kept",
        (cpu_now() - start).as_secs_f64() * 1e3,
        picker.visible_len()
    );
}
