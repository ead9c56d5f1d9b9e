//! `sockviz inspect`: read a capture through the wire model and report every TCP connection.
//!
//! The report is plain data (serde) so the table, `--json` and tests all read the same numbers.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;

use serde::Serialize;

use crate::capture::{FileError, LinkType, Timestamp};
use crate::tcp::{AnalysisCounts, Connection, ConnectionList, FlagCounts, Tracker};
use crate::wire::{DecodeError, Decoded, Decoder, EncapPath, FragmentStats};

mod write;
use write::{write_json, write_table};

/// The whole `inspect --json` object. Field names are the documented schema (README).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    pub format: String,
    /// The format as read, for the table's heading in the reader's language (`format` is the
    /// schema's English name).
    #[serde(skip)]
    pub capture_format: Option<crate::capture::CaptureFormat>,
    pub packets_total: u64,
    pub non_tcp_packets: u64,
    /// Frames that could not be decoded at all (unsupported link type, broken headers).
    pub undecodable_packets: u64,
    /// TCP segments the capture cut short (snaplen); used for what was kept.
    pub truncated_packets: u64,
    /// Socket calls, probes and notes of a sockviz recording (its events interface,
    /// `LINKTYPE_USER0`): not packets, so neither non-TCP nor undecodable.
    #[serde(skip_serializing_if = "is_zero")]
    pub recording_events: u64,
    /// IP fragment reassembly, when the capture has fragments.
    #[serde(skip_serializing_if = "FragmentStats::is_empty")]
    pub ip_fragments: FragmentStats,
    pub connections: Vec<ConnectionReport>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PerDirection {
    pub to_server: u64,
    pub to_client: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FinalState {
    pub client: &'static str,
    pub server: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectionReport {
    pub id: u32,
    pub client: String,
    pub server: String,
    /// Seconds from the capture's first frame to this connection's first segment.
    pub start: f64,
    pub duration: f64,
    pub packets: PerDirection,
    pub bytes: PerDirection,
    pub payload_bytes: PerDirection,
    pub flags: FlagCounts,
    /// Wireshark's `tcp.analysis.*` counts, plus the model's extra findings.
    pub analysis: AnalysisCounts,
    pub handshake_seen: bool,
    pub mid_stream: bool,
    pub half_close: bool,
    pub final_state: FinalState,
    /// The tunnels and shims that carried the connection's first segment, outermost first
    /// (`["VXLAN"]`, `["GRE", "ERSPAN"]`); absent for a plain connection.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encapsulation: Vec<String>,
}

/// Why `inspect` could not produce a report at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    File(#[from] FileError),
}

/// Frames that failed to decode, summarised so a broken capture gives one warning per cause.
#[derive(Default)]
struct DecodeFailures {
    by_reason: BTreeMap<String, (u64, u64)>,
}

impl DecodeFailures {
    fn add(&mut self, frame: u64, err: &DecodeError) {
        let entry = self.by_reason.entry(err.to_string()).or_insert((0, frame));
        entry.0 += 1;
    }

    fn into_warnings(self) -> impl Iterator<Item = String> {
        self.by_reason.into_iter().map(|(reason, (count, first))| {
            crate::tr!(
                "wire.inspect.not_decoded",
                count = count,
                first = first,
                reason = reason
            )
        })
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Read `path` front to back and report its TCP connections.
///
/// A damaged record stops the read and becomes a warning: the connections read so far are kept.
pub fn inspect_file(path: &Path) -> Result<Report, InspectError> {
    inspect_file_with_progress(path, |_| {})
}

/// [`inspect_file`], calling `progress` now and then with the bytes read so far (a screen's
/// "scanning … 42%" while a big capture is read).
pub fn inspect_file_with_progress(
    path: &Path,
    progress: impl FnMut(u64),
) -> Result<Report, InspectError> {
    read_file(path, progress).map(Inspection::into_report)
}

/// Read `path` front to back: the report's totals and warnings, its connections kept compact
/// (what `sockviz inspect` prints from, a row at a time).
pub fn read_file(path: &Path, mut progress: impl FnMut(u64)) -> Result<Inspection, InspectError> {
    let mut file = crate::open::SourceFile::open(path)?.frames()?;
    let capture_format = file.format();
    let format = match capture_format {
        crate::capture::CaptureFormat::Pcap {
            nanosecond,
            big_endian,
        } => format!(
            "pcap ({}-endian, {})",
            if big_endian { "big" } else { "little" },
            if nanosecond {
                "nanosecond"
            } else {
                "microsecond"
            }
        ),
        crate::capture::CaptureFormat::Pcapng => "pcapng".to_string(),
    };
    let mut tracker = Tracker::new();
    let mut decoder = Decoder::new();
    let mut encaps: BTreeMap<u32, EncapPath> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut failures = DecodeFailures::default();
    let mut unsupported_links: BTreeMap<u32, u64> = BTreeMap::new();
    let (mut total, mut non_tcp, mut undecodable, mut truncated) = (0u64, 0u64, 0u64, 0u64);
    let mut recording_events = 0u64;
    let mut first_ts: Option<Timestamp> = None;

    loop {
        match file.next_frame() {
            Ok(Some((frame, at))) => {
                if total % 4096 == 0 {
                    progress(at.data_offset);
                }
                total += 1;
                if frame.link == crate::record::format::EVENTS_LINK
                    && crate::record::format::decode(frame.data).is_ok()
                {
                    recording_events += 1;
                    continue;
                }
                first_ts.get_or_insert(frame.ts);
                match decoder.decode(frame.link, frame.data, frame.orig_len, frame.ts) {
                    Ok(Decoded::Tcp(seg)) => {
                        truncated += u64::from(seg.truncated);
                        let info = tracker.push(frame.ts, frame.orig_len, &seg);
                        let path = decoder.last_encap();
                        if !path.is_empty() {
                            encaps.entry(info.conn.0).or_insert(path);
                        }
                    }
                    Ok(Decoded::NotTcp) => non_tcp += 1,
                    Err(DecodeError::UnsupportedLink(link)) => {
                        undecodable += 1;
                        *unsupported_links.entry(link.0).or_insert(0) += 1;
                    }
                    Err(err) => {
                        undecodable += 1;
                        failures.add(frame.number, &err);
                    }
                }
            }
            Ok(None) => break,
            Err(err @ FileError::Damaged { .. }) => {
                warnings.push(err.to_string());
                break;
            }
            Err(err) => return Err(err.into()),
        }
    }

    decoder.finish();
    warnings.extend(file.warnings().iter().cloned());
    for (link, count) in unsupported_links {
        warnings.push(crate::tr!(
            "wire.inspect.unsupported_link",
            count = count,
            link = LinkType(link),
            reason = crate::wire::unsupported_reason(LinkType(link))
        ));
    }
    warnings.extend(failures.into_warnings());
    warnings.extend(decoder.warnings());
    if truncated > 0 {
        warnings.push(crate::tr!("wire.inspect.truncated", n = truncated));
    }

    Ok(Inspection {
        head: Report {
            file: path.display().to_string(),
            format,
            capture_format: Some(capture_format),
            packets_total: total,
            non_tcp_packets: non_tcp,
            undecodable_packets: undecodable,
            truncated_packets: truncated,
            recording_events,
            ip_fragments: decoder.fragment_stats(),
            connections: Vec::new(),
            warnings,
        },
        connections: tracker.into_connections(),
        origin: first_ts.unwrap_or_default(),
        encaps,
    })
}

/// A capture read through: everything a [`Report`] says, with the connections still in the
/// tracker's compact form (a million connections take about 100 MB, their reports several
/// times that). [`Inspection::write_table`] and [`Inspection::write_json`] print the same bytes
/// as the report's.
pub struct Inspection {
    /// The report without its connections.
    head: Report,
    connections: ConnectionList,
    origin: Timestamp,
    encaps: BTreeMap<u32, EncapPath>,
}

impl Inspection {
    /// Connection `c`'s report.
    fn report(&self, c: &Connection) -> ConnectionReport {
        let mut report = ConnectionReport::new(c, self.origin);
        if let Some(path) = self.encaps.get(&c.id.0) {
            report.encapsulation = path
                .as_slice()
                .iter()
                .map(|e| e.name().to_string())
                .collect();
        }
        report
    }

    fn reports(&self) -> impl Iterator<Item = ConnectionReport> + '_ {
        self.connections.iter().map(|c| self.report(&c))
    }

    pub fn into_report(self) -> Report {
        let connections = self.reports().collect();
        Report {
            connections,
            ..self.head
        }
    }

    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        write_json(&self.head, || self.reports(), out)
    }

    pub fn write_table(&self, out: &mut impl Write) -> io::Result<()> {
        write_table(&self.head, self.connections.len(), || self.reports(), out)
    }
}

/// `addr:port`, IPv6 as `[addr]:port`: exactly what `SocketAddr`'s `Display` prints.
fn endpoint(addr: SocketAddr) -> String {
    addr.to_string()
}

impl ConnectionReport {
    /// `c` as `inspect` reports it, its `start` counted from `origin`.
    pub fn new(c: &Connection, origin: Timestamp) -> Self {
        ConnectionReport {
            id: c.id.0,
            client: endpoint(c.client),
            server: endpoint(c.server),
            start: c.first_ts.secs_since(origin),
            duration: c.last_ts.secs_since(c.first_ts),
            packets: PerDirection {
                to_server: c.to_server.packets,
                to_client: c.to_client.packets,
            },
            bytes: PerDirection {
                to_server: c.to_server.bytes,
                to_client: c.to_client.bytes,
            },
            payload_bytes: PerDirection {
                to_server: c.to_server.payload_bytes,
                to_client: c.to_client.payload_bytes,
            },
            flags: c.flags,
            analysis: c.analysis,
            handshake_seen: c.handshake_seen,
            mid_stream: c.mid_stream,
            half_close: c.half_close,
            final_state: FinalState {
                client: c.client_state.name(),
                server: c.server_state.name(),
            },
            encapsulation: Vec::new(),
        }
    }

    /// The analysis findings that are non-zero, as `name=count`, for the table's last column.
    fn notes(&self) -> String {
        let a = &self.analysis;
        let mut notes: Vec<String> = [
            ("retrans", a.retransmission),
            ("fast-retrans", a.fast_retransmission),
            ("spurious", a.spurious_retransmission),
            ("ooo", a.out_of_order),
            ("dup-ack", a.dup_ack),
            ("zero-win", a.zero_window),
            ("zw-probe", a.zero_window_probe),
            ("win-full", a.window_full),
            ("win-update", a.window_update),
            ("keep-alive", a.keep_alive),
            ("rst", self.flags.rst),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name}={n}"))
        .collect();
        if self.mid_stream {
            notes.insert(0, "mid-stream".into());
        }
        if self.half_close {
            notes.push("half-close".into());
        }
        if !self.encapsulation.is_empty() {
            let path = self.encapsulation.join("/");
            notes.push(crate::tr!("out.inspect.via", path = path));
        }
        notes.join(" ")
    }
}

impl Report {
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        write_json(self, || self.connections.iter(), out)
    }

    /// Aligned columns, one connection per line, like `tshark -z conv,tcp` but with states.
    pub fn write_table(&self, out: &mut impl Write) -> io::Result<()> {
        write_table(
            self,
            self.connections.len(),
            || self.connections.iter(),
            out,
        )
    }
}
