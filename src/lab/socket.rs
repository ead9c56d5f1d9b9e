//! Instrumented socket calls with the lecture's (Python `socket` module's) semantics.
//!
//! Every method makes the real syscall(s), then records a [`CallEvent`] (side, call, arguments,
//! bytes, result or errno, start and return time) and probes the lab's sockets. Errors are
//! returned to the scenario *and* recorded: a refused `connect` is a lesson, not a crash.

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;

use crate::capture::Timestamp;
use crate::timeline::{
    ByteRange, Call, CallEvent, CallStart, Errno, Family, Flow, SendProgress, Side, SocketId,
    SourceEvent,
};

use super::probe::{Recorder, now};
use super::sys;

pub use super::sockopt::{Shutdown, SockOpt};

/// A TCP socket whose every call lands on the lab's timeline.
#[derive(Debug)]
pub struct LabSocket {
    rec: Arc<Recorder>,
    fd: Option<OwnedFd>,
    id: SocketId,
    side: Side,
    local: Option<SocketAddrV4>,
    peer: Option<SocketAddrV4>,
    /// Stream offsets: bytes this socket has queued for sending and has read so far.
    sent: u64,
    received: u64,
    nonblocking: bool,
}

/// What one call did, before it becomes a [`CallEvent`].
struct Outcome {
    call: Call,
    started: Timestamp,
    len: Option<u64>,
    ret: Option<i64>,
    errno: Option<i32>,
    data: Vec<u8>,
    flow: Option<Flow>,
    stream: Option<ByteRange>,
    progress: Vec<SendProgress>,
}

impl Outcome {
    fn new(call: Call, started: Timestamp) -> Self {
        Outcome {
            call,
            started,
            len: None,
            ret: None,
            errno: None,
            data: Vec::new(),
            flow: None,
            stream: None,
            progress: Vec::new(),
        }
    }

    fn result<T>(mut self, r: &io::Result<T>) -> Self {
        if let Err(e) = r {
            self.errno = Some(e.raw_os_error().unwrap_or(libc::EIO));
        }
        self
    }
}

impl LabSocket {
    /// `socket.socket(socket.AF_INET, socket.SOCK_STREAM)`.
    pub fn new(rec: &Arc<Recorder>, side: Side) -> io::Result<Self> {
        Self::new_with(rec, side, sys::tcp_socket)
    }

    /// The same, with the descriptor made by `make` (on a lab host: in that host's namespace).
    pub fn new_with(
        rec: &Arc<Recorder>,
        side: Side,
        make: impl FnOnce() -> io::Result<OwnedFd>,
    ) -> io::Result<Self> {
        let started = now();
        let id = rec.next_socket_id();
        let r = make();
        let mut sock = LabSocket {
            rec: Arc::clone(rec),
            fd: None,
            id,
            side,
            local: None,
            peer: None,
            sent: 0,
            received: 0,
            nonblocking: false,
        };
        let mut out = Outcome::new(Call::Socket(Family::Inet), started).result(&r);
        if r.is_ok() {
            out.ret = Some(i64::from(id.0));
        }
        let fd = match r {
            Ok(fd) => fd,
            Err(e) => {
                sock.emit(out);
                return Err(e);
            }
        };
        let raw = fd.as_raw_fd();
        sock.fd = Some(fd);
        sock.emit(out);
        // Registered after the call is stamped: the prober must not sample a socket before the
        // call that made it (a probe placed before `socket()` has no socket to describe).
        rec.register(id, side, raw);
        rec.probe_new(id);
        Ok(sock)
    }

    pub fn id(&self) -> SocketId {
        self.id
    }

    pub fn side(&self) -> Side {
        self.side
    }

    pub fn local_addr(&self) -> Option<SocketAddrV4> {
        self.local
    }

