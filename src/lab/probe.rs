//! Buffer and state probes: what the kernel says about each lab socket, after every call and
//! every few milliseconds while the scenario runs.
//!
//! tcp(7): `TCP_INFO` (state in byte 0, rtt, cwnd; on a listener `tcpi_unacked` is the accept
//! queue and `tcpi_sacked` the backlog), `SIOCINQ` (unread bytes), `SIOCOUTQ` (unacknowledged
//! bytes), `SIOCOUTQNSD` (unsent bytes).

use std::collections::HashMap;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use crate::capture::Timestamp;
use crate::tcp::TcpState;
use crate::timeline::{AcceptQueue, ProbeEvent, Side, SocketId, SourceEvent};

use super::sys;

/// How often the background prober samples while a scenario runs.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(2);

/// The kernel's TCP state numbers (include/net/tcp_states.h) by RFC 9293 name.
pub fn kernel_state(n: u8) -> Option<TcpState> {
    Some(match n {
        1 => TcpState::Established,
        2 => TcpState::SynSent,
        3 => TcpState::SynReceived,
        4 => TcpState::FinWait1,
        5 => TcpState::FinWait2,
        6 => TcpState::TimeWait,
        7 => TcpState::Closed,
        8 => TcpState::CloseWait,
        9 => TcpState::LastAck,
        10 => TcpState::Listen,
        11 => TcpState::Closing,
        _ => return None,
    })
}

fn clamp(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// Probe one socket now.
pub fn probe(fd: BorrowedFd<'_>, side: Side, socket: SocketId) -> io::Result<ProbeEvent> {
    let info = sys::tcp_info(fd)?;
    let state = kernel_state(info.tcpi_state);
    let sndbuf = clamp(sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF)?);
    let rcvbuf = clamp(sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF)?);
    let mut ev = ProbeEvent {
        side,
        socket,
        state,
        recv_q: 0,
        send_q: 0,
        unsent: 0,
        sndbuf,
        rcvbuf,
        rtt_us: info.tcpi_rtt,
        cwnd: info.tcpi_snd_cwnd,
        // include/net/tcp.h: TCP_INFINITE_SSTHRESH until the first loss sets it.
        ssthresh: Some(info.tcpi_snd_ssthresh).filter(|s| *s < 0x7fff_ffff),
        in_flight: (info.tcpi_unacked + info.tcpi_retrans)
            .saturating_sub(info.tcpi_sacked + info.tcpi_lost)
            .saturating_mul(info.tcpi_snd_mss),
        accept_queue: None,
    };
    if state == Some(TcpState::Listen) {
        // SIOCINQ is EINVAL on a listener; ss shows the accept queue in these columns instead.
        ev.recv_q = info.tcpi_unacked;
        ev.send_q = info.tcpi_sacked;
        ev.accept_queue = Some(AcceptQueue {
            len: info.tcpi_unacked,
            backlog: info.tcpi_sacked,
        });
    } else {
        ev.recv_q = clamp(sys::ioctl_int(fd, libc::FIONREAD)?);
        ev.send_q = clamp(sys::ioctl_int(fd, libc::TIOCOUTQ)?);
        ev.unsent = clamp(sys::ioctl_int(fd, sys::SIOCOUTQNSD)?);
    }
    Ok(ev)
}

pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

#[derive(Debug, Clone, Copy)]
struct Registered {
    id: SocketId,
    side: Side,
    fd: RawFd,
}

/// The lab's shared recorder: where every source event goes, and the sockets open right now.
///
/// Sockets are probed by raw descriptor under the registry lock; a socket leaves the registry
/// (under that lock) before its descriptor is closed, so a probe never touches a closed or
/// reused descriptor.
#[derive(Debug)]
pub struct Recorder {
    tx: mpsc::Sender<SourceEvent>,
    registry: Mutex<Vec<Registered>>,
    last: Mutex<HashMap<SocketId, ProbeEvent>>,
    next_id: std::sync::atomic::AtomicU32,
}

impl Recorder {
    pub fn new(tx: mpsc::Sender<SourceEvent>) -> Arc<Self> {
        Arc::new(Recorder {
            tx,
            registry: Mutex::new(Vec::new()),
            last: Mutex::new(HashMap::new()),
            next_id: std::sync::atomic::AtomicU32::new(1),
        })
    }

    pub fn send(&self, ev: SourceEvent) {
        // The receiver lives until the lab ends; a send after that has nobody to tell.
        let _ = self.tx.send(ev);
    }

    pub fn note(&self, text: impl Into<String>) {
        self.note_at(now(), text);
    }

