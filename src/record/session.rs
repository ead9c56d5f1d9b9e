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
    record_with(
        path,
        existing,
        |tx| lab::run_live(cfg, prepared, lab::probe::now(), tx),
        |s| s,
        LabError::Thread,
    )
}

/// Any lab-like source (a scenario, `sockviz run`) recorded as it runs: `run` sends its
/// events to the sender it is given and returns its result, whose lab summary `summary`
/// finds for the closing record.
pub fn record_with<T, E>(
    path: &Path,
    existing: crate::output_file::Existing,
    run: impl FnOnce(std::sync::mpsc::Sender<crate::timeline::SourceEvent>) -> Result<T, E>,
    summary: impl Fn(&T) -> &LabSummary,
    thread_err: impl Fn(std::io::Error) -> E,
) -> Result<(Timeline, T, RecordOutcome), E> {
    let to = Destination::File(path.to_path_buf(), existing);
    let recorder = Recorder::spawn(to, Vec::new(), true, |_| {}).map_err(thread_err)?;
    let result = run(recorder.sender());
    // `run` dropped its sender: the recorder drains the channel and hands back the writer.
    let Drained {
        mut writer,
        sources,
        mut outcome,
    } = recorder.finish();
    let result = result?;
    let lab = summary(&result);
    if let Some(w) = writer.as_mut() {
        let end = sources.iter().map(event_time).max().unwrap_or(lab.started);
        if let Err(e) = w.write_record(&summary_record(lab, end)) {
            outcome.error.get_or_insert(e.to_string());
        }
        outcome.frames = w.frames_written();
        outcome.events = w.events_written();
    }
    let timeline = super::reader::build(lab.started, sources);
    Ok((timeline, result, outcome))
}
