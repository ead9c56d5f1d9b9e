//! The sockviz recording format: a pcapng file (draft-ietf-opsawg-pcapng) that any capture tool
//! opens, with the lab's socket calls, probes and notes on a second interface.
//!
//! - Interface 0: the captured frames, exactly as libpcap handed them over (link type of the
//!   capture, Ethernet on the lab's `lo`), timestamps in nanoseconds (`if_tsresol` 9).
//! - Interface 1: [`EVENTS_LINK`] (`LINKTYPE_USER0`, 147), named [`EVENTS_IF_NAME`]. Each
//!   Enhanced Packet Block carries one lab event: [`MAGIC`], a little-endian `u16`
//!   [`VERSION`], two reserved zero bytes, then one UTF-8 JSON object ([`Record`]). Its
//!   `opt_comment` is the line a person reads in Wireshark (`client: recv(1024) -> 20 bytes`).
//!
//! Blocks are written in the order the lab's sources delivered them, which is the order
//! [`crate::timeline::Timeline::push`] saw them live; replaying them in file order rebuilds the
//! same timeline. `docs/recording-format.md` is the reader's guide to all of this.

use serde::{Deserialize, Serialize};

use crate::capture::{LinkType, Timestamp};
use crate::tcp::TcpState;
use crate::timeline::{
    AcceptQueue, ByteRange, CallEvent, Errno, Flow, ProbeEvent, Side, SocketId, SourceEvent,
};

/// `LINKTYPE_USER0`: reserved for private use (tcpdump.org link types), so no dissector
/// claims it; Wireshark shows the bytes and the comment.
pub const EVENTS_LINK: LinkType = LinkType(147);
/// The name of the events interface (`if_name`), which Wireshark's interface column shows.
pub const EVENTS_IF_NAME: &str = "sockviz-events";
/// The first four bytes of every event payload.
pub const MAGIC: [u8; 4] = *b"SVZE";
/// Version of the event encoding; a reader refuses records of a newer major version.
pub const VERSION: u16 = 1;
/// `MAGIC` + version + reserved.
pub const HEADER_LEN: usize = 8;

/// Which program wrote the file (`shb_userappl`).
pub fn user_appl() -> String {
    format!("sockviz {}", env!("CARGO_PKG_VERSION"))
}

/// One lab fact as stored on the events interface. Times are nanoseconds since the epoch, the
/// same clock the capture's frames use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Call(CallRecord),
    Probe(ProbeRecord),
    Note {
        at: i64,
        text: String,
    },
    /// The lab's closing line, written last: what ran and whether the capture was real. A
    /// recording cut short has none, and the reader says so.
    Summary(SummaryRecord),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub side: String,
    pub sock: u32,
    pub call: String,
    pub args: String,
    pub len: Option<u64>,
    pub ret: Option<i64>,
    pub errno: Option<i32>,
    pub started: i64,
    pub returned: i64,
    /// The bytes moved, as hex (JSON has no byte strings; a lab moves kilobytes at most).
    pub data: String,
    pub flow: Option<(String, String)>,
    pub stream: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    pub at: i64,
    pub side: String,
    pub sock: u32,
    pub state: Option<String>,
    pub recv_q: u32,
    pub send_q: u32,
    pub unsent: u32,
    pub sndbuf: u32,
    pub rcvbuf: u32,
    pub rtt_us: u32,
    pub cwnd: u32,
    pub accept_queue: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    pub at: i64,
    pub started: i64,
    pub scenario: String,
    pub capture: String,
    pub server: String,
    pub mtu: Option<u32>,
    pub failure: Option<String>,
    pub dropped: u32,
}

/// Why an event record could not be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a sockviz event (no SVZE header)")]
    NotAnEvent,
    #[error(
        "event encoding version {0} is newer than this sockviz reads ({VERSION}); update sockviz"
    )]
    NewerVersion(u16),
    #[error("damaged event record: {0}")]
    Damaged(String),
}

/// The payload of one events-interface packet.
pub fn encode(record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    // Serialising plain data (strings, numbers, options) into a Vec cannot fail.
    serde_json::to_writer(&mut out, record).expect("a Record serialises to JSON");
    out
}

pub fn decode(payload: &[u8]) -> Result<Record, DecodeError> {
    if payload.len() < HEADER_LEN || payload[..4] != MAGIC {
        return Err(DecodeError::NotAnEvent);
    }
    let version = u16::from_le_bytes([payload[4], payload[5]]);
    if version > VERSION {
        return Err(DecodeError::NewerVersion(version));
    }
    serde_json::from_slice(&payload[HEADER_LEN..]).map_err(|e| DecodeError::Damaged(e.to_string()))
}

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
                state: p.state.as_deref().and_then(state_named),
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

