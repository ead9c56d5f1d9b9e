//! Lab events ↔ stored records: the timeline's types hold typed calls and parsed addresses;
//! records hold plain strings (a call's Python name and arguments, an accepted peer's address in
//! `data`), so a file from another sockviz version still reads. The strings are parsed here,
//! once, into a [`Call`].

use crate::capture::Timestamp;
use crate::tcp::TcpState;
use crate::timeline::{
    AcceptQueue, ByteRange, Call, CallEvent, Errno, Family, Flow, ProbeEvent, SendProgress,
    Shutdown, Side, SockOpt, SocketId, SourceEvent, Waited,
};

use std::net::SocketAddr;

use super::format::{CallRecord, DecodeError, ProbeRecord, Record};

/// The record for a lab event; `None` for a frame (frames go on interface 0 as they are).
pub fn record_of(ev: &SourceEvent) -> Option<Record> {
    Some(match ev {
        SourceEvent::Call(c) => Record::Call(CallRecord {
            side: c.side.name().into(),
            sock: c.socket.0,
            call: c.call.name().into(),
            args: c.call.python(),
            len: c.len,
            ret: c.ret,
            errno: c.errno.map(|e| e.code),
            started: c.started.0,
            returned: c.returned.0,
            // The accepted peer's address travels in `data`, as sockviz has always written it.
            data: match &c.call {
                Call::Accept { peer: Some(p) } => {
                    hex(crate::timeline::call::py_addr(*p).as_bytes())
                }
                _ => hex(&c.data),
            },
            flow: c.flow.map(|f| (f.from.to_string(), f.to.to_string())),
            stream: c.stream.map(|r| (r.start, r.end)),
            progress: c
                .progress
                .iter()
                .map(|p| (p.at.0, p.done.0, p.upto))
                .collect(),
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
            ssthresh: p.ssthresh,
            in_flight: p.in_flight,
            accept_queue: p.accept_queue.map(|q| (q.len, q.backlog)),
        }),
        SourceEvent::Note { at, text } => Record::Note {
            at: at.0,
            text: text.clone(),
        },
        // A call's start is not recorded: the call's record carries its start.
        SourceEvent::Frame(_) | SourceEvent::LinkFrame { .. } | SourceEvent::CallStarted(_) => {
            return None;
        }
    })
}

/// The lab event a record stands for; `None` for the summary, which is not an event.
pub fn source_event(record: &Record) -> Result<Option<SourceEvent>, DecodeError> {
    let bad = |what: &str| DecodeError::Damaged(what.to_string());
    Ok(Some(match record {
        Record::Call(c) => {
            let mut data =
                unhex(&c.data).ok_or_else(|| bad(crate::i18n::t("wire.record.call_not_hex")))?;
            let call = call_of(c, &mut data);
            SourceEvent::Call(CallEvent {
                side: side(&c.side)
                    .ok_or_else(|| bad(crate::i18n::t("wire.record.unknown_side")))?,
                socket: SocketId(c.sock),
                call,
                len: c.len,
                ret: c.ret,
                errno: c.errno.map(|code| Errno {
                    code,
                    name: crate::lab::sys::errno_name(code),
                }),
                started: Timestamp(c.started),
                returned: Timestamp(c.returned),
                data,
                flow: match &c.flow {
                    Some((from, to)) => Some(Flow {
                        from: from
                            .parse()
                            .map_err(|_| bad(crate::i18n::t("wire.record.flow_address")))?,
                        to: to
                            .parse()
                            .map_err(|_| bad(crate::i18n::t("wire.record.flow_address")))?,
                    }),
                    None => None,
                },
                stream: c.stream.map(|(start, end)| ByteRange { start, end }),
                progress: c
                    .progress
                    .iter()
                    .map(|&(at, done, upto)| SendProgress {
                        at: Timestamp(at),
                        done: Timestamp(done),
                        upto,
                    })
                    .collect(),
            })
        }
        Record::Probe(p) => SourceEvent::Probe {
            at: Timestamp(p.at),
            probe: ProbeEvent {
                side: side(&p.side)
                    .ok_or_else(|| bad(crate::i18n::t("wire.record.unknown_side")))?,
                socket: SocketId(p.sock),
                state: p.state.as_deref().and_then(TcpState::from_name),
                recv_q: p.recv_q,
                send_q: p.send_q,
                unsent: p.unsent,
                sndbuf: p.sndbuf,
                rcvbuf: p.rcvbuf,
                rtt_us: p.rtt_us,
                cwnd: p.cwnd,
                ssthresh: p.ssthresh,
                in_flight: p.in_flight,
                accept_queue: p
                    .accept_queue
                    .map(|(len, backlog)| AcceptQueue { len, backlog }),
            },
        },
        Record::Note { at, text } => SourceEvent::Note {
            at: Timestamp(*at),
            text: text.clone(),
        },
        Record::Summary(_) | Record::CapturePoint { .. } => return Ok(None),
    }))
}

