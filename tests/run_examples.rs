//! `sockviz run --headless --json` on the lecture examples (issue 13): the calls in order with
//! their arguments and results, the captured segments, each recv's bytes mapped to the sends
//! and segments that carried them, and the sockets' states, as root and as an ordinary user
//! (uid 65534 through `setpriv`, as tests/lab_unprivileged.rs does).

mod lab_support;
mod run_support;

use run_support::{PY, both, calls_of, example, final_state, names, one};
use serde_json::Value;

#[test]
fn echo_client_against_the_labs_server() {
    both(&[], &[PY, &example("echo_client.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        assert!(
            run.stderr.contains("Hello, 대한민국!"),
            "the program's print: {}",
            run.stderr
        );
        let client = calls_of(run, "client");
        assert_eq!(
            names(&client),
            ["socket", "connect", "send", "recv", "close"]
        );
        assert_eq!(client[1].1, "('127.0.0.1', 7)");
        let connect = one(run, "client", "connect");
        assert_eq!(connect["ret"], 0);
        let send = one(run, "client", "send");
        assert_eq!(
            (send["len"].as_u64(), send["ret"].as_u64()),
            (Some(20), Some(20))
        );
        assert_eq!(send["data"], "Hello, 대한민국!");
        assert_eq!(send["stream"], serde_json::json!([0, 20]));
        let recv = one(run, "client", "recv");
        assert_eq!(recv["args"], "1024");
        assert_eq!(recv["ret"], 20);
        assert_eq!(recv["data"], "Hello, 대한민국!");
        // The reply's bytes came from the lab server's sendall, in a captured segment.
        let echo = one(run, "server", "sendall");
        let sends: Vec<u64> = recv["sends"]
            .as_array()
            .expect("sends")
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        assert_eq!(sends, [run.index(echo)]);
        assert!(!recv["segments"].as_array().expect("segments").is_empty());
        run.assert_namespace_capture();
        run.assert_handshake();
        run.assert_fin_exchange();
        run.assert_causal();
        run.assert_recvs_cover_sends();
        // The client closed first: its socket ends in TIME_WAIT, the server's CLOSED.
        assert_eq!(final_state(run, &send["sock"]), "TIME_WAIT");
        assert_eq!(final_state(run, &echo["sock"]), "CLOSED");
        // Its sockets were probed through sockviz's duplicates.
        assert!(run.kind("probe").any(|p| p["sock"] == send["sock"]));
    });
}

#[test]
fn the_students_server_and_client_together() {
    let (server, client) = (example("echo_server.py"), example("echo_client.py"));
    both(
        &["--no-server"],
        &[PY, &server, ":::", PY, &client],
        |run| {
            assert!(run.status.success(), "{}", run.stderr);
            assert!(
                run.stderr.contains("connected from ('127.0.0.1', "),
                "{}",
                run.stderr
            );
            let listener = calls_of(run, "listener");
            assert_eq!(
                listener,
                [
                    ("socket".into(), "AF_INET, SOCK_STREAM".into()),
                    ("setsockopt".into(), "SOL_SOCKET, SO_REUSEADDR, 1".into()),
                    ("bind".into(), "('0.0.0.0', 7)".into()),
                    ("listen".into(), "5".into()),
                    ("accept".into(), String::new()),
                    ("close".into(), String::new()),
                ]
            );
            let accepted = one(run, "listener", "accept")["ret"].clone();
            let server = calls_of(run, "server");
            // s.sendall(data) is one sendto that took everything: the same system call as send.
            assert_eq!(names(&server), ["recv", "send", "recv", "close"]);
            let recv = &run.calls("server", "recv")[0];
            assert_eq!(recv["sock"], accepted);
            assert_eq!(recv["data"], "Hello, 대한민국!");
            let client_send = one(run, "client", "send");
            assert_eq!(recv["sends"], serde_json::json!([run.index(client_send)]));
            assert_eq!(
                run.calls("server", "recv")[1]["ret"],
                0,
                "b'' after the client's FIN"
            );
            run.assert_handshake();
            run.assert_fin_exchange();
            run.assert_recvs_cover_sends();
        },
    );
}

