//! What a question says, and how its choices and answers read (the screens, the headless
//! transcript and the JSON lines all use these).

use crate::tcp::Direction;

use super::{Answer, Ask, Question, SendOutcome};

fn direction(dir: Direction) -> &'static str {
    match dir {
        Direction::ToServer => "client → server",
        Direction::ToClient => "server → client",
    }
}

/// The question, as asked.
pub fn prompt(q: &Question) -> String {
    match q.ask {
        Ask::Flags { dir } => format!(
            "Which flags will the next segment ({}) carry?",
            direction(dir)
        ),
        Ask::SeqAck { dir } => format!(
            "The next segment ({}): what are its relative seq and ack? (type two numbers)",
            direction(dir)
        ),
        Ask::RecvReturns { side, bufsize } => format!(
            "The {side}'s recv({bufsize}) returns: how many bytes? (a number, or b'' for end of \
             stream)"
        ),
        Ask::NextState { side, dir } => format!(
            "With the next segment ({}), which state does the {side} enter?",
            direction(dir)
        ),
        Ask::SendBlocks { side, len, all } => format!(
            "The {side} calls {}({len} bytes): what happens?",
            if all { "sendall" } else { "send" }
        ),
    }
}

/// An answer (a choice, or what was typed) as the screen shows it.
pub fn answer(a: &Answer) -> String {
    match a {
        Answer::Flags(f) => f.to_string(),
        Answer::SeqAck { seq, ack } => format!("seq {seq} ack {ack}"),
        Answer::Bytes(0) => "b'' (0 bytes: the peer closed its side)".to_string(),
        Answer::Bytes(n) => format!("{n} bytes"),
        Answer::State(s) => s.name().to_string(),
        Answer::Send(SendOutcome::ReturnsAtOnce) => {
            "returns at once: every byte is in the send buffer".to_string()
        }
        Answer::Send(SendOutcome::Partial) => {
            "returns at once with fewer bytes (the rest is not sent)".to_string()
        }
        Answer::Send(SendOutcome::Blocks) => "blocks until the send buffer has room".to_string(),
        Answer::Send(SendOutcome::Fails) => "fails with an error (e.g. EAGAIN, EPIPE)".to_string(),
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
        format!("right: {}", answer(&q.answer))
    } else {
        format!(
            "not quite: you said {}, the event shows {}",
            answer(given),
            answer(&q.answer)
        )
    }
}

/// The score line at the end.
pub fn score(right: usize, asked: usize) -> String {
    format!("score: {right} of {asked} right")
}
