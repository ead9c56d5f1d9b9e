//! Issue 16 item 5: `n`, `r`, `n` (new connection, client recv, new connection) left the
//! session thread joining a client blocked in `recv`, and every later command unanswered.

use std::time::Instant;

use super::*;
use crate::timeline::{Call, CallEvent};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Collect calls until `done` says the list is complete or `within` passes.
fn calls_until(
    rx: &mpsc::Receiver<SourceEvent>,
    seen: &mut Vec<CallEvent>,
    within: Duration,
    done: impl Fn(&[CallEvent]) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
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

/// The `accept()` calls `side` made.
fn accepts(seen: &[CallEvent], side: Side) -> usize {
    seen.iter()
        .filter(|c| c.side == side && matches!(c.call, Call::Accept { .. }))
        .count()
}

fn lab(scenario: &str) -> (InteractiveLab, mpsc::Receiver<SourceEvent>) {
    let cfg = LabConfig {
        scenario: scenario.into(),
        host_loopback: true,
        port: Some(free_port()),
        ..LabConfig::default()
    };
    let (tx, rx) = mpsc::channel();
    let lab = start(&cfg, &Prepared::HostRequested, tx).expect("the lab starts");
    (lab, rx)
}

#[test]
fn new_connection_while_the_client_is_blocked_in_recv_keeps_the_lab_answering() {
    let (lab, rx) = lab("refused");
    let mut seen = Vec::new();
    let send = |c| lab.commands.send(c).expect("the session is running");
    send(LabCommand::NewConnection);
    assert!(
        calls_until(&rx, &mut seen, Duration::from_secs(10), |s| {
            accepts(s, Side::Listener) >= 1
        }),
        "first connection: {seen:?}"
    );
    // Auto-echo has nothing to echo: the client's recv blocks.
    send(LabCommand::Recv {
        side: Side::Client,
        bufsize: 1024,
    });
    std::thread::sleep(Duration::from_millis(100));
    send(LabCommand::NewConnection);
    send(LabCommand::Send {
        text: "after".into(),
        all: false,
    });
    assert!(
        calls_until(&rx, &mut seen, Duration::from_secs(10), |s| {
            accepts(s, Side::Listener) >= 2
                && s.iter()
                    .any(|c| matches!(c.call, Call::Send { all: false, .. }) && c.data == b"after")
        }),
        "the lab stopped answering after n, r, n: {:?}",
        seen.iter()
            .map(|c| (c.side, c.call.name()))
            .collect::<Vec<_>>()
    );
    // The blocked recv ended the honest way: the server's close reached it as b''.
    let recv = seen
        .iter()
        .find(|c| c.side == Side::Client && matches!(c.call, Call::Recv { .. }))
        .expect("the client's recv returned");
    assert_eq!(recv.ret, Some(0), "{recv:?}");
}

#[test]
fn closing_a_side_blocked_on_a_silent_peer_wakes_it() {
    let (lab, rx) = lab("refused");
    let mut seen = Vec::new();
    let send = |c| lab.commands.send(c).expect("the session is running");
    send(LabCommand::NewConnection);
    send(LabCommand::AutoEcho(false));
    // Both sides wait for the other: only a shutdown under them can end it.
    send(LabCommand::Recv {
        side: Side::Client,
        bufsize: 1024,
    });
    send(LabCommand::Recv {
        side: Side::Server,
        bufsize: 1024,
    });
    std::thread::sleep(Duration::from_millis(100));
    send(LabCommand::NewConnection);
    send(LabCommand::Send {
        text: "still here".into(),
        all: true,
    });
    assert!(
        calls_until(&rx, &mut seen, Duration::from_secs(10), |s| {
            accepts(s, Side::Listener) >= 2
                && s.iter().any(|c| {
                    matches!(c.call, Call::Send { all: true, .. }) && c.data == b"still here"
                })
        }),
        "{:?}",
        seen.iter()
            .map(|c| (c.side, c.call.name()))
            .collect::<Vec<_>>()
    );
}
