//! Sends: `send`, and the `sendall` that a run of sends continuing one buffer reveals.
//!
//! CPython's `sock_sendall` calls `send(2)` on the rest of its buffer (`buf += n; len -= n`)
//! until nothing is left, waiting (`poll`) in between on a socket with a timeout. So a send
//! that took part of its buffer is held; a next send starting exactly where it stopped, for
//! exactly the rest, continues it; the whole run becomes one `sendall` whose pieces are the
//! event's progress, as the lab's own `sendall` records them.

use crate::capture::Timestamp;
use crate::timeline::{ByteRange, Call, Errno, Side, SocketId};

use super::decode::Buffers;
use super::memory;
use super::python::{Pending, flush_partial, new_event, piece};
use super::sockets::{PartialSend, SocketTable};

/// A send call returned `ret` (negative: `-errno`).
pub fn sent(
    t: &mut SocketTable,
    pid: i32,
    id: SocketId,
    p: &Pending,
    bufs: Buffers,
    ret: i64,
    now: Timestamp,
) {
    let requested = memory::requested(pid, bufs);
    let from = match bufs {
        Buffers::Flat { at, .. } => Some(at.0),
        Buffers::Msg { .. } => None,
    };
    let continues = t
        .get(id)
        .and_then(|s| s.partial.as_ref())
        .is_some_and(|ps| Some(ps.next) == from && ps.remaining == requested);
    if continues {
        continue_sendall(t, pid, id, p, bufs, ret, now);
        return;
    }
    flush_partial(t, id);
    t.set_side(id, Side::Client);
    let mut ev = new_event(
        id,
        Call::Send {
            len: requested,
            all: false,
        },
        p,
        ret,
        now,
    );
    ev.len = Some(requested);
    let Some(s) = t.get(id) else { return };
    match u64::try_from(ret) {
        Ok(n) => {
            ev.data = memory::gather(pid, bufs, n);
            ev.flow = s.out_flow();
            ev.stream = Some(ByteRange {
                start: s.sent,
                end: s.sent + n,
            });
            s.sent += n;
            if n > 0
                && n < requested
                && let Some(from) = from
            {
                ev.progress.push(piece(p.started, now, s.sent));
                s.partial = Some(PartialSend {
                    next: from + n,
                    remaining: requested - n,
                    event: ev,
                });
                return;
            }
        }
        // The argument, for the call log's `s.send(b'...')` (nothing was queued).
        Err(_) => ev.data = memory::gather(pid, bufs, requested.min(64)),
    }
    t.emit(ev);
}

