//! The truth at every position, built from frames and calls as the lab makes them.

use std::net::SocketAddr;

use super::playback::{PlaybackIndex, SocketInfo};
use super::*;
use crate::capture::{LinkType, Timestamp};
use crate::wire::testframes::TcpSpec;

const C: &str = "127.0.0.1:40000";
const S: &str = "127.0.0.1:7";
const SYN: u16 = TcpFlags::SYN;
const SYNACK: u16 = TcpFlags::SYN | TcpFlags::ACK;
const ACK: u16 = TcpFlags::ACK;
const PSHACK: u16 = TcpFlags::PSH | TcpFlags::ACK;
const FINACK: u16 = TcpFlags::FIN | TcpFlags::ACK;
const RSTACK: u16 = TcpFlags::RST | TcpFlags::ACK;

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("literal")
}

/// A frame from the client (`to_server`) or the server, relative numbers as given (ISNs 1000
/// and 5000).
fn frame(at: i64, to_server: bool, flags: u16, seq: u32, ack: u32, len: usize) -> SourceEvent {
    let (src, dst, isn, peer) = if to_server {
        (addr(C), addr(S), 1000, 5000)
    } else {
        (addr(S), addr(C), 5000, 1000)
    };
    let spec = TcpSpec {
        src,
        dst,
        seq: isn + seq,
        ack: if flags & TcpFlags::ACK != 0 {
            peer + ack
        } else {
            0
        },
        flags,
        window: 512,
        options: Vec::new(),
        payload: vec![b'x'; len],
    };
    let data = spec.ethernet();
    SourceEvent::Frame(OwnedFrame {
        ts: Timestamp(at),
        link: LinkType::ETHERNET,
        orig_len: data.len() as u32,
        data,
    })
}

fn call(side: Side, sock: u32, call: Call, t: (i64, i64)) -> CallEvent {
    CallEvent {
        side,
        socket: SocketId(sock),
        call,
        len: None,
        ret: Some(0),
        errno: None,
        started: Timestamp(t.0),
        returned: Timestamp(t.1),
        data: Vec::new(),
        flow: None,
        stream: None,
        progress: Vec::new(),
    }
}

fn moving(side: Side, sock: u32, c: Call, t: (i64, i64), range: (u64, u64)) -> SourceEvent {
    // Bytes flow client → server when the client writes or the server reads.
    let c2s = c.reads() != (side == Side::Client);
    let (from, to) = if c2s { (C, S) } else { (S, C) };
    let flow = Flow {
        from: addr(from),
        to: addr(to),
    };
    SourceEvent::Call(CallEvent {
        len: Some(range.1 - range.0),
        ret: Some((range.1 - range.0) as i64),
        flow: Some(flow),
        stream: Some(ByteRange {
            start: range.0,
            end: range.1,
        }),
        ..call(side, sock, c, t)
    })
}

/// echo with 20 bytes: listener 1, client 2, accepted 3.
fn echo() -> Timeline {
    let mut tl = Timeline::new(Timestamp(0));
    let l = Side::Listener;
    let evs = vec![
        SourceEvent::Call(call(l, 1, Call::Socket(Family::Inet), (1, 2))),
        SourceEvent::Call(call(l, 1, Call::Bind { addr: addr(S) }, (3, 4))),
        SourceEvent::Call(call(l, 1, Call::Listen { backlog: 5 }, (5, 6))),
        SourceEvent::Call(call(Side::Client, 2, Call::Socket(Family::Inet), (7, 8))),
        frame(12, true, SYN, 0, 0, 0),
        frame(13, false, SYNACK, 0, 1, 0),
        frame(14, true, ACK, 1, 1, 0),
        SourceEvent::Call(call(
            Side::Client,
            2,
            Call::Connect { addr: addr(S) },
            (10, 15),
        )),
        SourceEvent::Call(CallEvent {
            ret: Some(3),
            ..call(
                l,
                1,
                Call::Accept {
                    peer: Some(addr(C)),
                },
                (9, 16),
            )
        }),
        moving(
            Side::Client,
            2,
            Call::Send {
                len: 20,
                all: false,
            },
            (20, 25),
            (0, 20),
        ),
        frame(22, true, PSHACK, 1, 1, 20),
        frame(26, false, ACK, 1, 21, 0),
        moving(
            Side::Server,
            3,
            Call::Recv { bufsize: 1024 },
            (17, 30),
            (0, 20),
        ),
        SourceEvent::Call(call(Side::Client, 2, Call::Close, (40, 41))),
        frame(40, true, FINACK, 21, 1, 0),
        frame(42, false, ACK, 1, 22, 0),
        SourceEvent::Call(call(Side::Server, 3, Call::Close, (50, 51))),
        frame(50, false, FINACK, 1, 22, 0),
        frame(52, true, ACK, 22, 2, 0),
    ];
    for e in evs {
        tl.push(e);
    }
    tl
}

