//! What a question says, and how its choices and answers read (the screens, the headless
//! transcript and the JSON lines all use these).

use crate::i18n::t;
use crate::lab::scenario::side_word;
use crate::tcp::Direction;
use crate::tr;

use super::{Answer, Ask, Question, SendOutcome};

fn direction(dir: Direction) -> &'static str {
    match dir {
        Direction::ToServer => t("lab.quiz.to_server"),
        Direction::ToClient => t("lab.quiz.to_client"),
    }
}

/// The question, as asked.
pub fn prompt(q: &Question) -> String {
    match q.ask {
        Ask::Flags { dir } => tr!("lab.quiz.ask.flags", dir = direction(dir)),
        Ask::SeqAck { dir } => tr!("lab.quiz.ask.seq_ack", dir = direction(dir)),
        Ask::RecvReturns { side, bufsize } => tr!(
            "lab.quiz.ask.recv",
            side = side_word(side),
            bufsize = bufsize
        ),
        Ask::NextState { side, dir } => tr!(
            "lab.quiz.ask.state",
            side = side_word(side),
            dir = direction(dir)
        ),
        Ask::SendBlocks { side, len, all } => tr!(
            "lab.quiz.ask.send",
            side = side_word(side),
            call = if all { "sendall" } else { "send" },
            len = len
        ),
    }
}

/// An answer (a choice, or what was typed) as the screen shows it.
pub fn answer(a: &Answer) -> String {
    match a {
        Answer::Flags(f) => f.to_string(),
        Answer::SeqAck { seq, ack } => format!("seq {seq} ack {ack}"),
        Answer::Bytes(0) => tr!("lab.quiz.answer.eof"),
        Answer::Bytes(n) => tr!("lab.quiz.answer.bytes", n = n),
        Answer::State(s) => s.name().to_string(),
        Answer::Send(SendOutcome::ReturnsAtOnce) => tr!("lab.quiz.answer.at_once"),
        Answer::Send(SendOutcome::Partial) => tr!("lab.quiz.answer.partial"),
        Answer::Send(SendOutcome::Blocks) => tr!("lab.quiz.answer.blocks"),
        Answer::Send(SendOutcome::Fails) => tr!("lab.quiz.answer.fails"),
    }
}

/// An answer as a value for a program (an autograder): flags as tcpdump's names, `[seq, ack]`,
/// a byte count, a state's name, `at_once`/`partial`/`blocks`/`fails`.
pub fn value(a: &Answer) -> serde_json::Value {
    use serde_json::json;
    match a {
        Answer::Flags(f) => json!(f.to_string()),
        Answer::SeqAck { seq, ack } => json!([seq, ack]),
        Answer::Bytes(n) => json!(n),
        Answer::State(s) => json!(s.name()),
        Answer::Send(o) => json!(match o {
            SendOutcome::ReturnsAtOnce => "at_once",
            SendOutcome::Partial => "partial",
            SendOutcome::Blocks => "blocks",
            SendOutcome::Fails => "fails",
        }),
    }
}

/// The choices numbered for keys `1`…`9`: `1 SYN`, `2 SYN,ACK`, …
pub fn choices(q: &Question) -> Vec<String> {
    q.choices
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{} {}", k + 1, answer(c)))
        .collect()
}

/// The line after an answer: right, or wrong with what the event showed.
pub fn verdict(q: &Question, given: &Answer) -> String {
    if q.is_right(given) {
        tr!("lab.quiz.right", answer = answer(&q.answer))
    } else {
        tr!(
            "lab.quiz.wrong",
            given = answer(given),
            answer = answer(&q.answer)
        )
    }
}

/// The score line at the end.
pub fn score(right: usize, asked: usize) -> String {
    tr!("lab.quiz.score", right = right, asked = asked)
}
