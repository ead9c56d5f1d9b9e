//! Every lab scenario, run headless in the lab's private namespace, judged by what was really
//! captured (CI runs these as root; `lab_unprivileged.rs` covers an ordinary user).

mod lab_support;

use lab_support::run_scenario;
use serde_json::Value;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab_scenarios");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Issue 10: a SYN nobody answered is not labelled SYN_RECEIVED in the text or SVG export.
fn assert_no_syn_received_in_exports(file: &std::path::Path) {
    for format in ["txt", "svg"] {
        let out = std::process::Command::new(lab_support::BIN)
            .arg("export")
            .arg(file)
            .args(["--format", format])
            .output()
            .expect("run sockviz export");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("SYN_RECEIVED"), "{format}:\n{text}");
    }
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn echo_captures_handshake_data_and_fin_exchange() {
    let run = run_scenario("echo", &[]);
    run.assert_namespace_capture();
    run.assert_handshake();
    run.assert_fin_exchange();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let data: Vec<_> = run
        .segments()
        .into_iter()
        .filter(|s| u(&s["len"]) > 0)
        .collect();
    assert_eq!(data.len(), 2, "one data segment each way");
    assert_eq!(
        (u(&data[0]["len"]), u(&data[0]["seq"])),
        (20, 1),
        "20 bytes from seq 1"
    );
    assert_eq!(data[1]["dir"], "s2c");
    let client_recv = run.calls("client", "recv");
    assert_eq!(client_recv[0]["data"], "Hello, 대한민국!");
    assert_eq!(client_recv[0]["args"], "1024");
    // b'' after the peer's FIN: the server's last recv follows the client's FIN.
    let fin = run.first_segment("c2s", &["FIN"]).expect("client FIN");
    let last = run
        .calls("server", "recv")
        .into_iter()
        .last()
        .expect("server recvs");
    assert_eq!(u(&last["ret"]), 0);
    assert!(
        run.index(last) > run.index(fin),
        "b'' only after the FIN arrived"
    );
    let probes: Vec<_> = run.kind("probe").collect();
    assert!(
        probes.iter().any(|p| p["state"] == "CLOSE_WAIT"),
        "the server's CLOSE_WAIT was probed"
    );
    // Issue 10: the states at every step, from the calls and the wire.
    run.assert_probes_agree_with_truth();
    let (client, server, listener) = (
        run.socks("client")[0],
        run.socks("server")[0],
        run.socks("listener")[0],
    );
    // FIN_WAIT_2 shows when the FIN's ACK comes alone; a delayed ACK riding on the server's
    // FIN takes the client from FIN_WAIT_1 through FIN_WAIT_2 to TIME_WAIT in one segment.
    let alone = run
        .segments()
        .iter()
        .any(|s| s["dir"] == "s2c" && s["flags"] == "ACK" && u(&s["ack"]) == u(&fin["seq"]) + 1);
    let mut want = vec![
        "CLOSED",
        "SYN_SENT",
        "ESTABLISHED",
        "FIN_WAIT_1",
        "FIN_WAIT_2",
        "TIME_WAIT",
    ];
    if !alone {
        want.retain(|s| *s != "FIN_WAIT_2");
    }
    assert_eq!(run.derived_states(client), want);
    assert_eq!(
        run.derived_states(server),
        ["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
    );
    assert_eq!(run.derived_states(listener), ["CLOSED", "LISTEN", "CLOSED"]);
    // The listener's queue: SYN_RECEIVED at the SYN, ESTABLISHED in the queue at the third
    // ACK, empty once accept() returned.
    let syn = run.first_segment("c2s", &["SYN"]).expect("SYN");
    let at_syn = run
        .truth_at(listener, run.index(syn))
        .expect("listener truth");
    assert_eq!(
        (u(&at_syn["syn_received"]), u(&at_syn["accept_queue"])),
        (1, 0)
    );
    let third = run.segments()[2];
    let at_third = run
        .truth_at(listener, run.index(third))
        .expect("listener truth");
    assert_eq!(
        (u(&at_third["syn_received"]), u(&at_third["accept_queue"])),
        (0, 1)
    );
    let accept = &run.calls("listener", "accept")[0];
    assert_eq!(
        u(&run.truth_at(listener, run.index(accept)).expect("truth")["accept_queue"]),
        0
    );
    // After close() the fd is gone and the kernel state goes on.
    let close = &run.calls("client", "close")[0];
    let after = run
        .truth_at(client, run.index(close) + 1)
        .expect("client truth");
    assert_eq!(after["fd_open"], false);
    assert_ne!(after["state"], "CLOSED");
    // The client's 20 bytes: written, then in flight, then acknowledged.
    let send = &run.calls("client", "send")[0];
    assert_eq!(
        u(&run.truth_at(client, run.index(send)).expect("truth")["unsent"]),
        20
    );
    let seg = run.first_segment("c2s", &["PSH"]).expect("data");
    let flying = run.truth_at(client, run.index(seg)).expect("truth");
    assert_eq!((u(&flying["unsent"]), u(&flying["unacked"])), (0, 20));
}

#[test]
fn segments_splits_one_sendall_into_mss_sized_segments() {
    let run = run_scenario("segments", &[]);
    run.assert_namespace_capture();
    run.assert_handshake();
    run.assert_fin_exchange();
    run.assert_probes_agree_with_truth();
    let client = run.socks("client")[0];
    let server = run.socks("server")[0];
    assert!(
        run.sockets
            .iter()
            .any(|s| s["sock"].as_u64() == Some(client) && u(&s["unacked"]) > 1448),
        "send() returned is not delivered: bytes in flight"
    );
    // The server's queue after every event is the bytes arrived in order minus the bytes read.
    for line in run
        .sockets
        .iter()
        .filter(|s| s["sock"].as_u64() == Some(server))
    {
        if line["fd_open"] == false {
            continue;
        }
        let after = u(&line["after"]);
        let arrived = run
            .segments()
            .iter()
            .filter(|s| s["dir"] == "c2s" && run.index(s) <= after)
            .filter_map(|s| s["stream"].as_array().and_then(|r| r[1].as_u64()))
            .max()
            .unwrap_or(0);
        let read = run
            .calls("server", "recv")
            .iter()
            .filter(|c| run.index(c) <= after)
            .filter_map(|c| c["stream"].as_array().and_then(|r| r[1].as_u64()))
            .max()
            .unwrap_or(0);
        assert_eq!(u(&line["recv_q"]), arrived - read, "after event {after}");
    }
    assert!(
        run.sockets
            .iter()
            .any(|s| s["sock"].as_u64() == Some(server) && u(&s["recv_q"]) > 10_000),
        "the server's unread bytes show"
    );
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let data: Vec<_> = run
        .segments()
        .into_iter()
        .filter(|s| s["dir"] == "c2s" && u(&s["len"]) > 0)
        .collect();
    assert!(
        data.iter().all(|s| u(&s["len"]) <= 1448),
        "no segment exceeds the MSS (TSO off)"
    );
    let end = data
        .iter()
        .map(|s| u(&s["seq"]) + u(&s["len"]))
        .max()
        .expect("data");
    assert_eq!(end, 100_001, "the segments carry all 100,000 bytes");
    assert!(
        data.len() >= 70,
        "100,000 bytes need at least 70 segments of 1448"
    );
    let recvs = run.calls("server", "recv");
    assert!(
        recvs.iter().all(|r| u(&r["ret"]) <= 1024),
        "recv(1024) returns at most 1024"
    );
    let sendall = &run.calls("client", "sendall")[0];
    assert!(sendall["segments"].as_array().expect("mapped").len() >= 70);
}

#[test]
fn coalesce_three_sends_one_recv_with_and_without_nagle() {
    let run = run_scenario("coalesce", &[]);
    run.assert_namespace_capture();
    run.assert_probes_agree_with_truth();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let recvs = run.calls("server", "recv");
    assert_eq!(
        u(&recvs[0]["ret"]),
        20,
        "round 1: one recv returns all three sends"
    );
    assert_eq!(
        u(&recvs[1]["ret"]),
        20,
        "round 2: one recv returns all three sends"
    );
    let sends = run.calls("client", "send");
    assert_eq!(sends.len(), 6);
    // Distinct data segments (retransmissions share a seq) carrying each round's bytes.
    let distinct = |sends: &[&Value]| {
        let mut seqs: Vec<u64> = sends
            .iter()
            .flat_map(|s| s["segments"].as_array().cloned().unwrap_or_default())
            .map(|i| u(&run.events[u(&i) as usize]["seq"]))
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        seqs.len()
    };
    assert!(
        distinct(&sends[..3]) <= 2,
        "Nagle holds the later small sends back"
    );
    assert_eq!(
        distinct(&sends[3..]),
        3,
        "TCP_NODELAY: one segment per send"
    );
}

#[test]
fn half_close_reads_to_empty_after_each_fin() {
    let run = run_scenario("half-close", &[]);
    run.assert_namespace_capture();
    run.assert_probes_agree_with_truth();
    // The server's data acknowledges the client's FIN: FIN_WAIT_1 gives way to FIN_WAIT_2.
    let client = run.socks("client")[0];
    let states = run.derived_states(client);
    let at = |s: &str| states.iter().position(|x| x == s);
    assert!(at("FIN_WAIT_1") < at("FIN_WAIT_2"), "{states:?}");
    assert!(at("FIN_WAIT_2") < at("TIME_WAIT"), "{states:?}");
    run.assert_handshake();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let trace = run.flag_trace();
    let cfin = trace
        .iter()
        .position(|f| f == "c2s:FIN,ACK")
        .expect("client FIN");
    let reply = trace
        .iter()
        .position(|f| f == "s2c:PSH,ACK")
        .expect("server reply");
    let sfin = trace
        .iter()
        .position(|f| f == "s2c:FIN,ACK")
        .expect("server FIN");
    assert!(
        cfin < reply && reply < sfin,
        "FIN, then data the other way, then FIN: {trace:?}"
    );
    let shutdown = &run.calls("client", "shutdown")[0];
    assert_eq!(shutdown["args"], "SHUT_WR");
    let server: Vec<u64> = run
        .calls("server", "recv")
        .iter()
        .map(|r| u(&r["ret"]))
        .collect();
    assert_eq!(server, [20, 0]);
    let client: Vec<u64> = run
        .calls("client", "recv")
        .iter()
        .map(|r| u(&r["ret"]))
        .collect();
    assert_eq!(client, [17, 0]);
}

#[test]
fn refused_connect_gets_rst_and_econnrefused() {
    let file = scratch("refused.pcapng");
    let run = run_scenario(
        "refused",
        &["--record", file.to_str().expect("UTF-8 path"), "--force"],
    );
    assert_no_syn_received_in_exports(&file);
    run.assert_namespace_capture();
    assert_eq!(run.flag_trace(), ["c2s:SYN", "s2c:RST,ACK"]);
    let connect = &run.calls("client", "connect")[0];
    assert_eq!(connect["errno"], "ECONNREFUSED");
    let rst = run.first_segment("s2c", &["RST"]).expect("RST");
    assert!(
        run.index(connect) > run.index(rst),
        "connect fails after the RST arrives"
    );
    // Nothing listened: the server end never was SYN_RECEIVED, and the failed connect leaves
    // nothing in the buffers.
    assert!(run.segments().iter().all(|s| s["server_state"] == "CLOSED"));
    let client = run.socks("client")[0];
    assert_eq!(run.derived_states(client), ["CLOSED", "SYN_SENT", "CLOSED"]);
    let end = run
        .truth_at(client, run.index(connect))
        .expect("client truth");
    assert_eq!(
        (u(&end["unsent"]), u(&end["unacked"]), u(&end["recv_q"])),
        (0, 0, 0)
    );
    run.assert_probes_agree_with_truth();
}

#[test]
fn backlog_fills_the_accept_queue_and_drops_a_syn() {
    let file = scratch("backlog.pcapng");
    let run = run_scenario(
        "backlog",
        &["--record", file.to_str().expect("UTF-8 path"), "--force"],
    );
    run.assert_namespace_capture();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let listener: Vec<_> = run
        .kind("probe")
        .filter(|p| p["side"] == "listener" && p["state"] == "LISTEN")
        .collect();
    assert!(listener.iter().all(|p| p["backlog"] == 1), "listen(1)");
    let max = listener
        .iter()
        .map(|p| u(&p["accept_queue"]))
        .max()
        .expect("probes");
    assert!(max >= 1, "the accept queue reached the backlog (max {max})");
    let syns = run
        .segments()
        .iter()
        .filter(|s| s["flags"] == "SYN")
        .count();
    assert!(
        syns > 3,
        "a SYN beyond the full queue was dropped and sent again ({syns} SYNs)"
    );
    assert_eq!(run.calls("listener", "accept").len(), 3);
    let slow = run
        .calls("client", "connect")
        .iter()
        .map(|c| c["t_end"].as_f64().unwrap_or(0.0) - c["t_start"].as_f64().unwrap_or(0.0))
        .fold(0.0, f64::max);
    assert!(
        slow > 0.5,
        "one connect() waited for its SYN to be retried ({slow:.3} s)"
    );
    // The dropped SYN left its connection's server end CLOSED; only the SYN the listener
    // answered made SYN_RECEIVED.
    let segs = run.segments();
    for (k, syn) in segs.iter().enumerate().filter(|(_, s)| s["flags"] == "SYN") {
        let answered = segs[k + 1..]
            .iter()
            .take_while(|s| !(s["flags"] == "SYN" && s["src"] == syn["src"]))
            .any(|s| s["dir"] == "s2c" && s["dst"] == syn["src"] && s["flags"] == "SYN,ACK");
        let want = if answered { "SYN_RECEIVED" } else { "CLOSED" };
        assert_eq!(syn["server_state"], want, "{syn}");
    }
    let listener = run.socks("listener")[0];
    let most = run
        .sockets
        .iter()
        .filter(|s| s["sock"].as_u64() == Some(listener))
        .filter_map(|s| s["accept_queue"].as_u64())
        .max();
    assert_eq!(
        most,
        Some(2),
        "listen(1) admits backlog + 1 completed connections"
    );
    run.assert_probes_agree_with_truth();
}

#[test]
fn slow_reader_shows_zero_window_and_blocked_send() {
    let run = run_scenario("slow-reader", &[]);
    run.assert_namespace_capture();
    run.assert_probes_agree_with_truth();
    let client = run.socks("client")[0];
    let server = run.socks("server")[0];
    let max = |sock: u64, field: &str| {
        run.sockets
            .iter()
            .filter(|s| s["sock"].as_u64() == Some(sock))
            .filter_map(|s| s[field].as_u64())
            .max()
            .unwrap_or(0)
    };
    assert!(
        max(client, "unsent") > 0,
        "bytes wait unsent while the window is closed"
    );
    assert!(max(server, "recv_q") > 0, "the slow reader's queue fills");
    run.assert_handshake();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    assert!(
        run.segments()
            .iter()
            .any(|s| s["dir"] == "s2c" && u(&s["win"]) == 0),
        "the server advertised a zero window"
    );
    let sends = run.calls("client", "send");
    assert!(
        sends
            .iter()
            .any(|s| s["ret"].as_u64().is_some_and(|r| r < u(&s["len"]))),
        "a non-blocking send returned a partial count"
    );
    assert!(sends.iter().any(|s| s["errno"] == "EAGAIN"), "then EAGAIN");
    let blocked = sends
        .iter()
        .filter(|s| s["ret"].is_u64())
        .map(|s| s["t_end"].as_f64().unwrap_or(0.0) - s["t_start"].as_f64().unwrap_or(0.0))
        .fold(0.0, f64::max);
    assert!(
        blocked > 0.5,
        "a blocking send blocked until the reader drained ({blocked:.3} s)"
    );
    let sendall = &run.calls("client", "sendall")[0];
    let waited =
        sendall["t_end"].as_f64().unwrap_or(0.0) - sendall["t_start"].as_f64().unwrap_or(0.0);
    assert!(
        waited > 0.3,
        "sendall waited through the second stall ({waited:.3} s)"
    );
    let full = run
        .kind("probe")
        .filter(|p| p["side"] == "server")
        .map(|p| u(&p["recv_q"]))
        .max()
        .unwrap_or(0);
    assert!(full > 0, "the server's receive queue filled");
}

#[test]
fn reset_sends_rst_both_ways_and_recv_fails() {
    let run = run_scenario("reset", &[]);
    run.assert_namespace_capture();
    run.assert_probes_agree_with_truth();
    // close() with unread data resets: no FIN_WAIT_1 for the side that reset.
    for sock in run.socks("client").into_iter().chain(run.socks("server")) {
        let states = run.derived_states(sock);
        assert_eq!(
            states.last().map(String::as_str),
            Some("CLOSED"),
            "{sock}: {states:?}"
        );
    }
    run.assert_causal();
    assert!(
        run.first_segment("s2c", &["RST"]).is_some(),
        "close with unread data: RST"
    );
    assert!(
        run.first_segment("c2s", &["RST"]).is_some(),
        "SO_LINGER (1, 0): RST"
    );
    assert!(
        run.flag_trace().iter().all(|f| !f.contains("FIN")),
        "no FIN at all"
    );
    assert_eq!(run.calls("client", "recv")[0]["errno"], "ECONNRESET");
    assert_eq!(run.calls("server", "recv")[0]["errno"], "ECONNRESET");
}

#[test]
fn utf8_split_recv4_cuts_a_character() {
    let run = run_scenario("utf8-split", &[]);
    run.assert_namespace_capture();
    run.assert_probes_agree_with_truth();
    run.assert_causal();
    run.assert_recvs_cover_sends();
    let recvs = run.calls("server", "recv");
    let hex: Vec<&str> = recvs
        .iter()
        .map(|r| r["hex"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(hex, ["ec 95 88 eb", "85 95", ""]);
    assert!(recvs.iter().all(|r| r["args"] == "4"));
    let data = run
        .segments()
        .into_iter()
        .find(|s| u(&s["len"]) > 0)
        .expect("data");
    assert_eq!(u(&data["len"]), 6, "one segment carried both characters");
}

#[test]
fn list_names_every_scenario() {
    let out = std::process::Command::new(lab_support::BIN)
        .args(["lab", "--list"])
        .output()
        .expect("run sockviz");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "echo",
            "segments",
            "coalesce",
            "half-close",
            "refused",
            "backlog",
            "slow-reader",
            "reset",
            "utf8-split",
            "echo-link",
            "syn-timeout",
            "unreachable",
            "loss",
            "slow-start"
        ]
    );
}
