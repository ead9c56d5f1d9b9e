//! Questions made from a timeline: which events to ask about, and their answers as the events
//! show them.
//!
//! One question at most before an event, and not every event: the handshake's and teardown's
//! segments (flags, or the state a socket enters), the first data and FIN in each direction
//! (`seq`/`ack`), the first recvs (how many bytes, or `b''`) and the sends (does it block?).
//! A kind already asked about the same thing is not asked again, so three clients' handshakes
//! do not ask three times what a SYN carries.

use std::collections::{HashMap, HashSet};

use crate::tcp::{ConnId, Direction, TcpState};
use crate::timeline::call::Call;
use crate::timeline::{CallEvent, Event, EventKind, SegmentEvent, Side, Timeline};
use crate::wire::TcpFlags;

use super::{Answer, Ask, Question, SendOutcome, core_flags};

/// At most this many recv questions.
const RECVS: usize = 6;
/// At most this many sends that return at once (a send that blocks or fails is the lesson:
/// those are asked up to [`SENDS`] more).
const SENDS: usize = 4;

/// The flag sets offered as choices (a segment with another set adds its own).
const FLAG_CHOICES: [u16; 7] = [
    TcpFlags::SYN,
    TcpFlags::SYN | TcpFlags::ACK,
    TcpFlags::ACK,
    TcpFlags::PSH | TcpFlags::ACK,
    TcpFlags::FIN | TcpFlags::ACK,
    TcpFlags::RST,
    TcpFlags::RST | TcpFlags::ACK,
];

/// The questions for `tl`, in event order.
pub fn questions(tl: &Timeline) -> Vec<Question> {
    let mut g = Generator::default();
    tl.events()
        .iter()
        .enumerate()
        .filter_map(|(i, ev)| g.question(i, ev))
        .collect()
}

/// The questions for `tl` of the kinds named (a lesson's `quiz flags,state`; empty: none).
pub fn questions_of_kinds(tl: &Timeline, kinds: &[&str]) -> Vec<Question> {
    if kinds.is_empty() {
        return Vec::new();
    }
    let mut qs = questions(tl);
    qs.retain(|q| kinds.contains(&q.ask.kind()));
    qs
}

#[derive(Default)]
struct Generator {
    /// Each connection's states after its latest segment (client, server).
    states: HashMap<ConnId, (TcpState, TcpState)>,
    /// What was asked already: flag sets per direction, states per side, seq/ack moments.
    flags_asked: HashSet<(Direction, u16)>,
    states_asked: HashSet<(Side, TcpState)>,
    seq_asked: HashSet<(Direction, bool)>,
    /// Questions asked per kind (a segment offers several kinds: the least asked wins).
    asked: HashMap<&'static str, usize>,
    recvs: usize,
    /// The byte count of the latest recv asked about, per side.
    recv_last: HashMap<Side, u64>,
    sends_at_once: usize,
    sends_lesson: usize,
}

impl Generator {
    fn question(&mut self, i: usize, ev: &Event) -> Option<Question> {
        let q = match &ev.kind {
            EventKind::Segment(s) => self.segment(i, s),
            EventKind::Call(c) => self.call(i, c),
            EventKind::Probe(_) | EventKind::Note(_) => None,
        }?;
        *self.asked.entry(q.ask.kind()).or_default() += 1;
        Some(q)
    }

