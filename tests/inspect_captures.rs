//! `sockviz inspect --json` on the real loopback captures in `tests/data`.
//!
//! Every expected value was read from the capture itself (tshark's conversation table and
//! `tcp.analysis.*` fields, listed in tests/data/README.md) or follows from what the scenario in
//! tests/fixtures/traffic.py did. Re-capturing changes some of them: see that README.

mod common;

use common::{Analysis, dir, inspect_data};

const TIME_WAIT: (&str, &str) = ("TIME_WAIT", "CLOSED");
const BOTH_CLOSED: (&str, &str) = ("CLOSED", "CLOSED");

/// The lecture's echo: connect, send "Hello, 대한민국!" (20 bytes), recv the echo, client closes.
#[test]
fn echo_is_one_connection_with_twenty_bytes_each_way() {
    let report = inspect_data("echo.pcap");
    assert_eq!(report.packets_total, 10);
    assert_eq!(report.non_tcp_packets, 0);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let c = report.only();
    assert_eq!(c.id, 0);
    assert_eq!(c.client, "127.0.0.1:40000");
    assert_eq!(c.server, "127.0.0.1:7");
    assert_eq!(c.start, 0.0);
    assert_eq!(c.packets, dir(6, 4));
    assert_eq!(c.bytes, dir(424, 292));
    assert_eq!(c.payload_bytes, dir(20, 20));
    assert_eq!(
        (c.flags.syn, c.flags.syn_ack, c.flags.fin, c.flags.rst),
        (1, 1, 2, 0)
    );
    assert_eq!(c.analysis, Analysis::default());
    assert!(c.handshake_seen);
    assert!(!c.mid_stream);
    assert!(
        !c.half_close,
        "the server sent nothing after the client's FIN"
    );
    // The client closed first: it waits in TIME_WAIT, the server went LAST_ACK -> CLOSED.
    assert_eq!(c.states(), TIME_WAIT);
}

/// One sendall of 100,000 bytes becomes 69 full 1448-byte segments and one of 88.
#[test]
fn segments_counts_every_segment_of_one_sendall() {
    let report = inspect_data("segments.pcap");
    assert_eq!(report.packets_total, 104);
    let c = report.only();
    assert_eq!(c.server, "127.0.0.1:9000");
    assert_eq!(c.packets, dir(75, 29));
    assert_eq!(c.bytes, dir(104_958, 1_933));
    assert_eq!(c.payload_bytes, dir(100_000, 11), "11 = \"got 100000\\n\"");
    assert_eq!((c.flags.syn, c.flags.syn_ack, c.flags.fin), (1, 1, 2));
    let a = c.analysis;
    assert_eq!(
        (a.retransmission, a.dup_ack, a.zero_window, a.out_of_order),
        (0, 0, 0, 0),
        "nothing is lost on loopback"
    );
    assert_eq!(a.window_update, 2);
    assert_eq!(c.states(), TIME_WAIT);
}

/// shutdown(SHUT_WR), then the server reads to b'' and still answers: a half-close.
#[test]
fn half_close_is_flagged_and_the_reply_counted() {
    let c = inspect_data("half_close.pcap").only().clone();
    assert_eq!(c.server, "127.0.0.1:7007");
    assert_eq!(c.packets, dir(6, 4));
    assert_eq!(c.bytes, dir(424, 302));
    assert_eq!(c.payload_bytes, dir(20, 30), "\"20 bytes: \" + the message");
    assert!(c.half_close);
    assert_eq!(c.flags.fin, 2);
    assert_eq!(c.states(), TIME_WAIT);
}

/// connect() to a closed port: SYN, RST/ACK, and nothing else.
#[test]
fn refused_connect_is_syn_then_rst() {
    let report = inspect_data("refused.pcap");
    assert_eq!(report.packets_total, 2);
    let c = report.only();
    assert_eq!(c.client, "127.0.0.1:40000");
    assert_eq!(c.server, "127.0.0.1:7999");
    assert_eq!(c.packets, dir(1, 1));
    assert_eq!(c.bytes, dir(74, 54));
    assert_eq!(c.payload_bytes, dir(0, 0));
    assert_eq!(
        (c.flags.syn, c.flags.syn_ack, c.flags.fin, c.flags.rst),
        (1, 0, 0, 1)
    );
    assert!(!c.handshake_seen);
    assert!(!c.mid_stream);
    assert_eq!(c.states(), BOTH_CLOSED);
}