    /// A note stamped `at` (a scenario's opening note, at its start).
    pub fn note_at(&self, at: Timestamp, text: impl Into<String>) {
        self.send(SourceEvent::Note {
            at,
            text: text.into(),
        });
    }

    pub fn next_socket_id(&self) -> SocketId {
        SocketId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// The caller promises `fd` stays open until [`Recorder::unregister`] returns.
    pub fn register(&self, id: SocketId, side: Side, fd: RawFd) {
        if let Ok(mut reg) = self.registry.lock() {
            reg.push(Registered { id, side, fd });
        }
    }

    pub fn unregister(&self, id: SocketId) {
        if let Ok(mut reg) = self.registry.lock() {
            reg.retain(|r| r.id != id);
        }
    }

    /// `shutdown(SHUT_RDWR)` every open socket: wakes any call blocked on one (recv returns
    /// `b''`, accept fails), so a scenario stuck on a peer that gave up can finish.
    pub fn shutdown_all(&self) {
        let Ok(reg) = self.registry.lock() else {
            return;
        };
        for r in reg.iter() {
            // SAFETY of the borrow: registered descriptors stay open while registered, and we
            // hold the registry lock.
            let fd = unsafe { BorrowedFd::borrow_raw(r.fd) };
            let _ = sys::shutdown(fd, libc::SHUT_RDWR);
        }
    }

    /// `shutdown(SHUT_RDWR)` one open socket (no call is recorded): wakes a call blocked on it
    /// from another thread.
    pub fn shutdown_socket(&self, id: SocketId) {
        let Ok(reg) = self.registry.lock() else {
            return;
        };
        for r in reg.iter().filter(|r| r.id == id) {
            // SAFETY of the borrow: registered descriptors stay open while registered, and we
            // hold the registry lock.
            let fd = unsafe { BorrowedFd::borrow_raw(r.fd) };
            let _ = sys::shutdown(fd, libc::SHUT_RDWR);
        }
    }

    /// Probe one socket just registered and emit it: its `SO_SNDBUF`/`SO_RCVBUF` are known
    /// from its first moment (a panel has no `of ?` before the sampler comes round).
    pub fn probe_new(&self, id: SocketId) {
        let Ok(reg) = self.registry.lock() else {
            return;
        };
        for r in reg.iter().filter(|r| r.id == id) {
            // SAFETY of the borrow: as in `probe_all`, under the registry lock.
            let fd = unsafe { BorrowedFd::borrow_raw(r.fd) };
            let at = now();
            let Ok(p) = probe(fd, r.side, r.id) else {
                continue;
            };
            if let Ok(mut last) = self.last.lock() {
                last.insert(r.id, p);
            }
            self.send(SourceEvent::Probe { at, probe: p });
        }
    }

    /// Probe every open socket; emit those whose buffers changed, and `always` regardless.
    pub fn probe_all(&self, always: Option<SocketId>) {
        let Ok(reg) = self.registry.lock() else {
            return;
        };
        for r in reg.iter() {
            // SAFETY of the borrow: registered descriptors stay open while registered, and we
            // hold the registry lock for the whole probe.
            let fd = unsafe { BorrowedFd::borrow_raw(r.fd) };
            // Each socket's own sampling time: one stamp for all would age with every socket
            // probed before this one (and with any preemption in between).
            let at = now();
            let Ok(p) = probe(fd, r.side, r.id) else {
                continue;
            };
            let changed = match self.last.lock() {
                Ok(mut last) => {
                    let changed = last.get(&r.id).is_none_or(|old| !old.same_buffers(&p));
                    last.insert(r.id, p);
                    changed
                }
                Err(_) => true,
            };
            if changed || always == Some(r.id) {
                self.send(SourceEvent::Probe { at, probe: p });
            }
        }
    }
}

/// Samples every registered socket each [`PROBE_INTERVAL`] until dropped.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Sampler {
    pub fn start(rec: Arc<Recorder>) -> io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::Builder::new().name("probe".into()).spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                rec.probe_all(None);
                thread::sleep(PROBE_INTERVAL);
            }
        })?;
        Ok(Sampler {
            stop,
            handle: Some(handle),
        })
    }

    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_state_numbers_follow_tcp_states_h() {
        assert_eq!(kernel_state(1), Some(TcpState::Established));
        assert_eq!(kernel_state(6), Some(TcpState::TimeWait));
        assert_eq!(kernel_state(8), Some(TcpState::CloseWait));
        assert_eq!(kernel_state(10), Some(TcpState::Listen));
        assert_eq!(kernel_state(11), Some(TcpState::Closing));
        assert_eq!(
            kernel_state(12),
            None,
            "TCP_NEW_SYN_RECV is never a socket's own state"
        );
    }
}
