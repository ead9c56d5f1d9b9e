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
