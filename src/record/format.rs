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

use crate::capture::LinkType;

pub use super::convert::{record_of, source_event};

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
    /// Over a link: frames on interface `iface` were captured at this point (`client` or
    /// `server`), written before the interface's first packet.
    CapturePoint {
        at: i64,
        iface: u32,
        point: String,
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
    /// A send the kernel took in pieces: (when each piece's `send(2)` began and returned, in
    /// ns; the stream offset accepted up to). Absent when it took everything at once, and in
    /// files written before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<(i64, i64, u64)>,
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
    /// Absent in recordings made before the link (issue 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssthresh: Option<u32>,
    #[serde(default)]
    pub in_flight: u32,
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
    #[error("{}", crate::i18n::t("err.record.not_event"))]
    NotAnEvent,
    #[error("{}", crate::tr!("err.record.newer", version = .0, ours = VERSION))]
    NewerVersion(u16),
    #[error("{}", crate::tr!("err.record.damaged", reason = .0))]
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

/// The human line Wireshark shows as the packet comment.
pub fn comment(record: &Record) -> String {
    match record {
        Record::Call(c) => {
            let result = match (c.errno, c.ret) {
                (Some(code), _) => format!(" -> {}", crate::lab::sys::errno_name(code)),
                (None, Some(r)) if super::convert::call_of(c, &mut Vec::new()).reads() => {
                    format!(" -> {r} bytes")
                }
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
        Record::CapturePoint { iface, point, .. } => {
            format!("interface {iface}: captured at the {point} host")
        }
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
        Record::Call(c) => {
            if super::convert::call_of(c, &mut Vec::new()).waits_for_peer() {
                c.returned
            } else {
                c.started
            }
        }
        Record::Probe(p) => p.at,
        Record::Note { at, .. } | Record::CapturePoint { at, .. } => *at,
        Record::Summary(s) => s.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;
    use crate::timeline::{ByteRange, CallEvent, Flow, Side, SocketId, SourceEvent};

    #[test]
    fn a_call_survives_encoding() {
        let call = SourceEvent::Call(CallEvent {
            side: Side::Client,
            socket: SocketId(2),
            call: crate::timeline::Call::Recv { bufsize: 1024 },
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
            progress: Vec::new(),
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