    fn segment(&mut self, i: usize, s: &SegmentEvent) -> Option<Question> {
        let before = match self.states.insert(s.conn, (s.client_state, s.server_state)) {
            Some(prev) => Some(prev),
            // A connection seen from its SYN starts with a client that has not connected yet
            // and a listening server; one seen mid-stream has no known "before".
            None if s.flags.syn() && !s.flags.ack() => Some((TcpState::Closed, TcpState::Listen)),
            None => None,
        };
        let flags = core_flags(s.flags);
        let mut offers: Vec<Question> = Vec::new();
        if (s.flags.syn() || s.flags.fin() || s.flags.rst())
            && !self.flags_asked.contains(&(s.dir, flags.0))
        {
            offers.push(Question {
                before: i,
                ask: Ask::Flags { dir: s.dir },
                answer: Answer::Flags(flags),
                choices: flag_choices(flags),
            });
        }
        if let Some((client, server)) = before {
            for (side, was, now) in [
                (Side::Client, client, s.client_state),
                (Side::Server, server, s.server_state),
            ] {
                if was != now && !self.states_asked.contains(&(side, now)) {
                    offers.push(Question {
                        before: i,
                        ask: Ask::NextState { side, dir: s.dir },
                        answer: Answer::State(now),
                        choices: state_choices(now, was),
                    });
                    break;
                }
            }
        }
        let moment = if s.len > 0 {
            Some(false)
        } else if s.flags.fin() {
            Some(true)
        } else {
            None
        };
        if let Some(fin) = moment
            && !self.seq_asked.contains(&(s.dir, fin))
        {
            offers.push(Question {
                before: i,
                ask: Ask::SeqAck { dir: s.dir },
                answer: Answer::SeqAck {
                    seq: s.rel_seq.get(),
                    ack: s.ack_shown(),
                },
                choices: Vec::new(),
            });
        }
        // The kind asked least so far (first offered on a tie): the quiz mixes its kinds.
        let q = offers
            .into_iter()
            .enumerate()
            .min_by_key(|(k, q)| (self.asked.get(q.ask.kind()).copied().unwrap_or(0), *k))
            .map(|(_, q)| q)?;
        match (q.ask, q.answer) {
            (Ask::Flags { dir }, Answer::Flags(f)) => {
                self.flags_asked.insert((dir, f.0));
            }
            (Ask::NextState { side, .. }, Answer::State(st)) => {
                self.states_asked.insert((side, st));
            }
            (Ask::SeqAck { dir }, _) => {
                self.seq_asked.insert((dir, s.flags.fin() && s.len == 0));
            }
            _ => {}
        }
        Some(q)
    }

    fn call(&mut self, i: usize, c: &CallEvent) -> Option<Question> {
        match c.call {
            Call::Recv { bufsize } if c.ok() && self.recvs < RECVS => {
                // The first recv of a side, one that returns another count than the last one
                // asked (a short read, a split message), and every b'' (end of stream).
                let n = c.len.unwrap_or(0);
                if self.recv_last.get(&c.side) == Some(&n) && n != 0 {
                    return None;
                }
                self.recv_last.insert(c.side, n);
                self.recvs += 1;
                Some(Question {
                    before: i,
                    ask: Ask::RecvReturns {
                        side: c.side,
                        bufsize,
                    },
                    answer: Answer::Bytes(n),
                    choices: Vec::new(),
                })
            }
            Call::Send { len, all } => {
                // `sendall` returns None; `send` the bytes the kernel took.
                let taken = c.ret.map_or(len, |r| u64::try_from(r).unwrap_or(0));
                let outcome = if !c.ok() {
                    SendOutcome::Fails
                } else if !c.progress.is_empty() {
                    SendOutcome::Blocks
                } else if taken < len {
                    SendOutcome::Partial
                } else {
                    SendOutcome::ReturnsAtOnce
                };
                let room = match outcome {
                    SendOutcome::ReturnsAtOnce => &mut self.sends_at_once,
                    _ => &mut self.sends_lesson,
                };
                if *room >= SENDS {
                    return None;
                }
                *room += 1;
                Some(Question {
                    before: i,
                    ask: Ask::SendBlocks {
                        side: c.side,
                        len,
                        all,
                    },
                    answer: Answer::Send(outcome),
                    choices: [
                        SendOutcome::ReturnsAtOnce,
                        SendOutcome::Partial,
                        SendOutcome::Blocks,
                        SendOutcome::Fails,
                    ]
                    .map(Answer::Send)
                    .to_vec(),
                })
            }
            _ => None,
        }
    }
}

/// The usual flag sets, and `answer`'s if it is not one of them.
fn flag_choices(answer: TcpFlags) -> Vec<Answer> {
    let mut choices: Vec<Answer> = FLAG_CHOICES
        .iter()
        .map(|&f| Answer::Flags(TcpFlags(f)))
        .collect();
    if !FLAG_CHOICES.contains(&answer.0) {
        choices.push(Answer::Flags(answer));
    }
    choices
}

/// Four states in RFC 9293's order: the answer and its neighbours, the state it leaves out
/// (it changes).
fn state_choices(answer: TcpState, was: TcpState) -> Vec<Answer> {
    let all = TcpState::ALL;
    let at = all.iter().position(|s| *s == answer).unwrap_or(0);
    let mut picked: Vec<usize> = vec![at];
    let mut d = 1;
    while picked.len() < 4 && d < all.len() {
        for k in [at.checked_sub(d), Some(at + d)].into_iter().flatten() {
            if k < all.len() && all[k] != was && picked.len() < 4 {
                picked.push(k);
            }
        }
        d += 1;
    }
    picked.sort_unstable();
    picked.into_iter().map(|k| Answer::State(all[k])).collect()
}
