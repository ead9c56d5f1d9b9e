//! Recording a lab run: every source event goes to the file the moment it arrives, on its own
//! thread, so a lab killed mid-scenario leaves everything up to that moment on disk.

use std::path::Path;
use std::sync::mpsc;

use crate::capture::LinkType;
use crate::lab::{self, LabConfig, LabError, LabSummary, Prepared};
use crate::timeline::{SourceEvent, Timeline};

use super::format::{Record, SummaryRecord};
use super::writer::{RecordError, RecordingWriter};

/// What happened to the recording of one lab run.
#[derive(Debug, Default)]
pub struct RecordOutcome {
    pub frames: u64,
    pub events: u64,
    /// Set when recording failed or stopped (disk full); the lab ran to its end regardless.
    pub error: Option<String>,
}

/// The lab's summary as its closing record.
pub fn summary_record(summary: &LabSummary, at: crate::capture::Timestamp) -> Record {
    Record::Summary(SummaryRecord {
        at: at.0,
        started: summary.started.0,
        scenario: summary.scenario.to_string(),
        capture: summary.capture.to_string(),
        server: summary.server.to_string(),
        mtu: summary.mtu,
        failure: summary.failure.clone(),
        dropped: summary.dropped,
    })
}

/// Run `cfg.scenario` like [`lab::run`], writing every event to `path` as it happens.
///
/// A recording that cannot be created or stops (disk full) does not stop the lab: the
/// outcome says why, and the timeline gets a note saying so at the moment it happened.
pub fn run_recorded(
    cfg: &LabConfig,
    prepared: &Prepared,
    path: &Path,
    existing: crate::output_file::Existing,
) -> Result<(Timeline, LabSummary, RecordOutcome), LabError> {
    let origin = lab::probe::now();
    let (tx, rx) = mpsc::channel::<SourceEvent>();
    let writer = RecordingWriter::create(path, existing, LinkType::ETHERNET, "lo");
    let recorder = std::thread::Builder::new()
        .name("recorder".into())
        .spawn(move || {
            // Started before the lab opens its capture, so it would keep the capabilities the
            // lab gives up then (they are per thread); its file is already open.
            let _ = crate::privilege::drop_capabilities(crate::privilege::Keep::NOTHING);
            record_all(writer, rx)
        })
        .map_err(LabError::Thread)?;
    let summary = lab::run_live(cfg, prepared, origin, tx);
    // run_live dropped its sender: the recorder drains the channel and hands back the writer.
    let (mut writer, sources, mut outcome) = recorder.join().unwrap_or_else(|_| {
        (
            None,
            Vec::new(),
            RecordOutcome {
                error: Some("the recorder thread panicked".into()),
                ..RecordOutcome::default()
            },
        )
    });
    let summary = summary?;
    if let Some(w) = writer.as_mut() {
        let end = sources
            .iter()
            .map(event_time)
            .max()
            .unwrap_or(summary.started);
        if let Err(e) = w.write_record(&summary_record(&summary, end)) {
            outcome.error.get_or_insert(e.to_string());
        }
        outcome.frames = w.frames_written();
        outcome.events = w.events_written();
    }
    let timeline = super::reader::build(summary.started, sources);
    Ok((timeline, summary, outcome))
}

fn event_time(ev: &SourceEvent) -> crate::capture::Timestamp {
    match ev {
        SourceEvent::Call(c) => c.returned,
        SourceEvent::Probe { at, .. } | SourceEvent::Note { at, .. } => *at,
        SourceEvent::Frame(f) => f.ts,
    }
}

type Drained = (Option<RecordingWriter>, Vec<SourceEvent>, RecordOutcome);

/// Write each event as it arrives and keep it for the timeline.
fn record_all(
    writer: Result<RecordingWriter, RecordError>,
    rx: mpsc::Receiver<SourceEvent>,
) -> Drained {
    let mut outcome = RecordOutcome::default();
    let mut sources = Vec::new();
    let mut writer = match writer {
        Ok(w) => Some(w),
        Err(e) => {
            outcome.error = Some(e.to_string());
            None
        }
    };
    let mut noted = false;
    for ev in rx {
        if let Some(w) = writer.as_mut()
            && let Err(e) = w.write(&ev)
        {
            outcome.error.get_or_insert(e.to_string());
        }
        sources.push(ev);
        // The note sits where the recording stopped (after the lab's opening note).
        if let Some(err) = outcome.error.as_ref().filter(|_| !noted) {
            noted = true;
            sources.push(SourceEvent::Note {
                at: event_time(sources.last().expect("just pushed")),
                text: err.clone(),
            });
        }
    }
    (writer, sources, outcome)
}
