//! From system calls to the calls a student wrote in Python, where the mapping is unambiguous
//! (LAB.md, strace of the lecture's programs): `sendto(fd, buf, n, 0, NULL, 0)` is `s.send`,
//! `recvfrom(fd, buf, n, 0, NULL, NULL)` is `s.recv(n)`, `accept4(…, SOCK_CLOEXEC)` is
//! `s.accept()`, `ioctl(fd, FIONBIO, [1])` is `s.setblocking(False)`, and sends that continue
//! one buffer where the last stopped (CPython's `sock_sendall` loop) are one `s.sendall`.
//! A single `sendto` that took everything is `send`: `sendall` makes the same system call.

use crate::capture::Timestamp;
use crate::lab::sys::errno_name;
use crate::timeline::{
    ByteRange, Call, CallEvent, CallStart, Errno, Family, SendProgress, Shutdown, Side, SockOpt,
    SocketId, SourceEvent, Waited,
};

use super::decode::{Buffers, Syscall};
use super::memory;
use super::sockets::{PartialSend, SocketTable};

/// A watched call in progress on one task, from its seccomp stop to its syscall-exit stop.
#[derive(Debug, Clone)]
pub struct Pending {
    pub call: Syscall,
    pub tgid: i32,
    pub started: Timestamp,
    /// The traced socket it is about (for poll/select: the first traced socket polled).
    pub socket: Option<SocketId>,
    /// For select: which of its lists held that socket.
    pub waited: Waited,
}

/// What the tracer should do after a seccomp stop.
pub enum Entry {
    /// Not a traced socket: let it run, no exit stop.
    Ignore,
    /// Stop again when it returns.
    Watch(Pending),
}

#[allow(clippy::unnecessary_cast)] // c_ulong on some targets
const FIONBIO: u64 = libc::FIONBIO as u64;

/// Decide at a watched call's entry whether its return matters.
pub fn entry(t: &mut SocketTable, pid: i32, tgid: i32, call: Syscall, now: Timestamp) -> Entry {
    let mut waited = Waited {
        read: false,
        write: false,
        timeout_ms: None,
    };
    let socket = match call {
        Syscall::Socket { domain, ty } if super::decode::is_tcp(domain, ty) => None,
        Syscall::Socket { .. } => return Entry::Ignore,
        Syscall::Poll { fds, n, timeout } => {
            waited.timeout_ms = memory::timeout_ms(pid, timeout);
            let polled = memory::pollfds(pid, fds, n);
            match polled.iter().find_map(|(fd, _)| t.lookup(tgid, *fd)) {
                Some(id) => Some(id),
                None => return Entry::Ignore,
            }
        }
        Syscall::Select {
            nfds,
            read,
            write,
            timeout,
        } => {
            let reads = memory::fd_set(pid, read, nfds);
            let writes = memory::fd_set(pid, write, nfds);
            let found = reads
                .iter()
                .chain(&writes)
                .find_map(|fd| Some((*fd, t.lookup(tgid, *fd)?)));
            match found {
                Some((fd, id)) => {
                    waited = Waited {
                        read: reads.contains(&fd),
                        write: writes.contains(&fd),
                        timeout_ms: memory::timeout_ms(pid, timeout),
                    };
                    Some(id)
                }
                None => return Entry::Ignore,
            }
        }
        Syscall::Fcntl { cmd, .. } if cmd != libc::F_SETFL => return Entry::Ignore,
        Syscall::Ioctl { request, .. } if request != FIONBIO => return Entry::Ignore,
        other => match other.fd().and_then(|fd| t.lookup(tgid, fd)) {
            Some(id) => Some(id),
            None => return Entry::Ignore,
        },
    };
    if let Some(id) = socket {
        // A sendall in progress is continued by a send, waited for by poll/select.
        let continues = matches!(
            call,
            Syscall::Send { .. } | Syscall::Poll { .. } | Syscall::Select { .. }
        );
        if !continues {
            flush_partial(t, id);
        }
        if matches!(call, Syscall::Close { .. }) {
            t.forget_dup(id);
        }
        started(t, pid, id, &call, waited, now);
    }
    Entry::Watch(Pending {
        call,
        tgid,
        started: now,
        socket,
        waited,
    })
}