/// The shown state of socket `id` after every event where it changes.
fn states(tl: &Timeline, id: u32) -> Vec<TcpState> {
    let idx = PlaybackIndex::build(tl.events());
    let sock = idx
        .sockets()
        .iter()
        .find(|s| s.id == SocketId(id))
        .expect("socket in the table")
        .clone();
    let mut out: Vec<TcpState> = Vec::new();
    for p in sock.born + 1..=tl.events().len() {
        let ps = idx.state_at(tl.events(), p);
        let t = idx.truth(tl.events(), &ps, &sock);
        if out.last() != Some(&t.state) {
            out.push(t.state);
        }
    }
    out
}

#[test]
fn echo_client_goes_through_the_textbook_states() {
    use TcpState::*;
    let tl = echo();
    assert_eq!(
        states(&tl, 2),
        [Closed, SynSent, Established, FinWait1, FinWait2, TimeWait]
    );
}

#[test]
fn echo_listener_is_listen_and_queues_the_connection_until_accept() {
    let tl = echo();
    let idx = PlaybackIndex::build(tl.events());
    let listener = idx.sockets()[0].clone();
    let at = |p: usize| idx.truth(tl.events(), &idx.state_at(tl.events(), p), &listener);
    let pos_of = |pred: &dyn Fn(&Event) -> bool| {
        tl.events().iter().position(pred).expect("event present") + 1
    };
    let syn =
        pos_of(&|e| matches!(&e.kind, EventKind::Segment(s) if s.flags.syn() && !s.flags.ack()));
    let t = at(syn);
    assert_eq!(t.state, TcpState::Listen);
    assert_eq!(
        t.accept_queue.map(|q| (q.syn_received, q.established)),
        Some((1, 0))
    );
    let third_ack = pos_of(&|e| matches!(&e.kind, EventKind::Segment(s) if s.number == 3));
    assert_eq!(
        at(third_ack)
            .accept_queue
            .map(|q| (q.syn_received, q.established)),
        Some((0, 1)),
        "handshake done, not yet accepted"
    );
    let accept =
        pos_of(&|e| matches!(&e.kind, EventKind::Call(c) if matches!(c.call, Call::Accept { .. })));
    assert_eq!(at(accept).accept_queue.map(|q| q.established), Some(0));
}

#[test]
fn echo_server_closes_through_close_wait_and_last_ack() {
    use TcpState::*;
    let tl = echo();
    assert_eq!(states(&tl, 3), [Established, CloseWait, LastAck, Closed]);
}