fn continue_sendall(
    t: &mut SocketTable,
    pid: i32,
    id: SocketId,
    p: &Pending,
    bufs: Buffers,
    ret: i64,
    now: Timestamp,
) {
    let Some(s) = t.get(id) else { return };
    let Some(mut ps) = s.partial.take() else {
        return;
    };
    let total = ps.event.len.unwrap_or(0);
    ps.event.call = Call::Send {
        len: total,
        all: true,
    };
    ps.event.returned = now;
    match u64::try_from(ret) {
        Ok(n) => {
            ps.event.data.extend(memory::gather(pid, bufs, n));
            s.sent += n;
            if let Some(r) = ps.event.stream.as_mut() {
                r.end = s.sent;
            }
            ps.event.progress.push(piece(p.started, now, s.sent));
            ps.next += n;
            ps.remaining = ps.remaining.saturating_sub(n);
            if ps.remaining > 0 {
                s.partial = Some(ps);
                return;
            }
            // Python's sendall returns None.
            ps.event.ret = None;
        }
        Err(_) => {
            let code = i32::try_from(-ret).unwrap_or(libc::EIO);
            if code == libc::EAGAIN {
                // The buffer is still full: sendall waits (poll) and tries again.
                s.partial = Some(ps);
                return;
            }
            ps.event.ret = None;
            ps.event.errno = Some(Errno {
                code,
                name: crate::lab::sys::errno_name(code),
            });
        }
    }
    t.emit(ps.event);
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::lab::probe::Recorder;
    use crate::timeline::SourceEvent;
    use crate::trace::decode::{Remote, Syscall};

    /// This process stands in for the tracee (its memory is read with process_vm_readv).
    fn table() -> (SocketTable, mpsc::Receiver<SourceEvent>, SocketId) {
        let (tx, rx) = mpsc::channel();
        let mut t = SocketTable::new(Recorder::new(tx));
        let id = t.add(std::process::id() as i32, -1, Some(Side::Client));
        (t, rx, id)
    }

    fn pending(id: SocketId, at: i64) -> Pending {
        Pending {
            call: Syscall::Close { fd: -1 },
            tgid: std::process::id() as i32,
            started: Timestamp(at),
            socket: Some(id),
            waited: crate::timeline::Waited {
                read: false,
                write: false,
                timeout_ms: None,
            },
        }
    }

    fn calls(rx: &mpsc::Receiver<SourceEvent>) -> Vec<crate::timeline::CallEvent> {
        rx.try_iter()
            .filter_map(|e| match e {
                SourceEvent::Call(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    fn flat(buf: &[u8], from: usize) -> Buffers {
        Buffers::Flat {
            at: Remote(buf[from..].as_ptr() as u64),
            len: (buf.len() - from) as u64,
        }
    }

    #[test]
    fn sends_that_continue_one_buffer_are_one_sendall() {
        let (mut t, rx, id) = table();
        let me = std::process::id() as i32;
        let buf = vec![7u8; 1000];
        sent(
            &mut t,
            me,
            id,
            &pending(id, 1),
            flat(&buf, 0),
            300,
            Timestamp(2),
        );
        assert!(
            calls(&rx).is_empty(),
            "a partial send waits for what follows"
        );
        // The buffer is still full: EAGAIN inside sendall is not a call of its own.
        sent(
            &mut t,
            me,
            id,
            &pending(id, 3),
            flat(&buf, 300),
            -11,
            Timestamp(4),
        );
        sent(
            &mut t,
            me,
            id,
            &pending(id, 5),
            flat(&buf, 300),
            700,
            Timestamp(6),
        );
        let got = calls(&rx);
        assert_eq!(got.len(), 1, "{got:?}");
        let c = &got[0];
        assert_eq!(
            c.call,
            Call::Send {
                len: 1000,
                all: true
            }
        );
        assert_eq!(
            c.stream,
            Some(ByteRange {
                start: 0,
                end: 1000
            })
        );
        assert_eq!(c.data.len(), 1000);
        assert_eq!((c.started, c.returned), (Timestamp(1), Timestamp(6)));
        let upto: Vec<u64> = c.progress.iter().map(|p| p.upto).collect();
        assert_eq!(upto, [300, 1000]);
    }

    #[test]
    fn a_partial_send_not_continued_is_a_send() {
        let (mut t, rx, id) = table();
        let me = std::process::id() as i32;
        let buf = vec![1u8; 100];
        let other = vec![2u8; 10];
        sent(
            &mut t,
            me,
            id,
            &pending(id, 1),
            flat(&buf, 0),
            40,
            Timestamp(2),
        );
        sent(
            &mut t,
            me,
            id,
            &pending(id, 3),
            flat(&other, 0),
            10,
            Timestamp(4),
        );
        let got = calls(&rx);
        let shown: Vec<_> = got
            .iter()
            .map(|c| (c.call.clone(), c.ret, c.stream))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Call::Send {
                        len: 100,
                        all: false
                    },
                    Some(40),
                    Some(ByteRange { start: 0, end: 40 })
                ),
                (
                    Call::Send {
                        len: 10,
                        all: false
                    },
                    Some(10),
                    Some(ByteRange { start: 40, end: 50 })
                ),
            ]
        );
    }
}
