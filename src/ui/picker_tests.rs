use super::*;
use crate::ui::picker_rows::RowsInBackground;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn picker() -> Picker {
    let mut p = Picker::default();
    for (i, t) in ["10.0.0.1:5000 → 10.0.0.2:80", "10.0.0.1:5001 → 10.0.0.9:22"]
        .iter()
        .enumerate()
    {
        p.rows.push(PickerRow {
            choice: Choice::Connection(i),
            text: t.to_string(),
        });
    }
    p
}

#[test]
fn the_filter_narrows_and_enter_picks_the_connection_number() {
    let mut p = picker();
    p.key(&key(KeyCode::Char('/')));
    for c in ":22".chars() {
        p.key(&key(KeyCode::Char(c)));
    }
    assert_eq!(p.visible().len(), 1);
    assert_eq!(
        p.key(&key(KeyCode::Enter)),
        PickerOutcome::Chosen(Choice::Connection(1))
    );
}

/// Issue 16 item 8: Esc then `x` in one read arrives as Alt+x; it ended the filter and
/// then typed nothing into it (it used to append `x`).
#[test]
fn esc_and_a_key_in_one_read_are_two_keys() {
    let mut p = picker();
    p.key(&key(KeyCode::Char('/')));
    p.key(&key(KeyCode::Char('2')));
    let alt_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT);
    assert_eq!(p.key(&alt_j), PickerOutcome::Stay);
    assert_eq!(
        p.filter, "",
        "Esc cleared the filter; j was not typed into it"
    );
    assert!(!p.filtering);
    assert_eq!(p.selected, 1, "j moved down");
    // Outside the filter, Esc quits: so does Esc with a key after it.
    let alt_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::ALT);
    assert_eq!(p.key(&alt_k), PickerOutcome::Quit);
}

/// Many rows: each key narrows the previous result, and a shorter filter starts over. How
/// fast is for the benchmark (`cargo bench --bench picker`), not for a timed test.
#[test]
fn filtering_many_rows_narrows_and_widens() {
    let mut p = Picker::default();
    for i in 0..300_000u32 {
        p.rows.push(PickerRow {
            choice: Choice::Connection(i as usize),
            text: format!(
                "11.0.{}.{}:{:<5} → 10.0.0.1:80        5 pkts   270 B  0.000 s  SYN FIN RST",
                i / 65536,
                i / 256 % 256,
                10000 + i % 50000
            ),
        });
    }
    p.key(&key(KeyCode::Char('/')));
    for c in "11.0.3.".chars() {
        p.key(&key(KeyCode::Char(c)));
        assert!(p.visible_len() > 0);
    }
    assert_eq!(p.visible_len(), 65_536);
    assert!(p.rows.len() == 300_000);
    assert!(matches(&p.visible_row(0).expect("a row").text, "11.0.3."));
    p.key(&key(KeyCode::Backspace));
    let brute = p.rows.iter().filter(|r| r.text.contains("11.0.3")).count();
    assert_eq!(
        p.visible_len(),
        brute,
        "a shorter filter starts over from every row"
    );
}

/// The rows written straight from the connections (the screen's million-row path) are the
/// rows of their reports, byte for byte.
#[test]
fn rows_from_connections_are_the_rows_of_their_reports() {
    for name in [
        "multi.pcap",
        "port_reuse.pcap",
        "retrans.pcap",
        "midstream.pcap",
        "ipv6.pcap",
        "half_close.pcap",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        let scanned = crate::open::scan(&path, |_| {}).expect("the capture scans");
        let fast = Picker::from_connections(name.into(), scanned.connections().iter());
        let slow = Picker::new(name.into(), &reports(&scanned));
        assert_eq!(fast.rows, slow.rows, "{name}");
        assert!(!fast.rows.is_empty());
        // The text padded by hand is what the formatter's widths gave.
        for (c, row) in reports(&scanned).iter().zip(fast.rows.iter()) {
            let mut flags = Vec::new();
            for (on, name) in [
                (c.handshake_seen, "SYN"),
                (c.flags.fin > 0, "FIN"),
                (c.flags.rst > 0, "RST"),
                (c.half_close, "half-close"),
                (c.mid_stream, "mid-stream"),
                (
                    c.analysis.retransmission + c.analysis.fast_retransmission > 0,
                    "retrans",
                ),
                (c.analysis.zero_window > 0, "zero-window"),
            ] {
                if on {
                    flags.push(name);
                }
            }
            let formatted = format!(
                "{:<22} → {:<22} {:>6} pkts {:>9} B {:>9.3} s  {}",
                c.client,
                c.server,
                c.packets.to_server + c.packets.to_client,
                c.bytes.to_server + c.bytes.to_client,
                c.duration,
                flags.join(" ")
            );
            assert_eq!(row.text, formatted, "{name}");
        }
    }
}

