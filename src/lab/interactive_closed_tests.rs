//! Issue 11 item 4: after `x` (the client's `close()`), `s` and `r` fail as Python's calls on a
//! closed socket do, `OSError: [Errno 9] Bad file descriptor`; after `w`, a send fails with
//! `EPIPE` (Python's `BrokenPipeError`) and keeps its bytes for the call log.

use std::time::Instant;

use super::*;
use crate::timeline::{Call, CallEvent};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn calls_until(
    rx: &mpsc::Receiver<SourceEvent>,
    seen: &mut Vec<CallEvent>,
    done: impl Fn(&[CallEvent]) -> bool,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match rx.recv_timeout(left) {
            Ok(SourceEvent::Call(c)) => seen.push(c),
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    true
}

fn failed(seen: &[CallEvent], code: i32) -> Vec<&CallEvent> {
    seen.iter()
        .filter(|c| c.side == Side::Client && c.errno.is_some_and(|e| e.code == code))
        .collect()
}

#[test]
fn calls_on_a_closed_or_shut_down_socket_fail_as_in_python() {
    let cfg = LabConfig {
        scenario: "refused".into(),
        host_loopback: true,
        port: Some(free_port()),
        ..LabConfig::default()
    };
    let (tx, rx) = mpsc::channel();
    let lab = start(&cfg, &Prepared::HostRequested, tx).expect("the lab starts");
    let send = |c| lab.commands.send(c).expect("the session is running");
    let mut seen = Vec::new();
    send(LabCommand::AutoEcho(false));
    send(LabCommand::NewConnection);
    send(LabCommand::Shutdown {
        side: Side::Client,
        how: Shutdown::Write,
    });
    send(LabCommand::Send {
        text: "after SHUT_WR".into(),
        all: false,
    });
    assert!(
        calls_until(&rx, &mut seen, |s| !failed(s, libc::EPIPE).is_empty()),
        "send after shutdown(SHUT_WR): {seen:?}"
    );
    let epipe = failed(&seen, libc::EPIPE)[0];
    assert_eq!(epipe.data, b"after SHUT_WR", "the bytes it was given");
    send(LabCommand::Close { side: Side::Client });
    send(LabCommand::Send {
        text: "x".into(),
        all: false,
    });
    send(LabCommand::Recv {
        side: Side::Client,
        bufsize: 1024,
    });
    assert!(
        calls_until(&rx, &mut seen, |s| failed(s, libc::EBADF).len() >= 2),
        "send and recv after close(): {seen:?}"
    );
    let ebadf = failed(&seen, libc::EBADF);
    assert!(matches!(ebadf[0].call, Call::Send { all: false, .. }));
    assert!(matches!(ebadf[1].call, Call::Recv { bufsize: 1024 }));
    assert_eq!(
        crate::export::labels::python_error(ebadf[0].errno.expect("failed")),
        "OSError: [Errno 9] Bad file descriptor"
    );
}
