//! Issue 10 item 4 for the calls a scenario makes: a call that may block is reported when it
//! starts (so the live screen draws it then, not only when it returns), and a send the kernel
//! took in pieces says which piece went in when (so the derived send queue of a send still
//! under way is exact). The real `slow-reader` scenario on the host loopback.

use super::*;
use crate::timeline::{Call, CallEvent, CallStart, Side};

#[test]
fn a_blocked_scenario_send_is_reported_at_its_start_and_its_pieces_recorded() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let cfg = LabConfig {
        scenario: "slow-reader".into(),
        host_loopback: true,
        port: Some(port),
        ..LabConfig::default()
    };
    let lab = spawn(cfg, Prepared::HostRequested).expect("spawn");
    // Arrival order, as the screen receives them.
    let mut starts: Vec<(usize, CallStart)> = Vec::new();
    let mut calls: Vec<(usize, CallEvent)> = Vec::new();
    let mut probes_before_first_call = std::collections::BTreeMap::new();
    for (k, ev) in lab.events.iter().enumerate() {
        match ev {
            SourceEvent::CallStarted(s) => starts.push((k, s)),
            SourceEvent::Call(c) => calls.push((k, c)),
            SourceEvent::Probe { probe, .. } => {
                // The first probe of each socket, before any of its calls but `socket()`.
                let called = calls
                    .iter()
                    .any(|(_, c)| c.socket == probe.socket && !matches!(c.call, Call::Socket(_)));
                if !called {
                    probes_before_first_call
                        .entry(probe.socket)
                        .or_insert(probe.sndbuf);
                }
            }
            _ => {}
        }
    }
    lab.join().expect("the lab ran");
    let sendall = calls
        .iter()
        .filter(|(_, c)| matches!(c.call, Call::Send { all: true, .. }))
        .max_by_key(|(_, c)| c.returned.as_nanos() - c.started.as_nanos())
        .expect("slow-reader's sendall");
    let blocked = sendall.1.blocked_secs();
    assert!(
        blocked > 0.2,
        "sendall waits through the stall: {blocked} s"
    );
    let (k_start, start) = starts
        .iter()
        .find(|(_, s)| s.socket == sendall.1.socket && s.started == sendall.1.started)
        .expect("sendall was reported when it started");
    assert!(start.call.same_kind(&sendall.1.call) && start.side == Side::Client);
    assert!(
        *k_start < sendall.0,
        "its start arrives before it returns ({k_start} vs {})",
        sendall.0
    );
    // Every call that may block was reported at its start; the others were not.
    for (_, c) in &calls {
        let reported = starts
            .iter()
            .any(|(_, s)| s.socket == c.socket && s.started == c.started);
        assert_eq!(reported, c.call.may_block(), "{:?}", c.call);
    }
    // The pieces: in time and stream order, within the call, ending at its last byte.
    let p = &sendall.1.progress;
    let range = sendall.1.stream.expect("its bytes");
    assert!(p.len() >= 2, "a blocked sendall goes in pieces: {p:?}");
    assert!(
        p.windows(2)
            .all(|w| w[0].done <= w[1].at && w[0].upto < w[1].upto)
    );
    assert!(p.iter().all(|piece| piece.at <= piece.done));
    assert!(p[0].at >= sendall.1.started && p[p.len() - 1].done <= sendall.1.returned);
    assert!(p[0].upto > range.start);
    assert_eq!(p[p.len() - 1].upto, range.end);
    // The blocking send before it took 16 KiB into a 8 KiB buffer: in pieces too.
    let send = calls
        .iter()
        .find(|(_, c)| matches!(c.call, Call::Send { all: false, .. }) && c.blocked_secs() > 0.2)
        .expect("the blocking send");
    assert!(send.1.progress.len() >= 2, "{:?}", send.1.progress);
    // Each socket's buffer sizes are known from its first moment, before it makes any call
    // but the one that made it (`socket()`, or the listener's `accept()`).
    let born: Vec<crate::timeline::SocketId> = calls
        .iter()
        .filter_map(|(_, c)| match c.call {
            Call::Socket(_) => Some(c.socket),
            Call::Accept { .. } => c.ret.map(|r| crate::timeline::SocketId(r as u32)),
            _ => None,
        })
        .collect();
    assert!(born.len() >= 3, "listener, client, accepted: {born:?}");
    for id in born {
        let sndbuf = probes_before_first_call.get(&id);
        assert!(
            sndbuf.is_some_and(|&b| b > 0),
            "socket {id:?} probed at birth"
        );
    }
}
