//! Several scenarios one after another on one wire: one loopback set-up, one capture, one
//! prober, what a lesson plays. Each scenario's events become a timeline of their own.
//!
//! The lab sets up `lo` and opens its capture once: a setcap'd binary gives its capabilities
//! up once the capture is open, so a second set-up could neither configure `lo` nor capture.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::capture::live::LiveCapture;
use crate::timeline::{SourceEvent, Timeline};

use super::probe::{self, Recorder, Sampler};
use super::setup::{self, LabWire};
use super::{
    CaptureStatus, LabConfig, LabError, LabSummary, Prepared, ScenarioCtx, run_with_deadline,
    scenario,
};

/// A lab that runs scenarios on request, each to its own timeline.
pub struct Series {
    rec: Arc<Recorder>,
    events: mpsc::Receiver<SourceEvent>,
    server: std::net::SocketAddrV4,
    capture: CaptureStatus,
    mtu: Option<u32>,
    live: Option<LiveCapture>,
    sampler: Option<Sampler>,
    /// Set-up notes, for the first scenario's timeline.
    early_notes: Vec<String>,
    in_namespace: bool,
    runs: usize,
}

impl Series {
    /// Configure the loopback and start the capture and the prober.
    pub fn start(cfg: &LabConfig, prepared: &Prepared) -> Result<Series, LabError> {
        let (tx, events) = mpsc::channel();
        let rec = Recorder::new(tx.clone());
        let mut early_notes = Vec::new();
        let LabWire {
            server,
            live,
            capture,
            mtu,
        } = setup::start_wire(cfg, prepared, tx, |text| early_notes.push(text));
        let sampler = Sampler::start(Arc::clone(&rec)).map_err(LabError::Thread)?;
        Ok(Series {
            rec,
            events,
            server,
            capture,
            mtu,
            live,
            sampler: Some(sampler),
            early_notes,
            in_namespace: matches!(prepared, Prepared::Namespace(_)),
            runs: 0,
        })
    }

    /// Run scenario `name` to its end; its events (from the note that opens it to the final
    /// ACK) as a settled timeline.
    pub fn run(&mut self, name: &str) -> Result<(Timeline, LabSummary), LabError> {
        let sc = scenario::find(name).ok_or_else(|| LabError::UnknownScenario(name.into()))?;
        // What the last scenario left behind (a late probe) is not this one's.
        while self.events.try_recv().is_ok() {}
        let started = probe::now();
        self.rec.note_at(started, super::opening_note(sc));
        for text in self.early_notes.drain(..) {
            self.rec.note_at(started, text);
        }
        // The port may still be held by an earlier scenario's TIME_WAIT.
        let reuse = self.runs > 0 || !self.in_namespace;
        self.runs += 1;
        let ctx = ScenarioCtx::new(Arc::clone(&self.rec), self.server, reuse);
        let failure = run_with_deadline(sc, &ctx, &self.rec);
        if let Some(f) = &failure {
            self.rec.note(crate::tr!("lab.stopped_early", failure = f));
        }
        // Let the last FIN/ACK exchange reach the capture and the prober see the final states.
        std::thread::sleep(Duration::from_millis(60));
        let mut timeline = Timeline::new(started);
        for ev in self.events.try_iter() {
            timeline.push(ev);
        }
        timeline.settle();
        Ok((
            timeline,
            LabSummary {
                started,
                scenario: sc.name,
                capture: self.capture.clone(),
                server: self.server,
                mtu: self.mtu,
                failure,
                dropped: 0,
            },
        ))
    }

    /// Stop the prober and the capture; the packets the capture dropped over the whole series.
    pub fn finish(mut self) -> u32 {
        if let Some(s) = self.sampler.take() {
            s.stop();
        }
        self.live.take().map_or(0, |l| l.stop().dropped)
    }
}
