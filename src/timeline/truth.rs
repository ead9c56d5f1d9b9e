//! What is true of each socket at a timeline position, from everything the timeline knows: the
//! TCP model's transitions from the wire, the socket calls, and the probes as the kernel's own
//! word. Probes are sparse samples (a whole transfer can fall between two); the calls and the
//! wire are complete, so the derivation is exact where a probe can only be approximately right.
//!
//! The facts are folded event by event into [`super::playback::PlayState`] (so the checkpoint
//! index answers for any position in bounded time); [`socket_truth`] combines them for one socket.
//!
//! Rules (issue 10):
//! - The newest evidence wins: a probe newer than every segment and call that changed the
//!   socket's state shows its state; a segment after the probe replaces it. Where the probe
//!   disagrees with the derivation, both are kept ([`SocketTruth::derived`],
//!   [`SocketTruth::probe_disagrees`]).
//! - `connect()` under way is SYN_SENT even before its SYN is captured; `listen()` is LISTEN.
//! - `close()` ends the fd, not the connection: the kernel's state goes on (FIN_WAIT_2,
//!   TIME_WAIT, LAST_ACK, CLOSED) and [`SocketTruth::fd_open`] says the fd is gone.
//! - Buffers count stream bytes only (a SYN or FIN occupies a sequence number, not a buffer byte):
//!   send side = written by send calls, sent on the wire, acknowledged; receive side = arrived in
//!   order minus returned by recv calls, out-of-order bytes apart (RFC 9293 §3.4, §3.8.6).

use std::collections::BTreeMap;

use crate::tcp::{ConnId, TcpState};

use super::event::{ProbeEvent, SegmentEvent, Side, SocketId};
use super::playback::{DirKey, PlayState, SocketInfo};

mod facts;
pub use facts::{Arrivals, PendingSend, SocketCalls};

/// One change of a connection end's (or a listener's) TCP state, as the lifelines write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    /// The event after which the new state holds.
    pub index: usize,
    /// `Side::Client` or `Side::Server` for a connection's ends, `Side::Listener` for a
    /// listening socket (then `conn` is `None`).
    pub side: Side,
    pub conn: Option<ConnId>,
    /// The listener's socket (a connection end's socket is the views' to bind, by address).
    pub socket: Option<SocketId>,
    pub state: TcpState,
}

/// The listener's queue: connections the kernel has taken that `accept()` has not returned yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueTruth {
    /// Handshakes under way (SYN_RECEIVED: the SYN,ACK sent, its ACK not yet in).
    pub syn_received: u32,
    /// Completed connections waiting for `accept()` (what `ss -lnt` shows as Recv-Q).
    pub established: u32,
    /// The `listen()` backlog (Linux admits backlog + 1 completed connections).
    pub backlog: Option<u32>,
}

/// One socket at one timeline position: what the panels, the headless `socket` lines and the
/// tests read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketTruth {
    /// The state to show: the derivation, or a newer probe that disagrees with it.
    pub state: TcpState,
    /// The state derived from the calls and the wire alone.
    pub derived: TcpState,
    /// The latest probe so far (event index, what it read).
    pub probe: Option<(usize, ProbeEvent)>,
    /// The probe is newer than every fact that changed the derivation, and says otherwise
    /// (state or queues): a test failure to investigate, shown as the probe says.
    pub probe_disagrees: bool,
    /// The program still holds the fd (`close()` not called).
    pub fd_open: bool,
    /// The connection this socket is an end of, once known.
    pub conn: Option<ConnId>,
    /// Written by send calls but not yet on the wire.
    pub unsent: u64,
    /// On the wire but not yet acknowledged.
    pub unacked: u64,
    /// Arrived in order but not yet returned by recv.
    pub recv_q: u64,
    /// Arrived beyond a gap (held by the kernel, not readable yet).
    pub out_of_order: u64,
    /// The window this socket advertised last (from the wire).
    pub window: Option<u32>,
    /// The window its peer advertised last: how much more it may send.
    pub peer_window: Option<u32>,
    pub sndbuf: Option<u32>,
    pub rcvbuf: Option<u32>,
    /// A listener's queue.
    pub accept_queue: Option<QueueTruth>,
    /// Buffers known from the wire only (a plain capture: no calls, no probes): the receive
    /// queue cannot be known.
    pub inferred: bool,
}

impl SocketTruth {
    /// Free room in the send buffer, when its size is known.
    pub fn send_free(&self) -> Option<u64> {
        self.sndbuf
            .map(|b| u64::from(b).saturating_sub(self.unsent + self.unacked))
    }

