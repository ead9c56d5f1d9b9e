//! Every container and link-type variant in `tests/data/variants` (made from the real captures by
//! tests/fixtures/variants.py) must give the same connections as the capture it came from.
//!
//! Only frame lengths may differ, and by exactly the link header's size difference per frame:
//! `bytes` counts whole frames, as tshark does.

mod common;

use common::{Report, assert_same_connection, data, inspect, inspect_data};

/// Bytes each link header adds to a frame compared with the base capture's 14-byte Ethernet.
const SAME: i64 = 0;
const SLL: i64 = 16 - 14;
const SLL2: i64 = 20 - 14;
const RAW: i64 = -14;
const NULL_OR_LOOP: i64 = 4 - 14;
const VLAN: i64 = 4;
const QINQ: i64 = 8;

fn assert_variant(base: &str, variant: &str, link_delta: i64) -> Report {
    let base_report = inspect_data(base);
    let report = inspect(&data(&format!("variants/{variant}")));
    assert_eq!(
        report.packets_total, base_report.packets_total,
        "{variant}: packets_total"
    );
    assert_eq!(report.non_tcp_packets, 0, "{variant}");
    assert_eq!(report.undecodable_packets, 0, "{variant}");
    assert_eq!(
        report.connections.len(),
        base_report.connections.len(),
        "{variant}: {:#?}",
        report.connections
    );
    for (b, v) in base_report.connections.iter().zip(&report.connections) {
        assert_same_connection(b, v, link_delta, variant);
        assert_eq!(v.start, b.start, "{variant}: start");
    }
    report
}

#[test]
fn pcapng_from_editcap() {
    let r = assert_variant("echo.pcap", "echo.pcapng", SAME);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn nanosecond_pcap() {
    assert_variant("echo.pcap", "echo.nsec.pcap", SAME);
}

#[test]
fn big_endian_pcap() {
    assert_variant("echo.pcap", "echo.be.pcap", SAME);
}

#[test]
fn big_endian_nanosecond_pcap_ipv6() {
    assert_variant("ipv6.pcap", "ipv6.nsec-be.pcap", SAME);
}

#[test]
fn linux_cooked_v1() {
    assert_variant("echo.pcap", "echo.sll.pcap", SLL);
    assert_variant("ipv6.pcap", "ipv6.sll.pcap", SLL);
}

#[test]
fn linux_cooked_v2() {
    assert_variant("echo.pcap", "echo.sll2.pcap", SLL2);
    assert_variant("ipv6.pcap", "ipv6.sll2.pcap", SLL2);
}

#[test]
fn raw_ip_101() {
    assert_variant("echo.pcap", "echo.raw.pcap", RAW);
    assert_variant("ipv6.pcap", "ipv6.raw.pcap", RAW);
}

#[test]
fn raw_ipv4_228_and_ipv6_229() {
    assert_variant("echo.pcap", "echo.ipv4.pcap", RAW);
    assert_variant("ipv6.pcap", "ipv6.ipv6.pcap", RAW);
}

/// BSD NULL: the address family in the capturing host's byte order (2; macOS AF_INET6 is 30).
#[test]
fn bsd_null() {
    assert_variant("echo.pcap", "echo.null.pcap", NULL_OR_LOOP);
    assert_variant("ipv6.pcap", "ipv6.null.pcap", NULL_OR_LOOP);
}

/// OpenBSD LOOP: the address family in network byte order (OpenBSD AF_INET6 is 24).
#[test]
fn openbsd_loop() {
    assert_variant("echo.pcap", "echo.loop.pcap", NULL_OR_LOOP);
    assert_variant("ipv6.pcap", "ipv6.loop.pcap", NULL_OR_LOOP);
}

#[test]
fn vlan_tagged_ethernet() {
    assert_variant("echo.pcap", "echo.vlan.pcap", VLAN);
    assert_variant("ipv6.pcap", "ipv6.vlan.pcap", VLAN);
}

#[test]
fn qinq_tagged_ethernet() {
    assert_variant("echo.pcap", "echo.qinq.pcap", QINQ);
}

/// Snaplen 80 keeps every header but cuts the payload: lengths come from the IP and TCP
/// headers and `bytes` from the frames' original lengths, so nothing changes but a warning.
#[test]
fn snaplen_80_echo() {
    let r = assert_variant("echo.pcap", "echo.snap80.pcap", SAME);
    assert_eq!(r.truncated_packets, 2, "the two 86-byte data frames");
    assert!(
        r.warnings.iter().any(|w| w.contains("snaplen")),
        "a warning should say the snaplen cut segments: {:?}",
        r.warnings
    );
}

#[test]
fn snaplen_80_segments() {
    let r = assert_variant("segments.pcap", "segments.snap80.pcap", SAME);
    assert_eq!(
        r.truncated_packets, 70,
        "every data segment but the 77-byte reply"
    );
    assert_eq!(r.connections[0].payload_bytes.to_server, 100_000);
}

/// pcapng with interface 0 Ethernet at microseconds and interface 1 Linux SLL2 at nanoseconds
/// (`if_tsresol` = 9): echo.pcap's frames on the first, ipv6.pcap's on the second.
#[test]
fn pcapng_with_two_interfaces_of_different_link_types_and_resolutions() {
    let echo = inspect_data("echo.pcap");
    let v6 = inspect_data("ipv6.pcap");
    let r = inspect(&data("variants/two_interfaces.pcapng"));
    assert_eq!(r.packets_total, 20);
    assert_eq!(r.connections.len(), 2, "{:#?}", r.connections);
    assert_same_connection(
        echo.only(),
        r.by_client("127.0.0.1:40000"),
        SAME,
        "interface 0",
    );
    let c6 = r.by_client("[::1]:40000");
    assert_same_connection(v6.only(), c6, SLL2, "interface 1");
    // ipv6.pcap was captured 7.4 s after echo.pcap; both clocks must be read in their own unit.
    assert!(
        (c6.start - 7.438533).abs() < 1e-6,
        "interface 1's timestamps are nanoseconds: start {}",
        c6.start
    );
}