#[test]
fn buffers_count_sent_unacked_and_unread_bytes() {
    let tl = echo();
    let idx = PlaybackIndex::build(tl.events());
    let by_id = |id: u32| {
        idx.sockets()
            .iter()
            .find(|s| s.id == SocketId(id))
            .expect("socket")
            .clone()
    };
    let (client, server) = (by_id(2), by_id(3));
    let ev = tl.events();
    let truth = |p: usize, s: &SocketInfo| idx.truth(ev, &idx.state_at(ev, p), s);
    let send = ev
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if matches!(c.call, Call::Send { .. })))
        .expect("send");
    let t = truth(send + 1, &client);
    assert_eq!(
        (t.unsent, t.unacked),
        (20, 0),
        "written, not yet on the wire"
    );
    let t = truth(send + 2, &client);
    assert_eq!(
        (t.unsent, t.unacked),
        (0, 20),
        "on the wire, not acknowledged"
    );
    assert_eq!(truth(send + 2, &server).recv_q, 20, "arrived, not read");
    let t = truth(send + 3, &client);
    assert_eq!((t.unsent, t.unacked), (0, 0));
    assert_eq!(truth(send + 4, &server).recv_q, 0, "the recv took it");
    let end = truth(ev.len(), &client);
    assert!(!end.fd_open);
    assert_eq!(end.state, TcpState::TimeWait);
}

#[test]
fn a_syn_to_a_port_nobody_listens_on_leaves_the_server_closed() {
    let mut tl = Timeline::new(Timestamp(0));
    tl.push(frame(10, true, SYN, 0, 0, 0));
    tl.push(frame(11, false, RSTACK, 0, 1, 0));
    let states: Vec<_> = tl
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Segment(s) => Some((s.client_state, s.server_state)),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            (TcpState::SynSent, TcpState::Closed),
            (TcpState::Closed, TcpState::Closed)
        ]
    );
    assert_eq!(tl.take_changed(), Some(0), "the SYN's label was corrected");
}

#[test]
fn a_dropped_syn_left_the_server_closed_the_retransmitted_one_did_not() {
    let mut tl = Timeline::new(Timestamp(0));
    tl.push(frame(10, true, SYN, 0, 0, 0));
    tl.push(frame(1010, true, SYN, 0, 0, 0));
    tl.push(frame(1011, false, SYNACK, 0, 1, 0));
    let server: Vec<_> = tl
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Segment(s) => Some(s.server_state),
            _ => None,
        })
        .collect();
    assert_eq!(
        server,
        [
            TcpState::Closed,
            TcpState::SynReceived,
            TcpState::SynReceived
        ]
    );
}

#[test]
fn a_refused_connect_leaves_nothing_in_the_buffers() {
    let mut tl = Timeline::new(Timestamp(0));
    tl.push(SourceEvent::Call(call(
        Side::Client,
        1,
        Call::Socket(Family::Inet),
        (1, 2),
    )));
    tl.push(frame(10, true, SYN, 0, 0, 0));
    tl.push(frame(11, false, RSTACK, 0, 1, 0));
    tl.push(SourceEvent::Call(CallEvent {
        errno: Some(Errno {
            code: 111,
            name: "ECONNREFUSED",
        }),
        ret: None,
        ..call(Side::Client, 1, Call::Connect { addr: addr(S) }, (5, 12))
    }));
    let idx = PlaybackIndex::build(tl.events());
    let s = idx.sockets()[0].clone();
    let t = idx.truth(tl.events(), &idx.state_at(tl.events(), 2), &s);
    assert_eq!(t.state, TcpState::SynSent);
    let t = idx.truth(tl.events(), &idx.state_at(tl.events(), 4), &s);
    assert_eq!(
        (t.state, t.unsent, t.unacked, t.recv_q),
        (TcpState::Closed, 0, 0, 0)
    );
}

#[test]
fn a_connect_under_way_is_syn_sent_before_its_syn_is_captured() {
    let mut tl = Timeline::new(Timestamp(0));
    tl.push(SourceEvent::Call(call(
        Side::Client,
        1,
        Call::Socket(Family::Inet),
        (1, 2),
    )));
    tl.push(SourceEvent::Note {
        at: Timestamp(11),
        text: "between".into(),
    });
    tl.push(frame(12, true, SYN, 0, 0, 0));
    tl.push(SourceEvent::Call(call(
        Side::Client,
        1,
        Call::Connect { addr: addr(S) },
        (10, 15),
    )));
    let idx = PlaybackIndex::build(tl.events());
    let s = idx.sockets()[0].clone();
    let t = idx.truth(tl.events(), &idx.state_at(tl.events(), 2), &s);
    assert_eq!(t.state, TcpState::SynSent);
}