#[test]
fn arrows_move_within_the_rows_and_q_quits() {
    let mut p = picker();
    p.key(&key(KeyCode::Down));
    p.key(&key(KeyCode::Down));
    assert_eq!(p.selected, 1);
    assert_eq!(p.key(&key(KeyCode::Char('q'))), PickerOutcome::Quit);
}

/// `n` short connections (SYN, SYN/ACK, ACK, RST) from 11.0.0.1 ports 10000… to 10.0.0.1:80.
fn many_connections(n: u16) -> crate::tcp::ConnectionList {
    use crate::capture::Timestamp;
    use crate::wire::{Segment, SeqNum, TcpFlags, TcpOptions};
    use std::net::SocketAddr;
    let server: SocketAddr = "10.0.0.1:80".parse().expect("an address");
    let mut tracker = crate::tcp::Tracker::new();
    let mut t = 0;
    for i in 0..n {
        let client = SocketAddr::from(([11, 0, 0, 1], 10_000 + i));
        for (src, dst, flags, seq, ack) in [
            (client, server, TcpFlags::SYN, 1000, 0),
            (server, client, TcpFlags::SYN | TcpFlags::ACK, 5000, 1001),
            (client, server, TcpFlags::ACK, 1001, 5001),
            (client, server, TcpFlags::RST, 1001, 0),
        ] {
            t += 1000;
            let seg = Segment {
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
            };
            tracker.push(Timestamp(t), 54, &seg);
        }
    }
    tracker.into_connections()
}

/// The screen's path: the first rows at once, the rest from a thread; the count, a jump to the
/// end and the filter are about every row, and the rows are those written on one thread.
#[test]
fn rows_written_in_the_background_are_every_row() {
    let conns = many_connections(2500);
    let whole = Picker::from_connections("many".into(), conns.iter());
    std::thread::scope(|scope| {
        let (first, rest) = RowsInBackground::start(scope, &conns);
        assert_eq!(first.len(), RowsInBackground::FIRST);
        let mut p = Picker::in_background("many".into(), first, rest);
        assert_eq!(p.connections(), 2500);
        assert_eq!(p.visible_len(), 2500);
        assert_eq!(
            p.visible_rows(0, 1)[0].text,
            whole.rows.text(0).unwrap_or("")
        );
        // End waits for the rows it jumps to.
        p.key(&key(KeyCode::End));
        assert_eq!(p.selected, 2499);
        assert!(p.background.is_none());
        assert_eq!(p.rows, whole.rows);
        // The filter finds a row past the first thousand.
        p.key(&key(KeyCode::Char('/')));
        for c in ":12345".chars() {
            p.key(&key(KeyCode::Char(c)));
        }
        let kept = p.visible();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].choice, Choice::Connection(2345));
    });
}

/// Choosing among the first rows needs no other row: the choice is made and the scope ends (the
/// picker, dropped, tells the thread to stop).
#[test]
fn choosing_among_the_first_rows_needs_no_other_row() {
    let conns = many_connections(3000);
    let chosen = std::thread::scope(|scope| {
        let (first, rest) = RowsInBackground::start(scope, &conns);
        let mut p = Picker::in_background("many".into(), first, rest);
        p.key(&key(KeyCode::Down));
        p.key(&key(KeyCode::Enter))
    });
    assert_eq!(chosen, PickerOutcome::Chosen(Choice::Connection(1)));
}
