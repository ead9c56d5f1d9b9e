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
use super::event::{Event, EventKind, ProbeEvent, SegmentEvent, Side, SocketId};

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

/// What the wire says about one direction of one connection so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WireDir {
    /// Index of the latest segment sent this way.
    pub last_segment: usize,
    /// Highest relative sequence number sent (`seq + len`).
    pub seq_hi: u64,
    /// Highest relative acknowledgment the *other* direction has sent for these bytes.
    pub acked: u64,
    /// The window the sender of this direction advertised last.
    pub window: u32,
}

/// What is true after the first `upto` events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlayState {
    pub upto: usize,
    /// The latest probe of each socket, with its event index.
    pub probes: BTreeMap<SocketId, (usize, ProbeEvent)>,
    /// Each connection's endpoint states (client, server) after its latest segment.
    pub states: BTreeMap<ConnId, (TcpState, TcpState)>,
    /// Where each socket's probed state last changed (for the panels' flash).
    pub probe_state_changed: BTreeMap<SocketId, usize>,
    /// Where each connection's modelled states last changed.
    pub wire_state_changed: BTreeMap<ConnId, usize>,
    pub wire: BTreeMap<(ConnId, DirKey), WireDir>,
}

/// `Direction` as an ordered map key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DirKey {
    ToServer,
    ToClient,
}

impl From<Direction> for DirKey {
    fn from(d: Direction) -> Self {
        match d {
            Direction::ToServer => DirKey::ToServer,
            Direction::ToClient => DirKey::ToClient,
        }
    }
}

impl PlayState {
    fn apply(&mut self, i: usize, ev: &Event) {
        self.upto = i + 1;
        match &ev.kind {
            EventKind::Probe(p) => {
                let changed = self
                    .probes
                    .get(&p.socket)
                    .is_none_or(|(_, old)| old.state != p.state);
                if changed {
                    self.probe_state_changed.insert(p.socket, i);
                }
                self.probes.insert(p.socket, (i, *p));
            }
            EventKind::Segment(s) => self.apply_segment(i, s),
            _ => {}
        }
    }

    fn apply_segment(&mut self, i: usize, s: &SegmentEvent) {
        let now = (s.client_state, s.server_state);
        if self.states.insert(s.conn, now) != Some(now) {
            self.wire_state_changed.insert(s.conn, i);
        }
        let key = (s.conn, DirKey::from(s.dir));
        let seq_end = u64::from(s.rel_seq)
            + u64::from(s.len)
            + u64::from(s.flags.syn())
            + u64::from(s.flags.fin());
        let w = self.wire.entry(key).or_default();
        w.last_segment = i;
        w.seq_hi = w.seq_hi.max(seq_end);
        w.window = s.window;
        if s.flags.ack() {
            let back = self
                .wire
                .entry((s.conn, DirKey::from(s.dir.reverse())))
                .or_default();
            back.acked = back.acked.max(u64::from(s.rel_ack));
        }
    }
}

/// Checkpoints, the socket table and the phase marks of one timeline.
#[derive(Debug, Clone, Default)]
pub struct PlaybackIndex {
    checkpoints: Vec<PlayState>,
    sockets: Vec<SocketInfo>,
    /// `(index, phase)` where the phase of the segments changes, in index order.
    phases: Vec<(usize, Phase)>,
    /// Indices of the events a ladder draws (calls, segments, notes), in order.
    visible: Vec<usize>,
    /// Each connection's (client, server) addresses, from its first segment's direction.
    conns: Vec<(ConnId, SocketAddr, SocketAddr)>,
    len: usize,
}

