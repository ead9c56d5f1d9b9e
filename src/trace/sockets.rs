//! The traced program's TCP sockets: which descriptor of which process is which socket, each
//! socket's role (client, listener, accepted), stream offsets, and sockviz's own duplicate of
//! it (`pidfd_getfd`) that the lab's prober samples.
//!
//! A socket's role is known only at `connect`/`listen`/`accept` (a lecture server's
//! `socket`, `setsockopt`, `bind` look like a client's), so its first calls are held until
//! then and sent with the right side. sockviz's duplicate must never keep a socket open past the
//! program's own close: it is dropped at the start of any `close` of the socket and when the
//! process exits, before the kernel releases the program's descriptors.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use crate::lab::probe::Recorder;
use crate::timeline::{CallEvent, Flow, Side, SocketId, SourceEvent};

use super::decode::sockaddr;
use super::ptrace;

/// A send that took only part of its buffer: the next send may continue it (`sendall`).
#[derive(Debug)]
pub struct PartialSend {
    /// The tracee address right after the bytes taken so far, and how many remain.
    pub next: u64,
    pub remaining: u64,
    pub event: CallEvent,
}

#[derive(Debug)]
pub struct Sock {
    pub id: SocketId,
    pub side: Option<Side>,
    held: Vec<CallEvent>,
    pub local: Option<SocketAddr>,
    pub peer: Option<SocketAddr>,
    pub sent: u64,
    pub received: u64,
    pub nonblocking: bool,
    dup: Option<OwnedFd>,
    registered: bool,
    pub partial: Option<PartialSend>,
}

impl Sock {
    /// Fill in the addresses from sockviz's duplicate (after connect/accept/bind).
    pub fn refresh_addrs(&mut self) {
        let Some(dup) = self.dup.as_ref() else { return };
        if self
            .local
            .is_none_or(|a| a.port() == 0 || a.ip().is_unspecified())
        {
            self.local = name_of(dup.as_fd(), libc::getsockname).or(self.local);
        }
        if self.peer.is_none() {
            self.peer = name_of(dup.as_fd(), libc::getpeername);
        }
    }

    /// The addresses as the wire carries them: an AF_INET6 socket talking to an IPv4 peer
    /// names it `::ffff:127.0.0.1`, its segments are IPv4 ones.
    pub fn out_flow(&mut self) -> Option<Flow> {
        self.refresh_addrs();
        let wire = |a: SocketAddr| SocketAddr::new(a.ip().to_canonical(), a.port());
        Some(Flow {
            from: wire(self.local?),
            to: wire(self.peer?),
        })
    }

    pub fn in_flow(&mut self) -> Option<Flow> {
        self.out_flow().map(|f| Flow {
            from: f.to,
            to: f.from,
        })
    }
}

type Namer =
    unsafe extern "C" fn(libc::c_int, *mut libc::sockaddr, *mut libc::socklen_t) -> libc::c_int;

fn name_of(fd: BorrowedFd<'_>, f: Namer) -> Option<SocketAddr> {
    // SAFETY: sockaddr_storage is plain data; all-zero is valid.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: `ss`/`len` outlive the call; the kernel writes at most `len` bytes.
    let r = unsafe {
        f(
            fd.as_raw_fd(),
            (&mut ss as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    };
    if r < 0 {
        return None;
    }
    // SAFETY: reading the kernel-written prefix of `ss` as bytes.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            (&ss as *const libc::sockaddr_storage).cast::<u8>(),
            (len as usize).min(std::mem::size_of::<libc::sockaddr_storage>()),
        )
    };
    sockaddr(bytes)
}

/// Every traced socket, by process and descriptor.
pub struct SocketTable {
    rec: Arc<Recorder>,
    fds: HashMap<(i32, i32), SocketId>,
    socks: HashMap<SocketId, Sock>,
    pidfds: HashMap<i32, OwnedFd>,
}

impl SocketTable {
    pub fn new(rec: Arc<Recorder>) -> Self {
        SocketTable {
            rec,
            fds: HashMap::new(),
            socks: HashMap::new(),
            pidfds: HashMap::new(),
        }
    }

    pub fn rec(&self) -> &Recorder {
        &self.rec
    }

    pub fn lookup(&self, tgid: i32, fd: i32) -> Option<SocketId> {
        self.fds.get(&(tgid, fd)).copied()
    }

    pub fn get(&mut self, id: SocketId) -> Option<&mut Sock> {
        self.socks.get_mut(&id)
    }

