//! The lab (or a replay) without a screen: the timeline as JSON lines, or as a readable transcript (a
//! handout of the calls and the segments they caused).
//!
//! JSON: one event per line, each with `i` (its index, which `segments`/`sends`/`recvs` refer
//! to), `t` (seconds since the lab started) and `kind` (`call`, `segment`, `probe`, `note`); the
//! last line has `kind: "summary"` and `capture` (`namespace`, `host` or `unavailable: REASON`).

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::lab::LabSummary;
use crate::quiz::{self, Question};
use crate::tcp::ConnId;
use crate::timeline::playback::{PlayState, PlaybackIndex, SocketInfo};
use crate::timeline::truth::{Headline, SocketTruth};
use crate::timeline::{
    ByteMap, CallEvent, Event, EventKind, ProbeEvent, SegmentEvent, Side, SocketId, Timeline,
};

use super::labels::{accepted_from, text_of};

fn stream_json(range: Option<crate::timeline::ByteRange>) -> Value {
    match range {
        Some(r) => json!([r.start, r.end]),
        None => Value::Null,
    }
}

fn call_json(c: &CallEvent, map: &ByteMap, obj: &mut Map<String, Value>, tl: &Timeline) {
    obj.insert("side".into(), json!(c.side.name()));
    obj.insert("sock".into(), json!(c.socket.0));
    obj.insert("call".into(), json!(c.call.name()));
    obj.insert("args".into(), json!(c.call.python()));
    obj.insert("len".into(), json!(c.len));
    match c.errno {
        Some(e) => {
            obj.insert("errno".into(), json!(e.name));
            obj.insert("errno_code".into(), json!(e.code));
        }
        None => {
            obj.insert("ret".into(), json!(c.ret));
        }
    }
    obj.insert("t_start".into(), json!(tl.secs(c.started)));
    obj.insert("t_end".into(), json!(tl.secs(c.returned)));
    if !c.progress.is_empty() {
        // A send the kernel took in pieces while it blocked: [t_start, t_end, stream offset
        // accepted up to] of each piece's send(2).
        let pieces: Vec<_> = c
            .progress
            .iter()
            .map(|p| json!([tl.secs(p.at), tl.secs(p.done), p.upto]))
            .collect();
        obj.insert("pieces".into(), json!(pieces));
    }
    // An accepted peer's address is written where sockviz has always written it.
    if let Some(text) = accepted_from(c).or_else(|| text_of(&c.data)) {
        obj.insert("data".into(), json!(text));
    }
    if c.call.moves_bytes() {
        obj.insert("hex".into(), json!(hex_prefix(&c.data, 16)));
    }
    if let (Some(flow), Some(range)) = (c.flow, c.stream) {
        obj.insert("stream".into(), stream_json(Some(range)));
        if !range.is_empty() {
            let origin = map.origin(&flow, range);
            obj.insert("segments".into(), json!(origin.segments));
            if c.call.reads() {
                obj.insert("sends".into(), json!(origin.sends));
            } else {
                obj.insert("recvs".into(), json!(map.readers(&flow, range)));
            }
        }
    }
}

fn hex_prefix(data: &[u8], max: usize) -> String {
    let mut s: String = data
        .iter()
        .take(max)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    if data.len() > max {
        s.push_str(" …");
    }
    s
}