    fn fd(&self) -> io::Result<std::os::fd::BorrowedFd<'_>> {
        self.fd
            .as_ref()
            .map(|f| f.as_fd())
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
    }

    /// Say that a call which may block has begun, so the live screen draws it now (with its
    /// arguments, on a heavy lifeline) rather than only when it returns.
    fn begin(&self, call: Call) -> Timestamp {
        let started = now();
        self.rec.send(SourceEvent::CallStarted(CallStart {
            side: self.side,
            socket: self.id,
            call,
            started,
        }));
        started
    }

    fn emit(&self, out: Outcome) {
        let returned = now();
        let errno = out.errno.map(|code| Errno {
            code,
            name: sys::errno_name(code),
        });
        let ev = CallEvent {
            side: self.side,
            socket: self.id,
            call: out.call,
            len: out.len,
            ret: out.ret,
            errno,
            started: out.started,
            returned,
            data: out.data,
            flow: out.flow,
            stream: out.stream,
            progress: out.progress,
        };
        self.rec.send(SourceEvent::Call(ev));
        self.rec.probe_all(Some(self.id));
    }

    fn out_flow(&self) -> Option<Flow> {
        Some(Flow {
            from: SocketAddr::V4(self.local?),
            to: SocketAddr::V4(self.peer?),
        })
    }

    fn in_flow(&self) -> Option<Flow> {
        Some(Flow {
            from: SocketAddr::V4(self.peer?),
            to: SocketAddr::V4(self.local?),
        })
    }

    pub fn setsockopt(&mut self, opt: SockOpt) -> io::Result<()> {
        let started = now();
        let r = self.fd().and_then(|fd| match opt {
            SockOpt::RcvBuf(n) => sys::set_int_opt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, n),
            SockOpt::SndBuf(n) => sys::set_int_opt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, n),
            SockOpt::NoDelay(on) => {
                sys::set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, i32::from(on))
            }
            SockOpt::Linger(l) => sys::set_linger(fd, l),
            SockOpt::ReuseAddr(on) => {
                sys::set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, i32::from(on))
            }
            SockOpt::QuickAck(on) => {
                sys::set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_QUICKACK, i32::from(on))
            }
            SockOpt::SynCnt(n) => sys::set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_SYNCNT, n),
        });
        self.emit(Outcome::new(Call::SetSockOpt(opt), started).result(&r));
        r
    }

    /// `setblocking(flag)`: in non-blocking mode send/recv return `EAGAIN` instead of waiting.
    pub fn setblocking(&mut self, blocking: bool) -> io::Result<()> {
        let started = now();
        let r = self.fd().and_then(|fd| sys::set_nonblocking(fd, !blocking));
        if r.is_ok() {
            self.nonblocking = !blocking;
        }
        self.emit(Outcome::new(Call::SetBlocking(blocking), started).result(&r));
        r
    }

    pub fn bind(&mut self, addr: SocketAddrV4) -> io::Result<()> {
        let started = now();
        let r = self.fd().and_then(|fd| sys::bind(fd, addr));
        if r.is_ok() {
            self.local = self.fd().and_then(sys::local_addr).ok();
        }
        self.emit(
            Outcome::new(
                Call::Bind {
                    addr: SocketAddr::V4(addr),
                },
                started,
            )
            .result(&r),
        );
        r
    }

    /// `listen(n)`: the lecture's accept queue of `n` completed connections (the kernel
    /// admits n + 1, LAB.md).
    pub fn listen(&mut self, backlog: i32) -> io::Result<()> {
        let started = now();
        let r = self.fd().and_then(|fd| sys::listen(fd, backlog));
        self.emit(Outcome::new(Call::Listen { backlog }, started).result(&r));
        r
    }

    /// `accept()`: take a completed connection off the queue, blocking while it is empty.
    pub fn accept(&mut self) -> io::Result<LabSocket> {
        let started = self.begin(Call::Accept { peer: None });
        let r = self.fd().and_then(sys::accept);
        let mut out = Outcome::new(Call::Accept { peer: None }, started).result(&r);
        let (fd, peer) = match r {
            Ok(v) => v,
            Err(e) => {
                self.emit(out);
                return Err(e);
            }
        };
        let id = self.rec.next_socket_id();
        let local = sys::local_addr(fd.as_fd()).ok();
        let raw = fd.as_raw_fd();
        let conn = LabSocket {
            rec: Arc::clone(&self.rec),
            fd: Some(fd),
            id,
            side: Side::Server,
            local,
            peer: Some(peer),
            sent: 0,
            received: 0,
            nonblocking: false,
        };
        out.ret = Some(i64::from(id.0));
        out.call = Call::Accept {
            peer: Some(SocketAddr::V4(peer)),
        };
        self.emit(out);
        // After the accept is stamped, as in `new`.
        self.rec.register(id, Side::Server, raw);
        self.rec.probe_new(id);
        Ok(conn)
    }

    /// `connect((host, port))`: blocks for one round trip (lecture: "connect()가 return되기까지
    /// RTT가 소요된다"); a port with no listener answers RST, i.e. `ECONNREFUSED`.
    pub fn connect(&mut self, addr: SocketAddrV4) -> io::Result<()> {
        let started = self.begin(Call::Connect {
            addr: SocketAddr::V4(addr),
        });
        let r = self.fd().and_then(|fd| sys::connect(fd, addr));
        if r.is_ok() {
            self.peer = Some(addr);
            self.local = self.fd().and_then(sys::local_addr).ok();
        }
        self.emit(
            Outcome::new(
                Call::Connect {
                    addr: SocketAddr::V4(addr),
                },
                started,
            )
            .result(&r),
        );
        r
    }

    /// One `send(2)`: blocking, it returns once all of `data` is in the send buffer (or
    /// with what was taken when an error ends the wait);
    /// non-blocking, it may queue only part and return that count (lecture, "send").
    pub fn send(&mut self, data: &[u8]) -> io::Result<usize> {
        let call = Call::Send {
            len: data.len() as u64,
            all: false,
        };
        let started = self.begin(call.clone());
        let mut progress = Vec::new();
        let r = if self.nonblocking {
            self.fd().and_then(|fd| sys::send(fd, data))
        } else {
            match self.send_pieces(data, &mut progress) {
                (0, Err(e)) => Err(e),
                (n, _) => Ok(n),
            }
        };
        let mut out = Outcome::new(call, started).result(&r);
        out.len = Some(data.len() as u64);
        if let Ok(n) = r {
            out.ret = Some(n as i64);
            out.data = data[..n.min(data.len())].to_vec();
            out.flow = self.out_flow();
            out.stream = Some(ByteRange {
                start: self.sent,
                end: self.sent + n as u64,
            });
            self.sent += n as u64;
            out.progress = progress;
        } else {
            // The argument, for the call log's `s.send(b'...')` (nothing was queued).
            out.data = data.to_vec();
        }
        self.emit(out);
        r
    }

    /// `sendall(data)`: `send` until every byte is queued, waiting for room when the socket is
    /// non-blocking (lecture: "Non-blocking socket에서도 메시지 전체를 확실히 보낼 수 있다").
    pub fn sendall(&mut self, data: &[u8]) -> io::Result<()> {
        let started = self.begin(Call::Send {
            len: data.len() as u64,
            all: true,
        });
        let start = self.sent;
        let mut progress = Vec::new();
        let (done, r) = self.send_pieces(data, &mut progress);
        self.sent += done as u64;
        let call = Call::Send {
            len: data.len() as u64,
            all: true,
        };
        let mut out = Outcome::new(call, started).result(&r);
        out.len = Some(data.len() as u64);
        out.data = data[..done].to_vec();
        out.flow = self.out_flow();
        out.stream = Some(ByteRange {
            start,
            end: self.sent,
        });
        out.progress = progress;
        self.emit(out);
        r
    }

    /// Hand `data` to the kernel in non-blocking pieces, waiting for room between them: what a
    /// blocking `send(2)` does inside the kernel, done here so each piece is known (when its
    /// `send(2)` began, and the stream offset accepted by then). `progress` is left empty when
    /// one piece took everything. Returns the bytes taken, and how it ended.
    fn send_pieces(
        &self,
        data: &[u8],
        progress: &mut Vec<SendProgress>,
    ) -> (usize, io::Result<()>) {
        let fd = match self.fd() {
            Ok(fd) => fd,
            Err(e) => return (0, Err(e)),
        };
        let mut done = 0usize;
        while done < data.len() {
            let at = now();
            match sys::send_nowait(fd, &data[done..]) {
                Ok(n) => {
                    done += n;
                    progress.push(SendProgress {
                        at,
                        done: now(),
                        upto: self.sent + done as u64,
                    });
                }
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    match sys::wait_writable(fd, 1000) {
                        Err(e) if e.kind() != io::ErrorKind::Interrupted => return (done, Err(e)),
                        _ => {}
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (done, Err(e)),
            }
        }
        if progress.len() < 2 {
            progress.clear();
        }
        (done, Ok(()))
    }

    /// `recv(bufsize)`: whatever is in the receive buffer, up to `bufsize`; `b''` once the peer's
    /// FIN has arrived and everything before it was read (lecture, "recv").
    pub fn recv(&mut self, bufsize: usize) -> io::Result<Vec<u8>> {
        let started = self.begin(Call::Recv {
            bufsize: bufsize as u64,
        });
        let mut buf = vec![0u8; bufsize];
        let r = self.fd().and_then(|fd| sys::recv(fd, &mut buf));
        let mut out = Outcome::new(
            Call::Recv {
                bufsize: bufsize as u64,
            },
            started,
        )
        .result(&r);
        let r = r.map(|n| {
            buf.truncate(n);
            buf
        });
        if let Ok(bytes) = &r {
            let n = bytes.len() as u64;
            out.len = Some(n);
            out.ret = Some(n as i64);
            out.data = bytes.clone();
            out.flow = self.in_flow();
            out.stream = Some(ByteRange {
                start: self.received,
                end: self.received + n,
            });
            self.received += n;
        }
        self.emit(out);
        r
    }

    pub fn shutdown(&mut self, how: Shutdown) -> io::Result<()> {
        let started = now();
        let r = self
            .fd()
            .and_then(|fd| sys::shutdown(fd, super::sockopt::shutdown_how(how)));
        self.emit(Outcome::new(Call::Shutdown(how), started).result(&r));
        r
    }

    /// `close()`: FIN after anything still queued; RST instead when unread data is waiting or
    /// `SO_LINGER` is (1, 0) (RFC 9293 §3.6, socket(7)).
    pub fn close(mut self) {
        let started = now();
        self.rec.unregister(self.id);
        drop(self.fd.take());
        self.emit(Outcome::new(Call::Close, started));
    }

    /// Wait up to `timeout_ms` for something to read (data or the peer's FIN) without making a
    /// call the timeline records: how an interactive server polls between commands.
    pub fn wait_readable(&self, timeout_ms: i32) -> io::Result<bool> {
        self.fd().and_then(|fd| sys::wait_readable(fd, timeout_ms))
    }
}

impl Drop for LabSocket {
    fn drop(&mut self) {
        // Leave the registry before the descriptor closes (field drop runs after this).
        self.rec.unregister(self.id);
    }
}