    /// A new socket at `fd` in process `tgid`, with sockviz's own duplicate when it can get one.
    pub fn add(&mut self, tgid: i32, fd: i32, side: Option<Side>) -> SocketId {
        let id = self.rec.next_socket_id();
        let dup = self.duplicate(tgid, fd);
        self.fds.insert((tgid, fd), id);
        self.socks.insert(
            id,
            Sock {
                id,
                side: None,
                held: Vec::new(),
                local: None,
                peer: None,
                sent: 0,
                received: 0,
                nonblocking: false,
                dup,
                registered: false,
                partial: None,
            },
        );
        if let Some(side) = side {
            self.set_side(id, side);
        }
        id
    }

    fn duplicate(&mut self, tgid: i32, fd: i32) -> Option<OwnedFd> {
        let pidfd = match self.pidfds.entry(tgid) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(ptrace::pidfd_open(tgid).ok()?)
            }
        };
        ptrace::pidfd_getfd(pidfd, fd).ok()
    }

    /// The socket's role is known: send its held calls with that side and start probing it.
    pub fn set_side(&mut self, id: SocketId, side: Side) {
        let Some(s) = self.socks.get_mut(&id) else {
            return;
        };
        if s.side.is_some() {
            return;
        }
        s.side = Some(side);
        for mut ev in s.held.drain(..) {
            ev.side = side;
            self.rec.send(SourceEvent::Call(ev));
        }
        if let Some(dup) = s.dup.as_ref() {
            // The duplicate stays open while registered: `forget_dup` unregisters first.
            self.rec.register(id, side, dup.as_raw_fd());
            s.registered = true;
            self.rec.probe_new(id);
        }
    }

    /// Send a finished call (held while the socket's role is unknown), then probe.
    pub fn emit(&mut self, mut ev: CallEvent) {
        let id = ev.socket;
        match self.socks.get_mut(&id) {
            Some(s) if s.side.is_none() => {
                s.held.push(ev);
                return;
            }
            Some(s) => ev.side = s.side.unwrap_or(Side::Client),
            None => {}
        }
        self.rec.send(SourceEvent::Call(ev));
        // This socket now; the others at the sampler's next round (2 ms): probing every socket
        // after every call made each traced call several times dearer.
        self.rec.probe_new(id);
    }

    /// A socket is about to be closed by the program: sockviz lets go of it first (a held
    /// duplicate would keep the connection open and swallow the FIN).
    pub fn forget_dup(&mut self, id: SocketId) {
        if let Some(s) = self.socks.get_mut(&id) {
            if s.registered {
                self.rec.unregister(id);
                s.registered = false;
            }
            s.dup = None;
        }
    }

    /// `fd` of `tgid` is closed; the socket goes when no descriptor refers to it any more (and
    /// so does sockviz's duplicate: a process killed before its exit stop must not leave it).
    pub fn close_fd(&mut self, tgid: i32, fd: i32) {
        let Some(id) = self.fds.remove(&(tgid, fd)) else {
            return;
        };
        if self.fds.values().any(|v| *v == id) {
            return;
        }
        self.forget_dup(id);
        if self.socks.get(&id).is_some_and(|s| s.side.is_none()) {
            // Closed before its role was known: show its calls as a client's.
            self.set_side(id, Side::Client);
        }
    }

    /// A forked process starts with a copy of its parent's descriptors.
    pub fn fork(&mut self, parent: i32, child: i32) {
        let copies: Vec<_> = self
            .fds
            .iter()
            .filter(|((p, _), _)| *p == parent)
            .map(|((_, fd), id)| (*fd, *id))
            .collect();
        for (fd, id) in copies {
            self.fds.insert((child, fd), id);
        }
    }

    /// The descriptors of `tgid` that are still open sockets (exit: the kernel closes them).
    pub fn open_in(&self, tgid: i32) -> Vec<(i32, SocketId)> {
        let mut v: Vec<_> = self
            .fds
            .iter()
            .filter(|((p, _), _)| *p == tgid)
            .map(|((_, fd), id)| (*fd, *id))
            .collect();
        v.sort();
        v
    }

    /// The process is gone: its descriptors and its pidfd.
    pub fn drop_process(&mut self, tgid: i32) {
        for (fd, _) in self.open_in(tgid) {
            self.close_fd(tgid, fd);
        }
        self.pidfds.remove(&tgid);
    }

    /// Sockets whose first calls are still held (the program ended first): send them.
    pub fn flush_held(&mut self) {
        let ids: Vec<SocketId> = self
            .socks
            .values()
            .filter(|s| s.side.is_none())
            .map(|s| s.id)
            .collect();
        for id in ids {
            self.set_side(id, Side::Client);
        }
    }

    /// Unregister every duplicate (the session is over).
    pub fn release_all(&mut self) {
        let ids: Vec<SocketId> = self.socks.keys().copied().collect();
        for id in ids {
            self.forget_dup(id);
        }
    }
}
