//! What a player needs from a timeline: "what is true after the first `p` events" in time that
//! does not grow with the timeline, the sockets and their addresses, and the connection's phases.
//!
//! Scanning every event before `p` would answer it too, but a screen redrawn 30 times a second
//! over a million-event replay cannot afford that, so this index keeps a checkpoint every
//! [`CHECKPOINT`] events and replays at most that many.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::tcp::{ConnId, Direction, TcpState};

use super::call::Call;
use super::event::{Event, EventKind, SegmentEvent, Side, SocketId};
use super::truth::{self, SocketTruth, StateChange, TruthInput};

pub use super::play_state::{DirKey, PlayState, WireDir};

/// Events between two checkpoints: the most a position lookup replays.
pub const CHECKPOINT: usize = 1024;

/// The part of a connection's life a segment belongs to (RFC 9293 §3.5 opening, §3.6 closing),
/// which the scrubber colours and the ladder draws with its own glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Handshake,
    Data,
    Teardown,
    Reset,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Handshake => "handshake",
            Phase::Data => "data",
            Phase::Teardown => "teardown",
            Phase::Reset => "reset",
        }
    }
}

/// One socket as the views name it: the lab's sockets from their calls, or a replay's two
/// endpoints from the capture (then `inferred`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketInfo {
    pub id: SocketId,
    pub side: Side,
    pub local: Option<SocketAddr>,
    pub remote: Option<SocketAddr>,
    /// Index of the event that created it (its `socket()` call, or its first segment).
    pub born: usize,
    /// Index of its `close()` call, if it was closed.
    pub closed: Option<usize>,
    /// Known from the capture only: no probe ever saw this socket.
    pub inferred: bool,
}

impl SocketInfo {
    /// One end of a connection known from a capture only (no calls, no probes).
    pub fn inferred_end(id: SocketId, side: Side, local: SocketAddr, remote: SocketAddr) -> Self {
        SocketInfo {
            id,
            side,
            local: Some(local),
            remote: Some(remote),
            born: 0,
            closed: None,
            inferred: true,
        }
    }
}

/// Checkpoints, the socket table and the phase marks of one timeline.
///
/// Built once ([`PlaybackIndex::build`]) and then kept up to date as events arrive
/// ([`PlaybackIndex::update`]): live events land at or near the end, so only the events from
/// the checkpoint before the first change are folded again.
#[derive(Debug, Clone, Default)]
pub struct PlaybackIndex {
    /// `checkpoints[k]` is the state before event `k * CHECKPOINT`.
    checkpoints: Vec<PlayState>,
    /// The state after every event.
    tail: PlayState,
    sockets: Vec<SocketInfo>,
    /// The sockets were set from outside (a replay's endpoints): keep them.
    fixed_sockets: bool,
    /// `(index, phase)` where the phase of the segments changes, in index order.
    phases: Vec<(usize, Phase)>,
    /// Indices of the events a ladder draws (calls, segments, notes), in order.
    visible: Vec<usize>,
    /// Each connection's (client, server) addresses, from its first segment's direction.
    conns: Vec<(ConnId, SocketAddr, SocketAddr)>,
    /// The index of each connection's first segment (parallel to `conns`).
    conn_first: Vec<usize>,
    /// Every state change of a connection end or a listener, in index order.
    changes: Vec<StateChange>,
    /// Each socket's `connect()` call (placed where it returned).
    connects: BTreeMap<SocketId, usize>,
    /// Indices of the calls that may block (`connect`, `accept`, `recv`, `send`), in order:
    /// the ladder looks for blocked calls near its window here, not among every event.
    may_block: Vec<usize>,
    len: usize,
}

impl PlaybackIndex {
    /// Index `events`. Linear in their number.
    pub fn build(events: &[Event]) -> Self {
        let mut idx = PlaybackIndex::default();
        idx.update(events, 0);
        idx
    }

