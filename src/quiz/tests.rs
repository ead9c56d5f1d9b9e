use super::*;
use crate::record::headless::Loaded;
use crate::timeline::{EventKind, Timeline};

/// The whole wire of a test capture, as `replay --headless` reads it.
fn timeline(name: &str) -> Timeline {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let source = crate::open::SourceFile::open(&path).expect("the capture opens");
    match source.transcript(None).expect("the capture reads") {
        Loaded::Capture { timeline, .. } => timeline,
        Loaded::Recording { .. } => panic!("{name} is a capture"),
    }
}

/// Every question's answer is what its event then shows, read from the event here, not from
/// the generator's bookkeeping.
fn check(tl: &Timeline) -> Vec<Question> {
    let qs = questions(tl);
    let events = tl.events();
    let mut last_before = None;
    for q in &qs {
        assert!(
            last_before < Some(q.before),
            "one question an event, in order"
        );
        last_before = Some(q.before);
        let ev = &events[q.before].kind;
        match (q.ask, q.answer, ev) {
            (Ask::Flags { dir }, Answer::Flags(f), EventKind::Segment(s)) => {
                assert_eq!(s.dir, dir);
                assert_eq!(core_flags(s.flags), f);
                assert!(q.choices.contains(&q.answer));
            }
            (Ask::SeqAck { dir }, Answer::SeqAck { seq, ack }, EventKind::Segment(s)) => {
                assert_eq!(s.dir, dir);
                assert_eq!((s.rel_seq.get(), s.ack_shown()), (seq, ack));
            }
            (Ask::NextState { side, dir }, Answer::State(st), EventKind::Segment(s)) => {
                assert_eq!(s.dir, dir);
                let now = if side == crate::timeline::Side::Client {
                    s.client_state
                } else {
                    s.server_state
                };
                assert_eq!(now, st);
                assert!(q.choices.contains(&q.answer) && q.choices.len() == 4);
            }
            (Ask::RecvReturns { .. }, Answer::Bytes(n), EventKind::Call(c)) => {
                assert_eq!(c.len.unwrap_or(0), n);
            }
            (Ask::SendBlocks { .. }, Answer::Send(_), EventKind::Call(c)) => {
                assert!(c.call.moves_bytes() && !c.call.reads());
            }
            other => panic!("question {q:?} stands before {other:?}"),
        }
        let key = q.answer_key();
        assert_eq!(key.is_some(), !q.choices.is_empty());
    }
    qs
}

#[test]
fn questions_from_captures_are_answered_by_their_events() {
    let mut kinds = std::collections::HashSet::new();
    for name in [
        "echo.pcap",
        "half_close.pcap",
        "reset.pcap",
        "segments.pcap",
        "multi.pcap",
    ] {
        let qs = check(&timeline(name));
        assert!(!qs.is_empty(), "{name} asks something");
        kinds.extend(qs.iter().map(|q| q.ask.kind()));
    }
    for kind in ["flags", "seq_ack", "state"] {
        assert!(kinds.contains(kind), "some capture asks {kind}");
    }
}

#[test]
fn echo_asks_the_handshake_in_order() {
    let qs = check(&timeline("echo.pcap"));
    // The first segment is the client's SYN: the first question is about it.
    let first = &qs[0];
    assert_eq!(first.before, 0);
    assert_eq!(
        first.answer,
        Answer::Flags(crate::wire::TcpFlags(crate::wire::TcpFlags::SYN))
    );
    assert_eq!(first.answer_key(), Some(1));
}

#[test]
fn typed_answers_are_read_as_the_question_expects() {
    let seq = Question {
        before: 0,
        ask: Ask::SeqAck {
            dir: Direction::ToServer,
        },
        answer: Answer::SeqAck { seq: 1, ack: 1 },
        choices: Vec::new(),
    };
    assert_eq!(
        parse_answer(&seq, " 1 1 "),
        Some(Answer::SeqAck { seq: 1, ack: 1 })
    );
    assert_eq!(
        parse_answer(&seq, "seq=1, ack=15"),
        Some(Answer::SeqAck { seq: 1, ack: 15 })
    );
    assert_eq!(parse_answer(&seq, "1"), None);
    assert_eq!(parse_answer(&seq, "1 2 3"), None);
    let recv = Question {
        before: 0,
        ask: Ask::RecvReturns {
            side: Side::Server,
            bufsize: 1024,
        },
        answer: Answer::Bytes(0),
        choices: Vec::new(),
    };
    assert_eq!(parse_answer(&recv, "b''"), Some(Answer::Bytes(0)));
    assert_eq!(parse_answer(&recv, "14"), Some(Answer::Bytes(14)));
    assert_eq!(parse_answer(&recv, "many"), None);
    let state = Question {
        before: 0,
        ask: Ask::NextState {
            side: Side::Client,
            dir: Direction::ToServer,
        },
        answer: Answer::State(TcpState::SynSent),
        choices: vec![
            Answer::State(TcpState::Listen),
            Answer::State(TcpState::SynSent),
        ],
    };
    assert_eq!(
        parse_answer(&state, "2"),
        Some(Answer::State(TcpState::SynSent))
    );
    assert_eq!(parse_answer(&state, "0"), None);
    assert_eq!(parse_answer(&state, "3"), None);
}

#[test]
fn the_score_counts_right_answers_and_lists_the_missed() {
    let tl = timeline("echo.pcap");
    let mut quiz = Quiz::new(questions(&tl));
    let n = quiz.questions.len();
    assert!(n >= 3);
    assert!(quiz.due(quiz.questions[0].before).is_some());
    // Right, wrong, right, …; the last one passed over.
    for k in 0..n - 1 {
        let q = quiz.next().expect("a question").clone();
        assert_eq!(quiz.due(q.before), Some(&q));
        let given = if k % 2 == 0 {
            q.answer
        } else {
            Answer::Bytes(u64::MAX)
        };
        assert_eq!(quiz.answer(&q, given), k % 2 == 0);
        assert_eq!(quiz.due(q.before), None, "answered once");
    }
    let last = quiz.next().expect("the last question").clone();
    quiz.skip(last.before);
    assert_eq!(quiz.next(), None);
    assert_eq!(quiz.score(), ((n - 1).div_ceil(2), n - 1));
    assert_eq!(quiz.missed().len(), (n - 1) / 2);
    // The timeline's questions again (a live lab that grew): nothing answered is lost.
    quiz.set_questions(questions(&tl));
    assert_eq!(quiz.next(), None);
    assert_eq!(quiz.score(), ((n - 1).div_ceil(2), n - 1));
}
