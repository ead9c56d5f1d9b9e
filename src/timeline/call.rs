//! What a socket call asked for, as a typed value: the lab's instrumented Python-style calls
//! make it today, a tracer of real programs (`sendto`, `recvfrom`, `accept4`, ...) can make the
//! same values, and every view formats it from here (`name()`, `python()`), never by parsing text.

use std::fmt;
use std::net::SocketAddr;

/// `shutdown(how)`: the lecture's `socket.SHUT_WR` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// No more reads (`SHUT_RD`).
    Read,
    /// Send FIN now; reads still work (`SHUT_WR`): the half close.
    Write,
    Both,
}

impl Shutdown {
    pub const ALL: [Shutdown; 3] = [Shutdown::Read, Shutdown::Write, Shutdown::Both];

    /// The constant's name in Python's `socket` module and in `<sys/socket.h>`.
    pub fn name(self) -> &'static str {
        match self {
            Shutdown::Read => "SHUT_RD",
            Shutdown::Write => "SHUT_WR",
            Shutdown::Both => "SHUT_RDWR",
        }
    }

    pub fn from_name(name: &str) -> Option<Shutdown> {
        Shutdown::ALL.into_iter().find(|h| h.name() == name)
    }
}

/// The socket options the lab sets (socket(7), tcp(7)): the option *is* often the lesson
/// (`SO_LINGER (1, 0)` turns close into a reset, `TCP_NODELAY` turns Nagle off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockOpt {
    /// The kernel doubles the value and reports the doubled value.
    RcvBuf(i32),
    SndBuf(i32),
    /// `TCP_NODELAY`: turn Nagle's algorithm off.
    NoDelay(bool),
    /// `SO_LINGER`; `Some(0)` makes close() reset the connection.
    Linger(Option<u16>),
    ReuseAddr(bool),
    /// `TCP_QUICKACK`: off lets the receiver delay its ACKs (RFC 1122 §4.2.3.2), which is what
    /// makes Nagle's algorithm visible on a loopback whose ACKs are otherwise immediate.
    QuickAck(bool),
    /// `TCP_SYNCNT`: how many times connect() retransmits its SYN before it gives up with
    /// `ETIMEDOUT` (default `net.ipv4.tcp_syn_retries`, 6: about 127 s).
    SynCnt(i32),
}

impl SockOpt {
    /// `SOL_SOCKET` or `IPPROTO_TCP`.
    pub fn level(self) -> &'static str {
        match self {
            SockOpt::RcvBuf(_)
            | SockOpt::SndBuf(_)
            | SockOpt::Linger(_)
            | SockOpt::ReuseAddr(_) => "SOL_SOCKET",
            SockOpt::NoDelay(_) | SockOpt::QuickAck(_) | SockOpt::SynCnt(_) => "IPPROTO_TCP",
        }
    }

    /// The option's constant: `SO_LINGER`, `TCP_NODELAY`, ...
    pub fn name(self) -> &'static str {
        match self {
            SockOpt::RcvBuf(_) => "SO_RCVBUF",
            SockOpt::SndBuf(_) => "SO_SNDBUF",
            SockOpt::NoDelay(_) => "TCP_NODELAY",
            SockOpt::Linger(_) => "SO_LINGER",
            SockOpt::ReuseAddr(_) => "SO_REUSEADDR",
            SockOpt::QuickAck(_) => "TCP_QUICKACK",
            SockOpt::SynCnt(_) => "TCP_SYNCNT",
        }
    }

    /// The value as Python passes it: `1`, `65536`, `(1, 0)`.
    pub fn value(self) -> String {
        match self {
            SockOpt::RcvBuf(n) | SockOpt::SndBuf(n) | SockOpt::SynCnt(n) => n.to_string(),
            SockOpt::NoDelay(on) | SockOpt::ReuseAddr(on) | SockOpt::QuickAck(on) => {
                i32::from(on).to_string()
            }
            SockOpt::Linger(None) => "(0, 0)".into(),
            SockOpt::Linger(Some(s)) => format!("(1, {s})"),
        }
    }

    /// `SOL_SOCKET, SO_LINGER, (1, 0)`: the arguments of `setsockopt`.
    pub fn python(self) -> String {
        format!("{}, {}, {}", self.level(), self.name(), self.value())
    }
}