/// Tell a live screen that a call which may block has begun.
fn started(
    t: &mut SocketTable,
    pid: i32,
    id: SocketId,
    call: &Syscall,
    waited: Waited,
    now: Timestamp,
) {
    // Waiting inside a sendall is part of the sendall.
    let in_sendall = t.get(id).is_some_and(|s| s.partial.is_some());
    let typed = match *call {
        Syscall::Poll { .. } if !in_sendall => Call::Poll {
            timeout_ms: waited.timeout_ms,
        },
        Syscall::Select { .. } if !in_sendall => Call::Select(waited),
        Syscall::Connect { addr, len, .. } => match memory::address(pid, addr, len) {
            Some(addr) => Call::Connect { addr },
            None => return,
        },
        Syscall::Accept { .. } => Call::Accept { peer: None },
        Syscall::Recv { bufs, .. } => Call::Recv {
            bufsize: memory::requested(pid, bufs),
        },
        _ => return,
    };
    let side = match (t.get(id).and_then(|s| s.side), call) {
        (Some(side), _) => side,
        (None, Syscall::Connect { .. }) => Side::Client,
        (None, Syscall::Accept { .. }) => Side::Listener,
        (None, _) => Side::Client,
    };
    t.rec().send(SourceEvent::CallStarted(CallStart {
        side,
        socket: id,
        call: typed,
        started: now,
    }));
}

fn event(socket: SocketId, call: Call, p: &Pending, ret: i64, now: Timestamp) -> CallEvent {
    let errno = (ret < 0).then(|| {
        let code = i32::try_from(-ret).unwrap_or(libc::EIO);
        Errno {
            code,
            name: errno_name(code),
        }
    });
    CallEvent {
        side: Side::Client,
        socket,
        call,
        len: None,
        ret: (ret >= 0).then_some(ret),
        errno,
        started: p.started,
        returned: now,
        data: Vec::new(),
        flow: None,
        stream: None,
        progress: Vec::new(),
    }
}

/// A watched call returned `ret` (negative: `-errno`): make its call event.
pub fn exit(t: &mut SocketTable, pid: i32, p: Pending, ret: i64, now: Timestamp) {
    let tgid = p.tgid;
    if let Syscall::Socket { domain, .. } = p.call {
        if let Some(fd) = i32::try_from(ret).ok().filter(|fd| *fd >= 0) {
            let id = t.add(tgid, fd, None);
            let family = match domain {
                libc::AF_INET6 => Family::Inet6,
                _ => Family::Inet,
            };
            let mut ev = event(id, Call::Socket(family), &p, ret, now);
            ev.ret = Some(i64::from(id.0));
            t.emit(ev);
        }
        return;
    }
    let Some(id) = p.socket else { return };
    let call = match p.call {
        Syscall::Bind { addr, len, .. } => match memory::address(pid, addr, len) {
            Some(addr) => Call::Bind { addr },
            None => other("bind", "<not an IP address>"),
        },
        Syscall::Connect { addr, len, .. } => {
            t.set_side(id, Side::Client);
            match memory::address(pid, addr, len) {
                Some(addr) => Call::Connect { addr },
                None => other("connect", "<not an IP address>"),
            }
        }
        Syscall::Listen { backlog, .. } => {
            t.set_side(id, Side::Listener);
            Call::Listen { backlog }
        }
        Syscall::Accept { addr, len, .. } => {
            if ret == -i64::from(libc::EINVAL) {
                t.rec().send(SourceEvent::Note {
                    at: now,
                    text: lesson(&Call::Accept { peer: None }, libc::EINVAL).unwrap_or_default(),
                });
            }
            return accepted(t, pid, id, &p, addr, len, ret, now);
        }
        Syscall::Send { bufs, .. } => return super::sends::sent(t, pid, id, &p, bufs, ret, now),
        Syscall::Recv { bufs, .. } => return received(t, pid, id, &p, bufs, ret, now),
        Syscall::Shutdown { how, .. } => match how {
            libc::SHUT_RD => Call::Shutdown(Shutdown::Read),
            libc::SHUT_WR => Call::Shutdown(Shutdown::Write),
            _ => Call::Shutdown(Shutdown::Both),
        },
        Syscall::Close { fd } => {
            let ev = event(id, Call::Close, &p, ret, now);
            t.emit(ev);
            t.close_fd(tgid, fd);
            return;
        }
        Syscall::SetSockOpt {
            level,
            name,
            value,
            len,
            ..
        } => sockopt(pid, level, name, value, len),
        Syscall::GetSockOpt { level, name, .. } => {
            let (level, name) = opt_name(level, name);
            Call::GetSockOpt { level, name }
        }
        Syscall::Fcntl { arg, .. } => {
            let nonblocking = arg & libc::O_NONBLOCK as u64 != 0;
            let Some(s) = t.get(id) else { return };
            if s.nonblocking == nonblocking {
                return;
            }
            s.nonblocking = nonblocking;
            Call::SetBlocking(!nonblocking)
        }
        Syscall::Ioctl { arg, .. } => {
            let nonblocking = memory::int(pid, arg).is_some_and(|v| v != 0);
            if let Some(s) = t.get(id) {
                s.nonblocking = nonblocking;
            }
            Call::SetBlocking(!nonblocking)
        }
        // Waiting inside a sendall is part of the sendall.
        Syscall::Poll { .. } | Syscall::Select { .. }
            if t.get(id).is_some_and(|s| s.partial.is_some()) =>
        {
            return;
        }
        Syscall::Poll { .. } => Call::Poll {
            timeout_ms: p.waited.timeout_ms,
        },
        Syscall::Select { .. } => Call::Select(p.waited),
        Syscall::Socket { .. } => return,
    };
    let ev = event(id, call, &p, ret, now);
    if let Some(text) = ev.errno.and_then(|e| lesson(&ev.call, e.code)) {
        t.rec().send(SourceEvent::Note { at: now, text });
    }
    t.emit(ev);
}