fn segment_json(s: &SegmentEvent, map: &ByteMap, obj: &mut Map<String, Value>) {
    obj.insert("n".into(), json!(s.number));
    obj.insert("dir".into(), json!(s.dir_name()));
    obj.insert("flags".into(), json!(s.flags.to_string()));
    obj.insert("seq".into(), json!(s.rel_seq.get()));
    obj.insert("ack".into(), json!(s.ack_shown()));
    obj.insert("len".into(), json!(s.len));
    obj.insert("win".into(), json!(s.window));
    obj.insert("src".into(), json!(s.src.to_string()));
    obj.insert("dst".into(), json!(s.dst.to_string()));
    // Wireshark's names (`zero_window`, `retransmission`, ...), as `inspect --json` counts them.
    let analysis: Vec<&str> = crate::tcp::Analysis::NAMES
        .iter()
        .filter(|(bit, _)| s.analysis.contains(*bit))
        .map(|(_, name)| *name)
        .collect();
    obj.insert("analysis".into(), json!(analysis));
    obj.insert("client_state".into(), json!(s.client_state.name()));
    obj.insert("server_state".into(), json!(s.server_state.name()));
    if let Some(range) = s.stream() {
        obj.insert("stream".into(), stream_json(Some(range)));
        obj.insert("recvs".into(), json!(map.readers(&s.flow(), range)));
    }
}

/// Over a lab link: where the segment was captured (`["client"]`, `["server"]` or both) with
/// each time, and `lost: true` when it left its sender and never reached its receiver.
fn link_json(tl: &Timeline, s: &SegmentEvent, obj: &mut Map<String, Value>) {
    if !s.sack.is_empty() {
        let blocks: Vec<[u32; 2]> = s.sack.iter().map(|(l, r)| [l.get(), r.get()]).collect();
        obj.insert("sack".into(), json!(blocks));
    }
    if s.seen.is_empty() {
        return;
    }
    let points: Vec<&str> = s.seen.iter().map(|v| v.point.name()).collect();
    obj.insert("seen".into(), json!(points));
    let times: Map<String, Value> = s
        .seen
        .iter()
        .map(|v| (v.point.name().to_string(), json!(tl.secs(v.at))))
        .collect();
    obj.insert("seen_t".into(), Value::Object(times));
    if s.lost {
        obj.insert("lost".into(), json!(true));
    }
}

fn probe_json(p: &ProbeEvent, obj: &mut Map<String, Value>) {
    obj.insert("side".into(), json!(p.side.name()));
    obj.insert("sock".into(), json!(p.socket.0));
    obj.insert("state".into(), json!(p.state.map(|s| s.name())));
    obj.insert("recv_q".into(), json!(p.recv_q));
    obj.insert("send_q".into(), json!(p.send_q));
    obj.insert("unsent".into(), json!(p.unsent));
    obj.insert("unacked".into(), json!(p.unacked()));
    obj.insert("sndbuf".into(), json!(p.sndbuf));
    obj.insert("rcvbuf".into(), json!(p.rcvbuf));
    obj.insert("rtt_us".into(), json!(p.rtt_us));
    obj.insert("cwnd".into(), json!(p.cwnd));
    obj.insert("ssthresh".into(), json!(p.ssthresh));
    obj.insert("in_flight".into(), json!(p.in_flight));
    if let Some(q) = p.accept_queue {
        obj.insert("accept_queue".into(), json!(q.len));
        obj.insert("backlog".into(), json!(q.backlog));
    }
}

/// One event as a JSON object.
pub fn event_json(tl: &Timeline, map: &ByteMap, i: usize, ev: &Event) -> Value {
    let mut obj = Map::new();
    obj.insert("i".into(), json!(i));
    obj.insert("t".into(), json!(tl.secs(ev.at)));
    obj.insert("kind".into(), json!(ev.kind.name()));
    match &ev.kind {
        EventKind::Call(c) => call_json(c, map, &mut obj, tl),
        EventKind::Segment(s) => {
            segment_json(s, map, &mut obj);
            link_json(tl, s, &mut obj);
        }
        EventKind::Probe(p) => probe_json(p, &mut obj),
        EventKind::Note(text) => {
            obj.insert("text".into(), json!(text));
        }
    }
    Value::Object(obj)
}

