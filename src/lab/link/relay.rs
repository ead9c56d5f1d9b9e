//! The relay: a thread in the middle namespace moving frames between the two veth ends with
//! `AF_PACKET` sockets, each frame held as the [`Shaper`] decides (LAB.md, "An emulated link").

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::shaper::{DropReason, FrameInfo, Shaper, Verdict, Way};
use super::spec::LinkSpec;

/// What the relay did, reported when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    pub forwarded: u64,
    pub lost: u64,
    pub queue_drops: u64,
    pub send_errors: u64,
}

/// An `AF_PACKET` socket bound to one interface, seeing every protocol, not its own sends.
pub fn packet_socket(ifindex: i32) -> io::Result<OwnedFd> {
    let all = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: plain socket(2); the result is checked before it is owned.
    let raw = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            i32::from(all),
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` was just returned by socket(2) and is owned by nothing else.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: sockaddr_ll is plain data; all-zero with family, protocol and index is valid.
    let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    addr.sll_family = libc::AF_PACKET as u16;
    addr.sll_protocol = all;
    addr.sll_ifindex = ifindex;
    // SAFETY: the address outlives the call; the length is its size.
    let ret = unsafe {
        libc::bind(
            sock.as_raw_fd(),
            (&addr as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    // packet(7): PACKET_IGNORE_OUTGOING (Linux 4.20) keeps the relay's own sends out; older
    // kernels still get them filtered by `sll_pkttype` below.
    let one: libc::c_int = 1;
    // SAFETY: an int option, passed with its size.
    unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_IGNORE_OUTGOING,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    Ok(sock)
}

/// The relay thread, until [`Relay::stop`].
pub struct Relay {
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<RelayStats>>,
}

impl Relay {
    /// Relay between `client_side` (the veth end facing the client host) and `server_side`.
    pub fn start(spec: LinkSpec, client_side: OwnedFd, server_side: OwnedFd) -> io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::Builder::new().name("link".into()).spawn(move || {
            // prctl(2): timers of this thread fire within 1 µs of their time, not the default
            // 50 µs, so a frame leaves when the link says.
            // SAFETY: no pointers; changes this thread's timer slack only.
            unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1, 0, 0, 0) };
            run(Shaper::new(spec), [client_side, server_side], &flag)
        })?;
        Ok(Relay {
            stop,
            handle: Some(handle),
        })
    }

    pub fn stop(mut self) -> RelayStats {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A frame on the link, ordered by when it leaves (then by when it came).
struct InFlight {
    due: Instant,
    order: u64,
    out: usize,
    frame: Vec<u8>,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.order) == (other.due, other.order)
    }
}
impl Eq for InFlight {}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.order).cmp(&(other.due, other.order))
    }
}

fn run(mut shaper: Shaper, socks: [OwnedFd; 2], stop: &AtomicBool) -> RelayStats {
    let start = Instant::now();
    let mut stats = RelayStats::default();
    let mut heap: BinaryHeap<Reverse<InFlight>> = BinaryHeap::new();
    let mut order = 0u64;
    let mut buf = vec![0u8; 65536];
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        while heap.peek().is_some_and(|Reverse(f)| f.due <= now) {
            let Some(Reverse(f)) = heap.pop() else { break };
            // SAFETY: the buffer outlives the call; the socket is bound to its interface.
            let sent = unsafe {
                libc::send(
                    socks[f.out].as_raw_fd(),
                    f.frame.as_ptr().cast(),
                    f.frame.len(),
                    0,
                )
            };
            if sent < 0 {
                stats.send_errors += 1;
            } else {
                stats.forwarded += 1;
            }
        }
        let wait = heap
            .peek()
            .map_or(Duration::from_millis(20), |Reverse(f)| {
                f.due.saturating_duration_since(Instant::now())
            })
            .min(Duration::from_millis(20));
        if wait_readable(&socks, wait).is_err() {
            break;
        }
        for (from, sock) in socks.iter().enumerate() {
            while let Some(len) = recv_incoming(sock, &mut buf) {
                let frame = &buf[..len];
                let arrived = Instant::now();
                let way = if from == 0 {
                    Way::ToServer
                } else {
                    Way::ToClient
                };
                match shaper.admit(way, arrived - start, FrameInfo::of(frame)) {
                    Verdict::Deliver(at) => {
                        order += 1;
                        heap.push(Reverse(InFlight {
                            due: start + at,
                            order,
                            out: 1 - from,
                            frame: frame.to_vec(),
                        }));
                    }
                    Verdict::Drop(DropReason::QueueFull) => stats.queue_drops += 1,
                    Verdict::Drop(_) => stats.lost += 1,
                }
            }
        }
    }
    stats
}

/// One frame that came in on `sock` (not one the relay sent), or `None` when none is waiting.
fn recv_incoming(sock: &OwnedFd, buf: &mut [u8]) -> Option<usize> {
    loop {
        // SAFETY: sockaddr_ll is plain data; recvfrom fills at most `alen` bytes of it.
        let mut from: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        let mut alen = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: the buffer and the address outlive the call, with their lengths.
        let n = unsafe {
            libc::recvfrom(
                sock.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
                (&mut from as *mut libc::sockaddr_ll).cast(),
                &mut alen,
            )
        };
        let n = usize::try_from(n).ok()?;
        if from.sll_pkttype != libc::PACKET_OUTGOING {
            return Some(n);
        }
    }
}

/// Wait until either socket is readable, or `wait` passes (nanosecond precision: ppoll).
fn wait_readable(socks: &[OwnedFd; 2], wait: Duration) -> io::Result<()> {
    let mut fds = socks.each_ref().map(|s| libc::pollfd {
        fd: s.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    });
    let ts = libc::timespec {
        tv_sec: wait.as_secs() as libc::time_t,
        tv_nsec: libc::c_long::from(wait.subsec_nanos() as i32),
    };
    // SAFETY: two pollfds with their count, and a timespec, all outliving the call.
    let n = unsafe { libc::ppoll(fds.as_mut_ptr(), 2, &ts, std::ptr::null()) };
    if n < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}