    /// Bring the index up to date after the events from `first_changed` on changed (inserted,
    /// or patched): refold from the checkpoint at or before it. Earlier events must be the
    /// same as when the index last saw them.
    pub fn update(&mut self, events: &[Event], first_changed: usize) {
        let first_changed = first_changed.min(self.len).min(events.len());
        let k = (first_changed / CHECKPOINT).min(self.checkpoints.len().saturating_sub(1));
        let from = k * CHECKPOINT;
        self.checkpoints.truncate(k + 1);
        let mut state = self.checkpoints.pop().unwrap_or_default();
        let keep = |v: &[usize]| v.partition_point(|&i| i < from);
        self.visible.truncate(keep(&self.visible));
        self.may_block.truncate(keep(&self.may_block));
        let n = self.phases.partition_point(|(i, _)| *i < from);
        self.phases.truncate(n);
        let n = self.conn_first.partition_point(|&i| i < from);
        self.conn_first.truncate(n);
        self.conns.truncate(n);
        let n = self.changes.partition_point(|c| c.index < from);
        self.changes.truncate(n);
        self.connects.retain(|_, i| *i < from);
        for (i, ev) in events.iter().enumerate().skip(from) {
            if i % CHECKPOINT == 0 {
                self.checkpoints.push(state.clone());
            }
            let before = match &ev.kind {
                EventKind::Segment(s) => state.states.get(&s.conn).copied(),
                _ => None,
            };
            state.apply(i, ev);
            match &ev.kind {
                EventKind::Segment(s) => {
                    self.visible.push(i);
                    if self.conn_first.len() == self.conns.len()
                        && !self.conns.iter().rev().any(|(c, _, _)| *c == s.conn)
                    {
                        let (client, server) = match s.dir {
                            Direction::ToServer => (s.src, s.dst),
                            Direction::ToClient => (s.dst, s.src),
                        };
                        self.conns.push((s.conn, client, server));
                        self.conn_first.push(i);
                    }
                    if self.phases.last().map(|p| p.1) != state.phase
                        && let Some(p) = state.phase
                    {
                        self.phases.push((i, p));
                    }
                    let (c0, s0) = before.unwrap_or_default();
                    let (c1, s1) = (s.client_state, s.server_state);
                    for (side, old, new) in [(Side::Client, c0, c1), (Side::Server, s0, s1)] {
                        if old != new || before.is_none() && new != TcpState::Closed {
                            self.changes.push(StateChange {
                                index: i,
                                side,
                                conn: Some(s.conn),
                                socket: None,
                                state: new,
                            });
                        }
                    }
                }
                EventKind::Call(c) => {
                    self.visible.push(i);
                    if c.call.may_block() {
                        self.may_block.push(i);
                    }
                    let listener_state = match c.call {
                        Call::Listen { .. } if c.ok() => Some(TcpState::Listen),
                        ref call if call.closes_fd() && c.side == Side::Listener => {
                            Some(TcpState::Closed)
                        }
                        Call::Connect { .. } => {
                            self.connects.insert(c.socket, i);
                            None
                        }
                        _ => None,
                    };
                    if let Some(st) = listener_state {
                        self.changes.push(StateChange {
                            index: i,
                            side: Side::Listener,
                            conn: None,
                            socket: Some(c.socket),
                            state: st,
                        });
                    }
                }
                EventKind::Note(_) => self.visible.push(i),
                EventKind::Probe(_) => {}
            }
        }
        if events.is_empty() {
            self.checkpoints.push(state.clone());
        }
        if !self.fixed_sockets {
            self.sockets = state.table.finish();
        }
        self.tail = state;
        self.len = events.len();
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What is true after the first `upto` events: a checkpoint plus at most [`CHECKPOINT`]
    /// events replayed.
    pub fn state_at(&self, events: &[Event], upto: usize) -> PlayState {
        let upto = upto.min(events.len());
        if upto == self.len && upto == events.len() {
            return self.tail.clone();
        }
        let k = (upto / CHECKPOINT).min(self.checkpoints.len().saturating_sub(1));
        let mut state = self.checkpoints.get(k).cloned().unwrap_or_default();
        let from = k * CHECKPOINT;
        for (i, ev) in events.iter().enumerate().take(upto).skip(from) {
            state.apply(i, ev);
        }
        state.upto = upto;
        state
    }

    pub fn sockets(&self) -> &[SocketInfo] {
        &self.sockets
    }

    /// Replace the socket table (a replay knows its endpoints from the capture).
    pub fn set_sockets(&mut self, sockets: Vec<SocketInfo>) {
        self.sockets = sockets;
        self.fixed_sockets = true;
    }

    /// Connections as (id, client, server), in order of first segment.
    pub fn connections(&self) -> &[(ConnId, SocketAddr, SocketAddr)] {
        &self.conns
    }

    /// The connections whose first segment is at or after event `from` (a scenario picked
    /// live starts there), as [`PlaybackIndex::connections`] lists them.
    pub fn connections_from(&self, from: usize) -> &[(ConnId, SocketAddr, SocketAddr)] {
        let k = self.conn_first.partition_point(|&i| i < from);
        &self.conns[k.min(self.conns.len())..]
    }

    /// Every TCP state change of a connection's ends (from the wire, RFC 9293 §3.3.2) and of
    /// the listeners (from `listen()`/`close()`), in event order: the lifelines' state names.
    pub fn state_changes(&self) -> &[StateChange] {
        &self.changes
    }

    /// The state changes at events `range` (a screenful of rows).
    pub fn state_changes_in(&self, range: std::ops::Range<usize>) -> &[StateChange] {
        let a = self.changes.partition_point(|c| c.index < range.start);
        let b = self.changes.partition_point(|c| c.index < range.end);
        &self.changes[a..b]
    }

    /// The connection `s` is an end of, by its addresses.
    pub fn conn_of(&self, s: &SocketInfo) -> Option<ConnId> {
        truth::conn_of(&self.conns, s)
    }

    /// What is true of socket `s` in `ps` (a state from [`PlaybackIndex::state_at`]).
    pub fn truth(&self, events: &[Event], ps: &PlayState, s: &SocketInfo) -> SocketTruth {
        self.truth_in(events, ps, s, self.conn_of(s))
    }

    /// [`PlaybackIndex::truth`] for a socket whose connection is known (a capture's endpoints,
    /// where a reused port pair makes the address ambiguous).
    pub fn truth_in(
        &self,
        events: &[Event],
        ps: &PlayState,
        s: &SocketInfo,
        conn: Option<ConnId>,
    ) -> SocketTruth {
        let now = ps
            .upto
            .checked_sub(1)
            .and_then(|i| events.get(i))
            .map(|e| e.at);
        // connect() is placed where it returned; it was under way from its start.
        let connecting = self.connects.get(&s.id).and_then(|&j| {
            if j < ps.upto {
                return None;
            }
            match (&events.get(j).map(|e| &e.kind), now) {
                // Where it began: events are (nearly) in time order, and it began before `j`.
                (Some(EventKind::Call(c)), Some(now)) if c.started <= now => {
                    Some(events[..j].partition_point(|e| e.at < c.started))
                }
                _ => None,
            }
        });
        let queue_conns: Vec<(ConnId, SocketAddr)> = if s.side == Side::Listener {
            self.conns
                .iter()
                .filter(|(_, _, server)| Some(*server) == s.local)
                .map(|(c, client, _)| (*c, *client))
                .collect()
        } else {
            Vec::new()
        };
        truth::socket_truth(
            ps,
            TruthInput {
                info: s,
                conn,
                connecting,
                queue_conns: &queue_conns,
            },
        )
    }

    /// Every socket born by the position of `ps`, with its truth.
    pub fn truths<'a>(
        &'a self,
        events: &[Event],
        ps: &PlayState,
    ) -> Vec<(&'a SocketInfo, SocketTruth)> {
        self.sockets
            .iter()
            .filter(|s| s.inferred || s.born < ps.upto)
            .map(|s| (s, self.truth(events, ps, s)))
            .collect()
    }