fn side(name: &str) -> Option<Side> {
    [Side::Client, Side::Server, Side::Listener]
        .into_iter()
        .find(|s| s.name() == name)
}

/// The typed call a stored record names: the one place a call's name and Python-formatted
/// arguments are read as text. An accept's peer address comes out of `data` (which then holds
/// no bytes); a call or argument this sockviz cannot read stays [`Call::Other`], shown as written.
pub fn call_of(c: &CallRecord, data: &mut Vec<u8>) -> Call {
    parse_call(&c.call, &c.args, c.len, data)
}

/// `call_of` over the stored fields: a call's Python name and arguments, the bytes it handed
/// over (`len`) and its `data`.
pub fn parse_call(name: &str, args: &str, len: Option<u64>, data: &mut Vec<u8>) -> Call {
    let typed = match name {
        // Files from before AF_INET6 was told apart wrote `AF_INET, SOCK_STREAM` for both.
        "socket" => Some(Call::Socket(if args.trim_start().starts_with("AF_INET6") {
            Family::Inet6
        } else {
            Family::Inet
        })),
        "bind" => parse_py_addr(args).map(|addr| Call::Bind { addr }),
        "connect" => parse_py_addr(args).map(|addr| Call::Connect { addr }),
        "listen" => args
            .trim()
            .parse()
            .ok()
            .map(|backlog| Call::Listen { backlog }),
        "accept" => {
            let peer = std::str::from_utf8(data).ok().and_then(parse_py_addr);
            if peer.is_some() {
                data.clear();
            }
            Some(Call::Accept { peer })
        }
        name @ ("send" | "sendall") => Some(Call::Send {
            len: args
                .strip_prefix('<')
                .and_then(|a| a.strip_suffix(" bytes>"))
                .and_then(|n| n.parse().ok())
                .or(len)
                .unwrap_or(0),
            all: name == "sendall",
        }),
        "recv" => args
            .trim()
            .parse()
            .ok()
            .map(|bufsize| Call::Recv { bufsize }),
        "shutdown" => Shutdown::from_name(args.trim()).map(Call::Shutdown),
        "close" => Some(Call::Close),
        "setblocking" => match args.trim() {
            "True" => Some(Call::SetBlocking(true)),
            "False" => Some(Call::SetBlocking(false)),
            _ => None,
        },
        "setsockopt" => sockopt_of(args).map(Call::SetSockOpt),
        "getsockopt" => args.split_once(',').map(|(level, name)| Call::GetSockOpt {
            level: level.trim().to_string(),
            name: name.trim().to_string(),
        }),
        // Older files: `timeout 100 ms`, or nothing for no timeout.
        "poll" => {
            let ms = args
                .trim()
                .trim_start_matches("timeout ")
                .trim_end_matches(" ms");
            match ms {
                "" => Some(Call::Poll { timeout_ms: None }),
                ms => ms.parse().ok().map(|t| Call::Poll {
                    timeout_ms: Some(t),
                }),
            }
        }
        // `[s], [], [], 0.3`; older files wrote nothing (the lists unknown).
        "select" => {
            let mut lists = args.split(']').map(|l| l.contains('s'));
            let timeout = args.rsplit_once(']').map_or("", |(_, t)| t);
            let timeout_ms = match timeout.trim_start_matches(',').trim() {
                "" => Some(None),
                secs => secs
                    .parse::<f64>()
                    .ok()
                    .map(|s| Some((s * 1000.0).round() as i64)),
            };
            timeout_ms.map(|timeout_ms| {
                Call::Select(Waited {
                    read: lists.next().unwrap_or(false),
                    write: lists.next().unwrap_or(false),
                    timeout_ms,
                })
            })
        }
        "exit" => args
            .trim()
            .strip_prefix("fd ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|fd| fd.parse().ok())
            .map(|fd| Call::Exit { fd }),
        _ => None,
    };
    typed.unwrap_or_else(|| Call::Other {
        name: name.to_string(),
        args: args.to_string(),
    })
}

/// `SOL_SOCKET, SO_LINGER, (1, 0)` → `SockOpt::Linger(Some(0))`.
fn sockopt_of(args: &str) -> Option<SockOpt> {
    let mut parts = args.splitn(3, ',').map(str::trim);
    let (_level, name, value) = (parts.next()?, parts.next()?, parts.next()?);
    let int = || value.parse::<i32>().ok();
    Some(match name {
        "SO_RCVBUF" => SockOpt::RcvBuf(int()?),
        "SO_SNDBUF" => SockOpt::SndBuf(int()?),
        "TCP_NODELAY" => SockOpt::NoDelay(int()? != 0),
        "SO_REUSEADDR" => SockOpt::ReuseAddr(int()? != 0),
        "TCP_QUICKACK" => SockOpt::QuickAck(int()? != 0),
        "TCP_SYNCNT" => SockOpt::SynCnt(int()?),
        "SO_LINGER" => {
            let inner = value.strip_prefix('(')?.strip_suffix(')')?;
            let (on, secs) = inner.split_once(',')?;
            match on.trim() {
                "0" => SockOpt::Linger(None),
                _ => SockOpt::Linger(Some(secs.trim().parse().ok()?)),
            }
        }
        _ => return None,
    })
}

/// `('127.0.0.1', 7)` → 127.0.0.1:7, as the lab writes addresses in call arguments.
fn parse_py_addr(text: &str) -> Option<SocketAddr> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    let (host, port) = inner.rsplit_once(',')?;
    let host = host.trim().trim_matches('\'');
    let port: u16 = port.trim().parse().ok()?;
    // An IPv6 host has colons of its own: parse it alone, not as `host:port`.
    let ip: std::net::IpAddr = host.parse().ok()?;
    Some(SocketAddr::new(ip, port))
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
    fn python_addresses_parse() {
        assert_eq!(
            parse_py_addr("('127.0.0.1', 7)"),
            Some("127.0.0.1:7".parse().expect("literal"))
        );
        assert_eq!(parse_py_addr("SHUT_WR"), None);
    }

    #[test]
    fn run_calls_read_back_from_their_python_form() {
        let addr = "[::1]:7".parse().expect("literal");
        for call in [
            Call::Socket(Family::Inet),
            Call::Socket(Family::Inet6),
            Call::Connect { addr },
            Call::GetSockOpt {
                level: "SOL_SOCKET".into(),
                name: "SO_RCVBUF".into(),
            },
            Call::Poll { timeout_ms: None },
            Call::Poll {
                timeout_ms: Some(100),
            },
            Call::Select(Waited {
                read: true,
                write: false,
                timeout_ms: Some(300),
            }),
            Call::Select(Waited {
                read: false,
                write: true,
                timeout_ms: None,
            }),
            Call::Select(Waited {
                read: true,
                write: true,
                timeout_ms: Some(2000),
            }),
            Call::Exit { fd: 3 },
        ] {
            let back = parse_call(call.name(), &call.python(), None, &mut Vec::new());
            assert_eq!(back, call, "{call}");
        }
    }

    #[test]
    fn older_run_recordings_still_read() {
        let read = |name: &str, args: &str| parse_call(name, args, None, &mut Vec::new());
        assert_eq!(
            read("socket", "AF_INET, SOCK_STREAM"),
            Call::Socket(Family::Inet)
        );
        assert_eq!(read("socket", ""), Call::Socket(Family::Inet));
        assert_eq!(
            read("poll", "timeout 250 ms"),
            Call::Poll {
                timeout_ms: Some(250)
            }
        );
        assert_eq!(
            read("select", ""),
            Call::Select(Waited {
                read: false,
                write: false,
                timeout_ms: None,
            })
        );
        assert_eq!(
            read("exit", "fd 4 closed by the kernel"),
            Call::Exit { fd: 4 }
        );
        assert!(read("exit", "fd 4 closed by the kernel").closes_fd());
    }

    #[test]
    fn every_sockopt_reads_back_from_its_python_form() {
        for opt in [
            SockOpt::RcvBuf(4096),
            SockOpt::SndBuf(8192),
            SockOpt::NoDelay(true),
            SockOpt::Linger(None),
            SockOpt::Linger(Some(0)),
            SockOpt::ReuseAddr(true),
            SockOpt::QuickAck(false),
            SockOpt::SynCnt(2),
        ] {
            assert_eq!(sockopt_of(&opt.python()), Some(opt));
        }
    }
}