/// What a failed call usually means in a lecture program.
fn lesson(call: &Call, errno: i32) -> Option<String> {
    Some(match (call, errno) {
        (Call::Bind { addr }, libc::EADDRINUSE) => {
            crate::tr!("lab.trace.eaddrinuse", port = addr.port())
        }
        (Call::Accept { .. }, libc::EINVAL) => crate::tr!("lab.trace.not_listening"),
        (Call::Connect { addr }, libc::ECONNREFUSED) => {
            crate::tr!("lab.trace.refused_connect", addr = addr)
        }
        _ => return None,
    })
}

/// A call sockviz shows by name but has no typed form for.
fn other(name: &str, args: &str) -> Call {
    Call::Other {
        name: name.into(),
        args: args.into(),
    }
}

/// The option's level and name as Python's constants (numbers for the ones sockviz has no
/// name for).
fn opt_name(level: i32, name: i32) -> (String, String) {
    let lvl = match level {
        libc::SOL_SOCKET => "SOL_SOCKET".to_string(),
        libc::IPPROTO_TCP => "IPPROTO_TCP".to_string(),
        n => n.to_string(),
    };
    let opt = match (level, name) {
        (libc::SOL_SOCKET, libc::SO_ERROR) => "SO_ERROR".to_string(),
        (libc::SOL_SOCKET, libc::SO_TYPE) => "SO_TYPE".to_string(),
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => "SO_KEEPALIVE".to_string(),
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => "SO_REUSEPORT".to_string(),
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => "SO_RCVBUF".to_string(),
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => "SO_SNDBUF".to_string(),
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => "TCP_NODELAY".to_string(),
        (_, n) => n.to_string(),
    };
    (lvl, opt)
}

