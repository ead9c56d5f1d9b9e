//! Lab events ↔ stored records: the timeline's types hold `&'static str` names and parsed
//! addresses; records hold plain strings, so a file from another sockviz version still reads.

use crate::capture::Timestamp;
use crate::tcp::TcpState;
use crate::timeline::{
    AcceptQueue, ByteRange, CallEvent, Errno, Flow, ProbeEvent, Side, SocketId, SourceEvent,
};

use super::format::{CallRecord, DecodeError, ProbeRecord, Record};

/// The record for a lab event; `None` for a frame (frames go on interface 0 as they are).
pub fn record_of(ev: &SourceEvent) -> Option<Record> {
    Some(match ev {
        SourceEvent::Call(c) => Record::Call(CallRecord {
            side: c.side.name().into(),
            sock: c.socket.0,
            call: c.call.into(),
            args: c.args.clone(),
            len: c.len,
            ret: c.ret,
            errno: c.errno.map(|e| e.code),
            started: c.started.0,
            returned: c.returned.0,
            data: hex(&c.data),
            flow: c.flow.map(|f| (f.from.to_string(), f.to.to_string())),
            stream: c.stream.map(|r| (r.start, r.end)),
        }),
        SourceEvent::Probe { at, probe: p } => Record::Probe(ProbeRecord {
            at: at.0,
            side: p.side.name().into(),
            sock: p.socket.0,
            state: p.state.map(|s| s.name().to_string()),
            recv_q: p.recv_q,
            send_q: p.send_q,
            unsent: p.unsent,
            sndbuf: p.sndbuf,
            rcvbuf: p.rcvbuf,
            rtt_us: p.rtt_us,
            cwnd: p.cwnd,
            accept_queue: p.accept_queue.map(|q| (q.len, q.backlog)),
        }),
        SourceEvent::Note { at, text } => Record::Note {
            at: at.0,
            text: text.clone(),
        },
        SourceEvent::Frame(_) => return None,
    })
}

/// The lab event a record stands for; `None` for the summary, which is not an event.
pub fn source_event(record: &Record) -> Result<Option<SourceEvent>, DecodeError> {
    let bad = |what: &str| DecodeError::Damaged(what.to_string());
    Ok(Some(match record {
        Record::Call(c) => SourceEvent::Call(CallEvent {
            side: side(&c.side).ok_or_else(|| bad("unknown side"))?,
            socket: SocketId(c.sock),
            call: call_name(&c.call),
            args: c.args.clone(),
            len: c.len,
            ret: c.ret,
            errno: c.errno.map(|code| Errno {
                code,
                name: crate::lab::sys::errno_name(code),
            }),
            started: Timestamp(c.started),
            returned: Timestamp(c.returned),
            data: unhex(&c.data).ok_or_else(|| bad("call data is not hex"))?,
            flow: match &c.flow {
                Some((from, to)) => Some(Flow {
                    from: from.parse().map_err(|_| bad("flow address"))?,
                    to: to.parse().map_err(|_| bad("flow address"))?,
                }),
                None => None,
            },
            stream: c.stream.map(|(start, end)| ByteRange { start, end }),
        }),
        Record::Probe(p) => SourceEvent::Probe {
            at: Timestamp(p.at),
            probe: ProbeEvent {
                side: side(&p.side).ok_or_else(|| bad("unknown side"))?,
                socket: SocketId(p.sock),
                state: p.state.as_deref().and_then(TcpState::from_name),
                recv_q: p.recv_q,
                send_q: p.send_q,
                unsent: p.unsent,
                sndbuf: p.sndbuf,
                rcvbuf: p.rcvbuf,
                rtt_us: p.rtt_us,
                cwnd: p.cwnd,
                accept_queue: p
                    .accept_queue
                    .map(|(len, backlog)| AcceptQueue { len, backlog }),
            },
        },
        Record::Note { at, text } => SourceEvent::Note {
            at: Timestamp(*at),
            text: text.clone(),
        },
        Record::Summary(_) => return Ok(None),
    }))
}

fn side(name: &str) -> Option<Side> {
    [Side::Client, Side::Server, Side::Listener]
        .into_iter()
        .find(|s| s.name() == name)
}

/// The socket calls the lab makes (`CallEvent::call` is a `&'static str`); a name from a newer
/// sockviz reads as `?` rather than failing the whole file.
const CALLS: [&str; 12] = [
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "send",
    "sendall",
    "recv",
    "shutdown",
    "close",
    "setblocking",
    "setsockopt",
];

fn call_name(name: &str) -> &'static str {
    CALLS.into_iter().find(|c| *c == name).unwrap_or("?")
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
