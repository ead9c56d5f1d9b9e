//! Issue 12: the lab over a link sockviz carries itself. Each check runs the real binary as the
//! current user and, when that is root, once more as an ordinary user (uid 65534 through
//! `setpriv`), and asserts from the capture: a handshake's RTT, a transfer's rate.

mod lab_support;
mod link_support;

use std::process::Command;

use lab_support::BIN;
use link_support::{run_as, t, timed, users, within};
use serde_json::Value;

#[test]
fn echo_over_a_link_connect_blocks_one_rtt() {
    for who in users() {
        let _one_at_a_time = timed();
        let run = run_as(who, &["--scenario", "echo", "--link", "rtt=80ms"]);
        let syn = run.first_segment("c2s", &["SYN"]).expect("a SYN");
        let synack = run
            .first_segment("s2c", &["SYN", "ACK"])
            .expect("a SYN,ACK");
        assert_eq!(
            syn["src"].as_str().map(|s| s.starts_with("192.0.2.1:")),
            Some(true)
        );
        assert_eq!(syn["dst"], "192.0.2.2:7");
        // Both as the client host saw them: the SYN leaving, the SYN,ACK arriving.
        let at_client = |e: &Value| e["seen_t"]["client"].as_f64().expect("seen at the client");
        assert_eq!(syn["seen"], serde_json::json!(["client", "server"]));
        assert_eq!(synack["seen"], serde_json::json!(["server", "client"]));
        let rtt = at_client(synack) - at_client(syn);
        eprintln!("{who:?}: handshake RTT {:.2} ms (set 80 ms)", rtt * 1e3);
        assert!(within(rtt, 0.080, 0.10), "{who:?}: handshake RTT {rtt} s");
        let connect = run.calls("client", "connect");
        let blocked = connect[0]["t_end"].as_f64().expect("t_end")
            - connect[0]["t_start"].as_f64().expect("t_start");
        assert!(
            within(blocked, 0.080, 0.10),
            "{who:?}: connect() blocked {blocked} s, not one RTT (the neighbour tables are full)"
        );
        let recv = run.calls("client", "recv");
        assert_eq!(recv[0]["data"], "Hello, 대한민국!");
        run.assert_fin_exchange();
    }
}

#[test]
fn a_transfer_over_a_link_runs_at_its_rate() {
    for who in users() {
        let _one_at_a_time = timed();
        let run = run_as(
            who,
            &["--scenario", "segments", "--link", "rtt=10ms,rate=4mbit"],
        );
        // The server's ACKs come back at the pace the bottleneck delivered the data.
        let acks: Vec<(f64, f64)> = run
            .segments()
            .into_iter()
            .filter(|s| s["dir"] == "s2c" && s["len"] == 0)
            .filter_map(|s| Some((t(s), s["ack"].as_f64()?)))
            .filter(|(_, ack)| *ack > 1.0)
            .collect();
        let (first, last) = (acks.first().expect("acks"), acks.last().expect("acks"));
        let bytes = last.1 - first.1;
        assert!(bytes > 90_000.0, "{who:?}: {bytes} bytes acknowledged");
        let goodput = bytes * 8.0 / (last.0 - first.0);
        // Each 1514-byte frame carries 1448 bytes of data.
        let expected = 4_000_000.0 * 1448.0 / 1514.0;
        eprintln!("{who:?}: {goodput:.0} bit/s of data ({expected:.0} expected at 4 mbit)");
        assert!(
            within(goodput, expected, 0.10),
            "{who:?}: {goodput:.0} bit/s of data, {expected:.0} expected"
        );
    }
}

#[test]
fn a_bad_link_is_refused_naming_the_key() {
    let out = Command::new(BIN)
        .args(["lab", "--headless", "--link", "rate=fast"])
        .output()
        .expect("run sockviz");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rate=`fast`") && err.contains("1mbit"),
        "{err}"
    );
}

#[test]
fn a_segment_lost_on_the_link_is_seen_at_the_client_only() {
    for who in users() {
        let _one_at_a_time = timed();
        let run = run_as(
            who,
            &["--scenario", "echo", "--link", "rtt=20ms,loss=nth:3"],
        );
        let segs = run.segments();
        let lost: Vec<&&Value> = segs.iter().filter(|s| s["lost"] == true).collect();
        assert_eq!(lost.len(), 1, "{who:?}: one segment lost");
        assert_eq!(lost[0]["seen"], serde_json::json!(["client"]));
        assert_eq!(lost[0]["len"], 20, "the client's data");
        assert!(lost[0]["seen_t"]["server"].is_null());
        // Every other segment was seen at both ends, and only once in the timeline.
        for s in segs.iter().filter(|s| s["lost"] != true) {
            assert_eq!(s["seen"].as_array().map(Vec::len), Some(2), "{who:?}: {s}");
        }
        let retrans = segs
            .iter()
            .find(|s| {
                s["analysis"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|f| f == "retransmission"))
            })
            .expect("the data retransmitted");
        assert_eq!(retrans["len"], 20);
        assert_eq!(run.calls("server", "recv")[0]["data"], "Hello, 대한민국!");
    }
}
