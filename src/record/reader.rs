//! Reading a recording back: the same source events, in the same order, pushed through the
//! same [`Timeline::push`] and [`Timeline::settle`] as the live lab, so the replayed timeline
//! is the live one (segments re-decoded by `wire::decode` and `tcp::Tracker`).
//!
//! A recording cut short (SIGKILL, full disk) ends in a half-written block; the capture reader
//! stops there with a warning and everything before it plays.

use std::path::Path;

use crate::capture::{CaptureFile, FileError, Timestamp};
use crate::timeline::{CapturePoint, OwnedFrame, SourceEvent, Timeline};

use super::format::{self, DecodeError, EVENTS_LINK, Record, SummaryRecord};

/// How many frames to look at before deciding a file is not a recording: the lab writes its
/// opening note before any traffic exists, so a recording's first few blocks include events.
const SNIFF_FRAMES: usize = 64;

/// The largest file read whole as a recording, and the most frame bytes a recording's reader
/// holds. A recording is the lab's own session (the echo is 11 KB; an hour of interactive lab a
/// few MB) and is held in memory whole, with every segment decoded (about ten times its size);
/// a file that only *starts* like one can be a gigabyte of traffic. Past this it is read as a
/// capture, through the compact index (crate::timeline::capture_index), wire only.
pub const WHOLE_RECORDING_LIMIT: u64 = 32 << 20;

/// A recording, read back.
#[derive(Debug)]
pub struct Recording {
    pub timeline: Timeline,
    /// The lab's closing summary; `None` when the recording was cut before the lab ended.
    pub summary: Option<SummaryRecord>,
    /// What did not read cleanly (a cut tail, damaged records), one line each.
    pub warnings: Vec<String>,
    pub frames: u64,
    pub events: u64,
}

impl Recording {
    /// True when the lab's summary made it into the file.
    pub fn complete(&self) -> bool {
        self.summary.is_some()
    }
}

