//! Recording the live lab from the screens (Ctrl-R, or `sockviz lab --record FILE`).
//!
//! The event loop hands every batch of source events here before the app sees it. Everything
//! since the lab started is kept, so a recording started halfway still holds the whole session
//! (a replay needs the handshake to make sense of the segments after it); from then on each
//! event is written as it arrives. A write error (disk full) stops the recording, never the lab.

use std::path::{Path, PathBuf};

use crate::capture::{LinkType, Timestamp};
use crate::output_file::Existing;
use crate::record::format::{Record, SummaryRecord};
use crate::record::writer::RecordingWriter;
use crate::timeline::SourceEvent;

#[derive(Debug, Default)]
pub struct LiveRecorder {
    history: Vec<SourceEvent>,
    writer: Option<RecordingWriter>,
}

impl LiveRecorder {
    pub fn is_recording(&self) -> bool {
        self.writer.is_some()
    }

    /// Keep `batch`, and write it when recording. `Err` says why recording just stopped.
    pub fn observe(&mut self, batch: &[SourceEvent]) -> Result<(), String> {
        self.history.extend_from_slice(batch);
        if let Some(w) = self.writer.as_mut() {
            for ev in batch {
                if let Err(e) = w.write(ev) {
                    self.writer = None;
                    return Err(e.to_string());
                }
            }
        }
        Ok(())
    }

    /// Start recording to `path` (`--record FILE`; an existing file only with `--force`): the
    /// session so far, then every new event. Returns the path written.
    pub fn start(&mut self, path: &Path, existing: Existing) -> Result<PathBuf, String> {
        let w = RecordingWriter::create(path, existing, LinkType::ETHERNET, "lo")
            .map_err(|e| e.to_string())?;
        self.start_with(w)
    }

    /// Start recording under a name of sockviz's choosing in `dir` (Ctrl-R): the date, time and
    /// process id, always a new file, so nothing planted under a predictable name is written
    /// through (crate::output_file::create_unique). Returns the path written.
    pub fn start_new_in(&mut self, dir: &Path) -> Result<PathBuf, String> {
        let w = RecordingWriter::create_unique(dir, &timestamped_stem(), LinkType::ETHERNET, "lo")
            .map_err(|e| e.to_string())?;
        self.start_with(w)
    }

    fn start_with(&mut self, mut w: RecordingWriter) -> Result<PathBuf, String> {
        for ev in &self.history {
            w.write(ev).map_err(|e| e.to_string())?;
        }
        let path = w.path().to_path_buf();
        self.writer = Some(w);
        Ok(path)
    }

    /// Stop, closing the file with a summary (so a replay knows it is complete); returns the
    /// path written.
    pub fn stop(&mut self, scenario: &str, capture: &str) -> Option<PathBuf> {
        let mut w = self.writer.take()?;
        let started = self.history.iter().find_map(|ev| match ev {
            SourceEvent::Note { at, .. } => Some(*at),
            _ => None,
        });
        let end = crate::lab::probe::now();
        let _ = w.write_record(&Record::Summary(SummaryRecord {
            at: end.0,
            started: started.unwrap_or(Timestamp(end.0)).0,
            scenario: scenario.to_string(),
            capture: capture.to_string(),
            server: self.server(),
            mtu: None,
            failure: None,
            dropped: 0,
        }));
        Some(w.path().to_path_buf())
    }
}

impl LiveRecorder {
    /// The echo server's address, from the first `connect()` (7 in the namespace, 7007 on the
    /// host loopback without root).
    fn server(&self) -> String {
        self.history
            .iter()
            .find_map(|ev| match ev {
                SourceEvent::Call(c) if c.call == "connect" => {
                    crate::timeline::playback::parse_py_addr(&c.args)
                }
                _ => None,
            })
            .map(|a| a.to_string())
            .unwrap_or_else(|| format!("127.0.0.1:{}", crate::lab::ECHO_PORT))
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

    #[test]
    fn a_full_disk_is_an_error_that_says_so() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let mut rec = LiveRecorder::default();
        let err = rec
            .start(Path::new("/dev/full"), Existing::Replace)
            .expect_err("ENOSPC");
        assert!(err.contains("disk full (/dev/full)"), "{err}");
        assert!(!rec.is_recording(), "no REC indicator after a failed start");
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
        rec.observe(&[note(1_000, "scenario echo: x")])
            .expect("not recording yet");
        let _ = std::fs::remove_file(&path);
        rec.start(&path, Existing::Refuse).expect("start");
        assert!(rec.is_recording());
        rec.observe(&[note(2_000, "later")]).expect("written");
        assert_eq!(rec.stop("echo", "namespace"), Some(path.clone()));
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

    /// Ctrl-R picks the name: date, time and process id, and never an existing file, so two
    /// recordings in the same second, or a file planted under the expected name, are kept.
    #[test]
    fn ctrl_r_always_makes_a_new_file_named_with_the_process_id() {
        let dir = std::env::temp_dir().join(format!("sockviz-ctrl-r-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut rec = LiveRecorder::default();
        let first = rec.start_new_in(&dir).expect("first");
        rec.stop("echo", "namespace");
        let second = rec.start_new_in(&dir).expect("second");
        rec.stop("echo", "namespace");
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
