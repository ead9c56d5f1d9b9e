//! The recording thread: every source event sent to it goes to the file the moment it
//! arrives, off the thread that produced it, so a lab killed mid-scenario leaves everything up
//! to that moment on disk and neither the lab nor the screen ever waits on the disk.
//!
//! One thread for both recorders: `lab --headless --record` ([`super::session`]) and the
//! screens' Ctrl-R / `lab --record` (`ui/live_record.rs`).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::capture::LinkType;
use crate::output_file::Existing;
use crate::timeline::SourceEvent;

use super::session::RecordOutcome;
use super::writer::RecordingWriter;

/// What the thread hands back when its senders are gone.
#[derive(Debug, Default)]
pub struct Drained {
    /// The open file, for a closing record; `None` when it could not be created.
    pub writer: Option<RecordingWriter>,
    /// Every event received (when asked to keep them), with a note where recording stopped.
    pub sources: Vec<SourceEvent>,
    pub outcome: RecordOutcome,
}

/// Where a recording goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A file the user named (`--record FILE`): never through a symbolic link, and an existing
    /// one only with [`Existing::Replace`] (`--force`).
    File(PathBuf, Existing),
    /// A new file under a name sockviz picks (Ctrl-R): `{stem}-{pid}.pcapng` in `dir`, never
    /// an existing file (crate::output_file::create_unique).
    NewIn { dir: PathBuf, stem: String },
}

impl Destination {
    fn create(&self) -> Result<RecordingWriter, super::writer::RecordError> {
        match self {
            Destination::File(path, existing) => {
                RecordingWriter::create(path, *existing, LinkType::ETHERNET, "lo")
            }
            Destination::NewIn { dir, stem } => {
                RecordingWriter::create_unique(dir, stem, LinkType::ETHERNET, "lo")
            }
        }
    }
}

/// A recording being written on its own thread.
#[derive(Debug)]
pub struct Recorder {
    tx: mpsc::Sender<SourceEvent>,
    thread: JoinHandle<Drained>,
}

impl Recorder {
    /// Create the file at `to` on a new thread, write `first` (the session so far), then every
    /// event sent. With `keep`, the thread also keeps what it received ([`Drained::sources`]).
    ///
    /// `told` hears, on the thread, `Ok(path)` once the file holds `first`, and `Err(why)` the
    /// first time recording fails (the file cannot be created, the disk is full); after a
    /// failure the thread keeps receiving (and keeping) but writes nothing.
    pub fn spawn(
        to: Destination,
        first: Vec<SourceEvent>,
        keep: bool,
        told: impl FnMut(Result<&Path, String>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                // A recorder started before the lab opens its capture would keep the
                // capabilities the lab gives up then (they are per thread, crate::privilege):
                // it gives them up first thing, before it creates the file.
                let _ = crate::privilege::drop_capabilities(crate::privilege::Keep::NOTHING);
                record_all(&to, first, rx, keep, told)
            })?;
        Ok(Recorder { tx, thread })
    }

    /// Another sender (the lab's), for events from another thread.
    pub fn sender(&self) -> mpsc::Sender<SourceEvent> {
        self.tx.clone()
    }

    /// Queue `ev` for the file (never waits on the disk).
    pub fn send(&self, ev: SourceEvent) {
        // The thread only ends when every sender is gone: this one is alive.
        let _ = self.tx.send(ev);
    }

    /// Wait until every sender is gone and everything sent is written.
    pub fn finish(self) -> Drained {
        drop(self.tx);
        self.thread.join().unwrap_or_else(|_| Drained {
            outcome: RecordOutcome {
                error: Some(crate::i18n::t("err.record.panicked").into()),
                ..RecordOutcome::default()
            },
            ..Drained::default()
        })
    }
}

/// The thread: write each event as it arrives and keep it when asked.
fn record_all(
    to: &Destination,
    first: Vec<SourceEvent>,
    rx: mpsc::Receiver<SourceEvent>,
    keep: bool,
    mut told: impl FnMut(Result<&Path, String>),
) -> Drained {
    let mut d = Drained::default();
    match to.create() {
        Ok(w) => d.writer = Some(w),
        Err(e) => d.outcome.error = Some(e.to_string()),
    }
    let mut noted = false;
    let mut write = |d: &mut Drained, ev: SourceEvent| {
        if let Some(w) = d.writer.as_mut()
            && let Err(e) = w.write(&ev)
        {
            d.outcome.error.get_or_insert(e.to_string());
        }
        if keep {
            let at = event_time(&ev);
            d.sources.push(ev);
            // The note sits where the recording stopped (after the lab's opening note).
            if let Some(err) = d.outcome.error.as_ref().filter(|_| !noted) {
                noted = true;
                d.sources.push(SourceEvent::Note {
                    at,
                    text: err.clone(),
                });
            }
        }
    };
    for ev in first {
        write(&mut d, ev);
    }
    let mut reported = false;
    let mut report = |d: &Drained, told: &mut dyn FnMut(Result<&Path, String>)| {
        if !reported && let Some(e) = &d.outcome.error {
            reported = true;
            told(Err(e.clone()));
        }
    };
    report(&d, &mut told);
    if d.outcome.error.is_none()
        && let Some(w) = &d.writer
    {
        told(Ok(w.path()));
    }
    for ev in rx {
        write(&mut d, ev);
        report(&d, &mut told);
    }
    d
}

/// When an event happened (a call: when it returned).
pub fn event_time(ev: &SourceEvent) -> crate::capture::Timestamp {
    match ev {
        SourceEvent::Call(c) => c.returned,
        SourceEvent::CallStarted(c) => c.started,
        SourceEvent::Probe { at, .. } | SourceEvent::Note { at, .. } => *at,
        SourceEvent::Frame(f) | SourceEvent::LinkFrame { frame: f, .. } => f.ts,
    }
}