/// Whether `path` is to be read as a sockviz recording (events on the `LINKTYPE_USER0`
/// interface) rather than a plain capture. A file larger than [`WHOLE_RECORDING_LIMIT`] is read
/// as a capture whatever its first blocks claim, so it never has to fit in memory.
pub fn is_recording(path: &Path) -> Result<bool, FileError> {
    let mut file = CaptureFile::open(path)?;
    if std::fs::metadata(path).is_ok_and(|m| m.len() > WHOLE_RECORDING_LIMIT) {
        return Ok(false);
    }
    for _ in 0..SNIFF_FRAMES {
        match file.next_frame() {
            Ok(Some((frame, _))) => {
                if frame.link == EVENTS_LINK && format::decode(frame.data).is_ok() {
                    return Ok(true);
                }
            }
            Ok(None) | Err(FileError::Damaged { .. }) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Read a whole recording. `progress` is called now and then with the bytes read so far
/// (a loading screen's bar).
pub fn load(path: &Path, progress: impl FnMut(u64)) -> Result<Recording, FileError> {
    read(CaptureFile::open(path)?, progress)
}

/// Read a recording from an open capture (a file, or bytes in memory for tests).
pub fn read(file: CaptureFile, progress: impl FnMut(u64)) -> Result<Recording, FileError> {
    read_within(file, progress, WHOLE_RECORDING_LIMIT)
}

/// [`read`], holding at most `limit` bytes of frames.
fn read_within(
    mut file: CaptureFile,
    mut progress: impl FnMut(u64),
    limit: u64,
) -> Result<Recording, FileError> {
    let mut sources = Vec::new();
    let mut summary = None;
    let mut points: Vec<(u32, CapturePoint)> = Vec::new();
    let mut warnings = Vec::new();
    let (mut frames, mut events, mut bad) = (0u64, 0u64, 0u64);
    let mut held = 0u64;
    loop {
        // Whatever the file is, the reader holds no more than a recording can be.
        if held > limit {
            warnings.push(crate::tr!("wire.record.too_large", mib = limit >> 20));
            break;
        }
        match file.next_frame() {
            Ok(Some((frame, at))) => {
                held += frame.data.len() as u64 + 64;
                if frames % 4096 == 0 {
                    progress(at.data_offset);
                }
                if frame.link == EVENTS_LINK {
                    match format::decode(frame.data)
                        .and_then(|rec| Ok((format::source_event(&rec)?, rec)))
                    {
                        Ok((Some(ev), _)) => {
                            events += 1;
                            sources.push(ev);
                        }
                        Ok((None, Record::Summary(s))) => summary = Some(s),
                        Ok((None, Record::CapturePoint { iface, point, .. })) => {
                            let point = match point.as_str() {
                                "client" => Some(CapturePoint::Client),
                                "server" => Some(CapturePoint::Server),
                                _ => None,
                            };
                            if let Some(point) = point {
                                points.push((iface, point));
                            }
                        }
                        Ok((None, _)) => {}
                        Err(e @ DecodeError::NewerVersion(_)) => {
                            bad += 1;
                            if bad == 1 {
                                warnings.push(crate::tr!(
                                    "wire.record.newer",
                                    frame = frame.number,
                                    error = e
                                ));
                            }
                        }
                        Err(e) => {
                            bad += 1;
                            if bad == 1 {
                                warnings.push(crate::tr!(
                                    "wire.record.bad_event",
                                    frame = frame.number,
                                    error = e
                                ));
                            }
                        }
                    }
                    continue;
                }
                frames += 1;
                let owned = OwnedFrame {
                    ts: frame.ts,
                    link: frame.link,
                    orig_len: frame.orig_len,
                    data: frame.data.to_vec(),
                };
                // A link's capture points each have their interface: their frames are merged
                // into one segment each, as they were live.
                sources.push(match points.iter().find(|(i, _)| *i == frame.interface) {
                    Some((_, point)) => SourceEvent::LinkFrame {
                        point: *point,
                        frame: owned,
                    },
                    None => SourceEvent::Frame(owned),
                });
            }
            Ok(None) => break,
            Err(e @ FileError::Damaged { .. }) => {
                warnings.push(crate::tr!("wire.record.cut_short", error = e));
                break;
            }
            Err(e) => return Err(e),
        }
    }
    warnings.extend(file.warnings().iter().cloned());
    if bad > 1 {
        warnings.push(crate::tr!("wire.record.unreadable", n = bad));
    }
    if summary.is_none() {
        warnings.push(crate::tr!("wire.record.no_summary"));
    }
    let origin = summary
        .as_ref()
        .map(|s| Timestamp(s.started))
        .or_else(|| first_note(&sources))
        .unwrap_or_default();
    Ok(Recording {
        timeline: build(origin, sources),
        summary,
        warnings,
        frames,
        events,
    })
}

/// The lab's opening note is stamped with its `t = 0` (`lab::run_live`).
fn first_note(sources: &[SourceEvent]) -> Option<Timestamp> {
    sources.iter().find_map(|ev| match ev {
        SourceEvent::Note { at, .. } => Some(*at),
        _ => None,
    })
}

/// The timeline exactly as `lab::run` builds it: events in arrival order (a link's frames in
/// capture-time order), then settled.
pub fn build(origin: Timestamp, sources: Vec<SourceEvent>) -> Timeline {
    let mut timeline = Timeline::new(origin);
    for ev in crate::lab::capture_order::in_capture_time(sources) {
        timeline.push(ev);
    }
    timeline.settle();
    timeline
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::capture::LinkType;
    use crate::record::session::summary_record;
    use crate::record::writer::RecordingWriter;
    use crate::wire::testframes::TcpSpec;

    /// A `Write` whose bytes the test can read back after the writer owns it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn recording() -> Vec<u8> {
        let out = Shared::default();
        let mut w = RecordingWriter::to_writer(
            Box::new(out.clone()),
            Path::new("test.pcapng"),
            LinkType::ETHERNET,
            "lo",
        )
        .expect("in memory");
        let note = |at: i64, text: &str| SourceEvent::Note {
            at: Timestamp(at),
            text: text.into(),
        };
        w.write(&note(1_000, "scenario echo: test")).expect("write");
        let c = TcpSpec::default();
        let syn = TcpSpec {
            flags: 0x002,
            ack: 0,
            payload: Vec::new(),
            ..c.clone()
        };
        let syn_ack = TcpSpec {
            src: c.dst,
            dst: c.src,
            seq: 5000,
            ack: 1001,
            flags: 0x012,
            payload: Vec::new(),
            ..c.clone()
        };
        let ack = TcpSpec {
            seq: 1001,
            ack: 5001,
            flags: 0x010,
            payload: Vec::new(),
            ..c
        };
        let frames = [syn.ethernet(), syn_ack.ethernet(), ack.ethernet()];
        for (k, frame) in frames.into_iter().enumerate() {
            w.write(&SourceEvent::Frame(OwnedFrame {
                ts: Timestamp(2_000 + k as i64),
                link: LinkType::ETHERNET,
                orig_len: frame.len() as u32,
                data: frame,
            }))
            .expect("write");
        }
        w.write(&note(3_000, "done")).expect("write");
        let summary = crate::lab::LabSummary {
            started: Timestamp(1_000),
            scenario: "echo",
            capture: crate::lab::CaptureStatus::Namespace,
            server: "127.0.0.1:7".parse().expect("literal"),
            mtu: Some(1500),
            failure: None,
            dropped: 0,
        };
        w.write_record(&summary_record(&summary, Timestamp(3_000)))
            .expect("write");
        out.0.lock().expect("not poisoned").clone()
    }

    #[test]
    fn a_whole_recording_reads_back_complete() {
        let bytes = recording();
        let file = CaptureFile::from_bytes("test.pcapng", bytes).expect("a pcapng");
        let rec = read(file, |_| {}).expect("reads");
        assert!(rec.complete(), "{:?}", rec.warnings);
        assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
        assert_eq!(rec.frames, 3);
        assert_eq!(rec.events, 2);
        assert_eq!(rec.timeline.origin(), Timestamp(1_000));
        let kinds: Vec<&str> = rec
            .timeline
            .events()
            .iter()
            .map(|e| e.kind.name())
            .collect();
        assert_eq!(kinds, ["note", "segment", "segment", "segment", "note"]);
    }

    /// A recording cut at any byte (SIGKILL mid-write, a full disk) reads without error up to
    /// its last complete block, and never shows more than was whole.
    #[test]
    fn a_recording_cut_at_any_byte_reads_its_complete_prefix() {
        let bytes = recording();
        let mut last_events = 0;
        // Past the section header and the two interface blocks, every cut must open.
        let headers = 28 + 3 * 4 + 80;
        for cut in headers..bytes.len() {
            let Ok(file) = CaptureFile::from_bytes("cut.pcapng", bytes[..cut].to_vec()) else {
                continue;
            };
            let rec = read(file, |_| {}).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            let n = rec.timeline.events().len();
            assert!(n >= last_events, "cut at {cut}: events never disappear");
            assert!(
                !rec.complete(),
                "cut at {cut}: the summary is the last block"
            );
            last_events = n;
        }
        assert_eq!(
            last_events, 5,
            "the last cut before the summary has every event"
        );
    }

    /// Issue 16 item 6: a file whose first blocks are a recording but which goes on for a
    /// gigabyte was read whole. The reader stops at its limit, whatever the file claims.
    #[test]
    fn a_recording_reader_holds_no_more_than_its_limit() {
        let mut bytes = recording();
        // Past the section header and the interface blocks: the records.
        let mut at = 0;
        loop {
            let word = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4"));
            if word(at) != 0x0A0D_0D0A && word(at) != 1 {
                break;
            }
            at += word(at + 4) as usize;
        }
        let records = bytes[at..].to_vec();
        for _ in 0..200 {
            // The records again, past any sensible size.
            bytes.extend_from_slice(&records);
        }
        let file = CaptureFile::from_bytes("big.pcapng", bytes).expect("a pcapng");
        let rec = read_within(file, |_| {}, 4 << 10).expect("reads");
        assert!(
            rec.frames < 60,
            "stopped near 4 KiB of frames: {}",
            rec.frames
        );
        assert!(
            rec.warnings
                .iter()
                .any(|w| w.contains("the rest is left out")),
            "{:?}",
            rec.warnings
        );
    }

    #[test]
    fn a_file_larger_than_a_recording_can_be_is_read_as_a_capture() {
        let dir = std::env::temp_dir().join(format!("sockviz-disguised-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let small = dir.join("small.pcapng");
        std::fs::write(&small, recording()).expect("write");
        assert!(is_recording(&small).expect("opens"));
        let big = dir.join("big.pcapng");
        std::fs::write(&big, recording()).expect("write");
        // Zeros past the recording (sparse): the size is what gives it away, before any read.
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&big)
            .expect("open");
        f.set_len(WHOLE_RECORDING_LIMIT + 1).expect("grow");
        assert!(!is_recording(&big).expect("opens"));
        // The compact index reads its wire and says the lab's events are left out.
        let index = crate::timeline::capture_index::CaptureIndex::scan(&big, |_| {})
            .expect("scans as a capture");
        assert_eq!(index.frames().len(), 3);
        assert!(
            index
                .warnings()
                .iter()
                .any(|w| w.starts_with("3 sockviz lab events")),
            "{:?}",
            index.warnings()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
