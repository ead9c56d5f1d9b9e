//! Predict, then reveal (issue 14): before chosen events, playback stops and asks what comes
//! next; the answer is checked against the event that then plays.
//!
//! Studies of teaching with animation find that watching alone helps little, and that
//! committing to an answer first is what helps. Every question here is made from the real
//! timeline ([`generate::questions`]): its answer is what the next event then shows, never a
//! fixed answer written in code.
//!
//! The kinds: the next segment's flags, its `seq`/`ack`, what a `recv(n)` returns (how many
//! bytes, or `b''`), the state a socket enters, whether a `send` blocks.

pub mod generate;
pub mod text;

use crate::tcp::{Direction, TcpState};
use crate::timeline::Side;
use crate::wire::TcpFlags;

pub use generate::{questions, questions_of_kinds};

/// What a question asks about the event it stands before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The flags of the next segment sent in `dir`.
    Flags { dir: Direction },
    /// The relative `seq` and `ack` of the next segment sent in `dir`.
    SeqAck { dir: Direction },
    /// What `recv(bufsize)` on `side`'s socket returns.
    RecvReturns { side: Side, bufsize: u64 },
    /// The state `side`'s end of the connection enters with the next segment (sent in `dir`).
    NextState { side: Side, dir: Direction },
    /// Whether `side`'s `send`/`sendall` of `len` bytes returns at once.
    SendBlocks { side: Side, len: u64, all: bool },
}

impl Ask {
    /// The kind's name in JSON lines (`flags`, `seq_ack`, `recv`, `state`, `send_blocks`).
    pub fn kind(&self) -> &'static str {
        match self {
            Ask::Flags { .. } => "flags",
            Ask::SeqAck { .. } => "seq_ack",
            Ask::RecvReturns { .. } => "recv",
            Ask::NextState { .. } => "state",
            Ask::SendBlocks { .. } => "send_blocks",
        }
    }
}

/// What a send did, as a question's choices say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The kernel took every byte at once.
    ReturnsAtOnce,
    /// It returned at once with fewer bytes than asked (a non-blocking socket's partial send:
    /// the program must send the rest itself).
    Partial,
    /// It waited for room in the send buffer (the kernel took the bytes in pieces).
    Blocks,
    /// It failed (a non-blocking socket's `EAGAIN`, a shut-down socket's `EPIPE`).
    Fails,
}

/// The right answer, as the event shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Flags(TcpFlags),
    SeqAck {
        seq: u32,
        ack: u32,
    },
    /// Bytes returned; 0 is `b''` (the peer's FIN: end of stream).
    Bytes(u64),
    State(TcpState),
    Send(SendOutcome),
}

/// One question: asked before event `before` plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The index of the event whose outcome is asked (the timeline's, as `i` in JSON lines).
    pub before: usize,
    pub ask: Ask,
    pub answer: Answer,
    /// The choices, when the question has them (one is the answer); empty when the answer is
    /// typed (`seq`/`ack`, a recv's byte count).
    pub choices: Vec<Answer>,
}

impl Question {
    /// Whether `given` is this question's answer.
    pub fn is_right(&self, given: &Answer) -> bool {
        match (self.answer, given) {
            // Flags compare as a student names them: ECN bits aside.
            (Answer::Flags(a), Answer::Flags(b)) => core_flags(a) == core_flags(*b),
            (a, b) => a == *b,
        }
    }

    /// The 1-based number of the choice that is the answer (keys `1`…`9`).
    pub fn answer_key(&self) -> Option<usize> {
        self.choices
            .iter()
            .position(|c| *c == self.answer)
            .map(|k| k + 1)
    }
}

/// The flags a student is asked to name: SYN, FIN, RST, PSH, ACK (URG and ECN bits left out).
pub fn core_flags(f: TcpFlags) -> TcpFlags {
    TcpFlags(f.0 & (TcpFlags::SYN | TcpFlags::FIN | TcpFlags::RST | TcpFlags::PSH | TcpFlags::ACK))
}

/// A typed answer read as the question expects it: `seq ack` as two numbers, a byte count as a
/// number or `b''`, a choice by its number. `None` when the text is not an answer at all (the
/// screen asks again).
pub fn parse_answer(q: &Question, typed: &str) -> Option<Answer> {
    let typed = typed.trim();
    if !q.choices.is_empty() {
        let k: usize = typed.parse().ok()?;
        return q.choices.get(k.checked_sub(1)?).copied();
    }
    match q.ask {
        Ask::SeqAck { .. } => {
            let mut nums = typed
                .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_start_matches("seq=").trim_start_matches("ack="));
            let seq = nums.next()?.parse().ok()?;
            let ack = nums.next()?.parse().ok()?;
            nums.next().is_none().then_some(Answer::SeqAck { seq, ack })
        }
        Ask::RecvReturns { .. } => {
            if matches!(typed, "b''" | "b\"\"" | "''") {
                return Some(Answer::Bytes(0));
            }
            typed.parse().ok().map(Answer::Bytes)
        }
        _ => None,
    }
}

/// A quiz in progress: the questions, the answers given so far, and the score.
///
/// Questions are matched to answers by the event they stand before, so a live timeline that
/// grows can be asked again ([`Quiz::set_questions`]) without losing what was answered.
#[derive(Debug, Clone, Default)]
pub struct Quiz {
    pub questions: Vec<Question>,
    /// Each question answered, in the order answered, with the answer given.
    pub answered: Vec<(Question, Answer)>,
    /// Questions passed over (Esc), by the event they stand before.
    pub skipped: Vec<usize>,
}

impl Quiz {
    pub fn new(questions: Vec<Question>) -> Self {
        Quiz {
            questions,
            ..Quiz::default()
        }
    }

    /// The questions of a timeline that grew (a live lab); answers given are kept.
    pub fn set_questions(&mut self, questions: Vec<Question>) {
        self.questions = questions;
    }

    fn settled(&self, before: usize) -> bool {
        self.answered.iter().any(|(q, _)| q.before == before) || self.skipped.contains(&before)
    }

    /// The question to ask before event `i` plays, unless it was answered or passed over.
    pub fn due(&self, i: usize) -> Option<&Question> {
        let k = self.questions.partition_point(|q| q.before < i);
        self.questions
            .get(k)
            .filter(|q| q.before == i && !self.settled(i))
    }

    /// The first question not yet answered or passed over.
    pub fn next(&self) -> Option<&Question> {
        self.questions.iter().find(|q| !self.settled(q.before))
    }

    /// Answer `q`; whether the answer was right.
    pub fn answer(&mut self, q: &Question, given: Answer) -> bool {
        let right = q.is_right(&given);
        if !self.settled(q.before) {
            self.answered.push((q.clone(), given));
        }
        right
    }

    /// Pass over the question before event `before` (it is not counted).
    pub fn skip(&mut self, before: usize) {
        if !self.settled(before) {
            self.skipped.push(before);
        }
    }

    /// Questions answered right, and answered at all.
    pub fn score(&self) -> (usize, usize) {
        let right = self.answered.iter().filter(|(q, g)| q.is_right(g)).count();
        (right, self.answered.len())
    }

    /// The questions answered wrong, with the answer given (to step through at the end).
    pub fn missed(&self) -> Vec<(&Question, Answer)> {
        self.answered
            .iter()
            .filter(|(q, g)| !q.is_right(g))
            .map(|(q, g)| (q, *g))
            .collect()
    }
}

#[cfg(test)]
mod tests;