/// SO_LINGER {1, 0} then close(): the client aborts with RST instead of FIN.
#[test]
fn linger_zero_close_resets() {
    let c = inspect_data("reset.pcap").only().clone();
    assert_eq!(c.packets, dir(5, 3));
    assert_eq!(c.bytes, dir(358, 226));
    assert_eq!(c.payload_bytes, dir(20, 20));
    assert_eq!((c.flags.fin, c.flags.rst), (0, 1));
    assert!(c.handshake_seen);
    assert_eq!(c.states(), BOTH_CLOSED);
}

/// A reader that stopped reading for a second: the window fills and closes, Linux probes it
/// (tshark calls those probes keep-alives), then the reader drains and the window reopens.
#[test]
fn slow_reader_shows_the_window_closing_and_reopening() {
    let c = inspect_data("slow_reader.pcap").only().clone();
    assert_eq!(c.packets, dir(25, 21));
    assert_eq!(c.bytes, dir(27_682, 1_416));
    // 24 KiB sent once, plus one 1448-byte segment sent again.
    assert_eq!(c.payload_bytes, dir(24_576 + 1_448, 10));
    let a = c.analysis;
    assert!(a.zero_window > 0, "{a:?}");
    assert_eq!(a.zero_window, 3);
    assert_eq!(a.window_full, 11);
    assert_eq!(a.window_update, 4);
    assert_eq!(a.keep_alive, 2, "Linux's zero-window probes");
    assert_eq!(a.retransmission, 1);
    assert!(c.duration > 1.0, "the reader slept 1 s: {}", c.duration);
    assert_eq!(c.states(), TIME_WAIT);
}

/// nftables dropped one segment of an upload (duplicate ACKs, fast retransmission) and one echo
/// (timer retransmission), after the capture point, so both copies are in the capture.
#[test]
fn retrans_finds_fast_and_timer_retransmissions() {
    let report = inspect_data("retrans.pcap");
    assert_eq!(report.connections.len(), 2);

    let bulk = report.by_client("127.0.0.1:40000");
    assert_eq!(bulk.server, "127.0.0.1:9000");
    assert_eq!(bulk.packets, dir(27, 24));
    assert_eq!(bulk.bytes, dir(33_238, 1_758));
    assert_eq!(bulk.payload_bytes, dir(30_000 + 1_448, 10));
    let a = bulk.analysis;
    assert!(a.retransmission > 0, "{a:?}");
    assert_eq!(
        (a.retransmission, a.fast_retransmission, a.dup_ack),
        (1, 1, 13)
    );
    assert_eq!((a.spurious_retransmission, a.zero_window), (0, 0));
    assert_eq!(bulk.states(), TIME_WAIT);

    let echo = report.by_client("127.0.0.1:40001");
    assert_eq!(echo.server, "127.0.0.1:7");
    assert_eq!(echo.packets, dir(6, 5));
    assert_eq!(echo.payload_bytes, dir(20, 40), "the echo was sent twice");
    assert_eq!(
        (
            echo.analysis.retransmission,
            echo.analysis.fast_retransmission
        ),
        (1, 0)
    );
    assert!(
        echo.duration > 0.2,
        "the resend waits for the retransmission timer (200 ms minimum): {}",
        echo.duration
    );
    assert_eq!(echo.states(), TIME_WAIT);
}

#[test]
fn ipv6_endpoints_are_bracketed() {
    let c = inspect_data("ipv6.pcap").only().clone();
    assert_eq!(c.client, "[::1]:40000");
    assert_eq!(c.server, "[::1]:7");
    assert_eq!(c.packets, dir(6, 4));
    assert_eq!(c.bytes, dir(544, 372), "IPv6 headers are 20 bytes longer");
    assert_eq!(c.payload_bytes, dir(20, 20));
    assert_eq!(c.states(), TIME_WAIT);
}

