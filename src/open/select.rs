//! One connection out of a recording (`--conn N`): its segments, the calls and probes of the
//! sockets at its two ends and of the listener that accepted it, and the lab's notes.

use std::collections::BTreeSet;

use crate::timeline::playback::PlaybackIndex;
use crate::timeline::{EventKind, Side, SocketId, Timeline};

/// The part of `tl` about connection `n` (0-based, in order of first segment); `None` when
/// there is no such connection.
pub fn connection(tl: &Timeline, n: usize) -> Option<Timeline> {
    let conn = tl.connections().get(n)?;
    let (id, client, server) = (conn.id, conn.client, conn.server);
    let index = PlaybackIndex::build(tl.events());
    let sockets: BTreeSet<SocketId> = index
        .sockets()
        .iter()
        .filter(|s| {
            let ends = (s.local, s.remote);
            ends == (Some(client), Some(server))
                || ends == (Some(server), Some(client))
                || (s.side == Side::Listener && s.local == Some(server))
        })
        .map(|s| s.id)
        .collect();
    Some(tl.narrowed(tl.origin(), |ev| match &ev.kind {
        EventKind::Segment(s) => s.conn == id,
        EventKind::Call(c) => sockets.contains(&c.socket),
        EventKind::Probe(p) => sockets.contains(&p.socket),
        EventKind::Note(_) => true,
    }))
}
