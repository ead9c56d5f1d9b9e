//! Shared helpers for the lab's integration tests: run the real binary, parse its JSON lines.
#![allow(dead_code)]

use std::process::{Command, Output};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

/// One `sockviz lab --headless --json` run: its events, its `socket` lines (the derived truth,
/// not events: they carry `after`, the event index they follow, instead of `i`) and its closing
/// summary line.
pub struct LabRun {
    pub events: Vec<Value>,
    pub sockets: Vec<Value>,
    pub summary: Value,
    pub stderr: String,
    pub status: std::process::ExitStatus,
}

pub fn parse(output: Output) -> LabRun {
    let stdout = String::from_utf8(output.stdout).expect("sockviz prints UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let summary = events
        .pop()
        .unwrap_or_else(|| panic!("no output; stderr: {stderr}"));
    assert_eq!(summary["kind"], "summary", "last line is the summary");
    let (sockets, events): (Vec<Value>, Vec<Value>) =
        events.into_iter().partition(|e| e["kind"] == "socket");
    LabRun {
        events,
        sockets,
        summary,
        stderr,
        status: output.status,
    }
}

/// Run a scenario headless as the current user.
pub fn run_scenario(name: &str, extra: &[&str]) -> LabRun {
    let out = Command::new(BIN)
        .args(["lab", "--scenario", name, "--headless", "--json"])
        .args(extra)
        .output()
        .expect("run sockviz");
    let run = parse(out);
    assert!(
        run.status.success(),
        "sockviz lab --scenario {name} failed: {}\n{}",
        run.stderr,
        run.summary
    );
    run
}

impl LabRun {
    pub fn kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |e| e["kind"] == kind)
    }

    pub fn segments(&self) -> Vec<&Value> {
        self.kind("segment").collect()
    }

    pub fn calls(&self, side: &str, call: &str) -> Vec<&Value> {
        self.kind("call")
            .filter(|e| e["side"] == side && e["call"] == call)
            .collect()
    }

    /// `dir:FLAGS` of every segment, in order: `c2s:SYN`, `s2c:SYN,ACK`, ...
    pub fn flag_trace(&self) -> Vec<String> {
        self.segments()
            .iter()
            .map(|s| {
                format!(
                    "{}:{}",
                    s["dir"].as_str().unwrap_or("?"),
                    s["flags"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }

    pub fn index(&self, e: &Value) -> u64 {
        e["i"].as_u64().expect("every event has an index")
    }

    /// The first segment matching `dir` and containing every flag of `flags`.
    pub fn first_segment(&self, dir: &str, flags: &[&str]) -> Option<&Value> {
        self.segments().into_iter().find(|s| {
            s["dir"] == dir && {
                let f: Vec<&str> = s["flags"].as_str().unwrap_or("").split(',').collect();
                flags.iter().all(|want| f.contains(want))
            }
        })
    }

    pub fn assert_namespace_capture(&self) {
        assert_eq!(
            self.summary["capture"], "namespace",
            "the lab captured in its private namespace; stderr: {}",
            self.stderr
        );
        assert_eq!(self.summary["dropped"], 0, "libpcap dropped nothing");
        assert_eq!(self.summary["undecodable"], 0, "every frame decoded");
    }

    /// The handshake opens the capture: SYN, SYN,ACK, ACK.
    pub fn assert_handshake(&self) {
        let trace = self.flag_trace();
        assert!(trace.len() >= 3, "a handshake was captured: {trace:?}");
        assert_eq!(
            trace[..3],
            ["c2s:SYN", "s2c:SYN,ACK", "c2s:ACK"],
            "{trace:?}"
        );
    }

    /// `t` never goes back, recvs come after the segments that carried their bytes, sends
    /// before the segments that carry theirs.
    pub fn assert_causal(&self) {
        let ts: Vec<f64> = self
            .events
            .iter()
            .map(|e| e["t"].as_f64().expect("t"))
            .collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "t is monotonic");
        for c in self.kind("call") {
            let i = self.index(c);
            for s in c["segments"].as_array().into_iter().flatten() {
                let s = s.as_u64().expect("segment index");
                match c["call"].as_str() {
                    Some("recv") => assert!(s < i, "recv {i} comes after its segment {s}"),
                    _ => assert!(s > i, "{} {i} comes before its segment {s}", c["call"]),
                }
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            assert_eq!(e["i"].as_u64(), Some(i as u64), "indices are line numbers");
        }
    }

    /// Every flow's recvs read exactly the bytes its sends wrote: same total, no gap, no overlap.
    pub fn assert_recvs_cover_sends(&self) {
        use std::collections::BTreeMap;
        let mut written: BTreeMap<(u64, String), u64> = BTreeMap::new();
        let mut read: BTreeMap<(u64, String), Vec<(u64, u64)>> = BTreeMap::new();
        for c in self.kind("call") {
            let Some(range) = c["stream"].as_array() else {
                continue;
            };
            let (a, b) = (
                range[0].as_u64().expect("start"),
                range[1].as_u64().expect("end"),
            );
            if a == b {
                continue;
            }
            let sock = c["sock"].as_u64().expect("sock");
            match c["call"].as_str() {
                Some("send") | Some("sendall") => {
                    *written.entry((sock, "w".into())).or_default() += b - a;
                }
                Some("recv") => read.entry((sock, "r".into())).or_default().push((a, b)),
                _ => {}
            }
        }
        let total_written: u64 = written.values().sum();
        let mut total_read = 0;
        for ranges in read.values() {
            let mut expect = 0;
            for (a, b) in ranges {
                assert_eq!(
                    *a, expect,
                    "recvs on one socket read the stream without gaps"
                );
                expect = *b;
            }
            total_read += expect;
        }
        assert_eq!(
            total_read, total_written,
            "recvs read exactly the bytes sends wrote"
        );
        // And every byte a recv returned was carried by a captured segment.
        for c in self.kind("call").filter(|c| c["call"] == "recv") {
            if c["ret"].as_u64().unwrap_or(0) > 0 {
                let segs = c["segments"].as_array().map(Vec::len).unwrap_or(0);
                assert!(
                    segs > 0,
                    "recv {} maps to the segments that carried it",
                    c["i"]
                );
            }
        }
    }

    /// The connection's FIN exchange: a FIN each way (the client's may ride on its last data
    /// segment, `FIN,PSH,ACK`), the last one ACKed.
    pub fn assert_fin_exchange(&self) {
        let trace = self.flag_trace();
        let fin = |dir: &str| {
            trace
                .iter()
                .any(|f| f.starts_with(dir) && f.split([':', ',']).any(|x| x == "FIN"))
        };
        assert!(fin("c2s"), "client FIN: {trace:?}");
        assert!(fin("s2c"), "server FIN: {trace:?}");
        let last = trace.last().expect("segments");
        assert!(
            last.ends_with(":ACK"),
            "the last FIN is acknowledged: {trace:?}"
        );
    }
}

/// How close in time (seconds) a probe and the truth it is compared with must be when the
/// difference is sampling lag: the kernel acted on a segment a few µs before libpcap stamped it,
/// or a recv had dequeued bytes before it returned (LAB.md: ~17 µs on loopback). On a loaded
/// machine (the suite runs ten labs at once on two cores) a thread can also be preempted between
/// reading its clock and making the call it stamps: 200 µs failed about one run in three there,
/// so the window is 2 ms, still shorter than the 2 ms between two periodic probes.
pub const SAMPLING_LAG: f64 = 2e-3;

/// States in which a SYN or FIN of this end is sent and not yet acknowledged: the kernel's
/// SIOCOUTQ counts that sequence number, the derived buffers count stream bytes only.
const CONTROL_UNACKED: [&str; 5] = [
    "SYN_SENT",
    "SYN_RECEIVED",
    "FIN_WAIT_1",
    "CLOSING",
    "LAST_ACK",
];

impl LabRun {
    /// The `socket` line in force for `sock` after event `i`.
    pub fn truth_at(&self, sock: u64, i: u64) -> Option<&Value> {
        self.sockets
            .iter()
            .rev()
            .find(|s| s["sock"].as_u64() == Some(sock) && s["after"].as_u64() <= Some(i))
    }

    /// The derived state of every `socket` line of `sock`, repeats dropped.
    pub fn derived_states(&self, sock: u64) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self
            .sockets
            .iter()
            .filter(|s| s["sock"].as_u64() == Some(sock))
        {
            let st = derived(s).to_string();
            if out.last() != Some(&st) {
                out.push(st);
            }
        }
        out
    }

    /// The socket ids of one side, in order of creation.
    pub fn socks(&self, side: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .sockets
            .iter()
            .filter(|s| s["side"] == side)
            .filter_map(|s| s["sock"].as_u64())
            .collect();
        ids.dedup();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The property of issue 10: at every probe, the derived state and queues equal the probe's,
    /// or differ in one of the ways named here. Returns how often each named difference was seen.
    pub fn assert_probes_agree_with_truth(
        &self,
    ) -> std::collections::BTreeMap<&'static str, usize> {
        let mut named: std::collections::BTreeMap<&'static str, usize> = Default::default();
        let t_of = |e: &Value| e["t"].as_f64().unwrap_or(0.0);
        for p in self.kind("probe") {
            let (i, sock) = (self.index(p), p["sock"].as_u64().expect("sock"));
            let t_p = t_of(p);
            // The truth at every event within the sampling lag of the probe.
            let near: Vec<&Value> = self
                .events
                .iter()
                .filter(|e| (t_of(e) - t_p).abs() <= SAMPLING_LAG)
                .filter_map(|e| self.truth_at(sock, self.index(e)))
                .collect();
            let Some(here) = self.truth_at(sock, i) else {
                panic!("probe {i}: no truth for socket {sock}: {p}");
            };
            let pstate = p["state"].as_str().unwrap_or("?");
            // State.
            if derived(here) != pstate {
                let why = if pstate == "CLOSED"
                    && derived(here) == "TIME_WAIT"
                    && here["fd_open"] == true
                {
                    // Linux: a connection reaching TIME_WAIT while its fd is open moves to a
                    // timewait socket; the fd's own socket reads CLOSE.
                    "TIME_WAIT with the fd open reads CLOSED"
                } else if near.iter().any(|s| derived(s) == pstate) {
                    "state: sampling lag"
                } else {
                    panic!(
                        "probe {i} says {pstate}, the derivation {}: {p}\n{here}",
                        derived(here)
                    );
                };
                *named.entry(why).or_default() += 1;
                continue;
            }
            if pstate == "CLOSED" {
                // No connection: a refused connect's counters keep the SYN's sequence numbers.
                *named
                    .entry("CLOSED: counters without a connection")
                    .or_default() += 1;
                continue;
            }
            if p["side"] == "listener" {
                let q = |s: &Value| s["accept_queue"].as_u64();
                if q(here) != p["recv_q"].as_u64() {
                    assert!(
                        near.iter().any(|s| q(s) == p["recv_q"].as_u64()),
                        "probe {i}: accept queue {} vs derived {:?}",
                        p["recv_q"],
                        q(here)
                    );
                    *named.entry("accept queue: sampling lag").or_default() += 1;
                }
                continue;
            }
            let same = |s: &Value, control: u64| {
                s["recv_q"] == p["recv_q"]
                    && s["unsent"] == p["unsent"]
                    && s["unacked"].as_u64().map(|u| u + control) == p["unacked"].as_u64()
            };
            if same(here, 0) {
                continue;
            }
            let why = if CONTROL_UNACKED.contains(&pstate) && same(here, 1) {
                "a SYN or FIN occupies one sequence number"
            } else if near.iter().any(|s| same(s, 0)) {
                "queues: sampling lag"
            } else if self.recv_under_way(sock, t_p, here, p) {
                "a recv under way had dequeued bytes"
            } else if self.send_piece_under_way(sock, t_p, here, p) {
                "a send(2) taking one piece of a blocked send was under way"
            } else if pstate == "SYN_SENT"
                && here["unsent"] == 0
                && here["unacked"] == 0
                && here["recv_q"] == 0
                && p["recv_q"] == 0
            {
                // No byte was written yet: what Linux reports for a connecting socket (seen:
                // send_q 3, "2 unsent, 1 unacked") is its sequence bookkeeping around the SYN,
                // not data; the same counters stay after a refusal ("CLOSED: counters without
                // a connection" above).
                "SYN_SENT: the kernel's counters around the SYN, no data"
            } else {
                panic!("probe {i}: queues differ from the derivation:\nprobe {p}\ntruth {here}");
            };
            *named.entry(why).or_default() += 1;
        }
        named
    }

    /// A recv of `sock` was running at `t` and the probe is short of the derivation by no more
    /// than that recv returned.
    fn recv_under_way(&self, sock: u64, t: f64, here: &Value, p: &Value) -> bool {
        let short = here["recv_q"]
            .as_u64()
            .zip(p["recv_q"].as_u64())
            .and_then(|(d, k)| d.checked_sub(k));
        let others_same = here["unsent"] == p["unsent"] && here["unacked"] == p["unacked"];
        others_same
            && short.is_some_and(|short| {
                self.kind("call").any(|c| {
                    c["call"] == "recv"
                        && c["sock"].as_u64() == Some(sock)
                        && c["t_start"].as_f64().is_some_and(|s| s <= t + SAMPLING_LAG)
                        && c["t_end"].as_f64().is_some_and(|e| e >= t)
                        && c["len"].as_u64().is_some_and(|l| l >= short)
                })
            })
    }
}

impl LabRun {
    /// The kernel was taking one piece of a blocked send of `sock` when the probe sampled it
    /// (the lab knows only that the piece went in during that `send(2)`, and counts it from the
    /// call's start): the receive side agrees, and the send queues differ by no more than that
    /// piece.
    fn send_piece_under_way(&self, sock: u64, t: f64, here: &Value, p: &Value) -> bool {
        let q = |s: &Value| s["unsent"].as_u64().unwrap_or(0) + s["unacked"].as_u64().unwrap_or(0);
        let differ = q(p).abs_diff(q(here));
        here["recv_q"] == p["recv_q"]
            && self.kind("call").any(|c| {
                c["sock"].as_u64() == Some(sock)
                    && c["pieces"].as_array().is_some_and(|pieces| {
                        let mut before = c["stream"][0].as_u64().unwrap_or(0);
                        pieces.iter().any(|piece| {
                            let (a, b, upto) = (
                                piece[0].as_f64().unwrap_or(f64::MAX),
                                piece[1].as_f64().unwrap_or(f64::MIN),
                                piece[2].as_u64().unwrap_or(0),
                            );
                            let len = upto.saturating_sub(before);
                            before = upto;
                            a - SAMPLING_LAG <= t && t <= b + SAMPLING_LAG && differ <= len
                        })
                    })
            })
    }
}

/// A `socket` line's derived state (its `state` unless a newer probe disagreed).
pub fn derived(s: &Value) -> &str {
    s["derived"]
        .as_str()
        .or_else(|| s["state"].as_str())
        .unwrap_or("?")
}