impl PlaybackIndex {
    /// Index `events`. Linear in their number; done once per change of the timeline.
    pub fn build(events: &[Event]) -> Self {
        let mut idx = PlaybackIndex {
            len: events.len(),
            ..Default::default()
        };
        let mut state = PlayState::default();
        let mut last_phase: BTreeMap<ConnId, Phase> = BTreeMap::new();
        let mut current: Option<Phase> = None;
        for (i, ev) in events.iter().enumerate() {
            if i % CHECKPOINT == 0 {
                idx.checkpoints.push(state.clone());
            }
            state.apply(i, ev);
            match &ev.kind {
                EventKind::Segment(s) => {
                    idx.visible.push(i);
                    if !idx.conns.iter().any(|(c, _, _)| *c == s.conn) {
                        let (client, server) = match s.dir {
                            Direction::ToServer => (s.src, s.dst),
                            Direction::ToClient => (s.dst, s.src),
                        };
                        idx.conns.push((s.conn, client, server));
                    }
                    let phase = segment_phase(s, last_phase.get(&s.conn).copied());
                    last_phase.insert(s.conn, phase);
                    if current != Some(phase) {
                        idx.phases.push((i, phase));
                        current = Some(phase);
                    }
                }
                EventKind::Call(_) | EventKind::Note(_) => idx.visible.push(i),
                EventKind::Probe(_) => {}
            }
        }
        idx.sockets = socket_table(events);
        idx
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
    }

    /// Connections as (id, client, server), in order of first segment.
    pub fn connections(&self) -> &[(ConnId, SocketAddr, SocketAddr)] {
        &self.conns
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

/// The lab's sockets and their addresses, read off their calls (`bind`, `connect`, `accept`)
/// and, for a client's ephemeral port, off the connection its SYN opened.
fn socket_table(events: &[Event]) -> Vec<SocketInfo> {
    let mut table: BTreeMap<SocketId, SocketInfo> = BTreeMap::new();
    let mut syns: Vec<(usize, SocketAddr, SocketAddr)> = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        match &ev.kind {
            EventKind::Call(c) => {
                let entry = table.entry(c.socket).or_insert_with(|| SocketInfo {
                    id: c.socket,
                    side: c.side,
                    local: None,
                    remote: None,
                    born: i,
                    closed: None,
                    inferred: false,
                });
                match &c.call {
                    Call::Bind { addr } if c.ok() => entry.local = Some(*addr),
                    Call::Connect { addr } => entry.remote = Some(*addr),
                    Call::Close => entry.closed = Some(i),
                    call if call.moves_bytes() => {
                        if let Some(f) = c.flow {
                            let (local, remote) = if call.reads() {
                                (f.to, f.from)
                            } else {
                                (f.from, f.to)
                            };
                            entry.local.get_or_insert(local);
                            entry.remote.get_or_insert(remote);
                        }
                    }
                    Call::Accept { peer } if c.ok() => {
                        let listener_addr = entry.local;
                        if let Some(ret) = c.ret.and_then(|r| u32::try_from(r).ok()) {
                            let remote = *peer;
                            let id = SocketId(ret);
                            let acc = table.entry(id).or_insert_with(|| SocketInfo {
                                id,
                                side: Side::Server,
                                local: None,
                                remote: None,
                                born: i,
                                closed: None,
                                inferred: false,
                            });
                            acc.remote = acc.remote.or(remote);
                            acc.local = acc.local.or(listener_addr);
                        }
                    }
                    _ => {}
                }
            }
            EventKind::Segment(s) if s.flags.syn() && !s.flags.ack() => {
                syns.push((i, s.src, s.dst));
            }
            _ => {}
        }
    }
    // A client's port is the kernel's choice: take the first SYN to its server after it was born.
    let mut used = vec![false; syns.len()];
    for info in table.values_mut() {
        if info.side != Side::Client || info.local.is_some() {
            continue;
        }
        let Some(remote) = info.remote else { continue };
        if let Some(k) = syns
            .iter()
            .enumerate()
            .position(|(k, (i, _, dst))| !used[k] && *i > info.born && *dst == remote)
        {
            used[k] = true;
            info.local = Some(syns[k].1);
        }
    }
    table.into_values().collect()
}
