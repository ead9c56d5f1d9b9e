//! Which connection an arrow or a call belongs to (issue 11), for every view: when a timeline
//! holds more than one connection (backlog's three clients, `n`), each gets a short tag, `c1`,
//! `c2`, ..., numbered in order of its first segment (the order `inspect` and `--conn` use).
//! The screens and the exports both number from here, so `c2` is the same client in both.

use crate::tcp::ConnId;

use super::SocketId;
use super::playback::PlaybackIndex;

/// The tags of a timeline (or of the part of it after a scenario's start).
#[derive(Debug, Clone, Default)]
pub struct ConnTags {
    /// (connection, its client's port), tag `k + 1` for entry `k`.
    conns: Vec<(ConnId, u16)>,
    /// Each socket that is an end of one of them, with its tag number.
    sockets: Vec<(SocketId, usize)>,
}

impl ConnTags {
    /// The connections whose first segment is at or after event `start`; none when fewer than
    /// two (one connection needs no tag).
    pub fn from_index(index: &PlaybackIndex, start: usize) -> Self {
        let list = index.connections_from(start);
        if list.len() < 2 {
            return ConnTags::default();
        }
        let conns: Vec<(ConnId, u16)> = list.iter().map(|(id, c, _)| (*id, c.port())).collect();
        let sockets = index
            .sockets()
            .iter()
            .filter_map(|s| {
                let id = index.conn_of(s)?;
                let n = conns.iter().position(|(c, _)| *c == id)? + 1;
                Some((s.id, n))
            })
            .collect();
        ConnTags { conns, sockets }
    }

    /// Whether tags are drawn at all (two connections or more).
    pub fn active(&self) -> bool {
        self.conns.len() > 1
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// The tag number (from 1) of a segment's connection.
    pub fn of_conn(&self, id: ConnId) -> Option<usize> {
        self.conns.iter().position(|(c, _)| *c == id).map(|k| k + 1)
    }

    /// The tag number of a call's socket (a listener's calls have none).
    pub fn of_socket(&self, id: SocketId) -> Option<usize> {
        self.sockets.iter().find(|(s, _)| *s == id).map(|(_, n)| *n)
    }

    /// `(tag number, client port)` of every connection, in order.
    pub fn ports(&self) -> impl Iterator<Item = (usize, u16)> + '_ {
        self.conns.iter().enumerate().map(|(k, (_, p))| (k + 1, *p))
    }
}

/// `c1`, `c2`, ...
pub fn text(n: usize) -> String {
    format!("c{n}")
}