#[test]
fn incremental_update_equals_a_fresh_build() {
    let full = echo();
    let mut tl = Timeline::new(Timestamp(0));
    let mut idx = PlaybackIndex::build(tl.events());
    // Replay the same sources one at a time and update after each.
    let sources: Vec<Event> = full.events().to_vec();
    for ev in sources {
        tl.push_event(ev);
        let from = tl.take_changed().expect("an insertion");
        idx.update(tl.events(), from);
    }
    let fresh = PlaybackIndex::build(tl.events());
    assert_eq!(idx.sockets(), fresh.sockets());
    assert_eq!(idx.state_changes(), fresh.state_changes());
    assert_eq!(idx.visible(), fresh.visible());
    for p in 0..=tl.events().len() {
        assert_eq!(idx.state_at(tl.events(), p), fresh.state_at(tl.events(), p));
    }
}

#[test]
fn the_lifelines_state_changes_follow_the_wire() {
    let tl = echo();
    let idx = PlaybackIndex::build(tl.events());
    let client: Vec<TcpState> = idx
        .state_changes()
        .iter()
        .filter(|c| c.side == Side::Client)
        .map(|c| c.state)
        .collect();
    use TcpState::*;
    assert_eq!(client, [SynSent, Established, FinWait1, FinWait2, TimeWait]);
    let listener: Vec<TcpState> = idx
        .state_changes()
        .iter()
        .filter(|c| c.side == Side::Listener)
        .map(|c| c.state)
        .collect();
    assert_eq!(listener, [Listen]);
}

#[test]
fn the_byte_map_updated_in_place_equals_a_fresh_one() {
    let full = echo();
    let mut tl = Timeline::new(Timestamp(0));
    let mut map = ByteMap::build(tl.events());
    for ev in full.events().to_vec() {
        tl.push_event(ev);
        let from = tl.take_changed().expect("an insertion");
        map.update(tl.events(), from);
    }
    assert_eq!(map, ByteMap::build(tl.events()));
}

fn probe(state: TcpState, recv_q: u32) -> ProbeEvent {
    ProbeEvent {
        side: Side::Client,
        socket: SocketId(2),
        state: Some(state),
        recv_q,
        send_q: 0,
        unsent: 0,
        sndbuf: 16384,
        rcvbuf: 131072,
        rtt_us: 10,
        cwnd: 10,
        ssthresh: None,
        in_flight: 0,
        accept_queue: None,
    }
}

#[test]
fn a_newer_probe_that_disagrees_wins_the_state_and_both_are_kept() {
    let mut tl = echo();
    // After the handshake, a probe that says CLOSED (as Linux reads a socket whose connection
    // moved to a timewait socket).
    let third = tl
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.number == 3))
        .expect("third segment");
    let at = tl.events()[third].at;
    tl.push(SourceEvent::Probe {
        at,
        probe: probe(TcpState::Closed, 0),
    });
    let idx = PlaybackIndex::build(tl.events());
    let client = idx
        .sockets()
        .iter()
        .find(|s| s.id == SocketId(2))
        .expect("client")
        .clone();
    let p = third + 2; // after the probe
    let t = idx.truth(tl.events(), &idx.state_at(tl.events(), p), &client);
    assert_eq!(
        (t.state, t.derived),
        (TcpState::Closed, TcpState::Established)
    );
    assert!(t.probe_disagrees);
    // The client's FIN later: newer than the probe, the derivation is shown again.
    let fin = tl
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.flags.fin()))
        .expect("FIN");
    let t = idx.truth(tl.events(), &idx.state_at(tl.events(), fin + 1), &client);
    assert_eq!(
        t.state,
        TcpState::FinWait1,
        "never a stale probe over a newer segment"
    );
    assert!(!t.probe_disagrees);
}