#[test]
fn the_labs_client_against_the_students_server() {
    both(&["--client"], &[PY, &example("echo_server.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        let lab = calls_of(run, "client");
        assert_eq!(
            names(&lab),
            [
                "socket", "connect", "sendall", "shutdown", "recv", "recv", "close"
            ]
        );
        assert_eq!(lab[3].1, "SHUT_WR");
        let recvs = run.calls("client", "recv");
        assert_eq!(recvs[0]["data"], "Hello, 대한민국!");
        assert_eq!(recvs[1]["ret"], 0);
        assert_eq!(one(run, "listener", "listen")["args"], "5");
        run.assert_recvs_cover_sends();
    });
}

#[test]
fn half_close_reads_after_shutdown() {
    both(&[], &[PY, &example("half_close_client.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        let client = calls_of(run, "client");
        assert_eq!(
            names(&client),
            [
                "socket", "connect", "send", "shutdown", "recv", "recv", "close"
            ]
        );
        assert_eq!(client[3].1, "SHUT_WR");
        let fin = run
            .first_segment("c2s", &["FIN"])
            .expect("the client's FIN");
        let shutdown = one(run, "client", "shutdown");
        let reply = &run.calls("client", "recv")[0];
        assert!(
            run.index(fin) > run.index(shutdown),
            "shutdown sent the FIN"
        );
        assert_eq!(
            reply["data"], "Hello, 대한민국!",
            "recv works after SHUT_WR"
        );
        run.assert_recvs_cover_sends();
    });
}

#[test]
fn a_recv_loop_reads_to_b_empty() {
    both(&[], &[PY, &example("recv_loop.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        let recvs = run.calls("client", "recv");
        let rets: Vec<u64> = recvs.iter().filter_map(|r| r["ret"].as_u64()).collect();
        assert_eq!(rets, [8, 8, 4, 0], "recv(8) three times, then b''");
        assert!(recvs.iter().all(|r| r["args"] == "8"));
        let echo = one(run, "server", "sendall");
        for r in &recvs[..3] {
            assert_eq!(r["sends"], serde_json::json!([run.index(echo)]));
        }
        run.assert_recvs_cover_sends();
        assert!(run.stderr.contains("3 recv calls"), "{}", run.stderr);
    });
}

#[test]
fn send_may_take_part_of_the_buffer() {
    both(&[], &[PY, &example("sendall_vs_send.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        let sends = run.calls("client", "send");
        let first = sends[0];
        let took = first["ret"].as_u64().expect("send returned a count");
        assert_eq!(first["len"], 100_000);
        assert!(took < 100_000, "send on a full buffer took part: {took}");
        let rest: u64 = run
            .kind("call")
            .filter(|c| {
                c["side"] == "client" && matches!(c["call"].as_str(), Some("send" | "sendall"))
            })
            .skip(1)
            .filter_map(|c| {
                c["stream"]
                    .as_array()
                    .map(|r| r[1].as_u64().unwrap_or(0) - r[0].as_u64().unwrap_or(0))
            })
            .sum();
        assert_eq!(took + rest, 100_000, "the rest went with sendall");
        assert!(
            run.stderr
                .contains(&format!("send() took {took} of 100000")),
            "{}",
            run.stderr
        );
        // MSS-sized segments on the lab's MTU 1500 loopback.
        let max = run
            .segments()
            .iter()
            .filter_map(|s| s["len"].as_u64())
            .max();
        assert_eq!(max, Some(1448));
        run.assert_recvs_cover_sends();
    });
}

#[test]
fn a_run_is_recorded_and_replays_with_its_calls() {
    let path = std::env::temp_dir().join(format!("sockviz-run-{}.pcapng", std::process::id()));
    let file = path.to_string_lossy().into_owned();
    let run = run_support::sockviz_run(
        false,
        &["--record", &file, "--force"],
        &[PY, &example("echo_client.py")],
    )
    .expect("ran");
    assert!(run.status.success(), "{}", run.stderr);
    let out = std::process::Command::new(lab_support::BIN)
        .args(["replay", &file, "--headless", "--json"])
        .output()
        .expect("replay");
    let _ = std::fs::remove_file(&path);
    let replayed = lab_support::parse(out);
    assert_eq!(calls_of(&replayed, "client"), calls_of(&run, "client"));
    assert_eq!(replayed.segments().len(), run.segments().len());
}

/// The lecture's concurrent server pattern: accept, fork, the child serves. The child's calls
/// are traced too (PTRACE_O_TRACEFORK), on the same socket as the parent's.
const FORKING_SERVER: &str = r#"import os, socket
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('', 7))
ls.listen(5)
s, addr = ls.accept()
pid = os.fork()
if pid == 0:
    ls.close()
    while True:
        d = s.recv(1024)
        if not d:
            break
        s.sendall(d)
    s.close()
    os._exit(0)
s.close()
os.waitpid(pid, 0)
ls.close()
"#;

#[test]
fn a_forking_server_is_followed_into_its_child() {
    let path = std::env::temp_dir().join(format!("sockviz-fork-{}.py", std::process::id()));
    std::fs::write(&path, FORKING_SERVER).expect("write script");
    let file = path.to_string_lossy().into_owned();
    let run = run_support::sockviz_run(false, &["--client"], &[PY, &file]).expect("ran");
    let _ = std::fs::remove_file(&path);
    assert!(run.status.success(), "{}", run.stderr);
    let accepted = one(&run, "listener", "accept")["ret"].clone();
    let recvs = run.calls("server", "recv");
    assert_eq!(recvs.len(), 2, "the child's recvs: {recvs:?}");
    assert!(recvs.iter().all(|r| r["sock"] == accepted));
    assert_eq!(recvs[0]["data"], "Hello, 대한민국!");
    assert!(run.kind("note").any(|n| {
        n["text"]
            .as_str()
            .is_some_and(|t| t.contains("the child shares its sockets"))
    }));
    // Both processes close the listener: the child first, then the parent.
    assert_eq!(run.calls("listener", "close").len(), 2);
    assert_eq!(run.calls("client", "recv")[0]["data"], "Hello, 대한민국!");
    run.assert_recvs_cover_sends();
}