/// The same 4-tuple twice: a new SYN after the first connection closed is a new connection.
#[test]
fn port_reuse_gives_two_connections() {
    let report = inspect_data("port_reuse.pcap");
    assert_eq!(report.packets_total, 20);
    assert_eq!(report.connections.len(), 2, "{:#?}", report.connections);
    for (i, c) in report.connections.iter().enumerate() {
        assert_eq!(c.id as usize, i);
        assert_eq!(c.client, "127.0.0.1:40000");
        assert_eq!(c.server, "127.0.0.1:7");
        assert_eq!(c.packets, dir(6, 4), "connection {i}");
        assert_eq!(c.bytes, dir(424, 292), "connection {i}");
        assert_eq!(c.payload_bytes, dir(20, 20), "connection {i}");
        assert!(c.handshake_seen, "connection {i}");
        assert_eq!(c.states(), TIME_WAIT, "connection {i}");
    }
    let second = &report.connections[1];
    assert!(
        (second.start - 1.204155).abs() < 1e-6,
        "second SYN 1.204155 s after the first: {}",
        second.start
    );
}

/// TCP_KEEPIDLE=1, TCP_KEEPINTVL=1 and 3.5 s of silence: three keep-alives, each ACKed.
#[test]
fn keepalive_probes_are_counted() {
    let c = inspect_data("keepalive.pcap").only().clone();
    assert_eq!(c.packets, dir(9, 7));
    assert_eq!(c.bytes, dir(622, 490));
    assert_eq!(
        c.payload_bytes,
        dir(20, 20),
        "keep-alives carry no data here"
    );
    assert_eq!(c.analysis.keep_alive, 3);
    assert_eq!(c.analysis.retransmission, 0);
    assert!(c.duration > 3.4 && c.duration < 4.0, "{}", c.duration);
    assert_eq!(c.states(), TIME_WAIT);
}

/// Seven connections at once, interleaved: each is still counted on its own.
#[test]
fn multi_keeps_concurrent_connections_apart() {
    let report = inspect_data("multi.pcap");
    // (client, server, packets, payload, rst, half_close, final states), in order of first packet.
    let expected = [
        (
            "127.0.0.1:40000",
            "127.0.0.1:7",
            dir(6, 4),
            dir(20, 20),
            0,
            false,
            TIME_WAIT,
        ),
        (
            "[::1]:40001",
            "[::1]:7",
            dir(6, 4),
            dir(20, 20),
            0,
            false,
            TIME_WAIT,
        ),
        (
            "127.0.0.1:40003",
            "127.0.0.1:7",
            dir(6, 4),
            dir(20, 20),
            0,
            false,
            TIME_WAIT,
        ),
        (
            "127.0.0.1:40004",
            "127.0.0.1:7",
            dir(5, 3),
            dir(20, 20),
            1,
            false,
            BOTH_CLOSED,
        ),
        (
            "127.0.0.1:40002",
            "127.0.0.1:9000",
            dir(19, 17),
            dir(20_000, 10),
            0,
            false,
            TIME_WAIT,
        ),
        (
            "127.0.0.1:40005",
            "127.0.0.1:7007",
            dir(6, 4),
            dir(20, 30),
            0,
            true,
            TIME_WAIT,
        ),
        (
            "127.0.0.1:40006",
            "127.0.0.1:7999",
            dir(1, 1),
            dir(0, 0),
            1,
            false,
            BOTH_CLOSED,
        ),
    ];
    let got: Vec<_> = report
        .connections
        .iter()
        .map(|c| {
            (
                c.client.as_str(),
                c.server.as_str(),
                c.packets,
                c.payload_bytes,
                c.flags.rst,
                c.half_close,
                c.states(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let ids: Vec<u32> = report.connections.iter().map(|c| c.id).collect();
    assert_eq!(ids, (0..7).collect::<Vec<u32>>());
    assert_eq!(report.packets_total, 10 * 4 + 8 + 36 + 2);
    assert_eq!(
        report.by_client("127.0.0.1:40002").bytes,
        dir(21_262, 1_140)
    );
}

/// The last 30 frames of segments.pcap: no SYN seen, so the lower port is taken as the server.
#[test]
fn midstream_capture_is_marked_and_still_counted() {
    let report = inspect_data("midstream.pcap");
    assert_eq!(report.packets_total, 30);
    let c = report.only();
    assert_eq!(c.client, "127.0.0.1:40000");
    assert_eq!(c.server, "127.0.0.1:9000");
    assert!(c.mid_stream);
    assert!(!c.handshake_seen);
    assert_eq!(c.packets, dir(24, 6));
    assert_eq!(c.bytes, dir(30_632, 407));
    assert_eq!(c.payload_bytes, dir(29_048, 11));
    assert_eq!((c.flags.syn, c.flags.syn_ack, c.flags.fin), (0, 0, 2));
    assert_eq!(c.states(), TIME_WAIT);
}
