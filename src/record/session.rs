//! Recording a lab run: every source event goes to the file the moment it arrives, on the
//! recording thread ([`super::recorder`]), so a lab killed mid-scenario leaves everything up
//! to that moment on disk.

use std::path::Path;

use crate::lab::{self, LabConfig, LabError, LabSummary, Prepared};
use crate::timeline::Timeline;

use super::format::{Record, SummaryRecord};
use super::recorder::{Destination, Drained, Recorder, event_time};

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
    let to = Destination::File(path.to_path_buf(), existing);
    let recorder = Recorder::spawn(to, Vec::new(), true, |_| {}).map_err(LabError::Thread)?;
    let summary = lab::run_live(cfg, prepared, origin, recorder.sender());
    // run_live dropped its sender: the recorder drains the channel and hands back the writer.
    let Drained {
        mut writer,
        sources,
        mut outcome,
    } = recorder.finish();
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
