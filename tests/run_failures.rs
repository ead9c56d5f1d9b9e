//! `sockviz run` on the failures that teach (issue 13, item 4), the lecture's own client text,
//! a sendall the kernel takes in pieces, and a program that cannot be traced (item 5).

mod lab_support;
mod run_support;

use std::process::Command;

use lab_support::{BIN, parse};
use run_support::{PY, both, calls_of, example, names, one, script, sockviz_run};

fn notes(run: &lab_support::LabRun) -> Vec<String> {
    run.kind("note")
        .filter_map(|n| n["text"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_server_that_forgot_listen() {
    both(
        &["--no-server"],
        &[PY, &example("forgot_listen.py")],
        |run| {
            assert_eq!(run.status.code(), Some(1), "the program's own status");
            assert!(
                run.stderr.contains("[Errno 22] Invalid argument"),
                "{}",
                run.stderr
            );
            let listener = calls_of(run, "listener");
            assert_eq!(names(&listener), ["socket", "bind", "accept", "close"]);
            let accept = one(run, "listener", "accept");
            assert_eq!(accept["errno"], "EINVAL");
            assert!(
                notes(run)
                    .iter()
                    .any(|n| n.contains("listen() was never called"))
            );
            assert!(run.segments().is_empty());
        },
    );
}

#[test]
fn address_already_in_use_and_so_reuseaddr() {
    both(
        &["--no-server"],
        &[PY, &example("address_in_use.py")],
        |run| {
            assert!(run.status.success(), "{}", run.stderr);
            assert!(
                run.stderr
                    .contains("without SO_REUSEADDR: [Errno 98] Address already in use"),
                "{}",
                run.stderr
            );
            let binds: Vec<_> = run.kind("call").filter(|c| c["call"] == "bind").collect();
            let errnos: Vec<_> = binds.iter().map(|b| b["errno"].as_str()).collect();
            assert_eq!(errnos, [None, Some("EADDRINUSE"), None]);
            assert!(notes(run).iter().any(|n| n.contains("SO_REUSEADDR")));
        },
    );
    // The lab's own echo server holds port 7 unless --no-server.
    let run = sockviz_run(false, &[], &[PY, &example("echo_server.py")]).expect("ran");
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stderr.contains("[Errno 98] Address already in use"),
        "{}",
        run.stderr
    );
    let bind = one(&run, "client", "bind");
    assert_eq!(bind["errno"], "EADDRINUSE");
    assert!(notes(&run).iter().any(|n| n.contains("--no-server")));
}

#[test]
fn a_client_that_never_closes_keeps_the_servers_recv_blocked() {
    both(&[], &[PY, &example("never_close_client.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        let last = run.calls("server", "recv").last().copied().expect("recv");
        assert_eq!(last["ret"], 0);
        let blocked =
            last["t_end"].as_f64().unwrap_or(0.0) - last["t_start"].as_f64().unwrap_or(0.0);
        assert!(
            blocked > 0.8,
            "the server's recv waited for the client's FIN: {blocked} s"
        );
    });
}

#[test]
fn exit_without_close_leaves_the_fin_to_the_kernel() {
    both(&[], &[PY, &example("exit_without_close.py")], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        assert!(run.calls("client", "close").is_empty(), "no close() call");
        let exit = one(run, "client", "exit");
        // The exit is the close: from it on, the socket panel shows the fd closed.
        let sock = exit["sock"].as_u64().expect("sock");
        assert_eq!(exit["args"], format!("fd {} closed by the kernel", 3));
        let open: Vec<_> = run
            .sockets
            .iter()
            .filter(|s| {
                s["sock"].as_u64() == Some(sock) && s["after"].as_u64() >= exit["i"].as_u64()
            })
            .map(|s| (s["after"].clone(), s["fd_open"].clone()))
            .collect();
        assert!(!open.is_empty(), "socket lines after the exit");
        assert!(
            open.iter().all(|(_, o)| *o == false),
            "fd_open after the exit: {open:?}"
        );
        let note = run
            .kind("note")
            .find(|n| {
                n["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("the kernel closes it at exit"))
            })
            .expect("the kernel's close is named");
        let fin = run
            .first_segment("c2s", &["FIN"])
            .expect("a FIN from the client");
        assert!(run.index(fin) > run.index(note) && run.index(fin) > run.index(exit));
        run.assert_fin_exchange();
    });
}

/// The lecture's client, as printed in the notes, with only the host changed.
const LECTURE_CLIENT: &str = r#"import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # create a TCP socket object
print(s)
print(type(s))
s.connect(('np.hufs.ac.kr', 7))    # connect to echo server
print(s)
msg = 'Hello, 대한민국!'
s.send(msg.encode('utf-8'))        # send in bytes or bytearray type
reply = s.recv(1024)
print(type(reply))
print(reply.decode('utf-8'))
s.close()
"#;

#[test]
fn the_lectures_own_client_runs_unchanged_but_for_its_host() {
    let path = script(
        "lecture_client.py",
        &LECTURE_CLIENT.replace("np.hufs.ac.kr", "127.0.0.1"),
    );
    both(&[], &[PY, &path], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        assert!(
            run.stderr.contains("raddr=('127.0.0.1', 7)"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("Hello, 대한민국!"), "{}", run.stderr);
        let client = calls_of(run, "client");
        assert_eq!(
            names(&client),
            ["socket", "connect", "send", "recv", "close"]
        );
        run.assert_handshake();
        run.assert_recvs_cover_sends();
    });
}

/// A sender thread's sendall meets a full buffer: CPython's loop of sends over one buffer is
/// shown as the one sendall the student wrote, with the pieces the kernel took.
const SENDALL_IN_PIECES: &str = r#"import socket, threading, time
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ls.bind(('127.0.0.1', 7007))
ls.listen(1)
def sender():
    c = socket.create_connection(('127.0.0.1', 7007))
    c.settimeout(5)
    c.sendall(b'y' * 200000)
    c.close()
t = threading.Thread(target=sender)
t.start()
s, _ = ls.accept()
time.sleep(0.3)
got = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    got += len(d)
t.join()
print('got', got)
"#;

#[test]
fn a_sendall_in_pieces_is_one_sendall() {
    let path = script("sendall_pieces.py", SENDALL_IN_PIECES);
    let run = sockviz_run(false, &["--no-server"], &[PY, &path]).expect("ran");
    assert!(run.status.success(), "{}", run.stderr);
    assert!(run.stderr.contains("got 200000"), "{}", run.stderr);
    let sendall = one(&run, "client", "sendall");
    assert_eq!(sendall["len"], 200_000);
    assert_eq!(sendall["stream"], serde_json::json!([0, 200_000]));
    let pieces = sendall["pieces"].as_array().expect("pieces");
    assert!(pieces.len() >= 2, "{pieces:?}");
    assert_eq!(pieces.last().and_then(|p| p[2].as_u64()), Some(200_000));
    assert!(
        run.calls("client", "send").is_empty(),
        "no stray send: {:?}",
        run.calls("client", "send")
    );
    run.assert_recvs_cover_sends();
}

#[test]
fn an_untraced_program_still_runs_and_is_captured() {
    // Under `strace -f`, sockviz's child is already traced: PTRACE_SEIZE fails with EPERM, as it
    // does in a container without ptrace.
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace is missing: skipping");
        return;
    }
    let out = Command::new("strace")
        .args([
            "-f",
            "-o",
            "/dev/null",
            BIN,
            "run",
            "--headless",
            "--json",
            "--",
        ])
        .args([PY, &example("echo_client.py")])
        .output()
        .expect("run strace");
    let run = parse(out);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(run.stderr.contains("Hello, 대한민국!"), "{}", run.stderr);
    let why = notes(&run)
        .into_iter()
        .find(|n| n.contains("runs untraced"))
        .expect("the screen says why calls are missing");
    assert!(
        why.contains("ptrace was refused") && why.contains("strace"),
        "{why}"
    );
    assert!(calls_of(&run, "client").is_empty(), "no invented calls");
    if run.summary["capture"] == "namespace" {
        run.assert_handshake();
        assert_eq!(run.calls("server", "recv")[0]["data"], "Hello, 대한민국!");
    }
}

#[test]
fn a_missing_program_is_named_with_status_2() {
    let out = Command::new(BIN)
        .args(["run", "--headless", "--", "no-such-program-sockviz"])
        .output()
        .expect("run sockviz");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`no-such-program-sockviz`: no such program on PATH"),
        "{stderr}"
    );
}
