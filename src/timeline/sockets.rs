//! The socket table: which sockets the lab made, on which side, with which addresses, folded
//! event by event so the playback index can keep it up to date as events arrive.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use super::call::Call;
use super::event::{Event, EventKind, Side, SocketId};
use super::playback::SocketInfo;

/// The lab's sockets and their addresses, read off their calls (`bind`, `connect`, `accept`)
/// and, for a client's ephemeral port, off the connection its SYN opened; folded event by event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketTable {
    table: BTreeMap<SocketId, SocketInfo>,
    /// Pure SYNs seen while some client socket had no local address yet.
    syns: Vec<(usize, SocketAddr, SocketAddr)>,
}

impl SocketTable {
    pub(crate) fn apply(&mut self, i: usize, ev: &Event) {
        let table = &mut self.table;
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
                    Call::Bind { addr } if c.ok() => entry.local = Some(on_wire(*addr)),
                    Call::Connect { addr } => entry.remote = Some(on_wire(*addr)),
                    call if call.closes_fd() => entry.closed = Some(i),
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
                            let remote = peer.map(on_wire);
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
            EventKind::Segment(s)
                if s.flags.syn()
                    && !s.flags.ack()
                    && table
                        .values()
                        .any(|t| t.side == Side::Client && t.local.is_none()) =>
            {
                self.syns.push((i, s.src, s.dst));
            }
            _ => {}
        }
    }

    /// The table: a client's port is the kernel's choice, so take the first SYN to its server
    /// after it was born.
    pub(crate) fn finish(&self) -> Vec<SocketInfo> {
        let mut table = self.table.clone();
        let syns = &self.syns;
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
}

/// An address as the wire carries it: an AF_INET6 socket names an IPv4 peer
/// `::ffff:127.0.0.1`, its segments are IPv4 ones.
fn on_wire(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    std::net::SocketAddr::new(addr.ip().to_canonical(), addr.port())
}