/// A socket's address family: `socket.socket(AF_INET6, ...)` is not the lecture's AF_INET.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Family {
    #[default]
    Inet,
    Inet6,
}

impl Family {
    /// `AF_INET`, `AF_INET6`: the constant in Python's `socket` module.
    pub fn name(self) -> &'static str {
        match self {
            Family::Inet => "AF_INET",
            Family::Inet6 => "AF_INET6",
        }
    }
}

/// Which lists of `select.select(rlist, wlist, xlist, timeout)` hold the socket, and the
/// timeout (`None`: until it is ready).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Waited {
    pub read: bool,
    pub write: bool,
    pub timeout_ms: Option<i64>,
}

/// One socket call, with the arguments that matter typed. A call's result (bytes moved,
/// return value, errno) lives beside it in [`super::CallEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Call {
    /// `socket.socket(AF_INET, SOCK_STREAM)` (or `AF_INET6`).
    Socket(Family),
    Bind {
        addr: SocketAddr,
    },
    Listen {
        backlog: i32,
    },
    /// `accept()`; `peer` is the connecting client's address once it returned.
    Accept {
        peer: Option<SocketAddr>,
    },
    Connect {
        addr: SocketAddr,
    },
    /// `send(data)` or, with `all`, `sendall(data)`: `len` bytes handed to the call.
    Send {
        len: u64,
        all: bool,
    },
    Recv {
        bufsize: u64,
    },
    Shutdown(Shutdown),
    Close,
    /// `setblocking(flag)`: `false` makes send/recv return `EAGAIN` instead of waiting.
    SetBlocking(bool),
    SetSockOpt(SockOpt),
    /// `getsockopt(level, option)`: the constants' names (`SOL_SOCKET`, `SO_RCVBUF`), or
    /// their numbers when sockviz has no name for them.
    GetSockOpt {
        level: String,
        name: String,
    },
    /// `p.poll(timeout)` on a `select.poll()` holding the socket: waiting until it is ready
    /// (`None`: no timeout, wait forever).
    Poll {
        timeout_ms: Option<i64>,
    },
    /// `select.select(rlist, wlist, [], timeout)` with the socket in the lists `Waited` names.
    Select(Waited),
    /// The program exited with the socket's fd `fd` still open: the kernel closed it (and sent
    /// the FIN that follows), no `close()` call did.
    Exit {
        fd: i32,
    },
    /// A call this sockviz has no type for (a recording from a newer version): its name and
    /// arguments as they were written, shown but never interpreted.
    Other {
        name: String,
        args: String,
    },
}

impl Call {
    /// The Python method name: `socket`, `bind`, ..., `sendall`, `setsockopt`.
    pub fn name(&self) -> &str {
        match self {
            Call::Socket(_) => "socket",
            Call::Bind { .. } => "bind",
            Call::Listen { .. } => "listen",
            Call::Accept { .. } => "accept",
            Call::Connect { .. } => "connect",
            Call::Send { all: false, .. } => "send",
            Call::Send { all: true, .. } => "sendall",
            Call::Recv { .. } => "recv",
            Call::Shutdown(_) => "shutdown",
            Call::Close => "close",
            Call::SetBlocking(_) => "setblocking",
            Call::SetSockOpt(_) => "setsockopt",
            Call::GetSockOpt { .. } => "getsockopt",
            Call::Poll { .. } => "poll",
            Call::Select(_) => "select",
            Call::Exit { .. } => "exit",
            Call::Other { name, .. } => name,
        }
    }

