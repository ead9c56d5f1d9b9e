//! Recording the live lab from the screens (Ctrl-R, or `sockviz lab --record FILE`).
//!
//! The event loop hands every batch of source events here before the app sees it. Everything
//! since the lab started is kept, so a recording started halfway still holds the whole session
//! (a replay needs the handshake to make sense of the segments after it). The file is written
//! on the recording thread ([`crate::record::recorder`]), never by the screen's task; what the
//! recorder has to say (started, stopped, failed) comes back as actions through [`LiveRecorder::news`].
//! A write error (disk full) stops the recording, never the lab.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::capture::Timestamp;
use crate::record::format::{Record, SummaryRecord};
use crate::record::recorder::{Destination, Recorder};
use crate::timeline::SourceEvent;

use super::action::Action;

#[derive(Debug)]
pub struct LiveRecorder {
    history: Vec<SourceEvent>,
    active: Option<Recorder>,
    news_tx: mpsc::Sender<Action>,
    news: mpsc::Receiver<Action>,
    /// Recordings being closed (their summary written) off the screen's task.
    closing: Vec<JoinHandle<()>>,
}

impl Default for LiveRecorder {
    fn default() -> Self {
        let (news_tx, news) = mpsc::channel();
        LiveRecorder {
            history: Vec::new(),
            active: None,
            news_tx,
            news,
            closing: Vec::new(),
        }
    }
}

impl LiveRecorder {
    /// A recorder thread is attached (it may have stopped writing after a failure).
    pub fn is_recording(&self) -> bool {
        self.active.is_some()
    }

    /// Keep `batch`, and queue it for the file when recording.
    pub fn observe(&mut self, batch: &[SourceEvent]) {
        self.history.extend_from_slice(batch);
        if let Some(r) = &self.active {
            for ev in batch {
                r.send(ev.clone());
            }
        }
    }

    /// Start recording to `to` (`--record FILE`, an existing file only with `--force`; or a new
    /// file named by sockviz for Ctrl-R): the session so far, then every new event. The answer
    /// ([`Action::RecordingStarted`] with the path written, or [`Action::RecordingFailed`])
    /// arrives through [`LiveRecorder::news`].
    pub fn start(&mut self, to: Destination) {
        // A recording that failed earlier is let go: its thread ends on its own.
        self.active = None;
        let news = self.news_tx.clone();
        let told = move |r: Result<&Path, String>| {
            let _ = news.send(match r {
                Ok(path) => Action::RecordingStarted(path.display().to_string()),
                Err(why) => Action::RecordingFailed(why),
            });
        };
        match Recorder::spawn(to, self.history.clone(), false, told) {
            Ok(r) => self.active = Some(r),
            Err(e) => {
                let _ = self.news_tx.send(Action::RecordingFailed(crate::tr!(
                    "ui.lab.cannot_record",
                    e = e
                )));
            }
        }
    }

    /// Stop: the file is closed with a summary (so a replay knows it is complete) on another
    /// thread, which then answers [`Action::RecordingStopped`] with the path written.
    pub fn stop(&mut self, scenario: &str, capture: &str) {
        let Some(recorder) = self.active.take() else {
            return;
        };
        let started = self.history.iter().find_map(|ev| match ev {
            SourceEvent::Note { at, .. } => Some(*at),
            _ => None,
        });
        let end = crate::lab::probe::now();
        let summary = Record::Summary(SummaryRecord {
            at: end.0,
            started: started.unwrap_or(Timestamp(end.0)).0,
            scenario: scenario.to_string(),
            capture: capture.to_string(),
            server: self.server(),
            mtu: None,
            failure: None,
            dropped: 0,
        });
        let news = self.news_tx.clone();
        self.closing.push(std::thread::spawn(move || {
            let mut drained = recorder.finish();
            if let Some(w) = drained.writer.as_mut() {
                let _ = w.write_record(&summary);
                let _ = news.send(Action::RecordingStopped(w.path().display().to_string()));
            }
        }));
    }

    /// What the recorder said since the last call, as actions for the app.
    pub fn news(&self) -> impl Iterator<Item = Action> + '_ {
        self.news.try_iter()
    }

    /// Wait for every recording being closed (before the process exits).
    pub fn wait(&mut self) {
        for t in self.closing.drain(..) {
            let _ = t.join();
        }
    }
}

impl LiveRecorder {
    /// The echo server's address, from the first `connect()` (7 in the namespace, 7007 on the
    /// host loopback without root).
    fn server(&self) -> String {
        self.history
            .iter()
            .find_map(|ev| match ev {
                SourceEvent::Call(c) => match c.call {
                    crate::timeline::Call::Connect { addr } => Some(addr),
                    _ => None,
                },
                _ => None,
            })
            .map(|a| a.to_string())
            .unwrap_or_else(|| format!("127.0.0.1:{}", crate::lab::ECHO_PORT))
    }
}

