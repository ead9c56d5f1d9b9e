//! Damaged and unusable files (tests/data/damaged, made from echo.pcap by
//! tests/fixtures/variants.py).
//!
//! Unusable file: exit status 2 and one line on stderr naming the file. Damaged tail: exit status
//! 0, the connections read up to the damage, and a warning naming the record and its offset.

mod common;

use common::{Report, data, dir, inspect, run_inspect};

/// `inspect` must refuse the file: status 2, nothing on stdout, one stderr line naming it.
fn assert_unusable(name: &str) -> String {
    let path = data(&format!("damaged/{name}"));
    let out = run_inspect(&path);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{name}: stderr {stderr:?}");
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{name}: one stderr line, got {stderr:?}");
    assert!(
        lines[0].contains(name),
        "{name}: the message names the file: {stderr:?}"
    );
    lines[0].to_string()
}

/// The one warning about the damage must name the record and the byte offset where it starts.
fn assert_damage_warning(report: &Report, name: &str, record: u64, offset: u64) {
    let found = report.warnings.iter().any(|w| {
        w.contains(&format!("record {record}")) && w.contains(&format!("offset {offset}"))
    });
    assert!(
        found,
        "{name}: a warning naming record {record} at offset {offset}: {:?}",
        report.warnings
    );
}

#[test]
fn empty_file_is_refused() {
    assert_unusable("empty.pcap");
}

#[test]
fn file_shorter_than_a_pcap_header_is_refused() {
    assert_unusable("short-header.pcap");
}

#[test]
fn unknown_magic_is_refused_as_not_a_capture() {
    let line = assert_unusable("unknown-magic.pcap");
    assert!(line.contains("pcap or pcapng file"), "{line}");
}

#[test]
fn missing_file_is_refused() {
    assert_unusable("no-such-file.pcap");
}

/// A valid header and no records is an empty capture, not an error.
#[test]
fn header_only_is_an_empty_capture() {
    let r = inspect(&data("damaged/header-only.pcap"));
    assert_eq!(r.packets_total, 0);
    assert!(r.connections.is_empty());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// echo.pcap cut in the middle of its 10th (last) record, which starts at offset 818.
#[test]
fn cut_tail_keeps_the_records_before_it() {
    let r = inspect(&data("damaged/cut-tail.pcap"));
    assert_eq!(r.packets_total, 9);
    let c = r.only();
    assert_eq!(c.client, "127.0.0.1:40000");
    assert_eq!(
        c.packets,
        dir(5, 4),
        "the client's last ACK is the frame cut off"
    );
    assert_eq!(c.bytes, dir(358, 292));
    assert_eq!(c.payload_bytes, dir(20, 20));
    assert_damage_warning(&r, "cut-tail.pcap", 10, 818);
}

/// echo.pcapng cut 60 bytes into its last Enhanced Packet Block (packet 10, offset 1084).
#[test]
fn cut_tail_pcapng_keeps_the_blocks_before_it() {
    let r = inspect(&data("damaged/cut-tail.pcapng"));
    assert_eq!(r.packets_total, 9);
    assert_eq!(r.only().packets, dir(5, 4));
    assert!(
        r.warnings.iter().any(|w| w.contains("offset 1084")),
        "a warning naming the cut block's offset 1084: {:?}",
        r.warnings
    );
}

/// Record 4 (offset 286) says it holds 64,000 bytes; the file ends long before.
#[test]
fn record_longer_than_the_file_stops_the_read_there() {
    let r = inspect(&data("damaged/record-past-eof.pcap"));
    assert_eq!(r.packets_total, 3, "the handshake");
    let c = r.only();
    assert_eq!(c.packets, dir(2, 1));
    assert!(c.handshake_seen);
    assert_damage_warning(&r, "record-past-eof.pcap", 4, 286);
}

/// Record 4 (offset 286) says it holds 512 MiB: refused without allocating it.
#[test]
fn record_over_256_mib_is_damage_not_an_allocation() {
    let r = inspect(&data("damaged/record-huge.pcap"));
    assert_eq!(r.packets_total, 3);
    assert_eq!(r.only().packets, dir(2, 1));
    assert_damage_warning(&r, "record-huge.pcap", 4, 286);
}