/// `setsockopt`: the options the lab knows typed, the rest by name.
fn sockopt(pid: i32, level: i32, name: i32, value: super::decode::Remote, len: u32) -> Call {
    let int = || memory::int(pid, value).unwrap_or(0);
    let typed = match (level, name) {
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => Some(SockOpt::ReuseAddr(int() != 0)),
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => Some(SockOpt::RcvBuf(int())),
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => Some(SockOpt::SndBuf(int())),
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => Some(SockOpt::NoDelay(int() != 0)),
        (libc::IPPROTO_TCP, libc::TCP_QUICKACK) => Some(SockOpt::QuickAck(int() != 0)),
        (libc::SOL_SOCKET, libc::SO_LINGER) if len >= 8 => memory::linger(pid, value)
            .map(|(on, secs)| SockOpt::Linger((on != 0).then(|| secs.clamp(0, 65535) as u16))),
        _ => None,
    };
    match typed {
        Some(opt) => Call::SetSockOpt(opt),
        None => {
            let (level, name) = opt_name(level, name);
            other("setsockopt", &format!("{level}, {name}, {}", int()))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn accepted(
    t: &mut SocketTable,
    pid: i32,
    listener: SocketId,
    p: &Pending,
    addr: super::decode::Remote,
    len: super::decode::Remote,
    ret: i64,
    now: Timestamp,
) {
    t.set_side(listener, Side::Listener);
    let Some(fd) = i32::try_from(ret).ok().filter(|fd| *fd >= 0) else {
        let ev = event(listener, Call::Accept { peer: None }, p, ret, now);
        t.emit(ev);
        return;
    };
    let id = t.add(p.tgid, fd, None);
    let peer = memory::socklen(pid, len).and_then(|l| memory::address(pid, addr, l));
    if let Some(s) = t.get(id) {
        s.peer = peer;
        s.refresh_addrs();
    }
    let peer = peer.or_else(|| t.get(id).and_then(|s| s.peer));
    let mut ev = event(listener, Call::Accept { peer }, p, ret, now);
    ev.ret = Some(i64::from(id.0));
    t.emit(ev);
    // After the accept is stamped, as the lab does: no probe of a socket before its birth.
    t.set_side(id, Side::Server);
}

#[allow(clippy::too_many_arguments)]
fn received(
    t: &mut SocketTable,
    pid: i32,
    id: SocketId,
    p: &Pending,
    bufs: Buffers,
    ret: i64,
    now: Timestamp,
) {
    let bufsize = memory::requested(pid, bufs);
    let mut ev = event(id, Call::Recv { bufsize }, p, ret, now);
    if let Some(s) = t.get(id) {
        if s.side.is_none() {
            // Data on a socket nobody connected or accepted here: a client's, by default.
        }
        if let Ok(n) = u64::try_from(ret) {
            ev.len = Some(n);
            ev.data = memory::gather(pid, bufs, n);
            ev.flow = s.in_flow();
            ev.stream = Some(ByteRange {
                start: s.received,
                end: s.received + n,
            });
            s.received += n;
        }
    }
    t.set_side(id, Side::Client);
    t.emit(ev);
}

/// A send held because it took only part of its buffer: nothing continued it, so it was a
/// plain `send` after all.
pub fn flush_partial(t: &mut SocketTable, id: SocketId) {
    if let Some(PartialSend { event, .. }) = t.get(id).and_then(|s| s.partial.take()) {
        t.emit(event);
    }
}

/// A process is about to exit with sockets still open: the kernel closes them now.
pub fn exiting(t: &mut SocketTable, tgid: i32, program: &str, now: Timestamp) {
    for (fd, id) in t.open_in(tgid) {
        flush_partial(t, id);
        t.forget_dup(id);
        t.rec().send(SourceEvent::Note {
            at: now,
            text: format!(
                "{program} exited without closing socket #{} (fd {fd}): the kernel closes it \
                 at exit, so the FIN that follows is the kernel's, not a close() call",
                id.0
            ),
        });
        let ev = CallEvent {
            side: Side::Client,
            socket: id,
            call: Call::Exit { fd },
            len: None,
            ret: None,
            errno: None,
            started: now,
            returned: now,
            data: Vec::new(),
            flow: None,
            stream: None,
            progress: Vec::new(),
        };
        t.emit(ev);
    }
    t.drop_process(tgid);
}

/// Pieces of a send, for the event's progress (only when there was more than one).
pub fn piece(at: Timestamp, done: Timestamp, upto: u64) -> SendProgress {
    SendProgress { at, done, upto }
}

pub(super) fn new_event(
    socket: SocketId,
    call: Call,
    p: &Pending,
    ret: i64,
    now: Timestamp,
) -> CallEvent {
    event(socket, call, p, ret, now)
}