/// Where Ctrl-R records: a new file in the current directory named
/// `sockviz-20261125-093012-{pid}.pcapng` (the name shown without a leading `./`), so nothing
/// planted under a predictable name is written through.
pub fn new_recording() -> Destination {
    Destination::NewIn {
        dir: std::path::PathBuf::new(),
        stem: timestamped_stem(),
    }
}

/// `sockviz-20261125-093012`, to which the file's creation adds the process id and
/// `.pcapng` (UTC, so two lecturers' files sort the same way).
pub fn timestamped_stem() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "sockviz-{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recorder's next answer (it comes from another thread).
    fn next_news(rec: &LiveRecorder) -> Action {
        rec.news
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the recorder answers")
    }

    #[test]
    fn a_full_disk_is_an_error_that_says_so() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let mut rec = LiveRecorder::default();
        rec.start(Destination::File(
            "/dev/full".into(),
            crate::output_file::Existing::Replace,
        ));
        let Action::RecordingFailed(err) = next_news(&rec) else {
            panic!("ENOSPC");
        };
        assert!(err.contains("disk full (/dev/full)"), "{err}");
        let mut app = crate::ui::App::new(
            crate::timeline::Timeline::new(Timestamp(0)),
            crate::ui::app::SourceLabel::Lab {
                scenario: "echo".into(),
                capture: "namespace".into(),
            },
            crate::ui::Theme::new(crate::ui::ThemeName::Dark),
        );
        app.update(Action::RecordingFailed(err));
        assert!(
            app.lab.recording.is_none(),
            "no REC indicator after a failed start"
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_recording_started_late_holds_the_whole_session() {
        let dir = std::env::temp_dir().join(format!("sockviz-live-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("late.pcapng");
        let mut rec = LiveRecorder::default();
        let note = |at, text: &str| SourceEvent::Note {
            at: Timestamp(at),
            text: text.into(),
        };
        rec.observe(&[note(1_000, "scenario echo: x")]);
        let _ = std::fs::remove_file(&path);
        rec.start(Destination::File(
            path.clone(),
            crate::output_file::Existing::Refuse,
        ));
        assert_eq!(
            next_news(&rec),
            Action::RecordingStarted(path.display().to_string())
        );
        assert!(rec.is_recording());
        rec.observe(&[note(2_000, "later")]);
        rec.stop("echo", "namespace");
        assert_eq!(
            next_news(&rec),
            Action::RecordingStopped(path.display().to_string())
        );
        rec.wait();
        let back = crate::record::reader::load(&path, |_| {}).expect("reads back");
        assert!(back.complete());
        assert_eq!(back.timeline.events().len(), 2);
        assert_eq!(back.timeline.origin(), Timestamp(1_000));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod chosen_names {
    use super::*;

    /// The recorder's next answer (it comes from another thread).
    fn next_news(rec: &LiveRecorder) -> Action {
        rec.news
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the recorder answers")
    }

    fn started(rec: &LiveRecorder) -> std::path::PathBuf {
        match next_news(rec) {
            Action::RecordingStarted(p) => p.into(),
            other => panic!("{other:?}"),
        }
    }

    /// Ctrl-R picks the name: date, time and process id, and never an existing file, so two
    /// recordings in the same second, or a file planted under the expected name, are kept.
    #[test]
    fn ctrl_r_always_makes_a_new_file_named_with_the_process_id() {
        let dir = std::env::temp_dir().join(format!("sockviz-ctrl-r-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut rec = LiveRecorder::default();
        let stem = timestamped_stem();
        let to = || Destination::NewIn {
            dir: dir.clone(),
            stem: stem.clone(),
        };
        rec.start(to());
        let first = started(&rec);
        rec.stop("echo", "namespace");
        assert!(matches!(next_news(&rec), Action::RecordingStopped(_)));
        rec.start(to());
        let second = started(&rec);
        rec.stop("echo", "namespace");
        assert!(matches!(next_news(&rec), Action::RecordingStopped(_)));
        rec.wait();
        assert_ne!(first, second);
        let name = first.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with("sockviz-"), "{name}");
        assert!(
            name.ends_with(&format!("-{}.pcapng", std::process::id()))
                || name.contains(&format!("-{}-", std::process::id())),
            "{name}"
        );
        for p in [first, second] {
            let back = crate::record::reader::load(&p, |_| {}).expect("reads back");
            assert!(back.complete());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