    /// The values a headless `socket` line carries, to print a line only when one changes.
    pub fn headline(&self) -> Headline {
        Headline {
            state: self.state,
            fd_open: self.fd_open,
            unsent: self.unsent,
            unacked: self.unacked,
            recv_q: self.recv_q,
            out_of_order: self.out_of_order,
            window: self.window,
            accept_queue: self.accept_queue,
            derived: self.derived,
            probe_disagrees: self.probe_disagrees,
        }
    }
}

/// What a panel or a headless `socket` line shows of a [`SocketTruth`]: a new line is due when
/// this changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    pub state: TcpState,
    pub fd_open: bool,
    pub unsent: u64,
    pub unacked: u64,
    pub recv_q: u64,
    pub out_of_order: u64,
    pub window: Option<u32>,
    pub accept_queue: Option<QueueTruth>,
    pub derived: TcpState,
    pub probe_disagrees: bool,
}

/// The other direction.
pub fn flip(d: DirKey) -> DirKey {
    match d {
        DirKey::ToServer => DirKey::ToClient,
        DirKey::ToClient => DirKey::ToServer,
    }
}

/// What the connection-independent facts are for one socket.
pub struct TruthInput<'a> {
    pub info: &'a SocketInfo,
    /// The connection it is an end of, when known (from the socket table's addresses).
    pub conn: Option<ConnId>,
    /// A `connect()` of this socket had started and not yet returned at the position: the
    /// index of the first event at or after its start (a probe before it is older evidence).
    pub connecting: Option<usize>,
    /// For a listener: the connections to its address (id, client address).
    pub queue_conns: &'a [(ConnId, std::net::SocketAddr)],
}

/// One socket's truth after `ps.upto` events.
pub fn socket_truth(ps: &PlayState, input: TruthInput<'_>) -> SocketTruth {
    let info = input.info;
    let calls = ps.calls.get(&info.id).cloned().unwrap_or_default();
    let probe = ps.probes.get(&info.id).copied();
    let fd_open = calls.closed_at.is_none() && !(info.inferred && info.closed.is_some());
    let mut t = SocketTruth {
        state: TcpState::Closed,
        derived: TcpState::Closed,
        probe,
        probe_disagrees: false,
        fd_open,
        conn: input.conn,
        unsent: 0,
        unacked: 0,
        recv_q: 0,
        out_of_order: 0,
        window: None,
        peer_window: None,
        sndbuf: probe.map(|(_, p)| p.sndbuf).or(calls.sndbuf),
        rcvbuf: probe.map(|(_, p)| p.rcvbuf).or(calls.rcvbuf),
        accept_queue: None,
        inferred: info.inferred,
    };
    // The newest facts behind the derived state and behind the derived queues, to compare a
    // probe's age with.
    let mut state_evidence = calls.state_change.max(input.connecting.unwrap_or(0));
    let mut evidence = calls.last_change;
    if info.side == Side::Listener {
        // RFC 9293 §3.10.1 OPEN (passive): LISTEN until the socket is closed.
        t.derived = match (calls.listen_at, calls.closed_at) {
            (Some(_), None) => TcpState::Listen,
            _ => TcpState::Closed,
        };
        let mut q = QueueTruth {
            backlog: calls.backlog,
            ..QueueTruth::default()
        };
        for (conn, client) in input.queue_conns {
            if ps.accepted.contains_key(client) {
                continue;
            }
            match ps.states.get(conn).map(|s| s.1) {
                Some(TcpState::SynReceived) => q.syn_received += 1,
                Some(TcpState::Established | TcpState::CloseWait) => q.established += 1,
                _ => continue,
            }
            if let Some(&i) = ps.wire_state_changed.get(conn) {
                evidence = evidence.max(i);
                state_evidence = state_evidence.max(i);
            }
        }
        t.accept_queue = Some(q);
    } else {
        let end = |(c, s): (TcpState, TcpState)| if info.side == Side::Client { c } else { s };
        let wire = input.conn.and_then(|c| ps.states.get(&c).copied().map(end));
        if let Some(&i) = input.conn.and_then(|c| ps.wire_state_changed.get(&c)) {
            state_evidence = state_evidence.max(i);
        }
        // Any segment of the connection changes this end's buffers.
        for d in [DirKey::ToServer, DirKey::ToClient] {
            if let Some(w) = input.conn.and_then(|c| ps.wire.get(&(c, d))) {
                evidence = evidence.max(w.last_segment);
            }
        }
        t.derived = match wire {
            // RFC 9293 §3.10.4 CLOSE call: the FIN is queued the moment the program asks;
            // the kernel is in FIN-WAIT-1 (or LAST-ACK) before the FIN is on the wire. An abortive
            // close (SO_LINGER 0, or unread data: RFC 2525 §2.17) resets instead: CLOSED.
            Some(st) if calls.fin_queued_at.is_some() => match st {
                TcpState::Established | TcpState::SynReceived | TcpState::CloseWait
                    if calls.closed_at.is_some()
                        && (calls.linger_zero || unread(ps, input.conn, info.side, &calls)) =>
                {
                    TcpState::Closed
                }
                TcpState::Established | TcpState::SynReceived => TcpState::FinWait1,
                TcpState::CloseWait => TcpState::LastAck,
                other => other,
            },
            Some(st) => st,
            // RFC 9293 §3.10.1 OPEN (active): the SYN is being sent.
            None if input.connecting.is_some() => TcpState::SynSent,
            None => TcpState::Closed,
        };
        if let Some(conn) = input.conn {
            fill_buffers(&mut t, ps, conn, info.side, &calls);
        }
    }
    t.state = t.derived;
    if let Some((pi, p)) = probe
        && t.fd_open
    {
        let state_differs = pi > state_evidence && p.state.is_some_and(|s| s != t.derived);
        let queues_differ = match (t.accept_queue, p.accept_queue) {
            (Some(q), Some(pq)) => pi > evidence && q.established != pq.len,
            (None, None) => {
                pi > evidence
                    && !t.inferred
                    && (u64::from(p.recv_q) != t.recv_q
                        || u64::from(p.unsent) != t.unsent
                        || u64::from(p.unacked()) != t.unacked)
            }
            _ => false,
        };
        t.probe_disagrees = state_differs || queues_differ;
        if let Some(s) = p.state.filter(|_| state_differs) {
            t.state = s;
        }
    }
    t
}