    pub fn phases(&self) -> &[(usize, Phase)] {
        &self.phases
    }

    /// The phase in force at event `i` (the latest segment at or before it).
    pub fn phase_at(&self, i: usize) -> Option<Phase> {
        let k = self.phases.partition_point(|(at, _)| *at <= i);
        k.checked_sub(1).map(|k| self.phases[k].1)
    }

    /// Indices of the events a ladder draws.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Indices of the calls that may block (`connect`, `accept`, `recv`, `send`) among
    /// events `range`, in order.
    pub fn calls_that_may_block(&self, range: std::ops::Range<usize>) -> &[usize] {
        let a = self.may_block.partition_point(|&i| i < range.start);
        let b = self.may_block.partition_point(|&i| i < range.end);
        &self.may_block[a..b.max(a)]
    }

    /// How many drawable events lie before event index `upto`.
    pub fn visible_before(&self, upto: usize) -> usize {
        self.visible.partition_point(|&i| i < upto)
    }
}

/// Handshake, data, teardown or reset, by flags; a bare ACK continues its connection's phase
/// (the third ACK of the handshake, the last ACK of the close).
pub fn segment_phase(s: &SegmentEvent, previous: Option<Phase>) -> Phase {
    if s.flags.rst() {
        Phase::Reset
    } else if s.flags.syn() {
        Phase::Handshake
    } else if s.flags.fin() {
        Phase::Teardown
    } else if s.len > 0 {
        Phase::Data
    } else {
        match previous {
            Some(Phase::Handshake) | None => Phase::Handshake,
            Some(p) => p,
        }
    }
}
