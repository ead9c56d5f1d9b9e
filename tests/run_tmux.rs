//! `sockviz run -- python3 examples/echo_client.py` in a real terminal (issue 13): the
//! handshake and the program's calls on the ladder, its output once the screen closes.

mod tmux_support;

use tmux_support::{start, tmux, wait_for};

#[test]
fn a_traced_python_client_on_the_ladder() {
    let name = format!("sockviz-run-{}", std::process::id());
    let script = format!(
        "cd {} && {} run -- /usr/bin/python3 examples/echo_client.py; echo EXITED:$?; sleep 30",
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_sockviz")
    );
    let _session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 30, |s| s.contains("SYN,ACK seq=0 ack=1"));
    assert!(ok, "the handshake on the ladder:\n{screen}");
    assert!(
        screen.contains("scenario run python3 echo_client.py"),
        "{screen}"
    );
    let (ok, screen) = wait_for(&name, 30, |s| {
        s.contains("send(20) → 20") && s.contains("recv(1024) → 20") && s.contains("close()")
    });
    assert!(ok, "the program's calls, with their results:\n{screen}");
    assert!(screen.contains("connect(:7)"), "{screen}");
    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "q quits:\n{screen}");
    assert!(
        screen.contains("Hello, 대한민국!"),
        "the program's output after the screen closed:\n{screen}"
    );
}
