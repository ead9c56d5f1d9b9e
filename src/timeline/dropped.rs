//! SYNs a listener dropped because its accept queue was full (the backlog lesson), found in
//! the timeline itself, never assumed per scenario.
//!
//! Linux drops a SYN silently while the listener's accept queue is full
//! (`sk_acceptq_is_full`: more completed connections waiting than the backlog) and the client's
//! kernel sends the SYN again after its retransmission timeout (1 s, RFC 6298 §2.1). On the wire
//! that is a SYN with no SYN-ACK before the next SYN of the same connection; the probes say
//! whether the listener's queue was full when it arrived. Both must hold for a SYN to be called
//! dropped by the accept queue.

use crate::tcp::{ConnId, Direction};

use super::event::{AcceptQueue, Event, EventKind, Side};

/// A client SYN that got no answer because the listener's accept queue was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DroppedSyn {
    /// The SYN's event index.
    pub event: usize,
    /// The listener's accept queue by the newest probe before the SYN.
    pub queue: AcceptQueue,
}

impl DroppedSyn {
    /// Why, in the probes' figures: `accept queue full: 2 of backlog 1`.
    pub fn reason(&self) -> String {
        format!(
            "accept queue full: {} of backlog {}",
            self.queue.len, self.queue.backlog
        )
    }

    /// What an export writes beside the arrow that stops short of the server:
    /// `dropped: accept queue full (queue 2 of backlog 1)`.
    pub fn why(&self) -> String {
        format!(
            "dropped: accept queue full (queue {} of backlog {})",
            self.queue.len, self.queue.backlog
        )
    }
}

/// Every dropped SYN in `events`, in order. Linear in the events.
pub fn dropped_syns(events: &[Event]) -> Vec<DroppedSyn> {
    let mut found = Vec::new();
    // The newest listener probe with an accept queue.
    let mut queue: Option<AcceptQueue> = None;
    // Per connection: its latest SYN not yet answered, and the queue when it arrived.
    let mut waiting: Vec<(ConnId, usize, Option<AcceptQueue>)> = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        match &ev.kind {
            EventKind::Probe(p) if p.side == Side::Listener => {
                if let Some(q) = p.accept_queue {
                    queue = Some(q);
                }
            }
            EventKind::Segment(s) => {
                let f = s.flags;
                let slot = waiting.iter().position(|(c, _, _)| *c == s.conn);
                if f.syn() && !f.ack() && s.dir == Direction::ToServer {
                    if let Some(k) = slot {
                        let (_, first, q) = waiting[k];
                        if let Some(q) = q.filter(|q| q.len > q.backlog) {
                            found.push(DroppedSyn {
                                event: first,
                                queue: q,
                            });
                        }
                        waiting[k] = (s.conn, i, queue);
                    } else {
                        waiting.push((s.conn, i, queue));
                    }
                } else if let Some(k) = slot
                    && (s.dir == Direction::ToClient || f.rst())
                {
                    // Answered (SYN-ACK, or refused with a RST): not dropped.
                    waiting.swap_remove(k);
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|d| d.event);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;
    use crate::tcp::{Analysis, RelSeq, TcpState};
    use crate::timeline::{ProbeEvent, SegmentEvent, SocketId};
    use crate::wire::TcpFlags;

    fn seg(conn: u32, dir: Direction, flags: u16) -> Event {
        let c: std::net::SocketAddr = format!("127.0.0.1:{}", 40000 + conn).parse().expect("addr");
        let s: std::net::SocketAddr = "127.0.0.1:7".parse().expect("addr");
        let (src, dst) = match dir {
            Direction::ToServer => (c, s),
            Direction::ToClient => (s, c),
        };
        Event {
            at: Timestamp(0),
            kind: EventKind::Segment(SegmentEvent {
                number: 0,
                src,
                dst,
                conn: ConnId(conn),
                dir,
                flags: TcpFlags(flags),
                rel_seq: RelSeq(0),
                rel_ack: None,
                len: 0,
                window: 0,
                analysis: Analysis::NONE,
                client_state: TcpState::SynSent,
                server_state: TcpState::Listen,
                payload: Vec::new(),
                frame_len: 0,
                seen: Vec::new(),
                lost: false,
                sack: Vec::new(),
            }),
        }
    }

    fn listener(len: u32, backlog: u32) -> Event {
        Event {
            at: Timestamp(0),
            kind: EventKind::Probe(ProbeEvent {
                side: Side::Listener,
                socket: SocketId(1),
                state: Some(TcpState::Listen),
                recv_q: len,
                send_q: backlog,
                unsent: 0,
                sndbuf: 0,
                rcvbuf: 0,
                rtt_us: 0,
                cwnd: 0,
                ssthresh: None,
                in_flight: 0,
                accept_queue: Some(AcceptQueue { len, backlog }),
            }),
        }
    }

    const SYN: u16 = TcpFlags::SYN;
    const SYN_ACK: u16 = TcpFlags::SYN | TcpFlags::ACK;

    #[test]
    fn a_syn_sent_again_unanswered_while_the_queue_was_full_is_dropped() {
        let events = vec![
            listener(2, 1),
            seg(3, Direction::ToServer, SYN),
            listener(1, 1),
            seg(3, Direction::ToServer, SYN),
            seg(3, Direction::ToClient, SYN_ACK),
        ];
        let d = dropped_syns(&events);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].event, 1);
        assert_eq!(d[0].reason(), "accept queue full: 2 of backlog 1");
    }

    #[test]
    fn an_answered_syn_or_one_sent_while_the_queue_had_room_is_not() {
        let answered = vec![
            listener(2, 1),
            seg(1, Direction::ToServer, SYN),
            seg(1, Direction::ToClient, SYN_ACK),
            seg(1, Direction::ToServer, SYN),
        ];
        assert!(dropped_syns(&answered).is_empty());
        let room = vec![
            listener(1, 1),
            seg(1, Direction::ToServer, SYN),
            seg(1, Direction::ToServer, SYN),
        ];
        assert!(dropped_syns(&room).is_empty(), "lost for another reason");
        let no_probe = vec![
            seg(1, Direction::ToServer, SYN),
            seg(1, Direction::ToServer, SYN),
        ];
        assert!(dropped_syns(&no_probe).is_empty(), "no probe, no claim");
    }
}