/// Bytes arrived in order and not read by this end (what makes close() reset).
fn unread(ps: &PlayState, conn: Option<ConnId>, side: Side, calls: &SocketCalls) -> bool {
    let into = if side == Side::Client {
        DirKey::ToClient
    } else {
        DirKey::ToServer
    };
    conn.and_then(|c| ps.arrivals.get(&(c, into)))
        .is_some_and(|a| a.in_order > calls.read)
}

fn fill_buffers(
    t: &mut SocketTruth,
    ps: &PlayState,
    conn: ConnId,
    side: Side,
    calls: &SocketCalls,
) {
    let out_dir = if side == Side::Client {
        DirKey::ToServer
    } else {
        DirKey::ToClient
    };
    let out = ps.wire.get(&(conn, out_dir));
    let inn = ps.wire.get(&(conn, flip(out_dir)));
    t.window = out.map(|w| w.window);
    t.peer_window = inn.map(|w| w.window);
    let sent = out.map_or(0, |w| w.data_hi);
    // The acknowledgment covers the SYN (one sequence number) before stream byte 0.
    let acked = out.map_or(0, |w| w.acked.saturating_sub(1).min(w.data_hi));
    if t.inferred {
        t.unacked = sent.saturating_sub(acked);
        return;
    }
    let written = calls.written_at(ps.now).max(sent);
    t.unsent = written - sent;
    t.unacked = sent.saturating_sub(acked);
    if t.fd_open {
        // close() with unread data discards it (and resets the connection, RFC 2525 §2.17).
        let arrived = ps.arrivals.get(&(conn, flip(out_dir)));
        t.recv_q = arrived.map_or(0, |a| a.in_order).saturating_sub(calls.read);
        t.out_of_order = arrived.map_or(0, Arrivals::out_of_order);
    }
}

/// Which connection each socket is an end of, by the socket table's addresses; the newest
/// connection for the pair wins (a port reused later).
pub fn conn_of(
    conns: &[(ConnId, std::net::SocketAddr, std::net::SocketAddr)],
    s: &SocketInfo,
) -> Option<ConnId> {
    let (local, remote) = (s.local?, s.remote?);
    conns
        .iter()
        .rev()
        .find(|(_, c, sv)| (*c == local && *sv == remote) || (*c == remote && *sv == local))
        .map(|(id, _, _)| *id)
}

/// Segment facts the truth needs beyond the model's states: data sent and arrivals.
pub(crate) fn apply_arrival(arrivals: &mut BTreeMap<(ConnId, DirKey), Arrivals>, s: &SegmentEvent) {
    if s.flags.rst() {
        return;
    }
    if let Some(r) = s.stream() {
        arrivals
            .entry((s.conn, DirKey::from(s.dir)))
            .or_default()
            .arrive(r.start, r.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_fill_a_gap() {
        let mut a = Arrivals::default();
        a.arrive(0, 10);
        a.arrive(20, 30);
        assert_eq!((a.in_order, a.out_of_order()), (10, 10));
        a.arrive(10, 20);
        assert_eq!((a.in_order, a.out_of_order()), (30, 0));
        a.arrive(5, 15); // a retransmission of what is already there
        assert_eq!(a.in_order, 30);
    }
}