    /// The arguments as the lecture writes them: `1024`, `('127.0.0.1', 7)`, `SHUT_WR`,
    /// `<20 bytes>` (the bytes themselves are in the event's data).
    pub fn python(&self) -> String {
        match self {
            Call::Socket(family) => format!("{}, SOCK_STREAM", family.name()),
            Call::Bind { addr } | Call::Connect { addr } => py_addr(*addr),
            Call::Listen { backlog } => backlog.to_string(),
            Call::Accept { .. } | Call::Close => String::new(),
            Call::Send { len, .. } => format!("<{len} bytes>"),
            Call::Recv { bufsize } => bufsize.to_string(),
            Call::Shutdown(how) => how.name().into(),
            Call::SetBlocking(true) => "True".into(),
            Call::SetBlocking(false) => "False".into(),
            Call::SetSockOpt(opt) => opt.python(),
            Call::GetSockOpt { level, name } => format!("{level}, {name}"),
            Call::Poll { timeout_ms } => timeout_ms.map(|t| t.to_string()).unwrap_or_default(),
            Call::Select(w) => {
                let list = |on: bool| if on { "[s]" } else { "[]" };
                let timeout = match w.timeout_ms {
                    // Seconds, as Python passes them: 0.3, 2.
                    Some(ms) => format!(", {}", ms as f64 / 1000.0),
                    None => String::new(),
                };
                format!("{}, {}, []{timeout}", list(w.read), list(w.write))
            }
            Call::Exit { fd } => format!("fd {fd} closed by the kernel"),
            Call::Other { args, .. } => args.clone(),
        }
    }

    /// Calls that wait for the peer (recv, accept, connect, and poll/select waiting for one of
    /// them to be ready): their result is caused by segments that arrived during the call, so
    /// they are placed when they return.
    pub fn waits_for_peer(&self) -> bool {
        matches!(
            self,
            Call::Recv { .. }
                | Call::Accept { .. }
                | Call::Connect { .. }
                | Call::Poll { .. }
                | Call::Select(_)
        )
    }

    /// Calls after which the socket's fd is gone: `close()`, or the program's exit.
    pub fn closes_fd(&self) -> bool {
        matches!(self, Call::Close | Call::Exit { .. })
    }

    /// Calls that can block the caller for a visible time (waiting for the peer, or for room
    /// in the send buffer).
    pub fn may_block(&self) -> bool {
        self.waits_for_peer() || matches!(self, Call::Send { .. })
    }

    /// Calls that move stream bytes (their event's `flow`/`stream` say which).
    pub fn moves_bytes(&self) -> bool {
        matches!(self, Call::Send { .. } | Call::Recv { .. })
    }

    /// The same call whatever its arguments (`send` and `sendall` are different calls): a call
    /// asked for is answered by the event of the same kind.
    pub fn same_kind(&self, other: &Call) -> bool {
        match (self, other) {
            (Call::Send { all: a, .. }, Call::Send { all: b, .. }) => a == b,
            (Call::Other { name: a, .. }, Call::Other { name: b, .. }) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }

    /// A read: its bytes flow from the peer to this socket.
    pub fn reads(&self) -> bool {
        matches!(self, Call::Recv { .. })
    }
}

impl fmt::Display for Call {
    /// `connect(('127.0.0.1', 7))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.python())
    }
}

/// `('127.0.0.1', 7)`: an address as Python's `socket` module prints an AF_INET one.
pub fn py_addr(addr: SocketAddr) -> String {
    format!("('{}', {})", addr.ip(), addr.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_forms_are_the_lectures() {
        let addr: SocketAddr = "127.0.0.1:7".parse().expect("literal");
        assert_eq!(
            Call::Connect { addr }.to_string(),
            "connect(('127.0.0.1', 7))"
        );
        assert_eq!(
            Call::SetSockOpt(SockOpt::Linger(Some(0))).python(),
            "SOL_SOCKET, SO_LINGER, (1, 0)"
        );
        assert_eq!(
            Call::Send { len: 20, all: true }.to_string(),
            "sendall(<20 bytes>)"
        );
        assert_eq!(Call::Shutdown(Shutdown::Write).python(), "SHUT_WR");
        assert!(Call::Recv { bufsize: 1024 }.waits_for_peer());
        assert!(!Call::Send { len: 1, all: false }.waits_for_peer());
    }
}
