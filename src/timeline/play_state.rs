//! What is true after the first `p` events: the fold [`super::playback::PlaybackIndex`]
//! checkpoints and replays from its nearest checkpoint.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::tcp::{ConnId, Direction, TcpState};

use super::call::Call;
use super::event::{Event, EventKind, Flow, ProbeEvent, SegmentEvent, SocketId};
use super::playback::{Phase, segment_phase};
use super::sockets::SocketTable;
use super::truth::{self, Arrivals, SocketCalls};
use crate::capture::Timestamp;

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
    /// Stream bytes sent this way (the end of the highest data range, SYN and FIN not counted).
    pub data_hi: u64,
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
    /// What each direction's receiver holds, in order and beyond a gap.
    pub arrivals: BTreeMap<(ConnId, DirKey), Arrivals>,
    /// What each socket's calls did so far.
    pub calls: BTreeMap<SocketId, SocketCalls>,
    /// Client addresses an `accept()` has returned, with the event index.
    pub accepted: BTreeMap<SocketAddr, usize>,
    /// The phase of each connection's latest segment, and of the latest segment overall.
    pub(super) last_phase: BTreeMap<ConnId, Phase>,
    pub(super) phase: Option<Phase>,
    /// The socket table as far as the calls so far tell.
    pub(super) table: SocketTable,
    /// The time of the latest event.
    pub now: Timestamp,
    /// Stream bytes sent on the wire per flow (what a blocked send's probe is measured with).
    pub sent_by_flow: BTreeMap<Flow, u64>,
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
    /// Fold event `i` (the next one in order) into the state: to walk a whole timeline once,
    /// as the headless writer does, instead of asking the index at every position.
    pub fn step(&mut self, i: usize, ev: &Event) {
        self.apply(i, ev);
    }

    pub(super) fn apply(&mut self, i: usize, ev: &Event) {
        self.upto = i + 1;
        self.now = ev.at;
        self.table.apply(i, ev);
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
                if let Some(c) = self.calls.get_mut(&p.socket) {
                    c.probed(ev.at, p, &self.sent_by_flow);
                }
            }
            EventKind::Segment(s) => self.apply_segment(i, s),
            EventKind::Call(c) => {
                self.calls.entry(c.socket).or_default().apply(i, c);
                if let Call::Accept { peer: Some(peer) } = c.call
                    && c.ok()
                {
                    self.accepted.insert(peer, i);
                }
            }
            EventKind::Note(_) => {}
        }
    }

    fn apply_segment(&mut self, i: usize, s: &SegmentEvent) {
        let now = (s.client_state, s.server_state);
        if self.states.insert(s.conn, now) != Some(now) {
            self.wire_state_changed.insert(s.conn, i);
        }
        let phase = segment_phase(s, self.last_phase.get(&s.conn).copied());
        self.last_phase.insert(s.conn, phase);
        self.phase = Some(phase);
        let key = (s.conn, DirKey::from(s.dir));
        let seq_end = u64::from(s.rel_seq.get())
            + u64::from(s.len)
            + u64::from(s.flags.syn())
            + u64::from(s.flags.fin());
        let w = self.wire.entry(key).or_default();
        w.last_segment = i;
        w.seq_hi = w.seq_hi.max(seq_end);
        w.window = s.window;
        if let Some(r) = s.stream() {
            w.data_hi = w.data_hi.max(r.end);
            let sent = self.sent_by_flow.entry(s.flow()).or_default();
            *sent = (*sent).max(r.end);
        }
        truth::apply_arrival(&mut self.arrivals, s);
        if let Some(ack) = s.rel_ack {
            let back = self
                .wire
                .entry((s.conn, DirKey::from(s.dir.reverse())))
                .or_default();
            back.acked = back.acked.max(u64::from(ack.get()));
        }
    }
}