/// The human line Wireshark shows as the packet comment.
pub fn comment(record: &Record) -> String {
    match record {
        Record::Call(c) => {
            let result = match (c.errno, c.ret) {
                (Some(code), _) => format!(" -> {}", crate::lab::sys::errno_name(code)),
                (None, Some(r)) if c.call == "recv" => format!(" -> {r} bytes"),
                (None, Some(r)) => format!(" -> {r}"),
                (None, None) => String::new(),
            };
            let blocked = (c.returned - c.started) as f64 / 1e6;
            let blocked = if blocked >= 1.0 {
                format!(" [blocked {blocked:.1} ms]")
            } else {
                String::new()
            };
            format!(
                "{}#{}: {}({}){result}{blocked}",
                c.side, c.sock, c.call, c.args
            )
        }
        Record::Probe(p) => format!(
            "{}#{}: probe {} recv_q={} send_q={} unsent={}",
            p.side,
            p.sock,
            p.state.as_deref().unwrap_or("?"),
            p.recv_q,
            p.send_q,
            p.unsent
        ),
        Record::Note { text, .. } => format!("note: {text}"),
        Record::Summary(s) => format!(
            "summary: scenario {} (capture: {}){}",
            s.scenario,
            s.capture,
            s.failure
                .as_deref()
                .map(|f| format!(", stopped early: {f}"))
                .unwrap_or_default()
        ),
    }
}

/// Where a record sits in time (the EPB timestamp): the same place the timeline puts it.
pub fn record_time(record: &Record) -> i64 {
    match record {
        Record::Call(c) => match c.call.as_str() {
            "recv" | "accept" | "connect" => c.returned,
            _ => c.started,
        },
        Record::Probe(p) => p.at,
        Record::Note { at, .. } => *at,
        Record::Summary(s) => s.at,
    }
}

fn side(name: &str) -> Option<Side> {
    [Side::Client, Side::Server, Side::Listener]
        .into_iter()
        .find(|s| s.name() == name)
}

const STATES: [TcpState; 11] = [
    TcpState::Closed,
    TcpState::Listen,
    TcpState::SynSent,
    TcpState::SynReceived,
    TcpState::Established,
    TcpState::FinWait1,
    TcpState::FinWait2,
    TcpState::CloseWait,
    TcpState::Closing,
    TcpState::LastAck,
    TcpState::TimeWait,
];

fn state_named(name: &str) -> Option<TcpState> {
    STATES.into_iter().find(|s| s.name() == name)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_survives_encoding() {
        let call = SourceEvent::Call(CallEvent {
            side: Side::Client,
            socket: SocketId(2),
            call: "recv",
            args: "1024".into(),
            len: Some(20),
            ret: Some(20),
            errno: None,
            started: Timestamp(1_000),
            returned: Timestamp(2_000),
            data: "Hello, 대한민국!".as_bytes().to_vec(),
            flow: Some(Flow {
                from: "127.0.0.1:7".parse().expect("literal"),
                to: "127.0.0.1:40000".parse().expect("literal"),
            }),
            stream: Some(ByteRange { start: 0, end: 20 }),
        });
        let rec = record_of(&call).expect("a call is a record");
        let back = decode(&encode(&rec)).expect("decodes");
        assert_eq!(source_event(&back), Ok(Some(call)));
        assert_eq!(comment(&rec), "client#2: recv(1024) -> 20 bytes");
    }

    #[test]
    fn foreign_and_newer_payloads_are_refused() {
        assert_eq!(decode(b"GET / HTTP/1.1"), Err(DecodeError::NotAnEvent));
        let mut p = encode(&Record::Note {
            at: 1,
            text: "x".into(),
        });
        p[4] = 9;
        assert_eq!(decode(&p), Err(DecodeError::NewerVersion(9)));
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever the events interface holds (a damaged file, another program's USER0
        /// packets), decoding answers and never panics.
        #[test]
        fn decoding_arbitrary_bytes_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut payload = MAGIC.to_vec();
            payload.extend_from_slice(&1u16.to_le_bytes());
            payload.extend_from_slice(&[0, 0]);
            payload.extend_from_slice(&tail);
            if let Ok(rec) = decode(&payload) {
                let _ = source_event(&rec);
                let _ = comment(&rec);
            }
            let _ = decode(&tail);
        }

        /// A note of any text round-trips.
        #[test]
        fn notes_round_trip(text in ".{0,80}", at in any::<i64>()) {
            let rec = Record::Note { at, text };
            prop_assert_eq!(decode(&encode(&rec)), Ok(rec));
        }
    }
}
