//! The arguments of `shutdown(how)` and `setsockopt(level, name, value)` as the lecture and
//! socket(7)/tcp(7) name them.

/// `shutdown(how)`: the lecture's `socket.SHUT_WR` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// No more reads (`SHUT_RD`).
    Read,
    /// Send FIN now; reads still work (`SHUT_WR`): the half close.
    Write,
    Both,
}

impl Shutdown {
    pub(super) fn raw(self) -> (libc::c_int, &'static str) {
        match self {
            Shutdown::Read => (libc::SHUT_RD, "SHUT_RD"),
            Shutdown::Write => (libc::SHUT_WR, "SHUT_WR"),
            Shutdown::Both => (libc::SHUT_RDWR, "SHUT_RDWR"),
        }
    }
}

/// The socket options the lab sets (socket(7), tcp(7)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl SockOpt {
    pub(super) fn describe(self) -> String {
        match self {
            SockOpt::RcvBuf(n) => format!("SOL_SOCKET, SO_RCVBUF, {n}"),
            SockOpt::SndBuf(n) => format!("SOL_SOCKET, SO_SNDBUF, {n}"),
            SockOpt::NoDelay(on) => format!("IPPROTO_TCP, TCP_NODELAY, {}", i32::from(on)),
            SockOpt::Linger(None) => "SOL_SOCKET, SO_LINGER, (0, 0)".into(),
            SockOpt::Linger(Some(s)) => format!("SOL_SOCKET, SO_LINGER, (1, {s})"),
            SockOpt::ReuseAddr(on) => format!("SOL_SOCKET, SO_REUSEADDR, {}", i32::from(on)),
            SockOpt::QuickAck(on) => format!("IPPROTO_TCP, TCP_QUICKACK, {}", i32::from(on)),
        }
    }
}
