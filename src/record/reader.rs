//! Reading a recording back: the same source events, in the same order, pushed through the
//! same [`Timeline::push`] and [`Timeline::settle`] as the live lab, so the replayed timeline
//! is the live one (segments re-decoded by `wire::decode` and `tcp::Tracker`).
//!
//! A recording cut short (SIGKILL, full disk) ends in a half-written block; the capture reader
//! stops there with a warning and everything before it plays.

use std::path::Path;

use crate::capture::{CaptureFile, FileError, Timestamp};
use crate::timeline::{OwnedFrame, SourceEvent, Timeline};

use super::format::{self, DecodeError, EVENTS_LINK, Record, SummaryRecord};

/// How many frames to look at before deciding a file is not a recording: the lab writes its
/// opening note before any traffic exists, so a recording's first few blocks include events.
const SNIFF_FRAMES: usize = 64;

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

/// Whether `path` is a sockviz recording (events on the `LINKTYPE_USER0` interface) rather
/// than a plain capture.
pub fn is_recording(path: &Path) -> Result<bool, FileError> {
    let mut file = CaptureFile::open(path)?;
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
pub fn load(path: &Path, mut progress: impl FnMut(u64)) -> Result<Recording, FileError> {
    let mut file = CaptureFile::open(path)?;
    let mut sources = Vec::new();
    let mut summary = None;
    let mut warnings = Vec::new();
    let (mut frames, mut events, mut bad) = (0u64, 0u64, 0u64);
    loop {
        match file.next_frame() {
            Ok(Some((frame, at))) => {
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
                        Ok((None, _)) => {}
                        Err(e @ DecodeError::NewerVersion(_)) => {
                            bad += 1;
                            if bad == 1 {
                                warnings.push(format!("frame {}: {e}", frame.number));
                            }
                        }
                        Err(e) => {
                            bad += 1;
                            if bad == 1 {
                                warnings.push(format!(
                                    "frame {} on the events interface: {e}; left out",
                                    frame.number
                                ));
                            }
                        }
                    }
                    continue;
                }
                frames += 1;
                sources.push(SourceEvent::Frame(OwnedFrame {
                    ts: frame.ts,
                    link: frame.link,
                    orig_len: frame.orig_len,
                    data: frame.data.to_vec(),
                }));
            }
            Ok(None) => break,
            Err(e @ FileError::Damaged { .. }) => {
                warnings.push(format!(
                    "{e} (a recording cut short: everything before it plays)"
                ));
                break;
            }
            Err(e) => return Err(e),
        }
    }
    warnings.extend(file.warnings().iter().cloned());
    if bad > 1 {
        warnings.push(format!("{bad} event records could not be read"));
    }
    if summary.is_none() {
        warnings.push(
            "the recording has no closing summary: the lab was interrupted while recording; \
             the timeline ends at the last complete record"
                .to_string(),
        );
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

/// The timeline exactly as `lab::run` builds it: events in arrival order, then settled.
pub fn build(origin: Timestamp, sources: Vec<SourceEvent>) -> Timeline {
    let mut timeline = Timeline::new(origin);
    for ev in sources {
        timeline.push(ev);
    }
    timeline.settle();
    timeline
}