/// The closing line: what ran, and whether the capture was real.
pub fn summary_json(tl: &Timeline, summary: &LabSummary) -> Value {
    let count = |k: &str| tl.events().iter().filter(|e| e.kind.name() == k).count();
    let end = tl.events().last().map(|e| tl.secs(e.at)).unwrap_or(0.0);
    json!({
        "t": end,
        "kind": "summary",
        "scenario": summary.scenario,
        "capture": summary.capture.to_string(),
        "server": summary.server.to_string(),
        "mtu": summary.mtu,
        "events": tl.events().len(),
        "calls": count("call"),
        "segments": count("segment"),
        "probes": count("probe"),
        "notes": count("note"),
        "frames": tl.frames_seen(),
        "undecodable": tl.undecodable_frames(),
        "dropped": summary.dropped,
        "failure": summary.failure,
    })
}

/// The JSON lines and the summary; with `quiz`, a `question` line before each event a quiz asks
/// about ([`question_json`]).
pub fn write_json(
    out: &mut impl Write,
    tl: &Timeline,
    summary: &LabSummary,
    quiz: bool,
) -> io::Result<()> {
    let questions = if quiz {
        quiz::questions(tl)
    } else {
        Vec::new()
    };
    write_events(
        out,
        tl,
        &PlaybackIndex::build(tl.events()),
        false,
        &questions,
    )?;
    serde_json::to_writer(&mut *out, &summary_json(tl, summary))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Every event as a JSON line, each followed by a `socket` line for every socket whose state,
/// fd or queues it changed ([`SocketLines`]). `per_connection`: the index's sockets are not
/// the lab's but two inferred endpoints per connection of a capture. `questions` (in event
/// order) each get a `question` line before the event they ask about.
pub fn write_events(
    out: &mut impl Write,
    tl: &Timeline,
    index: &PlaybackIndex,
    per_connection: bool,
    questions: &[Question],
) -> io::Result<()> {
    let map = tl.byte_map();
    let mut lines = SocketLines::new(index, per_connection);
    let mut asked = questions.iter().peekable();
    for (i, ev) in tl.events().iter().enumerate() {
        while let Some(q) = asked.next_if(|q| q.before <= i) {
            serde_json::to_writer(&mut *out, &question_json(tl, q, ev))?;
            out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut *out, &event_json(tl, &map, i, ev))?;
        out.write_all(b"\n")?;
        for line in lines.after(tl, i, ev) {
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// A `question` line (`--quiz`), before the event `before` names: what is asked (`ask`, `text`),
/// the `choices` when there are (`answer_key` is the right one's number), and the `answer` the
/// event then shows, as text and as a `value` for an autograder.
pub fn question_json(tl: &Timeline, q: &Question, ev: &Event) -> Value {
    let (side, dir) = match q.ask {
        quiz::Ask::Flags { dir } | quiz::Ask::SeqAck { dir } => (None, Some(dir)),
        quiz::Ask::NextState { side, dir } => (Some(side), Some(dir)),
        quiz::Ask::RecvReturns { side, .. } | quiz::Ask::SendBlocks { side, .. } => {
            (Some(side), None)
        }
    };
    let dir = dir.map(crate::tcp::Direction::name);
    json!({
        "t": tl.secs(ev.at),
        "kind": "question",
        "before": q.before,
        "ask": q.ask.kind(),
        "side": side.map(Side::name),
        "dir": dir,
        "text": quiz::text::prompt(q),
        "choices": q.choices.iter().map(quiz::text::answer).collect::<Vec<_>>(),
        "answer": quiz::text::answer(&q.answer),
        "value": quiz::text::value(&q.answer),
        "answer_key": q.answer_key(),
    })
}

/// The `socket` lines: walks the timeline once and says, after each event, which sockets' derived
/// state or queues changed (issue 10: "so tests, graders and scripts read exactly what the
/// screen shows").
pub struct SocketLines<'a> {
    index: &'a PlaybackIndex,
    ps: PlayState,
    /// The sockets to follow and the connection each is an end of (`None`: by address).
    sockets: Vec<(SocketInfo, Option<ConnId>)>,
    per_connection: bool,
    last: std::collections::HashMap<SocketId, Headline>,
}

impl<'a> SocketLines<'a> {
    pub fn new(index: &'a PlaybackIndex, per_connection: bool) -> Self {
        let sockets = if per_connection {
            index
                .connections()
                .iter()
                .enumerate()
                .flat_map(|(k, (conn, client, server))| {
                    let k = k as u32;
                    let end = |id, side, local, remote| {
                        SocketInfo::inferred_end(SocketId(id), side, local, remote)
                    };
                    [
                        (end(2 * k + 1, Side::Client, *client, *server), Some(*conn)),
                        (end(2 * k + 2, Side::Server, *server, *client), Some(*conn)),
                    ]
                })
                .collect::<Vec<_>>()
        } else {
            index.sockets().iter().map(|s| (s.clone(), None)).collect()
        };
        let mut sockets = sockets;
        // Stable: a connection's client stays before its server.
        sockets.sort_by_key(|(_, c)| *c);
        SocketLines {
            index,
            ps: PlayState::default(),
            sockets,
            per_connection,
            last: Default::default(),
        }
    }

    /// The lines event `i` causes (call in order, every event once).
    pub fn after(&mut self, tl: &Timeline, i: usize, ev: &Event) -> Vec<Value> {
        self.ps.step(i, ev);
        // A capture's endpoints change only with their own connection's segments (the
        // sockets are in connection order, two per connection).
        let (range, touched) = match &ev.kind {
            EventKind::Segment(s) if self.per_connection => {
                let k = self.sockets.partition_point(|(_, c)| *c < Some(s.conn));
                (k..(k + 2).min(self.sockets.len()), Some(s.conn))
            }
            _ if self.per_connection => return Vec::new(),
            _ => (0..self.sockets.len(), None),
        };
        let mut lines = Vec::new();
        for (s, conn) in &self.sockets[range] {
            if touched.is_some() && *conn != touched {
                continue;
            }
            if !s.inferred && s.born > i {
                continue;
            }
            let t = match conn {
                Some(c) => self.index.truth_in(tl.events(), &self.ps, s, Some(*c)),
                None => self.index.truth(tl.events(), &self.ps, s),
            };
            let head = t.headline();
            if self.last.get(&s.id) == Some(&head) {
                continue;
            }
            self.last.insert(s.id, head);
            lines.push(socket_json(tl, i, ev, s, &t));
        }
        lines
    }
}

/// One `socket` line: what the panel for `s` shows after event `i`.
pub fn socket_json(tl: &Timeline, i: usize, ev: &Event, s: &SocketInfo, t: &SocketTruth) -> Value {
    let mut obj = Map::new();
    obj.insert("t".into(), json!(tl.secs(ev.at)));
    obj.insert("kind".into(), json!("socket"));
    obj.insert("after".into(), json!(i));
    obj.insert("side".into(), json!(s.side.name()));
    obj.insert("sock".into(), json!(s.id.0));
    obj.insert("state".into(), json!(t.state.name()));
    obj.insert("fd_open".into(), json!(t.fd_open));
    obj.insert("unsent".into(), json!(t.unsent));
    obj.insert("unacked".into(), json!(t.unacked));
    if t.inferred {
        obj.insert("recv_q".into(), Value::Null);
    } else {
        obj.insert("recv_q".into(), json!(t.recv_q));
    }
    obj.insert("window".into(), json!(t.window));
    if t.out_of_order > 0 {
        obj.insert("out_of_order".into(), json!(t.out_of_order));
    }
    if let Some(q) = t.accept_queue {
        obj.insert("accept_queue".into(), json!(q.established));
        obj.insert("syn_received".into(), json!(q.syn_received));
    }
    if t.derived != t.state || t.probe_disagrees {
        obj.insert("derived".into(), json!(t.derived.name()));
        obj.insert("probe_disagrees".into(), json!(t.probe_disagrees));
    }
    if t.inferred {
        obj.insert("inferred".into(), json!(true));
    }
    Value::Object(obj)
}

pub use super::transcript::{Transcript, write_transcript};
