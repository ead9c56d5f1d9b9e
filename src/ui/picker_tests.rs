use super::*;

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
