//! Timelines for the UI tests, from real traffic: the lab run by the real binary
//! (`sockviz lab --scenario X --headless --json`, parsed back into events) and the checked-in
//! captures in `tests/data` (loaded the way `sockviz replay` loads them).

#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use ratatui::buffer::Buffer;
use serde_json::Value;
use sockviz::capture::Timestamp;
use sockviz::tcp::{Analysis, ConnId, Direction, RelSeq, TcpState};
use sockviz::timeline::{
    AcceptQueue, ByteRange, Call, CallEvent, CapturePoint, Errno, Event, EventKind, Flow,
    ProbeEvent, SegmentEvent, Side, Sighting, SocketId, Timeline,
};
use sockviz::wire::TcpFlags;

pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// Run the lab scenario with the real binary and read its JSON lines.
pub fn lab_json(scenario: &str) -> Vec<Value> {
    lab_json_with(scenario, &[])
}

/// The same, with more arguments (`--link ...`).
pub fn lab_json_with(scenario: &str, extra: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .args(["lab", "--scenario", scenario, "--headless", "--json"])
        .args(extra)
        .output()
        .expect("run sockviz lab");
    assert!(
        out.status.success(),
        "sockviz lab --scenario {scenario} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn flags(text: &str) -> TcpFlags {
    let mut bits = 0;
    for name in text.split(',') {
        bits |= match name {
            "FIN" => TcpFlags::FIN,
            "SYN" => TcpFlags::SYN,
            "RST" => TcpFlags::RST,
            "PSH" => TcpFlags::PSH,
            "ACK" => TcpFlags::ACK,
            "URG" => TcpFlags::URG,
            "ECE" => TcpFlags::ECE,
            _ => 0,
        };
    }
    TcpFlags(bits)
}

fn side(name: &str) -> Side {
    match name {
        "client" => Side::Client,
        "server" => Side::Server,
        _ => Side::Listener,
    }
}

fn ts(v: &Value) -> Timestamp {
    Timestamp((v.as_f64().unwrap_or(0.0) * 1e9) as i64)
}

fn u32_of(v: &Value, k: &str) -> u32 {
    v[k].as_u64().unwrap_or(0) as u32
}

fn range(v: &Value) -> Option<ByteRange> {
    let a = v.get(0)?.as_u64()?;
    let b = v.get(1)?.as_u64()?;
    Some(ByteRange { start: a, end: b })
}

fn hex_bytes(text: &str) -> Vec<u8> {
    text.split(' ')
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect()
}

/// Over a link, where and when a segment line says it was seen (`seen`, `seen_t`), first
/// sighting first.
fn sightings(l: &Value) -> Vec<Sighting> {
    let Some(points) = l.get("seen").and_then(Value::as_array) else {
        return Vec::new();
    };
    points
        .iter()
        .filter_map(|p| {
            let name = p.as_str()?;
            let point = match name {
                "client" => CapturePoint::Client,
                _ => CapturePoint::Server,
            };
            Some(Sighting {
                point,
                at: ts(l.get("seen_t")?.get(name)?),
            })
        })
        .collect()
}

/// The lab's JSON lines back into a timeline (what the TUI would have had live). Payloads the
/// JSON leaves out (long sends) are rebuilt from the send data where it is known.
pub fn lab_timeline(scenario: &str) -> Timeline {
    lab_timeline_with(scenario, &[])
}

/// The same, with more arguments (`--link ...`).
pub fn lab_timeline_with(scenario: &str, extra: &[&str]) -> Timeline {
    let lines = lab_json_with(scenario, extra);
    let mut tl = Timeline::new(Timestamp(0));
    let by_i: BTreeMap<u64, &Value> = lines
        .iter()
        .filter_map(|l| Some((l["i"].as_u64()?, l)))
        .collect();
    let mut conns: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    let mut stream_data: BTreeMap<(SocketAddr, SocketAddr), Vec<u8>> = BTreeMap::new();
    let mut last_at = Timestamp(0);
    let mut events = Vec::new();
    for l in by_i.values() {
        let at = ts(&l["t"]).max(last_at);
        last_at = at;
        let kind = match l["kind"].as_str().unwrap_or("") {
            "call" => {
                let mut data = match l.get("data").and_then(Value::as_str) {
                    Some(text) => text.as_bytes().to_vec(),
                    None => l
                        .get("hex")
                        .and_then(Value::as_str)
                        .map(hex_bytes)
                        .unwrap_or_default(),
                };
                let flow = l
                    .get("segments")
                    .and_then(|s| s.get(0))
                    .and_then(Value::as_u64)
                    .and_then(|i| by_i.get(&i))
                    .and_then(|seg| {
                        Some(Flow {
                            from: seg["src"].as_str()?.parse().ok()?,
                            to: seg["dst"].as_str()?.parse().ok()?,
                        })
                    });
                let call = sockviz::record::parse_call(
                    l["call"].as_str().unwrap_or(""),
                    l["args"].as_str().unwrap_or(""),
                    l["len"].as_u64(),
                    &mut data,
                );
                let errno = l.get("errno").and_then(Value::as_str).map(|n| Errno {
                    code: l["errno_code"].as_i64().unwrap_or(0) as i32,
                    name: Box::leak(n.to_string().into_boxed_str()),
                });
                let stream = l.get("stream").and_then(range);
                if let (Some(f), Some(r), Call::Send { .. }) = (flow, stream, &call) {
                    let buf = stream_data.entry((f.from, f.to)).or_default();
                    if buf.len() as u64 == r.start && data.len() as u64 == r.len() {
                        buf.extend_from_slice(&data);
                    }
                }
                EventKind::Call(CallEvent {
                    side: side(l["side"].as_str().unwrap_or("")),
                    socket: SocketId(u32_of(l, "sock")),
                    call,
                    len: l["len"].as_u64(),
                    ret: l.get("ret").and_then(Value::as_i64),
                    errno,
                    started: ts(&l["t_start"]),
                    returned: ts(&l["t_end"]),
                    data,
                    flow,
                    stream,
                    progress: Vec::new(),
                })
            }
            "segment" => {
                let src: SocketAddr = l["src"].as_str().expect("src").parse().expect("addr");
                let dst: SocketAddr = l["dst"].as_str().expect("dst").parse().expect("addr");
                let key = if conns.contains(&(src, dst)) || !conns.contains(&(dst, src)) {
                    (src, dst)
                } else {
                    (dst, src)
                };
                if !conns.contains(&key) {
                    conns.push(key);
                }
                let conn = ConnId(conns.iter().position(|c| *c == key).unwrap_or(0) as u32);
                let dir = if l["dir"] == "c2s" {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                EventKind::Segment(SegmentEvent {
                    number: l["n"].as_u64().unwrap_or(0),
                    src,
                    dst,
                    conn,
                    dir,
                    flags: flags(l["flags"].as_str().unwrap_or("")),
                    rel_seq: RelSeq(u32_of(l, "seq")),
                    rel_ack: flags(l["flags"].as_str().unwrap_or(""))
                        .ack()
                        .then(|| RelSeq(u32_of(l, "ack"))),
                    len: u32_of(l, "len"),
                    window: u32_of(l, "win"),
                    analysis: Analysis(l["analysis"].as_u64().unwrap_or(0) as u16),
                    client_state: TcpState::from_name(l["client_state"].as_str().unwrap_or(""))
                        .unwrap_or_default(),
                    server_state: TcpState::from_name(l["server_state"].as_str().unwrap_or(""))
                        .unwrap_or_default(),
                    payload: Vec::new(),
                    frame_len: 0,
                    seen: sightings(l),
                    lost: l["lost"].as_bool().unwrap_or(false),
                    sack: Vec::new(),
                })
            }
            "probe" => {
                let accept_queue =
                    l.get("accept_queue")
                        .and_then(Value::as_u64)
                        .map(|q| AcceptQueue {
                            len: q as u32,
                            backlog: u32_of(l, "backlog"),
                        });
                EventKind::Probe(ProbeEvent {
                    side: side(l["side"].as_str().unwrap_or("")),
                    socket: SocketId(u32_of(l, "sock")),
                    state: l["state"].as_str().and_then(TcpState::from_name),
                    recv_q: u32_of(l, "recv_q"),
                    send_q: u32_of(l, "send_q"),
                    unsent: u32_of(l, "unsent"),
                    sndbuf: u32_of(l, "sndbuf"),
                    rcvbuf: u32_of(l, "rcvbuf"),
                    rtt_us: u32_of(l, "rtt_us"),
                    cwnd: u32_of(l, "cwnd"),
                    ssthresh: l["ssthresh"].as_u64().map(|v| v as u32),
                    in_flight: u32_of(l, "in_flight"),
                    accept_queue,
                })
            }
            "note" => EventKind::Note(l["text"].as_str().unwrap_or("").to_string()),
            _ => continue,
        };
        events.push(Event { at, kind });
    }
    // Calls whose bytes no captured segment carried (the capture may drop under load) take
    // their socket's flow from its other calls of the same kind.
    let mut flows: BTreeMap<(u32, bool), Flow> = BTreeMap::new();
    for ev in &events {
        if let EventKind::Call(c) = &ev.kind
            && let Some(f) = c.flow
        {
            flows.insert((c.socket.0, c.call.reads()), f);
        }
    }
    for ev in &mut events {
        if let EventKind::Call(c) = &mut ev.kind
            && c.flow.is_none()
            && c.stream.is_some()
        {
            c.flow = flows.get(&(c.socket.0, c.call.reads())).copied();
        }
    }
    // Segment payloads: the bytes their sends wrote (the JSON keeps only lengths).
    for ev in &mut events {
        if let EventKind::Segment(s) = &mut ev.kind
            && let Some(r) = s.stream()
            && let Some(bytes) = stream_data.get(&(s.src, s.dst))
            && r.end as usize <= bytes.len()
        {
            s.payload = bytes[r.start as usize..r.end as usize].to_vec();
        }
    }
    for ev in events {
        tl.push_event(ev);
    }
    tl
}

/// The buffer's rows as strings (wide characters once, their trailing cell skipped).
pub fn rows(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                line.push_str(sym);
            }
            line
        })
        .collect()
}

pub fn screen(buf: &Buffer) -> String {
    rows(buf).join("\n")
}

/// A paused lab app showing `tl` (the echo scenario's label) at `w`×`h`, attached to no lab.
pub fn lab_app(tl: Timeline, w: u16, h: u16) -> sockviz::ui::App {
    let mut app = sockviz::ui::App::new(
        tl,
        sockviz::ui::app::SourceLabel::Lab {
            scenario: "echo".into(),
            capture: "namespace".into(),
        },
        sockviz::ui::Theme::new(sockviz::ui::ThemeName::Dark),
    );
    app.lab.attached = true;
    app.playback.playing = false;
    app.size = (w, h);
    app
}
