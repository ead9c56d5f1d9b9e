//! The facts the truth is derived from, folded event by event: what a socket's calls said
//! (bytes written and read, listen, connect, shutdown, close) and what arrived on the wire in
//! each direction (in order, out of order).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::capture::Timestamp;

use super::super::call::{Call, Shutdown, SockOpt};
use super::super::event::{CallEvent, Flow, ProbeEvent, SendProgress};

/// What the calls made so far say about one socket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SocketCalls {
    /// Stream bytes handed to the kernel by send calls (the end of the last send's range).
    pub written: u64,
    /// Stream bytes returned by recv calls.
    pub read: u64,
    /// `close()` returned (or began: the fd is gone once it is called).
    pub closed_at: Option<usize>,
    /// `listen()` succeeded, at this event.
    pub listen_at: Option<usize>,
    /// The `listen()` backlog.
    pub backlog: Option<u32>,
    /// `connect()` returned with an error (ECONNREFUSED, ETIMEDOUT...).
    pub connect_failed_at: Option<usize>,
    /// `connect()` returned successfully.
    pub connected_at: Option<usize>,
    /// `SO_SNDBUF`/`SO_RCVBUF` as the kernel reports them (it doubles the value set).
    pub sndbuf: Option<u32>,
    pub rcvbuf: Option<u32>,
    /// The event that last changed anything above.
    pub last_change: usize,
    /// The event that last changed the socket's state (listen, connect, shutdown, close).
    pub state_change: usize,
    /// `shutdown(SHUT_WR)`, `shutdown(SHUT_RDWR)` or `close()`: the FIN is queued (RFC 9293
    /// §3.10.4 CLOSE call), before its segment is captured.
    pub fin_queued_at: Option<usize>,
    /// `SO_LINGER (1, 0)`: close() resets instead of sending a FIN.
    pub linger_zero: bool,
    /// A send that may still be under way: the kernel takes its bytes piecewise while it
    /// blocks, but the call is known as a whole at its start.
    pub pending_send: Option<PendingSend>,
}

/// A send call that had not returned yet at the latest event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSend {
    pub returned: Timestamp,
    /// Bytes written before it started.
    pub before: u64,
    pub flow: Flow,
    /// The pieces the kernel took while it blocked, as the lab recorded them (empty: it took
    /// everything at once, or a recording made before pieces were recorded).
    pub progress: Arc<[SendProgress]>,
    /// Bytes written so far by the kernel's own word: sent on the wire + unsent, at the
    /// latest probe taken while the call blocked (for a send whose pieces are not known).
    pub written_at_probe: Option<u64>,
}

impl SocketCalls {
    /// Stream bytes written by `now`: a blocked send counts the pieces the kernel had taken
    /// by then (exact), else as far as a probe saw it.
    pub fn written_at(&self, now: Timestamp) -> u64 {
        match &self.pending_send {
            Some(p) if now < p.returned && !p.progress.is_empty() => {
                let k = p.progress.partition_point(|piece| piece.at <= now);
                k.checked_sub(1)
                    .map_or(p.before, |k| p.progress[k].upto)
                    .clamp(p.before, self.written)
            }
            Some(p) if now < p.returned => match p.written_at_probe {
                Some(w) => w.clamp(p.before, self.written),
                None => self.written,
            },
            _ => self.written,
        }
    }

    pub(crate) fn probed(&mut self, at: Timestamp, probe: &ProbeEvent, sent: &BTreeMap<Flow, u64>) {
        if let Some(p) = self.pending_send.as_mut()
            && at < p.returned
        {
            let on_wire = sent.get(&p.flow).copied().unwrap_or(0);
            p.written_at_probe = Some(on_wire + u64::from(probe.unsent));
        }
    }
}

impl SocketCalls {
    pub(crate) fn apply(&mut self, i: usize, c: &CallEvent) {
        self.last_change = i;
        match &c.call {
            Call::Send { .. } => {
                if let (Some(r), Some(flow)) = (c.stream, c.flow) {
                    self.pending_send = Some(PendingSend {
                        returned: c.returned,
                        before: self.written,
                        flow,
                        progress: c.progress.as_slice().into(),
                        written_at_probe: None,
                    });
                    self.written = self.written.max(r.end);
                }
            }
            Call::Recv { .. } => {
                if let Some(r) = c.stream {
                    self.read = self.read.max(r.end);
                }
            }
            call if call.closes_fd() => {
                self.closed_at = Some(i);
                self.fin_queued_at.get_or_insert(i);
                self.state_change = i;
            }
            Call::Shutdown(how) => {
                if matches!(how, Shutdown::Write | Shutdown::Both) && c.ok() {
                    self.fin_queued_at.get_or_insert(i);
                }
                self.state_change = i;
            }
            Call::SetSockOpt(SockOpt::Linger(l)) if c.ok() => self.linger_zero = *l == Some(0),
            Call::Listen { backlog } if c.ok() => {
                self.state_change = i;
                self.listen_at = Some(i);
                self.backlog = u32::try_from(*backlog).ok();
            }
            Call::Connect { .. } if c.ok() => {
                self.state_change = i;
                self.connected_at = Some(i);
            }
            Call::Connect { .. } => {
                self.state_change = i;
                self.connect_failed_at = Some(i);
            }
            Call::SetSockOpt(SockOpt::SndBuf(n)) if c.ok() => {
                self.sndbuf = u32::try_from(*n).ok().map(|n| n.saturating_mul(2));
            }
            Call::SetSockOpt(SockOpt::RcvBuf(n)) if c.ok() => {
                self.rcvbuf = u32::try_from(*n).ok().map(|n| n.saturating_mul(2));
            }
            _ => {}
        }
    }
}

/// What one direction's receiver has in order and out of order, from the segments captured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Arrivals {
    /// Stream offset up to which every byte has arrived.
    pub in_order: u64,
    /// Disjoint ranges beyond a gap, sorted.
    pub ahead: Vec<(u64, u64)>,
}

impl Arrivals {
    pub(crate) fn arrive(&mut self, start: u64, end: u64) {
        if end <= self.in_order {
            return;
        }
        if start <= self.in_order {
            self.in_order = end;
        } else {
            let k = self.ahead.partition_point(|r| r.0 < start);
            self.ahead.insert(k, (start, end));
        }
        // Fill the gap with what had arrived ahead of it; merge nothing else (small lists).
        while let Some(&(s, e)) = self.ahead.first() {
            if s > self.in_order {
                break;
            }
            self.in_order = self.in_order.max(e);
            self.ahead.remove(0);
        }
    }

    /// Bytes held beyond the first gap (overlaps counted once).
    pub fn out_of_order(&self) -> u64 {
        let mut total = 0;
        let mut hi = self.in_order;
        for &(s, e) in &self.ahead {
            let s = s.max(hi);
            if e > s {
                total += e - s;
                hi = e;
            }
        }
        total
    }
}
